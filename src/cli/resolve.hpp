// What a user typed, resolved to what it names: exact ids, unique names, unique id prefixes,
// and "did you mean" suggestions when nothing matches. Every failure is a CommandError with
// kExitNotFound (2: "you named something that isn't there", a usage error). Pure apart from
// resolve_execution_id, which reads bounded pages of the store (never a scan). Thread-safe.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "core/store.hpp"

namespace auric::cli {

// The shortest id prefix accepted (the dashboard shows 8 characters; git accepts 4).
inline constexpr std::size_t kMinIdPrefix = 4;
// How many of the most recent executions an execution id prefix is matched against.
inline constexpr int kPrefixWindow = 1000;

// Up to `max` candidates close to `typed`, best first: one that starts with it, one that
// contains it (3 characters or more), or one within a small edit distance (adjacent
// transpositions count as one edit). Case-insensitive.
std::vector<std::string> suggestions(std::string_view typed, const std::vector<std::string>& candidates,
                                     std::size_t max = 3);

// "; did you mean a?" / "; did you mean a or b?" / "" (nothing close).
std::string did_you_mean(const std::vector<std::string>& suggested);

// The migration `ref` names among `ids`: the exact id, else the id whose name part is `ref`,
// else the id starting with `ref` (at least kMinIdPrefix characters). Throws CommandError
// (kExitNotFound) starting with `not_found` + ref when nothing matches (with suggestions),
// or naming every candidate when several match.
std::string resolve_migration(const std::vector<std::string>& ids, const std::string& ref,
                              std::string_view not_found = "Migration not found: ");

// The execution `ref` names: its exact id, else the one execution among the kPrefixWindow
// most recent whose id starts with `ref` (at least kMinIdPrefix characters). Throws
// CommandError (kExitNotFound) for no match (with suggestions), an ambiguous prefix
// (listing the candidates) or a too short one.
std::string resolve_execution_id(Store& store, const std::string& ref);

}  // namespace auric::cli
