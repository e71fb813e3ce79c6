# Unit tests of the sign and verify pipeline (issue 3): sign.c, verify.c,
# result.c through the public API, with the in-memory PKI of testpki.c.
# Included from lib/tests/CMakeLists.txt after chain.cmake (which defines
# clid_testpki and finds cmocka).
function(clid_pipeline_test module)
  add_executable(test_${module} ${CMAKE_CURRENT_SOURCE_DIR}/test_${module}.c)
  target_include_directories(test_${module} PRIVATE ${PROJECT_SOURCE_DIR}/lib/src)
  target_compile_options(test_${module} PRIVATE ${CLID_WARNINGS})
  target_compile_definitions(test_${module} PRIVATE _POSIX_C_SOURCE=200809L)
  target_link_libraries(test_${module} PRIVATE clid_testpki clid_static PkgConfig::CMOCKA
                        Threads::Threads)
  add_test(NAME unit_${module} COMMAND test_${module})
  set_tests_properties(unit_${module} PROPERTIES
    LABELS unit
    TIMEOUT 120
    ENVIRONMENT "ASAN_OPTIONS=detect_leaks=1:abort_on_error=1;UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1")
endfunction()

clid_pipeline_test(sign)
clid_pipeline_test(verify)
