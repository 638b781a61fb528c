# Installs salesops into a fresh temporary prefix and removes the consumer build folders of
# earlier runs, so no cached pkg-config or find_package result can hide a packaging bug.
file(REMOVE_RECURSE "${PREFIX}")
foreach(route find_package add_subdirectory fetchcontent pkg_config)
  file(REMOVE_RECURSE "${CONSUMERS}/${route}")
endforeach()
execute_process(COMMAND "${CMAKE_COMMAND}" --install "${BUILD_DIR}" --prefix "${PREFIX}"
                RESULT_VARIABLE status)
if(NOT status EQUAL 0)
  message(FATAL_ERROR "cmake --install failed with ${status}")
endif()
