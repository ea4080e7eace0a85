#include "engine/api_client.hpp"

#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>

namespace stackup::engine {
namespace {

constexpr std::string_view newest_api = "1.43";  // the newest API whose features stackup uses

bool older_than(std::string_view version, std::string_view other) {
  auto parts = [](std::string_view v) {
    const auto dot = v.find('.');
    return std::pair{std::atoi(std::string(v.substr(0, dot)).c_str()),
                     dot == std::string_view::npos ? 0 : std::atoi(std::string(v.substr(dot + 1)).c_str())};
  };
  return parts(version) < parts(other);
}

}  // namespace

std::string url_encode(const std::string& text) {
  std::string out;
  for (const unsigned char c : text) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += fmt::format("%{:02X}", c);
    }
  }
  return out;
}

std::string label_filter(const std::string& label) {
  return url_encode(Json{{"label", Json::array({label})}}.dump());
}

Labels labels_of(const Json& object) {
  Labels labels;
  if (object.is_object()) {
    for (const auto& [key, value] : object.items()) labels[key] = value.is_string() ? value.get<std::string>() : "";
  }
  return labels;
}

std::string connection_failure(const std::string& address, const std::string& transport_error) {
  const auto prefix = fmt::format("cannot connect to the Docker engine at {}", address);
  if (!address.starts_with("unix://")) {
    return fmt::format("{}: {}: is the engine listening there, and DOCKER_HOST right?", prefix, transport_error);
  }
  const auto path = address.substr(7);
  struct stat info {};
  if (::stat(path.c_str(), &info) != 0) {
    return fmt::format("{}: there is no socket there: is the engine running? (or set DOCKER_HOST)", prefix);
  }
  if (!S_ISSOCK(info.st_mode)) return fmt::format("{}: {} is not a socket: set DOCKER_HOST to the engine's", prefix, path);
  if (::access(path.c_str(), R_OK | W_OK) != 0 && errno == EACCES) {
    return fmt::format("{}: permission denied on {}: add your user to the docker group (and log in again), or use sudo",
                       prefix, path);
  }
  return fmt::format("{}: nothing answers on the socket: is the engine running?", prefix);
}

base::Result<std::string> ApiClient::negotiate() {
  const std::lock_guard lock(negotiation_);
  if (!api_version_.empty()) return api_version_;
  auto response = http_->request("GET", "/_ping", "", {});
  if (!response || response->status != 200) {
    return base::fail(connection_failure(address_, response ? fmt::format("HTTP {}", response->status) : response.error().message));
  }
  const std::string server = response->api_version.empty() ? "1.24" : response->api_version;
  if (older_than(server, "1.40")) {
    return base::fail(fmt::format("the Docker engine at {} speaks API {}; stackup needs 1.40 (Docker 19.03) or later",
                                  address_, server));
  }
  api_version_ = older_than(server, newest_api) ? server : std::string(newest_api);
  return api_version_;
}

base::Result<HttpResponse> ApiClient::call(std::string_view method, const std::string& path, const std::string& body,
                                       const std::function<bool(std::string_view)>& on_line) {
  auto version = negotiate();
  if (!version) return base::fail(version.error().message);
  auto response = http_->request(method, "/v" + *version + path, body, on_line);
  if (!response) {
    return base::fail(fmt::format("cannot connect to the Docker engine at {}: is it running? ({})", address_,
                                  response.error().message));
  }
  return response;
}

base::Result<void> ApiClient::check(const HttpResponse& response, const std::string& what) {
  if (response.status >= 200 && response.status < 300) return {};
  const auto body = Json::parse(response.body, nullptr, false);
  const std::string message = body.is_object() ? body.value("message", response.body) : response.body;
  return base::fail(fmt::format("cannot {}: {}", what, message));
}

base::Result<void> ApiClient::post_expecting(const std::string& path, const std::string& what) {
  auto response = call("POST", path);
  if (!response) return base::fail(response.error().message);
  if (response->status == 304) return {};  // already started or stopped
  return check(*response, what);
}

base::Result<Json> ApiClient::get_json(const std::string& path, const std::string& what) {
  auto response = call("GET", path);
  if (!response) return base::fail(response.error().message);
  if (auto ok = check(*response, what); !ok) return base::fail(ok.error().message);
  auto json = Json::parse(response->body, nullptr, false);
  if (json.is_discarded()) return base::fail(fmt::format("cannot {}: the engine answered with invalid JSON", what));
  return json;
}

base::Result<Json> ApiClient::post_json(const std::string& path, const Json& body, const std::string& what) {
  auto response = call("POST", path, body.dump());
  if (!response) return base::fail(response.error().message);
  if (auto ok = check(*response, what); !ok) return base::fail(ok.error().message);
  auto json = Json::parse(response->body, nullptr, false);
  return json.is_discarded() ? Json::object() : json;
}

}  // namespace stackup::engine
