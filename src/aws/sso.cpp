#include "aws/sso.hpp"

#include "aws/protocols.hpp"

namespace auric::aws {

SsoClient::SsoClient(ClientConfig config) : client_(kSsoService, std::move(config)) {}

Credentials SsoClient::get_role_credentials(const std::string& access_token, const std::string& account_id,
                                            const std::string& role_name) {
  constexpr std::string_view kOperation = "GetRoleCredentials";
  RestRequest rest;
  rest.method = "GET";
  rest.path = "/federation/credentials";
  rest.query = {{"account_id", account_id}, {"role_name", role_name}};
  rest.headers.add("x-amz-sso_bearer_token", access_token);
  SendOptions options;
  options.sign = false;
  const HttpResponse response =
      client_.send_or_throw(kOperation, build_rest_request(client_.endpoint(), rest), options);
  const nlohmann::json body = decode_json_body("SSO", kOperation, response);
  const auto& rc =
      require_member("SSO", kOperation, body, "roleCredentials", nlohmann::json::value_t::object);
  Credentials out;
  out.access_key_id = require_member("SSO", kOperation, rc, "accessKeyId", nlohmann::json::value_t::string)
                          .get<std::string>();
  out.secret_access_key =
      require_member("SSO", kOperation, rc, "secretAccessKey", nlohmann::json::value_t::string)
          .get<std::string>();
  out.session_token = require_member("SSO", kOperation, rc, "sessionToken", nlohmann::json::value_t::string)
                          .get<std::string>();
  const auto& expiration =
      require_member("SSO", kOperation, rc, "expiration", nlohmann::json::value_t::number_integer);
  out.expiration = time_from_epoch_ms(expiration.get<std::int64_t>());
  out.provider = "sso";
  out.account_id = account_id;
  return out;
}

}  // namespace auric::aws
