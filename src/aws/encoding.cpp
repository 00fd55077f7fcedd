#include "aws/encoding.hpp"

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/sha.h>

#include <array>
#include <cctype>
#include <charconv>
#include <chrono>
#include <optional>
#include <stdexcept>

#include "text/encoding.hpp"

namespace auric::aws {

std::string hex_encode(std::string_view bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size() * 2);
  for (unsigned char c : bytes) {
    out.push_back(kDigits[c >> 4]);
    out.push_back(kDigits[c & 0x0f]);
  }
  return out;
}

std::string sha256(std::string_view data) {
  std::array<unsigned char, SHA256_DIGEST_LENGTH> digest{};
  SHA256(reinterpret_cast<const unsigned char*>(data.data()), data.size(), digest.data());
  return std::string(reinterpret_cast<const char*>(digest.data()), digest.size());
}

std::string sha256_hex(std::string_view data) {
  return hex_encode(sha256(data));
}

std::string hmac_sha256(std::string_view key, std::string_view data) {
  std::array<unsigned char, EVP_MAX_MD_SIZE> out{};
  unsigned int len = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
       reinterpret_cast<const unsigned char*>(data.data()), data.size(), out.data(), &len);
  return std::string(reinterpret_cast<const char*>(out.data()), len);
}

std::string sha1_hex(std::string_view data) {
  std::array<unsigned char, SHA_DIGEST_LENGTH> digest{};
  SHA1(reinterpret_cast<const unsigned char*>(data.data()), data.size(), digest.data());
  return hex_encode(std::string_view(reinterpret_cast<const char*>(digest.data()), digest.size()));
}

std::string base64_encode(std::string_view bytes) {
  return ::auric::base64_encode(bytes);
}

std::string base64_decode(std::string_view text) {
  std::string out;
  unsigned buffer = 0;
  int bits = 0;
  bool padding = false;
  for (char c : text) {
    int value = -1;
    if (c >= 'A' && c <= 'Z')
      value = c - 'A';
    else if (c >= 'a' && c <= 'z')
      value = c - 'a' + 26;
    else if (c >= '0' && c <= '9')
      value = c - '0' + 52;
    else if (c == '+')
      value = 62;
    else if (c == '/')
      value = 63;
    else if (c == '=') {
      padding = true;
      continue;
    } else if (std::isspace(static_cast<unsigned char>(c)))
      continue;
    else
      throw std::invalid_argument("invalid base64 character");
    if (padding) throw std::invalid_argument("invalid base64: data after padding");
    buffer = (buffer << 6) | static_cast<unsigned>(value);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<char>((buffer >> bits) & 0xff));
    }
  }
  return out;
}

std::string uri_encode(std::string_view text, bool keep_slash) {
  return percent_encode(text, keep_slash);
}

std::string uri_decode(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '%' && i + 2 < text.size()) {
      const int hi = hex_digit_value(text[i + 1]);
      const int lo = hex_digit_value(text[i + 2]);
      if (hi >= 0 && lo >= 0) {
        out.push_back(static_cast<char>(hi * 16 + lo));
        i += 2;
        continue;
      }
    }
    out.push_back(text[i]);
  }
  return out;
}

namespace {
std::tm to_utc_tm(TimePoint t) {
  const std::time_t tt = std::chrono::system_clock::to_time_t(t);
  std::tm tm{};
  gmtime_r(&tt, &tm);
  return tm;
}

std::string format_tm(TimePoint t, const char* format) {
  const std::tm tm = to_utc_tm(t);
  char buffer[32];
  const std::size_t n = std::strftime(buffer, sizeof buffer, format, &tm);
  return std::string(buffer, n);
}
}  // namespace

std::string format_amz_date(TimePoint t) {
  return format_tm(t, "%Y%m%dT%H%M%SZ");
}
std::string format_amz_day(TimePoint t) {
  return format_tm(t, "%Y%m%d");
}
std::string format_iso8601(TimePoint t) {
  return format_tm(t, "%Y-%m-%dT%H:%M:%SZ");
}

namespace {

// `since_epoch` as a TimePoint, saturated to the clock's range instead of overflowing its
// nanosecond count.
template <class Duration>
TimePoint saturating_time(Duration since_epoch) {
  using std::chrono::duration_cast;
  constexpr auto kLatest = duration_cast<Duration>(TimePoint::max().time_since_epoch());
  constexpr auto kEarliest = duration_cast<Duration>(TimePoint::min().time_since_epoch());
  if (since_epoch >= kLatest) return TimePoint::max();
  if (since_epoch <= kEarliest) return TimePoint::min();
  return TimePoint{duration_cast<TimePoint::duration>(since_epoch)};
}

// Seconds since the epoch of a UTC date and time of day, or nullopt when it is no such date or
// time (second 60, a leap second, is allowed). Counted in seconds: a 64-bit count covers every
// 4-digit year, and saturating_time() then fits it to what the clock can hold (its nanosecond
// ticks reach only 1677-09-21..2262-04-11, and a "never expires" date such as 9999-12-31 must
// not wrap into the past).
std::optional<std::chrono::seconds> utc_seconds(int year, int month, int day, int hour, int minute,
                                                int second) {
  using namespace std::chrono;
  const year_month_day ymd{std::chrono::year{year}, std::chrono::month{static_cast<unsigned>(month)},
                           std::chrono::day{static_cast<unsigned>(day)}};
  if (!ymd.ok() || hour > 23 || minute > 59 || second > 60) return std::nullopt;
  return sys_days{ymd}.time_since_epoch() + hours{hour} + minutes{minute} + seconds{second};
}

}  // namespace

