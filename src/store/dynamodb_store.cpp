#include "store/dynamodb_store.hpp"

#include <algorithm>
#include <charconv>
#include <map>
#include <mutex>
#include <stdexcept>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

#include "aws/dynamodb.hpp"
#include "aws/encoding.hpp"
#include "aws/session.hpp"
#include "core/system.hpp"
#include "store/dynamodb_items.hpp"
#include "store/dynamodb_segment_store.hpp"
#include "store/record_json.hpp"
#include "store/registry.hpp"
#include "store/store_rules.hpp"

namespace auric {
namespace {

using aws::AttributeValue;
using aws::Item;
using nlohmann::json;
namespace items = dynamodb_items;

constexpr const char* kUrlForm = "expected dynamodb:TABLE?region=REGION&endpoint=URL";
// Rounds of "conditional write failed, read, decide" before giving up on a write that keeps
// racing with other writers (each round means another writer changed the item meanwhile).
constexpr int kMaxRaceRounds = 8;

AttributeValue str(std::string_view text) {
  return AttributeValue::string(items::valid_utf8(text));
}
AttributeValue num(std::int64_t value) {
  return AttributeValue::number(value);
}

// Builds the ExpressionAttributeNames / Values of one request: every attribute name goes
// through a placeholder (owner, status, current... are reserved words).
class Expr {
 public:
  std::string name(std::string_view attribute) {
    const std::string key(attribute);
    auto it = name_of_.find(key);
    if (it == name_of_.end()) {
      it = name_of_.emplace(key, "#n" + std::to_string(name_of_.size())).first;
      names_[it->second] = key;
    }
    return it->second;
  }
  std::string value(const AttributeValue& value) {
    std::string key = ":v" + std::to_string(values_.size());
    values_[key] = value.to_wire();
    return key;
  }
  void apply(json& request) const {
    if (!names_.empty()) request["ExpressionAttributeNames"] = names_;
    if (!values_.empty()) request["ExpressionAttributeValues"] = values_;
  }

 private:
  std::map<std::string, std::string> name_of_;
  json names_ = json::object();
  json values_ = json::object();
};

bool valid_table_name(std::string_view table) {
  if (table.size() < 3 || table.size() > 255) return false;
  return std::all_of(table.begin(), table.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '-' || c == '.';
  });
}

std::string base64url(std::string_view bytes) {
  std::string text = aws::base64_encode(bytes);
  for (char& c : text) {
    if (c == '+') c = '-';
    if (c == '/') c = '_';
  }
  while (!text.empty() && text.back() == '=') text.pop_back();
  return text;
}

std::string from_base64url(std::string_view text) {
  std::string standard(text);
  for (char& c : standard) {
    if (c == '-')
      c = '+';
    else if (c == '_')
      c = '/';
    else if (c == '+' || c == '/' || c == '=' || c == ' ' || c == '\n')
      throw std::invalid_argument("not base64url");
  }
  return aws::base64_decode(standard);
}

// Which key a page cursor holds: the table's (pk, sk) or the index's as well.
enum class KeyKind { kTable, kIndex };

std::vector<std::string_view> key_names(KeyKind kind) {
  if (kind == KeyKind::kTable) return {items::kPk, items::kSk};
  return {items::kPk, items::kSk, items::kGsi1Pk, items::kGsi1Sk};
}

// A cursor is the key of the last item of a page (what DynamoDB's ExclusiveStartKey takes),
// as base64url of compact JSON. Opaque to callers.
std::string encode_cursor(const Item& item, KeyKind kind) {
  json key = json::object();
  for (const auto name : key_names(kind)) key[std::string(name)] = items::get_string(item, name);
  return base64url(key.dump());
}

// The ExclusiveStartKey for `cursor`, which must come from a page of the same list:
// its `partition_attribute` must equal `partition`. Throws std::invalid_argument otherwise.
json decode_cursor(const std::string& cursor, KeyKind kind, std::string_view partition_attribute,
                   const std::string& partition) {
  json wire = json::object();
  try {
    const json key = json::parse(from_base64url(cursor));
    const auto names = key_names(kind);
    bool ok = key.is_object() && key.size() == names.size();
    for (const auto name : names) {
      const auto it = ok ? key.find(std::string(name)) : key.end();
      ok = ok && it != key.end() && it->is_string();
      if (ok) wire[std::string(name)] = {{"S", *it}};
    }
    if (ok && key.at(std::string(partition_attribute)) == partition) return wire;
  } catch (const std::exception&) {
    // reported below
  }
  throw std::invalid_argument(
      "invalid page cursor '" + cursor.substr(0, 80) +
      "': pass back a next_cursor exactly as a previous page of the same list returned it");
}

class DynamoDbStore final : public Store {
 public:
  DynamoDbStore(std::string table, const aws::ClientConfig& config, std::chrono::milliseconds init_timeout)
      : table_(std::move(table)), region_(config.region), init_timeout_(init_timeout) {
    if (!valid_table_name(table_)) {
      throw std::invalid_argument("invalid DynamoDB table name '" + table_ +
                                  "': use 3 to 255 letters, digits, '_', '-' or '.'");
    }
    try {
      client_ = std::make_unique<aws::DynamoDbClient>(config);
    } catch (const std::invalid_argument& e) {
      fail(std::string(e.what()) +
           ": add ?region=REGION to the store URL, or set AWS_REGION (or a region in your AWS profile)");
    }
    endpoint_ = client_->service_client().endpoint();
    segments_ =
        make_dynamodb_segment_store(*client_, table_, [this](const aws::AwsError& e) { return explain(e); });
  }

