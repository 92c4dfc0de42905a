// Two generators given one name are found when they are made, whatever
// they are called with (issue 21: `sq(3)` was handed the stored `cube(3)`).

#include "jug/detail/generator_registry.hpp"

#include <gtest/gtest.h>

#include <functional>
#include <source_location>
#include <string>

namespace {

using jug::detail::generator_function;
using jug::detail::register_generator;

int square(int x) { return x * x; }
int cube(int x) { return x * x * x; }

TEST(GeneratorRegistry, OneFunctionUnderOneNameIsNoConflict) {
  const auto f = [](int x) { return x + 1; };
  EXPECT_FALSE(register_generator("registry.same", generator_function(f),
                                  std::source_location::current()));
  // The same lambda again (a generator made anew each build): the same function.
  EXPECT_FALSE(register_generator("registry.same", generator_function(f),
                                  std::source_location::current()));
  EXPECT_FALSE(register_generator("registry.pointer", generator_function(&square),
                                  std::source_location::current()));
  EXPECT_FALSE(register_generator("registry.pointer", generator_function(&square),
                                  std::source_location::current()));
}

TEST(GeneratorRegistry, TwoLambdasUnderOneNameNameBothDefinitions) {
  const auto sq = [](int x) { return x * x; };
  const auto cb = [](int x) { return x * x * x; };
  const std::source_location first = std::source_location::current();
  const std::source_location second = std::source_location::current();
  EXPECT_FALSE(register_generator("registry.sq", generator_function(sq), first));
  const auto conflict = register_generator("registry.sq", generator_function(cb), second);
  ASSERT_TRUE(conflict);
  EXPECT_NE(conflict->find("both named 'registry.sq'"), std::string::npos) << *conflict;
  const std::string where = "generator_registry_test.cpp:" + std::to_string(first.line()) +
                            " and generator_registry_test.cpp:" + std::to_string(second.line());
  EXPECT_NE(conflict->find(where), std::string::npos) << *conflict;
  EXPECT_TRUE(jug::detail::generator_name_conflict());
}

TEST(GeneratorRegistry, TwoFunctionPointersOfOneTypeAreTwoFunctions) {
  EXPECT_FALSE(register_generator("registry.power", generator_function(&square),
                                  std::source_location::current()));
  EXPECT_TRUE(register_generator("registry.power", generator_function(&cube),
                                 std::source_location::current()));
}

TEST(GeneratorRegistry, StdFunctionsAreToldApartByWhereTheyAreDefined) {
  const std::function<int(int)> a = square, b = cube;
  const std::source_location here = std::source_location::current();
  EXPECT_FALSE(register_generator("registry.wrapped", generator_function(a), here));
  // Made again at the same place: the same generator.
  EXPECT_FALSE(register_generator("registry.wrapped", generator_function(b), here));
  EXPECT_TRUE(register_generator("registry.wrapped", generator_function(b),
                                 std::source_location::current()));
}

TEST(GeneratorRegistry, OneTemplateMadeWithTwoTypesSaysWhichTypes) {
  const auto make = [](auto zero) {
    return register_generator("registry.templated", generator_function([zero](decltype(zero) x) {
                                return x + zero;
                              }),
                              std::source_location::current());
  };
  EXPECT_FALSE(make(0));
  const auto conflict = make(0.0f);
  ASSERT_TRUE(conflict);
  EXPECT_NE(conflict->find("once with"), std::string::npos) << *conflict;
}

TEST(GeneratorRegistry, JugsOwnHelpersAreNotRecorded) {
  const auto a = [](int x) { return x; };
  const auto b = [](int x) { return -x; };
  EXPECT_FALSE(register_generator("jug.map", generator_function(a), std::source_location::current()));
  EXPECT_FALSE(register_generator("jug.map", generator_function(b), std::source_location::current()));
}

}  // namespace
