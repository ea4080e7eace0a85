#pragma once
// Reads an HTTP/1.1 response as its bytes arrive, in pieces of any size: the status line and the
// headers, then the body as the headers delimit it (Content-Length, chunked, or the end of the
// connection). Pure: no I/O, so every way of splitting a response is tested without a socket.
#include <cstddef>
#include <functional>
#include <string>
#include <string_view>

#include "base/error.hpp"

namespace stackup::engine {

class ResponseReader {
 public:
  // Receives each decoded piece of the body; returning false stops the response, which then fails.
  using BodySink = std::function<bool(std::string_view)>;

  // Takes the next bytes of the connection. An error means the response is malformed or the sink
  // stopped it; nothing more may be fed then.
  base::Result<void> feed(std::string_view bytes, const BodySink& on_body);
  // The connection ended: fine if the response was complete, or if its body runs to the end and
  // the connection ended cleanly (`cut`: TLS closed without its close_notify, so maybe truncated).
  base::Result<void> finish(const BodySink& on_body, bool cut = false);

  bool complete() const { return phase_ == Phase::done; }
  long status() const { return status_; }
  const std::string& api_version() const { return api_version_; }  // the Api-Version header

 private:
  enum class Phase { head, sized_body, chunk_size, chunk_data, chunk_end, trailers, until_close, done };

  base::Result<bool> step(const BodySink& on_body);  // false: needs more bytes
  base::Result<void> read_head(std::string_view head);
  base::Result<bool> take_body(std::size_t available, const BodySink& on_body);
  base::Result<bool> read_chunk_size();
  bool take_line(std::string& line);

  Phase phase_ = Phase::head;
  std::string pending_;         // bytes fed but not consumed yet
  std::size_t consumed_ = 0;    // how much of pending_ is consumed
  std::size_t remaining_ = 0;   // of a sized body or of the current chunk
  long status_ = 0;
  std::string api_version_;
};

}  // namespace stackup::engine