  std::string describe() const override { return "dynamodb:" + table_ + location(); }

  InitOutcome init() override;

  LockAttempt try_acquire_lock(const LockRequest& request) override;
  WriteOutcome renew_lock(const std::string& owner, std::int64_t fence, std::int64_t now_ms,
                          std::int64_t expires_at) override;
  WriteOutcome set_current_run(const std::string& owner, std::int64_t fence,
                               const std::optional<CurrentRun>& current, std::int64_t expires_at) override;
  WriteOutcome release_lock(const std::string& owner, std::int64_t fence) override;
  std::optional<LockInfo> read_lock() override;
  std::optional<LockInfo> force_unlock() override;

  std::vector<MigrationState> list_states() override;
  std::optional<MigrationState> get_state(const std::string& id) override;
  WriteOutcome put_state(const MigrationState& state,
                         const std::optional<std::string>& unless_last_run_id) override;
  WriteOutcome delete_state(const std::string& id, std::int64_t fence) override;

  WriteOutcome put_run(const RunRecord& run) override;
  Page<RunRecord> runs_of_migration(const std::string& id, int limit, const std::string& cursor) override;
  std::vector<RunRecord> runs_of_execution(const std::string& execution_id) override;
  std::vector<std::size_t> count_runs_of_executions(const std::vector<std::string>& execution_ids) override;

  WriteOutcome put_execution(const ExecutionRecord& execution) override;
  std::optional<ExecutionRecord> get_execution(const std::string& execution_id) override;
  Page<ExecutionRecord> list_executions(int limit, const std::string& cursor) override;
  WriteOutcome advance_hop(const std::string& execution_id, int from, int to) override;

  SegmentStore* segments() override { return segments_.get(); }

 private:
  bool standard_endpoint() const {
    return endpoint_.starts_with("https://dynamodb.") &&
           endpoint_.find(".amazonaws.com") != std::string::npos;
  }

  // " (region, endpoint)": the endpoint only when it is not the standard one; "" when neither.
  std::string location() const {
    std::string text = region_;
    if (!endpoint_.empty() && !standard_endpoint()) text += (text.empty() ? "" : ", ") + endpoint_;
    return text.empty() ? text : " (" + text + ")";
  }

  std::string where() const { return "dynamodb store '" + table_ + "'" + location(); }

  [[noreturn]] void fail(const std::string& problem) const { throw StoreError(where() + ": " + problem); }

  std::string explain(const aws::AwsError& e) const;

  // Runs one call of the client, turning every failure into a one-line StoreError.
  template <class F>
  auto guard(F&& fn) -> decltype(fn()) {
    try {
      return fn();
    } catch (const StoreError&) {
      throw;
    } catch (const aws::AwsError& e) {
      fail(explain(e));
    } catch (const json::exception& e) {
      fail(std::string("cannot encode a request (") + e.what() + ")");
    } catch (const std::runtime_error& e) {
      fail(e.what());
    }
  }

  // Decodes one item, turning a wrong shape into a StoreError naming the item.
  template <class F>
  auto decode(const Item& item, F&& fn) const -> decltype(fn(item)) {
    try {
      return fn(item);
    } catch (const StoreError& e) {  // record_json's own message says what to do
      fail("item " + key_text(item) + ": " + e.what());
    } catch (const std::exception& e) {
      fail("item " + key_text(item) + " has an unexpected shape (" + e.what() +
           "): the table holds data this version cannot read (was it written by another tool?)");
    }
  }

  static std::string key_text(const Item& item) {
    try {
      return items::get_string(item, items::kPk) + " / " + items::get_string(item, items::kSk);
    } catch (const std::exception&) {
      return "(unreadable key)";
    }
  }

  json base_request() const { return json{{"TableName", table_}}; }

  // An item in a response to `operation` (wire form); one that is not an item is a StoreError.
  Item response_item(const json& wire, std::string_view operation) {
    return guard([&] {
      try {
        return aws::item_from_wire(wire);
      } catch (const std::invalid_argument& e) {
        throw aws::malformed_response("DynamoDB", operation, e.what());
      }
    });
  }

