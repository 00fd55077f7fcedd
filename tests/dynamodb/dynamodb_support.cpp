#include "dynamodb_support.hpp"

#include <stdlib.h>
#include <unistd.h>

#include <atomic>

#include "aws/retry.hpp"
#include "store/dynamodb_store.hpp"

namespace auric::dynamodb_testing {

aws::testing::DynaliteServer& dynalite() {
  static aws::testing::DynaliteServer server;
  return server;
}

std::string unique_table(std::string_view prefix) {
  static std::atomic<int> counter{0};
  return std::string(prefix) + "-" + std::to_string(::getpid()) + "-" + std::to_string(++counter);
}

std::map<std::string, std::string> emulator_env() {
  return {{"AWS_ACCESS_KEY_ID", "AKIDTEST"},
          {"AWS_SECRET_ACCESS_KEY", "secret"},
          {"AWS_REGION", "us-east-1"},
          {"AWS_EC2_METADATA_DISABLED", "true"},
          {"AWS_ENDPOINT_URL", ""},
          {"AWS_ENDPOINT_URL_DYNAMODB", ""},
          {"AWS_PROFILE", ""},
          {"AWS_SESSION_TOKEN", ""},
          {"AWS_MAX_ATTEMPTS", ""}};
}

void use_emulator_env() {
  for (const auto& [name, value] : emulator_env()) {
    if (value.empty()) {
      ::unsetenv(name.c_str());
    } else {
      ::setenv(name.c_str(), value.c_str(), 1);
    }
  }
}

aws::ClientConfig client_config(const std::string& endpoint, int max_attempts) {
  aws::ClientConfig config = dynalite().client_config(endpoint);
  config.retry.max_attempts = max_attempts;
  return config;
}

std::unique_ptr<Store> open_test_store(const std::string& table, const std::string& endpoint,
                                       int max_attempts) {
  return open_dynamodb_store(table, client_config(endpoint, max_attempts));
}

std::string store_url(const std::string& table, const std::string& endpoint) {
  return "dynamodb:" + table +
         "?region=us-east-1&endpoint=" + (endpoint.empty() ? dynalite().endpoint() : endpoint);
}

}  // namespace auric::dynamodb_testing
