#include "aws/sigv4.hpp"

#include <algorithm>
#include <map>
#include <utility>
#include <vector>

namespace auric::aws {
namespace {

constexpr std::string_view kAlgorithm = "AWS4-HMAC-SHA256";

bool skip_header(std::string_view lower_name) {
  return lower_name == "authorization" || lower_name == "user-agent" || lower_name == "x-amzn-trace-id" ||
         lower_name == "expect" || lower_name == "transfer-encoding" || lower_name == "connection" ||
         lower_name.starts_with("awssdk-");
}

// Trims and collapses every run of whitespace (including folded line breaks) to one space.
std::string canonical_value(std::string_view value) {
  std::string out;
  out.reserve(value.size());
  bool pending_space = false;
  for (char c : trim(value)) {
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
      pending_space = true;
      continue;
    }
    if (pending_space) out.push_back(' ');
    pending_space = false;
    out.push_back(c);
  }
  return out;
}

struct CanonicalHeaders {
  std::string block;  // "name:value\n" lines
  std::string signed_names;
};

CanonicalHeaders canonical_headers(const Headers& headers) {
  std::map<std::string, std::string> merged;
  for (const auto& [name, value] : headers.entries()) {
    std::string lower = to_lower(trim(name));
    if (skip_header(lower)) continue;
    auto [it, inserted] = merged.try_emplace(std::move(lower), canonical_value(value));
    if (!inserted) {
      it->second += ',';
      it->second += canonical_value(value);
    }
  }
  CanonicalHeaders out;
  for (const auto& [name, value] : merged) {
    out.block += name;
    out.block += ':';
    out.block += value;
    out.block += '\n';
    if (!out.signed_names.empty()) out.signed_names += ';';
    out.signed_names += name;
  }
  return out;
}

std::string normalize_path(std::string_view path) {
  std::vector<std::string_view> segments;
  std::size_t start = 0;
  while (start <= path.size()) {
    const auto slash = path.find('/', start);
    const auto end = slash == std::string_view::npos ? path.size() : slash;
    std::string_view segment = path.substr(start, end - start);
    if (segment == "..") {
      if (!segments.empty()) segments.pop_back();
    } else if (!segment.empty() && segment != ".") {
      segments.push_back(segment);
    }
    if (slash == std::string_view::npos) break;
    start = slash + 1;
  }
  std::string out = "/";
  for (std::size_t i = 0; i < segments.size(); ++i) {
    if (i > 0) out += '/';
    out += segments[i];
  }
  const bool trailing = path.size() > 1 && path.back() == '/';
  if (trailing && !segments.empty()) out += '/';
  return out;
}

const std::string& cached_signing_key(std::string_view secret, std::string_view day, std::string_view region,
                                      std::string_view service) {
  // One entry per thread: a client signs many requests with the same key per day.
  thread_local std::string cached_input;
  thread_local std::string cached_key;
  std::string input;
  input.reserve(secret.size() + day.size() + region.size() + service.size() + 3);
  input.append(secret).append("\n").append(day).append("\n").append(region).append("\n").append(service);
  if (input != cached_input) {
    cached_key = derive_signing_key(secret, day, region, service);
    cached_input = std::move(input);
  }
  return cached_key;
}

std::string payload_hash_for(const HttpRequest& request, const SigningOptions& options) {
  if (options.unsigned_payload) return std::string(kUnsignedPayload);
  if (options.payload_hash) return *options.payload_hash;
  return sha256_hex(request.body);
}

struct Signed {
  SigningResult result;
  std::string scope;
};

Signed compute(const HttpRequest& request, const Url& url, std::string_view query,
               const CanonicalHeaders& headers, const std::string& payload_hash,
               const Credentials& credentials, const SigningOptions& options, const std::string& amz_date,
               const std::string& day) {
  Signed s;
  s.scope = day + "/" + options.region + "/" + options.service + "/aws4_request";
  std::string& cr = s.result.canonical_request;
  cr.reserve(256 + headers.block.size() + query.size());
  cr += request.method;
  cr += '\n';
  cr += canonical_uri(url.path, options.normalize_path, options.double_encode_path);
  cr += '\n';
  cr += canonical_query(query);
  cr += '\n';
  cr += headers.block;
  cr += '\n';
  cr += headers.signed_names;
  cr += '\n';
  cr += payload_hash;
  s.result.string_to_sign =
      std::string(kAlgorithm) + "\n" + amz_date + "\n" + s.scope + "\n" + sha256_hex(cr);
  const std::string& key =
      cached_signing_key(credentials.secret_access_key, day, options.region, options.service);
  s.result.signature = hex_encode(hmac_sha256(key, s.result.string_to_sign));
  s.result.signed_headers = headers.signed_names;
  return s;
}

}  // namespace