  // The Attributes of an UpdateItem/PutItem response as an Item.
  Item attributes_of(const json& response) {
    const auto it = response.find("Attributes");
    if (it == response.end() || it->is_null()) return {};
    return response_item(*it, "UpdateItem");
  }

  // The item a failed conditional write found (ReturnValuesOnConditionCheckFailure=ALL_OLD),
  // or nullopt when the response does not carry it.
  std::optional<Item> old_item_of(const json& failure) {
    const auto it = failure.find("Item");
    if (it == failure.end() || !it->is_object()) return std::nullopt;
    return response_item(*it, "PutItem");
  }

  // A strongly consistent GetItem, optionally only some attributes.
  std::optional<Item> get_item(const Item& key, const std::vector<std::string_view>& projection = {}) {
    json req = base_request();
    req["Key"] = aws::item_to_wire(key);
    req["ConsistentRead"] = true;
    if (!projection.empty()) {
      Expr x;
      std::string list;
      for (const auto name : projection) list += (list.empty() ? "" : ", ") + x.name(name);
      req["ProjectionExpression"] = list;
      x.apply(req);
    }
    return guard([&] {
      const json response = client_->get_item(req);
      const auto it = response.find("Item");
      if (it == response.end() || it->is_null()) return std::optional<Item>();
      if (!it->is_object()) throw aws::malformed_response("DynamoDB", "GetItem", "Item is not an object");
      return std::optional<Item>(response_item(*it, "GetItem"));
    });
  }

  // Every item of a query, following LastEvaluatedKey (1 MB pages).
  std::vector<Item> query_all(const json& req) {
    return guard([&] { return client_->query_all(req); });
  }

  // One page of `limit` items of a query, with a cursor when more follow. Asks for one item
  // more than the page so that a page ending exactly at the end of the list has no cursor.
  Page<Item> query_page(json req, int limit, const std::string& cursor, KeyKind kind,
                        std::string_view partition_attribute, const std::string& partition) {
    store_rules::check_limit(limit);
    if (!cursor.empty())
      req["ExclusiveStartKey"] = decode_cursor(cursor, kind, partition_attribute, partition);
    const auto wanted = static_cast<std::size_t>(limit) + 1;
    std::vector<Item> found;
    aws::PaginationGuard pages("Query");
    for (;;) {
      req["Limit"] = wanted - found.size();
      auto page = guard([&] {
        auto p = client_->query_page(req);
        pages.next(req.value("ExclusiveStartKey", json()), p.last_evaluated_key);
        return p;
      });
      for (auto& item : page.items) found.push_back(std::move(item));
      if (found.size() >= wanted || page.last_evaluated_key.is_null()) break;
      req["ExclusiveStartKey"] = std::move(page.last_evaluated_key);
    }
    Page<Item> result;
    if (found.size() > static_cast<std::size_t>(limit)) {
      found.resize(static_cast<std::size_t>(limit));
      result.next_cursor = encode_cursor(found.back(), kind);
    }
    result.items = std::move(found);
    return result;
  }

  // A conditional PutItem/UpdateItem/DeleteItem: true when applied, false when its condition
  // failed.
  bool conditional(std::string_view operation, const json& req) {
    return guard([&] {
      if (operation == "PutItem") return client_->try_put_item(req).applied;
      if (operation == "DeleteItem") return client_->try_delete_item(req).applied;
      return client_->try_update_item(req).applied;
    });
  }

  // The lock-item update for an owner + fence condition; returns kOk or kFenced.
  WriteOutcome update_held_lock(const std::string& owner, std::int64_t fence, Expr& x,
                                const std::string& update);

