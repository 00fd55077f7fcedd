// The scheme → opener registry behind open_store(). The built-in backends (memory, sqlite,
// dynamodb) are registered the first time the registry is used; tests and tools may add or
// replace schemes at run time. Thread-safe.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "core/store.hpp"

namespace auric {

// Opens a store from the part of the URL after "scheme:" (possibly empty). Throws
// std::invalid_argument for a malformed location and StoreError when the medium fails.
using StoreOpener = std::function<std::unique_ptr<Store>(const std::string& location)>;

// Registers, or replaces, the opener for URLs "scheme:...". `scheme` is lower-case letters,
// digits and '-' (std::invalid_argument otherwise). Returns true, so a backend may register
// from a namespace-scope initialiser in a binary that links its object file directly.
//
// A backend compiled into the auric_store archive must NOT rely on a static initialiser (the
// linker drops archive members nothing references): it defines a `register_<name>_store()`
// function that open_store.cpp calls, like the built-in ones below.
bool register_store_scheme(const std::string& scheme, StoreOpener opener);

// The registered schemes, sorted.
std::vector<std::string> registered_store_schemes();

namespace detail {
// Built-in registrations (each defined next to its backend), called once by the registry.
void register_memory_store();
void register_sqlite_store();
void register_dynamodb_store();
}  // namespace detail

}  // namespace auric
