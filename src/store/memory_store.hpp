// The in-process Store: every record in maps guarded by one mutex, so all methods are
// atomic and thread-safe. Nothing is persisted; several handles share data only through a
// name (`memory:NAME`), which lives until the process exits. For tests and dry runs.
#pragma once

#include <memory>
#include <string>

#include "core/store.hpp"

namespace auric {

// A fresh, empty store ("memory:").
std::unique_ptr<Store> make_memory_store();

// A handle on the process-wide store called `name` ("memory:NAME"), created empty on first
// use; every handle with the same name sees the same data. An empty name gives a fresh store.
std::unique_ptr<Store> open_memory_store(const std::string& name);

}  // namespace auric
