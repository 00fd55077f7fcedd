// The DynamoDB SegmentStore behind DynamoDbStore::segments(): backfill segments as items of
// the store's table (pk BACKFILL#<migration id>#<job id>, sk SEG#<number>; docs/backfills.md),
// so listing a job's segments is one Query and every claim and save is one conditional
// UpdateItem. Thread-safe (the client is). AWS headers stay in the .cpp.
#pragma once

#include <functional>
#include <memory>
#include <string>

#include "core/segment_store.hpp"

namespace auric::aws {
class DynamoDbClient;
class AwsError;
}  // namespace auric::aws

namespace auric {

// A segment store on `table` through `client` (which must outlive it). `explain` turns a
// failed request into the one-line StoreError message the store itself would give.
std::unique_ptr<SegmentStore> make_dynamodb_segment_store(
    aws::DynamoDbClient& client, std::string table, std::function<std::string(const aws::AwsError&)> explain);

}  // namespace auric
