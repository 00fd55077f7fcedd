#include "lambda/aws_services.hpp"

#include <mutex>
#include <optional>

#include "aws/ecs.hpp"
#include "aws/lambda.hpp"
#include "aws/session.hpp"

namespace auric::lambda {
namespace {

class LambdaInvoker final : public ContinuationInvoker {
 public:
  void invoke_async(const std::string& function, const Json& payload) override {
    std::lock_guard lock(mu_);
    if (!client_) client_.emplace(aws::make_client_config());
    const aws::InvokeResult r = client_->invoke(function, payload.dump(), aws::InvocationType::kEvent);
    if (r.status_code != 202) {
      throw std::runtime_error("Lambda Invoke (Event) of " + function + " answered HTTP " +
                               std::to_string(r.status_code) + " instead of 202");
    }
  }

 private:
  std::mutex mu_;
  std::optional<aws::LambdaClient> client_;
};

class EcsLauncher final : public TaskLauncher {
 public:
  Json run_task(const Json& request) override {
    std::lock_guard lock(mu_);
    if (!client_) client_.emplace(aws::make_client_config());
    return client_->run_task(request);
  }

 private:
  std::mutex mu_;
  std::optional<aws::EcsClient> client_;
};

}  // namespace

std::shared_ptr<ContinuationInvoker> make_lambda_invoker() {
  return std::make_shared<LambdaInvoker>();
}

std::shared_ptr<TaskLauncher> make_ecs_launcher() {
  return std::make_shared<EcsLauncher>();
}

}  // namespace auric::lambda
