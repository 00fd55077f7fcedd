// The shared core of every service client: endpoint, signing, the retry loop and error
// parsing. A service client method builds an HttpRequest through a protocol codec
// (protocols.hpp) and calls ServiceClient::send. ServiceClient is immutable after
// construction and safe to use from several threads at once.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "aws/credentials.hpp"
#include "aws/endpoints.hpp"
#include "aws/environment.hpp"
#include "aws/errors.hpp"
#include "aws/http.hpp"
#include "aws/retry.hpp"

namespace auric::aws {

struct ClientConfig {
  std::string region;    // required unless every endpoint is overridden
  std::string endpoint;  // explicit endpoint override for this client ("" = resolve)
  // nullptr sends unsigned requests (STS web identity and SSO do not need credentials).
  std::shared_ptr<CredentialsProvider> credentials;
  std::shared_ptr<HttpTransport> transport;  // nullptr = default_transport()
  std::shared_ptr<const Environment> env;    // nullptr = process_environment()
  RetryPolicy retry;
  Clock clock = system_now;
  bool s3_path_style = false;  // S3: bucket in the path instead of the host name
};

// How one request is signed.
struct SendOptions {
  bool sign = true;
  bool unsigned_payload = false;
  bool content_sha256_header = false;
  bool s3_path_rules = false;  // no path normalisation nor double encoding (S3)
};

// The result of a call after retries: a 2xx response, or the final error.
struct Outcome {
  HttpResponse response;
  std::optional<AwsError> error;
  bool ok() const { return !error.has_value(); }
};

class ServiceClient {
 public:
  // Resolves the endpoint now. Throws std::invalid_argument when no endpoint can be
  // resolved (no region and no override) or the override is not a URL.
  ServiceClient(const ServiceInfo& service, ClientConfig config);

  // Signs (unless options.sign is false), sends and retries per the retry policy.
  // Returns the Outcome: a 2xx response, or the final AwsError (service errors, exhausted
  // network retries). Throws CredentialsError when credentials cannot be obtained.
  // Requires: request.url is absolute (build it from endpoint()).
  Outcome send(std::string_view operation, const HttpRequest& request, const SendOptions& options = {}) const;

  // Like send, but throws the final AwsError.
  HttpResponse send_or_throw(std::string_view operation, const HttpRequest& request,
                             const SendOptions& options = {}) const;

  const ServiceInfo& service() const { return service_; }
  const std::string& endpoint() const { return endpoint_; }
  const std::string& region() const { return config_.region; }
  const ClientConfig& config() const { return config_; }

 private:
  ServiceInfo service_;
  ClientConfig config_;
  std::string endpoint_;
};

}  // namespace auric::aws
