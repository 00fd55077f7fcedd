// Lambda client (REST-JSON): Invoke (RequestResponse and Event), ListFunctions (all pages)
// and GetFunction. Thread-safe.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "aws/client.hpp"

namespace auric::aws {

enum class InvocationType { kRequestResponse, kEvent };

struct InvokeResult {
  int status_code = 0;         // 200 for sync, 202 for Event
  std::string payload;         // the function's response (sync only)
  std::string function_error;  // X-Amz-Function-Error ("Unhandled"...), empty on success
  std::string executed_version;
  std::string log_result;  // decoded tail of the log when asked
};

class LambdaClient {
 public:
  // Throws std::invalid_argument when no endpoint can be resolved.
  explicit LambdaClient(ClientConfig config);

  // Invokes a function by name or ARN (optionally with a qualifier). A function error is a
  // value (InvokeResult::function_error); service errors throw AwsError
  // (e.g. ResourceNotFoundException, TooManyRequestsException after retries).
  InvokeResult invoke(const std::string& function_name, const std::string& payload,
                      InvocationType type = InvocationType::kRequestResponse,
                      const std::string& qualifier = {}, bool tail_log = false);

  // Every function (follows NextMarker). Returns the FunctionConfiguration objects.
  // Throws AwsError.
  std::vector<nlohmann::json> list_functions();
  // The GetFunction response ({"Configuration": ..., "Code": ...}). Throws AwsError.
  nlohmann::json get_function(const std::string& function_name, const std::string& qualifier = {});

  const ServiceClient& service_client() const { return client_; }

 private:
  ServiceClient client_;
};

}  // namespace auric::aws
