// The DynamoDB client behind Context::dynamodb(), as migration authors call it: the client's
// operations (wire-shape JSON in and out, try_* conditional writes that return a failed
// condition as a value, typed helpers), the AttributeValue / Item types, and AwsError, the
// one error type they throw. Include <auric/dynamodb.hpp>, which adds the migration API. The
// implementation (HTTP, signing, retries) stays behind these declarations. Values and
// clients are thread-safe.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <map>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

namespace auric::aws {

struct ClientConfig;  // the AWS layer's client configuration (not needed to call a client)
class ServiceClient;

// ---- Errors --------------------------------------------------------------------------------
// Every failed call throws AwsError (service errors after retries, network errors, malformed
// responses, missing or failed credentials). Expected outcomes are told apart cheaply by
// code(), e.g. "ConditionalCheckFailedException" or "ResourceNotFoundException".
class AwsError : public std::runtime_error {
 public:
  struct Details {
    std::string service;    // "DynamoDB", "S3", ...
    std::string operation;  // "PutItem", ...
    std::string code;       // "ConditionalCheckFailedException", ...
    std::string message;    // the service's message, one line
    int http_status = 0;    // 0 when no HTTP response was received
    std::string request_id;
    bool retryable = false;
    bool throttling = false;
  };

  explicit AwsError(Details details);

  const std::string& service() const { return d_.service; }
  const std::string& operation() const { return d_.operation; }
  const std::string& code() const { return d_.code; }
  const std::string& message() const { return d_.message; }
  int http_status() const { return d_.http_status; }
  const std::string& request_id() const { return d_.request_id; }
  bool retryable() const { return d_.retryable; }
  bool throttling() const { return d_.throttling; }
  const Details& details() const { return d_; }

 private:
  static std::string format(const Details& d);
  Details d_;
};

// Error codes callers branch on (AwsError::code()).
inline constexpr std::string_view kConditionalCheckFailed = "ConditionalCheckFailedException";
inline constexpr std::string_view kResourceNotFound = "ResourceNotFoundException";
inline constexpr std::string_view kResourceInUse = "ResourceInUseException";
inline constexpr std::string_view kValidationError = "ValidationException";

// The decoded result of a JSON call, or its error (expected outcomes stay values).
struct JsonOutcome {
  nlohmann::json body;  // an object: the result, or the error body (maybe empty) on error
  std::optional<AwsError> error;
  bool ok() const { return !error.has_value(); }
};

// ---- Values ---------------------------------------------------------------------------------
class AttributeValue;
using Item = std::map<std::string, AttributeValue>;

class AttributeValue {
 public:
  enum class Type { kS, kN, kB, kBool, kNull, kL, kM, kSS, kNS, kBS };

  AttributeValue();  // NULL
  // Named constructors; numbers are kept as their decimal text, as DynamoDB does.
  static AttributeValue string(std::string value);
  static AttributeValue number(std::string decimal_text);
  static AttributeValue number(std::int64_t value);
  static AttributeValue number(double value);
  static AttributeValue binary(std::string bytes);
  static AttributeValue boolean(bool value);
  static AttributeValue null();
  static AttributeValue list(std::vector<AttributeValue> values);
  static AttributeValue map(Item values);
  static AttributeValue string_set(std::vector<std::string> values);
  static AttributeValue number_set(std::vector<std::string> values);
  static AttributeValue binary_set(std::vector<std::string> values);

  Type type() const { return type_; }
  bool is_null() const { return type_ == Type::kNull; }

  // Accessors. Each throws std::logic_error when the type does not match.
  const std::string& as_string() const;                // S
  const std::string& as_number_text() const;           // N
  std::int64_t as_int() const;                         // N; throws std::out_of_range if not an integer
  double as_double() const;                            // N
  const std::string& as_binary() const;                // B (raw bytes)
  bool as_bool() const;                                // BOOL
  const std::vector<AttributeValue>& as_list() const;  // L
  const Item& as_map() const;                          // M
  const std::vector<std::string>& as_set() const;      // SS, NS, BS (BS: raw bytes)

  // {"S": "x"}, {"N": "1"}, {"B": "<base64>"}, ...
  nlohmann::json to_wire() const;
  // Parses the wire form. Throws std::invalid_argument (naming the problem) on anything that
  // is not exactly one known type tag with a value of the right JSON type.
  static AttributeValue from_wire(const nlohmann::json& wire);

  // Plain JSON: S -> string, N -> number (integer when integral and in range, else double,
  // else the decimal text), B -> base64 string, BOOL, NULL -> null, L -> array,
  // M -> object, SS/NS/BS -> arrays.
  nlohmann::json to_plain() const;
  // string -> S, number -> N, bool -> BOOL, null -> NULL, array -> L, object -> M,
  // binary -> B. Never produces sets (use the named constructors for sets).
  static AttributeValue from_plain(const nlohmann::json& plain);

  bool operator==(const AttributeValue& other) const;

 private:
  Type type_ = Type::kNull;
  bool bool_ = false;
  std::string scalar_;  // S, N, B
  std::vector<std::string> set_;
  std::vector<AttributeValue> list_;
  Item map_;
};

// Whole items: {"pk": {"S": "a"}} <-> Item, and plain JSON objects <-> Item.
nlohmann::json item_to_wire(const Item& item);
Item item_from_wire(const nlohmann::json& wire);  // throws std::invalid_argument
nlohmann::json item_to_plain(const Item& item);
Item item_from_plain(const nlohmann::json& plain);  // throws std::invalid_argument unless an object

// Convenience: a plain JSON object straight to the wire form and back.
nlohmann::json plain_to_wire(const nlohmann::json& plain);
nlohmann::json wire_to_plain(const nlohmann::json& wire);

// ---- The client -----------------------------------------------------------------------------
// DynamoDB (JSON-RPC 1.0): the operations in their wire shape (nlohmann::json in and out,
// exactly as the DynamoDB API documents them), plus typed helpers. Thread-safe: share one
// client between threads.
class DynamoDbClient {
 public:
  // Throws std::invalid_argument when no endpoint can be resolved (see ServiceClient). Made
  // by the AWS layer (migrations get theirs from Context::dynamodb()).
  explicit DynamoDbClient(ClientConfig config);
  ~DynamoDbClient();
  DynamoDbClient(const DynamoDbClient&);
  DynamoDbClient& operator=(const DynamoDbClient&);
  DynamoDbClient(DynamoDbClient&&) noexcept;
  DynamoDbClient& operator=(DynamoDbClient&&) noexcept;

  // --- Wire-shape operations. Each returns the response object and throws AwsError
  // (service errors after retries, NetworkError, MalformedResponse, credential errors).
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
  // when the pages make no forward progress (or after 10,000 pages).
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

  // The AWS layer's client underneath (endpoint, region, configuration).
  const ServiceClient& service_client() const;

 private:
  WriteResult try_write(std::string_view operation, const nlohmann::json& request);
  std::shared_ptr<const ServiceClient> client_;  // immutable, so copies share it
};

}  // namespace auric::aws
