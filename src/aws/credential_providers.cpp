#include "aws/credential_providers.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "aws/client.hpp"
#include "aws/errors.hpp"
#include "aws/sso.hpp"
#include "aws/sts.hpp"

namespace auric::aws {
namespace {

const Environment& env_of(const ProviderContext& context) {
  return context.env ? *context.env : *process_environment();
}

ProviderContext normalized(ProviderContext context) {
  if (!context.env) context.env = process_environment();
  if (!context.transport) context.transport = default_transport();
  if (!context.clock) context.clock = system_now;
  return context;
}

ClientConfig client_config(const ProviderContext& context, std::string region,
                           std::shared_ptr<CredentialsProvider> credentials) {
  ClientConfig config;
  config.region = std::move(region);
  config.credentials = std::move(credentials);
  config.transport = context.transport;
  config.env = context.env;
  config.retry = context.retry;
  config.clock = context.clock;
  return config;
}

std::string default_session_name(const ProviderContext& context) {
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(context.clock().time_since_epoch());
  return "auric-" + std::to_string(ms.count());
}

std::optional<std::string> read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

// Credentials from a JSON object with the given member names (process / container / IMDS).
Credentials credentials_from_json(const nlohmann::json& json, const std::string& source,
                                  const char* token_key, bool token_required = false) {
  auto text = [&](const char* key, bool required) -> std::string {
    auto it = json.find(key);
    if (it == json.end() || it->is_null()) {
      if (required) throw CredentialsError(source, std::string("response has no ") + key);
      return {};
    }
    if (!it->is_string()) throw CredentialsError(source, std::string(key) + " is not a string");
    return it->get<std::string>();
  };
  Credentials c;
  c.access_key_id = text("AccessKeyId", true);
  c.secret_access_key = text("SecretAccessKey", true);
  c.session_token = text(token_key, token_required);
  const std::string expiration = text("Expiration", false);
  if (!expiration.empty()) {
    try {
      c.expiration = parse_iso8601(expiration);
    } catch (const std::invalid_argument& e) {
      throw CredentialsError(source, std::string("bad Expiration: ") + e.what());
    }
  }
  if (c.access_key_id.empty() || c.secret_access_key.empty()) {
    throw CredentialsError(source, "AccessKeyId or SecretAccessKey is empty");
  }
  c.provider = source;
  return c;
}

struct ProcessResult {
  int exit_code = -1;
  bool timed_out = false;
  std::string out;
  std::string err;
};

ProcessResult run_shell_command(const std::string& command, std::chrono::milliseconds timeout) {
  int out_pipe[2], err_pipe[2];
  if (::pipe2(out_pipe, O_CLOEXEC) != 0) throw std::runtime_error("pipe failed");
  if (::pipe2(err_pipe, O_CLOEXEC) != 0) {
    ::close(out_pipe[0]);
    ::close(out_pipe[1]);
    throw std::runtime_error("pipe failed");
  }
  const pid_t pid = ::fork();
  if (pid < 0) {
    for (int fd : {out_pipe[0], out_pipe[1], err_pipe[0], err_pipe[1]}) ::close(fd);
    throw std::runtime_error(std::string("fork failed: ") + std::strerror(errno));
  }
  if (pid == 0) {
    ::dup2(out_pipe[1], STDOUT_FILENO);
    ::dup2(err_pipe[1], STDERR_FILENO);
    const int devnull = ::open("/dev/null", O_RDONLY);
    if (devnull >= 0) ::dup2(devnull, STDIN_FILENO);
    ::execl("/bin/sh", "sh", "-c", command.c_str(), static_cast<char*>(nullptr));
    ::_exit(127);
  }
  ::close(out_pipe[1]);
  ::close(err_pipe[1]);
  ProcessResult result;
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  pollfd fds[2] = {{out_pipe[0], POLLIN, 0}, {err_pipe[0], POLLIN, 0}};
  int open_fds = 2;
  while (open_fds > 0) {
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) {
      result.timed_out = true;
      ::kill(pid, SIGKILL);
      break;
    }
    const int ready = ::poll(fds, 2, static_cast<int>(left.count()));
    if (ready < 0 && errno == EINTR) continue;
    if (ready <= 0) continue;
    for (int i = 0; i < 2; ++i) {
      if (fds[i].fd < 0 || (fds[i].revents & (POLLIN | POLLHUP | POLLERR)) == 0) continue;
      char buffer[4096];
      const ssize_t n = ::read(fds[i].fd, buffer, sizeof buffer);
      if (n <= 0) {
        ::close(fds[i].fd);
        fds[i].fd = -1;
        --open_fds;
      } else {
        (i == 0 ? result.out : result.err).append(buffer, static_cast<std::size_t>(n));
      }
    }
  }
  for (auto& p : fds) {
    if (p.fd >= 0) ::close(p.fd);
  }
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (WIFEXITED(status))
    result.exit_code = WEXITSTATUS(status);
  else if (WIFSIGNALED(status))
    result.exit_code = 128 + WTERMSIG(status);
  return result;
}

std::string first_line(std::string_view text) {
  text = trim(text);
  return std::string(text.substr(0, std::min(text.find('\n'), std::size_t{200})));
}

}  // namespace

