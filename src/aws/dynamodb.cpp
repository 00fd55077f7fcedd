#include "aws/dynamodb.hpp"

#include <memory>
#include <thread>

namespace auric::aws {
namespace {

constexpr JsonRpcProtocol kProtocol{"DynamoDB_20120810", "1.0"};
constexpr std::size_t kBatchLimit = 25;

template <typename F>
auto decoding(std::string_view operation, F&& f) {
  try {
    return f();
  } catch (const std::invalid_argument& e) {
    throw malformed_response("DynamoDB", operation, e.what());
  } catch (const nlohmann::json::exception& e) {
    throw malformed_response("DynamoDB", operation, e.what());
  }
}

std::vector<Item> items_of(std::string_view operation, const nlohmann::json& response, const char* key) {
  return decoding(operation, [&] {
    std::vector<Item> items;
    auto it = response.find(key);
    if (it == response.end()) return items;
    if (!it->is_array()) throw std::invalid_argument(std::string(key) + " is not an array");
    items.reserve(it->size());
    for (const auto& wire : *it) items.push_back(item_from_wire(wire));
    return items;
  });
}

}  // namespace

DynamoDbClient::DynamoDbClient(ClientConfig config)
    : client_(std::make_shared<const ServiceClient>(kDynamoDbService, std::move(config))) {}
DynamoDbClient::~DynamoDbClient() = default;
DynamoDbClient::DynamoDbClient(const DynamoDbClient&) = default;
DynamoDbClient& DynamoDbClient::operator=(const DynamoDbClient&) = default;
DynamoDbClient::DynamoDbClient(DynamoDbClient&&) noexcept = default;
DynamoDbClient& DynamoDbClient::operator=(DynamoDbClient&&) noexcept = default;

const ServiceClient& DynamoDbClient::service_client() const {
  return *client_;
}

nlohmann::json DynamoDbClient::call(std::string_view operation, const nlohmann::json& request) {
  return json_rpc_call(*client_, kProtocol, operation, request);
}

JsonOutcome DynamoDbClient::try_call(std::string_view operation, const nlohmann::json& request) {
  return json_rpc_try(*client_, kProtocol, operation, request);
}

nlohmann::json DynamoDbClient::create_table(const nlohmann::json& request) {
  return call("CreateTable", request);
}
nlohmann::json DynamoDbClient::describe_table(std::string_view table_name) {
  return call("DescribeTable", {{"TableName", table_name}});
}
nlohmann::json DynamoDbClient::list_tables(const nlohmann::json& request) {
  return call("ListTables", request);
}
nlohmann::json DynamoDbClient::get_item(const nlohmann::json& request) {
  return call("GetItem", request);
}
nlohmann::json DynamoDbClient::put_item(const nlohmann::json& request) {
  return call("PutItem", request);
}
nlohmann::json DynamoDbClient::update_item(const nlohmann::json& request) {
  return call("UpdateItem", request);
}
nlohmann::json DynamoDbClient::delete_item(const nlohmann::json& request) {
  return call("DeleteItem", request);
}
nlohmann::json DynamoDbClient::query(const nlohmann::json& request) {
  return call("Query", request);
}
nlohmann::json DynamoDbClient::batch_write_item(const nlohmann::json& request) {
  return call("BatchWriteItem", request);
}

DynamoDbClient::WriteResult DynamoDbClient::try_write(std::string_view operation,
                                                      const nlohmann::json& request) {
  JsonOutcome outcome = try_call(operation, request);
  if (outcome.ok()) return WriteResult{true, std::move(outcome.body)};
  if (outcome.error->code() == kConditionalCheckFailed) return WriteResult{false, std::move(outcome.body)};
  throw *outcome.error;
}

DynamoDbClient::WriteResult DynamoDbClient::try_put_item(const nlohmann::json& request) {
  return try_write("PutItem", request);
}
DynamoDbClient::WriteResult DynamoDbClient::try_update_item(const nlohmann::json& request) {
  return try_write("UpdateItem", request);
}
DynamoDbClient::WriteResult DynamoDbClient::try_delete_item(const nlohmann::json& request) {
  return try_write("DeleteItem", request);
}

std::optional<Item> DynamoDbClient::get(std::string_view table, const Item& key, bool consistent_read) {
  const nlohmann::json response =
      get_item({{"TableName", table}, {"Key", item_to_wire(key)}, {"ConsistentRead", consistent_read}});
  auto it = response.find("Item");
  if (it == response.end() || it->is_null()) return std::nullopt;
  return decoding("GetItem", [&] { return item_from_wire(*it); });
}

void DynamoDbClient::put(std::string_view table, const Item& item) {
  put_item({{"TableName", table}, {"Item", item_to_wire(item)}});
}

DynamoDbClient::QueryPage DynamoDbClient::query_page(const nlohmann::json& request) {
  const nlohmann::json response = query(request);
  QueryPage page;
  page.items = items_of("Query", response, "Items");
  if (auto it = response.find("LastEvaluatedKey"); it != response.end() && it->is_object()) {
    page.last_evaluated_key = *it;
  }
  return page;
}

void PaginationGuard::next(const nlohmann::json& start_key, const nlohmann::json& last_evaluated_key) {
  ++pages_;
  if (last_evaluated_key.is_null()) return;
  if (!start_key.is_null() && last_evaluated_key == start_key) {
    throw malformed_response("DynamoDB", operation_,
                             "page " + std::to_string(pages_) +
                                 " returned the LastEvaluatedKey it started from (no forward progress); "
                                 "is the endpoint really DynamoDB?");
  }
  if (pages_ >= max_pages_) {
    throw malformed_response("DynamoDB", operation_,
                             "still returning LastEvaluatedKey after " + std::to_string(pages_) +
                                 " pages; stopped (the page budget)");
  }
}

std::vector<Item> DynamoDbClient::query_all(nlohmann::json request, std::size_t max_items) {
  std::vector<Item> all;
  PaginationGuard guard("Query");
  for (;;) {
    QueryPage page = query_page(request);
    guard.next(request.value("ExclusiveStartKey", nlohmann::json()), page.last_evaluated_key);
    for (auto& item : page.items) {
      if (all.size() >= max_items) return all;
      all.push_back(std::move(item));
    }
    if (page.last_evaluated_key.is_null() || all.size() >= max_items) return all;
    request["ExclusiveStartKey"] = std::move(page.last_evaluated_key);
  }
}

void DynamoDbClient::batch_write_all(std::string_view table,
                                     const std::vector<nlohmann::json>& write_requests) {
  const RetryPolicy& retry = client_->config().retry;
  for (std::size_t start = 0; start < write_requests.size(); start += kBatchLimit) {
    const std::size_t end = std::min(write_requests.size(), start + kBatchLimit);
    nlohmann::json pending = nlohmann::json::array();
    for (std::size_t i = start; i < end; ++i) pending.push_back(write_requests[i]);
    for (int attempt = 1;; ++attempt) {
      const nlohmann::json response = batch_write_item({{"RequestItems", {{std::string(table), pending}}}});
      auto unprocessed = response.find("UnprocessedItems");
      if (unprocessed == response.end() || !unprocessed->is_object() || unprocessed->empty()) break;
      auto rest = unprocessed->find(std::string(table));
      if (rest == unprocessed->end() || !rest->is_array() || rest->empty()) break;
      if (attempt >= std::max(3, retry.max_attempts) * 2) {
        AwsError::Details d;
        d.service = "DynamoDB";
        d.operation = "BatchWriteItem";
        d.code = "UnprocessedItems";
        d.message = std::to_string(rest->size()) + " items of table '" + std::string(table) +
                    "' stayed unprocessed after " + std::to_string(attempt) + " attempts";
        d.retryable = true;
        throw AwsError(std::move(d));
      }
      pending = *rest;
      retry.wait(attempt);
    }
  }
}

void DynamoDbClient::wait_until_active(std::string_view table_name, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  auto delay = std::chrono::milliseconds(20);
  for (;;) {
    const nlohmann::json response = describe_table(table_name);
    const std::string status =
        decoding("DescribeTable", [&] { return response.at("Table").at("TableStatus").get<std::string>(); });
    if (status == "ACTIVE") return;
    if (std::chrono::steady_clock::now() >= deadline) {
      throw std::runtime_error("DynamoDB table '" + std::string(table_name) + "' is still " + status +
                               " after " + std::to_string(timeout.count()) + " ms");
    }
    std::this_thread::sleep_for(delay);
    delay = std::min(delay * 2, std::chrono::milliseconds(1000));
  }
}

bool DynamoDbClient::create_table_if_absent(const nlohmann::json& create_request,
                                            std::chrono::milliseconds timeout) {
  const std::string table =
      decoding("CreateTable", [&] { return create_request.at("TableName").get<std::string>(); });
  bool created = false;
  JsonOutcome outcome = try_call("CreateTable", create_request);
  if (outcome.ok()) {
    created = true;
  } else if (outcome.error->code() != kResourceInUse) {
    throw *outcome.error;
  }
  wait_until_active(table, timeout);
  return created;
}

}  // namespace auric::aws
