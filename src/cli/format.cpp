#include "cli/format.hpp"

#include <unistd.h>

#include <cmath>
#include <cstdlib>
#include <ctime>

namespace auric::cli {

std::string join(const std::vector<std::string>& items, std::string_view sep) {
  std::string out;
  for (const auto& s : items) {
    if (!out.empty()) out += sep;
    out += s;
  }
  return out;
}

std::string format_relative(std::int64_t when_ms, std::int64_t now_ms) {
  const std::int64_t diff = now_ms - when_ms;
  if (diff < 0) return "just now";
  const std::int64_t s = diff / 1000;
  if (s < 60) return std::to_string(s) + "s ago";
  const std::int64_t m = s / 60;
  if (m < 60) return std::to_string(m) + "m ago";
  const std::int64_t h = m / 60;
  if (h < 24) return std::to_string(h) + "h ago";
  const std::int64_t d = h / 24;
  if (d < 30) return std::to_string(d) + "d ago";
  const std::int64_t mo = d / 30;
  if (mo < 12) return std::to_string(mo) + "mo ago";
  return std::to_string(d / 365) + "y ago";
}

std::string format_timestamp(std::int64_t when_ms) {
  const std::time_t t = static_cast<std::time_t>(when_ms / 1000);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%SZ", &tm);
  return buf;
}

std::string format_applied_at(std::int64_t when_ms, std::int64_t now_ms) {
  const std::time_t t = static_cast<std::time_t>(when_ms / 1000);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M UTC", &tm);
  return std::string(buf) + " (" + format_relative(when_ms, now_ms) + ")";
}

std::string pad(std::string_view text, std::size_t width) {
  std::size_t points = 0;
  for (char c : text) {
    if ((static_cast<unsigned char>(c) & 0xC0) != 0x80) ++points;
  }
  std::string out(text);
  if (points < width) out.append(width - points, ' ');
  return out;
}

std::string indent(std::string_view text, std::string_view prefix) {
  std::string out;
  std::size_t start = 0;
  while (start <= text.size()) {
    const std::size_t nl = text.find('\n', start);
    const std::string_view line =
        text.substr(start, nl == std::string_view::npos ? std::string_view::npos : nl - start);
    if (!line.empty()) out.append(prefix);
    out.append(line);
    if (nl == std::string_view::npos) break;
    out += '\n';
    start = nl + 1;
  }
  return out;
}

std::string trim_right(std::string_view text) {
  std::size_t end = text.size();
  while (end > 0 && std::isspace(static_cast<unsigned char>(text[end - 1]))) --end;
  return std::string(text.substr(0, end));
}

std::string trim(std::string_view text) {
  std::size_t start = 0;
  while (start < text.size() && std::isspace(static_cast<unsigned char>(text[start]))) ++start;
  return trim_right(text.substr(start));
}

Style Style::detect(int fd) {
  const char* no_color = std::getenv("NO_COLOR");
  Style s;
  s.color = isatty(fd) == 1 && !(no_color && *no_color);
  return s;
}

namespace {
std::string wrap(bool on, const char* code, std::string_view s) {
  if (!on) return std::string(s);
  return std::string("\033[") + code + "m" + std::string(s) + "\033[0m";
}
std::string repeat(std::string_view unit, std::size_t n) {
  std::string out;
  out.reserve(unit.size() * n);
  for (std::size_t i = 0; i < n; ++i) out.append(unit);
  return out;
}
}  // namespace

std::string Style::green(std::string_view s) const {
  return wrap(color, "32", s);
}
std::string Style::red(std::string_view s) const {
  return wrap(color, "31", s);
}
std::string Style::yellow(std::string_view s) const {
  return wrap(color, "33", s);
}
std::string Style::dim(std::string_view s) const {
  return wrap(color, "2", s);
}
std::string Style::bold(std::string_view s) const {
  return wrap(color, "1", s);
}

std::string rule(std::size_t width) {
  return repeat("\u2500", width);
}
std::string heavy_rule(std::size_t width) {
  return repeat("\u2550", width);
}

std::string mark_for(RunStatus status, const Style& style) {
  switch (status) {
    case RunStatus::kCompleted: return style.green(kMarkDone);
    case RunStatus::kFailed:
    case RunStatus::kInterrupted: return style.red(kMarkFailed);
    case RunStatus::kRunning: return style.yellow(kMarkPending);
    case RunStatus::kSuspended: return style.yellow(kMarkSuspended);
  }
  return std::string(kMarkPending);
}

std::string render_run_detail(const RunRecord& run) {
  std::vector<std::string> sections;
  auto section = [&](std::string_view title, const std::string& body) {
    sections.push_back("  " + std::string(title) + ":\n" + indent(body, "    "));
  };
  if (run.kind == RunKind::kManual) {
    std::string body = "recorded by an operator without running the migration";
    if (!run.who.user.empty() || !run.who.host.empty())
      body += " (" + run.who.user + "@" + run.who.host + ")";
    if (!run.reason.empty()) body += "\nReason: " + run.reason;
    section("Manual", body);
  } else if (!run.reason.empty()) {
    section("Reason", run.reason);
  }
  if (const std::string d = trim(run.description); !d.empty()) {
    section(run.description_truncated ? "Description (truncated)" : "Description", d);
  }
  if (!run.error.empty()) section(run.error_truncated ? "Error (truncated)" : "Error", trim_right(run.error));
  if (!run.result.is_null() && !(run.result.is_object() && run.result.empty())) {
    section(run.result_truncated ? "Result (truncated)" : "Result", run.result.dump(2));
  }
  const std::string output = trim_right(run.output);
  if (!output.empty() || run.output_truncated) {
    std::string body;
    if (run.output_truncated) body = "[output exceeded the storage cap; oldest lines were dropped]\n\n";
    body += output;
    section("Output", trim_right(body));
  }
  if (sections.empty()) return "  (no description, result, or captured output)\n";
  std::string out;
  for (std::size_t i = 0; i < sections.size(); ++i) {
    if (i > 0) out += "\n";
    out += sections[i] + "\n";
  }
  return out;
}

}  // namespace auric::cli
