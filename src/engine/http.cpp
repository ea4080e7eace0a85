#include "engine/http.hpp"

#include <curl/curl.h>

#include <fmt/format.h>

#include <memory>

namespace stackup::engine {
namespace {

struct Transfer {
  std::string body;
  std::string pending_line;
  std::string api_version;
  const std::function<bool(std::string_view)>* on_line = nullptr;
  bool keep_body = true;  // a stream's body is only its lines
  std::function<void(long)> on_status;  // when the status line arrives
};

std::size_t on_body(char* data, std::size_t size, std::size_t count, void* user) {
  auto& transfer = *static_cast<Transfer*>(user);
  const std::string_view chunk(data, size * count);
  if (transfer.keep_body) transfer.body.append(chunk);
  if (transfer.on_line && *transfer.on_line) {
    transfer.pending_line.append(chunk);
    std::size_t newline = 0;
    while ((newline = transfer.pending_line.find('\n')) != std::string::npos) {
      if (!(*transfer.on_line)(std::string_view(transfer.pending_line).substr(0, newline))) return 0;  // stop it
      transfer.pending_line.erase(0, newline + 1);
    }
  }
  return size * count;
}

std::size_t on_header(char* data, std::size_t size, std::size_t count, void* user) {
  auto& transfer = *static_cast<Transfer*>(user);
  std::string_view header(data, size * count);
  if (header.starts_with("HTTP/") && transfer.on_status) {
    const auto space = header.find(' ');
    if (space != std::string_view::npos) transfer.on_status(std::atol(std::string(header.substr(space + 1, 3)).c_str()));
  }
  constexpr std::string_view name = "api-version:";
  if (header.size() > name.size()) {
    std::string lower(header.substr(0, name.size()));
    for (auto& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (lower == name) {
      auto value = header.substr(name.size());
      while (!value.empty() && (value.front() == ' ')) value.remove_prefix(1);
      while (!value.empty() && (value.back() == '\r' || value.back() == '\n' || value.back() == ' ')) value.remove_suffix(1);
      transfer.api_version = value;
    }
  }
  return size * count;
}

using Headers = std::unique_ptr<curl_slist, decltype(&curl_slist_free_all)>;

// What every request sets: where it goes, how it authenticates, and where its answer goes.
Headers configure(CURL* curl, const HttpTarget& target, const std::string& url, const std::string& verb,
                  Transfer& transfer) {
  curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
  if (!target.unix_socket.empty()) curl_easy_setopt(curl, CURLOPT_UNIX_SOCKET_PATH, target.unix_socket.c_str());
  if (!target.cert_file.empty()) {
    curl_easy_setopt(curl, CURLOPT_SSLCERT, target.cert_file.c_str());
    curl_easy_setopt(curl, CURLOPT_SSLKEY, target.key_file.c_str());
    curl_easy_setopt(curl, CURLOPT_CAINFO, target.ca_file.c_str());
  }
  curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, verb.c_str());
  Headers headers(curl_slist_append(nullptr, "Content-Type: application/json"), curl_slist_free_all);
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers.get());
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, on_body);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &transfer);
  curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, on_header);
  curl_easy_setopt(curl, CURLOPT_HEADERDATA, &transfer);
  curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT, 10L);
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  return headers;
}

}  // namespace

HttpClient::HttpClient(HttpTarget target) : target_(std::move(target)) {
  // Not thread-safe itself: done once, before any request.
  static const bool initialized = curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK;
  (void)initialized;
}

base::Result<HttpResponse> HttpClient::request(std::string_view method, const std::string& path, const std::string& body,
                                               const std::function<bool(std::string_view)>& on_line) {
  std::unique_ptr<CURL, decltype(&curl_easy_cleanup)> handle(curl_easy_init(), curl_easy_cleanup);
  CURL* curl = handle.get();
  if (curl == nullptr) return base::fail("cannot initialize libcurl");
  Transfer transfer;
  transfer.on_line = &on_line;
  const auto url = target_.base_url + path;
  const std::string verb(method);
  const auto headers = configure(curl, target_, url, verb, transfer);
  if (verb == "POST" || verb == "PUT") {
    curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body.c_str());
    curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE, static_cast<long>(body.size()));
  }
  const CURLcode code = curl_easy_perform(curl);
  if (code != CURLE_OK) return base::fail(curl_easy_strerror(code));
  HttpResponse response;
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &response.status);
  response.body = std::move(transfer.body);
  response.api_version = std::move(transfer.api_version);
  return response;
}

std::unique_ptr<HttpStream> HttpClient::stream(const std::string& path, std::function<void(std::string_view)> on_line) {
  return std::make_unique<HttpStream>(target_, path, std::move(on_line));
}

HttpStream::HttpStream(const HttpTarget& target, const std::string& path, std::function<void(std::string_view)> on_line)
    : on_line_(std::move(on_line)), multi_(curl_multi_init()) {
  thread_ = std::jthread([this, target, path] { run(target, path); });
}

HttpStream::~HttpStream() {
  {
    const std::lock_guard lock(mutex_);
    stopping_ = true;
    if (multi_ != nullptr) curl_multi_wakeup(static_cast<CURLM*>(multi_));
  }
  thread_.join();
  curl_multi_cleanup(static_cast<CURLM*>(multi_));
}

bool HttpStream::opened() {
  std::unique_lock lock(mutex_);
  answered_.wait(lock, [&] { return status_ != 0 || ended_; });
  return status_ == 200;
}

// The multi interface, so that the destructor can wake curl_multi_poll and end the stream at once.
void HttpStream::run(const HttpTarget& target, const std::string& path) {
  std::unique_ptr<CURL, decltype(&curl_easy_cleanup)> handle(curl_easy_init(), curl_easy_cleanup);
  auto* multi = static_cast<CURLM*>(multi_);
  if (handle && multi != nullptr) {
    Transfer transfer;
    const std::function<bool(std::string_view)> on_line = [this](std::string_view line) {
      on_line_(line);
      return true;
    };
    transfer.on_line = &on_line;
    transfer.keep_body = false;
    transfer.on_status = [this](long status) {
      const std::lock_guard lock(mutex_);
      status_ = status;
      answered_.notify_all();
    };
    const auto headers = configure(handle.get(), target, target.base_url + path, "GET", transfer);
    curl_multi_add_handle(multi, handle.get());
    int running = 1;
    while (running != 0) {
      {
        const std::lock_guard lock(mutex_);
        if (stopping_) break;
      }
      if (curl_multi_perform(multi, &running) != CURLM_OK) break;
      if (running != 0) curl_multi_poll(multi, nullptr, 0, 1000, nullptr);
    }
    curl_multi_remove_handle(multi, handle.get());
  }
  const std::lock_guard lock(mutex_);
  ended_ = true;
  answered_.notify_all();
}

}  // namespace stackup::engine
