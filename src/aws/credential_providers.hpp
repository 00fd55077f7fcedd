// The credential sources of the standard chain, each a CredentialsProvider, and the two
// factories callers use: the default chain, and a provider for one explicitly named profile.
// Chain order: environment; shared config/credentials profile (role_arn + source_profile /
// credential_source, web_identity_token_file, SSO, credential_process, static keys); web
// identity from the environment; ECS container endpoint; EC2 IMDSv2.
// All providers are thread-safe; the factories wrap them in a 5-minute refreshing cache.
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <string_view>

#include "aws/config_file.hpp"
#include "aws/credentials.hpp"
#include "aws/environment.hpp"
#include "aws/http.hpp"
#include "aws/retry.hpp"

namespace auric::aws {

// What providers that read files or call endpoints need.
struct ProviderContext {
  std::shared_ptr<const Environment> env;    // nullptr = process environment
  std::shared_ptr<HttpTransport> transport;  // nullptr = default transport
  Clock clock = system_now;
  RetryPolicy retry;  // for the STS / SSO / metadata calls
};

// AWS_ACCESS_KEY_ID + AWS_SECRET_ACCESS_KEY (+ AWS_SESSION_TOKEN).
class EnvironmentCredentialsProvider final : public CredentialsProvider {
 public:
  explicit EnvironmentCredentialsProvider(std::shared_ptr<const Environment> env);
  // Throws CredentialsNotFoundError when AWS_ACCESS_KEY_ID is unset, CredentialsError when
  // only one of the key pair is set.
  Credentials get_credentials() override;
  std::string name() const override { return "environment"; }

 private:
  std::shared_ptr<const Environment> env_;
};

// One profile of the shared files, resolved per the AWS CLI rules.
class ProfileCredentialsProvider final : public CredentialsProvider {
 public:
  // `profile` empty = AWS_PROFILE or "default". `explicit_profile` makes a missing profile
  // an error instead of "not found" (a chain then stops).
  ProfileCredentialsProvider(ProviderContext context, std::string profile = {},
                             bool explicit_profile = false);
  // Reads the files now and resolves the profile (may run a process or call STS / SSO).
  // Throws CredentialsNotFoundError when the profile does not exist (unless explicit) or has
  // no credentials; CredentialsError for malformed files, a failing credential_process,
  // source_profile loops, STS failures; SsoTokenExpiredError for a missing/expired SSO login.
  Credentials get_credentials() override;
  std::string name() const override;

 private:
  ProviderContext context_;
  std::string profile_;
  bool explicit_profile_;
};

// credential_process: runs the command through /bin/sh and reads its JSON (Version 1).
class ProcessCredentialsProvider final : public CredentialsProvider {
 public:
  explicit ProcessCredentialsProvider(std::string command, std::string profile = {},
                                      std::chrono::milliseconds timeout = std::chrono::seconds(60));
  // Throws CredentialsError (with the command's exit status or the JSON problem) when the
  // command fails, times out or prints anything but valid Version 1 credentials.
  Credentials get_credentials() override;
  std::string name() const override { return "credential_process"; }

 private:
  std::string command_;
  std::string profile_;
  std::chrono::milliseconds timeout_;
};

struct SsoSettings {
  std::string profile;       // for the "aws sso login --profile" hint
  std::string session_name;  // sso_session (empty for the legacy form)
  std::string start_url;
  std::string region;  // sso_region
  std::string account_id;
  std::string role_name;
};

// SSO: the cached access token (~/.aws/sso/cache/<sha1>.json), then GetRoleCredentials.
class SsoCredentialsProvider final : public CredentialsProvider {
 public:
  SsoCredentialsProvider(ProviderContext context, SsoSettings settings);
  // Throws SsoTokenExpiredError when the token is missing, expired or rejected;
  // CredentialsError for a malformed cache file or SSO failure.
  Credentials get_credentials() override;
  std::string name() const override { return "sso"; }
  // The cache file for these settings (sha1 of the session name, or of the start URL).
  std::string cache_file() const;

