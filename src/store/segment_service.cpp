#include "store/segment_service.hpp"

#include <any>
#include <mutex>
#include <stdexcept>
#include <utility>

#include "store/open_store.hpp"

namespace auric {
namespace {

SegmentStore* segments_of(Store& store) {
  SegmentStore* segments = store.segments();
  if (segments == nullptr) {
    throw std::runtime_error("ctx.backfill(): the store " + store.describe() +
                             " keeps no backfill segments: use a dynamodb:, sqlite: or memory: store");
  }
  return segments;
}

}  // namespace

void offer_segment_store(RunnerOptions& options, Store& store) {
  options.services.insert_or_assign(std::string(kSegmentStoreService),
                                    [&store]() -> std::any { return segments_of(store); });
}

void offer_segment_store(RunnerOptions& options, const std::string& store_url) {
  struct Lazy {
    std::mutex mutex;
    std::string url;
    std::unique_ptr<Store> store;
  };
  auto lazy = std::make_shared<Lazy>();
  lazy->url = store_url;
  options.services.insert_or_assign(std::string(kSegmentStoreService), [lazy]() -> std::any {
    std::lock_guard guard(lazy->mutex);
    if (!lazy->store) lazy->store = open_store(lazy->url);
    return segments_of(*lazy->store);
  });
}

}  // namespace auric
