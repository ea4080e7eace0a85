// The Engine API over HTTP. API version negotiated once with /_ping.
#include <fmt/format.h>

#include <charconv>
#include <filesystem>
#include <mutex>

#include "engine/api_client.hpp"
#include "engine/docker_engine.hpp"

namespace stackup::engine {
namespace {

constexpr std::string_view default_host = "unix:///var/run/docker.sock";

class DockerEngine final : public Engine {
 public:
  DockerEngine(std::string address, std::unique_ptr<HttpTransport> http) : api_(std::move(address), std::move(http)) {}

  [[nodiscard]] std::string address() const override { return api_.address(); }

  base::Result<void> ping() override {
    auto version = api_.negotiate();
    if (!version) return base::fail(version.error().message);
    return {};
  }

  base::Result<bool> image_exists(const std::string& image) override {
    auto response = call("GET", "/images/" + url_encode(image) + "/json");
    if (!response) return base::fail(response.error().message);
    if (response->status == 404) return false;
    if (auto ok = check(*response, "inspect image " + image); !ok) return base::fail(ok.error().message);
    return true;
  }

  base::Result<void> pull_image(const std::string& image, const std::function<bool(const std::string&)>& progress) override {
    std::string reference = image;
    std::string tag = "latest";
    const auto colon = image.rfind(':');
    if (colon != std::string::npos && image.find('/', colon) == std::string::npos) {
      reference = image.substr(0, colon);
      tag = image.substr(colon + 1);
    }
    std::string failure;
    bool stopped = false;
    auto response = call("POST", fmt::format("/images/create?fromImage={}&tag={}", url_encode(reference), url_encode(tag)), "",
                         [&](std::string_view line) {
                           const auto event = Json::parse(line, nullptr, false);
                           if (!event.is_object()) return true;
                           if (event.contains("error")) failure = event.value("error", "");
                           if (progress && event.contains("status")) {
                             const auto progress_text = event.contains("progress") ? " " + event.value("progress", "") : "";
                             stopped = !progress(event.value("status", "") + progress_text);
                           }
                           return !stopped;
                         });
    if (stopped) return base::fail(fmt::format("pull of {} stopped", image));  // the engine drops it with the connection
    if (!response) return base::fail(response.error().message);
    if (auto ok = check(*response, "pull image " + image); !ok) return ok;
    if (!failure.empty()) return base::fail(fmt::format("cannot pull image {}: {}", image, failure));
    return {};
  }

  base::Result<std::vector<ContainerSummary>> list_containers(const std::string& label) override {
    auto list = get_json("/containers/json?all=1&filters=" + label_filter(label), "list containers");
    if (!list) return base::fail(list.error().message);
    std::vector<ContainerSummary> containers;
    for (const auto& item : *list) {
      ContainerSummary summary;
      summary.id = item.value("Id", "");
      const auto names = item.value("Names", Json::array());
      summary.name = names.empty() ? "" : names[0].get<std::string>().substr(1);
      summary.state = item.value("State", "");
      summary.status = item.value("Status", "");
      summary.image = item.value("Image", "");
      summary.labels = labels_of(item.value("Labels", Json::object()));
      for (const auto& port : item.value("Ports", Json::array())) {
        summary.ports.push_back({port.value("IP", ""), port.value("PrivatePort", 0), port.value("PublicPort", 0),
                                 port.value("Type", "tcp")});
      }
      containers.push_back(std::move(summary));
    }
    return containers;
  }

  base::Result<std::string> create_container(const std::string& name, const Json& config) override {
    auto created = post_json("/containers/create?name=" + url_encode(name), config, "create container " + name);
    if (!created) return base::fail(created.error().message);
    return created->value("Id", "");
  }

  base::Result<void> start_container(const std::string& id) override {
    return post_expecting("/containers/" + id + "/start", "start container");
  }

  base::Result<void> stop_container(const std::string& id, int timeout_seconds) override {
    // Without t, the engine waits for the container's own StopTimeout (stop_grace_period).
    const auto query = timeout_seconds < 0 ? std::string() : fmt::format("?t={}", timeout_seconds);
    return post_expecting("/containers/" + id + "/stop" + query, "stop container");
  }

