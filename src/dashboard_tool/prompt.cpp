#include "dashboard_tool/prompt.hpp"

#include <unistd.h>

#include <cctype>
#include <string>

#include "dashboard_tool/profiles.hpp"

namespace auric::dashboard_tool {
namespace {

std::string trimmed(const std::string& s) {
  const auto b = s.find_first_not_of(" \t\r\n");
  if (b == std::string::npos) return {};
  return s.substr(b, s.find_last_not_of(" \t\r\n") - b + 1);
}

}  // namespace

bool TerminalPrompter::read_line(std::string& line) {
  line.clear();
  char buf[256];
  while (std::fgets(buf, sizeof buf, in_) != nullptr) {
    line += buf;
    if (!line.empty() && line.back() == '\n') return true;
  }
  return !line.empty();
}

std::size_t TerminalPrompter::pick(const std::string& title, const std::vector<std::string>& options,
                                   std::size_t default_index) {
  std::fprintf(out_, "? %s\n", title.c_str());
  for (std::size_t i = 0; i < options.size(); ++i) {
    std::fprintf(out_, "  %zu) %s%s\n", i + 1, options[i].c_str(), i == default_index ? "  (default)" : "");
  }
  for (;;) {
    std::fprintf(out_, "Enter a number [%zu]: ", default_index + 1);
    std::fflush(out_);
    std::string line;
    if (!read_line(line)) throw ToolError("Aborted: no selection made.");
    const std::string answer = trimmed(line);
    if (answer.empty()) return default_index;
    bool digits = answer.size() < 9;
    for (char c : answer) digits = digits && std::isdigit(static_cast<unsigned char>(c));
    if (digits) {
      const std::size_t n = std::stoul(answer);
      if (n >= 1 && n <= options.size()) return n - 1;
    }
    std::fprintf(out_, "Please enter a number between 1 and %zu.\n", options.size());
  }
}

bool TerminalPrompter::confirm(const std::string& question, bool default_yes) {
  for (;;) {
    std::fprintf(out_, "? %s %s ", question.c_str(), default_yes ? "(Y/n)" : "(y/N)");
    std::fflush(out_);
    std::string line;
    if (!read_line(line)) {
      std::fprintf(out_, "\n");
      return false;
    }
    std::string answer = trimmed(line);
    for (char& c : answer) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (answer.empty()) return default_yes;
    if (answer == "y" || answer == "yes") return true;
    if (answer == "n" || answer == "no") return false;
    std::fprintf(out_, "Please answer y or n.\n");
  }
}

bool stdin_is_terminal() {
  return ::isatty(STDIN_FILENO) == 1;
}

}  // namespace auric::dashboard_tool
