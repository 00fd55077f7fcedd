// Creates the application's customers table (on-demand capacity) and waits until it is
// ACTIVE; rolling back deletes it and waits until it is gone.
#include "customers.hpp"

AURIC_MIGRATION({
    .description = R"md(
## Create the `customers` table

One partition per entity type: `pk` = `CUSTOMER`, `sk` = the customer id. On-demand
capacity. Rolling back deletes the table **and its data**.
)md",
    .up = [](auric::Context& ctx) -> auric::Json {
      const std::string table = customers::table_name(ctx);
      const bool created = ctx.dynamodb().create_table_if_absent({
          {"TableName", table},
          {"BillingMode", "PAY_PER_REQUEST"},
          {"AttributeDefinitions",
           {{{"AttributeName", "pk"}, {"AttributeType", "S"}},
            {{"AttributeName", "sk"}, {"AttributeType", "S"}}}},
          {"KeySchema",
           {{{"AttributeName", "pk"}, {"KeyType", "HASH"}}, {{"AttributeName", "sk"}, {"KeyType", "RANGE"}}}},
      });
      ctx.log(created ? "created table" : "table already there", table);
      return {{"table", table}, {"created", created}};
    },
    .down = [](auric::Context& ctx) -> auric::Json {
      const std::string table = customers::table_name(ctx);
      customers::delete_table(ctx.dynamodb(), table);
      ctx.log("deleted table", table);
      return {};
    },
});
