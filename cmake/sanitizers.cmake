# Sanitizer instrumentation for every target of the project.
#
# -DNEWSFLOW_SANITIZE=address,undefined (or ON): AddressSanitizer and UBSan,
# gcc or clang. Any UBSan report aborts (no recovery), so a test that
# triggers one fails. How to run: README.md "Sanitizers and fuzzing".
#
# -DNEWSFLOW_FUZZ=ON: clang's libFuzzer coverage instrumentation plus ASan and
# UBSan on every library; fuzz/CMakeLists.txt links the fuzz_* executables.
if(NEWSFLOW_SANITIZE STREQUAL "ON")
  set(NEWSFLOW_SANITIZE "address,undefined" CACHE STRING "" FORCE)
endif()
set(_nf_sanitize "${NEWSFLOW_SANITIZE}")
if(NEWSFLOW_FUZZ)
  if(NOT CMAKE_CXX_COMPILER_ID MATCHES "Clang")
    message(FATAL_ERROR "NEWSFLOW_FUZZ needs clang (libFuzzer), not ${CMAKE_CXX_COMPILER_ID}: "
                        "configure a separate build dir with -DCMAKE_CXX_COMPILER=clang++ "
                        "(Debian packages clang and libclang-rt-dev)")
  endif()
  if(NOT _nf_sanitize)
    set(_nf_sanitize "address,undefined")
  endif()
  add_compile_options(-fsanitize=fuzzer-no-link)
endif()
if(_nf_sanitize)
  message(STATUS "newsflow: building with -fsanitize=${_nf_sanitize}")
  add_compile_options(-fsanitize=${_nf_sanitize} -fno-sanitize-recover=all -fno-omit-frame-pointer)
  add_link_options(-fsanitize=${_nf_sanitize})
endif()
