#pragma once
// "did you mean ...?" for misspelt keys and names.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace stackup::compose {

// The candidate closest to `word` by edit distance, if it is close enough to be a likely typo.
std::optional<std::string> closest_match(std::string_view word, const std::vector<std::string>& candidates);

}  // namespace stackup::compose
