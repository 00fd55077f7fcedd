// The AWS layer's errors: the one error type, AwsError (declared in the public
// <auric/dynamodb_client.hpp>, since migrations catch it), its credential subclasses, and the
// one parser that builds it from any protocol's error response (JSON __type/code, XML
// <Error><Code>, REST x-amzn-errortype). Expected outcomes are told apart cheaply by code():
// e.g. "ConditionalCheckFailedException", "NotFound", "ResourceNotFoundException". Values
// only; thread-safe.
#pragma once

#include <stdexcept>
#include <string>
#include <string_view>

#include <auric/dynamodb_client.hpp>

#include "aws/http.hpp"

namespace auric::aws {

// Codes the layer itself produces (not sent by AWS).
inline constexpr std::string_view kNetworkErrorCode = "NetworkError";
inline constexpr std::string_view kMalformedResponseCode = "MalformedResponse";
inline constexpr std::string_view kCredentialsNotFoundCode = "CredentialsNotFound";
inline constexpr std::string_view kCredentialsErrorCode = "CredentialsError";
inline constexpr std::string_view kSsoTokenExpiredCode = "SsoTokenExpired";

// A credential source is configured but failed, or no source is configured.
class CredentialsError : public AwsError {
 public:
  CredentialsError(std::string provider, std::string message,
                   std::string code = std::string(kCredentialsErrorCode));
};

// No credential source is configured (a chain moves on to its next provider).
class CredentialsNotFoundError : public CredentialsError {
 public:
  CredentialsNotFoundError(std::string provider, std::string message);
};

// The SSO access token in ~/.aws/sso/cache is missing or expired: the user must log in again.
class SsoTokenExpiredError : public CredentialsError {
 public:
  SsoTokenExpiredError(const std::string& profile, const std::string& detail);
  const std::string& profile() const { return profile_; }

 private:
  std::string profile_;
};

// True for the throttling codes of the standard retry mode.
bool is_throttling_code(std::string_view code);
// True for transient service codes (timeouts, internal errors) of the standard retry mode.
bool is_transient_code(std::string_view code);

// Builds the AwsError for a non-2xx response of any protocol. Never throws: an unreadable body
// gives a code derived from the HTTP status and the first bytes of the body as message.
AwsError parse_error_response(std::string_view service, std::string_view operation,
                              const HttpResponse& response);

// The AwsError for a transport failure (code NetworkError, retryable when transient).
AwsError network_error(std::string_view service, std::string_view operation, const TransportError& error);

// The AwsError for a 2xx response whose body cannot be understood (code MalformedResponse).
AwsError malformed_response(std::string_view service, std::string_view operation, std::string_view what,
                            const HttpResponse* response = nullptr);

}  // namespace auric::aws
