// Shared pieces of the DynamoDB store tests: one dynalite per test process (started on first
// use, from the main thread, stopped at exit), table names unique across processes, dummy
// credentials for default-chain clients, and store handles pointed at dynalite or a proxy.
// Not thread-safe: call from the test's main thread.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <string_view>

#include "aws/client.hpp"
#include "core/store.hpp"
#include "dynalite_server.hpp"

namespace auric::dynamodb_testing {

// The dynalite of this test process.
aws::testing::DynaliteServer& dynalite();

// "<prefix>-<pid>-<n>": unique within the process and across concurrently running processes.
std::string unique_table(std::string_view prefix);

// Variables for processes and default-chain clients talking to dynalite: dummy keys, no IMDS,
// region us-east-1, no configured endpoints or profiles leaking in from the environment.
std::map<std::string, std::string> emulator_env();
// Applies emulator_env() to this process (for ctx.dynamodb() clients built from the chain).
void use_emulator_env();

// A client configuration for dynalite, or for `endpoint` (e.g. a FaultProxy in front of it).
aws::ClientConfig client_config(const std::string& endpoint = {}, int max_attempts = 3);

// A store handle on `table` through `endpoint` (default: dynalite itself). Not initialised.
std::unique_ptr<Store> open_test_store(const std::string& table, const std::string& endpoint = {},
                                       int max_attempts = 3);

// "dynamodb:<table>?region=us-east-1&endpoint=<endpoint or dynalite>".
std::string store_url(const std::string& table, const std::string& endpoint = {});

}  // namespace auric::dynamodb_testing
