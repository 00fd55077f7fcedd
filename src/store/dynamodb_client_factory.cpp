#include "store/dynamodb_client_factory.hpp"

#include <any>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <utility>

#include "aws/dynamodb.hpp"
#include "aws/session.hpp"
#include "store/dynamodb_store.hpp"

namespace auric {

std::function<aws::DynamoDbClient&()> make_dynamodb_client_factory(const std::string& store_url,
                                                                   const Json& context) {
  struct Lazy {
    std::mutex mutex;
    aws::SessionOptions options;
    std::unique_ptr<aws::DynamoDbClient> client;
  };
  auto lazy = std::make_shared<Lazy>();
  constexpr std::string_view kScheme = "dynamodb:";
  if (store_url.starts_with(kScheme)) {
    try {
      const auto store = parse_dynamodb_store_location(store_url.substr(kScheme.size()));
      lazy->options.region = store.region;
      lazy->options.endpoint = store.endpoint;
      lazy->options.profile = store.profile;
    } catch (const std::invalid_argument&) {
      // The store itself reports a bad URL; the client falls back to the default chain.
    }
  }
  if (context.is_object()) {
    const auto text = [&](const char* key, std::string& into) {
      if (const auto it = context.find(key); it != context.end() && it->is_string())
        into = it->get<std::string>();
    };
    text("aws_region", lazy->options.region);
    text("dynamodb_endpoint", lazy->options.endpoint);
    text("aws_profile", lazy->options.profile);
  }
  return [lazy]() -> aws::DynamoDbClient& {
    std::lock_guard guard(lazy->mutex);
    if (!lazy->client) {
      try {
        lazy->client = std::make_unique<aws::DynamoDbClient>(aws::make_client_config(lazy->options));
      } catch (const std::exception& e) {
        throw std::runtime_error(std::string("ctx.dynamodb(): cannot create the DynamoDB client (") +
                                 e.what() + "): set AWS_REGION, or aws_region in the config's [context]");
      }
    }
    return *lazy->client;
  };
}

void offer_dynamodb_client(RunnerOptions& options, std::function<aws::DynamoDbClient&()> client) {
  options.services.insert_or_assign(std::string(kDynamoDbClientService),
                                    [client = std::move(client)]() -> std::any { return &client(); });
}

// Declared by <auric/migrations.hpp>; built on the runner's service hook so that core never
// names an AWS type.
aws::DynamoDbClient& Context::dynamodb() {
  const std::any client = service(kDynamoDbClientService);
  if (!client.has_value()) {
    throw std::runtime_error(
        "ctx.dynamodb(): this runner has no DynamoDB client (it was started without AWS support)");
  }
  return *std::any_cast<aws::DynamoDbClient*>(client);
}

}  // namespace auric
