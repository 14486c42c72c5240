# Install layout and the Debian package (issue 17). Included from the top
# CMakeLists.txt after the targets exist.
#
#   <prefix>/bin/newsflow                      the executable; finds its data in ../share/newsflow
#   <prefix>/bin/newsflow-kafka                single-node Apache Kafka (scripts/kafka.sh, installed)
#   <prefix>/bin/newsflow-fetch-models         downloads lid.176.ftz (not shipped: CC BY-SA 3.0)
#   <prefix>/share/newsflow/stages/*/data      stage data (models, stoplists, gazetteers)
#   <prefix>/share/newsflow/schemas            record schemas (top CMakeLists.txt)
#   <prefix>/share/newsflow/{pipeline.yaml,samples,examples,deploy/...}
#   <prefix>/lib/systemd/system, <prefix>/lib/sysusers.d   systemd units and the newsflow user
#   <etc>/newsflow/                            pipeline.yaml, *.env (conffiles): /etc/newsflow when
#                                              the prefix is /usr (the package), else <prefix>/etc/newsflow
#
# Nothing here depends on the build or source tree at run time: a test
# (tests/install/) moves an installed prefix away and runs it.
include(GNUInstallDirs)

set(NEWSFLOW_INSTALL_DATADIR ${CMAKE_INSTALL_DATADIR}/newsflow)

