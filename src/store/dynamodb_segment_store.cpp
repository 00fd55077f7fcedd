#include "store/dynamodb_segment_store.hpp"

#include <cstdio>
#include <utility>

#include "aws/dynamodb.hpp"
#include "store/dynamodb_items.hpp"

namespace auric {
namespace {

using aws::AttributeValue;
using aws::Item;
using nlohmann::json;

constexpr std::string_view kPartitionPrefix = "BACKFILL#";
constexpr std::string_view kSortPrefix = "SEG#";

std::string partition_of(const SegmentJob& job) {
  return std::string(kPartitionPrefix) + job.migration_id + "#" + job.job_id;
}

// SEG#00042: fixed width so that string order is number order (up to 99,999 segments).
std::string sort_key_of(int segment) {
  char text[16];
  std::snprintf(text, sizeof text, "%05d", segment);
  return std::string(kSortPrefix) + text;
}

AttributeValue str(std::string_view text) {
  return AttributeValue::string(dynamodb_items::valid_utf8(text));
}
AttributeValue num(std::int64_t value) {
  return AttributeValue::number(value);
}
AttributeValue units(double value) {
  return AttributeValue::number(value);
}

json errors_json(const std::vector<SegmentError>& errors) {
  json out = json::array();
  for (const auto& e : errors) out.push_back({{"key", e.key}, {"message", e.message}});
  return out;
}

const AttributeValue* find(const Item& item, const std::string& name) {
  const auto it = item.find(name);
  return it == item.end() ? nullptr : &it->second;
}
std::string text_of(const Item& item, const std::string& name) {
  const auto* v = find(item, name);
  return v != nullptr && v->type() == AttributeValue::Type::kS ? v->as_string() : std::string();
}
std::int64_t int_of(const Item& item, const std::string& name) {
  const auto* v = find(item, name);
  return v != nullptr && v->type() == AttributeValue::Type::kN ? v->as_int() : 0;
}
double double_of(const Item& item, const std::string& name) {
  const auto* v = find(item, name);
  return v != nullptr && v->type() == AttributeValue::Type::kN ? v->as_double() : 0;
}

// Every attribute of a segment item except its key and identity.
void put_progress(Item& item, const SegmentRecord& r) {
  item["state"] = str(to_string(r.state));
  item["owner"] = str(r.owner);
  item["fence"] = num(r.fence);
  item["lease_expires_at"] = num(r.lease_expires_at);
  item["cursor"] = str(r.cursor);
  item["scanned"] = num(r.counts.scanned);
  item["written"] = num(r.counts.written);
  item["skipped"] = num(r.counts.skipped);
  item["failed"] = num(r.counts.failed);
  item["read_units"] = units(r.counts.read_units);
  item["write_units"] = units(r.counts.write_units);
  item["errors"] = str(errors_json(r.errors).dump(-1, ' ', false, json::error_handler_t::replace));
  item["updated_at"] = num(r.updated_at);
}

class DynamoDbSegmentStore final : public SegmentStore {
 public:
  DynamoDbSegmentStore(aws::DynamoDbClient& client, std::string table,
                       std::function<std::string(const aws::AwsError&)> explain)
      : client_(client), table_(std::move(table)), explain_(std::move(explain)) {}

  std::vector<SegmentRecord> create_segments(const SegmentJob& job, int total_segments,
                                             std::int64_t now_ms) override {
    segment_rules::check_job(job);
    if (total_segments < 1) throw std::invalid_argument("a backfill job has at least one segment");
    auto existing = list_segments(job);
    if (!existing.empty()) return existing;
    for (int n = 0; n < total_segments; ++n) {
      json req{{"TableName", table_},
               {"Item", aws::item_to_wire(item_of(segment_rules::pending(job, n, total_segments, now_ms)))},
               {"ConditionExpression", "attribute_not_exists(pk)"}};
      guard([&] { return client_.try_put_item(req).applied; });  // false: another creator won
    }
    return list_segments(job);
  }

  std::vector<SegmentRecord> list_segments(const SegmentJob& job) override {
    json req{{"TableName", table_},
             {"KeyConditionExpression", "pk = :p"},
             {"ExpressionAttributeValues", {{":p", str(partition_of(job)).to_wire()}}},
             {"ConsistentRead", true}};
    const auto found = guard([&] { return client_.query_all(req); });
    std::vector<SegmentRecord> out;
    out.reserve(found.size());
    for (const auto& item : found) out.push_back(record_of(item));
    return out;
  }

  std::optional<SegmentRecord> claim_segment(const SegmentClaim& claim) override {
    segment_rules::check_claim(claim);
    json values{{":pending", str("pending").to_wire()},
                {":running", str("running").to_wire()},
                {":empty", str("").to_wire()},
                {":now", num(claim.now_ms).to_wire()},
                {":me", str(claim.owner).to_wire()},
                {":exp", num(claim.now_ms + claim.ttl_ms).to_wire()},
                {":one", num(1).to_wire()}};
    // segment_rules::may_claim, as a condition.
    std::string condition =
        "attribute_exists(pk) AND (#st = :pending OR #st = :running) AND "
        "(#ow = :empty OR lease_expires_at <= :now OR #ow = :me";
    if (claim.take_over_dead) {
      condition += " OR (#ow = :dead_owner AND fence = :dead_fence)";
      values[":dead_owner"] = str(claim.take_over_dead->owner).to_wire();
      values[":dead_fence"] = num(claim.take_over_dead->fence).to_wire();
    }
    condition += ")";
    json req{{"TableName", table_},
             {"Key", key_of(claim.job, claim.segment)},
             {"ConditionExpression", condition},
             // segment_rules::claimed, as an update.
             {"UpdateExpression",
              "SET #ow = :me, lease_expires_at = :exp, #st = :running, updated_at = :now ADD fence :one"},
             {"ExpressionAttributeNames", {{"#ow", "owner"}, {"#st", "state"}}},
             {"ExpressionAttributeValues", values},
             {"ReturnValues", "ALL_NEW"}};
    const auto result = guard([&] { return client_.try_update_item(req); });
    if (!result.applied) return std::nullopt;
    return record_of(parse(result.response.at("Attributes"), "UpdateItem"));
  }

