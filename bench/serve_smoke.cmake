# bench_serve_smoke: serve-bench.sh runs each wrk pass for 1 s only, exits 0
# (every answer right, no socket error) and prints its table and targets
# (cmake -DSCRIPT=serve-bench.sh -DCLID=clid -DBENCH=clid_bench -P
# serve_smoke.cmake). The figures of such a run mean nothing.
execute_process(COMMAND bash ${SCRIPT} --seconds 1 --inproc-seconds 0.05
                        --clid ${CLID} --clid-bench ${BENCH}
  RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
message("${out}${err}")
if(rc EQUAL 77)
  # ctest sees the skip by this line (SKIP_REGULAR_EXPRESSION)
  message("bench_serve_smoke: SKIPPED, wrk missing")
  return()
endif()
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "serve-bench.sh exited with ${rc}")
endif()
foreach(line "sign +[0-9]+ +[0-9.]+ +[0-9.]+ "
        "verify +[0-9]+ +[0-9.]+ +[0-9.]+ "
        "verify@[0-9]+ +[0-9]+ +[0-9.]+ +[0-9.]+ "
        "target verify >= 0.60 x in-process per core: [0-9.]+ per core given"
        "target p99 < 5 ms at half the max rate")
  if(NOT out MATCHES "(^|\n)${line}")
    message(FATAL_ERROR "serve-bench.sh printed no line matching '${line}'")
  endif()
endforeach()
