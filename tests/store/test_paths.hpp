// Scratch folders for the store tests: one root per test process under the system temp
// folder, removed when the process's tests end. Not thread-safe (call from the test thread).
#pragma once

#include <filesystem>
#include <string>

namespace auric::store_testing {

// A new, empty folder under this process's scratch root.
std::filesystem::path new_scratch_dir();

}  // namespace auric::store_testing
