#include "app/command.hpp"

namespace auric::app {
namespace {

std::vector<CommandDef>& commands() {
  static std::vector<CommandDef> list;
  return list;
}

}  // namespace

void register_command(CommandDef command) {
  commands().push_back(std::move(command));
}

const std::vector<CommandDef>& registered_commands() {
  return commands();
}

}  // namespace auric::app
