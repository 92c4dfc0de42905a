# add_unit_tests_by_file(TARGET ROOT SOURCE...): a ctest test per gtest
# source file, unit.<path under ROOT without _test.cpp>, running the suites
# the file defines (found by their TEST/TEST_F/TEST_P/TYPED_TEST lines); then
# unit.others, for any test those patterns missed (a suite declared in a way
# the patterns do not know), so that no test goes unrun. A file's test passes
# when all its tests pass or skip: scripts/skipped-tests names the skips.
function(add_unit_tests_by_file target root)
  set(every_pattern "")
  foreach(source ${ARGN})
    # file(STRINGS) splits a line at ';': only the first piece is matched.
    file(STRINGS ${source} lines REGEX "^(TEST|TEST_F|TEST_P|TYPED_TEST|TYPED_TEST_P)\\(")
    set(patterns "")
    foreach(line IN LISTS lines)
      if(line MATCHES "^[A-Z_]+\\( *([A-Za-z0-9_]+)")
        # Plain and fixture tests (Suite.Test), parameterized ones
        # (Instances/Suite.Test/N) and typed ones (Suite/N.Test).
        list(APPEND patterns "${CMAKE_MATCH_1}.*" "*/${CMAKE_MATCH_1}.*" "${CMAKE_MATCH_1}/*")
      endif()
    endforeach()
    if(NOT patterns)
      continue()
    endif()
    list(REMOVE_DUPLICATES patterns)
    list(APPEND every_pattern ${patterns})
    file(RELATIVE_PATH name ${root} ${source})
    string(REGEX REPLACE "_test\\.cpp$" "" name "${name}")
    string(JOIN ":" filter ${patterns})
    add_test(NAME unit.${name} COMMAND ${target} --gtest_filter=${filter})
    set_tests_properties(unit.${name} PROPERTIES TIMEOUT 1200)
  endforeach()
  string(JOIN ":" everything ${every_pattern})
  add_test(NAME unit.others COMMAND ${target} --gtest_filter=*-${everything})
  set_tests_properties(unit.others PROPERTIES TIMEOUT 1200)
endfunction()
