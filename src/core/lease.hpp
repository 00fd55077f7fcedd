// Lease: the single migrations lock, held by one runner at a time (docs/ARCHITECTURE.md "The
// run protocol"). The only code that acquires, renews, hands over and releases the lock item.
// A Lease is RAII: it renews itself on a heartbeat thread while alive and releases the lock
// when destroyed, unless it was handed over to a Lambda continuation hop.
//
// Taking over: an expired lease is taken by anyone. A lease whose holder ran on this host
// (same host name, boot id and pid namespace) and whose process is gone is taken at once,
// without waiting for expiry. Holders elsewhere expire by lease only.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "core/records.hpp"
#include "core/store.hpp"

namespace auric {

// Defaults reviewed against goose (30 s lease, 5 s heartbeat): a lease of 30 s renewed every
// 10 s survives two missed beats, and a crashed holder elsewhere blocks others for at most
// 30 s (on the same host it is taken over at once).
inline constexpr std::chrono::milliseconds kDefaultLeaseTtl{30'000};
inline constexpr std::chrono::milliseconds kDefaultHeartbeat{10'000};

struct LeaseOptions {
  std::chrono::milliseconds ttl = kDefaultLeaseTtl;
  std::chrono::milliseconds heartbeat = kDefaultHeartbeat;  // 0: no heartbeat (short work)
  bool wait = false;                                        // wait (with backoff) while held
  std::chrono::milliseconds wait_timeout{600'000};
  bool reenter_execution = false;                          // a continuation hop re-entering its own execution
  std::string role;                                        // prefixes the owner, e.g. "task-stopped"
  const std::atomic<bool>* stop_requested = nullptr;       // stops waiting
  std::function<std::int64_t()> now_ms;                    // defaults to the system clock
  std::function<void(const LockInfo& holder)> on_waiting;  // once, when waiting starts
  std::function<void(const LockInfo& dead)> on_took_over_dead;  // a dead holder here was replaced
};

class Lease;

// What acquire() got: a lease, or the holder that kept it from us.
struct LeaseAttempt {
  std::unique_ptr<Lease> lease;    // null when not acquired
  std::optional<LockInfo> holder;  // the holder, when not acquired
  bool gave_up_waiting = false;    // waited wait_timeout (or was stopped) without getting it
};

// "alice@build-7 (pid 4242, execution 1f0c…, lease until 2026-…)": one line for messages.
std::string holder_text(const LockInfo& holder);
// The same, or "another runner" when the holder is unknown (nullopt or a freed lock).
std::string holder_text(const std::optional<LockInfo>& holder);

class Lease {
 public:
  // Takes the lock for `execution_id` (see the header comment for takeovers). Throws
  // StoreError when the store fails.
  static LeaseAttempt acquire(Store& store, const std::string& execution_id, const Who& who,
                              LeaseOptions options);

  // Stops the heartbeat and releases the lock (unless handed over or released already).
  ~Lease();
  Lease(const Lease&) = delete;
  Lease& operator=(const Lease&) = delete;

  std::int64_t fence() const { return fence_; }
  const std::string& owner() const { return owner_; }
  // The lock as it was before this lease took it (its `current` is interrupted work).
  const std::optional<LockInfo>& previous() const { return previous_; }
  // True when this lease replaced a dead holder on this host before its lease expired.
  bool took_over_dead() const { return took_over_dead_; }

  // True once a renewal was refused (another holder) or the lease ran out unrenewed.
  bool lost() const { return lost_.load(); }
  void mark_lost() { lost_ = true; }

  std::int64_t now() const;
  // now() + ttl: the expiry every renewing write sets.
  std::int64_t expiry() const;
  // Epoch ms of the last successful renewal (the holder's last sign of life in the lock).
  std::int64_t last_renewed() const;

  // Records what the holder runs now (or nothing) in the lock and renews it. kFenced (and
  // lost() from then on) when the lock has another holder.
  [[nodiscard]] WriteOutcome set_current(const std::optional<CurrentRun>& current);

  // Keeps the lock for `ttl` more without a heartbeat and without releasing it, so that only
  // a continuation hop of the same execution can take it. Best effort: a failure leaves the
  // lease to expire.
  void hand_over(std::chrono::milliseconds ttl);
  // Releases now. Best effort: a failure leaves the lease to expire.
  void release();

 private:
  class Heartbeat;
  Lease(Store& store, std::string owner, std::int64_t fence, std::optional<LockInfo> previous,
        bool took_over_dead, const LeaseOptions& options);
  void renewed(std::int64_t at);

  Store& store_;
  std::string owner_;
  std::int64_t fence_;
  std::optional<LockInfo> previous_;
  bool took_over_dead_;
  std::chrono::milliseconds ttl_;
  std::function<std::int64_t()> now_ms_;
  std::atomic<bool> lost_{false};
  std::atomic<std::int64_t> last_renewed_;
  bool done_ = false;  // released or handed over
  std::unique_ptr<Heartbeat> heartbeat_;
};

}  // namespace auric
