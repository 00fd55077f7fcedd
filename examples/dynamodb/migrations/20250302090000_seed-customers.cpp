// Seeds the customers table in batches of 25 (BatchWriteItem), with full names as one field.
#include "customers.hpp"

AURIC_MIGRATION({
    .description = "Seeds twelve customers (`full_name`, `email`, `plan`).",
    .up = [](auric::Context& ctx) -> auric::Json {
      std::vector<auric::Json> puts;
      for (const auto& c : customers::seeds()) {
        const auric::Json item = {{"pk", customers::kPartition},
                                  {"sk", c.id},
                                  {"full_name", c.full_name},
                                  {"email", c.email},
                                  {"plan", c.plan}};
        puts.push_back({{"PutRequest", {{"Item", auric::aws::plain_to_wire(item)}}}});
      }
      ctx.dynamodb().batch_write_all(customers::table_name(ctx), puts);
      ctx.log("seeded customers", puts.size());
      return {{"customers", puts.size()}};
    },
    .down = [](auric::Context& ctx) -> auric::Json {
      std::vector<auric::Json> deletes;
      for (const auto& c : customers::seeds()) {
        deletes.push_back({{"DeleteRequest", {{"Key", customers::key(c.id)}}}});
      }
      ctx.dynamodb().batch_write_all(customers::table_name(ctx), deletes);
      return {{"deleted", deletes.size()}};
    },
});
