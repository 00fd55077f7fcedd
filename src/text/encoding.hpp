// Text encodings shared by the AWS layer and the dashboard (target auric_text): hex digits, base64 and
// base64url, RFC 3986 percent-encoding. Pure functions, thread-safe. (Each caller keeps its own decoder
// contract: the AWS layer throws on bad base64, the dashboard answers a malformed input.)
#pragma once

#include <string>
#include <string_view>

namespace auric {

// The value of a hex digit (either case), or -1.
int hex_digit_value(char c);

// RFC 4648 base64: the standard alphabet, padded; base64url: the URL alphabet, unpadded.
std::string base64_encode(std::string_view bytes);
std::string base64url_encode(std::string_view bytes);

// RFC 3986 percent-encoding (uppercase hex) of everything but unreserved characters
// (A-Z a-z 0-9 - . _ ~); keeps '/' when keep_slash is true (URI paths).
std::string percent_encode(std::string_view text, bool keep_slash = false);

}  // namespace auric
