#pragma once
// HTTP/1.1 to the Docker Engine: one request per connection (over a unix socket a connection costs
// next to nothing), the response read by ResponseReader. Our own client rather than libcurl: the
// engine's API needs a small part of HTTP, and loading libcurl's 30 shared libraries cost every
// stackup process about 8 ms, twice in each rotation (secret rotate, then deploy).
#include <functional>
#include <string>
#include <string_view>

#include "base/error.hpp"
#include "engine/connection.hpp"

namespace stackup::engine {

struct HttpResponse {
  long status = 0;
  std::string body;
  std::string api_version;  // the Api-Version header, from /_ping
};

// How the Engine API client reaches the engine: HTTP requests, one at a time or several at once.
// Behind an interface so the client's paths, queries and JSON mapping are tested without an engine.
class HttpTransport {
 public:
  virtual ~HttpTransport() = default;
  // `on_line` (optional) receives the body line by line as it streams (image pulls); returning false
  // stops the transfer, which then fails.
  virtual base::Result<HttpResponse> request(std::string_view method, const std::string& path, const std::string& body,
                                             const std::function<bool(std::string_view)>& on_line) = 0;
};

// Safe to use from several threads at once: each request has its own connection.
class HttpClient final : public HttpTransport {
 public:
  explicit HttpClient(HttpTarget target);

  base::Result<HttpResponse> request(std::string_view method, const std::string& path, const std::string& body,
                                     const std::function<bool(std::string_view)>& on_line) override;

 private:
  HttpTarget target_;
  std::string host_header_;
};

}  // namespace stackup::engine
