#include "dynalite_server.hpp"

namespace auric::aws::testing {

std::shared_ptr<CredentialsProvider> emulator_credentials(const std::string& key, const std::string& secret) {
  Credentials c;
  c.access_key_id = key;
  c.secret_access_key = secret;
  return std::make_shared<StaticCredentialsProvider>(c);
}

DynaliteServer::DynaliteServer()
    : process_(require_node_script("dynalite/cli.js"),
               {"--host", "127.0.0.1", "--port", "@PORT@", "--createTableMs", "0"}, 0) {}

std::string DynaliteServer::endpoint() const {
  return "http://127.0.0.1:" + std::to_string(port());
}

ClientConfig DynaliteServer::client_config(const std::string& endpoint_override) const {
  ClientConfig config;
  config.region = "us-east-1";
  config.endpoint = endpoint_override.empty() ? endpoint() : endpoint_override;
  config.credentials = emulator_credentials();
  config.env = std::make_shared<MapEnvironment>();
  return config;
}

}  // namespace auric::aws::testing
