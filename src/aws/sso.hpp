// SSO portal client (REST-JSON): GetRoleCredentials, authorised by the access token from
// the SSO token cache rather than SigV4. Thread-safe.
#pragma once

#include <string>

#include "aws/client.hpp"
#include "aws/credentials.hpp"

namespace auric::aws {

class SsoClient {
 public:
  // The config's region must be the SSO region (sso_region). Credentials are not used.
  // Throws std::invalid_argument when no endpoint can be resolved.
  explicit SsoClient(ClientConfig config);

  // Returns the role's temporary credentials. Throws AwsError: UnauthorizedException when
  // the access token is no longer valid, MalformedResponse for unexpected bodies.
  Credentials get_role_credentials(const std::string& access_token, const std::string& account_id,
                                   const std::string& role_name);

  const ServiceClient& service_client() const { return client_; }

 private:
  ServiceClient client_;
};

}  // namespace auric::aws
