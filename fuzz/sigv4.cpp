// SigV4 canonicalisation and signing: the input is "METHOD\nURL\nHEADERS\nBODY" (HEADERS:
// "name:value" entries separated by tabs). canonical_uri and canonical_query (total) on the raw
// parts and on the parsed URL (parse_url: std::invalid_argument for anything but an absolute
// http(s) URL), then sign_request and presign_request in DynamoDB and S3 styles (documented:
// std::invalid_argument for a URL that is not absolute). Canonical forms are fixed points.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>

#include "aws/credentials.hpp"
#include "aws/http.hpp"
#include "aws/sigv4.hpp"
#include "fuzz_support.hpp"

namespace aws = auric::aws;
using auric::fuzz::check;

namespace {

void canonicalise(std::string_view path, std::string_view query) {
  for (bool normalize : {false, true}) {
    for (bool double_encode : {false, true}) (void)aws::canonical_uri(path, normalize, double_encode);
  }
  const std::string normalized = aws::canonical_uri(path, true, false);
  check(aws::canonical_uri(normalized, true, false) == normalized, "a normalized path normalizes again",
        normalized);
  const std::string canonical = aws::canonical_query(query);
  check(aws::canonical_query(canonical) == canonical, "a canonical query canonicalises again", canonical);
}

aws::HttpRequest make_request(const std::vector<std::string_view>& parts) {
  aws::HttpRequest request;
  request.method = std::string(parts[0]);
  request.url = std::string(parts[1]);
  for (std::string_view entry : auric::fuzz::split(parts[2], '\t', 16)) {
    if (entry.empty()) continue;
    const auto colon = entry.find(':');
    request.headers.add(std::string(entry.substr(0, colon)), colon == std::string_view::npos
                                                                 ? std::string()
                                                                 : std::string(entry.substr(colon + 1)));
  }
  request.body = std::string(parts[3]);
  return request;
}

void sign(const aws::HttpRequest& original, bool s3, bool presign) {
  const aws::Credentials credentials{.access_key_id = "AKIDEXAMPLE",
                                     .secret_access_key = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
                                     .session_token = "token/with+chars=="};
  aws::SigningOptions options;
  options.region = "eu-west-1";
  options.service = s3 ? "s3" : "dynamodb";
  options.time = aws::TimePoint(std::chrono::seconds(1'440'938'160));  // 2015-08-30T12:36:00Z
  options.normalize_path = !s3;
  options.double_encode_path = !s3;
  options.add_content_sha256_header = s3;
  aws::HttpRequest request = original;
  try {
    const aws::SigningResult result = presign ? aws::presign_request(request, credentials, options)
                                              : aws::sign_request(request, credentials, options);
    check(result.signature.size() == 64, "a signature that is not 32 bytes of hex", result.signature);
    if (!presign) check(request.headers.contains("authorization"), "a signed request without Authorization");
  } catch (const std::invalid_argument&) {  // documented: not an absolute URL
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto parts = auric::fuzz::split(auric::fuzz::as_text(data, size), '\n', 4);
  canonicalise(parts[1], parts[2]);
  try {
    const aws::Url url = aws::parse_url(parts[1]);
    check(!url.path.empty() && url.path.front() == '/', "a parsed path that does not start with '/'",
          url.path);
    (void)url.origin();
    canonicalise(url.path, url.query);
  } catch (const std::invalid_argument&) {
  }
  const aws::HttpRequest request = make_request(parts);
  for (bool s3 : {false, true}) {
    for (bool presign : {false, true}) sign(request, s3, presign);
  }
  return 0;
}
