// The small text codecs every edge relies on, each on the whole input: AWS base64 and
// percent-decoding, ISO-8601 dates (aws/encoding.hpp: std::invalid_argument, documented), the
// dashboard's percent, query and base64 decoders (nullopt for malformed input), migration ids and
// names (core/ids.hpp, total), and the store's time formats. Encoders and decoders must round
// trip, and a sanitised name must make a valid migration id.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

#include "aws/encoding.hpp"
#include "core/ids.hpp"
#include "dashboard/http.hpp"
#include "fuzz_support.hpp"
#include "store/dynamodb_items.hpp"
#include "text/encoding.hpp"

namespace aws = auric::aws;
namespace dashboard = auric::dashboard;
using auric::fuzz::check;

namespace {

void round_trips(std::string_view bytes) {
  const std::string original(bytes);
  check(aws::base64_decode(aws::base64_encode(bytes)) == original, "aws base64 round trip");
  check(dashboard::base64_decode(auric::base64_encode(bytes)) == original, "dashboard base64 round trip");
  check(dashboard::base64_decode(auric::base64url_encode(bytes)) == original,
        "dashboard base64url round trip");
  for (bool keep_slash : {false, true}) {
    check(aws::uri_decode(aws::uri_encode(bytes, keep_slash)) == original, "aws uri_encode round trip");
    check(dashboard::percent_decode(auric::percent_encode(bytes, keep_slash)) == original,
          "percent_encode round trip");
  }
}

void decoders(std::string_view text) {
  try {
    (void)aws::base64_decode(text);
  } catch (const std::invalid_argument&) {
  }
  (void)aws::uri_decode(text);
  (void)dashboard::base64_decode(text);
  for (bool plus : {false, true}) (void)dashboard::percent_decode(text, plus);
  if (auto query = dashboard::parse_query(text)) {
    for (const auto& [key, value] : *query) (void)auric::percent_encode(key + value);
  }
}

void dates(std::string_view text) {
  try {
    const aws::TimePoint t = aws::parse_iso8601(text);
    (void)aws::format_amz_date(t);
    if (t != aws::TimePoint::min() && t != aws::TimePoint::max()) {
      const auto whole = std::chrono::floor<std::chrono::seconds>(t);
      check(aws::parse_iso8601(aws::format_iso8601(t)) == whole, "format_iso8601 -> parse_iso8601",
            aws::format_iso8601(t));
    }
  } catch (const std::invalid_argument&) {
  }
}

void ids(std::string_view text) {
  (void)auric::migration_id_problem(text);
  (void)auric::migration_name_of(text);
  std::string problem;
  if (auto name = auric::sanitize_migration_name(text, &problem)) {
    const std::string id = "20240101000000_" + *name;
    check(auric::is_valid_migration_id(id), "a sanitised name makes an invalid id", id);
  }
}

void times(std::string_view bytes) {
  if (bytes.size() < sizeof(std::int64_t)) return;
  std::int64_t epoch_ms = 0;
  std::memcpy(&epoch_ms, bytes.data(), sizeof epoch_ms);
  (void)auric::iso8601_ms(epoch_ms);
  try {
    (void)auric::dynamodb_items::sort_time(epoch_ms);
  } catch (const std::invalid_argument&) {  // documented: outside years 1970..9999
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text = auric::fuzz::as_text(data, size);
  round_trips(text);
  decoders(text);
  dates(text);
  ids(text);
  times(text);
  return 0;
}
