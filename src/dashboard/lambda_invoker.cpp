#include "dashboard/lambda_invoker.hpp"

#include <stdexcept>

#include "aws/lambda.hpp"

namespace auric::dashboard {
namespace {

class LambdaInvoker final : public FunctionInvoker {
 public:
  LambdaInvoker(aws::ClientConfig config, std::string function_name)
      : client_(std::move(config)), function_(std::move(function_name)) {}

  Json invoke(const Json& payload) override {
    const aws::InvokeResult r =
        client_.invoke(function_, payload.dump(), aws::InvocationType::kRequestResponse);
    if (!r.function_error.empty()) {
      throw std::runtime_error("Lambda " + function_ +
                               " error: " + (r.payload.empty() ? r.function_error : r.payload));
    }
    if (r.payload.empty()) throw std::runtime_error("Lambda " + function_ + " returned an empty response");
    Json answer = Json::parse(r.payload, nullptr, false);
    if (answer.is_discarded())
      throw std::runtime_error("Lambda " + function_ + " returned a response that is not JSON");
    return answer;
  }

  void invoke_async(const Json& payload) override {
    const aws::InvokeResult r = client_.invoke(function_, payload.dump(), aws::InvocationType::kEvent);
    if (r.status_code != 202) {
      throw std::runtime_error("Lambda " + function_ + " did not accept the asynchronous invocation (HTTP " +
                               std::to_string(r.status_code) + ")");
    }
  }

 private:
  aws::LambdaClient client_;
  std::string function_;
};

}  // namespace

std::shared_ptr<FunctionInvoker> make_lambda_invoker(aws::ClientConfig config, std::string function_name) {
  return std::make_shared<LambdaInvoker>(std::move(config), std::move(function_name));
}

}  // namespace auric::dashboard
