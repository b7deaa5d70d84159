# cnnshape_catch_tests(TARGET): one ctest entry per Catch2 test case of TARGET, found after each
# build by listing the binary's test names (as Catch2's catch_discover_tests does, but with a
# discovery script that reads each name whole: Catch's own splits the list with CMake's list rules,
# which do not split inside square brackets, so one name with an unclosed '[' glued 76 test cases
# into a single entry that ran nothing). Every entry carries the label "catch".
set(CNNSHAPE_CATCH_DISCOVER_SCRIPT ${CMAKE_CURRENT_LIST_DIR}/add_catch_tests.cmake)

function(cnnshape_catch_tests TARGET)
  set(include_file "${CMAKE_CURRENT_BINARY_DIR}/${TARGET}_include.cmake")
  set(tests_file "${CMAKE_CURRENT_BINARY_DIR}/${TARGET}_tests.cmake")
  add_custom_command(
    TARGET ${TARGET} POST_BUILD
    BYPRODUCTS "${tests_file}"
    COMMAND "${CMAKE_COMMAND}"
            -D "TEST_EXECUTABLE=$<TARGET_FILE:${TARGET}>"
            -D "TEST_WORKING_DIR=${CMAKE_CURRENT_BINARY_DIR}"
            -D "CTEST_FILE=${tests_file}"
            -P "${CNNSHAPE_CATCH_DISCOVER_SCRIPT}"
    VERBATIM)
  file(WRITE "${include_file}"
    "if(EXISTS \"${tests_file}\")\n"
    "  include(\"${tests_file}\")\n"
    "else()\n"
    "  add_test(${TARGET}_NOT_BUILT ${TARGET}_NOT_BUILT)\n"
    "endif()\n")
  set_property(DIRECTORY APPEND PROPERTY TEST_INCLUDE_FILES "${include_file}")
endfunction()
