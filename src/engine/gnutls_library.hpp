#pragma once
// GnuTLS, loaded when the first TLS connection needs it. Linked, it and the eight libraries it needs
// would load into every stackup process (about 5 ms each start, twice per rotation), yet only a tcp://
// engine with TLS uses them. Only connection.cpp includes this.
#include <gnutls/gnutls.h>

#include "base/error.hpp"

namespace stackup::engine {

// The functions stackup calls, by their GnuTLS names without the prefix.
struct GnuTls {
  decltype(&::gnutls_strerror) strerror = nullptr;
  decltype(&::gnutls_error_is_fatal) error_is_fatal = nullptr;
  decltype(&::gnutls_certificate_allocate_credentials) certificate_allocate_credentials = nullptr;
  decltype(&::gnutls_certificate_free_credentials) certificate_free_credentials = nullptr;
  decltype(&::gnutls_certificate_set_x509_trust_file) certificate_set_x509_trust_file = nullptr;
  decltype(&::gnutls_certificate_set_x509_key_file) certificate_set_x509_key_file = nullptr;
  decltype(&::gnutls_certificate_verification_status_print) certificate_verification_status_print = nullptr;
  decltype(&::gnutls_init) init = nullptr;
  decltype(&::gnutls_deinit) deinit = nullptr;
  decltype(&::gnutls_set_default_priority) set_default_priority = nullptr;
  decltype(&::gnutls_credentials_set) credentials_set = nullptr;
  decltype(&::gnutls_server_name_set) server_name_set = nullptr;
  decltype(&::gnutls_session_set_verify_cert) session_set_verify_cert = nullptr;
  decltype(&::gnutls_session_get_verify_cert_status) session_get_verify_cert_status = nullptr;
  decltype(&::gnutls_transport_set_int2) transport_set_int2 = nullptr;
  decltype(&::gnutls_handshake_set_timeout) handshake_set_timeout = nullptr;
  decltype(&::gnutls_handshake) handshake = nullptr;
  decltype(&::gnutls_record_send) record_send = nullptr;
  decltype(&::gnutls_record_recv) record_recv = nullptr;
  gnutls_free_function* free = nullptr;  // a variable holding the function
};

// Loaded once, on first use, from the soname the build was made against; the error says what to install.
base::Result<const GnuTls*> gnutls_library();

}  // namespace stackup::engine
