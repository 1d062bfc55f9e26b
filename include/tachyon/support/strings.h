// Small string helpers shared by the libraries (ASCII only: model, config and file names).
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace tachyon {

std::string to_lower(std::string_view s);
std::string to_upper(std::string_view s);
// `s` without leading and trailing white space.
std::string trim(std::string_view s);
// The white-space separated words of `s`.
std::vector<std::string> split_ws(std::string_view s);
// Whether `s` ends with `suffix`, ignoring case.
bool ends_with_icase(std::string_view s, std::string_view suffix);

}  // namespace tachyon
