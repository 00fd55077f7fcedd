// The DynamoDB client migrations reach through Context::dynamodb(): the factory a runner is
// given (RunnerOptions::services), and Context::dynamodb() itself, defined here so that core
// stays free of AWS types. Factories are thread-safe; the client they make is shared by every
// migration of the run.
#pragma once

#include <functional>
#include <string>
#include <string_view>

#include "core/runner.hpp"

namespace auric::aws {
class DynamoDbClient;
}  // namespace auric::aws

namespace auric {

// The RunnerOptions::services name Context::dynamodb() asks its runner for.
inline constexpr std::string_view kDynamoDbClientService = "dynamodb";

// The factory behind Context::dynamodb() for a run against `store_url` with the config's
// `[context]` table: a client created on first use and shared by every migration of the run.
// Region, endpoint and profile come from `[context]` keys `aws_region`, `dynamodb_endpoint`
// and `aws_profile` when set, else from the store URL when it is a dynamodb: URL, else from
// the default chain (AWS_REGION, AWS_ENDPOINT_URL_DYNAMODB, AWS_PROFILE, ...). Calling the
// factory throws std::runtime_error with a one-line reason when no client can be made.
std::function<aws::DynamoDbClient&()> make_dynamodb_client_factory(const std::string& store_url,
                                                                   const Json& context);

// Offers `client`'s result to the runner's migrations as Context::dynamodb() (replacing any
// earlier offer). Without one, Context::dynamodb() throws std::runtime_error.
void offer_dynamodb_client(RunnerOptions& options, std::function<aws::DynamoDbClient&()> client);

}  // namespace auric
