# Unit tests of the x5u fetcher (issue 5): fetch.c, url_policy.c,
# http_fresh.c, fetch_cache.c, fetch_disk.c. The retrieval tests run
# lib/tests/x5u_server.py (Debian /usr/bin/python3, standard library only,
# plus the openssl command for its throwaway TLS certificates) on
# 127.0.0.1; the test skips them, saying so, when python3 is missing.
# Included from lib/tests/CMakeLists.txt after chain.cmake (clid_testpki).
add_executable(test_fetch ${CMAKE_CURRENT_SOURCE_DIR}/test_fetch.c)
target_include_directories(test_fetch PRIVATE ${PROJECT_SOURCE_DIR}/lib/src)
target_compile_options(test_fetch PRIVATE ${CLID_WARNINGS})
target_compile_definitions(test_fetch PRIVATE _POSIX_C_SOURCE=200809L _DEFAULT_SOURCE
                           X5U_SERVER="${CMAKE_CURRENT_SOURCE_DIR}/x5u_server.py")
target_link_libraries(test_fetch PRIVATE clid_testpki clid_static PkgConfig::CMOCKA
                      PkgConfig::CURL Threads::Threads)
add_test(NAME unit_fetch COMMAND test_fetch)
set_tests_properties(unit_fetch PROPERTIES
  LABELS unit
  TIMEOUT 120
  ENVIRONMENT "${CLID_TEST_ENV}")
