// Shell completion scripts and the man page, generated from the command table: checked
// against the commands `--help` lists, run through `bash -n`, and the man page as the build
// writes it and `cmake --install` installs it.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <regex>

#include "process.hpp"

namespace auric::test {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

// The commands `<binary> --help` lists (its "Subcommands:" section).
std::vector<std::string> listed_commands(const std::string& binary) {
  const ProcessResult r = run({{binary, "--help"}, {}, "", ""});
  EXPECT_EQ(r.exit_code, 0);
  std::vector<std::string> out;
  const std::size_t start = r.out.find("Subcommands:\n");
  EXPECT_NE(start, std::string::npos) << r.out;
  const std::regex line(R"(^  ([a-z-]+) )");
  std::size_t pos = start + 13;
  while (pos < r.out.size() && r.out[pos] != '\n') {
    const std::size_t nl = r.out.find('\n', pos);
    std::smatch m;
    const std::string text = r.out.substr(pos, nl - pos);
    if (std::regex_search(text, m, line)) out.push_back(m[1]);
    pos = nl + 1;
  }
  return out;
}

std::string output_of(std::vector<std::string> argv) {
  const ProcessResult r = run({std::move(argv), {}, "", ""});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  return r.out;
}

TEST(Completion, BashScriptParsesAndRegistersForTheBinary) {
  for (const std::string binary : {AURIC_CLI_FIXTURE, AURIC_STANDALONE_TOOL}) {
    const std::string name = std::filesystem::path(binary).filename();
    const std::string script = output_of({binary, "completion", "bash"});
    const std::string dir = make_temp_dir();
    write_file(dir + "/completion.bash", script);
    const ProcessResult syntax = run({{"/bin/bash", "-n", dir + "/completion.bash"}, {}, "", ""});
    EXPECT_EQ(syntax.exit_code, 0) << syntax.err;
    EXPECT_THAT(script,
                HasSubstr("complete -F _" + std::regex_replace(name, std::regex("[^A-Za-z0-9]"), "_") + " " +
                          name + "\n"));
    for (const auto& command : listed_commands(binary)) EXPECT_THAT(script, HasSubstr(" " + command + ")\n"));
    for (const std::string option : {"--config", "--env", "--store", "--json"})
      EXPECT_THAT(script, HasSubstr(option));
    std::filesystem::remove_all(dir);
  }
}

// Sourcing the script and asking it to complete, as bash does on <Tab>.
TEST(Completion, BashCompletesCommandsOptionsAndMigrationIds) {
  const std::string dir = make_temp_dir();
  write_file(dir + "/completion.bash", output_of({AURIC_CLI_FIXTURE, "completion", "bash"}));
  const auto complete = [&](const std::string& words) {
    const std::string script = "source " + dir + "/completion.bash\nCOMP_WORDS=(" + words +
                               ")\nCOMP_CWORD=$((${#COMP_WORDS[@]} - 1))\n_cli_fixture\nprintf '%s\\n' "
                               "\"${COMPREPLY[@]}\"\n";
    const ProcessResult r = run({{"/bin/bash", "-c", script}, {}, "", ""});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return r.out;
  };
  const std::string fixture = AURIC_CLI_FIXTURE;
  EXPECT_EQ(complete(fixture + " sta"), "status\n");
  EXPECT_EQ(complete(fixture + " up --dr"), "--dry-run\n");
  EXPECT_EQ(complete(fixture + " status --st"), "--store\n") << "global options after the command";
  EXPECT_EQ(complete(fixture + " up --to 20250102"), "20250102000000_log-things\n");
  EXPECT_EQ(
      complete(fixture + " --store memory: migration 2025010"),
      "20250101000000_create-widgets\n20250102000000_log-things\n20250103000000_print-and-maybe-fail\n");
  EXPECT_EQ(complete(fixture + " completion z"), "zsh\n");
  std::filesystem::remove_all(dir);
}

TEST(Completion, ZshAndFishNameEveryCommandAndGlobalOption) {
  for (const std::string binary : {AURIC_CLI_FIXTURE, AURIC_STANDALONE_TOOL}) {
    const std::string name = std::filesystem::path(binary).filename();
    const std::string zsh = output_of({binary, "completion", "zsh"});
    const std::string fish = output_of({binary, "completion", "fish"});
    EXPECT_THAT(zsh, ::testing::StartsWith("#compdef " + name + "\n"));
    for (const auto& command : listed_commands(binary)) {
      EXPECT_THAT(zsh, HasSubstr("'" + command + ":"));
      EXPECT_THAT(zsh, HasSubstr("        " + command + ")\n"));
      EXPECT_THAT(fish, HasSubstr(" -a " + command + " -d "));
    }
    for (const std::string option : {"config", "env", "store", "json"}) {
      EXPECT_THAT(zsh, HasSubstr("--" + option));
      EXPECT_THAT(fish, HasSubstr("complete -c " + name + " " + (option == "config" ? "-s c " : "") + "-l " +
                                  option));
    }
  }
}

TEST(Completion, AnUnknownShellIsAUsageError) {
  const ProcessResult r = run({{AURIC_CLI_FIXTURE, "completion", "tcsh"}, {}, "", ""});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, ::testing::StartsWith("error: shell: tcsh not in {bash,zsh,fish}"));
}

// Every command the binary offers has its section, with its options, and the exit codes.
void expect_page_lists(const std::string& page, const std::vector<std::string>& commands) {
  EXPECT_THAT(page, HasSubstr(".TH "));
  EXPECT_THAT(page, HasSubstr(".SH EXIT STATUS"));
  ASSERT_FALSE(commands.empty());
  for (const auto& command : commands) EXPECT_THAT(page, HasSubstr("\n.SS " + command + "\n")) << command;
  EXPECT_THAT(page, HasSubstr("\\fB\\-\\-store\\fR \\fIURL\\fR"));
  EXPECT_THAT(page, Not(HasSubstr("\n.SS man\n"))) << "man is hidden";
}

TEST(ManPage, ListsEveryCommandOfTheBinary) {
  expect_page_lists(output_of({AURIC_CLI_FIXTURE, "man"}), listed_commands(AURIC_CLI_FIXTURE));
}

TEST(ManPage, TheStandaloneToolsPageAlsoListsTheMigrationsBinaryCommands) {
  const std::string page = output_of({AURIC_STANDALONE_TOOL, "man"});
  expect_page_lists(page, listed_commands(AURIC_STANDALONE_TOOL));
  for (const std::string command : {"up", "down"}) EXPECT_THAT(page, HasSubstr("\n.SS " + command + "\n"));
  EXPECT_THAT(page, HasSubstr("apply pending migrations in id order (migrations binary only)"));
}

TEST(ManPage, TheBuildWritesItAndCmakeInstallInstallsIt) {
  const std::string built = read_file(AURIC_BUILD_DIR "/man/auric-migrate.1");
  ASSERT_FALSE(built.empty()) << "the build step (auric_man_page) writes man/auric-migrate.1";
  EXPECT_EQ(built, output_of({AURIC_STANDALONE_TOOL, "man"}));
  const std::string prefix = make_temp_dir();
  const ProcessResult install =
      run({{AURIC_CMAKE_COMMAND, "--install", AURIC_BUILD_DIR, "--component", "man", "--prefix", prefix},
           {},
           "",
           ""});
  ASSERT_EQ(install.exit_code, 0) << install.err;
  EXPECT_EQ(read_file(prefix + "/share/man/man1/auric-migrate.1"), built);
  std::filesystem::remove_all(prefix);
}

}  // namespace
}  // namespace auric::test
