# Runs PROGRAM and checks its standard output: it must exit 0 and match every non-empty line
# of EXPECTED, each a CMake regular expression. Used for the examples' output checks.
execute_process(COMMAND "${PROGRAM}" ${ARGS}
                OUTPUT_VARIABLE output ERROR_VARIABLE errors RESULT_VARIABLE status)
if(NOT status EQUAL 0)
  message(FATAL_ERROR "${PROGRAM} exited with ${status}\n${output}\n${errors}")
endif()
file(STRINGS "${EXPECTED}" patterns)
foreach(pattern IN LISTS patterns)
  if(pattern STREQUAL "" OR pattern MATCHES "^#")
    continue()
  endif()
  if(NOT output MATCHES "${pattern}")
    message(FATAL_ERROR "output of ${PROGRAM} does not match '${pattern}':\n${output}")
  endif()
endforeach()
message(STATUS "${PROGRAM}: all ${EXPECTED} patterns matched")
