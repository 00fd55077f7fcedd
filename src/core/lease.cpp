#include "core/lease.hpp"

#include <algorithm>
#include <condition_variable>
#include <mutex>
#include <thread>
#include <utility>

#include "core/ids.hpp"
#include "core/system.hpp"

namespace auric {

std::string holder_text(const LockInfo& holder) {
  const Who& who = holder.who;
  std::string text = who.user.empty() ? std::string("a runner") : who.user;
  if (!who.host.empty()) text += "@" + who.host;
  text += " (pid " + std::to_string(who.pid);
  if (!holder.execution_id.empty()) text += ", execution " + holder.execution_id;
  if (holder.expires_at > 0) text += ", lease until " + iso8601_ms(holder.expires_at);
  return text + ")";
}

std::string holder_text(const std::optional<LockInfo>& holder) {
  return holder && !holder->owner.empty() ? holder_text(*holder) : std::string("another runner");
}

// Renews the lease every `interval` until destroyed; marks it lost when a renewal is refused
// or when renewals kept failing until the lease ran out.
class Lease::Heartbeat {
 public:
  Heartbeat(Lease& lease, std::chrono::milliseconds interval) : lease_(lease), interval_(interval) {
    thread_ = std::thread([this] { loop(); });
  }
  ~Heartbeat() {
    {
      const std::lock_guard lock(mutex_);
      stop_ = true;
    }
    wake_.notify_all();
    thread_.join();
  }
  Heartbeat(const Heartbeat&) = delete;
  Heartbeat& operator=(const Heartbeat&) = delete;

 private:
  void loop() {
    std::unique_lock lock(mutex_);
    while (!stop_) {
      wake_.wait_for(lock, interval_, [this] { return stop_; });
      if (stop_) break;
      lock.unlock();
      beat();
      lock.lock();
    }
  }

  void beat() {
    const std::int64_t now = lease_.now();
    try {
      const WriteOutcome outcome =
          lease_.store_.renew_lock(lease_.owner_, lease_.fence_, now, now + lease_.ttl_.count());
      if (outcome == WriteOutcome::kOk) {
        lease_.renewed(now);
      } else {
        lease_.mark_lost();
      }
    } catch (const std::exception&) {
      // Transient: retried on the next beat; the lease is only lost once it has run out.
      if (now >= lease_.last_renewed() + lease_.ttl_.count()) lease_.mark_lost();
    }
  }

  Lease& lease_;
  std::chrono::milliseconds interval_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stop_ = false;
  std::thread thread_;
};

LeaseAttempt Lease::acquire(Store& store, const std::string& execution_id, const Who& who,
                            LeaseOptions options) {
  if (!options.now_ms) options.now_ms = system_now_ms;
  const std::string owner = (options.role.empty() ? "" : options.role + ":") + new_lock_owner(who);
  const auto deadline = std::chrono::steady_clock::now() + options.wait_timeout;
  auto pause = std::chrono::milliseconds(200);
  bool announced = false;
  std::optional<LockRequest::DeadHolder> dead;
  LeaseAttempt result;
  for (;;) {
    LockRequest request{
        owner, execution_id, who, options.now_ms(), options.ttl.count(), options.reenter_execution};
    request.take_over_dead = dead;
    LockAttempt attempt = store.try_acquire_lock(request);
    if (attempt.acquired) {
      const bool took_over = dead.has_value();
      if (took_over && options.on_took_over_dead && attempt.previous)
        options.on_took_over_dead(*attempt.previous);
      result.lease.reset(
          new Lease(store, owner, attempt.fence, std::move(attempt.previous), took_over, options));
      return result;
    }
    result.holder = attempt.previous;
    // A holder that ran here and is gone is taken over at once (only as that exact holder:
    // if anyone else took the lock meanwhile, the conditional write fails).
    if (result.holder && !dead &&
        holder_is_dead_on_this_host(result.holder->who, result.holder->acquired_at)) {
      dead = LockRequest::DeadHolder{result.holder->owner, result.holder->fence};
      continue;
    }
    dead.reset();
    const bool stopped = options.stop_requested && options.stop_requested->load();
    if (!options.wait || stopped || std::chrono::steady_clock::now() >= deadline) {
      result.gave_up_waiting = options.wait;
      return result;
    }
    if (!announced && options.on_waiting && result.holder) {
      options.on_waiting(*result.holder);
      announced = true;
    }
    std::this_thread::sleep_for(pause);
    pause = std::min(pause * 2, std::chrono::milliseconds(2000));
  }
}

Lease::Lease(Store& store, std::string owner, std::int64_t fence, std::optional<LockInfo> previous,
             bool took_over_dead, const LeaseOptions& options)
    : store_(store),
      owner_(std::move(owner)),
      fence_(fence),
      previous_(std::move(previous)),
      took_over_dead_(took_over_dead),
      ttl_(options.ttl),
      now_ms_(options.now_ms),
      last_renewed_(now_ms_()) {
  if (options.heartbeat.count() > 0) heartbeat_ = std::make_unique<Heartbeat>(*this, options.heartbeat);
}

Lease::~Lease() {
  release();
}

std::int64_t Lease::now() const {
  return now_ms_();
}

std::int64_t Lease::expiry() const {
  return now() + ttl_.count();
}

std::int64_t Lease::last_renewed() const {
  return last_renewed_.load();
}

void Lease::renewed(std::int64_t at) {
  std::int64_t seen = last_renewed_.load();
  while (seen < at && !last_renewed_.compare_exchange_weak(seen, at)) {
  }
}

WriteOutcome Lease::set_current(const std::optional<CurrentRun>& current) {
  const std::int64_t now = this->now();
  const WriteOutcome outcome = store_.set_current_run(owner_, fence_, current, now + ttl_.count());
  if (outcome == WriteOutcome::kOk) {
    renewed(now);
  } else {
    mark_lost();
  }
  return outcome;
}

void Lease::hand_over(std::chrono::milliseconds ttl) {
  if (done_) return;
  done_ = true;
  heartbeat_.reset();
  try {
    const std::int64_t now = this->now();
    if (store_.renew_lock(owner_, fence_, now, now + ttl.count()) != WriteOutcome::kOk) mark_lost();
  } catch (const std::exception&) {
    // The lease runs out by itself, and the next hop takes it over then.
  }
}

void Lease::release() {
  if (done_) return;
  done_ = true;
  heartbeat_.reset();
  try {
    if (store_.release_lock(owner_, fence_) != WriteOutcome::kOk) mark_lost();
  } catch (const std::exception&) {
    // The lease runs out by itself; the next runner takes it over then.
  }
}

}  // namespace auric
