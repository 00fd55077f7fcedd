// JSON forms of the nested parts of records (Who, CurrentRun, id lists) for backends that
// keep them as JSON text (SQLite; DynamoDB may reuse them for string attributes). Decoding is
// tolerant of missing keys (defaults) so older readers accept newer items, and throws
// StoreError for a wrong shape. Pure functions: thread-safe.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/records.hpp"

namespace auric::record_json {

Json from_who(const Who& who);
Who to_who(const Json& json);

Json from_current_run(const CurrentRun& current);
CurrentRun to_current_run(const Json& json);

// Compact JSON text. Invalid UTF-8 inside strings is replaced by U+FFFD rather than failing
// the write (the value is data a migration produced; losing a record would be worse).
std::string dump(const Json& json);

// Parses text written by dump(); `what` names the field for the error message.
Json parse(std::string_view text, std::string_view what);

std::vector<std::string> to_string_list(const Json& json);

}  // namespace auric::record_json
