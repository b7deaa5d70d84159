# Writes CTEST_FILE: one add_test per test case that TEST_EXECUTABLE lists.
# Run by cnnshape_catch_tests (CatchTests.cmake) after each build of the test binary.
#
# The names are never put in a CMake list: list splitting keeps ';' inside '[...]' together, and a
# test name may hold brackets, semicolons or commas. The output is walked line by line instead.
execute_process(
  COMMAND "${TEST_EXECUTABLE}" --list-test-names-only
  OUTPUT_VARIABLE output
  RESULT_VARIABLE result
  WORKING_DIRECTORY "${TEST_WORKING_DIR}")
# Catch2 exits with the number of test cases it listed; only a failure to run is an error.
if(NOT result MATCHES "^[0-9]+$")
  message(FATAL_ERROR "could not list the tests of ${TEST_EXECUTABLE}: ${result}\n${output}")
endif()

set(script "")
set(count 0)
while(NOT output STREQUAL "")
  string(FIND "${output}" "\n" eol)
  if(eol EQUAL -1)
    set(name "${output}")
    set(output "")
  else()
    string(SUBSTRING "${output}" 0 ${eol} name)
    math(EXPR rest "${eol} + 1")
    string(SUBSTRING "${output}" ${rest} -1 output)
  endif()
  string(REGEX REPLACE "\r$" "" name "${name}")
  if(name STREQUAL "")
    continue()
  endif()
  if(name MATCHES "\\]==\\]")
    message(FATAL_ERROR "test name '${name}' holds ']==]', which this script cannot quote")
  endif()
  # Catch2's test-spec syntax gives '\', ',', '[', ']', '*', '~' and '"' meanings of their own; a
  # backslash makes the next character literal, so the spec selects exactly this one test case.
  set(spec "${name}")
  foreach(c "\\" "," "[" "]" "*" "~" "\"")
    string(REPLACE "${c}" "\\${c}" spec "${spec}")
  endforeach()
  string(APPEND script
    "add_test([==[${name}]==] [==[${TEST_EXECUTABLE}]==] [==[${spec}]==])\n"
    "set_tests_properties([==[${name}]==] PROPERTIES WORKING_DIRECTORY [==[${TEST_WORKING_DIR}]==]"
    " LABELS catch)\n")
  math(EXPR count "${count} + 1")
endwhile()
if(count EQUAL 0)
  message(FATAL_ERROR "${TEST_EXECUTABLE} lists no test cases")
endif()
file(WRITE "${CTEST_FILE}" "${script}")
