#include "lambda/runtime_api.hpp"

#include <cstdlib>
#include <iostream>
#include <thread>

#include <nlohmann/json.hpp>

#include "aws/http.hpp"

namespace auric::lambda {
namespace {

constexpr const char* kApiVersion = "/2018-06-01";

std::string header_or_empty(const aws::HttpResponse& r, std::string_view name) {
  return r.headers.get(name).value_or("");
}

void default_log(const std::string& line) {
  std::cerr << "[migrations] " << line << std::endl;
}

}  // namespace

InvocationResponse InvocationResponse::success(std::string payload, std::string content_type) {
  InvocationResponse r;
  r.ok_ = true;
  r.payload_ = std::move(payload);
  r.content_type_ = std::move(content_type);
  return r;
}

InvocationResponse InvocationResponse::failure(std::string error_type, const std::string& message) {
  InvocationResponse r;
  r.ok_ = false;
  r.payload_ = error_payload(error_type, message);
  r.content_type_ = "application/json";
  r.error_type_ = std::move(error_type);
  return r;
}

std::string error_payload(const std::string& error_type, const std::string& message) {
  return nlohmann::json{
      {"errorMessage", message}, {"errorType", error_type}, {"stackTrace", nlohmann::json::array()}}
      .dump();
}

RuntimeClient::RuntimeClient(const std::string& endpoint, std::shared_ptr<aws::HttpTransport> transport)
    : base_("http://" + endpoint + kApiVersion), transport_(std::move(transport)) {
  if (!transport_) {
    aws::CurlTransportOptions options;
    options.connect_timeout = std::chrono::milliseconds(1000);
    options.total_timeout = std::chrono::milliseconds(0);  // `next` blocks for as long as it takes
    options.max_pooled_handles = 2;
    transport_ = aws::make_curl_transport(options);
  }
}

Invocation RuntimeClient::next() {
  aws::HttpRequest request;
  request.method = "GET";
  request.url = base_ + "/runtime/invocation/next";
  request.total_timeout = std::chrono::milliseconds(0);
  aws::HttpResponse response;
  try {
    response = transport_->send(request);
  } catch (const aws::TransportError& e) {
    throw RuntimeApiError(std::string("GET next failed: ") + e.what());
  }
  if (response.status < 200 || response.status > 299) {
    throw RuntimeApiError("GET next answered HTTP " + std::to_string(response.status) + ": " +
                          response.body.substr(0, 200));
  }
  Invocation inv;
  inv.request_id = header_or_empty(response, "Lambda-Runtime-Aws-Request-Id");
  if (inv.request_id.empty())
    throw RuntimeApiError("GET next answered without Lambda-Runtime-Aws-Request-Id");
  const std::string deadline = header_or_empty(response, "Lambda-Runtime-Deadline-Ms");
  try {
    inv.deadline_ms = deadline.empty() ? 0 : std::stoll(deadline);
  } catch (const std::exception&) {
    inv.deadline_ms = 0;
  }
  inv.function_arn = header_or_empty(response, "Lambda-Runtime-Invoked-Function-Arn");
  inv.trace_id = header_or_empty(response, "Lambda-Runtime-Trace-Id");
  inv.client_context = header_or_empty(response, "Lambda-Runtime-Client-Context");
  inv.cognito_identity = header_or_empty(response, "Lambda-Runtime-Cognito-Identity");
  inv.body = std::move(response.body);
  return inv;
}

void RuntimeClient::post(const std::string& request_id, const InvocationResponse& response) {
  aws::HttpRequest request;
  request.method = "POST";
  request.url = base_ + "/runtime/invocation/" + request_id + (response.ok() ? "/response" : "/error");
  request.headers.add("Content-Type",
                      response.content_type().empty() ? "application/json" : response.content_type());
  if (!response.ok()) request.headers.add("Lambda-Runtime-Function-Error-Type", response.error_type());
  request.body = response.payload();
  request.total_timeout = std::chrono::milliseconds(30000);
  aws::HttpResponse r;
  try {
    r = transport_->send(request);
  } catch (const aws::TransportError& e) {
    throw RuntimeApiError("POST " + std::string(response.ok() ? "response" : "error") +
                          " failed: " + e.what());
  }
  if (r.status < 200 || r.status > 299) {
    throw RuntimeApiError("POST " + std::string(response.ok() ? "response" : "error") + " answered HTTP " +
                          std::to_string(r.status) + ": " + r.body.substr(0, 200));
  }
}

void RuntimeClient::post_init_error(const std::string& error_type, const std::string& message) {
  aws::HttpRequest request;
  request.method = "POST";
  request.url = base_ + "/runtime/init/error";
  request.headers.add("Content-Type", "application/json");
  request.headers.add("Lambda-Runtime-Function-Error-Type", error_type);
  request.body = error_payload(error_type, message);
  request.total_timeout = std::chrono::milliseconds(30000);
  aws::HttpResponse r;
  try {
    r = transport_->send(request);
  } catch (const aws::TransportError& e) {
    throw RuntimeApiError(std::string("POST init/error failed: ") + e.what());
  }
  if (r.status < 200 || r.status > 299) {
    throw RuntimeApiError("POST init/error answered HTTP " + std::to_string(r.status));
  }
}

int run_runtime_loop(const RuntimeLoopOptions& options, const HandlerFactory& make_handler) {
  const auto log = options.log ? options.log : std::function<void(const std::string&)>(default_log);
  RuntimeClient client(options.endpoint, options.transport);

  InvocationHandler handler;
  try {
    handler = make_handler();
  } catch (const std::exception& e) {
    const auto* typed = dynamic_cast<const HandlerError*>(&e);
    const std::string type = typed ? typed->type() : "Runtime.InitError";
    log(std::string("init failed: ") + e.what());
    try {
      client.post_init_error(type, e.what());
    } catch (const RuntimeApiError& post_error) {
      log(post_error.what());
    }
    return 1;
  }

  int failures = 0;
  int handled = 0;
  auto backoff = options.first_backoff;
  for (;;) {
    Invocation inv;
    try {
      inv = client.next();
      failures = 0;
      backoff = options.first_backoff;
    } catch (const RuntimeApiError& e) {
      ++failures;
      log(std::string(e.what()) + " (attempt " + std::to_string(failures) + ")");
      if (options.max_poll_failures > 0 && failures >= options.max_poll_failures) {
        log("giving up after " + std::to_string(failures) + " failed polls of the Runtime API");
        return 1;
      }
      std::this_thread::sleep_for(backoff);
      backoff = std::min(backoff * 2, options.max_backoff);
      continue;
    }
    if (!inv.trace_id.empty()) {
      ::setenv("_X_AMZN_TRACE_ID", inv.trace_id.c_str(), 1);
    } else {
      ::unsetenv("_X_AMZN_TRACE_ID");
    }

    InvocationResponse response = InvocationResponse::success("null");
    try {
      response = handler(inv);
    } catch (const HandlerError& e) {
      log(std::string("invocation ") + inv.request_id + " failed: " + e.what());
      response = InvocationResponse::failure(e.type(), e.what());
    } catch (const std::exception& e) {
      log(std::string("invocation ") + inv.request_id + " failed: " + e.what());
      response = InvocationResponse::failure("Runtime.HandlerError", e.what());
    } catch (...) {
      response = InvocationResponse::failure("Runtime.HandlerError", "unknown exception");
    }
    // A failed post is logged; the invocation then times out on Lambda's side. The loop goes
    // on (a single failure never ends the process).
    for (int attempt = 1; attempt <= 3; ++attempt) {
      try {
        client.post(inv.request_id, response);
        break;
      } catch (const RuntimeApiError& e) {
        log(std::string(e.what()) + " (attempt " + std::to_string(attempt) + " of 3)");
        std::this_thread::sleep_for(options.first_backoff * attempt);
      }
    }
    ++handled;
    if (options.max_invocations > 0 && handled >= options.max_invocations) return 0;
  }
}

}  // namespace auric::lambda
