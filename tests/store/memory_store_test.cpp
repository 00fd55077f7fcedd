// The memory backend: the conformance suite, plus what only `memory:` promises.
#include <gtest/gtest.h>

#include <atomic>
#include <string>

#include "store/memory_store.hpp"
#include "store/store_conformance.hpp"

namespace auric::store_testing {
namespace {

StoreHandleFactory new_memory_medium() {
  static std::atomic<int> counter{0};
  const auto name = "conformance-" + std::to_string(++counter);
  return [name] { return open_memory_store(name); };
}

INSTANTIATE_TEST_SUITE_P(Memory, StoreConformance,
                         ::testing::Values(StoreBackend{"memory", new_memory_medium}), store_backend_name);

TEST(MemoryStore, InitCreatesOnceAndFindsAfterwards) {
  auto store = make_memory_store();
  EXPECT_EQ(store->init(), InitOutcome::kCreated);
  EXPECT_EQ(store->init(), InitOutcome::kFound);
}

TEST(MemoryStore, FreshStoresAreIndependent) {
  auto a = make_memory_store();
  auto b = make_memory_store();
  MigrationState state;
  state.id = "m1";
  ASSERT_EQ(a->put_state(state), WriteOutcome::kOk);
  EXPECT_EQ(a->list_states().size(), 1u);
  EXPECT_TRUE(b->list_states().empty());
  EXPECT_EQ(a->describe(), "memory:");
  EXPECT_TRUE(open_memory_store("")->list_states().empty()) << "an empty name is a fresh store";
}

TEST(MemoryStore, NamedStoresAreSharedPerName) {
  auto a = open_memory_store("shared-name-test");
  auto b = open_memory_store("shared-name-test");
  auto other = open_memory_store("shared-name-test-other");
  LockRequest request;
  request.owner = "a";
  request.now_ms = 1;
  request.ttl_ms = 10;
  ASSERT_TRUE(a->try_acquire_lock(request).acquired);
  ASSERT_TRUE(b->read_lock().has_value());
  EXPECT_EQ(b->read_lock()->owner, "a");
  EXPECT_FALSE(other->read_lock().has_value());
  EXPECT_EQ(b->describe(), "memory:shared-name-test");

  a.reset();  // the data outlives every handle
  EXPECT_EQ(open_memory_store("shared-name-test")->read_lock()->owner, "a");
}

}  // namespace
}  // namespace auric::store_testing
