// LiveProgress: the latest Context::report_progress of one running attempt, written by the
// migration (any thread) and read by the durable output saver and the CLI's progress bar.
// report() is a few atomic stores (it takes a mutex only when the unit changes), so it can be
// called for every item. Thread-safe; a snapshot read during a concurrent report may pair
// the new `done` with the previous `total` (both are valid values the migration reported).
#pragma once

#include <atomic>
#include <cstdint>
#include <deque>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

#include <auric/migrations.hpp>

namespace auric {

// One reading of a run's progress. `version` counts report() calls: 0 means never reported.
struct ProgressSnapshot {
  std::int64_t done = 0;
  std::optional<std::int64_t> total;  // unknown when unset
  std::string unit;
  std::int64_t updated_at = 0;  // epoch ms of the last report
  std::uint64_t version = 0;
};

// The run record's `progress` field (RunRecord::progress, docs/dashboard-api.md):
// {"done", "total" (null when unknown), "unit", "updatedAt"}; null when never reported.
inline Json progress_json(const ProgressSnapshot& p) {
  if (p.version == 0) return nullptr;
  return Json{{"done", p.done},
              {"total", p.total ? Json(*p.total) : Json(nullptr)},
              {"unit", p.unit},
              {"updatedAt", p.updated_at}};
}

// Reads a stored `progress` field back; nullopt for null or a value of another shape.
inline std::optional<ProgressSnapshot> progress_from_json(const Json& j) {
  if (!j.is_object() || !j.contains("done") || !j["done"].is_number_integer()) return std::nullopt;
  ProgressSnapshot p;
  p.done = j["done"].get<std::int64_t>();
  if (j.contains("total") && j["total"].is_number_integer()) p.total = j["total"].get<std::int64_t>();
  if (j.contains("unit") && j["unit"].is_string()) p.unit = j["unit"].get<std::string>();
  if (j.contains("updatedAt") && j["updatedAt"].is_number_integer()) {
    p.updated_at = j["updatedAt"].get<std::int64_t>();
  }
  p.version = 1;
  return p;
}

class LiveProgress {
 public:
  // Records `done` of `total` (nullopt: unknown) `unit`s at `now_ms`. Negative values read as 0.
  void report(std::int64_t done, std::optional<std::int64_t> total, std::string_view unit,
              std::int64_t now_ms) {
    const std::string* current = unit_.load(std::memory_order_acquire);
    if (current == nullptr || *current != unit) {
      const std::lock_guard lock(units_mutex_);
      units_.emplace_back(unit);  // kept until the run ends, so readers never see it freed
      unit_.store(&units_.back(), std::memory_order_release);
    }
    done_.store(done < 0 ? 0 : done, std::memory_order_relaxed);
    total_.store(total ? (*total < 0 ? 0 : *total) : -1, std::memory_order_relaxed);
    updated_at_.store(now_ms, std::memory_order_relaxed);
    version_.fetch_add(1, std::memory_order_release);
  }

  std::uint64_t version() const { return version_.load(std::memory_order_acquire); }

  ProgressSnapshot snapshot() const {
    ProgressSnapshot p;
    p.version = version_.load(std::memory_order_acquire);
    if (p.version == 0) return p;
    p.done = done_.load(std::memory_order_relaxed);
    const std::int64_t total = total_.load(std::memory_order_relaxed);
    if (total >= 0) p.total = total;
    if (const std::string* unit = unit_.load(std::memory_order_acquire)) p.unit = *unit;
    p.updated_at = updated_at_.load(std::memory_order_relaxed);
    return p;
  }

 private:
  std::atomic<std::int64_t> done_{0};
  std::atomic<std::int64_t> total_{-1};
  std::atomic<std::int64_t> updated_at_{0};
  std::atomic<std::uint64_t> version_{0};
  std::atomic<const std::string*> unit_{nullptr};
  std::mutex units_mutex_;
  std::deque<std::string> units_;
};

}  // namespace auric