// ---------------------------------------------------------------- environment

EnvironmentCredentialsProvider::EnvironmentCredentialsProvider(std::shared_ptr<const Environment> env)
    : env_(env ? std::move(env) : process_environment()) {}

Credentials EnvironmentCredentialsProvider::get_credentials() {
  const auto id = env_->get("AWS_ACCESS_KEY_ID");
  const auto secret = env_->get("AWS_SECRET_ACCESS_KEY");
  if (!id && !secret) throw CredentialsNotFoundError(name(), "AWS_ACCESS_KEY_ID is not set");
  if (!id || !secret) {
    throw CredentialsError(name(), std::string(id ? "AWS_SECRET_ACCESS_KEY" : "AWS_ACCESS_KEY_ID") +
                                       " is not set but its pair is: set both or neither");
  }
  Credentials c;
  c.access_key_id = *id;
  c.secret_access_key = *secret;
  c.session_token = env_->get("AWS_SESSION_TOKEN").value_or("");
  c.provider = name();
  if (auto expiration = env_->get("AWS_CREDENTIAL_EXPIRATION")) {
    try {
      c.expiration = parse_iso8601(*expiration);
    } catch (const std::invalid_argument& e) {
      throw CredentialsError(name(), std::string("AWS_CREDENTIAL_EXPIRATION: ") + e.what());
    }
  }
  return c;
}

// ---------------------------------------------------------------- process

ProcessCredentialsProvider::ProcessCredentialsProvider(std::string command, std::string profile,
                                                       std::chrono::milliseconds timeout)
    : command_(std::move(command)), profile_(std::move(profile)), timeout_(timeout) {}

Credentials ProcessCredentialsProvider::get_credentials() {
  const std::string where =
      profile_.empty() ? "credential_process" : "credential_process of profile '" + profile_ + "'";
  ProcessResult result;
  try {
    result = run_shell_command(command_, timeout_);
  } catch (const std::exception& e) {
    throw CredentialsError(name(), where + " could not start: " + e.what());
  }
  if (result.timed_out) {
    throw CredentialsError(name(), where + " timed out after " + std::to_string(timeout_.count()) + " ms");
  }
  if (result.exit_code != 0) {
    std::string msg = where + " exited with status " + std::to_string(result.exit_code);
    if (!trim(result.err).empty()) msg += ": " + first_line(result.err);
    throw CredentialsError(name(), msg);
  }
  try {
    return parse_process_credentials(result.out, name());
  } catch (const CredentialsError& e) {
    throw CredentialsError(name(), where + ": " + e.message());
  }
}

// ---------------------------------------------------------------- SSO

SsoCredentialsProvider::SsoCredentialsProvider(ProviderContext context, SsoSettings settings)
    : context_(normalized(std::move(context))), settings_(std::move(settings)) {}

std::string SsoCredentialsProvider::cache_file() const {
  const std::string key = settings_.session_name.empty() ? settings_.start_url : settings_.session_name;
  return home_directory(env_of(context_)) + "/.aws/sso/cache/" + sha1_hex(key) + ".json";
}