  WriteOutcome save_segment(const SegmentRecord& record, bool release) override {
    SegmentRecord stored = segment_rules::saved(record, record, release);
    json values{{":me", str(record.owner).to_wire()}, {":f", num(record.fence).to_wire()}};
    Item progress;
    put_progress(progress, stored);
    std::string update = "SET ";
    json names{{"#ow", "owner"}};
    int n = 0;
    for (const auto& [name, value] : progress) {
      if (name == "fence") continue;  // kept: only claims move it
      const std::string placeholder = "#a" + std::to_string(n);
      const std::string val = ":a" + std::to_string(n);
      ++n;
      names[placeholder] = name;
      values[val] = value.to_wire();
      if (update.size() > 4) update += ", ";
      update += placeholder;
      update += " = ";
      update += val;
    }
    json req{{"TableName", table_},
             {"Key", key_of({record.migration_id, record.job_id}, record.segment)},
             // segment_rules::holds, as a condition.
             {"ConditionExpression", "#ow = :me AND fence = :f"},
             {"UpdateExpression", update},
             {"ExpressionAttributeNames", names},
             {"ExpressionAttributeValues", values}};
    const auto result = guard([&] { return client_.try_update_item(req); });
    return result.applied ? WriteOutcome::kOk : WriteOutcome::kFenced;
  }

 private:
  static json key_of(const SegmentJob& job, int segment) {
    return {{"pk", str(partition_of(job)).to_wire()}, {"sk", str(sort_key_of(segment)).to_wire()}};
  }

  static Item item_of(const SegmentRecord& r) {
    Item item;
    item["pk"] = str(partition_of({r.migration_id, r.job_id}));
    item["sk"] = str(sort_key_of(r.segment));
    item["migration_id"] = str(r.migration_id);
    item["job_id"] = str(r.job_id);
    item["segment"] = num(r.segment);
    item["total_segments"] = num(r.total_segments);
    put_progress(item, r);
    return item;
  }

  SegmentRecord record_of(const Item& item) const {
    return guard([&] {
      SegmentRecord r;
      r.migration_id = text_of(item, "migration_id");
      r.job_id = text_of(item, "job_id");
      r.segment = static_cast<int>(int_of(item, "segment"));
      r.total_segments = static_cast<int>(int_of(item, "total_segments"));
      const auto state = parse_segment_state(text_of(item, "state"));
      if (!state)
        throw aws::malformed_response("DynamoDB", "Query", "a backfill segment without a valid state");
      r.state = *state;
      r.owner = text_of(item, "owner");
      r.fence = int_of(item, "fence");
      r.lease_expires_at = int_of(item, "lease_expires_at");
      r.cursor = text_of(item, "cursor");
      r.counts.scanned = int_of(item, "scanned");
      r.counts.written = int_of(item, "written");
      r.counts.skipped = int_of(item, "skipped");
      r.counts.failed = int_of(item, "failed");
      r.counts.read_units = double_of(item, "read_units");
      r.counts.write_units = double_of(item, "write_units");
      const auto errors = json::parse(text_of(item, "errors"), nullptr, false);
      if (errors.is_array()) {
        for (const auto& e : errors) {
          if (e.is_object())
            r.errors.push_back({e.value("key", std::string()), e.value("message", std::string())});
        }
      }
      r.updated_at = int_of(item, "updated_at");
      return r;
    });
  }

  Item parse(const json& wire, std::string_view operation) const {
    return guard([&] {
      try {
        return aws::item_from_wire(wire);
      } catch (const std::invalid_argument& e) {
        throw aws::malformed_response("DynamoDB", operation, e.what());
      }
    });
  }

  // Runs `f`; an AwsError (or an unreadable number) becomes a StoreError.
  template <class F>
  auto guard(F&& f) const -> decltype(f()) {
    try {
      return f();
    } catch (const aws::AwsError& e) {
      throw StoreError(explain_(e));
    } catch (const std::logic_error& e) {
      throw StoreError("dynamodb store '" + table_ + "': unreadable backfill segment (" + e.what() + ")");
    }
  }

  aws::DynamoDbClient& client_;
  std::string table_;
  std::function<std::string(const aws::AwsError&)> explain_;
};

}  // namespace

std::unique_ptr<SegmentStore> make_dynamodb_segment_store(
    aws::DynamoDbClient& client, std::string table,
    std::function<std::string(const aws::AwsError&)> explain) {
  return std::make_unique<DynamoDbSegmentStore>(client, std::move(table), std::move(explain));
}

}  // namespace auric
