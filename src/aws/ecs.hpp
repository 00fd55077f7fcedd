// ECS client (JSON-RPC 1.1): RunTask and DescribeTasks in their wire shape. Thread-safe.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "aws/client.hpp"

namespace auric::aws {

class EcsClient {
 public:
  // Throws std::invalid_argument when no endpoint can be resolved.
  explicit EcsClient(ClientConfig config);

  // The RunTask response ({"tasks": [...], "failures": [...]}). Placement failures come back
  // in "failures" (a value); service errors throw AwsError.
  nlohmann::json run_task(const nlohmann::json& request);
  // The DescribeTasks response. Throws AwsError.
  nlohmann::json describe_tasks(const std::string& cluster, const std::vector<std::string>& task_arns);

  const ServiceClient& service_client() const { return client_; }

 private:
  ServiceClient client_;
};

}  // namespace auric::aws
