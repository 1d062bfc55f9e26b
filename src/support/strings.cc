#include "tachyon/support/strings.h"

#include <algorithm>
#include <cctype>

namespace tachyon {

namespace {
char lower_char(char c) { return static_cast<char>(std::tolower(static_cast<unsigned char>(c))); }
bool space(char c) { return std::isspace(static_cast<unsigned char>(c)) != 0; }
}  // namespace

std::string to_lower(std::string_view s) {
  std::string r(s);
  for (char& c : r) c = lower_char(c);
  return r;
}

std::string to_upper(std::string_view s) {
  std::string r(s);
  for (char& c : r) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return r;
}

std::string trim(std::string_view s) {
  size_t b = 0, e = s.size();
  while (b < e && space(s[b])) ++b;
  while (e > b && space(s[e - 1])) --e;
  return std::string(s.substr(b, e - b));
}

std::vector<std::string> split_ws(std::string_view s) {
  std::vector<std::string> r;
  size_t i = 0;
  while (i < s.size()) {
    while (i < s.size() && space(s[i])) ++i;
    size_t b = i;
    while (i < s.size() && !space(s[i])) ++i;
    if (i > b) r.emplace_back(s.substr(b, i - b));
  }
  return r;
}

bool ends_with_icase(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() &&
         std::equal(suffix.rbegin(), suffix.rend(), s.rbegin(), [](char a, char b) { return lower_char(a) == lower_char(b); });
}

}  // namespace tachyon
