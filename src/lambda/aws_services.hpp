// The AWS implementations of the handler's two outbound calls: the async self-invoke (Lambda
// Invoke, InvocationType Event) and ECS RunTask, over the AWS layer with the default
// credential chain, region and endpoint resolution (AWS_ENDPOINT_URL_LAMBDA / _ECS honoured).
// Clients are created on first use, so the runtime's init stays fast. Thread-safe.
#pragma once

#include <memory>

#include "lambda/handler.hpp"

namespace auric::lambda {

std::shared_ptr<ContinuationInvoker> make_lambda_invoker();
std::shared_ptr<TaskLauncher> make_ecs_launcher();

}  // namespace auric::lambda
