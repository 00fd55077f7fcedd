// DynamoDB client (JSON-RPC 1.0): the nine operations we call in their wire shape
// (nlohmann::json in and out, exactly as the DynamoDB API documents them), plus typed
// helpers. Conditional writes have try_ forms that return a failed condition as a value.
// Thread-safe: share one client between threads.
#pragma once

#include <chrono>
#include <cstddef>
#include <limits>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "aws/attribute_value.hpp"
#include "aws/client.hpp"
#include "aws/protocols.hpp"

namespace auric::aws {

// Error codes callers branch on (AwsError::code()).
inline constexpr std::string_view kConditionalCheckFailed = "ConditionalCheckFailedException";
inline constexpr std::string_view kResourceNotFound = "ResourceNotFoundException";
inline constexpr std::string_view kResourceInUse = "ResourceInUseException";
inline constexpr std::string_view kValidationError = "ValidationException";

// Keeps a Query/Scan pagination loop finite against an endpoint that misbehaves: call next()
// with each request's ExclusiveStartKey (null for the first) and the LastEvaluatedKey its page
// returned, before following it. Throws AwsError (MalformedResponse, naming the operation) when
// a page hands back the key it started from (no forward progress, which would loop forever)
// or after `max_pages` pages.
class PaginationGuard {
 public:
  static constexpr std::size_t kDefaultMaxPages = 10'000;  // 10 GB at DynamoDB's 1 MB pages
  explicit PaginationGuard(std::string operation, std::size_t max_pages = kDefaultMaxPages)
      : operation_(std::move(operation)), max_pages_(max_pages) {}
  void next(const nlohmann::json& start_key, const nlohmann::json& last_evaluated_key);

 private:
  std::string operation_;
  std::size_t max_pages_;
  std::size_t pages_ = 0;
};

class DynamoDbClient {
 public:
  // Throws std::invalid_argument when no endpoint can be resolved (see ServiceClient).
  explicit DynamoDbClient(ClientConfig config);

  // --- Wire-shape operations. Each returns the response object and throws AwsError
  // (service errors after retries, NetworkError, MalformedResponse) or CredentialsError.
  nlohmann::json create_table(const nlohmann::json& request);
  nlohmann::json describe_table(std::string_view table_name);
  nlohmann::json list_tables(const nlohmann::json& request = nlohmann::json::object());
  nlohmann::json get_item(const nlohmann::json& request);
  nlohmann::json put_item(const nlohmann::json& request);
  nlohmann::json update_item(const nlohmann::json& request);
  nlohmann::json delete_item(const nlohmann::json& request);
  nlohmann::json query(const nlohmann::json& request);
  nlohmann::json batch_write_item(const nlohmann::json& request);
  // Any other operation by name (e.g. "Scan", "UpdateTable"); same contract.
  nlohmann::json call(std::string_view operation, const nlohmann::json& request);
  // Same, but returns service errors (after retries) as a value instead of throwing.
  JsonOutcome try_call(std::string_view operation, const nlohmann::json& request);

  // --- Conditional writes: a ConditionalCheckFailedException is an outcome, not an error.
  struct WriteResult {
    bool applied = false;
    // On success the response (e.g. Attributes); on a failed condition the error body
    // (holds "Item" when ReturnValuesOnConditionCheckFailure=ALL_OLD was asked).
    nlohmann::json response;
  };
  // Each throws AwsError for every error other than a failed condition.
  WriteResult try_put_item(const nlohmann::json& request);
  WriteResult try_update_item(const nlohmann::json& request);
  WriteResult try_delete_item(const nlohmann::json& request);

  // --- Typed helpers.
  // The item with that key, or nullopt when absent. Throws AwsError.
  std::optional<Item> get(std::string_view table, const Item& key, bool consistent_read = true);
  // Unconditional put. Throws AwsError.
  void put(std::string_view table, const Item& item);

  struct QueryPage {
    std::vector<Item> items;
    nlohmann::json last_evaluated_key;  // null when this was the last page
  };
  // One page of a Query request (wire shape). Throws AwsError (MalformedResponse for items
  // that are not valid AttributeValues).
  QueryPage query_page(const nlohmann::json& request);
  // Follows LastEvaluatedKey until the end or until max_items items. Throws AwsError, also
  // when the pages make no forward progress (see PaginationGuard).
  std::vector<Item> query_all(nlohmann::json request,
                              std::size_t max_items = std::numeric_limits<std::size_t>::max());

  // Writes put/delete requests ({"PutRequest": ...} / {"DeleteRequest": ...}) in batches of
  // 25, resending UnprocessedItems with backoff. Throws AwsError, or when items stay
  // unprocessed after the retry policy's attempts.
  void batch_write_all(std::string_view table, const std::vector<nlohmann::json>& write_requests);

  // Creates the table unless it exists, then waits until it is ACTIVE.
  // Returns true when this call created it. Throws AwsError, or on timeout.
  bool create_table_if_absent(const nlohmann::json& create_request,
                              std::chrono::milliseconds timeout = std::chrono::seconds(120));
  // Polls DescribeTable until ACTIVE. Throws AwsError (ResourceNotFoundException if absent)
  // or std::runtime_error on timeout.
  void wait_until_active(std::string_view table_name,
                         std::chrono::milliseconds timeout = std::chrono::seconds(120));

  const ServiceClient& service_client() const { return client_; }

 private:
  WriteResult try_write(std::string_view operation, const nlohmann::json& request);
  ServiceClient client_;
};

}  // namespace auric::aws
