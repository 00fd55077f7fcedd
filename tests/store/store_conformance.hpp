// The Store conformance suite: one set of value-parameterised tests that every backend must
// pass. A backend joins it from its own test binary by linking auric_store_conformance and
// instantiating the suite with a StoreBackend (see docs/storage.md):
//
//   INSTANTIATE_TEST_SUITE_P(Sqlite, StoreConformance,
//                            ::testing::Values(StoreBackend{"sqlite", new_sqlite_medium}),
//                            store_backend_name);
//
// Tests run one at a time; each one gets a new, empty medium.
#pragma once

#include <functional>
#include <memory>
#include <ostream>
#include <string>

#include <gtest/gtest.h>

#include "core/store.hpp"

namespace auric::store_testing {

// Opens one more handle (connection, client) on the same medium.
using StoreHandleFactory = std::function<std::unique_ptr<Store>()>;

struct StoreBackend {
  std::string name;  // test name suffix: letters, digits and '_'
  // Creates a new, empty medium and returns how to open handles on it. Every handle opened
  // through the result sees the same data (a second handle proves reads strongly consistent
  // across connections). The suite calls init() on the first handle.
  std::function<StoreHandleFactory()> new_medium;
};

inline std::ostream& operator<<(std::ostream& out, const StoreBackend& backend) {
  return out << backend.name;
}

// For INSTANTIATE_TEST_SUITE_P's name generator argument.
inline std::string store_backend_name(const ::testing::TestParamInfo<StoreBackend>& info) {
  return info.param.name;
}

class StoreConformance : public ::testing::TestWithParam<StoreBackend> {
 protected:
  void SetUp() override {
    open_ = GetParam().new_medium();
    ASSERT_TRUE(open_) << "new_medium returned no factory";
    store_ = open_();
    ASSERT_NE(store_, nullptr);
    store_->init();
  }

  Store& store() { return *store_; }
  std::unique_ptr<Store> open_another() { return open_(); }

 private:
  StoreHandleFactory open_;
  std::unique_ptr<Store> store_;
};

}  // namespace auric::store_testing
