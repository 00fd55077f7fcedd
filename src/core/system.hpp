// Small seams to the outside world used by the core: time, identity of this process, UUIDs.
// All functions are thread-safe.
#pragma once

#include <cstdint>
#include <functional>
#include <string>

#include "core/records.hpp"

namespace auric {

// Milliseconds since the epoch from the system clock.
std::int64_t system_now_ms();

// A random (version 4) UUID, 36 characters.
std::string new_uuid();

// The OS user, host and pid of this process, plus the Lambda request id / ECS task ARN /
// AWS principal when the environment names them.
Who current_who();

// "<host>:<pid>:<8 random hex>": unique per runner instance.
std::string new_lock_owner(const Who& who);

// This machine's boot and process namespace: "<boot id>/<pid namespace>" from
// /proc/sys/kernel/random/boot_id and /proc/self/ns/pid; empty where they cannot be read. Two
// processes with equal identities (and equal host names) see the same pids.
std::string host_identity();

// True when `holder` ran on this host (same host name and host identity, both known) and the
// process is gone: its pid does not exist, or belongs to a process started after `since_ms`
// (epoch ms; the pid was reused). False whenever that cannot be established.
bool holder_is_dead_on_this_host(const Who& holder, std::int64_t since_ms);

}  // namespace auric
