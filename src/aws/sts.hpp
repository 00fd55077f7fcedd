// STS client (Query protocol, XML responses): AssumeRole, AssumeRoleWithWebIdentity
// (unsigned, as AWS requires none) and GetCallerIdentity. Thread-safe.
#pragma once

#include <chrono>
#include <optional>
#include <string>

#include "aws/client.hpp"
#include "aws/credentials.hpp"

namespace auric::aws {

struct AssumedRole {
  Credentials credentials;  // with expiration
  std::string assumed_role_arn;
  std::string assumed_role_id;
};

struct AssumeRoleRequest {
  std::string role_arn;
  std::string role_session_name;
  std::optional<std::chrono::seconds> duration;
  std::string external_id;  // empty: not sent
  std::string mfa_serial;   // with token_code
  std::string token_code;
};

struct CallerIdentity {
  std::string account;
  std::string arn;
  std::string user_id;
};

// Decodes an `<operation>Response` body of AssumeRole or AssumeRoleWithWebIdentity (pure).
// Throws AwsError (code MalformedResponse) for anything else, including malformed XML and a
// bad Expiration.
AssumedRole parse_assume_role_response(std::string_view operation, std::string_view body);

class StsClient {
 public:
  // Throws std::invalid_argument when no endpoint can be resolved.
  explicit StsClient(ClientConfig config);

  // Returns temporary credentials for the role. Throws AwsError (e.g. AccessDenied) or
  // CredentialsError when the caller's own credentials cannot be obtained.
  AssumedRole assume_role(const AssumeRoleRequest& request);
  // Exchanges an OIDC token for role credentials; needs no caller credentials.
  // Throws AwsError (e.g. InvalidIdentityToken, ExpiredTokenException).
  AssumedRole assume_role_with_web_identity(const std::string& role_arn, const std::string& role_session_name,
                                            const std::string& web_identity_token,
                                            std::optional<std::chrono::seconds> duration = std::nullopt);
  // Returns who the credentials belong to. Throws AwsError / CredentialsError.
  CallerIdentity get_caller_identity();

  const ServiceClient& service_client() const { return client_; }

 private:
  ServiceClient client_;
};

}  // namespace auric::aws
