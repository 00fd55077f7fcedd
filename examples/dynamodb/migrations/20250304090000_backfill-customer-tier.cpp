// Derives every customer's support `tier` from its `plan` with ctx.backfill (docs/backfills.md):
// the table is scanned in parallel segments by the workers the config names ([backfill]
// workers, threads:4 by default), rate-limited, and resumable from the segments' cursors. Each
// write is conditional on `schema_version` (.only_if_version_below), so a page re-processed
// after a crash is skipped: exactly once in effect. Rolling back removes `tier` through the
// same machinery.
#include <cstdint>
#include <string>

#include <auric/backfill.hpp>

#include "customers.hpp"

namespace {

using auric::BackfillWrite;
using auric::BackfillWrites;
using auric::aws::AttributeValue;
using auric::aws::Item;

// The version an item with a tier has; choose it above any `schema_version` already there.
constexpr std::int64_t kTierVersion = 1;

// free -> standard, pro and team -> priority; an unknown plan gets no tier ("" here).
std::string tier_of(const std::string& plan) {
  if (plan == "free") return "standard";
  if (plan == "pro" || plan == "team") return "priority";
  return "";
}

auric::BackfillSpec tier_spec(const auric::Context& ctx) {
  auric::BackfillSpec spec;
  spec.table = customers::table_name(ctx);
  spec.name = "tier";  // the job's name within the migration: what a resumed attempt finds
  // Only customers: the table may hold other entity types later (one partition per type).
  spec.filter = "pk = :p";
  spec.values = {{":p", AttributeValue::string(customers::kPartition)}};
  // The budget of the whole job, whatever the number of workers: the live traffic comes first.
  spec.write_units_per_second = 200;
  // spec.workers is left empty: the config's [backfill] workers chooses (threads:4 by default).
  return spec;
}

Item key_of(const Item& customer) {
  return {{"pk", customer.at("pk")}, {"sk", customer.at("sk")}};
}

}  // namespace

AURIC_MIGRATION({
    .description = R"md(
## Backfill the customers' `tier`

`tier` from `plan` (free → standard, pro and team → priority) on every customer, with
`ctx.backfill`: parallel Scan segments, rate-limited, resumable after a crash, exactly once in
effect (`schema_version` = 1 marks a rewritten customer). Rolling back removes `tier` and
`schema_version` the same way.
)md",
    .up = [](auric::Context& ctx) -> auric::Json {
      // Runs on the worker threads, several at once: a pure function of the item.
      const auto result = ctx.backfill(tier_spec(ctx), [](const Item& customer) -> BackfillWrites {
        const auto plan = customer.find("plan");
        const std::string tier = plan == customer.end() ? "" : tier_of(plan->second.as_string());
        if (tier.empty()) return {};  // counted as skipped
        return {BackfillWrite::update(key_of(customer), "SET tier = :t", {},
                                      {{":t", AttributeValue::string(tier)}})
                    .only_if_version_below("schema_version", kTierVersion)};
      });
      ctx.log("tier backfilled:", result.written, "written,", result.skipped, "skipped,", result.failed,
              "failed");
      return result.to_json();
    },
    .down = [](auric::Context& ctx) -> auric::Json {
      // Its own job (a rollback starts without progress); REMOVE is idempotent by itself, and
      // the condition makes a re-applied write count as skipped.
      const auto result = ctx.backfill(tier_spec(ctx), [](const Item& customer) -> BackfillWrites {
        return {BackfillWrite::update(key_of(customer), "REMOVE tier, schema_version")
                    .only_if("schema_version = :v", {}, {{":v", AttributeValue::number(kTierVersion)}})};
      });
      ctx.log("tier removed:", result.written, "written,", result.skipped, "skipped,", result.failed,
              "failed");
      return result.to_json();
    },
});
