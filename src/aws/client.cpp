#include "aws/client.hpp"

#include "aws/sigv4.hpp"

namespace auric::aws {

ServiceClient::ServiceClient(const ServiceInfo& service, ClientConfig config)
    : service_(service), config_(std::move(config)) {
  if (!config_.transport) config_.transport = default_transport();
  if (!config_.env) config_.env = process_environment();
  if (!config_.clock) config_.clock = system_now;
  endpoint_ = resolve_endpoint(service_, config_.region, *config_.env, config_.endpoint);
}

Outcome ServiceClient::send(std::string_view operation, const HttpRequest& request,
                            const SendOptions& options) const {
  const RetryPolicy& retry = config_.retry;
  const int max_attempts = std::max(1, retry.max_attempts);
  for (int attempt = 1;; ++attempt) {
    HttpRequest wire = request;
    if (options.sign && config_.credentials) {
      const Credentials credentials = config_.credentials->get_credentials();
      SigningOptions signing;
      signing.region = config_.region.empty() ? "us-east-1" : config_.region;
      signing.service = std::string(service_.signing_name);
      signing.time = config_.clock();
      signing.unsigned_payload = options.unsigned_payload;
      signing.add_content_sha256_header = options.content_sha256_header;
      signing.normalize_path = !options.s3_path_rules;
      signing.double_encode_path = !options.s3_path_rules;
      sign_request(wire, credentials, signing);
    }
    std::optional<AwsError> error;
    try {
      HttpResponse response = config_.transport->send(wire);
      if (response.status >= 200 && response.status < 300) return Outcome{std::move(response), std::nullopt};
      error.emplace(parse_error_response(service_.name, operation, response));
      if (!(error->retryable() && attempt < max_attempts)) {
        if (attempt > 1) {
          AwsError::Details d = error->details();
          d.message += " (after " + std::to_string(attempt) + " attempts)";
          error.emplace(std::move(d));
        }
        return Outcome{std::move(response), std::move(error)};
      }
    } catch (const TransportError& e) {
      error.emplace(network_error(service_.name, operation, e));
      if (!(error->retryable() && attempt < max_attempts)) {
        AwsError::Details d = error->details();
        if (attempt > 1) d.message += " (after " + std::to_string(attempt) + " attempts)";
        return Outcome{HttpResponse{}, AwsError(std::move(d))};
      }
    }
    retry.wait(attempt);
  }
}

HttpResponse ServiceClient::send_or_throw(std::string_view operation, const HttpRequest& request,
                                          const SendOptions& options) const {
  Outcome outcome = send(operation, request, options);
  if (!outcome.ok()) throw *outcome.error;
  return std::move(outcome.response);
}

}  // namespace auric::aws
