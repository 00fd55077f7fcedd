// Socket-free HTTP values shared by the dashboard router and its adapters (local server, API
// Gateway): a request as received (raw, still percent-encoded path and query) and the response
// to send. Plus the small codecs the adapters need (percent-decoding, query parsing, base64,
// constant-time comparison). Plain values and pure functions; thread-safe.
#pragma once

#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <auric/migrations.hpp>

#include "text/encoding.hpp"

namespace auric::dashboard {

// Case-insensitive ordering for header names.
struct HeaderNameLess {
  bool operator()(std::string_view a, std::string_view b) const;
  using is_transparent = void;
};
using Headers = std::map<std::string, std::string, HeaderNameLess>;

struct Request {
  std::string method = "GET";  // upper case
  std::string path = "/";      // raw: still percent-encoded, no query
  std::string query;           // raw text after '?', without it
  Headers headers;
  std::string body;

  // The header's value, or "" when absent.
  std::string header(std::string_view name) const;
};

struct Response {
  int status = 200;
  Headers headers;
  std::string body;

  // A JSON response: Content-Type application/json, Cache-Control no-store.
  static Response json(int status, const Json& body);
  // `{"error": message}` with `status`.
  static Response error(int status, std::string_view message);
};

// Bodies larger than this are refused with 413 by every adapter and by the router.
inline constexpr std::size_t kMaxBodyBytes = 64 * 1024;

// Decodes %XX escapes once (and '+' as a space when `plus_is_space`). nullopt for a malformed
// escape (a '%' not followed by two hex digits).
std::optional<std::string> percent_decode(std::string_view text, bool plus_is_space = false);
// percent_encode, base64_encode and base64url_encode come from text/encoding.hpp.
using ::auric::base64_encode;
using ::auric::base64url_encode;
using ::auric::percent_encode;

// Parses `a=1&b=x%20y` (form rules: '+' is a space). A key given twice keeps its first value.
// nullopt when an escape is malformed.
std::optional<std::map<std::string, std::string>> parse_query(std::string_view query);

// Decodes RFC 4648 base64: accepts both alphabets, with or without padding; nullopt for anything else.
std::optional<std::string> base64_decode(std::string_view text);

// Compares without an early exit (the time depends only on the lengths).
bool constant_time_equal(std::string_view a, std::string_view b);

}  // namespace auric::dashboard
