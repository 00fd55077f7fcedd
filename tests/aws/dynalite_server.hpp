// dynalite (DynamoDB emulator, npm 4.0.0) for tests: in-memory, 127.0.0.1, a free port,
// --createTableMs 0; stopped in the destructor. Signatures are never checked by dynalite.
// Not thread-safe: one owner (clients talking to it may be used from any thread).
#pragma once

#include <memory>
#include <string>

#include "aws/client.hpp"
#include "node_process.hpp"

namespace auric::aws::testing {

class DynaliteServer {
 public:
  // Starts dynalite and waits until it listens. Throws std::runtime_error naming the fix
  // when node_modules are missing, or with dynalite's output when it fails to start.
  DynaliteServer();

  std::uint16_t port() const { return process_.port(); }
  // "http://127.0.0.1:<port>"
  std::string endpoint() const;
  // A ClientConfig for this emulator: region us-east-1, fixed dummy credentials, the
  // given endpoint (default: this server; pass a proxy's endpoint to go through it).
  ClientConfig client_config(const std::string& endpoint_override = {}) const;

 private:
  NodeProcess process_;
};

// Fixed dummy credentials for emulators.
std::shared_ptr<CredentialsProvider> emulator_credentials(const std::string& key = "AKIDTEST",
                                                          const std::string& secret = "secret");

}  // namespace auric::aws::testing
