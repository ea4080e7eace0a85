// The yardstick issue 13 set for `stackup validate`: yaml-cpp (stackup's parser until it moved to
// libyaml) parsing the same file and nothing else.
#include <yaml-cpp/yaml.h>

#include <iostream>

int main(int argc, char** argv) {
  if (argc != 2) {
    std::cerr << "usage: bare_parse FILE\n";
    return 2;
  }
  const YAML::Node root = YAML::LoadFile(argv[1]);
  return root.IsMap() ? 0 : 1;
}
