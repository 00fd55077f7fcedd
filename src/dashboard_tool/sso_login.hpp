// Expired-SSO handling of the dashboard tool: recognising an expired or missing SSO login
// among credential errors (reference section 10.2, step 3), and running
// `aws sso login --profile <p>` with the terminal inherited.
#pragma once

#include <exception>
#include <string>
#include <string_view>

namespace auric::dashboard_tool {

// True when the message matches one of the reference's expiry patterns (case-insensitive).
bool matches_sso_expiry_message(std::string_view message);

// True for SsoTokenExpiredError, AwsError codes ExpiredTokenException / SSOTokenInvalidException,
// credential errors whose message matches an expiry pattern, and any other exception whose
// message does. An empty credentials-error message never matches.
bool is_expired_sso_error(const std::exception& error);

// The AWS CLI to run: `aws` found on PATH (so a wrapper or a test double wins), else
// /usr/bin/aws when executable; "" when neither exists.
std::string find_aws_cli(std::string_view path_env);

// Runs `<aws> sso login --profile <profile>` with stdin/stdout/stderr inherited and waits.
// Throws ToolError with the reference's hints when it cannot be started or exits non-zero.
void run_sso_login(const std::string& profile, std::string_view path_env);

}  // namespace auric::dashboard_tool