  std::string table_;
  std::string region_;
  std::string endpoint_;
  std::chrono::milliseconds init_timeout_;
  std::unique_ptr<aws::DynamoDbClient> client_;
  std::unique_ptr<SegmentStore> segments_;  // backfill segments in the same table
};

std::string DynamoDbStore::explain(const aws::AwsError& e) const {
  const std::string& code = e.code();
  const std::string detail = e.message().empty() ? code : code + ": " + e.message();
  if (code == aws::kResourceNotFound) {
    return "the table does not exist in this region (" + e.message() +
           "): run `init` to create it, or check the table name, region and endpoint";
  }
  if (dynamic_cast<const aws::CredentialsError*>(&e) != nullptr) {
    return std::string("no usable AWS credentials (") + e.what() +
           "): set AWS_PROFILE or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, or sign in with `aws sso login`";
  }
  if (code == aws::kNetworkErrorCode) {
    return "no response from DynamoDB at " + endpoint_ + " (" + e.message() +
           "): check the endpoint and the network, then run the command again";
  }
  if (e.throttling()) {
    return "DynamoDB kept throttling the requests (" + detail +
           "): run the command again later, or allow more attempts with AWS_MAX_ATTEMPTS";
  }
  if (code == aws::kMalformedResponseCode) {
    std::string what = e.message();
    if (constexpr std::string_view kPrefix = "unexpected response: "; what.starts_with(kPrefix)) {
      what.erase(0, kPrefix.size());
    }
    return "unexpected response from " + endpoint_ + " to " + e.operation() + " (" + what +
           "): check that the endpoint is DynamoDB, then run the command again";
  }
  if (code == "AccessDeniedException" || code == "UnrecognizedClientException" ||
      code == "InvalidSignatureException" || code == "ExpiredTokenException" ||
      code == "MissingAuthenticationTokenException") {
    return "DynamoDB refused the request (" + detail +
           "): check the credentials in use and their IAM permissions on table '" + table_ + "'";
  }
  if (code == aws::kValidationError) {
    return "DynamoDB rejected a request (" + e.message() +
           "): is this a table that `init` created (keys pk/sk and index gsi1)?";
  }
  if (e.http_status() >= 500) {
    return "DynamoDB failed (HTTP " + std::to_string(e.http_status()) + ", " + detail +
           "): run the command again later";
  }
  return "DynamoDB " + e.operation() + " failed (HTTP " + std::to_string(e.http_status()) + ", " + detail +
         ")";
}

// ---- Table ----------------------------------------------------------------------------------------

InitOutcome DynamoDbStore::init() {
  json create = base_request();
  create["BillingMode"] = "PAY_PER_REQUEST";
  create["AttributeDefinitions"] = json::array({
      {{"AttributeName", items::kPk}, {"AttributeType", "S"}},
      {{"AttributeName", items::kSk}, {"AttributeType", "S"}},
      {{"AttributeName", items::kGsi1Pk}, {"AttributeType", "S"}},
      {{"AttributeName", items::kGsi1Sk}, {"AttributeType", "S"}},
  });
  create["KeySchema"] = json::array({{{"AttributeName", items::kPk}, {"KeyType", "HASH"}},
                                     {{"AttributeName", items::kSk}, {"KeyType", "RANGE"}}});
  create["GlobalSecondaryIndexes"] = json::array({{
      {"IndexName", items::kGsi1},
      {"KeySchema", json::array({{{"AttributeName", items::kGsi1Pk}, {"KeyType", "HASH"}},
                                 {{"AttributeName", items::kGsi1Sk}, {"KeyType", "RANGE"}}})},
      {"Projection", {{"ProjectionType", "ALL"}}},
  }});
  const auto deadline = std::chrono::steady_clock::now() + init_timeout_;
  const bool created = guard([&] { return client_->create_table_if_absent(create, init_timeout_); });

  // The table may predate this call (another runner, CloudFormation): check that it is ours,
  // and wait for the index too.
  auto delay = std::chrono::milliseconds(20);
  for (;;) {
    const json described = guard([&] { return client_->describe_table(table_); });
    std::string problem;
    std::string index_status;
    try {
      const json& table = described.at("Table");
      std::map<std::string, std::string> keys;
      for (const auto& k : table.at("KeySchema")) keys[k.at("KeyType")] = k.at("AttributeName");
      if (keys["HASH"] != items::kPk || keys["RANGE"] != items::kSk) {
        problem = "the table exists with other keys (" + keys["HASH"] + "/" + keys["RANGE"] +
                  "): use another table name for the store, or one created with keys pk/sk";
      }
      bool has_index = false;
      if (const auto it = table.find("GlobalSecondaryIndexes"); it != table.end()) {
        for (const auto& index : *it) {
          if (index.at("IndexName") != items::kGsi1) continue;
          has_index = true;
          index_status = index.value("IndexStatus", std::string("ACTIVE"));
        }
      }
      if (problem.empty() && !has_index) {
        problem =
            "the table has no index gsi1 (gsi1pk/gsi1sk, projection ALL): add it, or use a table that `init` "
            "created";
      }
    } catch (const json::exception& e) {
      problem = std::string("unexpected DescribeTable response (") + e.what() + ")";
    }
    if (!problem.empty()) fail(problem);
    if (index_status == "ACTIVE") return created ? InitOutcome::kCreated : InitOutcome::kFound;
    if (std::chrono::steady_clock::now() >= deadline) {
      fail("index gsi1 is still " + index_status + " after " + std::to_string(init_timeout_.count()) +
           " ms: run `init` again later");
    }
    std::this_thread::sleep_for(delay);
    delay = std::min(delay * 2, std::chrono::milliseconds(1000));
  }
}

// ---- Lock -----------------------------------------------------------------------------------------

LockAttempt DynamoDbStore::try_acquire_lock(const LockRequest& request) {
  store_rules::check_request(request);
  const std::string token = new_uuid();
  const auto success = [&](const Item& item) {
    return decode(item, [](const Item& it) {
      LockAttempt attempt;
      attempt.acquired = true;
      attempt.fence = items::get_int(it, "fence");
      attempt.previous = items::previous_lock_from(it);
      return attempt;
    });
  };
  // One conditional update: free, expired, ours, (re-entering) our execution's, or (taking
  // over) still the dead holder's. The fence grows atomically by one (so the replaced
  // lease's fence is fence - 1); the holder being replaced is snapshotted into prev_* in the
  // same write, so a retried request (its first attempt applied, the response lost) still
  // knows it.
  const Item unset = items::lock_attributes(LockInfo{});
  Expr x;
  const std::string empty = x.value(str(""));
  const std::string now = x.value(num(request.now_ms));
  const std::string owner = x.value(str(request.owner));
  const std::string tok = x.value(str(token));
  std::string update = "SET ";
  // The new lease as store_rules makes it, but the fence: that the update ADDs, atomically.
  for (const auto& [name, value] : items::lock_attributes(store_rules::acquired(std::nullopt, request))) {
    if (name == "fence") continue;
    update += x.name(std::string(items::kPreviousPrefix) + name) + " = if_not_exists(" + x.name(name) + ", " +
              x.value(unset.at(name)) + "), " + x.name(name) + " = " + x.value(value) + ", ";
  }
  update += x.name("acq_token") + " = " + tok;
  update += " ADD " + x.name("fence") + " " + x.value(num(1));
  std::string condition = "(attribute_not_exists(" + x.name("pk") + ") OR " + x.name("owner") + " = " +
                          empty + " OR " + x.name("expires_at") + " <= " + now + " OR " + x.name("owner") +
                          " = " + owner;
  if (request.reenter_execution && !request.execution_id.empty()) {
    condition += " OR " + x.name("execution_id") + " = " + x.value(str(request.execution_id));
  }
  if (request.take_over_dead) {
    condition += " OR (" + x.name("owner") + " = " + x.value(str(request.take_over_dead->owner)) + " AND " +
                 x.name("fence") + " = " + x.value(num(request.take_over_dead->fence)) + ")";
  }
  condition += ") AND (attribute_not_exists(" + x.name("acq_token") + ") OR " + x.name("acq_token") + " <> " +
               tok + ")";
  json req = base_request();
  req["Key"] = aws::item_to_wire(items::lock_key());
  req["UpdateExpression"] = update;
  req["ConditionExpression"] = condition;
  req["ReturnValues"] = "ALL_NEW";
  x.apply(req);
  for (int round = 0; round < kMaxRaceRounds; ++round) {
    const auto result = guard([&] { return client_->try_update_item(req); });
    if (result.applied) return success(attributes_of(result.response));

    const auto stored = get_item(items::lock_key());
    if (stored && items::get_string(*stored, "acq_token") == token) return success(*stored);
    const auto lock = stored ? std::optional(decode(*stored, items::lock_from)) : std::nullopt;
    if (!store_rules::may_acquire(lock, request)) return LockAttempt{false, lock, 0};
    // Freed or expired since the attempt: try again.
  }
  return LockAttempt{false, read_lock(), 0};
}

WriteOutcome DynamoDbStore::update_held_lock(const std::string& owner, std::int64_t fence, Expr& x,
                                             const std::string& update) {
  if (owner.empty()) return WriteOutcome::kFenced;  // an empty owner marks a free lock
  json req = base_request();
  req["Key"] = aws::item_to_wire(items::lock_key());
  req["UpdateExpression"] = update;
  req["ConditionExpression"] =
      x.name("owner") + " = " + x.value(str(owner)) + " AND " + x.name("fence") + " = " + x.value(num(fence));
  x.apply(req);
  return conditional("UpdateItem", req) ? WriteOutcome::kOk : WriteOutcome::kFenced;
}

WriteOutcome DynamoDbStore::renew_lock(const std::string& owner, std::int64_t fence, std::int64_t now_ms,
                                       std::int64_t expires_at) {
  Expr x;
  const std::string update = "SET " + x.name("expires_at") + " = " + x.value(num(expires_at)) + ", " +
                             x.name("heartbeat_at") + " = " + x.value(num(now_ms));
  return update_held_lock(owner, fence, x, update);
}

WriteOutcome DynamoDbStore::set_current_run(const std::string& owner, std::int64_t fence,
                                            const std::optional<CurrentRun>& current,
                                            std::int64_t expires_at) {
  Expr x;
  std::string update = "SET " + x.name("expires_at") + " = " + x.value(num(expires_at));
  if (current) {
    update += ", " + x.name("current") + " = " +
              x.value(AttributeValue::string(record_json::dump(record_json::from_current_run(*current))));
  } else {
    update += " REMOVE " + x.name("current");
  }
  return update_held_lock(owner, fence, x, update);
}

WriteOutcome DynamoDbStore::release_lock(const std::string& owner, std::int64_t fence) {
  const std::string token = new_uuid();
  Expr x;
  const std::string update = "SET " + x.name("owner") + " = " + x.value(str("")) + ", " +
                             x.name("expires_at") + " = " + x.value(num(0)) + ", " + x.name("rel_token") +
                             " = " + x.value(str(token)) + " REMOVE " + x.name("current");
  if (update_held_lock(owner, fence, x, update) == WriteOutcome::kOk) return WriteOutcome::kOk;
  if (owner.empty()) return WriteOutcome::kFenced;
  // A retried request whose first attempt released it (the response was lost) fails its
  // condition: the token tells.
  const auto stored = get_item(items::lock_key(), {"rel_token", "owner"});
  const bool ours = stored && items::get_string(*stored, "rel_token") == token &&
                    items::get_string(*stored, "owner").empty();
  return ours ? WriteOutcome::kOk : WriteOutcome::kFenced;
}

std::optional<LockInfo> DynamoDbStore::read_lock() {
  const auto item = get_item(items::lock_key());
  if (!item) return std::nullopt;
  return decode(*item, items::lock_from);
}

std::optional<LockInfo> DynamoDbStore::force_unlock() {
  Expr x;
  json req = base_request();
  req["Key"] = aws::item_to_wire(items::lock_key());
  req["UpdateExpression"] = "SET " + x.name("owner") + " = " + x.value(str("")) + ", " +
                            x.name("expires_at") + " = " + x.value(num(0));
  req["ConditionExpression"] = "attribute_exists(" + x.name("pk") + ")";
  req["ReturnValues"] = "ALL_OLD";
  x.apply(req);
  const auto result = guard([&] { return client_->try_update_item(req); });
  if (!result.applied) return std::nullopt;
  return decode(attributes_of(result.response), items::lock_from);
}

// ---- States -----------------------------------------------------------------------------------------

std::vector<MigrationState> DynamoDbStore::list_states() {
  Expr x;
  json req = base_request();
  req["KeyConditionExpression"] = x.name("pk") + " = " + x.value(str(items::kStatePk));
  req["ConsistentRead"] = true;
  x.apply(req);
  std::vector<MigrationState> states;
  for (const auto& item : query_all(req)) states.push_back(decode(item, items::state_from));
  return states;  // sorted by sk = id
}

std::optional<MigrationState> DynamoDbStore::get_state(const std::string& id) {
  const auto item = get_item(items::state_key(id));
  if (!item) return std::nullopt;
  return decode(*item, items::state_from);
}

WriteOutcome DynamoDbStore::put_state(const MigrationState& state,
                                      const std::optional<std::string>& unless_last_run_id) {
  const std::string token = new_uuid();
  Item item = items::state_item(state);
  item.emplace("wt", str(token));
  Expr x;
  std::string condition = "attribute_not_exists(" + x.name("pk") + ") OR (" + x.name("fence") +
                          " <= " + x.value(num(state.fence));
  if (unless_last_run_id) {
    condition += " AND (attribute_not_exists(" + x.name("last_run_id") + ") OR " + x.name("last_run_id") +
                 " <> " + x.value(str(*unless_last_run_id)) + ")";
  }
  condition += ")";
  json req = base_request();
  req["Item"] = aws::item_to_wire(item);
  req["ConditionExpression"] = condition;
  x.apply(req);
  for (int round = 0; round < kMaxRaceRounds; ++round) {
    if (conditional("PutItem", req)) return WriteOutcome::kOk;

    // Tell kFenced from kConflict (and a retried write of ours) by reading the item.
    const auto stored = get_item(items::state_key(state.id), {"fence", "last_run_id", "wt"});
    if (!stored) continue;  // deleted meanwhile: the write may succeed now
    if (items::get_string(*stored, "wt") == token) return WriteOutcome::kOk;
    const auto outcome = decode(*stored, [&](const Item& it) {
      return store_rules::check_fenced_write(items::get_int(it, "fence"), state.fence,
                                             items::get_string(it, "last_run_id"), unless_last_run_id);
    });
    if (outcome != WriteOutcome::kOk) return outcome;
  }
  fail("the state of " + state.id + " kept changing under a conditional write: run the command again");
}

WriteOutcome DynamoDbStore::delete_state(const std::string& id, std::int64_t fence) {
  Expr x;
  json req = base_request();
  req["Key"] = aws::item_to_wire(items::state_key(id));
  req["ConditionExpression"] =
      "attribute_not_exists(" + x.name("pk") + ") OR " + x.name("fence") + " <= " + x.value(num(fence));
  x.apply(req);
  return conditional("DeleteItem", req) ? WriteOutcome::kOk : WriteOutcome::kFenced;
}

// ---- Runs ---------------------------------------------------------------------------------------------

WriteOutcome DynamoDbStore::put_run(const RunRecord& run) {
  RunRecord stored_form = run;
  Item item = items::run_item(stored_form);
  const Item key = items::run_key(run);
  const std::string token = new_uuid();
  item.emplace("wt", str(token));
  Expr x;
  json req = base_request();
  req["Item"] = aws::item_to_wire(item);
  // Absent, or still running under this fence or an older one (a run item written before
  // fences were stored has none: fence 0).
  req["ConditionExpression"] = "attribute_not_exists(" + x.name("pk") + ") OR (" + x.name("status") + " = " +
                               x.value(str(to_string(RunStatus::kRunning))) + " AND (attribute_not_exists(" +
                               x.name("fence") + ") OR " + x.name("fence") +
                               " <= " + x.value(num(run.fence)) + "))";
  req["ReturnValuesOnConditionCheckFailure"] = "ALL_OLD";
  x.apply(req);
  for (int round = 0; round < kMaxRaceRounds; ++round) {
    const auto result = guard([&] { return client_->try_put_item(req); });
    if (result.applied) return WriteOutcome::kOk;

    // Tell kConflict from kFenced (and a retried write of ours) by the item that failed the
    // condition: DynamoDB returns it with the failure; emulators that do not are asked.
    std::optional<Item> stored = old_item_of(result.response);
    if (!stored) stored = get_item(key, {"status", "fence", "wt"});
    if (!stored) continue;
    if (items::get_string(*stored, "wt") == token) return WriteOutcome::kOk;
    const auto outcome = decode(*stored, [&](const Item& it) {
      return store_rules::check_run_write(run_status_from(items::get_string(it, "status")),
                                          items::get_int(it, "fence"), run.fence);
    });
    if (outcome != WriteOutcome::kOk) return outcome;
  }
  fail("the run " + run.run_id + " of " + run.id +
       " kept changing under a conditional write: run the command again");
}

Page<RunRecord> DynamoDbStore::runs_of_migration(const std::string& id, int limit,
                                                 const std::string& cursor) {
  Expr x;
  const std::string partition = items::run_pk(id);
  json req = base_request();
  req["KeyConditionExpression"] = x.name("pk") + " = " + x.value(str(partition));
  req["ScanIndexForward"] = false;
  req["ConsistentRead"] = true;
  x.apply(req);
  auto page = query_page(req, limit, cursor, KeyKind::kTable, items::kPk, partition);
  Page<RunRecord> runs;
  runs.next_cursor = std::move(page.next_cursor);
  for (const auto& item : page.items) runs.items.push_back(decode(item, items::run_from));
  return runs;
}

std::vector<RunRecord> DynamoDbStore::runs_of_execution(const std::string& execution_id) {
  Expr x;
  json req = base_request();
  req["IndexName"] = items::kGsi1;
  req["KeyConditionExpression"] = x.name("gsi1pk") + " = " + x.value(str(items::exec_pk(execution_id)));
  x.apply(req);
  std::vector<RunRecord> runs;
  for (const auto& item : query_all(req)) runs.push_back(decode(item, items::run_from));
  return runs;
}

std::vector<std::size_t> DynamoDbStore::count_runs_of_executions(
    const std::vector<std::string>& execution_ids) {
  // One query per execution, as runs_of_execution, but projecting only the key: the runs'
  // outputs (up to 200 KiB each) never travel.
  std::vector<std::size_t> counts;
  counts.reserve(execution_ids.size());
  for (const auto& execution_id : execution_ids) {
    Expr x;
    json req = base_request();
    req["IndexName"] = items::kGsi1;
    req["KeyConditionExpression"] = x.name("gsi1pk") + " = " + x.value(str(items::exec_pk(execution_id)));
    req["ProjectionExpression"] = x.name("pk");
    x.apply(req);
    counts.push_back(query_all(req).size());
  }
  return counts;
}

// ---- Executions -----------------------------------------------------------------------------------------

WriteOutcome DynamoDbStore::put_execution(const ExecutionRecord& execution) {
  Expr x;
  json req = base_request();
  req["Item"] = aws::item_to_wire(items::execution_item(execution));
  req["ConditionExpression"] = "attribute_not_exists(" + x.name("pk") + ") OR " + x.name("fence") +
                               " <= " + x.value(num(execution.fence));
  x.apply(req);
  return conditional("PutItem", req) ? WriteOutcome::kOk : WriteOutcome::kFenced;
}

std::optional<ExecutionRecord> DynamoDbStore::get_execution(const std::string& execution_id) {
  const auto item = get_item(items::execution_key(execution_id));
  if (!item) return std::nullopt;
  return decode(*item, items::execution_from);
}

Page<ExecutionRecord> DynamoDbStore::list_executions(int limit, const std::string& cursor) {
  Expr x;
  json req = base_request();
  req["IndexName"] = items::kGsi1;
  req["KeyConditionExpression"] = x.name("gsi1pk") + " = " + x.value(str(items::kExecutionsGsiPk));
  req["ScanIndexForward"] = false;
  x.apply(req);
  auto page =
      query_page(req, limit, cursor, KeyKind::kIndex, items::kGsi1Pk, std::string(items::kExecutionsGsiPk));
  Page<ExecutionRecord> executions;
  executions.next_cursor = std::move(page.next_cursor);
  for (const auto& item : page.items) executions.items.push_back(decode(item, items::execution_from));
  return executions;
}

WriteOutcome DynamoDbStore::advance_hop(const std::string& execution_id, int from, int to) {
  const std::string token = new_uuid();
  Expr x;
  json req = base_request();
  req["Key"] = aws::item_to_wire(items::execution_key(execution_id));
  req["UpdateExpression"] = "SET " + x.name("hop") + " = " + x.value(num(to)) + ", " + x.name("hop_token") +
                            " = " + x.value(str(token));
  req["ConditionExpression"] =
      "attribute_exists(" + x.name("pk") + ") AND " + x.name("hop") + " = " + x.value(num(from));
  x.apply(req);
  if (conditional("UpdateItem", req)) return WriteOutcome::kOk;
  // Exactly one caller wins, even when the winner's response was lost and its retry failed.
  const auto stored = get_item(items::execution_key(execution_id), {"hop", "hop_token"});
  const bool ours = stored && items::get_string(*stored, "hop_token") == token &&
                    decode(*stored, [](const Item& it) { return items::get_int(it, "hop"); }) == to;
  return ours ? WriteOutcome::kOk : WriteOutcome::kConflict;
}

// ---- URL ------------------------------------------------------------------------------------------------

[[noreturn]] void bad_url(const std::string& location, const std::string& problem) {
  throw std::invalid_argument("store URL 'dynamodb:" + location + "': " + problem + " (" + kUrlForm + ")");
}

}  // namespace

