# Turns a text file into a C++ source defining `std::string_view stackup::embedded::compose_schema_text()`.
file(READ ${INPUT} content)
set(delim "schema")
file(WRITE ${OUTPUT}
  "#include <string_view>\nnamespace stackup::embedded {\nstd::string_view compose_schema_text() {\n"
  "  static constexpr std::string_view text = R\"${delim}(${content})${delim}\";\n  return text;\n}\n}\n")