Credentials SsoCredentialsProvider::get_credentials() {
  const std::string path = cache_file();
  const auto text = read_file(path);
  if (!text) throw SsoTokenExpiredError(settings_.profile, "no cached SSO token (" + path + ")");
  const SsoToken token = parse_sso_token_cache(*text, path, name());
  if (token.expires_at <= context_.clock()) {
    throw SsoTokenExpiredError(settings_.profile,
                               "the SSO session expired at " + format_iso8601(token.expires_at));
  }
  SsoClient client(client_config(context_, settings_.region, nullptr));
  try {
    return client.get_role_credentials(token.access_token, settings_.account_id, settings_.role_name);
  } catch (const AwsError& e) {
    if (e.code() == "UnauthorizedException" || e.http_status() == 401) {
      throw SsoTokenExpiredError(settings_.profile,
                                 "the SSO access token was rejected (" + e.message() + ")");
    }
    throw CredentialsError(name(), std::string("SSO GetRoleCredentials failed: ") + e.what());
  }
}

// ---------------------------------------------------------------- web identity

WebIdentityCredentialsProvider::WebIdentityCredentialsProvider(ProviderContext context, std::string role_arn,
                                                               std::string token_file,
                                                               std::string session_name, std::string region)
    : context_(normalized(std::move(context))),
      role_arn_(std::move(role_arn)),
      token_file_(std::move(token_file)),
      session_name_(std::move(session_name)),
      region_(std::move(region)) {}

std::shared_ptr<WebIdentityCredentialsProvider> WebIdentityCredentialsProvider::from_environment(
    const ProviderContext& context) {
  const Environment& env = env_of(context);
  return std::make_shared<WebIdentityCredentialsProvider>(context, env.get("AWS_ROLE_ARN").value_or(""),
                                                          env.get("AWS_WEB_IDENTITY_TOKEN_FILE").value_or(""),
                                                          env.get("AWS_ROLE_SESSION_NAME").value_or(""), "");
}

Credentials WebIdentityCredentialsProvider::get_credentials() {
  if (token_file_.empty() || role_arn_.empty()) {
    throw CredentialsNotFoundError(name(), "AWS_WEB_IDENTITY_TOKEN_FILE and AWS_ROLE_ARN are not both set");
  }
  const auto token = read_file(token_file_);
  if (!token || trim(*token).empty()) {
    throw CredentialsError(name(), "cannot read the web identity token file '" + token_file_ + "'");
  }
  std::string region = region_;
  if (region.empty()) {
    const Environment& env = env_of(context_);
    region = env.get("AWS_REGION").value_or(env.get("AWS_DEFAULT_REGION").value_or("us-east-1"));
  }
  StsClient sts(client_config(context_, region, nullptr));
  try {
    Credentials c = sts.assume_role_with_web_identity(
                           role_arn_, session_name_.empty() ? default_session_name(context_) : session_name_,
                           std::string(trim(*token)))
                        .credentials;
    c.provider = name();
    return c;
  } catch (const AwsError& e) {
    throw CredentialsError(
        name(), std::string("AssumeRoleWithWebIdentity for ") + role_arn_ + " failed: " + e.what());
  }
}

// ---------------------------------------------------------------- assume role

AssumeRoleCredentialsProvider::AssumeRoleCredentialsProvider(ProviderContext context,
                                                             std::shared_ptr<CredentialsProvider> source,
                                                             std::string role_arn, std::string session_name,
                                                             std::string region, std::string external_id,
                                                             std::optional<std::chrono::seconds> duration)
    : context_(normalized(std::move(context))),
      source_(std::move(source)),
      role_arn_(std::move(role_arn)),
      session_name_(std::move(session_name)),
      region_(std::move(region)),
      external_id_(std::move(external_id)),
      duration_(duration) {}

Credentials AssumeRoleCredentialsProvider::get_credentials() {
  std::string region = region_;
  if (region.empty()) {
    const Environment& env = env_of(context_);
    region = env.get("AWS_REGION").value_or(env.get("AWS_DEFAULT_REGION").value_or("us-east-1"));
  }
  StsClient sts(client_config(context_, region, source_));
  AssumeRoleRequest request;
  request.role_arn = role_arn_;
  request.role_session_name = session_name_.empty() ? default_session_name(context_) : session_name_;
  request.external_id = external_id_;
  request.duration = duration_;
  try {
    Credentials c = sts.assume_role(request).credentials;
    c.provider = name();
    return c;
  } catch (const CredentialsError&) {
    throw;
  } catch (const AwsError& e) {
    throw CredentialsError(name(), "AssumeRole " + role_arn_ + " failed: " + e.what());
  }
}

