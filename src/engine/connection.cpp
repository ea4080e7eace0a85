#include "engine/connection.hpp"

#include <arpa/inet.h>
#include <fmt/format.h>
#include <netdb.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <system_error>
#include <utility>

#include "engine/gnutls_library.hpp"

namespace stackup::engine {

struct Connection::Tls {
  const GnuTls& api;
  gnutls_certificate_credentials_t credentials = nullptr;
  gnutls_session_t session = nullptr;
  explicit Tls(const GnuTls& library) : api(library) {}
  Tls(const Tls&) = delete;
  Tls& operator=(const Tls&) = delete;
  ~Tls() {
    if (session != nullptr) api.deinit(session);
    if (credentials != nullptr) api.certificate_free_credentials(credentials);
  }
};

namespace {

constexpr int connect_timeout_seconds = 10;

// std::strerror may share a buffer between threads; requests run on several.
std::string errno_text(int code) { return std::generic_category().message(code); }
auto last_error() { return base::fail(errno_text(errno)); }

// The fd, closed unless released: the connection takes it once it is connected.
class PendingSocket {
 public:
  explicit PendingSocket(int fd) : fd_(fd) {}
  PendingSocket(const PendingSocket&) = delete;
  PendingSocket& operator=(const PendingSocket&) = delete;
  ~PendingSocket() {
    if (fd_ >= 0) ::close(fd_);
  }
  int get() const { return fd_; }
  int release() { return std::exchange(fd_, -1); }

