#pragma once
// HTTP to the Docker Engine with libcurl (the only place libcurl is used): a unix socket, or TCP
// with TLS client certificates.
#include <functional>
#include <string>
#include <string_view>

#include "base/error.hpp"

namespace stackup::engine {

struct HttpResponse {
  long status = 0;
  std::string body;
  std::string api_version;  // the Api-Version header, from /_ping
};

struct HttpTarget {
  std::string unix_socket;  // set for unix://
  std::string base_url;     // http://localhost or https://host:port
  std::string ca_file, cert_file, key_file;
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

// Safe to use from several threads at once: each request has its own libcurl handle (over a unix
// socket a connection costs next to nothing).
class HttpClient final : public HttpTransport {
 public:
  explicit HttpClient(HttpTarget target);

  base::Result<HttpResponse> request(std::string_view method, const std::string& path, const std::string& body,
                                     const std::function<bool(std::string_view)>& on_line) override;

 private:
  HttpTarget target_;
};

}  // namespace stackup::engine
