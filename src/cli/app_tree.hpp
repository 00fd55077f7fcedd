// The command tree of one binary as CLI11 sees it: the global options and one subcommand per
// command of the table (the built-in commands, the registered ones, completion and the hidden
// man). run_cli() builds it to parse argv; the docs generator (docs_gen.hpp) walks it.
// Private to src/cli (it names CLI11 types). Not thread-safe.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include <CLI/CLI.hpp>

#include "app/command.hpp"
#include "app/session.hpp"

namespace auric::cli {

// What the global options bind to.
struct GlobalFlags {
  std::string config_path;
  std::string env_name;
  std::string store_url;
  bool json = false;
};

struct AppTree {
  CLI::App app;
  GlobalFlags flags;
  std::vector<std::pair<CLI::App*, std::function<int(app::Session&)>>> commands;
};

// The tree of `program`. With `documentation`, every command of the table, also those a
// standalone program does not offer (their descriptions say so): the man page lists them all.
// Heap-allocated because the options bind to `flags` by address.
std::unique_ptr<AppTree> build_app_tree(const app::Program& program, bool documentation = false);

// The global options of `root` (not --help or --version), as --help lists them.
std::vector<const CLI::Option*> global_options(const CLI::App& root);

// The suffix a command's description gets in documentation of a standalone program when the
// standalone program lacks that command.
inline constexpr const char* kMigrationsBinaryOnly = " (migrations binary only)";

}  // namespace auric::cli
