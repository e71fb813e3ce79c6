# `clid ca` tests (ctest label "ca"): shell scripts driving the built clid,
# with the openssl CLI, jq and python3-asn1crypto/cryptography as independent
# checkers. Included by tools/tests/CMakeLists.txt.
set(CLID_CA_TEST_ENV
  "ASAN_OPTIONS=detect_leaks=1:abort_on_error=1"
  "UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1")

foreach(t basic bad_input crash concurrency delegate csr)
  add_test(NAME ca_${t}
    COMMAND ${BASH_EXECUTABLE} ${CMAKE_CURRENT_SOURCE_DIR}/ca_${t}.sh $<TARGET_FILE:clid_tool>)
  set_tests_properties(ca_${t} PROPERTIES LABELS ca TIMEOUT 120 ENVIRONMENT "${CLID_CA_TEST_ENV}")
endforeach()
