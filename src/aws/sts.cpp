#include "aws/sts.hpp"

#include "aws/protocols.hpp"

namespace auric::aws {
namespace {

constexpr std::string_view kVersion = "2011-06-15";

AssumedRole parse_assumed_role(std::string_view operation, const XmlNode& result) {
  try {
    AssumedRole out;
    const XmlNode* creds = result.child("Credentials");
    if (creds == nullptr) throw XmlError("<" + result.name + "> has no <Credentials>");
    out.credentials.access_key_id = creds->required_text("AccessKeyId");
    out.credentials.secret_access_key = creds->required_text("SecretAccessKey");
    out.credentials.session_token = creds->required_text("SessionToken");
    out.credentials.expiration = parse_iso8601(creds->required_text("Expiration"));
    out.credentials.provider = "sts:" + std::string(operation);
    if (const XmlNode* user = result.child("AssumedRoleUser")) {
      out.assumed_role_arn = user->child_text("Arn");
      out.assumed_role_id = user->child_text("AssumedRoleId");
      // arn:aws:sts::123456789012:assumed-role/...
      const auto& arn = out.assumed_role_arn;
      std::size_t colons = 0, start = 0;
      for (std::size_t i = 0; i < arn.size(); ++i) {
        if (arn[i] != ':') continue;
        if (++colons == 4) start = i + 1;
        if (colons == 5) {
          out.credentials.account_id = arn.substr(start, i - start);
          break;
        }
      }
    }
    if (out.credentials.empty()) throw XmlError("empty credentials");
    return out;
  } catch (const XmlError& e) {
    throw malformed_response("STS", operation, e.what());
  } catch (const std::invalid_argument& e) {
    throw malformed_response("STS", operation, e.what());
  }
}

}  // namespace

AssumedRole parse_assume_role_response(std::string_view operation, std::string_view body) {
  XmlNode root;
  try {
    root = parse_xml(body);
  } catch (const XmlError& e) {
    throw malformed_response("STS", operation, e.what());
  }
  const std::string result_name = std::string(operation) + "Result";
  const XmlNode* result = root.find(result_name);
  if (result == nullptr)
    throw malformed_response("STS", operation, "no <" + result_name + "> in the response");
  return parse_assumed_role(operation, *result);
}

StsClient::StsClient(ClientConfig config) : client_(kStsService, std::move(config)) {}

AssumedRole StsClient::assume_role(const AssumeRoleRequest& request) {
  std::vector<std::pair<std::string, std::string>> params = {{"RoleArn", request.role_arn},
                                                             {"RoleSessionName", request.role_session_name}};
  if (request.duration) params.emplace_back("DurationSeconds", std::to_string(request.duration->count()));
  if (!request.external_id.empty()) params.emplace_back("ExternalId", request.external_id);
  if (!request.mfa_serial.empty()) {
    params.emplace_back("SerialNumber", request.mfa_serial);
    params.emplace_back("TokenCode", request.token_code);
  }
  return parse_assumed_role("AssumeRole", query_call(client_, "AssumeRole", kVersion, params));
}

AssumedRole StsClient::assume_role_with_web_identity(const std::string& role_arn,
                                                     const std::string& role_session_name,
                                                     const std::string& web_identity_token,
                                                     std::optional<std::chrono::seconds> duration) {
  std::vector<std::pair<std::string, std::string>> params = {{"RoleArn", role_arn},
                                                             {"RoleSessionName", role_session_name},
                                                             {"WebIdentityToken", web_identity_token}};
  if (duration) params.emplace_back("DurationSeconds", std::to_string(duration->count()));
  SendOptions unsigned_request;
  unsigned_request.sign = false;
  return parse_assumed_role("AssumeRoleWithWebIdentity", query_call(client_, "AssumeRoleWithWebIdentity",
                                                                    kVersion, params, unsigned_request));
}

CallerIdentity StsClient::get_caller_identity() {
  const XmlNode result = query_call(client_, "GetCallerIdentity", kVersion, {});
  try {
    return CallerIdentity{result.required_text("Account"), result.required_text("Arn"),
                          result.required_text("UserId")};
  } catch (const XmlError& e) {
    throw malformed_response("STS", "GetCallerIdentity", e.what());
  }
}

}  // namespace auric::aws
