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
};

std::size_t on_body(char* data, std::size_t size, std::size_t count, void* user) {
  auto& transfer = *static_cast<Transfer*>(user);
  const std::string_view chunk(data, size * count);
  transfer.body.append(chunk);
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
  curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
  if (!target_.unix_socket.empty()) curl_easy_setopt(curl, CURLOPT_UNIX_SOCKET_PATH, target_.unix_socket.c_str());
  if (!target_.cert_file.empty()) {
    curl_easy_setopt(curl, CURLOPT_SSLCERT, target_.cert_file.c_str());
    curl_easy_setopt(curl, CURLOPT_SSLKEY, target_.key_file.c_str());
    curl_easy_setopt(curl, CURLOPT_CAINFO, target_.ca_file.c_str());
  }
  const std::string verb(method);
  curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, verb.c_str());
  curl_slist* headers = curl_slist_append(nullptr, "Content-Type: application/json");
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
  if (verb == "POST" || verb == "PUT") {
    curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body.c_str());
    curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE, static_cast<long>(body.size()));
  }
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, on_body);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &transfer);
  curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, on_header);
  curl_easy_setopt(curl, CURLOPT_HEADERDATA, &transfer);
  curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT, 10L);
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  const CURLcode code = curl_easy_perform(curl);
  curl_slist_free_all(headers);
  if (code != CURLE_OK) return base::fail(curl_easy_strerror(code));
  HttpResponse response;
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &response.status);
  response.body = std::move(transfer.body);
  response.api_version = std::move(transfer.api_version);
  return response;
}

}  // namespace stackup::engine
