// Runs every case of the official SigV4 suite (aws-c-auth tests/aws-signing-test-suite/v4),
// header and query forms, and compares canonical request, string to sign, signature,
// Authorization header and presigned request line byte for byte.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "aws/sigv4.hpp"

namespace auric::aws {
namespace {

namespace fs = std::filesystem;

const fs::path kSuiteDir = fs::path(AURIC_SIGV4_SUITE_DIR) / "v4";

std::string read_raw(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + path.string());
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

struct ParsedRequest {
  std::string method;
  std::string target;  // path[?query] as written
  Headers headers;
  std::string body;
};

// Parses the suite's raw HTTP/1.1 request text (LF line ends, folded header lines allowed).
ParsedRequest parse_raw_request(const std::string& text) {
  ParsedRequest out;
  std::size_t pos = text.find('\n');
  std::string request_line = text.substr(0, pos);
  const auto first_space = request_line.find(' ');
  const auto last_space = request_line.rfind(' ');
  out.method = request_line.substr(0, first_space);
  out.target = request_line.substr(first_space + 1, last_space - first_space - 1);
  std::vector<std::pair<std::string, std::string>> headers;
  while (pos != std::string::npos && pos + 1 <= text.size()) {
    const std::size_t start = pos + 1;
    pos = text.find('\n', start);
    std::string line = text.substr(start, pos == std::string::npos ? std::string::npos : pos - start);
    if (line.empty()) {
      if (pos != std::string::npos) out.body = text.substr(pos + 1);
      break;
    }
    if ((line[0] == ' ' || line[0] == '\t') && !headers.empty()) {
      headers.back().second += "\n" + line;  // folded continuation line
      continue;
    }
    const auto colon = line.find(':');
    headers.emplace_back(line.substr(0, colon), line.substr(colon + 1));
  }
  for (auto& [k, v] : headers) out.headers.add(k, v);
  return out;
}

struct SuiteCase {
  std::string name;
  fs::path dir;
};

void PrintTo(const SuiteCase& c, std::ostream* os) {
  *os << c.name;
}

std::vector<SuiteCase> all_cases() {
  std::vector<SuiteCase> cases;
  if (!fs::is_directory(kSuiteDir)) return cases;
  for (const auto& entry : fs::directory_iterator(kSuiteDir)) {
    if (entry.is_directory()) cases.push_back({entry.path().filename().string(), entry.path()});
  }
  std::sort(cases.begin(), cases.end(), [](const auto& a, const auto& b) { return a.name < b.name; });
  return cases;
}

struct Context {
  Credentials credentials;
  SigningOptions options;
  bool sign_body = false;
};

Context load_context(const fs::path& dir) {
  const auto json = nlohmann::json::parse(read_raw(dir / "context.json"));
  Context c;
  c.credentials.access_key_id = json.at("credentials").at("access_key_id");
  c.credentials.secret_access_key = json.at("credentials").at("secret_access_key");
  c.credentials.session_token = json.at("credentials").value("token", "");
  c.options.region = json.at("region");
  c.options.service = json.at("service");
  c.options.time = parse_iso8601(json.at("timestamp").get<std::string>());
  c.options.normalize_path = json.value("normalize", true);
  c.options.double_encode_path = true;
  c.options.omit_session_token = json.value("omit_session_token", false);
  c.options.expires_in = std::chrono::seconds(json.value("expiration_in_seconds", 3600));
  c.sign_body = json.value("sign_body", false);
  return c;
}

HttpRequest to_http_request(const ParsedRequest& parsed) {
  HttpRequest request;
  request.method = parsed.method;
  request.url = "https://" + parsed.headers.get("host").value_or("example.amazonaws.com") + parsed.target;
  request.headers = parsed.headers;
  request.body = parsed.body;
  return request;
}

std::vector<std::pair<std::string, std::string>> normalized(const Headers& headers) {
  std::vector<std::pair<std::string, std::string>> out;
  for (const auto& [k, v] : headers.entries()) out.emplace_back(to_lower(k), std::string(trim(v)));
  std::sort(out.begin(), out.end());
  return out;
}

Credentials make_credentials(std::string id, std::string secret) {
  Credentials c;
  c.access_key_id = std::move(id);
  c.secret_access_key = std::move(secret);
  return c;
}

class SigV4SuiteTest : public ::testing::TestWithParam<SuiteCase> {};

TEST(SigV4Suite, HasAllThirtyEightCases) {
  // Guards against silently running nothing when the data path is wrong.
  EXPECT_EQ(all_cases().size(), 38u) << "suite dir: " << kSuiteDir;
}

TEST_P(SigV4SuiteTest, HeaderForm) {
  const auto& dir = GetParam().dir;
  Context context = load_context(dir);
  context.options.add_content_sha256_header = context.sign_body;
  const ParsedRequest parsed = parse_raw_request(read_raw(dir / "request.txt"));
  HttpRequest request = to_http_request(parsed);

  const SigningResult result = sign_request(request, context.credentials, context.options);

  EXPECT_EQ(result.canonical_request, read_raw(dir / "header-canonical-request.txt"));
  EXPECT_EQ(result.string_to_sign, read_raw(dir / "header-string-to-sign.txt"));
  EXPECT_EQ(result.signature, read_raw(dir / "header-signature.txt"));

  const ParsedRequest expected = parse_raw_request(read_raw(dir / "header-signed-request.txt"));
  ASSERT_TRUE(expected.headers.get("authorization").has_value());
  EXPECT_EQ("Authorization:" + result.authorization,
            "Authorization:" + *expected.headers.get("authorization"));
  // The signed request carries exactly the expected headers (order aside).
  EXPECT_EQ(normalized(request.headers), normalized(expected.headers));
}

TEST_P(SigV4SuiteTest, QueryForm) {
  const auto& dir = GetParam().dir;
  Context context = load_context(dir);
  const ParsedRequest parsed = parse_raw_request(read_raw(dir / "request.txt"));
  HttpRequest request = to_http_request(parsed);

  const SigningResult result = presign_request(request, context.credentials, context.options);

  EXPECT_EQ(result.canonical_request, read_raw(dir / "query-canonical-request.txt"));
  EXPECT_EQ(result.string_to_sign, read_raw(dir / "query-string-to-sign.txt"));
  EXPECT_EQ(result.signature, read_raw(dir / "query-signature.txt"));

  const std::string signed_text = read_raw(dir / "query-signed-request.txt");
  const std::string expected_line = signed_text.substr(0, signed_text.find('\n'));
  const Url url = parse_url(request.url);
  const std::string target = request.url.substr(url.origin().size());
  EXPECT_EQ(request.method + " " + target + " HTTP/1.1", expected_line);
}

INSTANTIATE_TEST_SUITE_P(Official, SigV4SuiteTest, ::testing::ValuesIn(all_cases()),
                         [](const ::testing::TestParamInfo<SuiteCase>& param_info) {
                           std::string name = param_info.param.name;
                           std::replace(name.begin(), name.end(), '-', '_');
                           return name;
                         });

TEST(SigV4, UnsignedPayloadAndContentSha256Header) {
  HttpRequest request;
  request.method = "PUT";
  request.url = "https://bucket.s3.us-east-1.amazonaws.com/a%20b/c.txt";
  request.body = "hello";
  SigningOptions options;
  options.region = "us-east-1";
  options.service = "s3";
  options.time = parse_iso8601("2015-08-30T12:36:00Z");
  options.normalize_path = false;
  options.double_encode_path = false;
  options.unsigned_payload = true;
  options.add_content_sha256_header = true;
  const Credentials credentials = make_credentials("AKID", "SECRET");
  const SigningResult result = sign_request(request, credentials, options);
  EXPECT_EQ(request.headers.get("x-amz-content-sha256"), "UNSIGNED-PAYLOAD");
  EXPECT_NE(result.canonical_request.find("\n/a%20b/c.txt\n"), std::string::npos)
      << "S3 paths are signed as sent, not double-encoded";
  EXPECT_TRUE(result.canonical_request.ends_with("\nUNSIGNED-PAYLOAD"));
  EXPECT_NE(result.signed_headers.find("x-amz-content-sha256"), std::string::npos);
}

TEST(SigV4, DoubleEncodesPathsForOtherServices) {
  EXPECT_EQ(canonical_uri("/2015-03-31/functions/arn%3Aaws%3Alambda/invocations", true, true),
            "/2015-03-31/functions/arn%253Aaws%253Alambda/invocations");
  EXPECT_EQ(canonical_uri("/a%3Ab", false, false), "/a%3Ab");
}

TEST(SigV4, SignatureDependsOnTimeAndSecret) {
  HttpRequest base;
  base.url = "https://example.amazonaws.com/";
  SigningOptions options;
  options.region = "us-east-1";
  options.service = "service";
  options.time = parse_iso8601("2015-08-30T12:36:00Z");
  const Credentials a = make_credentials("AKID", "one");
  const Credentials b = make_credentials("AKID", "two");
  HttpRequest r1 = base, r2 = base, r3 = base;
  const auto s1 = sign_request(r1, a, options).signature;
  const auto s2 = sign_request(r2, b, options).signature;
  options.time += std::chrono::seconds(1);
  const auto s3 = sign_request(r3, a, options).signature;
  EXPECT_NE(s1, s2);
  EXPECT_NE(s1, s3);
}

}  // namespace
}  // namespace auric::aws
