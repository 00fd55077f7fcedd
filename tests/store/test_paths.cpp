#include "store/test_paths.hpp"

#include <unistd.h>

#include <gtest/gtest.h>

namespace auric::store_testing {
namespace {

namespace fs = std::filesystem;

fs::path scratch_root() {
  static const fs::path root = [] {
    auto path = fs::temp_directory_path() / ("auric-store-tests-" + std::to_string(::getpid()));
    fs::remove_all(path);
    fs::create_directories(path);
    return path;
  }();
  return root;
}

// Removes the scratch root after the last test of the process.
class ScratchCleanup : public ::testing::Environment {
 public:
  void TearDown() override {
    std::error_code ec;
    fs::remove_all(fs::temp_directory_path() / ("auric-store-tests-" + std::to_string(::getpid())), ec);
  }
};

[[maybe_unused]] ::testing::Environment* const kCleanup =
    ::testing::AddGlobalTestEnvironment(new ScratchCleanup);

}  // namespace

fs::path new_scratch_dir() {
  static int counter = 0;
  auto dir = scratch_root() / ("t" + std::to_string(++counter));
  fs::create_directories(dir);
  return dir;
}

}  // namespace auric::store_testing
