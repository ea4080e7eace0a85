#include "engine/http_response.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>

#include <fmt/format.h>

namespace stackup::engine {
namespace {

constexpr std::size_t max_head = 64 * 1024;

std::string lowercase(std::string_view text) {
  std::string out(text);
  for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string_view trimmed(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t' || text.back() == '\r')) text.remove_suffix(1);
  return text;
}

template <typename Number>
bool parse_number(std::string_view text, Number& value, int base = 10) {
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value, base);
  return error == std::errc{} && end == text.data() + text.size() && !text.empty();
}

auto malformed(std::string_view what) { return base::fail(fmt::format("malformed HTTP response: {}", what)); }

}  // namespace

base::Result<void> ResponseReader::feed(std::string_view bytes, const BodySink& on_body) {
  pending_.append(bytes);
  while (true) {
    auto progressed = step(on_body);
    if (!progressed) return std::unexpected(progressed.error());
    if (!*progressed) break;
  }
  pending_.erase(0, consumed_);
  consumed_ = 0;
  // What is left unconsumed waits for a line's end: the headers, a chunk's size or a trailer.
  if (pending_.size() > max_head) return malformed(phase_ == Phase::head ? "the headers are too long" : "a line is too long");
  return {};
}

base::Result<void> ResponseReader::finish(const BodySink& on_body, bool cut) {
  if (auto fed = feed("", on_body); !fed) return fed;
  if (phase_ == Phase::until_close && !cut) phase_ = Phase::done;
  if (phase_ != Phase::done) return malformed("the connection closed before the response ended");
  return {};
}

base::Result<bool> ResponseReader::step(const BodySink& on_body) {
  const std::size_t available = pending_.size() - consumed_;
  switch (phase_) {
    case Phase::head: {
      const auto end = pending_.find("\r\n\r\n", consumed_);
      if (end == std::string::npos) return false;
      const std::string_view head = std::string_view(pending_).substr(consumed_, end - consumed_);
      consumed_ = end + 4;
      if (auto read = read_head(head); !read) return std::unexpected(read.error());
      return true;
    }
    case Phase::sized_body:
    case Phase::chunk_data:
    case Phase::until_close:
      return take_body(available, on_body);
    case Phase::chunk_size:
      return read_chunk_size();
    case Phase::chunk_end: {
      std::string line;
      if (!take_line(line)) return false;
      if (!line.empty()) return malformed("a chunk is longer than its size");
      phase_ = Phase::chunk_size;
      return true;
    }
    case Phase::trailers: {
      std::string line;
      if (!take_line(line)) return false;
      if (line.empty()) phase_ = Phase::done;
      return true;
    }
    case Phase::done:
      return false;
  }
  return false;
}

base::Result<void> ResponseReader::read_head(std::string_view head) {
  const auto status_end = head.find("\r\n");
  const std::string_view status_line = head.substr(0, status_end);
  // "HTTP/1.1 200 OK"
  if (!status_line.starts_with("HTTP/1.") || status_line.size() < 12 || status_line[8] != ' ' ||
      !parse_number(status_line.substr(9, 3), status_)) {
    return malformed("the status line is not HTTP/1.x");
  }
  bool chunked = false;
  bool sized = false;
  std::size_t length = 0;
  std::string_view rest = status_end == std::string_view::npos ? "" : head.substr(status_end + 2);
  while (!rest.empty()) {
    const auto line_end = rest.find("\r\n");
    const std::string_view line = rest.substr(0, line_end);
    rest = line_end == std::string_view::npos ? "" : rest.substr(line_end + 2);
    const auto colon = line.find(':');
    if (colon == std::string_view::npos) return malformed("a header line has no ':'");
    const auto name = lowercase(line.substr(0, colon));
    const auto value = trimmed(line.substr(colon + 1));
    if (name == "transfer-encoding") chunked = lowercase(value).find("chunked") != std::string::npos;
    if (name == "content-length") {
      sized = parse_number(value, length);
      if (!sized) return malformed("Content-Length is not a number");
    }
    if (name == "api-version") api_version_ = value;
  }
  if (status_ >= 100 && status_ < 200) {  // an interim response: the real one follows
    api_version_.clear();
    return {};
  }
  const bool bodiless = status_ == 204 || status_ == 304;
  if (bodiless || (sized && !chunked && length == 0)) {
    phase_ = Phase::done;
  } else if (chunked) {
    phase_ = Phase::chunk_size;
  } else if (sized) {
    phase_ = Phase::sized_body;
    remaining_ = length;
  } else {
    phase_ = Phase::until_close;
  }
  return {};
}

base::Result<bool> ResponseReader::take_body(std::size_t available, const BodySink& on_body) {
  if (available == 0) return false;
  const std::size_t taken = phase_ == Phase::until_close ? available : std::min(available, remaining_);
  if (on_body && !on_body(std::string_view(pending_).substr(consumed_, taken))) {
    return base::fail("the transfer was stopped");
  }
  consumed_ += taken;
  if (phase_ == Phase::until_close) return true;
  remaining_ -= taken;
  if (remaining_ == 0) phase_ = phase_ == Phase::chunk_data ? Phase::chunk_end : Phase::done;
  return true;
}

base::Result<bool> ResponseReader::read_chunk_size() {
  std::string line;
  if (!take_line(line)) return false;
  const auto size_text = trimmed(std::string_view(line).substr(0, line.find(';')));  // chunk extensions ignored
  if (!parse_number(size_text, remaining_, 16)) return malformed("a chunk size is not hexadecimal");
  phase_ = remaining_ == 0 ? Phase::trailers : Phase::chunk_data;
  return true;
}

bool ResponseReader::take_line(std::string& line) {
  const auto end = pending_.find("\r\n", consumed_);
  if (end == std::string::npos) return false;
  line.assign(pending_, consumed_, end - consumed_);
  consumed_ = end + 2;
  return true;
}

}  // namespace stackup::engine
