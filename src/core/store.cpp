#include "core/store.hpp"

namespace auric {

std::vector<std::size_t> Store::count_runs_of_executions(const std::vector<std::string>& execution_ids) {
  std::vector<std::size_t> counts;
  counts.reserve(execution_ids.size());
  for (const auto& id : execution_ids) counts.push_back(runs_of_execution(id).size());
  return counts;
}

}  // namespace auric
