// Shell completion scripts (bash, zsh, fish) and the man page (roff, section 1), generated from
// a binary's command tree (app_tree.hpp), so they list exactly the commands and options
// `--help` shows. Values typed MIGRATION complete to the ids `<binary> list` prints; PATH, FILE
// and DIR complete to files. Pure functions of the tree; thread-safe on a tree nobody changes.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "app/command.hpp"
#include "cli/app_tree.hpp"

namespace auric::cli {

// The shells completion_script() knows.
inline constexpr std::string_view kCompletionShells[] = {"bash", "zsh", "fish"};

// The completion script of `root` for `shell` (one of kCompletionShells); std::invalid_argument
// for another shell.
std::string completion_script(const CLI::App& root, std::string_view shell);

// The man page of `root`: NAME, SYNOPSIS, DESCRIPTION, GLOBAL OPTIONS, COMMANDS (every visible
// command with its usage, options and arguments), EXIT STATUS, ENVIRONMENT, FILES, SEE ALSO.
std::string man_page(const CLI::App& root, std::string_view version);

// The `completion` command and the hidden `man` command.
std::vector<app::CommandDef> docs_commands();

}  // namespace auric::cli
