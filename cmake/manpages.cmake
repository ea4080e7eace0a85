# Writes the man pages from the binary's own --help text, so they never disagree with it:
# stackup.1 and one page per command (stackup-deploy.1, ...). Run at build time:
#   cmake -DSTACKUP=<binary> -DVERSION=<x.y.z> -DOUTPUT=<dir> -P manpages.cmake
set(commands validate config deploy down ps ls check audit secret store)

function(write_page name title program_arguments)
  # A sanitizer build's binary writes them too; a leak report at exit must not fail the build.
  execute_process(COMMAND ${CMAKE_COMMAND} -E env ASAN_OPTIONS=detect_leaks=0 ${STACKUP} ${program_arguments} --help
                  OUTPUT_VARIABLE help RESULT_VARIABLE result)
  if(NOT result EQUAL 0)
    message(FATAL_ERROR "${STACKUP} ${program_arguments} --help failed")
  endif()
  # roff: a leading dot or quote would be a request, a backslash an escape.
  string(REPLACE "\\" "\\e" help "${help}")
  string(REGEX REPLACE "(^|\n)([.'])" "\\1\\\\&\\2" help "${help}")
  string(TOUPPER "${name}" upper)
  file(WRITE "${OUTPUT}/${name}.1"
       ".TH ${upper} 1 \"\" \"stackup ${VERSION}\" \"stackup manual\"\n"
       ".SH NAME\n${name} \\- ${title}\n"
       ".SH DESCRIPTION\n.nf\n${help}.fi\n"
       ".SH SEE ALSO\n${SEE_ALSO}\n")
endfunction()

file(MAKE_DIRECTORY "${OUTPUT}")
set(SEE_ALSO "")
foreach(command ${commands})
  string(APPEND SEE_ALSO ".BR stackup-${command} (1)\n")
endforeach()
write_page(stackup "deploy Docker Compose files with real secrets handling" "")
set(SEE_ALSO ".BR stackup (1)")
foreach(command ${commands})
  write_page(stackup-${command} "the stackup ${command} command" "${command}")
endforeach()
