// The SegmentStore behind Context::backfill(): offered to a runner's migrations under
// kSegmentStoreService (core/segment_store.hpp), from a second handle on the run's store URL,
// opened on first use. Thread-safe.
#pragma once

#include <memory>
#include <string>

#include "core/runner.hpp"
#include "core/segment_store.hpp"

namespace auric {

// Offers the backfill segments of `store` (which must outlive the runner's runs) to the
// runner's migrations. Without an offer, Context::backfill() throws std::runtime_error.
void offer_segment_store(RunnerOptions& options, Store& store);

// Offers the backfill segments of the store at `store_url`, opened on first use (a
// `memory:NAME` URL shares the named store's segments; a bare `memory:` gets fresh ones).
// Calling the service throws StoreError when the store cannot be opened, std::runtime_error
// when its backend keeps no segments.
void offer_segment_store(RunnerOptions& options, const std::string& store_url);

}  // namespace auric
