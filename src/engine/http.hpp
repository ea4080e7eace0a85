#pragma once
// HTTP to the Docker Engine with libcurl (the only place libcurl is used): a unix socket, or TCP
// with TLS client certificates.
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>

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

// A streaming GET (the engine's event stream) on a thread of its own: lines go to `on_line` on that
// thread until the server ends the stream or the HttpStream is destroyed, which stops it at once.
class HttpStream {
 public:
  HttpStream(const HttpTarget& target, const std::string& path, std::function<void(std::string_view)> on_line);
  ~HttpStream();
  HttpStream(const HttpStream&) = delete;
  HttpStream& operator=(const HttpStream&) = delete;

  // Waits for the response's headers; true when the server answered 200 and streams.
  bool opened();

 private:
  void run(const HttpTarget& target, const std::string& path);

  std::function<void(std::string_view)> on_line_;
  std::mutex mutex_;
  std::condition_variable answered_;
  long status_ = 0;
  bool ended_ = false;
  bool stopping_ = false;
  void* multi_ = nullptr;  // the CURLM, for curl_multi_wakeup from the destructor
  std::jthread thread_;
};

// Safe to use from several threads at once: each request has its own libcurl handle (over a unix
// socket a connection costs next to nothing).
class HttpClient {
 public:
  explicit HttpClient(HttpTarget target);

  // `on_line` (optional) receives the body line by line as it streams (image pulls); returning false
  // stops the transfer, which then fails.
  base::Result<HttpResponse> request(std::string_view method, const std::string& path, const std::string& body,
                                     const std::function<bool(std::string_view)>& on_line = {});
  std::unique_ptr<HttpStream> stream(const std::string& path, std::function<void(std::string_view)> on_line);

 private:
  HttpTarget target_;
};

}  // namespace stackup::engine
