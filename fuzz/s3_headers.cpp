// S3 object headers: the input is a header list, one `name:value` per line, decoded by
// decode_object_headers (AwsError with code MalformedResponse, documented: nothing else); the
// whole input also goes to parse_http_date (std::invalid_argument). Checked: what comes back
// agrees with the headers (a length that prints back to the digits sent, a parsed date exactly
// when a Last-Modified was sent, metadata names in lowercase without the prefix).
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "aws/encoding.hpp"
#include "aws/errors.hpp"
#include "aws/s3.hpp"
#include "fuzz_support.hpp"

namespace aws = auric::aws;
using auric::fuzz::check;

namespace {

aws::Headers parse_headers(std::string_view text) {
  aws::Headers headers;
  while (!text.empty()) {
    const auto line = auric::fuzz::split(text, '\n', 2);
    const auto field = auric::fuzz::split(line[0], ':', 2);
    headers.add(std::string(field[0]), std::string(field[1]));
    text = line[1];
  }
  return headers;
}

// The digits without leading zeros ("0" for all zeros).
std::string canonical_number(std::string_view digits) {
  digits = aws::trim(digits);
  while (digits.size() > 1 && digits.front() == '0') digits.remove_prefix(1);
  return std::string(digits);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text = auric::fuzz::as_text(data, size);
  try {
    (void)aws::parse_http_date(text);
  } catch (const std::invalid_argument&) {
  }

  const aws::Headers headers = parse_headers(text);
  aws::ObjectInfo info;
  try {
    info = aws::decode_object_headers("GetObject", headers);
  } catch (const aws::AwsError& e) {
    check(e.code() == aws::kMalformedResponseCode, "decode_object_headers threw another code", e.what());
    return 0;
  }
  if (const auto length = headers.get("Content-Length")) {
    check(std::to_string(info.content_length) == canonical_number(*length),
          "Content-Length read as another number", *length + " -> " + std::to_string(info.content_length));
  } else {
    check(info.content_length == 0, "a length without a Content-Length");
  }
  check(info.last_modified_time.has_value() == headers.contains("Last-Modified"),
        "a parsed Last-Modified without one, or one left unparsed", info.last_modified);
  for (const auto& [name, value] : info.metadata) {
    check(name == aws::to_lower(name), "a metadata name not in lowercase", name);
  }
  return 0;
}
