// The wire protocols, each in one place: JSON-RPC (DynamoDB, ECS), REST-JSON (Lambda, SSO),
// Query with XML responses (STS) and REST-XML (S3). Each turns a call into an HttpRequest,
// sends it through ServiceClient and decodes the body; undecodable bodies become AwsError
// with code MalformedResponse. Stateless functions; thread-safe.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "aws/client.hpp"
#include "aws/xml.hpp"

namespace auric::aws {

// JSON-RPC: POST / with X-Amz-Target "<target_prefix>.<operation>" and
// Content-Type application/x-amz-json-<json_version>.
struct JsonRpcProtocol {
  std::string_view target_prefix;  // "DynamoDB_20120810"
  std::string_view json_version;   // "1.0" or "1.1"
};

// Sends a JSON-RPC call. Returns the decoded body, or the service's error (a JsonOutcome,
// declared in <auric/dynamodb_client.hpp>).
// Throws CredentialsError; never throws for service or network errors.
JsonOutcome json_rpc_try(const ServiceClient& client, const JsonRpcProtocol& protocol,
                         std::string_view operation, const nlohmann::json& request);

// Like json_rpc_try, but throws the AwsError.
nlohmann::json json_rpc_call(const ServiceClient& client, const JsonRpcProtocol& protocol,
                             std::string_view operation, const nlohmann::json& request);

// A REST call (REST-JSON and REST-XML share it): method, path (already encoded), query
// parameters (encoded here) and headers relative to the client's endpoint.
struct RestRequest {
  std::string method = "GET";
  std::string path = "/";
  std::vector<std::pair<std::string, std::string>> query;
  Headers headers;
  std::string body;
  std::optional<std::filesystem::path> response_body_file;
};

// Builds the HttpRequest of a REST call against `endpoint`.
HttpRequest build_rest_request(std::string_view endpoint, const RestRequest& rest);

// Decodes a JSON body (an empty body decodes to an empty object).
// Throws AwsError(MalformedResponse) when the body is not a JSON object.
nlohmann::json decode_json_body(std::string_view service, std::string_view operation,
                                const HttpResponse& response);

// Decodes an XML body. Throws AwsError(MalformedResponse) when it is not well-formed.
XmlNode decode_xml_body(std::string_view service, std::string_view operation, const HttpResponse& response);

// Query protocol: POST / with form parameters Action, Version and `params`; returns the
// <ActionResult> element of the XML response.
// Throws AwsError (service, network or MalformedResponse) and CredentialsError.
XmlNode query_call(const ServiceClient& client, std::string_view action, std::string_view version,
                   const std::vector<std::pair<std::string, std::string>>& params,
                   const SendOptions& options = {});

// application/x-www-form-urlencoded encoding of parameters.
std::string form_encode(const std::vector<std::pair<std::string, std::string>>& params);

// Reads a required member of a decoded body with the expected type, or throws
// AwsError(MalformedResponse) naming the member.
const nlohmann::json& require_member(std::string_view service, std::string_view operation,
                                     const nlohmann::json& object, std::string_view key,
                                     nlohmann::json::value_t type);

}  // namespace auric::aws
