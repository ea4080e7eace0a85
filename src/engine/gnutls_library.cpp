#include "engine/gnutls_library.hpp"

#include <dlfcn.h>
#include <fmt/format.h>

namespace stackup::engine {
namespace {

// GnuTLS 3's soname, as Debian 12's libgnutls30 ships it.
constexpr const char* soname = "libgnutls.so.30";

class Loader {
 public:
  explicit Loader(void* library) : library_(library) {}

  template <class Pointer>
  Loader& operator()(const char* name, Pointer& out) {
    out = reinterpret_cast<Pointer>(::dlsym(library_, name));
    if (out == nullptr && missing_.empty()) missing_ = name;
    return *this;
  }
  [[nodiscard]] const std::string& missing() const { return missing_; }

 private:
  void* library_;
  std::string missing_;
};

base::Result<GnuTls> load() {
  // Never closed: the process keeps it for its other connections.
  void* library = ::dlopen(soname, RTLD_NOW | RTLD_LOCAL);
  if (library == nullptr) {
    return base::fail(fmt::format("TLS needs GnuTLS ({}): {}; install libgnutls30", soname, ::dlerror()));
  }
  GnuTls api;
  Loader loader(library);
  loader("gnutls_strerror", api.strerror)("gnutls_error_is_fatal", api.error_is_fatal)(
      "gnutls_certificate_allocate_credentials", api.certificate_allocate_credentials)(
      "gnutls_certificate_free_credentials", api.certificate_free_credentials)(
      "gnutls_certificate_set_x509_trust_file", api.certificate_set_x509_trust_file)(
      "gnutls_certificate_set_x509_key_file", api.certificate_set_x509_key_file)(
      "gnutls_certificate_verification_status_print", api.certificate_verification_status_print)(
      "gnutls_init", api.init)("gnutls_deinit", api.deinit)("gnutls_set_default_priority", api.set_default_priority)(
      "gnutls_credentials_set", api.credentials_set)("gnutls_server_name_set", api.server_name_set)(
      "gnutls_session_set_verify_cert", api.session_set_verify_cert)(
      "gnutls_session_get_verify_cert_status", api.session_get_verify_cert_status)(
      "gnutls_transport_set_int2", api.transport_set_int2)("gnutls_handshake_set_timeout", api.handshake_set_timeout)(
      "gnutls_handshake", api.handshake)("gnutls_record_send", api.record_send)("gnutls_record_recv", api.record_recv)(
      "gnutls_free", api.free);
  if (!loader.missing().empty()) {
    return base::fail(fmt::format("TLS needs GnuTLS 3: {} lacks {}", soname, loader.missing()));
  }
  return api;
}

}  // namespace

base::Result<const GnuTls*> gnutls_library() {
  static const base::Result<GnuTls> loaded = load();
  if (!loaded) return std::unexpected(loaded.error());
  return &*loaded;
}

}  // namespace stackup::engine
