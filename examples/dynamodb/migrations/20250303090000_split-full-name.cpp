// Reshapes every customer: `full_name` becomes `first_name` + `last_name`. Reads the partition
// page by page (Query, never Scan), checkpointing after each page so that an interrupted run
// resumes where it stopped; each item's update is conditional, so a repeated page is harmless.
#include "customers.hpp"

namespace {

constexpr int kPageSize = 5;

// Splits at the first space: "John von Neumann" -> "John" / "von Neumann".
std::pair<std::string, std::string> split(const std::string& full) {
  const auto space = full.find(' ');
  if (space == std::string::npos) return {full, ""};
  return {full.substr(0, space), full.substr(space + 1)};
}

// Runs `fn` on every customer item (plain JSON), page by page, checkpointing the position.
template <class Fn>
int for_each_customer(auric::Context& ctx, Fn fn) {
  auto& db = ctx.dynamodb();
  auric::Json request = {
      {"TableName", customers::table_name(ctx)},
      {"KeyConditionExpression", "pk = :p"},
      {"ExpressionAttributeValues", auric::aws::plain_to_wire({{":p", customers::kPartition}})},
      {"ConsistentRead", true},
      {"Limit", kPageSize}};
  int changed = 0;
  if (!ctx.progress().is_null()) {
    request["ExclusiveStartKey"] = ctx.progress();
    ctx.log("resuming after", ctx.progress().dump());
  }
  for (;;) {
    auto page = db.query_page(request);
    for (const auto& item : page.items) changed += fn(db, auric::aws::item_to_plain(item)) ? 1 : 0;
    if (page.last_evaluated_key.is_null()) break;
    ctx.checkpoint(page.last_evaluated_key);
    request["ExclusiveStartKey"] = page.last_evaluated_key;
  }
  return changed;
}

}  // namespace

AURIC_MIGRATION({
    .description = R"md(
## Split `full_name`

`full_name` → `first_name` + `last_name` (split at the first space). Paged, checkpointed and
idempotent per item; rolling back joins them again.
)md",
    .up = [](auric::Context& ctx) -> auric::Json {
      const std::string table = customers::table_name(ctx);
      const int changed = for_each_customer(ctx, [&](auric::aws::DynamoDbClient& db, const auric::Json& c) {
        if (!c.contains("full_name")) return false;
        const auto [first, last] = split(c["full_name"].get<std::string>());
        return db
            .try_update_item(
                {{"TableName", table},
                 {"Key", customers::key(c["sk"])},
                 {"UpdateExpression", "SET first_name = :f, last_name = :l REMOVE full_name"},
                 {"ConditionExpression", "attribute_exists(full_name)"},
                 {"ExpressionAttributeValues", auric::aws::plain_to_wire({{":f", first}, {":l", last}})}})
            .applied;
      });
      ctx.log("split names of", changed, "customers");
      return {{"customersChanged", changed}};
    },
    .down = [](auric::Context& ctx) -> auric::Json {
      const std::string table = customers::table_name(ctx);
      const int changed = for_each_customer(ctx, [&](auric::aws::DynamoDbClient& db, const auric::Json& c) {
        if (!c.contains("first_name")) return false;
        std::string full = c["first_name"].get<std::string>();
        if (const std::string last = c.value("last_name", ""); !last.empty()) full += " " + last;
        return db
            .try_update_item({{"TableName", table},
                              {"Key", customers::key(c["sk"])},
                              {"UpdateExpression", "SET full_name = :n REMOVE first_name, last_name"},
                              {"ConditionExpression", "attribute_exists(first_name)"},
                              {"ExpressionAttributeValues", auric::aws::plain_to_wire({{":n", full}})}})
            .applied;
      });
      return {{"customersChanged", changed}};
    },
});
