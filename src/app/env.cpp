#include "app/env.hpp"

#include <cstdlib>
#include <exception>

namespace auric::app {

std::optional<std::string> process_env(const std::string& name) {
  const char* v = std::getenv(name.c_str());
  if (!v || !*v) return std::nullopt;
  return std::string(v);
}

std::optional<long long> parse_whole_number(const std::string& text, long long min) {
  std::size_t used = 0;
  long long value = 0;
  try {
    value = std::stoll(text, &used);
  } catch (const std::exception&) {
    return std::nullopt;
  }
  if (used != text.size() || value < min) return std::nullopt;
  return value;
}

}  // namespace auric::app
