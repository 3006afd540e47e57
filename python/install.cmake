# `cmake --install` puts the Python package avis where the interpreter
# looks for packages under the prefix, with a generated module, avis/_paths.py,
# recording where the library and the data went. Included from the top-level
# CMakeLists.txt, after the library's target is defined.

# Default: the interpreter's own directory for packages under a prefix,
# asked of AVIS_PYTHON: lib/python3.11/dist-packages for Debian's
# /usr/bin/python3, which reads it under /usr/local and /usr alike.
# lib/python3/dist-packages when the interpreter cannot be asked.
if(NOT DEFINED AVIS_INSTALL_PYTHONDIR)
  set(pythondir lib/python3/dist-packages)
  if(EXISTS "${AVIS_PYTHON}")
    execute_process(
      COMMAND ${AVIS_PYTHON} -c
        "import os, sysconfig; print(os.path.relpath(sysconfig.get_path('purelib'), sysconfig.get_path('data')))"
      OUTPUT_VARIABLE asked RESULT_VARIABLE status
      OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET)
    # Only a directory below the prefix will do (an interpreter whose
    # packages live outside its own prefix gives a path climbing out).
    if(status EQUAL 0 AND asked MATCHES "^[^./]")
      set(pythondir ${asked})
    endif()
  endif()
  set(AVIS_INSTALL_PYTHONDIR ${pythondir} CACHE PATH
    "Where `cmake --install` puts the Python package avis, relative to the prefix")
endif()
if(IS_ABSOLUTE "${AVIS_INSTALL_PYTHONDIR}")
  set(AVIS_INSTALL_FULL_PYTHONDIR ${AVIS_INSTALL_PYTHONDIR})
else()
  set(AVIS_INSTALL_FULL_PYTHONDIR ${CMAKE_INSTALL_PREFIX}/${AVIS_INSTALL_PYTHONDIR})
endif()

# The paths are relative to the installed package, as the rest of the tree
# is relative to itself, so that an installed tree moved as a whole works.
file(RELATIVE_PATH AVIS_PYTHON_TO_LIBDIR ${AVIS_INSTALL_FULL_PYTHONDIR}/avis
     ${CMAKE_INSTALL_FULL_LIBDIR})
file(RELATIVE_PATH AVIS_PYTHON_TO_DATA_DIR ${AVIS_INSTALL_FULL_PYTHONDIR}/avis
     ${CMAKE_INSTALL_FULL_DATADIR}/avis)
# A path to a parent directory ends with a slash; the file name follows.
string(REGEX REPLACE "/$" "" AVIS_PYTHON_TO_LIBDIR "${AVIS_PYTHON_TO_LIBDIR}")
configure_file(${CMAKE_CURRENT_LIST_DIR}/paths.py.in
  ${PROJECT_BINARY_DIR}/python/paths.py.in @ONLY)
# The library's file name (libavis.so.0) is known at generation time.
file(GENERATE OUTPUT ${PROJECT_BINARY_DIR}/python/avis/_paths.py
  INPUT ${PROJECT_BINARY_DIR}/python/paths.py.in)

install(DIRECTORY ${CMAKE_CURRENT_LIST_DIR}/avis/
  DESTINATION ${AVIS_INSTALL_PYTHONDIR}/avis
  FILES_MATCHING PATTERN "*.py" PATTERN "__pycache__" EXCLUDE)
install(FILES ${PROJECT_BINARY_DIR}/python/avis/_paths.py
  DESTINATION ${AVIS_INSTALL_PYTHONDIR}/avis)
