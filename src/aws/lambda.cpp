#include "aws/lambda.hpp"

#include "aws/encoding.hpp"
#include "aws/protocols.hpp"

namespace auric::aws {
namespace {
constexpr std::string_view kApiVersion = "/2015-03-31";
}  // namespace

LambdaClient::LambdaClient(ClientConfig config) : client_(kLambdaService, std::move(config)) {}

InvokeResult LambdaClient::invoke(const std::string& function_name, const std::string& payload,
                                  InvocationType type, const std::string& qualifier, bool tail_log) {
  RestRequest rest;
  rest.method = "POST";
  rest.path = std::string(kApiVersion) + "/functions/" + uri_encode(function_name) + "/invocations";
  if (!qualifier.empty()) rest.query.emplace_back("Qualifier", qualifier);
  rest.headers.add("Content-Type", "application/json");
  rest.headers.add("X-Amz-Invocation-Type", type == InvocationType::kEvent ? "Event" : "RequestResponse");
  if (tail_log && type == InvocationType::kRequestResponse) rest.headers.add("X-Amz-Log-Type", "Tail");
  rest.body = payload;
  const HttpResponse response = client_.send_or_throw("Invoke", build_rest_request(client_.endpoint(), rest));
  InvokeResult result;
  result.status_code = response.status;
  result.payload = response.body;
  result.function_error = response.headers.get("X-Amz-Function-Error").value_or("");
  result.executed_version = response.headers.get("X-Amz-Executed-Version").value_or("");
  if (auto log = response.headers.get("X-Amz-Log-Result")) {
    try {
      result.log_result = base64_decode(*log);
    } catch (const std::invalid_argument&) {
      result.log_result = *log;
    }
  }
  return result;
}

std::vector<nlohmann::json> LambdaClient::list_functions() {
  std::vector<nlohmann::json> functions;
  std::string marker;
  for (int page = 0; page < 10000; ++page) {
    RestRequest rest;
    rest.path = std::string(kApiVersion) + "/functions/";
    if (!marker.empty()) rest.query.emplace_back("Marker", marker);
    const HttpResponse response =
        client_.send_or_throw("ListFunctions", build_rest_request(client_.endpoint(), rest));
    const nlohmann::json body = decode_json_body("Lambda", "ListFunctions", response);
    const auto& list =
        require_member("Lambda", "ListFunctions", body, "Functions", nlohmann::json::value_t::array);
    for (const auto& f : list) functions.push_back(f);
    auto next = body.find("NextMarker");
    if (next == body.end() || !next->is_string() || next->get<std::string>().empty()) return functions;
    marker = next->get<std::string>();
  }
  throw malformed_response("Lambda", "ListFunctions", "pagination did not end after 10000 pages");
}

nlohmann::json LambdaClient::get_function(const std::string& function_name, const std::string& qualifier) {
  RestRequest rest;
  rest.path = std::string(kApiVersion) + "/functions/" + uri_encode(function_name);
  if (!qualifier.empty()) rest.query.emplace_back("Qualifier", qualifier);
  const HttpResponse response =
      client_.send_or_throw("GetFunction", build_rest_request(client_.endpoint(), rest));
  return decode_json_body("Lambda", "GetFunction", response);
}

}  // namespace auric::aws