DynamoDbStoreOptions parse_dynamodb_store_location(const std::string& location) {
  DynamoDbStoreOptions options;
  const auto q = location.find('?');
  options.table = location.substr(0, q);
  if (options.table.empty()) bad_url(location, "no table name");
  if (!valid_table_name(options.table)) {
    bad_url(location,
            "invalid table name '" + options.table + "': use 3 to 255 letters, digits, '_', '-' or '.'");
  }
  if (q == std::string::npos) return options;
  std::map<std::string, bool> seen;
  std::string_view rest = std::string_view(location).substr(q + 1);
  while (!rest.empty()) {
    const auto amp = rest.find('&');
    const std::string_view pair = rest.substr(0, amp);
    rest = amp == std::string_view::npos ? std::string_view() : rest.substr(amp + 1);
    if (pair.empty()) continue;
    const auto eq = pair.find('=');
    const std::string key(pair.substr(0, eq));
    const std::string value =
        eq == std::string_view::npos ? std::string() : aws::uri_decode(pair.substr(eq + 1));
    if (key != "region" && key != "endpoint" && key != "profile" && key != "max_attempts") {
      bad_url(location, "unknown option '" + key + "' (supported: region, endpoint, profile, max_attempts)");
    }
    if (seen[key]) bad_url(location, "option '" + key + "' is given twice");
    seen[key] = true;
    if (value.empty()) bad_url(location, "option '" + key + "' has no value");
    if (key == "region") {
      options.region = value;
    } else if (key == "endpoint") {
      if (!value.starts_with("http://") && !value.starts_with("https://")) {
        bad_url(location, "endpoint '" + value + "' is not an http:// or https:// URL");
      }
      options.endpoint = value;
    } else if (key == "profile") {
      options.profile = value;
    } else {
      int attempts = 0;
      const auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), attempts);
      if (ec != std::errc() || end != value.data() + value.size() || attempts < 1 || attempts > 100) {
        bad_url(location, "max_attempts must be a whole number from 1 to 100 (got '" + value + "')");
      }
      options.max_attempts = attempts;
    }
  }
  return options;
}

