// jugfile.cpp
#include <jug/jug.hpp>

#include <chrono>
#include <fstream>
#include <string>
#include <thread>

using namespace std::chrono_literals;

const jug::TaskGenerator twice("twice", [](int x) {
  std::this_thread::sleep_for(4s);
  return 2 * x;
});

const jug::TaskGenerator add("add", [](int a, int b) { return a + b; });

const jug::TaskGenerator print_final_result(
    "print_final_result", [](const std::string& oname, int value) {
      std::ofstream(oname) << "Final result: " << value << '\n';
    });

int main(int argc, char** argv) {
  return jug::main(argc, argv, [] {
    auto y = twice(2);
    auto z = twice(y);
    auto y2 = twice(7);
    auto z2 = twice(y2);
    print_final_result("output.txt", add(z, z2));
  });
}