// ---------------------------------------------------------------- profile

namespace {

std::shared_ptr<CredentialsProvider> credential_source_provider(const ProviderContext& context,
                                                                const std::string& source,
                                                                const std::string& profile) {
  if (source == "Environment") return std::make_shared<EnvironmentCredentialsProvider>(context.env);
  if (source == "Ec2InstanceMetadata") return std::make_shared<ImdsCredentialsProvider>(context);
  if (source == "EcsContainer") return std::make_shared<ContainerCredentialsProvider>(context);
  throw CredentialsError(
      "profile " + profile,
      "unknown credential_source '" + source + "' (use Environment, Ec2InstanceMetadata or EcsContainer)");
}

std::shared_ptr<CredentialsProvider> static_from_section(const ConfigSection& section,
                                                         const std::string& profile) {
  auto get = [&](const char* key) -> std::string {
    auto it = section.find(key);
    return it == section.end() ? std::string() : it->second;
  };
  const std::string id = get("aws_access_key_id");
  const std::string secret = get("aws_secret_access_key");
  if (id.empty() && secret.empty()) return nullptr;
  if (id.empty() || secret.empty()) {
    throw CredentialsError(
        "profile " + profile,
        "profile '" + profile + "' sets only one of aws_access_key_id / aws_secret_access_key");
  }
  Credentials c;
  c.access_key_id = id;
  c.secret_access_key = secret;
  c.session_token = get("aws_session_token");
  c.provider = "profile " + profile;
  return std::make_shared<StaticCredentialsProvider>(std::move(c));
}

std::shared_ptr<CredentialsProvider> resolve_profile(const ProviderContext& context,
                                                     const SharedConfig& config, const std::string& profile,
                                                     std::set<std::string>& visited, bool as_source) {
  const std::string who = "profile " + profile;
  const ConfigSection* section = config.profile(profile);
  if (section == nullptr) {
    throw CredentialsError(who, "profile '" + profile + "' is not defined in " +
                                    config_file_path(env_of(context)) + " or " +
                                    credentials_file_path(env_of(context)));
  }
  if (!visited.insert(profile).second) {
    throw CredentialsError(who, "source_profile loop through profile '" + profile + "'");
  }
  auto get = [&](const char* key) -> std::string {
    auto it = section->find(key);
    return it == section->end() ? std::string() : it->second;
  };
  const std::string region = get("region");
  const std::string role_arn = get("role_arn");
  if (!role_arn.empty()) {
    // A source profile that also has static keys and points at itself uses those keys.
    const std::string session = get("role_session_name");
    std::optional<std::chrono::seconds> duration;
    if (const std::string d = get("duration_seconds"); !d.empty()) {
      try {
        duration = std::chrono::seconds(std::stoll(d));
      } catch (const std::exception&) {
        throw CredentialsError(who, "duration_seconds is not a number: '" + d + "'");
      }
    }
    if (const std::string token_file = get("web_identity_token_file"); !token_file.empty()) {
      return std::make_shared<WebIdentityCredentialsProvider>(
          context, role_arn, expand_home(token_file, env_of(context)), session, region);
    }
    std::shared_ptr<CredentialsProvider> source;
    const std::string source_profile = get("source_profile");
    const std::string credential_source = get("credential_source");
    if (!source_profile.empty() && !credential_source.empty()) {
      throw CredentialsError(who, "profile '" + profile + "' sets both source_profile and credential_source");
    }
    if (!source_profile.empty()) {
      if (source_profile == profile) {
        source = static_from_section(*section, profile);
        if (!source)
          throw CredentialsError(who, "profile '" + profile + "' is its own source_profile but has no keys");
      } else {
        source = resolve_profile(context, config, source_profile, visited, /*as_source=*/true);
      }
    } else if (!credential_source.empty()) {
      source = credential_source_provider(context, credential_source, profile);
    } else {
      throw CredentialsError(
          who, "profile '" + profile + "' has role_arn but neither source_profile nor credential_source");
    }
    return std::make_shared<AssumeRoleCredentialsProvider>(context, source, role_arn, session, region,
                                                           get("external_id"), duration);
  }
  // A source profile's static keys win over its other settings (AWS CLI behaviour).
  if (as_source) {
    if (auto s = static_from_section(*section, profile)) return s;
  }
  const std::string sso_session = get("sso_session");
  const std::string sso_start_url = get("sso_start_url");
  if (!sso_session.empty() || !sso_start_url.empty()) {
    SsoSettings sso;
    sso.profile = profile;
    sso.account_id = get("sso_account_id");
    sso.role_name = get("sso_role_name");
    if (!sso_session.empty()) {
      const ConfigSection* session = config.sso_session(sso_session);
      if (session == nullptr) {
        throw CredentialsError(who, "profile '" + profile + "' names sso_session '" + sso_session +
                                        "' but there is no [sso-session " + sso_session + "] section");
      }
      sso.session_name = sso_session;
      auto sget = [&](const char* key) -> std::string {
        auto it = session->find(key);
        return it == session->end() ? std::string() : it->second;
      };
      sso.start_url = sget("sso_start_url");
      sso.region = sget("sso_region");
    } else {
      sso.start_url = sso_start_url;
      sso.region = get("sso_region");
    }
    if (sso.account_id.empty() || sso.role_name.empty() || sso.region.empty()) {
      throw CredentialsError(
          who, "SSO profile '" + profile + "' needs sso_account_id, sso_role_name and sso_region");
    }
    return std::make_shared<SsoCredentialsProvider>(context, std::move(sso));
  }
  if (const std::string process = get("credential_process"); !process.empty()) {
    return std::make_shared<ProcessCredentialsProvider>(process, profile);
  }
  if (auto s = static_from_section(*section, profile)) return s;
  throw CredentialsNotFoundError(who, "profile '" + profile + "' has no credentials");
}

}  // namespace

