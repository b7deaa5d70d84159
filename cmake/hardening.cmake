# Sanitizer and fuzzing builds (see tools/sanitize.sh and tools/fuzz.sh).
option(CNNSHAPE_SANITIZE "Build everything with AddressSanitizer and UndefinedBehaviorSanitizer" OFF)
option(CNNSHAPE_FUZZ "Build the libFuzzer harnesses in fuzz/ (needs clang)" OFF)
if(CNNSHAPE_SANITIZE OR CNNSHAPE_FUZZ)
  add_compile_options(-fsanitize=address,undefined -fno-sanitize-recover=undefined
                      -fno-omit-frame-pointer)
  add_link_options(-fsanitize=address,undefined)
endif()
if(CNNSHAPE_FUZZ)
  if(NOT CMAKE_CXX_COMPILER_ID MATCHES "Clang")
    message(FATAL_ERROR "CNNSHAPE_FUZZ needs clang: configure with -DCMAKE_CXX_COMPILER=clang++")
  endif()
  add_compile_options(-fsanitize=fuzzer-no-link)
endif()
