# Unit tests of the SIP adapter (issue 5): sip.c, sip_parse.c, sip_splice.c
# through clid_sip.h, with the golden requests in lib/tests/sip/. Included
# from lib/tests/CMakeLists.txt after chain.cmake (clid_testpki, cmocka).
# The test also drives libosip2 directly (the osip_message_t variants).
add_executable(test_sip ${CMAKE_CURRENT_SOURCE_DIR}/test_sip.c)
target_include_directories(test_sip PRIVATE ${PROJECT_SOURCE_DIR}/lib/src)
target_include_directories(test_sip SYSTEM PRIVATE ${OSIP2_INCLUDE_DIRS})
target_compile_options(test_sip PRIVATE ${CLID_WARNINGS})
target_compile_definitions(test_sip PRIVATE _POSIX_C_SOURCE=200809L
                           CLID_SIP_GOLDEN_DIR="${CMAKE_CURRENT_SOURCE_DIR}/sip")
target_link_libraries(test_sip PRIVATE clid_testpki clid_static PkgConfig::CMOCKA
                      Threads::Threads)
add_test(NAME unit_sip COMMAND test_sip)
set_tests_properties(unit_sip PROPERTIES
  LABELS unit
  TIMEOUT 300
  ENVIRONMENT "ASAN_OPTIONS=detect_leaks=1:abort_on_error=1;UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1")
