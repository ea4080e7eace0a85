#pragma once
// What the Engine API clients (containers in docker_engine.cpp, Swarm in docker_swarm.cpp) share:
// API version negotiation, requests under /vX.Y, and the engine's error texts. Internal to engine/.
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>

#include "base/error.hpp"
#include "engine/engine.hpp"
#include "engine/http.hpp"

namespace stackup::engine {

std::string url_encode(const std::string& text);
// ?filters= for one label ("key" or "key=value"), url-encoded.
std::string label_filter(const std::string& label);
Labels labels_of(const Json& object);
// Why nothing answered at `address`, in words that say what to do: no socket, not a socket,
// permission denied on it (the docker group), nothing listening; or the transport's error over TCP.
std::string connection_failure(const std::string& address, const std::string& transport_error);

class ApiClient {
 public:
  ApiClient(std::string address, std::unique_ptr<HttpTransport> http) : address_(std::move(address)), http_(std::move(http)) {}

  [[nodiscard]] const std::string& address() const { return address_; }
  // Once per client: /_ping, then the newest API version both sides speak.
  base::Result<std::string> negotiate();
  base::Result<HttpResponse> call(std::string_view method, const std::string& path, const std::string& body = "",
                                  const std::function<bool(std::string_view)>& on_line = {});
  // "cannot WHAT: <the engine's message>" for a status outside 2xx.
  static base::Result<void> check(const HttpResponse& response, const std::string& what);
  base::Result<void> post_expecting(const std::string& path, const std::string& what);
  base::Result<Json> get_json(const std::string& path, const std::string& what);
  base::Result<Json> post_json(const std::string& path, const Json& body, const std::string& what);

 private:
  std::string address_;
  std::unique_ptr<HttpTransport> http_;
  std::mutex negotiation_;
  std::string api_version_;
};

}  // namespace stackup::engine
