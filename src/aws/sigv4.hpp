// AWS Signature Version 4, as pure functions of (request, credentials, time, options).
// Header form (Authorization header) and query form (presigned URL). Held byte for byte to
// the official aws-c-auth test suite (tests/aws/sigv4_suite_test.cpp). Thread-safe.
#pragma once

#include <chrono>
#include <optional>
#include <string>

#include "aws/credentials.hpp"
#include "aws/encoding.hpp"
#include "aws/http.hpp"

namespace auric::aws {

inline constexpr std::string_view kUnsignedPayload = "UNSIGNED-PAYLOAD";

struct SigningOptions {
  std::string region;
  std::string service;  // signing name: "dynamodb", "s3", "execute-api", ...
  TimePoint time;
  // Remove "." and ".." segments and duplicate slashes before signing (false for S3).
  bool normalize_path = true;
  // Encode the (already wire-encoded) path once more for the canonical URI (false for S3).
  bool double_encode_path = true;
  // Add "x-amz-content-sha256" (required by S3) and sign it.
  bool add_content_sha256_header = false;
  // Use "UNSIGNED-PAYLOAD" instead of the body hash.
  bool unsigned_payload = false;
  // Precomputed payload hash (hex), e.g. of a file body; overrides hashing request.body.
  std::optional<std::string> payload_hash;
  // Add the session token after signing instead of signing it (some services want this).
  bool omit_session_token = false;
  // Query form only: X-Amz-Expires in seconds.
  std::chrono::seconds expires_in{3600};
};

// Everything the signer computed, for tests and debugging.
struct SigningResult {
  std::string canonical_request;
  std::string string_to_sign;
  std::string signature;  // lowercase hex
  std::string signed_headers;
  std::string authorization;  // header form: the Authorization header value
};

// Signs in header form: adds Host (if absent), X-Amz-Date, X-Amz-Security-Token (when the
// credentials carry one), x-amz-content-sha256 (if asked) and Authorization to the request.
// Throws std::invalid_argument if request.url is not an absolute URL.
SigningResult sign_request(HttpRequest& request, const Credentials& credentials,
                           const SigningOptions& options);

// Signs in query form: appends X-Amz-Algorithm, -Credential, -Date, -SignedHeaders, -Expires,
// -Security-Token and -Signature to the URL (after the request's own parameters).
// Throws std::invalid_argument if request.url is not an absolute URL.
SigningResult presign_request(HttpRequest& request, const Credentials& credentials,
                              const SigningOptions& options);

// The canonical URI of a wire path under the given options (exposed for tests).
std::string canonical_uri(std::string_view path, bool normalize, bool double_encode);

// The canonical query string of a raw query (exposed for tests).
std::string canonical_query(std::string_view query);

// The SigV4 signing key for a day/region/service (exposed for the benchmark and caching).
std::string derive_signing_key(std::string_view secret, std::string_view day, std::string_view region,
                               std::string_view service);

}  // namespace auric::aws
