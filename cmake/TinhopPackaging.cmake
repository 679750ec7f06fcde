# `cmake --install` layout (FHS with prefix /usr: units in /usr/lib/systemd/system, the
# configuration in /etc/tinhop) and the Debian package (cpack -G DEB).
include(GNUInstallDirs)

install(FILES ${PROJECT_SOURCE_DIR}/systemd/tinhop.service DESTINATION lib/systemd/system)
install(FILES ${PROJECT_SOURCE_DIR}/systemd/tinhop.sysusers DESTINATION lib/sysusers.d RENAME tinhop.conf)
# GNUInstallDirs maps sysconfdir to /etc for the /usr prefix.
install(FILES ${PROJECT_SOURCE_DIR}/config/tinhop.example.toml
        DESTINATION ${CMAKE_INSTALL_FULL_SYSCONFDIR}/tinhop RENAME tinhop.toml)
install(FILES ${PROJECT_SOURCE_DIR}/config/tinhop.example.toml ${PROJECT_SOURCE_DIR}/README.md
        DESTINATION ${CMAKE_INSTALL_DOCDIR})
install(DIRECTORY ${PROJECT_SOURCE_DIR}/docs/ DESTINATION ${CMAKE_INSTALL_DOCDIR} FILES_MATCHING PATTERN "*.md")
# `tinhop serve --demo` finds them relative to its own binary (daemon/CMakeLists.txt).
install(DIRECTORY ${PROJECT_SOURCE_DIR}/demo/feeds/ DESTINATION ${CMAKE_INSTALL_DATADIR}/tinhop/demo)

set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME tinhop)
set(CPACK_PACKAGE_VENDOR tinhop)
set(CPACK_PACKAGE_CONTACT "tinhop maintainers <tinhop@localhost>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "news feed aggregator: polls many feeds, republishes one merged feed")
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_STRIP_FILES ON)
set(CPACK_DEBIAN_PACKAGE_SECTION net)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
# Library dependencies come from dpkg-shlibdeps; the maintainer scripts need these, and the
# unit's ExecReload needs /bin/kill (procps: absent from minimal systems and containers).
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_DEPENDS "systemd, adduser, init-system-helpers (>= 1.52), ca-certificates, procps")
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA
    ${PROJECT_SOURCE_DIR}/packaging/debian/conffiles ${PROJECT_SOURCE_DIR}/packaging/debian/postinst
    ${PROJECT_SOURCE_DIR}/packaging/debian/prerm ${PROJECT_SOURCE_DIR}/packaging/debian/postrm)
include(CPack)
