// The in-process SegmentStore behind MemoryStore::segments(): every segment in one map guarded
// by one mutex, so each call is atomic. Shared by every handle of a named memory store.
#pragma once

#include <memory>

#include "core/segment_store.hpp"

namespace auric {

// A fresh, empty segment store.
std::shared_ptr<SegmentStore> make_memory_segment_store();

}  // namespace auric
