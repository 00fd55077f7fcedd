#include "core/records.hpp"

#include <array>
#include <stdexcept>
#include <string>

namespace auric {
namespace {

constexpr std::array<std::string_view, 5> kRunStatusNames = {"running", "completed", "failed", "interrupted",
                                                             "suspended"};
constexpr std::array<std::string_view, 6> kExecutionStatusNames = {
    "running", "completed", "failed", "interrupted", "needs_continuation", "suspended"};
constexpr std::array<std::string_view, 2> kRunKindNames = {"run", "manual"};

template <class Enum, std::size_t N>
Enum enum_from(std::string_view name, const std::array<std::string_view, N>& names, std::string_view what) {
  for (std::size_t i = 0; i < N; ++i) {
    if (names[i] == name) return static_cast<Enum>(i);
  }
  throw std::invalid_argument("unknown " + std::string(what) + " '" + std::string(name) + "'");
}

}  // namespace

std::string_view to_string(Direction direction) {
  return direction == Direction::kUp ? "up" : "down";
}

Direction direction_from(std::string_view name) {
  if (name == "up") return Direction::kUp;
  if (name == "down") return Direction::kDown;
  throw std::invalid_argument("invalid direction '" + std::string(name) + "' (expected \"up\" or \"down\")");
}

std::string_view to_string(LogLevel level) {
  switch (level) {
    case LogLevel::kDebug: return "debug";
    case LogLevel::kInfo: return "info";
    case LogLevel::kWarn: return "warn";
    case LogLevel::kError: return "error";
  }
  return "info";
}

std::string_view to_string(RunStatus status) {
  return kRunStatusNames.at(static_cast<std::size_t>(status));
}

RunStatus run_status_from(std::string_view name) {
  return enum_from<RunStatus>(name, kRunStatusNames, "run status");
}

std::string_view to_string(ExecutionStatus status) {
  return kExecutionStatusNames.at(static_cast<std::size_t>(status));
}

ExecutionStatus execution_status_from(std::string_view name) {
  return enum_from<ExecutionStatus>(name, kExecutionStatusNames, "execution status");
}

std::string_view to_string(RunKind kind) {
  return kRunKindNames.at(static_cast<std::size_t>(kind));
}

RunKind run_kind_from(std::string_view name) {
  return enum_from<RunKind>(name, kRunKindNames, "run kind");
}

}  // namespace auric
