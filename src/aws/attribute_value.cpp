#include <auric/dynamodb_client.hpp>

#include <charconv>
#include <cmath>
#include <limits>

#include "aws/encoding.hpp"

namespace auric::aws {
namespace {

[[noreturn]] void wrong_type(const char* wanted) {
  throw std::logic_error(std::string("AttributeValue is not of type ") + wanted);
}

bool is_integer_text(std::string_view text) {
  if (!text.empty() && (text.front() == '-' || text.front() == '+')) text.remove_prefix(1);
  if (text.empty()) return false;
  for (char c : text) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

void check_number_text(std::string_view text) {
  // DynamoDB numbers: optional sign, digits, optional fraction and exponent.
  double value = 0;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || ec == std::errc::invalid_argument || ptr != text.data() + text.size()) {
    throw std::invalid_argument("not a number: '" + std::string(text) + "'");
  }
}

std::vector<std::string> string_array(const nlohmann::json& value, const char* tag) {
  if (!value.is_array()) throw std::invalid_argument(std::string(tag) + " value must be an array");
  std::vector<std::string> out;
  out.reserve(value.size());
  for (const auto& v : value) {
    if (!v.is_string()) throw std::invalid_argument(std::string(tag) + " elements must be strings");
    out.push_back(v.get<std::string>());
  }
  return out;
}

}  // namespace

AttributeValue::AttributeValue() = default;

AttributeValue AttributeValue::string(std::string value) {
  AttributeValue v;
  v.type_ = Type::kS;
  v.scalar_ = std::move(value);
  return v;
}

AttributeValue AttributeValue::number(std::string decimal_text) {
  check_number_text(decimal_text);
  AttributeValue v;
  v.type_ = Type::kN;
  v.scalar_ = std::move(decimal_text);
  return v;
}

AttributeValue AttributeValue::number(std::int64_t value) {
  return number(std::to_string(value));
}

AttributeValue AttributeValue::number(double value) {
  if (!std::isfinite(value)) throw std::invalid_argument("DynamoDB numbers must be finite");
  char buffer[64];
  auto [ptr, ec] = std::to_chars(buffer, buffer + sizeof buffer, value);
  (void)ec;
  return number(std::string(buffer, ptr));
}

AttributeValue AttributeValue::binary(std::string bytes) {
  AttributeValue v;
  v.type_ = Type::kB;
  v.scalar_ = std::move(bytes);
  return v;
}

AttributeValue AttributeValue::boolean(bool value) {
  AttributeValue v;
  v.type_ = Type::kBool;
  v.bool_ = value;
  return v;
}

AttributeValue AttributeValue::null() {
  return AttributeValue();
}

AttributeValue AttributeValue::list(std::vector<AttributeValue> values) {
  AttributeValue v;
  v.type_ = Type::kL;
  v.list_ = std::move(values);
  return v;
}

AttributeValue AttributeValue::map(Item values) {
  AttributeValue v;
  v.type_ = Type::kM;
  v.map_ = std::move(values);
  return v;
}

AttributeValue AttributeValue::string_set(std::vector<std::string> values) {
  AttributeValue v;
  v.type_ = Type::kSS;
  v.set_ = std::move(values);
  return v;
}

AttributeValue AttributeValue::number_set(std::vector<std::string> values) {
  for (const auto& n : values) check_number_text(n);
  AttributeValue v;
  v.type_ = Type::kNS;
  v.set_ = std::move(values);
  return v;
}

AttributeValue AttributeValue::binary_set(std::vector<std::string> values) {
  AttributeValue v;
  v.type_ = Type::kBS;
  v.set_ = std::move(values);
  return v;
}

const std::string& AttributeValue::as_string() const {
  if (type_ != Type::kS) wrong_type("S");
  return scalar_;
}

const std::string& AttributeValue::as_number_text() const {
  if (type_ != Type::kN) wrong_type("N");
  return scalar_;
}

std::int64_t AttributeValue::as_int() const {
  if (type_ != Type::kN) wrong_type("N");
  std::int64_t value = 0;
  auto [ptr, ec] = std::from_chars(scalar_.data(), scalar_.data() + scalar_.size(), value);
  if (ec != std::errc{} || ptr != scalar_.data() + scalar_.size()) {
    throw std::out_of_range("number '" + scalar_ + "' is not a 64-bit integer");
  }
  return value;
}

double AttributeValue::as_double() const {
  if (type_ != Type::kN) wrong_type("N");
  double value = 0;
  std::from_chars(scalar_.data(), scalar_.data() + scalar_.size(), value);
  return value;
}

const std::string& AttributeValue::as_binary() const {
  if (type_ != Type::kB) wrong_type("B");
  return scalar_;
}

bool AttributeValue::as_bool() const {
  if (type_ != Type::kBool) wrong_type("BOOL");
  return bool_;
}

const std::vector<AttributeValue>& AttributeValue::as_list() const {
  if (type_ != Type::kL) wrong_type("L");
  return list_;
}

const Item& AttributeValue::as_map() const {
  if (type_ != Type::kM) wrong_type("M");
  return map_;
}

const std::vector<std::string>& AttributeValue::as_set() const {
  if (type_ != Type::kSS && type_ != Type::kNS && type_ != Type::kBS) wrong_type("SS, NS or BS");
  return set_;
}

nlohmann::json AttributeValue::to_wire() const {
  switch (type_) {
    case Type::kS: return {{"S", scalar_}};
    case Type::kN: return {{"N", scalar_}};
    case Type::kB: return {{"B", base64_encode(scalar_)}};
    case Type::kBool: return {{"BOOL", bool_}};
    case Type::kNull: return {{"NULL", true}};
    case Type::kL: {
      nlohmann::json arr = nlohmann::json::array();
      for (const auto& v : list_) arr.push_back(v.to_wire());
      return {{"L", std::move(arr)}};
    }
    case Type::kM: return {{"M", item_to_wire(map_)}};
    case Type::kSS: return {{"SS", set_}};
    case Type::kNS: return {{"NS", set_}};
    case Type::kBS: {
      nlohmann::json arr = nlohmann::json::array();
      for (const auto& b : set_) arr.push_back(base64_encode(b));
      return {{"BS", std::move(arr)}};
    }
  }
  return nullptr;
}

AttributeValue AttributeValue::from_wire(const nlohmann::json& wire) {
  if (!wire.is_object() || wire.size() != 1) {
    throw std::invalid_argument("an AttributeValue must be an object with exactly one type tag, got " +
                                wire.dump().substr(0, 80));
  }
  const auto first = wire.begin();
  const std::string& tag = first.key();
  const nlohmann::json& value = first.value();
  auto need = [&](bool ok, const char* what) {
    if (!ok) throw std::invalid_argument("AttributeValue " + tag + " must hold " + what);
  };
  if (tag == "S") {
    need(value.is_string(), "a string");
    return string(value.get<std::string>());
  }
  if (tag == "N") {
    need(value.is_string(), "a decimal string");
    return number(value.get<std::string>());
  }
  if (tag == "B") {
    need(value.is_string(), "a base64 string");
    return binary(base64_decode(value.get<std::string>()));
  }
  if (tag == "BOOL") {
    need(value.is_boolean(), "a boolean");
    return boolean(value.get<bool>());
  }
  if (tag == "NULL") {
    need(value.is_boolean(), "true");
    return null();
  }
  if (tag == "L") {
    need(value.is_array(), "an array");
    std::vector<AttributeValue> values;
    values.reserve(value.size());
    for (const auto& v : value) values.push_back(from_wire(v));
    return list(std::move(values));
  }
  if (tag == "M") return map(item_from_wire(value));
  if (tag == "SS") return string_set(string_array(value, "SS"));
  if (tag == "NS") return number_set(string_array(value, "NS"));
  if (tag == "BS") {
    std::vector<std::string> values = string_array(value, "BS");
    for (auto& b : values) b = base64_decode(b);
    return binary_set(std::move(values));
  }
  throw std::invalid_argument("unknown AttributeValue type tag '" + tag + "'");
}

nlohmann::json AttributeValue::to_plain() const {
  switch (type_) {
    case Type::kS: return scalar_;
    case Type::kN: {
      if (is_integer_text(scalar_)) {
        std::int64_t i = 0;
        auto [ptr, ec] = std::from_chars(scalar_.data() + (scalar_.front() == '+' ? 1 : 0),
                                         scalar_.data() + scalar_.size(), i);
        if (ec == std::errc{} && ptr == scalar_.data() + scalar_.size()) return i;
        return scalar_;  // too large for int64: keep the exact text
      }
      double d = as_double();
      if (std::isfinite(d)) return d;
      return scalar_;
    }
    case Type::kB: return base64_encode(scalar_);
    case Type::kBool: return bool_;
    case Type::kNull: return nullptr;
    case Type::kL: {
      nlohmann::json arr = nlohmann::json::array();
      for (const auto& v : list_) arr.push_back(v.to_plain());
      return arr;
    }
    case Type::kM: return item_to_plain(map_);
    case Type::kSS: return set_;
    case Type::kNS: {
      nlohmann::json arr = nlohmann::json::array();
      for (const auto& n : set_) arr.push_back(number(n).to_plain());
      return arr;
    }
    case Type::kBS: {
      nlohmann::json arr = nlohmann::json::array();
      for (const auto& b : set_) arr.push_back(base64_encode(b));
      return arr;
    }
  }
  return nullptr;
}

AttributeValue AttributeValue::from_plain(const nlohmann::json& plain) {
  switch (plain.type()) {
    case nlohmann::json::value_t::null: return null();
    case nlohmann::json::value_t::boolean: return boolean(plain.get<bool>());
    case nlohmann::json::value_t::string: return string(plain.get<std::string>());
    case nlohmann::json::value_t::number_integer: return number(plain.get<std::int64_t>());
    case nlohmann::json::value_t::number_unsigned: return number(std::to_string(plain.get<std::uint64_t>()));
    case nlohmann::json::value_t::number_float: return number(plain.get<double>());
    case nlohmann::json::value_t::array: {
      std::vector<AttributeValue> values;
      values.reserve(plain.size());
      for (const auto& v : plain) values.push_back(from_plain(v));
      return list(std::move(values));
    }
    case nlohmann::json::value_t::object: return map(item_from_plain(plain));
    case nlohmann::json::value_t::binary: {
      const auto& bin = plain.get_binary();
      return binary(std::string(bin.begin(), bin.end()));
    }
    case nlohmann::json::value_t::discarded: break;
  }
  throw std::invalid_argument("cannot convert this JSON value to an AttributeValue");
}

bool AttributeValue::operator==(const AttributeValue& other) const {
  return type_ == other.type_ && bool_ == other.bool_ && scalar_ == other.scalar_ && set_ == other.set_ &&
         list_ == other.list_ && map_ == other.map_;
}

nlohmann::json item_to_wire(const Item& item) {
  nlohmann::json out = nlohmann::json::object();
  for (const auto& [k, v] : item) out[k] = v.to_wire();
  return out;
}

Item item_from_wire(const nlohmann::json& wire) {
  if (!wire.is_object()) throw std::invalid_argument("an item must be a JSON object");
  Item item;
  for (const auto& [k, v] : wire.items()) item.emplace(k, AttributeValue::from_wire(v));
  return item;
}

nlohmann::json item_to_plain(const Item& item) {
  nlohmann::json out = nlohmann::json::object();
  for (const auto& [k, v] : item) out[k] = v.to_plain();
  return out;
}

Item item_from_plain(const nlohmann::json& plain) {
  if (!plain.is_object()) throw std::invalid_argument("an item must be a JSON object");
  Item item;
  for (const auto& [k, v] : plain.items()) item.emplace(k, AttributeValue::from_plain(v));
  return item;
}

nlohmann::json plain_to_wire(const nlohmann::json& plain) {
  return item_to_wire(item_from_plain(plain));
}
nlohmann::json wire_to_plain(const nlohmann::json& wire) {
  return item_to_plain(item_from_wire(wire));
}

}  // namespace auric::aws