ProfileCredentialsProvider::ProfileCredentialsProvider(ProviderContext context, std::string profile,
                                                       bool explicit_profile)
    : context_(normalized(std::move(context))),
      profile_(std::move(profile)),
      explicit_profile_(explicit_profile) {}

std::string ProfileCredentialsProvider::name() const {
  return "profile " + (profile_.empty() ? selected_profile(env_of(context_)) : profile_);
}

Credentials ProfileCredentialsProvider::get_credentials() {
  const Environment& env = env_of(context_);
  const bool from_env = env.get("AWS_PROFILE").has_value();
  const std::string profile = profile_.empty() ? selected_profile(env) : profile_;
  SharedConfig config;
  try {
    config = load_shared_config(env);
  } catch (const ConfigFileError& e) {
    throw CredentialsError(name(), e.what());
  }
  if (config.profile(profile) == nullptr && !explicit_profile_ && !from_env) {
    throw CredentialsNotFoundError(name(), "no profile '" + profile + "' in the shared config files");
  }
  std::set<std::string> visited;
  auto provider = resolve_profile(context_, config, profile, visited, /*as_source=*/false);
  Credentials c = provider->get_credentials();
  if (c.provider.empty() || c.provider == "static") c.provider = "profile " + profile;
  return c;
}

// ---------------------------------------------------------------- container

ContainerCredentialsProvider::ContainerCredentialsProvider(ProviderContext context, std::string relative_base)
    : context_(normalized(std::move(context))), relative_base_(std::move(relative_base)) {}

namespace {
bool allowed_full_uri_host(const Url& url) {
  if (url.scheme == "https") return true;
  const std::string& h = url.host;
  return h == "localhost" || h == "[::1]" || h.starts_with("127.") || h == "169.254.170.2" ||
         h == "169.254.170.23" || h == "[fd00:ec2::23]";
}
}  // namespace

