#include "aws/errors.hpp"

#include <array>
#include <nlohmann/json.hpp>

#include "aws/encoding.hpp"
#include "aws/xml.hpp"

namespace auric::aws {
namespace {

// One line, bounded: service messages and stray bodies end up in exception messages.
std::string one_line(std::string_view text, std::size_t limit = 300) {
  std::string out;
  for (char c : trim(text)) {
    if (out.size() >= limit) {
      out += "...";
      break;
    }
    out.push_back(c == '\n' || c == '\r' || c == '\t' ? ' ' : c);
  }
  return out;
}

std::string code_from_status(int status) {
  switch (status) {
    case 400: return "BadRequest";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 404: return "NotFound";
    case 405: return "MethodNotAllowed";
    case 409: return "Conflict";
    case 412: return "PreconditionFailed";
    case 413: return "RequestEntityTooLarge";
    case 429: return "TooManyRequestsException";
    case 500: return "InternalError";
    case 502: return "BadGateway";
    case 503: return "ServiceUnavailable";
    case 504: return "GatewayTimeout";
    default: return "Http" + std::to_string(status);
  }
}

// "com.amazonaws.dynamodb.v20120810#ResourceNotFoundException" and
// "ValidationException:http://internal.amazon.com/..." both name the code.
std::string sanitize_code(std::string_view code) {
  code = trim(code);
  if (const auto hash = code.rfind('#'); hash != std::string_view::npos) code = code.substr(hash + 1);
  if (const auto colon = code.find(':'); colon != std::string_view::npos) code = code.substr(0, colon);
  return std::string(code);
}

bool parse_json_error(std::string_view body, std::string& code, std::string& message,
                      std::string& request_id) {
  const auto json = nlohmann::json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (!json.is_object()) return false;
  for (const char* key : {"__type", "code", "Code", "errorType", "type"}) {
    if (auto it = json.find(key); it != json.end() && it->is_string()) {
      code = sanitize_code(it->get<std::string>());
      break;
    }
  }
  for (const char* key : {"message", "Message", "errorMessage"}) {
    if (auto it = json.find(key); it != json.end() && it->is_string()) {
      message = it->get<std::string>();
      break;
    }
  }
  if (auto it = json.find("RequestId"); it != json.end() && it->is_string())
    request_id = it->get<std::string>();
  return !code.empty() || !message.empty();
}

bool parse_xml_error(std::string_view body, std::string& code, std::string& message,
                     std::string& request_id) {
  try {
    const XmlNode root = parse_xml(body);
    const XmlNode* error = root.find("Error");
    const XmlNode& source = error ? *error : root;
    code = source.child_text("Code");
    message = source.child_text("Message");
    if (const XmlNode* rid = root.find("RequestId")) request_id = rid->text;
    return !code.empty();
  } catch (const XmlError&) {
    return false;
  }
}

AwsError::Details make_details(std::string service, std::string operation, std::string code,
                               std::string message) {
  AwsError::Details d;
  d.service = std::move(service);
  d.operation = std::move(operation);
  d.code = std::move(code);
  d.message = std::move(message);
  return d;
}

}  // namespace

AwsError::AwsError(Details details) : std::runtime_error(format(details)), d_(std::move(details)) {}

std::string AwsError::format(const Details& d) {
  std::string out = d.service;
  if (!d.operation.empty()) out += (out.empty() ? "" : " ") + d.operation;
  if (!out.empty()) out += " failed: ";
  out += d.code;
  if (!d.message.empty()) out += ": " + d.message;
  if (d.http_status != 0 || !d.request_id.empty()) {
    out += " (";
    if (d.http_status != 0) out += "HTTP " + std::to_string(d.http_status);
    if (!d.request_id.empty()) out += (d.http_status != 0 ? ", request id " : "request id ") + d.request_id;
    out += ")";
  }
  return out;
}

CredentialsError::CredentialsError(std::string provider, std::string message, std::string code)
    : AwsError(make_details("credentials", std::move(provider), std::move(code), std::move(message))) {}

CredentialsNotFoundError::CredentialsNotFoundError(std::string provider, std::string message)
    : CredentialsError(std::move(provider), std::move(message), std::string(kCredentialsNotFoundCode)) {}

SsoTokenExpiredError::SsoTokenExpiredError(const std::string& profile, const std::string& detail)
    : CredentialsError("sso", detail + "; run `aws sso login --profile " + profile + "` to sign in again",
                       std::string(kSsoTokenExpiredCode)),
      profile_(profile) {}

bool is_throttling_code(std::string_view code) {
  static constexpr std::array<std::string_view, 14> kCodes = {
      "Throttling",
      "ThrottlingException",
      "ThrottledException",
      "RequestThrottledException",
      "TooManyRequestsException",
      "ProvisionedThroughputExceededException",
      "TransactionInProgressException",
      "RequestLimitExceeded",
      "BandwidthLimitExceeded",
      "LimitExceededException",
      "RequestThrottled",
      "SlowDown",
      "PriorRequestNotComplete",
      "EC2ThrottledException",
  };
  for (auto c : kCodes) {
    if (c == code) return true;
  }
  return false;
}

bool is_transient_code(std::string_view code) {
  static constexpr std::array<std::string_view, 8> kCodes = {
      "RequestTimeout",      "RequestTimeoutException", "InternalError",           "InternalFailure",
      "InternalServerError", "ServiceUnavailable",      "InternalServerException", "IDPCommunicationError",
  };
  for (auto c : kCodes) {
    if (c == code) return true;
  }
  return code == kNetworkErrorCode;
}

AwsError parse_error_response(std::string_view service, std::string_view operation,
                              const HttpResponse& response) {
  AwsError::Details d;
  d.service = std::string(service);
  d.operation = std::string(operation);
  d.http_status = response.status;
  for (const char* header : {"x-amzn-RequestId", "x-amz-request-id", "x-amzn-request-id"}) {
    if (auto v = response.headers.get(header)) {
      d.request_id = *v;
      break;
    }
  }
  std::string code, message, body_request_id;
  if (auto type = response.headers.get("x-amzn-errortype"); type && !trim(*type).empty()) {
    code = sanitize_code(*type);
  }
  const std::string_view body = trim(response.body);
  std::string body_code;
  bool parsed = false;
  if (!body.empty() && body.front() == '{') {
    parsed = parse_json_error(body, body_code, message, body_request_id);
  } else if (!body.empty() && body.front() == '<') {
    parsed = parse_xml_error(body, body_code, message, body_request_id);
  }
  if (code.empty()) code = body_code;
  if (code.empty()) code = code_from_status(response.status);
  if (!parsed && message.empty() && !body.empty()) message = one_line(body, 200);
  if (d.request_id.empty()) d.request_id = body_request_id;
  d.code = code;
  d.message = one_line(message);
  d.throttling = is_throttling_code(code) || response.status == 429;
  d.retryable = d.throttling || is_transient_code(code) || (response.status >= 500 && response.status != 501);
  return AwsError(std::move(d));
}

AwsError network_error(std::string_view service, std::string_view operation, const TransportError& error) {
  AwsError::Details d = make_details(std::string(service), std::string(operation),
                                     std::string(kNetworkErrorCode), one_line(error.what()));
  d.retryable = error.transient();
  return AwsError(std::move(d));
}

AwsError malformed_response(std::string_view service, std::string_view operation, std::string_view what,
                            const HttpResponse* response) {
  AwsError::Details d =
      make_details(std::string(service), std::string(operation), std::string(kMalformedResponseCode),
                   "unexpected response: " + one_line(what));
  if (response != nullptr) {
    d.http_status = response->status;
    if (auto v = response->headers.get("x-amzn-RequestId"))
      d.request_id = *v;
    else if (auto v2 = response->headers.get("x-amz-request-id"))
      d.request_id = *v2;
  }
  return AwsError(std::move(d));
}

}  // namespace auric::aws