std::unique_ptr<Store> open_dynamodb_store(const std::string& table, const aws::ClientConfig& config,
                                           std::chrono::milliseconds init_timeout) {
  return std::make_unique<DynamoDbStore>(table, config, init_timeout);
}

std::unique_ptr<Store> open_dynamodb_store(const DynamoDbStoreOptions& options) {
  aws::SessionOptions session;
  session.region = options.region;
  session.endpoint = options.endpoint;
  session.profile = options.profile;
  aws::ClientConfig config;
  try {
    config = aws::make_client_config(session);
  } catch (const std::exception& e) {
    throw StoreError("dynamodb store '" + options.table + "': " + e.what());
  }
  if (options.max_attempts > 0) {
    config.retry.max_attempts = options.max_attempts;
  } else if (!config.env->get("AWS_MAX_ATTEMPTS")) {
    config.retry.max_attempts = kDynamoDbStoreDefaultMaxAttempts;
  }
  return open_dynamodb_store(options.table, config, options.init_timeout);
}

namespace detail {
void register_dynamodb_store() {
  register_store_scheme("dynamodb", [](const std::string& location) -> std::unique_ptr<Store> {
    return open_dynamodb_store(parse_dynamodb_store_location(location));
  });
}
}  // namespace detail

}  // namespace auric
