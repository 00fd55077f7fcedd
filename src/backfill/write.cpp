// BackfillWrite (the writes fn returns) and BackfillResult::to_json, declared in
// <auric/backfill.hpp>.
#include <cctype>
#include <string_view>

#include <auric/backfill.hpp>

namespace auric {
namespace {

constexpr const char* kVersionName = "#auric_version";
constexpr const char* kVersionValue = ":auric_version";

// Where the assignments of the update expression's SET clause begin, or npos when it has none.
std::size_t set_clause_start(const std::string& expression) {
  for (std::size_t i = 0; i + 3 <= expression.size(); ++i) {
    const bool word_start = i == 0 || std::isspace(static_cast<unsigned char>(expression[i - 1])) != 0;
    const bool word_end =
        i + 3 == expression.size() || std::isspace(static_cast<unsigned char>(expression[i + 3])) != 0;
    if (!word_start || !word_end) continue;
    const auto upper = [&](std::size_t k) {
      return std::toupper(static_cast<unsigned char>(expression[i + k]));
    };
    if (upper(0) == 'S' && upper(1) == 'E' && upper(2) == 'T') return i + 3;
  }
  return std::string::npos;
}

}  // namespace

BackfillWrite BackfillWrite::put(aws::Item item) {
  return {Kind::kPut, std::move(item)};
}

BackfillWrite BackfillWrite::update(aws::Item key, std::string update_expression, Names names,
                                    aws::Item values) {
  BackfillWrite write(Kind::kUpdate, std::move(key));
  write.update_ = std::move(update_expression);
  write.names_ = std::move(names);
  write.values_ = std::move(values);
  return write;
}

BackfillWrite BackfillWrite::remove(aws::Item key) {
  return {Kind::kDelete, std::move(key)};
}

BackfillWrite& BackfillWrite::to_table(std::string table) {
  table_ = std::move(table);
  return *this;
}

BackfillWrite& BackfillWrite::only_if(const std::string& condition, const Names& names,
                                      const aws::Item& values) {
  condition_ = condition_.empty() ? condition : "(" + condition_ + ") AND (" + condition + ")";
  for (const auto& [k, v] : names) names_[k] = v;
  for (const auto& [k, v] : values) values_[k] = v;
  return *this;
}

BackfillWrite& BackfillWrite::only_if_version_below(const std::string& attribute, std::int64_t version) {
  const std::string n = kVersionName;
  const std::string v = kVersionValue;
  only_if("attribute_not_exists(" + n + ") OR " + n + " < " + v, {{n, attribute}},
          {{v, aws::AttributeValue::number(version)}});
  if (kind_ == Kind::kPut) {
    target_[attribute] = aws::AttributeValue::number(version);
  } else if (kind_ == Kind::kUpdate) {
    const auto at = set_clause_start(update_);
    if (at == std::string::npos) {
      update_ = "SET " + n + " = " + v + (update_.empty() ? "" : " " + update_);
    } else {
      update_.insert(at, " " + n + " = " + v + ",");
    }
  }
  return *this;
}

nlohmann::json BackfillWrite::request(const std::string& default_table) const {
  nlohmann::json req{{"TableName", table_.empty() ? default_table : table_}};
  req[kind_ == Kind::kPut ? "Item" : "Key"] = aws::item_to_wire(target_);
  if (kind_ == Kind::kUpdate) req["UpdateExpression"] = update_;
  if (!condition_.empty()) req["ConditionExpression"] = condition_;
  if (!names_.empty()) req["ExpressionAttributeNames"] = names_;
  if (!values_.empty()) req["ExpressionAttributeValues"] = aws::item_to_wire(values_);
  return req;
}

Json BackfillResult::to_json() const {
  Json errors_json = Json::array();
  for (const auto& e : errors) errors_json.push_back({{"key", e.key}, {"message", e.message}});
  Json out{{"job_id", job_id},         {"segments", segments},       {"scanned", scanned},
           {"written", written},       {"skipped", skipped},         {"failed", failed},
           {"read_units", read_units}, {"write_units", write_units}, {"errors", std::move(errors_json)}};
  if (dry_run) out["dry_run"] = true;
  if (stopped) out["stopped"] = true;
  return out;
}

}  // namespace auric
