// Opening a store by URL: what every part that is handed a configured `store` URL calls (the
// CLI, the Lambda runtime, the dashboards, the tools). Backed by the scheme registry
// (store/registry.hpp). Thread-safe.
#pragma once

#include <memory>
#include <string>

#include "core/store.hpp"

namespace auric {

// Opens a store by URL: `memory:` (a fresh in-process store; `memory:NAME` shares one
// store per name within the process), `sqlite:PATH` (parent folders are created), and
// `dynamodb:TABLE?region=R&endpoint=URL`. Throws std::invalid_argument for an unknown scheme
// or a malformed URL (the message lists the supported forms) and StoreError when the medium
// cannot be opened.
std::unique_ptr<Store> open_store(const std::string& url);

// The default store URL when nothing is configured.
inline constexpr const char* kDefaultStoreUrl = "sqlite:.auric/migrations.db";

}  // namespace auric
