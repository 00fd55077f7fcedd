// Shared pieces of the DynamoDB store tests: one dynalite per test process (started on first
// use, from the main thread, stopped at exit), table names unique across processes, dummy
// credentials for default-chain clients, and store handles pointed at dynalite or a proxy.
// Not thread-safe: call from the test's main thread.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include <auric/dynamodb_client.hpp>

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

// ---- Tables of numbered items, for the backfill tests: {id = "item-<n>", amount = n} --------
// "item-0000042" (7 digits), and back (any width). The client calls are thread-safe.
std::string numbered_item_id(int n);
int item_number(const aws::Item& item);
// Creates `table` (hash key `id`, on demand) and writes items 0..count-1 with BatchWriteItem,
// from `writers` threads (each a share of the items).
void seed_numbered_items(aws::DynamoDbClient& db, const std::string& table, int count, int writers = 1);
// The same into a new table named unique_table(prefix); returns its name.
std::string seed_numbered_table(aws::DynamoDbClient& db, std::string_view prefix, int count);
// Every item of `table` by its number (a consistent Scan).
std::map<int, aws::Item> read_numbered_items(aws::DynamoDbClient& db, const std::string& table);
// How many of items 0..count-1 are missing or not rewritten exactly once in effect by a backfill
// that doubles `amount` with .only_if_version_below("version", ...): amount is not 2n, or
// `version` is missing (or, when `version` is given, holds another value). 0 is a pass.
int items_not_doubled_once(aws::DynamoDbClient& db, const std::string& table, int count,
                           std::optional<std::int64_t> version = std::nullopt);

}  // namespace auric::dynamodb_testing