# Stage data: every stages/<name>/data folder (build-tree binaries read them in place).
file(GLOB _newsflow_stage_dirs LIST_DIRECTORIES true ${PROJECT_SOURCE_DIR}/stages/*/data)
foreach(_dir IN LISTS _newsflow_stage_dirs)
  get_filename_component(_stage_dir ${_dir} DIRECTORY)
  get_filename_component(_stage ${_stage_dir} NAME)
  install(DIRECTORY ${_dir}/ DESTINATION ${NEWSFLOW_INSTALL_DATADIR}/stages/${_stage}/data)
endforeach()

install(FILES deploy/pipeline.yaml DESTINATION ${NEWSFLOW_INSTALL_DATADIR})
install(DIRECTORY samples/ DESTINATION ${NEWSFLOW_INSTALL_DATADIR}/samples)
install(FILES producers/feeds/example_feeds.yaml DESTINATION ${NEWSFLOW_INSTALL_DATADIR}/examples
  RENAME feeds.yaml)
# The plug-in examples docs/plugins.md walks through (a C++ stage built
# against the installed SDK, a Python stage, a pipeline using both).
install(DIRECTORY examples/cpp-stage examples/python-stage USE_SOURCE_PERMISSIONS
  DESTINATION ${NEWSFLOW_INSTALL_DATADIR}/examples)
install(FILES examples/pipeline.yaml DESTINATION ${NEWSFLOW_INSTALL_DATADIR}/examples
  RENAME plugins-pipeline.yaml)
# Monitoring: the Prometheus config and the Grafana dashboard with its provisioning.
install(DIRECTORY deploy/prometheus deploy/grafana DESTINATION ${NEWSFLOW_INSTALL_DATADIR}/deploy)
# newsflow-kafka runs the installed copy of scripts/kafka.sh, which finds
# deploy/kafka/ (the pinned pom.xml and log4j2 configs) next to it.
install(PROGRAMS scripts/kafka.sh scripts/free_ports.py DESTINATION ${NEWSFLOW_INSTALL_DATADIR}/scripts)
install(FILES deploy/kafka/pom.xml deploy/kafka/log4j2.properties deploy/kafka/log4j2-tools.properties
  DESTINATION ${NEWSFLOW_INSTALL_DATADIR}/deploy/kafka)
install(PROGRAMS deploy/bin/newsflow-kafka deploy/bin/newsflow-fetch-models
  DESTINATION ${CMAKE_INSTALL_BINDIR})
install(FILES README.md docs/production.md docs/metrics.md docs/plugins.md deploy/debian/copyright
  DESTINATION ${CMAKE_INSTALL_DOCDIR})
install(FILES deploy/systemd/newsflow.sysusers DESTINATION lib/sysusers.d RENAME newsflow.conf)
# Debian wants the changelog gzipped in the doc folder.
# (gzip -9n: best compression, no timestamp, so the package is reproducible).
execute_process(COMMAND gzip -9nc ${PROJECT_SOURCE_DIR}/deploy/debian/changelog
  OUTPUT_FILE ${PROJECT_BINARY_DIR}/changelog.gz COMMAND_ERROR_IS_FATAL ANY)
install(FILES ${PROJECT_BINARY_DIR}/changelog.gz DESTINATION ${CMAKE_INSTALL_DOCDIR})

# systemd units and /etc files. Their paths depend on the prefix the install
# runs with (cmake --install --prefix P, or CPack's /usr), so they are written at
# install time: @NEWSFLOW_BINDIR@ etc. are replaced, and the configuration goes
# to /etc/newsflow for the /usr prefix, else to <prefix>/etc/newsflow.
set(_units newsflow-kafka.service newsflow-stage@.service newsflow-sink@.service
  newsflow-watch.service newsflow.target)
set(_etc_files newsflow.env stage-clean.env stage-langid.env stage-entities.env
  sink-articles.env sink-dead-letters.env)
install(CODE "
  set(_prefix \"\${CMAKE_INSTALL_PREFIX}\")
  if(_prefix STREQUAL \"/usr\")
    set(NEWSFLOW_ETCDIR /etc/newsflow)
  else()
    set(NEWSFLOW_ETCDIR \"\${_prefix}/etc/newsflow\")
  endif()
  set(NEWSFLOW_BINDIR \"\${_prefix}/${CMAKE_INSTALL_BINDIR}\")
  set(NEWSFLOW_DATADIR \"\${_prefix}/${NEWSFLOW_INSTALL_DATADIR}\")
  set(NEWSFLOW_DOCDIR \"\${_prefix}/${CMAKE_INSTALL_DOCDIR}\")
  string(MD5 _key \"\$ENV{DESTDIR}|\${_prefix}\")
  set(_out \"${PROJECT_BINARY_DIR}/install-units/\${_key}\")
  file(REMOVE_RECURSE \"\${_out}\")
  foreach(_u ${_units})
    configure_file(\"${PROJECT_SOURCE_DIR}/deploy/systemd/\${_u}.in\" \"\${_out}/\${_u}\" @ONLY)
  endforeach()
  file(INSTALL DESTINATION \"\${_prefix}/lib/systemd/system\" TYPE FILE FILES
    \"\${_out}/newsflow-kafka.service\" \"\${_out}/newsflow-stage@.service\" \"\${_out}/newsflow-sink@.service\"
    \"\${_out}/newsflow-watch.service\" \"\${_out}/newsflow.target\")
  file(INSTALL DESTINATION \"\${NEWSFLOW_ETCDIR}\" TYPE FILE FILES
    \"${PROJECT_SOURCE_DIR}/deploy/pipeline.yaml\"
    \"${PROJECT_SOURCE_DIR}/deploy/systemd/etc/newsflow.env\"
    \"${PROJECT_SOURCE_DIR}/deploy/systemd/etc/stage-clean.env\"
    \"${PROJECT_SOURCE_DIR}/deploy/systemd/etc/stage-langid.env\"
    \"${PROJECT_SOURCE_DIR}/deploy/systemd/etc/stage-entities.env\"
    \"${PROJECT_SOURCE_DIR}/deploy/systemd/etc/sink-articles.env\"
    \"${PROJECT_SOURCE_DIR}/deploy/systemd/etc/sink-dead-letters.env\")
")

# The Debian package: cpack -G DEB in the build folder ->
# newsflow_<version>_<arch>.deb; Depends: from dpkg-shlibdeps. Kafka's jars and
# fastText's lid.176.ftz (CC BY-SA 3.0) are downloads, not contents
# (newsflow-kafka install, newsflow-fetch-models).
set(CPACK_PACKAGE_NAME newsflow)
set(CPACK_PACKAGE_VENDOR "newsflow")
set(NEWSFLOW_PACKAGE_MAINTAINER "newsflow maintainers <newsflow@example.org>" CACHE STRING
  "Maintainer: field of the Debian package")
set(CPACK_PACKAGE_CONTACT "${NEWSFLOW_PACKAGE_MAINTAINER}")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "streaming news ingestion pipeline on Kafka")
set(CPACK_PACKAGE_DESCRIPTION "newsflow publishes raw news articles (files, feeds) to Kafka and runs them
through stage processes: boilerplate removal, language identification and
named entities, with dead letters, metrics and at-least-once or exactly-once
delivery. Includes systemd units for a single-node Apache Kafka (KRaft), each
stage, the sinks and the feed watcher. The fastText language-id model
(lid.176.ftz, CC BY-SA 3.0) is downloaded by newsflow-fetch-models.")
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_GENERATOR DEB)
set(CPACK_SET_DESTDIR ON)  # absolute /etc/newsflow goes into the package, not the build host
set(CPACK_INSTALL_PREFIX /usr)
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_STRIP_FILES ON)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION net)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
# Not found by dpkg-shlibdeps: the shell wrappers and the systemd integration
# (postinst: systemd-sysusers when there, else adduser), and python3 for
# newsflow-kafka's scripts/kafka.sh and scripts/free_ports.py.
set(CPACK_DEBIAN_PACKAGE_DEPENDS "adduser, python3")
set(CPACK_DEBIAN_PACKAGE_RECOMMENDS "default-jre-headless, maven")
set(CPACK_DEBIAN_PACKAGE_SUGGESTS "npm, prometheus, grafana")
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA
  ${PROJECT_SOURCE_DIR}/deploy/debian/postinst
  ${PROJECT_SOURCE_DIR}/deploy/debian/prerm
  ${PROJECT_SOURCE_DIR}/deploy/debian/postrm
  ${PROJECT_SOURCE_DIR}/deploy/debian/conffiles)
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)
include(CPack)
