// auric::run_main(): the entry point of a user's migrations binary.
#include <cstring>
#include <iostream>

#include <auric/migrations.hpp>

#include "app/command.hpp"
#include "app/session.hpp"
#include "cli/cli.hpp"
#include "dashboard/command.hpp"
#include "lambda/entry.hpp"
#include "tools/dashboard_api_lambda.hpp"

namespace auric {

namespace {
// Adds the commands of the parts linked into a migrations binary (dashboard, lambda, fargate).
void register_part_commands() {
  static bool registered = false;
  if (registered) return;
  registered = true;
  dashboard::register_dashboard_command();
  lambda::register_lambda_commands();
}
}  // namespace

int run_main(int argc, char** argv, const RunMainOptions& options) {
  register_part_commands();
  app::Program program;
  program.standalone = false;
  if (argc > 0 && argv[0]) {
    const char* slash = std::strrchr(argv[0], '/');
    program.name = slash ? slash + 1 : argv[0];
  }
  program.make_user_context = options.make_user_context;
  try {
    if (options.migrations.empty()) {
      program.migrations = registered_migrations();
    } else {
      std::vector<std::pair<std::string, Migration>> pairs;
      for (const auto& m : options.migrations) pairs.emplace_back(m.id, m.migration);
      program.migrations = define_migrations(std::move(pairs));
      for (auto& m : program.migrations) {
        for (const auto& given : options.migrations) {
          if (given.id == m.id) m.checksum = given.checksum;
        }
      }
    }
  } catch (const std::exception& e) {
    std::cerr << "error: " << e.what() << std::endl;
    return app::kExitUsage;
  }
  if (const auto rc = run_dashboard_api_lambda_if_selected(argc, program)) return *rc;
  if (const auto rc = lambda::run_if_lambda_environment(argc, argv, program)) return *rc;
  return cli::run_cli(argc, argv, program);
}

}  // namespace auric
