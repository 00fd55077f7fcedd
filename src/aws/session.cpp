#include "aws/session.hpp"

#include <stdexcept>

namespace auric::aws {

ClientConfig make_client_config(const SessionOptions& options) {
  ClientConfig config;
  config.env = options.env ? options.env : process_environment();
  config.transport = options.transport ? options.transport : default_transport();
  config.clock = options.clock ? options.clock : Clock(system_now);
  config.retry = retry_policy_from_environment(*config.env);
  config.endpoint = options.endpoint;

  const std::string profile = options.profile.empty() ? selected_profile(*config.env) : options.profile;
  if (!options.region.empty()) {
    config.region = options.region;
  } else if (auto env_region = config.env->get("AWS_REGION")) {
    config.region = *env_region;
  } else if (auto default_region = config.env->get("AWS_DEFAULT_REGION")) {
    config.region = *default_region;
  } else {
    const SharedConfig shared = load_shared_config(*config.env);
    if (auto r = resolve_region(*config.env, shared, profile)) config.region = *r;
  }

  ProviderContext context;
  context.env = config.env;
  context.transport = config.transport;
  context.clock = config.clock;
  context.retry = config.retry;
  if (options.credentials) {
    config.credentials = options.credentials;
  } else if (!options.profile.empty()) {
    config.credentials = make_profile_credentials_provider(context, options.profile);
  } else {
    config.credentials = make_default_credentials_chain(context);
  }
  return config;
}

}  // namespace auric::aws