std::string derive_signing_key(std::string_view secret, std::string_view day, std::string_view region,
                               std::string_view service) {
  const std::string k_date = hmac_sha256("AWS4" + std::string(secret), day);
  const std::string k_region = hmac_sha256(k_date, region);
  const std::string k_service = hmac_sha256(k_region, service);
  return hmac_sha256(k_service, "aws4_request");
}

std::string canonical_uri(std::string_view path, bool normalize, bool double_encode) {
  if (path.empty()) path = "/";
  std::string p = normalize ? normalize_path(path) : std::string(path);
  return double_encode ? uri_encode(p, /*keep_slash=*/true) : p;
}

std::string canonical_query(std::string_view query) {
  std::vector<std::pair<std::string, std::string>> params;
  std::size_t start = 0;
  while (start <= query.size() && !query.empty()) {
    const auto amp = query.find('&', start);
    const auto end = amp == std::string_view::npos ? query.size() : amp;
    std::string_view piece = query.substr(start, end - start);
    if (!piece.empty()) {
      const auto eq = piece.find('=');
      std::string_view key = piece.substr(0, eq);
      std::string_view value = eq == std::string_view::npos ? std::string_view{} : piece.substr(eq + 1);
      params.emplace_back(uri_encode(uri_decode(key)), uri_encode(uri_decode(value)));
    }
    if (amp == std::string_view::npos) break;
    start = amp + 1;
  }
  std::sort(params.begin(), params.end());
  std::string out;
  for (const auto& [k, v] : params) {
    if (!out.empty()) out += '&';
    out += k;
    out += '=';
    out += v;
  }
  return out;
}

SigningResult sign_request(HttpRequest& request, const Credentials& credentials,
                           const SigningOptions& options) {
  const Url url = parse_url(request.url);
  if (!request.headers.contains("host")) request.headers.add("Host", url.authority());
  const std::string amz_date = format_amz_date(options.time);
  const std::string day = format_amz_day(options.time);
  request.headers.set("X-Amz-Date", amz_date);
  request.headers.remove("authorization");
  request.headers.remove("x-amz-security-token");
  const bool has_token = !credentials.session_token.empty();
  if (has_token && !options.omit_session_token) {
    request.headers.add("X-Amz-Security-Token", credentials.session_token);
  }
  const std::string payload_hash = payload_hash_for(request, options);
  if (options.add_content_sha256_header) request.headers.set("x-amz-content-sha256", payload_hash);

  const CanonicalHeaders headers = canonical_headers(request.headers);
  Signed s = compute(request, url, url.query, headers, payload_hash, credentials, options, amz_date, day);
  s.result.authorization = std::string(kAlgorithm) + " Credential=" + credentials.access_key_id + "/" +
                           s.scope + ", SignedHeaders=" + headers.signed_names +
                           ", Signature=" + s.result.signature;
  request.headers.add("Authorization", s.result.authorization);
  if (has_token && options.omit_session_token) {
    request.headers.add("X-Amz-Security-Token", credentials.session_token);
  }
  return std::move(s.result);
}

SigningResult presign_request(HttpRequest& request, const Credentials& credentials,
                              const SigningOptions& options) {
  const Url url = parse_url(request.url);
  if (!request.headers.contains("host")) request.headers.add("Host", url.authority());
  const std::string amz_date = format_amz_date(options.time);
  const std::string day = format_amz_day(options.time);
  const std::string scope = day + "/" + options.region + "/" + options.service + "/aws4_request";
  const CanonicalHeaders headers = canonical_headers(request.headers);
  const bool has_token = !credentials.session_token.empty();

  // Added in the order the reference signer emits them.
  std::vector<std::pair<std::string, std::string>> added = {
      {"X-Amz-Algorithm", std::string(kAlgorithm)},
      {"X-Amz-Credential", credentials.access_key_id + "/" + scope},
      {"X-Amz-Date", amz_date},
      {"X-Amz-SignedHeaders", headers.signed_names},
      {"X-Amz-Expires", std::to_string(options.expires_in.count())},
  };
  if (has_token && !options.omit_session_token) {
    added.emplace_back("X-Amz-Security-Token", credentials.session_token);
  }
  std::string query = url.query;
  for (const auto& [k, v] : added) {
    if (!query.empty()) query += '&';
    query += k + "=" + uri_encode(v);
  }
  const std::string payload_hash = payload_hash_for(request, options);
  Signed s = compute(request, url, query, headers, payload_hash, credentials, options, amz_date, day);
  if (has_token && options.omit_session_token) {
    query += "&X-Amz-Security-Token=" + uri_encode(credentials.session_token);
  }
  query += "&X-Amz-Signature=" + s.result.signature;
  request.url = url.origin() + url.path + "?" + query;
  return std::move(s.result);
}

}  // namespace auric::aws
