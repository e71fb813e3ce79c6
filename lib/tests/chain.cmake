# Unit tests of the certificate-chain modules (issue 3): ctx.c,
# signer_cert.c, certcache.c. Included from lib/tests/CMakeLists.txt.
find_package(PkgConfig REQUIRED)
pkg_check_modules(CMOCKA REQUIRED IMPORTED_TARGET cmocka)

add_library(clid_testpki STATIC ${CMAKE_CURRENT_SOURCE_DIR}/testpki.c)
target_include_directories(clid_testpki PUBLIC ${PROJECT_SOURCE_DIR}/lib/src)
target_compile_options(clid_testpki PRIVATE ${CLID_WARNINGS})
target_compile_definitions(clid_testpki PUBLIC _POSIX_C_SOURCE=200809L)
target_link_libraries(clid_testpki PUBLIC clid_static)

function(clid_chain_test module)
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

clid_chain_test(ctx)
clid_chain_test(signer_cert)
clid_chain_test(certcache)
