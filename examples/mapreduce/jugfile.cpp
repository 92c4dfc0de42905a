// Word count with jug::mapreduce: how often each word occurs in the text
// files under texts/ (or the files named after `--`). Each map task counts
// the words of two files and merges their counts; reduce tasks merge those,
// four at a time; write_report writes the 20 most common words.
//
// The files are jug::input_file arguments: their size and modification time
// are hashed, so after a file changes only its map task, the reduce tasks
// above it and the report run again. The list of files is read when the
// graph is built, so a new file simply makes the graph larger.
#include <jug/jug.hpp>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <map>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

using Counts = std::map<std::string, long>;

const jug::TaskGenerator count_words("count_words", [](const std::string& path) {
  std::ifstream in(path);
  if (!in) throw std::runtime_error("cannot read " + path);
  Counts counts;
  std::string word;
  char c;
  while (in.get(c)) {
    if (std::isalpha(static_cast<unsigned char>(c)) || (c == '\'' && !word.empty())) {
      word += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    } else if (!word.empty()) {
      ++counts[word];
      word.clear();
    }
  }
  if (!word.empty()) ++counts[word];
  return counts;
});

const jug::TaskGenerator merge_counts("merge_counts", [](Counts a, const Counts& b) {
  for (const auto& [word, n] : b) a[word] += n;
  return a;
});

const jug::TaskGenerator write_report(
    "write_report", [](const Counts& counts, const std::string& out_path, int top) {
      std::vector<std::pair<std::string, long>> words(counts.begin(), counts.end());
      std::stable_sort(words.begin(), words.end(),
                       [](const auto& a, const auto& b) { return a.second > b.second; });
      long total = 0;
      for (const auto& [word, n] : words) total += n;
      std::ofstream out(out_path);
      out << total << " words, " << words.size() << " different\n";
      for (std::size_t i = 0; i < words.size() && i < static_cast<std::size_t>(top); ++i) {
        out << words[i].second << ' ' << words[i].first << '\n';
      }
      if (!out) throw std::runtime_error("cannot write " + out_path);
    });

/// The files named after `--`, or every .txt file under texts/, sorted.
std::vector<std::string> text_files() {
  if (!jug::arguments().empty()) return jug::arguments();
  std::vector<std::string> paths;
  for (const auto& entry : std::filesystem::directory_iterator("texts")) {
    if (entry.path().extension() == ".txt") paths.push_back(entry.path().string());
  }
  std::sort(paths.begin(), paths.end());
  return paths;
}

int main(int argc, char** argv) {
  return jug::main(argc, argv, [] {
    std::vector<jug::HashedAs<std::string>> inputs;
    for (const std::string& path : text_files()) inputs.push_back(jug::input_file(path));
    const auto counts =
        jug::mapreduce(merge_counts, count_words, inputs, {.map_step = 2, .reduce_step = 4});
    write_report(counts, "word_counts.txt", 20);
  });
}
