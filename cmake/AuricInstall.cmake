# Install rules: headers, libraries (static by default, shared with BUILD_SHARED_LIBS=ON), the
# tools, and a relocatable CMake package (AuricMigrationsConfig.cmake + version file) giving
# auric::migrations and auric_add_migrations(). Included last by the top-level CMakeLists.
include(CMakePackageConfigHelpers)

set(_auric_export_targets)
foreach(part text core store backfill aws app cli dashboard dashboard_lambda lambda entry migrations testing)
  if(TARGET auric_${part})
    set_target_properties(auric_${part} PROPERTIES EXPORT_NAME ${part})
    list(APPEND _auric_export_targets auric_${part})
  endif()
endforeach()

set(_auric_tools)
foreach(tool auric-migrate auric-migrate-dashboard auric-migrate-bundle auric-migrate-runner)
  if(TARGET ${tool})
    list(APPEND _auric_tools ${tool})
  endif()
endforeach()

install(TARGETS ${_auric_export_targets} EXPORT AuricMigrationsTargets
        ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
        LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
        RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
install(TARGETS ${_auric_tools} RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
install(FILES ${PROJECT_BINARY_DIR}/man/auric-migrate.1 DESTINATION ${CMAKE_INSTALL_MANDIR}/man1 COMPONENT man OPTIONAL)
install(DIRECTORY ${PROJECT_SOURCE_DIR}/include/auric DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})

set(_auric_cmake_dir ${CMAKE_INSTALL_LIBDIR}/cmake/AuricMigrations)
install(EXPORT AuricMigrationsTargets NAMESPACE auric:: DESTINATION ${_auric_cmake_dir})

set(AURIC_NEEDS_HTTPLIB OFF)
set(AURIC_NEEDS_LIBARCHIVE OFF)
foreach(t ${_auric_export_targets})
  get_target_property(_libs ${t} LINK_LIBRARIES)
  if(_libs MATCHES "PkgConfig::HTTPLIB")
    set(AURIC_NEEDS_HTTPLIB ON)
  endif()
  if(_libs MATCHES "LibArchive")
    set(AURIC_NEEDS_LIBARCHIVE ON)
  endif()
endforeach()
configure_package_config_file(${PROJECT_SOURCE_DIR}/cmake/AuricMigrationsConfig.cmake.in
  ${PROJECT_BINARY_DIR}/AuricMigrationsConfig.cmake INSTALL_DESTINATION ${_auric_cmake_dir})
write_basic_package_version_file(${PROJECT_BINARY_DIR}/AuricMigrationsConfigVersion.cmake
  VERSION ${PROJECT_VERSION} COMPATIBILITY SameMinorVersion)
install(FILES ${PROJECT_BINARY_DIR}/AuricMigrationsConfig.cmake
              ${PROJECT_BINARY_DIR}/AuricMigrationsConfigVersion.cmake
              ${PROJECT_SOURCE_DIR}/cmake/AuricMigrations.cmake
              ${PROJECT_SOURCE_DIR}/cmake/AuricTesting.cmake
        DESTINATION ${_auric_cmake_dir})
