#pragma once
// Recoverable failures are values: functions that can fail return Result<T>.
#include <expected>
#include <string>

namespace stackup::base {

struct Error {
  std::string message;
};

template <class T>
using Result = std::expected<T, Error>;

inline std::unexpected<Error> fail(std::string message) { return std::unexpected(Error{std::move(message)}); }

}  // namespace stackup::base
