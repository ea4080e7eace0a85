// The Swarm half of the Engine API: /info, /secrets, /configs, /services, /tasks and /nodes.
#include <fmt/format.h>

#include "engine/api_client.hpp"
#include "engine/docker_engine.hpp"
#include "engine/swarm.hpp"

namespace stackup::engine {
namespace {

std::string_view path_of(ObjectKind kind) { return kind == ObjectKind::secret ? "secrets" : "configs"; }
std::string_view word_of(ObjectKind kind) { return kind == ObjectKind::secret ? "secret" : "config"; }

// The value's base64 appended to `out`, which has room for it: no reallocation leaves a copy behind.
void append_base64(std::string& out, const base::SecretBytes& value) {
  static constexpr std::string_view alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  const auto* bytes = value.bytes();
  const std::size_t size = value.size();
  for (std::size_t i = 0; i < size; i += 3) {
    const std::uint32_t chunk = (std::uint32_t{bytes[i]} << 16) | (i + 1 < size ? std::uint32_t{bytes[i + 1]} << 8 : 0) |
                                (i + 2 < size ? std::uint32_t{bytes[i + 2]} : 0);
    out += alphabet[(chunk >> 18) & 63];
    out += alphabet[(chunk >> 12) & 63];
    out += i + 1 < size ? alphabet[(chunk >> 6) & 63] : '=';
    out += i + 2 < size ? alphabet[chunk & 63] : '=';
  }
}

// The create body: the spec's JSON with "Data" added by hand, so the value passes through one
// buffer only, which the caller wipes.
std::string object_body(const ObjectSpec& spec, const base::SecretBytes& value) {
  Json json{{"Name", spec.name}, {"Labels", spec.labels}};
  if (!spec.driver.empty()) json["Driver"] = {{"Name", spec.driver}};
  if (!spec.template_driver.empty()) json["Templating"] = {{"Name", spec.template_driver}};
  std::string head = json.dump();
  head.pop_back();  // the closing brace
  std::string body;
  if (!spec.driver.empty()) return head + "}";
  body.reserve(head.size() + 12 + (value.size() + 2) / 3 * 4);
  body += head;
  body += ",\"Data\":\"";
  append_base64(body, value);
  body += "\"}";
  return body;
}

class DockerSwarm final : public Swarm {
 public:
  DockerSwarm(std::string address, std::unique_ptr<HttpTransport> http) : api_(std::move(address), std::move(http)) {}

  base::Result<SwarmInfo> info() override {
    auto info = api_.get_json("/info", "read the engine's info");
    if (!info) return std::unexpected(info.error());
    const auto swarm = info->value("Swarm", Json::object());
    return SwarmInfo{swarm.value("LocalNodeState", ""), swarm.value("ControlAvailable", false)};
  }

  base::Result<std::vector<SwarmObject>> list_objects(ObjectKind kind, const std::string& label) override {
    const auto query = label.empty() ? std::string() : "?filters=" + label_filter(label);
    auto list = api_.get_json(fmt::format("/{}{}", path_of(kind), query), fmt::format("list {}s", word_of(kind)));
    if (!list) return std::unexpected(list.error());
    std::vector<SwarmObject> objects;
    for (const auto& item : *list) {
      const auto spec = item.value("Spec", Json::object());
      objects.push_back({item.value("ID", ""), spec.value("Name", ""), labels_of(spec.value("Labels", Json::object()))});
    }
    return objects;
  }

  base::Result<std::string> create_object(ObjectKind kind, const ObjectSpec& spec, const base::SecretBytes& value) override {
    std::string body = object_body(spec, value);
    auto response = api_.call("POST", fmt::format("/{}/create", path_of(kind)), body);
    base::wipe(body.data(), body.size());
    if (!response) return std::unexpected(response.error());
    if (auto ok = ApiClient::check(*response, fmt::format("create {} {}", word_of(kind), spec.name)); !ok) {
      return std::unexpected(ok.error());
    }
    const auto created = Json::parse(response->body, nullptr, false);
    return created.is_object() ? created.value("ID", "") : std::string();
  }

