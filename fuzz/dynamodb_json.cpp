// DynamoDB JSON: the input (a JSON document) read as a wire item ({"pk": {"S": "a"}}), as one
// AttributeValue and as plain JSON, then decoded into each record the DynamoDB store keeps
// (store/dynamodb_items.hpp). The codecs document std::invalid_argument for anything they
// cannot read (and AttributeValue::as_int std::out_of_range); nothing else may escape. A wire
// item must survive item_to_wire -> item_from_wire unchanged.
#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>

#include <auric/dynamodb_client.hpp>

#include "fuzz_support.hpp"
#include "store/dynamodb_items.hpp"

namespace aws = auric::aws;
namespace items = auric::dynamodb_items;
using auric::fuzz::check;

namespace {

template <class F>
void documented_invalid_argument(F&& decode) {
  try {
    decode();
  } catch (const std::invalid_argument&) {
  }
}

void decode_records(const aws::Item& item) {
  (void)items::item_size(item);
  documented_invalid_argument([&] { (void)items::lock_from(item); });
  documented_invalid_argument([&] { (void)items::previous_lock_from(item); });
  documented_invalid_argument([&] { (void)items::state_from(item); });
  documented_invalid_argument([&] { (void)items::run_from(item); });
  documented_invalid_argument([&] { (void)items::execution_from(item); });
  documented_invalid_argument([&] { (void)items::get_string(item, items::kPk); });
  documented_invalid_argument([&] { (void)items::get_optional_int(item, "fence"); });
  if (auto who = item.find("who"); who != item.end()) {
    documented_invalid_argument([&] { (void)items::who_from(who->second); });
  }
}

void read_value(const aws::AttributeValue& value) {
  (void)value.to_plain().dump();
  if (value.type() == aws::AttributeValue::Type::kN) {
    (void)value.as_double();
    try {
      (void)value.as_int();
    } catch (const std::out_of_range&) {  // documented: not an integer
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto json =
      nlohmann::json::parse(auric::fuzz::as_text(data, size), nullptr, /*allow_exceptions=*/false);
  if (json.is_discarded()) return 0;

  documented_invalid_argument([&] {
    const aws::Item item = aws::item_from_wire(json);
    const nlohmann::json wire = aws::item_to_wire(item);
    check(aws::item_from_wire(wire) == item, "item_to_wire/item_from_wire round trip", wire.dump());
    (void)aws::item_to_plain(item).dump();
    for (const auto& [name, value] : item) read_value(value);
    decode_records(item);
  });
  documented_invalid_argument([&] {
    const aws::AttributeValue value = aws::AttributeValue::from_wire(json);
    check(aws::AttributeValue::from_wire(value.to_wire()) == value, "AttributeValue wire round trip");
    read_value(value);
  });
  documented_invalid_argument([&] { (void)aws::wire_to_plain(json).dump(); });
  documented_invalid_argument([&] {
    const aws::Item item = aws::item_from_plain(json);
    check(aws::item_from_wire(aws::item_to_wire(item)) == item, "plain item wire round trip");
    (void)aws::plain_to_wire(json).dump();
    decode_records(item);
  });
  (void)aws::AttributeValue::from_plain(json).to_wire().dump();  // total: every JSON value maps
  return 0;
}
