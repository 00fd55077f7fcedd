// Pure parsing of store URLs (docs/storage.md): `memory:[NAME]`, `sqlite:PATH[?sync=normal|full]`
// and `dynamodb:TABLE[?region=..&endpoint=..&profile=..&max_attempts=..]`. open_store() and the
// built-in openers use it, so what it accepts is exactly what opens. No I/O; thread-safe.
#pragma once

#include <string>
#include <string_view>
#include <variant>

#include "store/dynamodb_store.hpp"
#include "store/sqlite_store.hpp"

namespace auric {

struct MemoryStoreLocation {
  std::string name;  // empty: a private store; else shared by name within the process
};

struct SqliteStoreLocation {
  std::string path;
  SqliteStoreOptions::Sync sync = SqliteStoreOptions::Sync::kNormal;
};

struct StoreUrl {
  std::string scheme;    // before the first ':'
  std::string location;  // after it, as given
  // The built-in schemes' parsed location; std::monostate for another (registered) scheme,
  // whose opener checks its own location.
  std::variant<std::monostate, MemoryStoreLocation, SqliteStoreLocation, DynamoDbStoreOptions> parsed;
};

// Parses the store URL `text`. Throws std::invalid_argument, naming the URL, the problem and the expected
// form, for a missing or malformed scheme and for a bad location of a built-in scheme.
StoreUrl parse_store_url(std::string_view text);

// The location part `path` of sqlite:PATH[?sync=...]. Throws std::invalid_argument.
SqliteStoreLocation parse_sqlite_store_location(const std::string& path);

// True for a scheme of lower-case letters, digits and '-'.
bool valid_store_scheme(std::string_view scheme);

}  // namespace auric
