// Encoding, hashing and time helpers shared by the signer, the protocols and the providers.
// All functions are pure and thread-safe.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

namespace auric::aws {

using TimePoint = std::chrono::system_clock::time_point;

// Lowercase hex of the bytes.
std::string hex_encode(std::string_view bytes);
// SHA-256 digest (raw bytes) and its lowercase hex form.
std::string sha256(std::string_view data);
std::string sha256_hex(std::string_view data);
// HMAC-SHA256 (raw bytes).
std::string hmac_sha256(std::string_view key, std::string_view data);
// SHA-1 lowercase hex (SSO token cache file names).
std::string sha1_hex(std::string_view data);

// Standard base64 with padding.
std::string base64_encode(std::string_view bytes);
// Decodes standard base64 (padding optional, whitespace ignored).
// Throws std::invalid_argument on any other character.
std::string base64_decode(std::string_view text);

// RFC 3986 percent-encoding of everything but unreserved characters (A-Z a-z 0-9 - . _ ~);
// keeps '/' when keep_slash is true (URI paths).
std::string uri_encode(std::string_view text, bool keep_slash = false);
// Decodes %XX escapes; other characters (including '+') are kept as they are.
std::string uri_decode(std::string_view text);

// "20150830T123600Z" and "20150830".
std::string format_amz_date(TimePoint t);
std::string format_amz_day(TimePoint t);
// "2015-08-30T12:36:00Z"
std::string format_iso8601(TimePoint t);
// Parses ISO-8601 / RFC 3339 date-times as AWS returns them: "2015-08-30T12:36:00Z",
// with fractional seconds, a "+hh:mm" offset, or a "UTC" suffix.
// Years are 0000-9999; a date beyond what TimePoint holds (1677-09-21..2262-04-11) saturates
// to TimePoint::min() or max(), so "9999-12-31T23:59:59Z" reads as "never expires".
// Throws std::invalid_argument when the text is not such a date-time.
TimePoint parse_iso8601(std::string_view text);
// Parses an HTTP date in the IMF-fixdate form every HTTP/1.1 server sends (RFC 9110
// section 5.6.7): "Sun, 06 Nov 1994 08:49:37 GMT" (any of the seven day names, not checked
// against the date). Years are 0000-9999 and saturate like parse_iso8601.
// Throws std::invalid_argument when the text is not such a date.
TimePoint parse_http_date(std::string_view text);
// Milliseconds since the Unix epoch (SSO's `expiration`), saturated like parse_iso8601.
TimePoint time_from_epoch_ms(std::int64_t ms);

// Trims ASCII whitespace at both ends.
std::string_view trim(std::string_view text);
std::string to_lower(std::string_view text);
std::string to_upper(std::string_view text);

}  // namespace auric::aws
