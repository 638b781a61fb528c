# Strict warnings for project code only: third-party headers come in through imported
# targets, whose include directories CMake marks SYSTEM, so -Werror never fires on them.
option(SALESOPS_WERROR "Treat warnings in project code as errors" ON)

function(salesops_strict_warnings target)
  if(CMAKE_CXX_COMPILER_ID MATCHES "GNU|Clang")
    target_compile_options(${target} PRIVATE
      -Wall -Wextra -Wpedantic -Wconversion -Wshadow)
    if(SALESOPS_WERROR)
      target_compile_options(${target} PRIVATE -Werror)
    endif()
  endif()
endfunction()
