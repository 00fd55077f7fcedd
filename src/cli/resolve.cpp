#include "cli/resolve.hpp"

#include <algorithm>
#include <cctype>
#include <optional>

#include "app/command.hpp"
#include "core/ids.hpp"

namespace auric::cli {
namespace {

using app::CommandError;
using app::kExitNotFound;

std::string lower(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// Optimal string alignment distance: insertions, deletions, substitutions and swaps of two
// adjacent characters each cost one.
std::size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<std::vector<std::size_t>> d(a.size() + 1, std::vector<std::size_t>(b.size() + 1));
  for (std::size_t i = 0; i <= a.size(); ++i) d[i][0] = i;
  for (std::size_t j = 0; j <= b.size(); ++j) d[0][j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
      d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
        d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
    }
  }
  return d[a.size()][b.size()];
}

// How close `candidate` is to `typed` (lower is closer), or nullopt when it is not close.
std::optional<std::size_t> closeness(const std::string& typed, const std::string& candidate) {
  if (typed.empty() || candidate.empty()) return std::nullopt;
  if (candidate.starts_with(typed)) return 0;
  if (typed.size() >= 3 && candidate.find(typed) != std::string::npos) return 1;
  const std::size_t allowed = std::clamp<std::size_t>(typed.size() / 3, 1, 3);
  const std::size_t d = edit_distance(typed, candidate);
  if (d <= allowed) return 1 + d;
  return std::nullopt;
}

std::string join(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& s : items) out += (out.empty() ? "" : ", ") + s;
  return out;
}

std::string too_short(const std::string& ref, std::string_view what) {
  return "'" + ref + "' is too short to name " + std::string(what) + ": give at least " +
         std::to_string(kMinIdPrefix) + " characters of its id";
}

}  // namespace

std::vector<std::string> suggestions(std::string_view typed, const std::vector<std::string>& candidates,
                                     std::size_t max) {
  const std::string t = lower(typed);
  std::vector<std::pair<std::size_t, std::string>> scored;
  for (const auto& c : candidates) {
    if (const auto score = closeness(t, lower(c))) scored.emplace_back(*score, c);
  }
  std::sort(scored.begin(), scored.end());
  std::vector<std::string> out;
  for (const auto& [score, c] : scored) {
    if (out.size() == max) break;
    if (std::find(out.begin(), out.end(), c) == out.end()) out.push_back(c);
  }
  return out;
}

std::string did_you_mean(const std::vector<std::string>& suggested) {
  if (suggested.empty()) return "";
  std::string out = "; did you mean ";
  for (std::size_t i = 0; i < suggested.size(); ++i) {
    if (i > 0) out += i + 1 == suggested.size() ? " or " : ", ";
    out += suggested[i];
  }
  return out + "?";
}

std::string resolve_migration(const std::vector<std::string>& ids, const std::string& ref,
                              std::string_view not_found) {
  if (std::find(ids.begin(), ids.end(), ref) != ids.end()) return ref;
  std::vector<std::string> matches;
  for (const auto& id : ids) {
    if (migration_name_of(id) == ref) matches.push_back(id);
  }
  const bool by_name = !matches.empty();
  if (!by_name && ref.size() >= kMinIdPrefix) {
    for (const auto& id : ids) {
      if (id.starts_with(ref)) matches.push_back(id);
    }
  }
  if (matches.size() == 1) return matches.front();
  if (matches.size() > 1) {
    throw CommandError(kExitNotFound, "'" + ref + "' is ambiguous: it " + (by_name ? "names " : "starts ") +
                                          join(matches) + "; use the full id");
  }
  // Nothing matched: suggest ids whose id or name is close to what was typed.
  std::vector<std::pair<std::size_t, std::string>> scored;
  const std::string t = lower(ref);
  for (const auto& id : ids) {
    auto best = closeness(t, lower(migration_name_of(id)));
    if (const auto by_id = closeness(t, lower(id)); by_id && (!best || *by_id < *best)) best = by_id;
    if (best) scored.emplace_back(*best, id);
  }
  std::sort(scored.begin(), scored.end());
  std::vector<std::string> close;
  for (std::size_t i = 0; i < scored.size() && i < 3; ++i) close.push_back(scored[i].second);
  std::string hint = did_you_mean(close);
  if (ref.size() < kMinIdPrefix && !ref.empty() &&
      std::any_of(ids.begin(), ids.end(), [&](const std::string& id) { return id.starts_with(ref); })) {
    hint = " (" + too_short(ref, "a migration") + ")";
  }
  throw CommandError(kExitNotFound, std::string(not_found) + ref + hint);
}

std::string resolve_execution_id(Store& store, const std::string& ref) {
  if (store.get_execution(ref)) return ref;
  if (ref.size() < kMinIdPrefix)
    throw CommandError(kExitNotFound, "Execution not found: " + too_short(ref, "an execution"));
  std::vector<std::string> matches, recent;
  std::string cursor;
  int seen = 0;
  do {
    const Page<ExecutionRecord> page = store.list_executions(std::min(100, kPrefixWindow - seen), cursor);
    for (const auto& e : page.items) {
      if (e.execution_id.starts_with(ref)) matches.push_back(e.execution_id);
      recent.push_back(e.execution_id);
    }
    seen += static_cast<int>(page.items.size());
    cursor = page.next_cursor;
  } while (!cursor.empty() && seen < kPrefixWindow);
  if (matches.size() == 1) return matches.front();
  if (matches.size() > 1) {
    std::string list;
    for (const auto& id : matches) list += "\n  " + id;
    throw CommandError(kExitNotFound, "execution id prefix '" + ref + "' is ambiguous: it starts " +
                                          std::to_string(matches.size()) +
                                          " executions; give more characters:" + list);
  }
  // Runs may name an execution whose record is gone: the exact id still shows them.
  if (!store.runs_of_execution(ref).empty()) return ref;
  // A typo in a short id: compare with the same number of leading characters of each id.
  std::vector<std::string> heads;
  heads.reserve(recent.size());
  for (const auto& id : recent) heads.push_back(id.substr(0, std::max(ref.size(), std::size_t{8})));
  std::string message = "Execution not found: " + ref + did_you_mean(suggestions(ref, heads));
  if (!cursor.empty()) {
    message += " (an id prefix is matched against the " + std::to_string(kPrefixWindow) +
               " most recent executions; give the full id for an older one)";
  }
  throw CommandError(kExitNotFound, message);
}

}  // namespace auric::cli