 private:
  ProviderContext context_;
  SsoSettings settings_;
};

// AssumeRoleWithWebIdentity with a token file (EKS/IRSA style).
class WebIdentityCredentialsProvider final : public CredentialsProvider {
 public:
  WebIdentityCredentialsProvider(ProviderContext context, std::string role_arn, std::string token_file,
                                 std::string session_name = {}, std::string region = {});
  // Reads AWS_WEB_IDENTITY_TOKEN_FILE, AWS_ROLE_ARN and AWS_ROLE_SESSION_NAME.
  static std::shared_ptr<WebIdentityCredentialsProvider> from_environment(const ProviderContext& context);
  // Throws CredentialsNotFoundError when not configured, CredentialsError when the token
  // file is unreadable or STS refuses.
  Credentials get_credentials() override;
  std::string name() const override { return "web identity"; }

 private:
  ProviderContext context_;
  std::string role_arn_;
  std::string token_file_;
  std::string session_name_;
  std::string region_;
};

// AssumeRole with credentials from another provider (role_arn + source_profile).
class AssumeRoleCredentialsProvider final : public CredentialsProvider {
 public:
  AssumeRoleCredentialsProvider(ProviderContext context, std::shared_ptr<CredentialsProvider> source,
                                std::string role_arn, std::string session_name = {}, std::string region = {},
                                std::string external_id = {},
                                std::optional<std::chrono::seconds> duration = std::nullopt);
  // Throws CredentialsError wrapping the STS failure, or the source provider's error.
  Credentials get_credentials() override;
  std::string name() const override { return "assume role"; }

 private:
  ProviderContext context_;
  std::shared_ptr<CredentialsProvider> source_;
  std::string role_arn_, session_name_, region_, external_id_;
  std::optional<std::chrono::seconds> duration_;
};

// ECS/Fargate container credentials: AWS_CONTAINER_CREDENTIALS_RELATIVE_URI (against
// `relative_base`, normally http://169.254.170.2) or AWS_CONTAINER_CREDENTIALS_FULL_URI
// (https, or http to a loopback / ECS / EKS address), with AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE
// or AWS_CONTAINER_AUTHORIZATION_TOKEN as the Authorization header.
class ContainerCredentialsProvider final : public CredentialsProvider {
 public:
  explicit ContainerCredentialsProvider(ProviderContext context,
                                        std::string relative_base = "http://169.254.170.2");
  // Throws CredentialsNotFoundError when neither variable is set; CredentialsError for a
  // disallowed FULL_URI host, an unreachable endpoint or a bad response.
  Credentials get_credentials() override;
  std::string name() const override { return "container"; }

 private:
  ProviderContext context_;
  std::string relative_base_;
};

// EC2 instance metadata, IMDSv2 only: PUT a session token, then GET the role and its
// credentials. Endpoint from AWS_EC2_METADATA_SERVICE_ENDPOINT (default
// http://169.254.169.254); disabled by AWS_EC2_METADATA_DISABLED=true.
class ImdsCredentialsProvider final : public CredentialsProvider {
 public:
  explicit ImdsCredentialsProvider(ProviderContext context);
  // Throws CredentialsNotFoundError when disabled or unreachable (not on EC2);
  // CredentialsError when the service answers with errors or malformed credentials.
  Credentials get_credentials() override;
  std::string name() const override { return "EC2 instance metadata"; }

 private:
  ProviderContext context_;
};

// ---- pure decoders of what the providers read (no I/O; thread-safe) ---------------------
// Each throws CredentialsError naming `source` for input it cannot use, and nothing else.

// credential_process output: {"Version": 1, AccessKeyId, SecretAccessKey, SessionToken?,
// Expiration?}.
Credentials parse_process_credentials(std::string_view output, const std::string& source = "process");
// The container (ECS) or instance-metadata credentials document: {AccessKeyId,
// SecretAccessKey, Token?, Expiration?, Code?}; a Code other than "Success" is refused.
Credentials parse_container_credentials(std::string_view body, const std::string& source = "container");

// An SSO token cache file (~/.aws/sso/cache/<sha1>.json): {accessToken, expiresAt}.
struct SsoToken {
  std::string access_token;
  TimePoint expires_at;
};
SsoToken parse_sso_token_cache(std::string_view text, const std::string& path,
                               const std::string& source = "sso");

// The standard chain (see the top of this file), cached with refresh 5 minutes before expiry.
std::shared_ptr<CredentialsProvider> make_default_credentials_chain(ProviderContext context = {});

// Credentials of exactly one named profile, cached likewise. Every AWS call made with it uses
// that identity; a missing profile is an error naming the files searched.
std::shared_ptr<CredentialsProvider> make_profile_credentials_provider(ProviderContext context,
                                                                       std::string profile);

}  // namespace auric::aws
