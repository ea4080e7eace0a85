#pragma once
// `extends:` (compose-spec 05-services.md): a service starts from another one, in the same file or in
// another, and overrides it by the rules of merging compose files. Resolved per file, before the file
// joins the others, as compose-go does, so `extends: base` names a service of the same file.
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "base/diagnostic.hpp"
#include "compose/node.hpp"

namespace stackup::compose {

class ExtendsResolver {
 public:
  // Reads, parses, interpolates and schema-checks another compose file; reports its own problems. The
  // root's source names the file as messages show it.
  using LoadFile = std::function<std::optional<Node>(const std::string& absolute_path, const base::Location& named_at)>;

  ExtendsResolver(LoadFile load_file, std::string home, base::Diagnostics& diagnostics)
      : load_file_(std::move(load_file)),
        home_(std::move(home)),
        diagnostics_(diagnostics) {}

  // Replaces each service of `root` that extends another by the merged result, without `extends:`.
  // `directory` is where `file:` and the file's relative paths count from.
  void resolve(Node& root, const std::string& shown_name, const std::string& directory);

 private:
  struct File {
    Node* root = nullptr;
    std::string shown;      // as messages name it
    std::string directory;  // where its relative paths count from
    bool rebase = false;    // another file's services: their relative paths are made absolute
    std::set<std::string, std::less<>> done;
    std::set<std::string, std::less<>> failed;  // could not be resolved: reported, and no base
    // Where each service sits in `services:`, indexed on first use: resolving replaces services'
    // values, never their list, and a lookup per extending service must not scan them all.
    std::unordered_map<std::string, std::size_t> positions;

    Node* service(const std::string& name);
  };
  struct Step {
    const File* file;
    std::string service;
  };

  const Node* resolved_service(File& file, const std::string& name);
  File* other_file(const std::string& path, const base::Location& named_at);
  void report_cycle(const File& file, const std::string& name, const Node& extends);
  void report_missing(const File& from, const File& in, const std::string& service_name, const std::string& name,
                      const Node& at);

  LoadFile load_file_;
  std::string home_;  // for `~` in another file's paths
  base::Diagnostics& diagnostics_;
  std::map<std::string, std::unique_ptr<File>, std::less<>> files_;  // by absolute path; null: unreadable
  std::vector<std::unique_ptr<Node>> roots_;                         // the other files' documents
  std::vector<Step> chain_;                                          // the services being resolved
};

}  // namespace stackup::compose