 private:
  int fd_;
};

base::Result<int> connect_unix(const std::string& path) {
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  if (path.size() >= sizeof(address.sun_path)) return base::fail("the socket's path is too long");
  std::memcpy(address.sun_path, path.data(), path.size());
  PendingSocket socket(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (socket.get() < 0) return last_error();
  if (::connect(socket.get(), reinterpret_cast<const sockaddr*>(&address), sizeof address) != 0) return last_error();
  return socket.release();
}

// Tries each address the name resolves to; Linux bounds connect() by the send timeout.
base::Result<int> connect_tcp(const std::string& host, const std::string& port) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_ADDRCONFIG;  // no IPv6 address where the host has none
  addrinfo* found = nullptr;
  if (const int code = ::getaddrinfo(host.c_str(), port.c_str(), &hints, &found); code != 0) {
    return base::fail(fmt::format("cannot resolve {}: {}", host, ::gai_strerror(code)));
  }
  const std::unique_ptr<addrinfo, decltype(&::freeaddrinfo)> addresses(found, ::freeaddrinfo);
  std::string error = "no address";
  for (const addrinfo* address = found; address != nullptr; address = address->ai_next) {
    PendingSocket socket(::socket(address->ai_family, address->ai_socktype | SOCK_CLOEXEC, address->ai_protocol));
    if (socket.get() < 0) {
      error = errno_text(errno);
      continue;
    }
    timeval timeout{.tv_sec = connect_timeout_seconds, .tv_usec = 0};
    ::setsockopt(socket.get(), SOL_SOCKET, SO_SNDTIMEO, &timeout, sizeof timeout);
    if (::connect(socket.get(), address->ai_addr, address->ai_addrlen) == 0) {
      timeout = {};  // an image pull may be silent for long: no timeout once connected
      ::setsockopt(socket.get(), SOL_SOCKET, SO_SNDTIMEO, &timeout, sizeof timeout);
      return socket.release();
    }
    error = errno == EINPROGRESS || errno == EAGAIN ? "Connection timed out" : errno_text(errno);
  }
  return base::fail(error);
}

auto tls_error(const GnuTls& api, std::string_view what, int code) {
  return base::fail(fmt::format("{}: {}", what, api.strerror(code)));
}

bool is_ip_address(const std::string& host) {
  unsigned char buffer[sizeof(in6_addr)];
  return ::inet_pton(AF_INET, host.c_str(), buffer) == 1 || ::inet_pton(AF_INET6, host.c_str(), buffer) == 1;
}

// Why the server's certificate was refused, in GnuTLS's words.
std::string verification_failure(const GnuTls& api, gnutls_session_t session) {
  gnutls_datum_t text{};
  const unsigned status = api.session_get_verify_cert_status(session);
  if (api.certificate_verification_status_print(status, GNUTLS_CRT_X509, &text, 0) != 0) return "not trusted";
  std::string message(reinterpret_cast<const char*>(text.data), text.size);
  (*api.free)(text.data);
  return message;
}

}  // namespace

Connection::Connection(int fd) : fd_(fd) {}
Connection::Connection(Connection&& other) noexcept
    : fd_(std::exchange(other.fd_, -1)), tls_(std::move(other.tls_)), cut_(other.cut_) {}
Connection& Connection::operator=(Connection&& other) noexcept {
  std::swap(fd_, other.fd_);
  std::swap(tls_, other.tls_);
  std::swap(cut_, other.cut_);
  return *this;
}
Connection::~Connection() {
  tls_.reset();
  if (fd_ >= 0) ::close(fd_);
}

base::Result<Connection> Connection::open(const HttpTarget& target) {
  auto fd = target.unix_socket.empty() ? connect_tcp(target.host, target.port) : connect_unix(target.unix_socket);
  if (!fd) return std::unexpected(fd.error());
  Connection connection(*fd);
  if (!target.tls) return connection;
  const auto library = gnutls_library();
  if (!library) return std::unexpected(library.error());
  const GnuTls& api = **library;
  auto tls = std::make_unique<Tls>(api);
  int code = api.certificate_allocate_credentials(&tls->credentials);
  if (code < 0) return tls_error(api, "TLS", code);
  code = api.certificate_set_x509_trust_file(tls->credentials, target.ca_file.c_str(), GNUTLS_X509_FMT_PEM);
  if (code <= 0) {
    return tls_error(api, fmt::format("cannot read the CA certificate {}", target.ca_file),
                     code == 0 ? GNUTLS_E_NO_CERTIFICATE_FOUND : code);
  }
  code = api.certificate_set_x509_key_file(tls->credentials, target.cert_file.c_str(), target.key_file.c_str(),
                                           GNUTLS_X509_FMT_PEM);
  if (code < 0) {
    return tls_error(api, fmt::format("cannot read the client certificate {} and key {}", target.cert_file, target.key_file),
                     code);
  }
  // GNUTLS_NO_SIGNAL: a peer that closes early is an error here, not a SIGPIPE for the whole process.
  if ((code = api.init(&tls->session, GNUTLS_CLIENT | GNUTLS_NO_SIGNAL)) < 0) return tls_error(api, "TLS", code);
  api.set_default_priority(tls->session);
  api.credentials_set(tls->session, GNUTLS_CRD_CERTIFICATE, tls->credentials);
  if (!is_ip_address(target.host)) api.server_name_set(tls->session, GNUTLS_NAME_DNS, target.host.data(), target.host.size());
  api.session_set_verify_cert(tls->session, target.host.c_str(), 0);  // the CA's signature and the host's name
  api.transport_set_int2(tls->session, connection.fd_, connection.fd_);
  api.handshake_set_timeout(tls->session, GNUTLS_DEFAULT_HANDSHAKE_TIMEOUT);
  do {
    code = api.handshake(tls->session);
  } while (code < 0 && api.error_is_fatal(code) == 0);
  if (code == GNUTLS_E_CERTIFICATE_VERIFICATION_ERROR) {
    return base::fail(fmt::format("the engine's TLS certificate: {}", verification_failure(api, tls->session)));
  }
  if (code < 0) return tls_error(api, "TLS handshake", code);
  connection.tls_ = std::move(tls);
  return connection;
}

base::Result<void> Connection::send_all(std::string_view bytes) {
  while (!bytes.empty()) {
    ssize_t sent = 0;
    if (tls_) {
      sent = tls_->api.record_send(tls_->session, bytes.data(), bytes.size());
      if (sent == GNUTLS_E_AGAIN || sent == GNUTLS_E_INTERRUPTED) continue;
      if (sent < 0) return tls_error(tls_->api, "TLS", static_cast<int>(sent));
    } else {
      sent = ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
      if (sent < 0 && errno == EINTR) continue;
      if (sent < 0) return last_error();
    }
    bytes.remove_prefix(static_cast<std::size_t>(sent));
  }
  return {};
}

base::Result<std::size_t> Connection::receive(std::span<char> buffer) {
  while (true) {
    if (tls_) {
      const ssize_t got = tls_->api.record_recv(tls_->session, buffer.data(), buffer.size());
      if (got == GNUTLS_E_AGAIN || got == GNUTLS_E_INTERRUPTED) continue;
      // A peer that closes without TLS's close_notify: the HTTP framing, if any, tells whether
      // anything is missing; a body that runs to the end is refused (cut()).
      if (got == GNUTLS_E_PREMATURE_TERMINATION) {
        cut_ = true;
        return 0;
      }
      if (got < 0) return tls_error(tls_->api, "TLS", static_cast<int>(got));
      return static_cast<std::size_t>(got);
    }
    const ssize_t got = ::recv(fd_, buffer.data(), buffer.size(), 0);
    if (got < 0 && errno == EINTR) continue;
    if (got < 0) return last_error();
    return static_cast<std::size_t>(got);
  }
}

}  // namespace stackup::engine
