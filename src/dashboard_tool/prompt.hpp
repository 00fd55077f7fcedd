// Interactive questions of the dashboard tool behind an interface: a numbered picker and a
// yes/no confirmation. TerminalPrompter talks to a terminal (stdin/stderr); the tool uses it
// only when stdin is a TTY and --non-interactive is off, so a non-interactive run can never
// wait for input. Not thread-safe (one question at a time).
#pragma once

#include <cstddef>
#include <cstdio>
#include <string>
#include <vector>

namespace auric::dashboard_tool {

class Prompter {
 public:
  virtual ~Prompter() = default;
  // Shows `title` and the numbered options; returns the chosen index. Throws ToolError
  // ("Aborted: ...") when the input ends.
  virtual std::size_t pick(const std::string& title, const std::vector<std::string>& options,
                           std::size_t default_index) = 0;
  // Asks a yes/no question; an empty answer gives `default_yes`. End of input = no.
  virtual bool confirm(const std::string& question, bool default_yes) = 0;
};

// Reads answers line by line from `in` and writes the questions to `out`.
class TerminalPrompter final : public Prompter {
 public:
  TerminalPrompter(std::FILE* in, std::FILE* out) : in_(in), out_(out) {}
  std::size_t pick(const std::string& title, const std::vector<std::string>& options,
                   std::size_t default_index) override;
  bool confirm(const std::string& question, bool default_yes) override;

 private:
  bool read_line(std::string& line);
  std::FILE* in_;
  std::FILE* out_;
};

// True when stdin is a terminal.
bool stdin_is_terminal();

}  // namespace auric::dashboard_tool