  base::Result<void> kill_container(const std::string& id, const std::string& signal) override {
    return post_expecting(fmt::format("/containers/{}/kill?signal={}", id, signal), "signal container");
  }

  base::Result<void> remove_container(const std::string& id) override {
    auto response = call("DELETE", "/containers/" + id + "?force=1");
    if (!response) return base::fail(response.error().message);
    if (response->status == 404) return {};
    return check(*response, "remove container");
  }

  base::Result<void> rename_container(const std::string& id, const std::string& name) override {
    return post_expecting("/containers/" + id + "/rename?name=" + url_encode(name), "rename container");
  }

  base::Result<ContainerState> inspect_container(const std::string& id) override {
    auto info = get_json("/containers/" + id + "/json", "inspect container");
    if (!info) return base::fail(info.error().message);
    const auto state = info->value("State", Json::object());
    ContainerState result;
    result.status = state.value("Status", "");
    result.exit_code = state.value("ExitCode", 0);
    result.pid = state.value("Pid", 0);
    if (state.contains("Health")) result.health = state["Health"].value("Status", "");
    return result;
  }

  base::Result<std::vector<Resource>> list_networks(const std::string& label) override {
    auto list = get_json("/networks?filters=" + label_filter(label), "list networks");
    if (!list) return base::fail(list.error().message);
    std::vector<Resource> networks;
    for (const auto& item : *list) {
      networks.push_back({item.value("Id", ""), item.value("Name", ""), labels_of(item.value("Labels", Json::object())),
                          item.value("Driver", "")});
    }
    return networks;
  }

  base::Result<std::string> create_network(const std::string& name, const Json& config) override {
    Json body = config;
    body["Name"] = name;
    auto created = post_json("/networks/create", body, "create network " + name);
    if (!created) return base::fail(created.error().message);
    return created->value("Id", "");
  }

  base::Result<void> connect_network(const std::string& network, const std::string& container, const Json& endpoint) override {
    auto response = call("POST", "/networks/" + url_encode(network) + "/connect",
                         Json{{"Container", container}, {"EndpointConfig", endpoint}}.dump());
    if (!response) return base::fail(response.error().message);
    return check(*response, "connect network " + network);
  }

  base::Result<std::optional<NetworkInUse>> remove_network(const std::string& id) override {
    auto response = call("DELETE", "/networks/" + url_encode(id));
    if (!response) return base::fail(response.error().message);
    if (response->status == 404) return std::nullopt;
    if (response->status == 403 && response->body.find("has active endpoints") != std::string::npos) {
      auto network = get_json("/networks/" + url_encode(id), "inspect network");
      if (!network) return base::fail(network.error().message);
      NetworkInUse in_use;
      const auto attached = network->value("Containers", Json::object());  // a named value: items() refers to it
      for (const auto& [endpoint, container] : attached.items()) {
        in_use.containers.push_back(container.value("Name", endpoint));
      }
      return in_use;
    }
    if (auto ok = check(*response, "remove network"); !ok) return base::fail(ok.error().message);
    return std::nullopt;
  }

  base::Result<std::vector<Resource>> list_volumes(const std::string& label) override {
    auto list = get_json("/volumes?filters=" + label_filter(label), "list volumes");
    if (!list) return base::fail(list.error().message);
    std::vector<Resource> volumes;
    for (const auto& item : list->value("Volumes", Json::array())) {
      volumes.push_back({item.value("Name", ""), item.value("Name", ""), labels_of(item.value("Labels", Json::object())), item.value("Driver", "")});
    }
    return volumes;
  }

  base::Result<void> create_volume(const std::string& name, const Json& config) override {
    Json body = config;
    body["Name"] = name;
    auto created = post_json("/volumes/create", body, "create volume " + name);
    if (!created) return base::fail(created.error().message);
    return {};
  }

  base::Result<void> remove_volume(const std::string& name) override {
    auto response = call("DELETE", "/volumes/" + url_encode(name));
    if (!response) return base::fail(response.error().message);
    if (response->status == 404) return {};
    return check(*response, "remove volume " + name);
  }

