#include "aws/protocols.hpp"

#include "aws/encoding.hpp"

namespace auric::aws {

JsonOutcome json_rpc_try(const ServiceClient& client, const JsonRpcProtocol& protocol,
                         std::string_view operation, const nlohmann::json& request) {
  HttpRequest http;
  http.method = "POST";
  http.url = client.endpoint() + "/";
  http.headers.add("Content-Type", "application/x-amz-json-" + std::string(protocol.json_version));
  http.headers.add("X-Amz-Target", std::string(protocol.target_prefix) + "." + std::string(operation));
  http.body = request.is_null() ? std::string("{}") : request.dump();
  Outcome outcome = client.send(operation, http);
  if (!outcome.ok()) {
    // Keep the error body: some errors carry data (e.g. the item of a failed condition).
    nlohmann::json error_body = nlohmann::json::parse(outcome.response.body, nullptr, false);
    if (!error_body.is_object()) error_body = nlohmann::json::object();
    return JsonOutcome{std::move(error_body), std::move(outcome.error)};
  }
  return JsonOutcome{decode_json_body(client.service().name, operation, outcome.response), std::nullopt};
}

nlohmann::json json_rpc_call(const ServiceClient& client, const JsonRpcProtocol& protocol,
                             std::string_view operation, const nlohmann::json& request) {
  JsonOutcome outcome = json_rpc_try(client, protocol, operation, request);
  if (!outcome.ok()) throw *outcome.error;
  return std::move(outcome.body);
}

HttpRequest build_rest_request(std::string_view endpoint, const RestRequest& rest) {
  HttpRequest http;
  http.method = rest.method;
  http.url = std::string(endpoint);
  if (!rest.path.starts_with('/')) http.url += '/';
  http.url += rest.path;
  char separator = '?';
  for (const auto& [k, v] : rest.query) {
    http.url += separator;
    http.url += uri_encode(k);
    http.url += '=';
    http.url += uri_encode(v);
    separator = '&';
  }
  http.headers = rest.headers;
  http.body = rest.body;
  http.response_body_file = rest.response_body_file;
  return http;
}

nlohmann::json decode_json_body(std::string_view service, std::string_view operation,
                                const HttpResponse& response) {
  if (trim(response.body).empty()) return nlohmann::json::object();
  nlohmann::json body = nlohmann::json::parse(response.body, nullptr, /*allow_exceptions=*/false);
  if (body.is_discarded()) {
    throw malformed_response(service, operation,
                             "body is not valid JSON (" + std::to_string(response.body.size()) + " bytes)",
                             &response);
  }
  if (!body.is_object()) {
    throw malformed_response(service, operation,
                             std::string("expected a JSON object, got ") + body.type_name(), &response);
  }
  return body;
}

XmlNode decode_xml_body(std::string_view service, std::string_view operation, const HttpResponse& response) {
  try {
    return parse_xml(response.body);
  } catch (const XmlError& e) {
    throw malformed_response(service, operation, e.what(), &response);
  }
}

std::string form_encode(const std::vector<std::pair<std::string, std::string>>& params) {
  std::string out;
  for (const auto& [k, v] : params) {
    if (!out.empty()) out += '&';
    out += uri_encode(k);
    out += '=';
    out += uri_encode(v);
  }
  return out;
}

XmlNode query_call(const ServiceClient& client, std::string_view action, std::string_view version,
                   const std::vector<std::pair<std::string, std::string>>& params,
                   const SendOptions& options) {
  std::vector<std::pair<std::string, std::string>> all;
  all.reserve(params.size() + 2);
  all.emplace_back("Action", std::string(action));
  all.emplace_back("Version", std::string(version));
  all.insert(all.end(), params.begin(), params.end());
  HttpRequest http;
  http.method = "POST";
  http.url = client.endpoint() + "/";
  http.headers.add("Content-Type", "application/x-www-form-urlencoded; charset=utf-8");
  http.body = form_encode(all);
  const HttpResponse response = client.send_or_throw(action, http, options);
  XmlNode root = decode_xml_body(client.service().name, action, response);
  const std::string result_name = std::string(action) + "Result";
  const XmlNode* result = root.find(result_name);
  if (result == nullptr) {
    throw malformed_response(client.service().name, action, "no <" + result_name + "> in the response",
                             &response);
  }
  return *result;
}

const nlohmann::json& require_member(std::string_view service, std::string_view operation,
                                     const nlohmann::json& object, std::string_view key,
                                     nlohmann::json::value_t type) {
  if (!object.is_object()) throw malformed_response(service, operation, "expected a JSON object");
  auto it = object.find(key);
  if (it == object.end()) {
    throw malformed_response(service, operation, "missing member '" + std::string(key) + "'");
  }
  const bool number_ok = type == nlohmann::json::value_t::number_integer ||
                         type == nlohmann::json::value_t::number_unsigned ||
                         type == nlohmann::json::value_t::number_float;
  if (it->type() != type && !(number_ok && it->is_number())) {
    throw malformed_response(service, operation,
                             "member '" + std::string(key) + "' has type " + it->type_name());
  }
  return *it;
}

}  // namespace auric::aws