Credentials ContainerCredentialsProvider::get_credentials() {
  const Environment& env = env_of(context_);
  std::string url;
  if (auto relative = env.get("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI")) {
    url = relative_base_ + (relative->starts_with('/') ? "" : "/") + *relative;
  } else if (auto full = env.get("AWS_CONTAINER_CREDENTIALS_FULL_URI")) {
    Url parsed;
    try {
      parsed = parse_url(*full);
    } catch (const std::invalid_argument& e) {
      throw CredentialsError(name(), std::string("AWS_CONTAINER_CREDENTIALS_FULL_URI: ") + e.what());
    }
    if (!allowed_full_uri_host(parsed)) {
      throw CredentialsError(name(),
                             "AWS_CONTAINER_CREDENTIALS_FULL_URI host '" + parsed.host +
                                 "' is not allowed over http (use https, loopback or the ECS/EKS address)");
    }
    url = *full;
  } else {
    throw CredentialsNotFoundError(name(), "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI/FULL_URI are not set");
  }
  HttpRequest request;
  request.url = url;
  request.headers.add("Accept", "application/json");
  request.connect_timeout = std::chrono::milliseconds(2000);
  request.total_timeout = std::chrono::milliseconds(5000);
  if (auto token_file = env.get("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE")) {
    const auto token = read_file(*token_file);
    if (!token)
      throw CredentialsError(name(),
                             "cannot read AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE '" + *token_file + "'");
    request.headers.add("Authorization", std::string(trim(*token)));
  } else if (auto token = env.get("AWS_CONTAINER_AUTHORIZATION_TOKEN")) {
    request.headers.add("Authorization", *token);
  }
  HttpResponse response;
  for (int attempt = 1;; ++attempt) {
    try {
      response = context_.transport->send(request);
      if (response.status < 500 || attempt >= 3) break;
    } catch (const TransportError& e) {
      if (attempt >= 3 || !e.transient()) {
        throw CredentialsError(name(),
                               std::string("container credentials endpoint unreachable: ") + e.what());
      }
    }
    context_.retry.wait(attempt);
  }
  if (response.status != 200) {
    throw CredentialsError(name(), "container credentials endpoint answered HTTP " +
                                       std::to_string(response.status) + ": " + first_line(response.body));
  }
  return parse_container_credentials(response.body, name());
}

// ---------------------------------------------------------------- IMDS

ImdsCredentialsProvider::ImdsCredentialsProvider(ProviderContext context)
    : context_(normalized(std::move(context))) {}

Credentials ImdsCredentialsProvider::get_credentials() {
  const Environment& env = env_of(context_);
  if (env_flag(env, "AWS_EC2_METADATA_DISABLED")) {
    throw CredentialsNotFoundError(name(), "disabled by AWS_EC2_METADATA_DISABLED");
  }
  std::string endpoint = env.get("AWS_EC2_METADATA_SERVICE_ENDPOINT").value_or("http://169.254.169.254");
  while (!endpoint.empty() && endpoint.back() == '/') endpoint.pop_back();

  auto send = [&](HttpRequest request, const char* step) -> HttpResponse {
    request.connect_timeout = std::chrono::milliseconds(1000);
    request.total_timeout = std::chrono::milliseconds(3000);
    for (int attempt = 1;; ++attempt) {
      try {
        HttpResponse response = context_.transport->send(request);
        if (response.status < 500 || attempt >= 2) return response;
      } catch (const TransportError& e) {
        if (e.kind() == TransportError::Kind::kConnect || e.kind() == TransportError::Kind::kTimeout) {
          throw CredentialsNotFoundError(name(),
                                         std::string("instance metadata service unreachable (") + step + ")");
        }
        if (attempt >= 2) throw CredentialsError(name(), std::string(step) + ": " + e.what());
      }
      context_.retry.wait(attempt);
    }
  };

  HttpRequest token_request;
  token_request.method = "PUT";
  token_request.url = endpoint + "/latest/api/token";
  token_request.headers.add("x-aws-ec2-metadata-token-ttl-seconds", "21600");
  const HttpResponse token = send(token_request, "token");
  if (token.status != 200 || trim(token.body).empty()) {
    throw CredentialsError(name(), "IMDSv2 token request answered HTTP " + std::to_string(token.status));
  }
  const std::string token_value(trim(token.body));

  HttpRequest role_request;
  role_request.url = endpoint + "/latest/meta-data/iam/security-credentials/";
  role_request.headers.add("x-aws-ec2-metadata-token", token_value);
  const HttpResponse role = send(role_request, "role");
  if (role.status == 404) throw CredentialsNotFoundError(name(), "the instance has no IAM role");
  if (role.status != 200)
    throw CredentialsError(name(), "IMDS role request answered HTTP " + std::to_string(role.status));
  const std::string role_name = first_line(role.body);
  if (role_name.empty()) throw CredentialsNotFoundError(name(), "the instance has no IAM role");

  HttpRequest creds_request;
  creds_request.url = endpoint + "/latest/meta-data/iam/security-credentials/" + uri_encode(role_name);
  creds_request.headers.add("x-aws-ec2-metadata-token", token_value);
  const HttpResponse creds = send(creds_request, "credentials");
  if (creds.status != 200) {
    throw CredentialsError(name(), "IMDS credentials request answered HTTP " + std::to_string(creds.status));
  }
  try {
    return parse_container_credentials(creds.body, name());
  } catch (const CredentialsError& e) {
    throw CredentialsError(name(), "role '" + role_name + "': " + e.message());
  }
}

