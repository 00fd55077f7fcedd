// One call that turns "which identity, which region, which endpoint" into a ClientConfig
// for any service client: region and credentials resolved from the environment and the
// shared files (or one explicit profile), AWS_MAX_ATTEMPTS honoured. Thread-safe.
#pragma once

#include <memory>
#include <string>

#include "aws/client.hpp"
#include "aws/credential_providers.hpp"

namespace auric::aws {

struct SessionOptions {
  std::string profile;   // "" = default chain (AWS_PROFILE honoured); else exactly this profile
  std::string region;    // "" = AWS_REGION / AWS_DEFAULT_REGION / the profile's region
  std::string endpoint;  // "" = AWS_ENDPOINT_URL_<SERVICE> / AWS_ENDPOINT_URL / standard
  std::shared_ptr<const Environment> env;            // nullptr = process environment
  std::shared_ptr<HttpTransport> transport;          // nullptr = default transport
  std::shared_ptr<CredentialsProvider> credentials;  // overrides profile/chain when set
  Clock clock = system_now;
};

// Builds a ClientConfig. Credentials are resolved lazily, on the first signed request.
// Throws std::invalid_argument when AWS_MAX_ATTEMPTS is malformed or no region can be found
// (and no endpoint is given), ConfigFileError for malformed shared config files.
ClientConfig make_client_config(const SessionOptions& options = {});

}  // namespace auric::aws
