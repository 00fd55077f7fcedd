#include "aws/ecs.hpp"

#include "aws/protocols.hpp"

namespace auric::aws {
namespace {
constexpr JsonRpcProtocol kProtocol{"AmazonEC2ContainerServiceV20141113", "1.1"};
}  // namespace

EcsClient::EcsClient(ClientConfig config) : client_(kEcsService, std::move(config)) {}

nlohmann::json EcsClient::run_task(const nlohmann::json& request) {
  return json_rpc_call(client_, kProtocol, "RunTask", request);
}

nlohmann::json EcsClient::describe_tasks(const std::string& cluster,
                                         const std::vector<std::string>& task_arns) {
  return json_rpc_call(client_, kProtocol, "DescribeTasks", {{"cluster", cluster}, {"tasks", task_arns}});
}

}  // namespace auric::aws
