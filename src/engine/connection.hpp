#pragma once
// A byte stream to the Docker engine: its unix socket, or TCP, with TLS and client certificates as
// dockerd --tlsverify asks (GnuTLS, used here only). One connection carries one request.
#include <cstddef>
#include <memory>
#include <span>
#include <string>
#include <string_view>

#include "base/error.hpp"

namespace stackup::engine {

struct HttpTarget {
  std::string unix_socket;    // set for unix://
  std::string host, port;     // set for tcp://
  bool tls = false;           // DOCKER_TLS_VERIFY: the server verified against ca_file, our certificate shown
  std::string ca_file, cert_file, key_file;
};

class Connection {
 public:
  static base::Result<Connection> open(const HttpTarget& target);

  Connection(Connection&&) noexcept;
  Connection& operator=(Connection&&) noexcept;
  ~Connection();

  base::Result<void> send_all(std::string_view bytes);
  base::Result<std::size_t> receive(std::span<char> buffer);  // 0: the other end closed
  // The other end closed a TLS connection without its close_notify: what came may be cut short.
  bool cut() const { return cut_; }

 private:
  struct Tls;
  explicit Connection(int fd);

  int fd_ = -1;
  std::unique_ptr<Tls> tls_;
  bool cut_ = false;
};

}  // namespace stackup::engine
