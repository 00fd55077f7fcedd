// Helpers shared by the harnesses (docs/fuzzing.md). A harness catches exactly the exceptions
// its entry point documents; anything else escapes LLVMFuzzerTestOneInput, terminates, and
// libFuzzer reports it as a crash with the input that caused it. Broken invariants (a round trip
// that loses data, a 5xx from bad input) call fail().
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

namespace auric::fuzz {

inline std::string_view as_text(const std::uint8_t* data, std::size_t size) {
  return {reinterpret_cast<const char*>(data), size};
}

// Splits `text` on `separator` into at most `max_parts` parts: the last part keeps the rest,
// separators included. Missing parts are empty, so the result always has `max_parts` entries.
inline std::vector<std::string_view> split(std::string_view text, char separator, std::size_t max_parts) {
  std::vector<std::string_view> parts;
  while (parts.size() + 1 < max_parts) {
    const auto at = text.find(separator);
    if (at == std::string_view::npos) break;
    parts.push_back(text.substr(0, at));
    text.remove_prefix(at + 1);
  }
  parts.push_back(text);
  parts.resize(max_parts);
  return parts;
}

// Reports a broken invariant and aborts (libFuzzer saves the input as a crash).
[[noreturn]] inline void fail(std::string_view what, std::string_view detail = {}) {
  std::fprintf(stderr, "fuzz invariant broken: %.*s\n", static_cast<int>(what.size()), what.data());
  if (!detail.empty()) {
    std::fprintf(stderr, "  detail: %.*s\n", static_cast<int>(detail.size()), detail.data());
  }
  std::abort();
}

inline void check(bool ok, std::string_view what, std::string_view detail = {}) {
  if (!ok) fail(what, detail);
}

}  // namespace auric::fuzz
