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

}  // namespace auric