  base::Result<void> remove_object(ObjectKind kind, const std::string& id) override {
    auto response = api_.call("DELETE", fmt::format("/{}/{}", path_of(kind), url_encode(id)));
    if (!response) return std::unexpected(response.error());
    if (response->status == 404) return {};
    return ApiClient::check(*response, fmt::format("remove {} {}", word_of(kind), id));
  }

  base::Result<std::vector<ServiceSummary>> list_services(const std::string& label) override {
    const auto query = label.empty() ? std::string() : "?filters=" + label_filter(label);
    auto list = api_.get_json("/services" + query, "list services");
    if (!list) return std::unexpected(list.error());
    std::vector<ServiceSummary> services;
    for (const auto& item : *list) services.push_back(service_of(item));
    return services;
  }

  base::Result<ServiceSummary> inspect_service(const std::string& id) override {
    auto item = api_.get_json("/services/" + url_encode(id), "inspect service " + id);
    if (!item) return std::unexpected(item.error());
    return service_of(*item);
  }

  base::Result<std::string> create_service(const Json& spec) override {
    auto created = api_.post_json("/services/create", spec, "create service " + spec.value("Name", ""));
    if (!created) return std::unexpected(created.error());
    return created->value("ID", "");
  }

  base::Result<void> update_service(const std::string& id, std::uint64_t version, const Json& spec, bool rollback) override {
    const auto path = fmt::format("/services/{}/update?version={}{}", url_encode(id), version, rollback ? "&rollback=previous" : "");
    auto updated = api_.post_json(path, spec, "update service " + spec.value("Name", id));
    if (!updated) return std::unexpected(updated.error());
    return {};
  }

  base::Result<void> remove_service(const std::string& id) override {
    auto response = api_.call("DELETE", "/services/" + url_encode(id));
    if (!response) return std::unexpected(response.error());
    if (response->status == 404) return {};
    return ApiClient::check(*response, "remove service " + id);
  }

  base::Result<std::vector<Task>> list_tasks(const std::vector<std::string>& service_ids) override {
    const auto query = service_ids.empty() ? std::string() : "?filters=" + url_encode(Json{{"service", service_ids}}.dump());
    auto list = api_.get_json("/tasks" + query, "list tasks");
    if (!list) return std::unexpected(list.error());
    std::vector<Task> tasks;
    for (const auto& item : *list) {
      const auto status = item.value("Status", Json::object());
      tasks.push_back({item.value("ID", ""), item.value("ServiceID", ""), item.value("NodeID", ""), item.value("Slot", 0),
                       item.value("DesiredState", ""), status.value("State", ""), status.value("Message", ""),
                       status.value("Err", ""), status.value("Timestamp", ""),
                       status.value("PortStatus", Json::object()).value("Ports", Json::array())});
    }
    return tasks;
  }

  base::Result<std::vector<SwarmNode>> list_nodes() override {
    auto list = api_.get_json("/nodes", "list nodes");
    if (!list) return std::unexpected(list.error());
    std::vector<SwarmNode> nodes;
    for (const auto& item : *list) {
      nodes.push_back({item.value("ID", ""), item.value("Description", Json::object()).value("Hostname", "")});
    }
    return nodes;
  }

 private:
  static ServiceSummary service_of(const Json& item) {
    const auto update = item.value("UpdateStatus", Json::object());
    return {item.value("ID", ""), item.value("Spec", Json::object()).value("Name", ""),
            item.value("Version", Json::object()).value("Index", std::uint64_t{0}), item.value("Spec", Json::object()),
            update.value("State", ""), update.value("Message", "")};
  }

  ApiClient api_;
};

}  // namespace

std::unique_ptr<Swarm> make_docker_swarm(std::string address, std::unique_ptr<HttpTransport> transport) {
  return std::make_unique<DockerSwarm>(std::move(address), std::move(transport));
}

}  // namespace stackup::engine
