// libFuzzer target: any bytes as a compose file, through every loader phase and every renderer.
// It must never crash, leak or hang (libFuzzer's -timeout turns a slow input into a failure).
#include <cstddef>
#include <cstdint>
#include <string>

#include "base/diagnostic.hpp"
#include "compose/emit.hpp"
#include "compose/filesystem.hpp"
#include "compose/interpolate.hpp"
#include "compose/loader.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  stackup::compose::MemoryFileSystem files;
  files.add("/project/compose.yaml", text);
  files.add("/project/.env", "TAG=1.0\nEMPTY=\n");
  stackup::compose::LoadOptions options;
  options.working_directory = "/project";
  options.environment.set("HOME", "/root");
  const auto loaded = stackup::compose::load_project(options, files);
  for (const auto& diagnostic : loaded.diagnostics.all()) (void)stackup::base::render_text(diagnostic);
  if (loaded.project) {
    (void)stackup::compose::to_yaml_text(loaded.document);
    (void)stackup::compose::to_json_text(loaded.document);
  }
  std::set<std::string, std::less<>> unset;
  (void)stackup::compose::substitute(text, options.environment, unset);
  return 0;
}
