// Shared fixture of the dashboard tests: a small set of migrations (one can fail on demand,
// one can be held mid-run by a Gate), a memory store, a LocalBackend, and request helpers.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "core/store.hpp"
#include "dashboard/local_backend.hpp"
#include "dashboard/router.hpp"

namespace auric::dashboard::testing {

// Holds a migration inside up()/down() until opened.
class Gate {
 public:
  void close() {
    std::lock_guard lock(mutex_);
    open_ = false;
    entered_ = false;
  }
  void open() {
    {
      std::lock_guard lock(mutex_);
      open_ = true;
    }
    cv_.notify_all();
  }
  void pass() {
    std::unique_lock lock(mutex_);
    entered_ = true;
    cv_.notify_all();
    cv_.wait_for(lock, std::chrono::seconds(30), [this] { return open_; });
  }
  bool wait_entered(std::chrono::milliseconds timeout = std::chrono::seconds(10)) {
    std::unique_lock lock(mutex_);
    return cv_.wait_for(lock, timeout, [this] { return entered_; });
  }

 private:
  std::mutex mutex_;
  std::condition_variable cv_;
  bool open_ = true;
  bool entered_ = false;
};

struct Switches {
  std::atomic<bool> fail_up{false};     // 20240103000000_backfill_totals up() throws
  std::atomic<bool> fail_down{false};   // its down() throws
  std::atomic<bool> big_output{false};  // 20240101000000_create_users up() logs past the 200 KiB cap
  Gate gate;                            // 20240103000000_backfill_totals waits here
};

inline const std::vector<std::string> kIds = {
    "20240101000000_create_users",
    "20240102000000_add_email_index",
    "20240103000000_backfill_totals",
    "20240104000000_create_orders",
};

std::vector<MigrationEntry> test_migrations(std::shared_ptr<Switches> switches);

// A LocalBackend over a fresh memory store with test_migrations(). Requests go through the
// router with a ResponseCache, as the local server sends them, so every test also checks that
// no list answer outlives a write.
struct Harness {
  Harness();
  ~Harness();
  std::shared_ptr<Switches> switches = std::make_shared<Switches>();
  std::unique_ptr<Store> store;
  std::unique_ptr<LocalBackend> backend;
  RouterOptions options;

  Response get(const std::string& path_and_query);
  Response post(const std::string& path, const std::string& body);
  Json get_json(const std::string& path_and_query);
  // POSTs and waits until the run is over. Returns the POST's response.
  Response run_and_wait(const std::string& path, const std::string& body);
};

Request make_request(const std::string& method, const std::string& path_and_query,
                     const std::string& body = "");

}  // namespace auric::dashboard::testing
