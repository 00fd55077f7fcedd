// The command set shared by every binary (docs/cli.md). run_cli() parses argv, runs one
// command and returns its exit code; errors are caught here and become one-line messages.
// The commands are the built-in ones plus those other parts (lambda, dashboard) added to the
// app part's registry (app/command.hpp) before run_cli().
#pragma once

#include <vector>

#include <auric/migrations.hpp>

#include "app/command.hpp"
#include "app/session.hpp"
#include "core/runner.hpp"

namespace auric::cli {

// The built-in commands (cli/commands.cpp).
std::vector<app::CommandDef> builtin_commands();

// Runs one command of `program` (the built-in ones and app::registered_commands()) and
// returns its exit code (app::ExitCode); never throws.
int run_cli(int argc, char** argv, const app::Program& program);

// The exit code of a run's result (app::ExitCode; 130/143 when stopped by a signal).
int exit_code_for(const ExecutionResult& r);

// The help of `--no-progress` (up, down, redo): no progress bar or progress lines.
inline constexpr const char* kNoProgressHelp =
    "show no progress of the running migration (no bar on a terminal, no progress lines otherwise)";

// Prints JSON to stdout (pretty, 2 spaces).
void print_json(const Json& value);

}  // namespace auric::cli