TimePoint parse_iso8601(std::string_view text) {
  const std::string original(text);
  auto fail = [&]() -> TimePoint {
    throw std::invalid_argument("not an ISO-8601 date-time: '" + original + "'");
  };
  text = trim(text);
  auto number = [&](std::size_t pos, std::size_t len) -> int {
    if (pos + len > text.size()) fail();
    int v = 0;
    auto [ptr, ec] = std::from_chars(text.data() + pos, text.data() + pos + len, v);
    if (ec != std::errc{} || ptr != text.data() + pos + len) fail();
    return v;
  };
  if (text.size() < 19 || text[4] != '-' || text[7] != '-' ||
      (text[10] != 'T' && text[10] != 't' && text[10] != ' ') || text[13] != ':' || text[16] != ':') {
    fail();
  }
  const int year = number(0, 4), month = number(5, 2), day = number(8, 2);
  const int hour = number(11, 2), minute = number(14, 2), second = number(17, 2);
  std::size_t pos = 19;
  if (pos < text.size() && text[pos] == '.') {
    ++pos;
    while (pos < text.size() && std::isdigit(static_cast<unsigned char>(text[pos]))) ++pos;
  }
  int offset_minutes = 0;
  std::string_view zone = text.substr(pos);
  if (zone == "Z" || zone == "z" || zone == "UTC" || zone.empty()) {
    offset_minutes = 0;
  } else if ((zone[0] == '+' || zone[0] == '-') && zone.size() == 6 && zone[3] == ':') {
    const int h = number(pos + 1, 2), m = number(pos + 4, 2);
    offset_minutes = (zone[0] == '+' ? 1 : -1) * (h * 60 + m);
  } else {
    fail();
  }
  const auto local = utc_seconds(year, month, day, hour, minute, second);
  if (!local) fail();
  return saturating_time(*local - std::chrono::minutes{offset_minutes});
}

TimePoint parse_http_date(std::string_view text) {
  const std::string original(text);
  auto fail = [&]() -> TimePoint {
    throw std::invalid_argument("not an HTTP date (like 'Sun, 06 Nov 1994 08:49:37 GMT'): '" + original +
                                "'");
  };
  text = trim(text);
  // "Sun, 06 Nov 1994 08:49:37 GMT": 29 characters at fixed places.
  if (text.size() != 29 || text.substr(3, 2) != ", " || text[7] != ' ' || text[11] != ' ' ||
      text[16] != ' ' || text[19] != ':' || text[22] != ':' || text.substr(25) != " GMT") {
    fail();
  }
  static constexpr std::string_view kDays = "MonTueWedThuFriSatSun";
  static constexpr std::string_view kMonths = "JanFebMarAprMayJunJulAugSepOctNovDec";
  const std::string_view day_name = text.substr(0, 3), month_name = text.substr(8, 3);
  const auto day_at = kDays.find(day_name), month_at = kMonths.find(month_name);
  if (day_at == std::string_view::npos || day_at % 3 != 0 || month_at == std::string_view::npos ||
      month_at % 3 != 0) {
    fail();
  }
  auto number = [&](std::size_t pos, std::size_t len) -> int {
    int v = 0;
    auto [ptr, ec] = std::from_chars(text.data() + pos, text.data() + pos + len, v);
    if (ec != std::errc{} || ptr != text.data() + pos + len ||
        !std::isdigit(static_cast<unsigned char>(text[pos])))
      fail();
    return v;
  };
  const int day = number(5, 2), year = number(12, 4);
  const int hour = number(17, 2), minute = number(20, 2), second = number(23, 2);
  const auto since_epoch = utc_seconds(year, static_cast<int>(month_at / 3 + 1), day, hour, minute, second);
  if (!since_epoch) fail();
  return saturating_time(*since_epoch);
}

TimePoint time_from_epoch_ms(std::int64_t ms) {
  return saturating_time(std::chrono::milliseconds(ms));
}

std::string_view trim(std::string_view text) {
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.front()))) text.remove_prefix(1);
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back()))) text.remove_suffix(1);
  return text;
}

std::string to_lower(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string to_upper(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

}  // namespace auric::aws