// ---------------------------------------------------------------- pure decoders

Credentials parse_process_credentials(std::string_view output, const std::string& source) {
  const auto json = nlohmann::json::parse(output, nullptr, /*allow_exceptions=*/false);
  if (!json.is_object()) {
    throw CredentialsError(source, "printed no JSON object (got '" + first_line(output) + "')");
  }
  const auto version = json.find("Version");
  if (version == json.end() || !version->is_number_integer() || version->get<long long>() != 1) {
    throw CredentialsError(source, "output must have \"Version\": 1");
  }
  return credentials_from_json(json, source, "SessionToken");
}

Credentials parse_container_credentials(std::string_view body, const std::string& source) {
  const auto json = nlohmann::json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (!json.is_object()) throw CredentialsError(source, "the credentials endpoint returned no JSON object");
  if (auto code = json.find("Code");
      code != json.end() && code->is_string() && code->get<std::string>() != "Success") {
    throw CredentialsError(source, "credentials Code is '" + code->get<std::string>() + "'");
  }
  return credentials_from_json(json, source, "Token");
}

SsoToken parse_sso_token_cache(std::string_view text, const std::string& path, const std::string& source) {
  const auto json = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (!json.is_object()) throw CredentialsError(source, "SSO token cache " + path + " is not a JSON object");
  auto token = json.find("accessToken");
  auto expires = json.find("expiresAt");
  if (token == json.end() || !token->is_string() || expires == json.end() || !expires->is_string()) {
    throw CredentialsError(source, "SSO token cache " + path + " lacks accessToken/expiresAt");
  }
  SsoToken out;
  out.access_token = token->get<std::string>();
  try {
    out.expires_at = parse_iso8601(expires->get<std::string>());
  } catch (const std::invalid_argument& e) {
    throw CredentialsError(source, "SSO token cache " + path + ": " + e.what());
  }
  return out;
}

// ---------------------------------------------------------------- factories

std::shared_ptr<CredentialsProvider> make_default_credentials_chain(ProviderContext context) {
  context = normalized(std::move(context));
  std::vector<std::shared_ptr<CredentialsProvider>> providers = {
      std::make_shared<EnvironmentCredentialsProvider>(context.env),
      std::make_shared<ProfileCredentialsProvider>(context),
      WebIdentityCredentialsProvider::from_environment(context),
      std::make_shared<ContainerCredentialsProvider>(context),
      std::make_shared<ImdsCredentialsProvider>(context),
  };
  return std::make_shared<CachingCredentialsProvider>(
      std::make_shared<ChainCredentialsProvider>(std::move(providers)), context.clock);
}

std::shared_ptr<CredentialsProvider> make_profile_credentials_provider(ProviderContext context,
                                                                       std::string profile) {
  context = normalized(std::move(context));
  auto clock = context.clock;
  return std::make_shared<CachingCredentialsProvider>(
      std::make_shared<ProfileCredentialsProvider>(std::move(context), std::move(profile),
                                                   /*explicit_profile=*/true),
      clock);
}

}  // namespace auric::aws
