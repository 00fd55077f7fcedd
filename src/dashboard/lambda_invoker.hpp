// A FunctionInvoker over the AWS Lambda client (src/aws): the migration function named by
// MIGRATION_FUNCTION_NAME, invoked RequestResponse for status and Event for runs. Built into
// the auric_dashboard_lambda target only (it links auric_aws). Thread-safe.
#pragma once

#include <memory>
#include <string>

#include "aws/client.hpp"
#include "dashboard/remote_backend.hpp"

namespace auric::dashboard {

// Throws std::invalid_argument when the client config cannot resolve a Lambda endpoint.
std::shared_ptr<FunctionInvoker> make_lambda_invoker(aws::ClientConfig config, std::string function_name);

}  // namespace auric::dashboard
