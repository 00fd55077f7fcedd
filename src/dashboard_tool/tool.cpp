#include "dashboard_tool/tool.hpp"

#include <sys/wait.h>

#include <algorithm>
#include <charconv>
#include <chrono>
#include <future>
#include <iostream>
#include <mutex>
#include <thread>

#include "aws/dynamodb.hpp"
#include "aws/lambda.hpp"
#include "aws/session.hpp"
#include "aws/sts.hpp"
#include "core/store.hpp"
#include "dashboard/command.hpp"
#include "dashboard/lambda_invoker.hpp"
#include "dashboard/local_server.hpp"
#include "dashboard/remote_backend.hpp"
#include "dashboard_tool/discovery.hpp"
#include "dashboard_tool/profiles.hpp"
#include "dashboard_tool/prompt.hpp"
#include "dashboard_tool/sso_login.hpp"
#include "store/dynamodb_store.hpp"

namespace auric::dashboard_tool {
namespace {

// The RemoteBackend, plus the list of migrations the deployment knows, learned from the
// function's status answer (the tool has no migrations binary of its own). Until a status
// answer arrives, the migrations recorded in the table stand in.
class ToolBackend final : public dashboard::DashboardBackend {
 public:
  ToolBackend(Store& store, std::shared_ptr<dashboard::FunctionInvoker> invoker,
              dashboard::DashboardIdentity identity)
      : store_(store),
        inner_(store, dashboard::RemoteBackendOptions{{}, std::move(invoker), {}, std::move(identity)}) {}

  Store& store() override { return store_; }
  dashboard::DashboardIdentity identity() override { return inner_.identity(); }

  std::vector<dashboard::MigrationInfo> migrations() override {
    {
      std::lock_guard lock(mu_);
      if (known_) return *known_;
      if (tried_) return from_store();
      tried_ = true;
    }
    try {
      (void)remote_status();
    } catch (const std::exception& e) {
      std::cerr << "[dashboard] could not ask the migration function for its migrations: " << e.what()
                << std::endl;
    }
    std::lock_guard lock(mu_);
    return known_ ? *known_ : from_store();
  }

  std::optional<dashboard::StatusLists> remote_status() override {
    auto lists = inner_.remote_status();
    if (lists) {
      std::vector<std::string> ids;
      for (const auto* v : {&lists->pending, &lists->completed, &lists->failed})
        ids.insert(ids.end(), v->begin(), v->end());
      std::sort(ids.begin(), ids.end());
      ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
      std::vector<dashboard::MigrationInfo> infos;
      infos.reserve(ids.size());
      for (auto& id : ids) infos.push_back({id, {}, {}, {}});
      std::lock_guard lock(mu_);
      known_ = std::move(infos);
    }
    return lists;
  }

  std::optional<std::string> run_unavailable_reason() override { return inner_.run_unavailable_reason(); }
  dashboard::StartOutcome start_run(const dashboard::RunParams& params) override {
    return inner_.start_run(params);
  }

 private:
  std::vector<dashboard::MigrationInfo> from_store() {
    std::vector<dashboard::MigrationInfo> infos;
    for (const auto& s : store_.list_states()) infos.push_back({s.id, {}, {}, {}});
    std::sort(infos.begin(), infos.end(), [](const auto& a, const auto& b) { return a.id < b.id; });
    return infos;
  }

