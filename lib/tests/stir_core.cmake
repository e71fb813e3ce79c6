# cmocka unit tests of the STIR core modules (issue 3): telephone numbers,
# base64url, ES256, PASSporT, Identity header. Included from
# lib/tests/CMakeLists.txt; one executable per module, registered as
# unit_<module> (LABELS unit), linked against the static library so that
# the internal clid__* functions declared in lib/src/*.h are reachable.
pkg_check_modules(CMOCKA REQUIRED IMPORTED_TARGET cmocka)

# Sanitizer runtimes read these; under plain gcc they are inert.
set(CLID_STIR_CORE_TEST_ENV
    "ASAN_OPTIONS=detect_leaks=1:abort_on_error=1;UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1")

function(clid_stir_core_test name)
  add_executable(test_${name} ${CMAKE_CURRENT_SOURCE_DIR}/test_${name}.c)
  target_compile_options(test_${name} PRIVATE ${CLID_WARNINGS})
  # mkstemp, popen, pthread_barrier_t: POSIX.1-2008.
  target_compile_definitions(test_${name} PRIVATE _POSIX_C_SOURCE=200809L)
  target_include_directories(test_${name} PRIVATE ${PROJECT_SOURCE_DIR}/lib/src
                                                  ${CMAKE_CURRENT_SOURCE_DIR})
  target_link_libraries(test_${name} PRIVATE clid_static PkgConfig::CMOCKA OpenSSL::Crypto
                                             Threads::Threads PkgConfig::JANSSON)
  add_test(NAME unit_${name} COMMAND test_${name})
  set_tests_properties(unit_${name} PROPERTIES
    LABELS unit
    TIMEOUT 120
    ENVIRONMENT "${CLID_STIR_CORE_TEST_ENV}")
endfunction()

foreach(mod tn b64url es256 passport identity)
  clid_stir_core_test(${mod})
endforeach()