 private:
  base::Result<HttpResponse> call(std::string_view method, const std::string& path, const std::string& body = "",
                                  const std::function<bool(std::string_view)>& on_line = {}) {
    return api_.call(method, path, body, on_line);
  }
  static base::Result<void> check(const HttpResponse& response, const std::string& what) { return ApiClient::check(response, what); }
  base::Result<void> post_expecting(const std::string& path, const std::string& what) { return api_.post_expecting(path, what); }
  base::Result<Json> get_json(const std::string& path, const std::string& what) { return api_.get_json(path, what); }
  base::Result<Json> post_json(const std::string& path, const Json& body, const std::string& what) {
    return api_.post_json(path, body, what);
  }

  ApiClient api_;
};

}  // namespace

namespace {

// "host:port", "[::1]:port" or "host" (then Docker's port: 2376 with TLS, 2375 without).
base::Result<void> split_host_port(std::string_view address, bool tls, HttpTarget& target) {
  std::string_view port;
  if (address.starts_with('[')) {
    const auto close = address.find(']');
    if (close == std::string_view::npos) return base::fail("an IPv6 address in DOCKER_HOST lacks its ']'");
    target.host = address.substr(1, close - 1);
    if (address.size() > close + 1) {
      if (address[close + 1] != ':') return base::fail("DOCKER_HOST: expected ':' and a port after the IPv6 address");
      port = address.substr(close + 2);
    }
  } else {
    const auto colon = address.find(':');
    if (colon != address.rfind(':')) return base::fail("an IPv6 address in DOCKER_HOST goes in brackets: tcp://[::1]:2376");
    target.host = address.substr(0, colon);
    if (colon != std::string_view::npos) port = address.substr(colon + 1);
  }
  target.port = port.empty() ? (tls ? "2376" : "2375") : std::string(port);
  if (target.host.empty()) return base::fail("DOCKER_HOST names no host: use tcp://host:port");
  int number = 0;
  const auto [end, error] = std::from_chars(target.port.data(), target.port.data() + target.port.size(), number);
  if (error != std::errc{} || end != target.port.data() + target.port.size() || number < 1 || number > 65535) {
    return base::fail(fmt::format("DOCKER_HOST's port \"{}\" is not a port number (1-65535)", target.port));
  }
  return {};
}

}  // namespace

base::Result<std::pair<std::string, HttpTarget>> target_of(const EngineSettings& settings) {
  const std::string host = settings.docker_host.empty() ? std::string(default_host) : settings.docker_host;
  HttpTarget target;
  if (host.starts_with("unix://")) {
    target.unix_socket = host.substr(7);
  } else if (host.starts_with("tcp://")) {
    target.tls = settings.tls_verify;
    auto address = std::string_view(host).substr(6);
    address = address.substr(0, address.find('/'));
    if (auto split = split_host_port(address, target.tls, target); !split) return std::unexpected(split.error());
    if (target.tls) {
      if (settings.cert_path.empty()) return base::fail("DOCKER_TLS_VERIFY is set but no DOCKER_CERT_PATH (or ~/.docker) is known");
      const std::filesystem::path certs(settings.cert_path);
      target.ca_file = (certs / "ca.pem").string();
      target.cert_file = (certs / "cert.pem").string();
      target.key_file = (certs / "key.pem").string();
    }
  } else {
    return base::fail(fmt::format("unsupported DOCKER_HOST \"{}\": use unix:///path or tcp://host:port", host));
  }
  return std::pair{host, std::move(target)};
}

base::Result<std::unique_ptr<Engine>> connect(const EngineSettings& settings) {
  auto target = target_of(settings);
  if (!target) return std::unexpected(target.error());
  return make_docker_engine(target->first, std::make_unique<HttpClient>(std::move(target->second)));
}

base::Result<std::unique_ptr<Swarm>> connect_swarm(const EngineSettings& settings) {
  auto target = target_of(settings);
  if (!target) return std::unexpected(target.error());
  return make_docker_swarm(target->first, std::make_unique<HttpClient>(std::move(target->second)));
}

std::unique_ptr<Engine> make_docker_engine(std::string address, std::unique_ptr<HttpTransport> transport) {
  return std::make_unique<DockerEngine>(std::move(address), std::move(transport));
}

}  // namespace stackup::engine
