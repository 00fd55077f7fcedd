// DynamoDB's typed AttributeValue (S, N, B, BOOL, NULL, L, M, SS, NS, BS) with conversion to
// and from the wire JSON ({"S": "x"}) and from/to plain JSON for migration authors
// ({"name": "x", "n": 3} <-> {"name": {"S": "x"}, "n": {"N": "3"}}). Values; thread-safe.
#pragma once

#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace auric::aws {

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

}  // namespace auric::aws