  Store& store_;
  dashboard::RemoteBackend inner_;
  std::mutex mu_;
  bool tried_ = false;
  std::optional<std::vector<dashboard::MigrationInfo>> known_;
};

// Starts `xdg-open <url>` and waits briefly for it; false when it cannot run or fails.
bool xdg_open(const std::string& url) {
  const pid_t pid = dashboard::spawn_browser(url);
  if (pid < 0) return false;
  int status = 0;
  for (int i = 0; i < 50; ++i) {  // xdg-open returns once the browser is launched
    const pid_t done = ::waitpid(pid, &status, WNOHANG);
    if (done == pid) return WIFEXITED(status) && WEXITSTATUS(status) == 0;
    if (done < 0) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return true;  // still running: assume it works (it is reaped as a zombie at exit)
}

}  // namespace

int parse_port(const std::string& text) {
  int port = 0;
  const char* end = text.data() + text.size();
  auto [p, ec] = std::from_chars(text.data(), end, port);
  if (ec != std::errc() || p != end || port < 0 || port > 65535) return kDefaultPort;
  return port;
}

int run_tool(const ToolOptions& options, const ToolHooks& hooks) {
  std::ostream& out = hooks.out ? *hooks.out : std::cout;
  std::ostream& err = hooks.err ? *hooks.err : std::cerr;
  const std::shared_ptr<const aws::Environment> env = hooks.env ? hooks.env : aws::process_environment();
  Prompter* prompter = options.non_interactive ? nullptr : hooks.prompter;

  // 1. Profile.
  const std::vector<AwsProfile> profiles = load_profiles(*env);
  const AwsProfile& profile = choose_profile(
      profiles, ProfileChoice{options.profile, env->get("AWS_PROFILE"), options.non_interactive}, prompter);

  // 2. Region.
  std::string region = options.region;
  if (region.empty()) region = profile.region;
  if (region.empty()) region = env->get("AWS_REGION").value_or("");
  if (region.empty()) region = "us-east-1";
  out << "> Using AWS profile: " << profile.name << " (" << region << ")" << std::endl;

  // 3. Credentials: one provider for every call below.
  aws::ProviderContext context;
  context.env = env;
  const std::shared_ptr<aws::CredentialsProvider> credentials =
      aws::make_profile_credentials_provider(context, profile.name);
  try {
    (void)credentials->get_credentials();
  } catch (const std::exception& e) {
    if (!is_expired_sso_error(e)) throw;
    err << e.what() << std::endl;
    const std::string login = "aws sso login --profile " + profile.name;
    const bool yes = prompter != nullptr && prompter->confirm("Run `" + login + "` now?", false);
    if (!yes) throw ToolError("Aborted: please run `" + login + "` and retry.");
    run_sso_login(profile.name, env->get("PATH").value_or(""));
    (void)credentials->get_credentials();  // retry exactly once; a failure now is final
  }
  aws::SessionOptions session;
  session.region = region;
  session.env = env;
  session.credentials = credentials;
  const aws::CallerIdentity identity = aws::StsClient(aws::make_client_config(session)).get_caller_identity();
  out << "> Identity: " << identity.arn << " (account " << identity.account << ")" << std::endl;

  // 4. Discovery, in parallel.
  out << "> Discovering deployed migrations resources..." << std::endl;
  const aws::ClientConfig config = aws::make_client_config(session);
  auto functions = std::async(std::launch::async, [&]() -> std::vector<std::string> {
    if (!options.function_name.empty()) return {options.function_name};
    aws::LambdaClient lambda(config);
    return find_migration_functions(lambda);
  });
  auto tables = std::async(std::launch::async, [&]() -> std::vector<std::string> {
    if (!options.table_name.empty()) return {options.table_name};
    aws::DynamoDbClient dynamodb(config);
    return find_migrations_tables(dynamodb);
  });
  const std::vector<std::string> function_matches = functions.get();
  const std::vector<std::string> table_matches = tables.get();
  const std::string function_name = choose_resource(ResourceKind::kFunction, function_matches, prompter);
  const std::string table_name = choose_resource(ResourceKind::kTable, table_matches, prompter);
  out << "> Lambda: " << function_name << std::endl;
  out << "> Table:  " << table_name << std::endl;

  // 5. Store and invoker, both with the same credentials.
  const std::unique_ptr<Store> store = open_dynamodb_store(table_name, config);
  // The tool has no [env.NAME]: the table, region and profile say which deployment this is.
  const std::string endpoint =
      env->get("AWS_ENDPOINT_URL_DYNAMODB").value_or(env->get("AWS_ENDPOINT_URL").value_or(""));
  ToolBackend backend(*store, dashboard::make_lambda_invoker(config, function_name),
                      {dashboard::dynamodb_identity(table_name, region, endpoint, profile.name), ""});

  // 6. Server (the local dashboard's, with its Host and token checks).
  dashboard::LocalServerOptions server_options;
  server_options.port = options.port;
  dashboard::LocalServer server(backend, server_options);
  server.start();
  const std::string url = server.url();
  out << "> Dashboard ready: " << url << std::endl;
  if (hooks.on_ready) {
    hooks.on_ready(
        ReadyInfo{url, profile.name, region, function_name, table_name, identity.account, identity.arn});
  }

  // 7. Browser.
  if (!options.no_open) {
    const bool opened = hooks.open_browser ? hooks.open_browser(url) : xdg_open(url);
    if (!opened) {
      out << "(Could not auto-open browser: xdg-open failed; navigate manually to " << url << ")"
          << std::endl;
    }
  }

  // 8. Until SIGINT/SIGTERM.
  while (hooks.stop == nullptr || !hooks.stop->load()) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  out << "> Shutting down..." << std::endl;
  server.stop();
  return 0;
}

}  // namespace auric::dashboard_tool
