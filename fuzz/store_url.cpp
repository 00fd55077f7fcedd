// Store URLs: parse_store_url on the whole input (documented: std::invalid_argument for a bad
// URL, nothing else). What it accepts keeps its scheme and location, and a built-in scheme's
// location is parsed (never left as std::monostate).
#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <variant>

#include "fuzz_support.hpp"
#include "store/store_url.hpp"

using auric::fuzz::check;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string url(auric::fuzz::as_text(data, size));
  try {
    const auric::StoreUrl parsed = auric::parse_store_url(url);
    check(parsed.scheme + ":" + parsed.location == url, "scheme and location rebuild the URL", url);
    check(auric::valid_store_scheme(parsed.scheme), "an accepted scheme is valid", parsed.scheme);
    const bool built_in =
        parsed.scheme == "memory" || parsed.scheme == "sqlite" || parsed.scheme == "dynamodb";
    check(built_in != std::holds_alternative<std::monostate>(parsed.parsed), "built-in schemes are parsed",
          url);
    if (const auto* sqlite = std::get_if<auric::SqliteStoreLocation>(&parsed.parsed)) {
      check(!sqlite->path.empty(), "an accepted sqlite URL has a path", url);
    }
  } catch (const std::invalid_argument&) {
  }
  return 0;
}
