# Turns a file into C source: `const char NAME[]` (NUL-terminated) and
# `const size_t NAME_len`, so that a program carries its page or stylesheet
# inside itself.
#   cmake -DINPUT=report.css -DOUTPUT=report_css.c -DNAME=avis_report_css -P embed.cmake
#
# Included from a CMakeLists.txt instead, it defines
#   avis_embed(TARGET INPUT NAME)
# which adds the generated source to TARGET.

if(CMAKE_SCRIPT_MODE_FILE)
  file(READ "${INPUT}" hex HEX)
  string(LENGTH "${hex}" digits)
  math(EXPR size "${digits} / 2")
  string(REGEX REPLACE "([0-9a-f][0-9a-f])" "'\\\\x\\1'," bytes "${hex}")
  string(REPEAT "'.x..'," 12 line) # CMake's regular expressions have no {n}
  string(REGEX REPLACE "(${line})" "\\1\n  " bytes "${bytes}")
  get_filename_component(source "${INPUT}" NAME)
  file(WRITE "${OUTPUT}"
    "/* Generated from ${source} by cmake/embed.cmake: do not edit. */\n"
    "#include <stddef.h>\n"
    "extern const char ${NAME}[];\n"
    "extern const size_t ${NAME}_len;\n"
    "const char ${NAME}[] = {\n  ${bytes}0};\n"
    "const size_t ${NAME}_len = ${size};\n")
  return()
endif()

set(AVIS_EMBED_SCRIPT ${CMAKE_CURRENT_LIST_FILE})

function(avis_embed target input name)
  set(output ${CMAKE_CURRENT_BINARY_DIR}/${name}.c)
  add_custom_command(OUTPUT ${output}
    COMMAND ${CMAKE_COMMAND} -DINPUT=${input} -DOUTPUT=${output}
            -DNAME=${name} -P ${AVIS_EMBED_SCRIPT}
    DEPENDS ${input} ${AVIS_EMBED_SCRIPT}
    COMMENT "Embedding ${input}"
    VERBATIM)
  target_sources(${target} PRIVATE ${output})
endfunction()
