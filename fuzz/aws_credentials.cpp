// What the credential providers read, through their pure decoders: credential_process output,
// the container / instance-metadata document and the SSO token cache (CredentialsError for
// input they cannot use, documented: nothing else), and the STS AssumeRole response (AwsError
// MalformedResponse). Every decoder gets the whole input. Credentials that come back are usable.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "aws/credential_providers.hpp"
#include "aws/errors.hpp"
#include "aws/sts.hpp"
#include "fuzz_support.hpp"

namespace aws = auric::aws;
using auric::fuzz::check;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text = auric::fuzz::as_text(data, size);
  try {
    const aws::Credentials c = aws::parse_process_credentials(text);
    check(!c.empty(), "credential_process credentials without a key");
  } catch (const aws::CredentialsError&) {
  }
  try {
    const aws::Credentials c = aws::parse_container_credentials(text);
    check(!c.empty(), "container credentials without a key");
  } catch (const aws::CredentialsError&) {
  }
  try {
    const aws::SsoToken token = aws::parse_sso_token_cache(text, "/home/u/.aws/sso/cache/x.json");
    check(!token.access_token.empty(), "an SSO token without an access token");
  } catch (const aws::CredentialsError&) {
  }
  for (const char* operation : {"AssumeRole", "AssumeRoleWithWebIdentity"}) {
    try {
      const aws::AssumedRole role = aws::parse_assume_role_response(operation, text);
      check(!role.credentials.empty(), "assumed-role credentials without a key");
    } catch (const aws::AwsError& e) {
      check(e.code() == aws::kMalformedResponseCode, "parse_assume_role_response threw another code",
            e.what());
    }
  }
  return 0;
}
