include(CMakePackageConfigHelpers)

install(DIRECTORY include/salesops DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(TARGETS salesops EXPORT salesopsTargets)
install(EXPORT salesopsTargets
        NAMESPACE salesops::
        DESTINATION ${CMAKE_INSTALL_DATADIR}/cmake/salesops)

configure_package_config_file(
  ${CMAKE_CURRENT_LIST_DIR}/salesopsConfig.cmake.in
  ${CMAKE_CURRENT_BINARY_DIR}/salesopsConfig.cmake
  INSTALL_DESTINATION ${CMAKE_INSTALL_DATADIR}/cmake/salesops)
# Header-only: any architecture may use the installed package.
write_basic_package_version_file(
  ${CMAKE_CURRENT_BINARY_DIR}/salesopsConfigVersion.cmake
  COMPATIBILITY SameMajorVersion ARCH_INDEPENDENT)
install(FILES
  ${CMAKE_CURRENT_BINARY_DIR}/salesopsConfig.cmake
  ${CMAKE_CURRENT_BINARY_DIR}/salesopsConfigVersion.cmake
  DESTINATION ${CMAKE_INSTALL_DATADIR}/cmake/salesops)

configure_file(${CMAKE_CURRENT_LIST_DIR}/salesops.pc.in
               ${CMAKE_CURRENT_BINARY_DIR}/salesops.pc @ONLY)
install(FILES ${CMAKE_CURRENT_BINARY_DIR}/salesops.pc
        DESTINATION ${CMAKE_INSTALL_DATADIR}/pkgconfig)
