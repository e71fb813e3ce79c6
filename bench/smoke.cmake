# bench_smoke: clid_bench runs briefly, exits 0 and prints its six result
# lines (cmake -DBENCH=path -P smoke.cmake).
execute_process(COMMAND ${BENCH} --seconds 0.05 --rounds 1
  RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
message("${out}")
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "clid_bench exited with ${rc}: ${err}")
endif()
foreach(line "raw_sign ops/s=[0-9]+" "raw_verify ops/s=[0-9]+"
        "sign ops/s=[0-9]+ ratio=[0-9]+\\.[0-9][0-9]"
        "verify_warm ops/s=[0-9]+ ratio=[0-9]+\\.[0-9][0-9]"
        "verify_cold ops/s=[0-9]+ ratio=[0-9]+\\.[0-9][0-9]"
        "verify_new_leaf ops/s=[0-9]+ ratio=[0-9]+\\.[0-9][0-9]")
  if(NOT out MATCHES "(^|\n)${line}")
    message(FATAL_ERROR "clid_bench printed no line matching '${line}'")
  endif()
endforeach()
