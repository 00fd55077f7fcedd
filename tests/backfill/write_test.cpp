// The writes fn returns, as requests: tables, conditions, and the idempotence helper.
#include <gtest/gtest.h>

#include <auric/backfill.hpp>

#include "backfill/engine.hpp"

namespace auric {
namespace {

using aws::AttributeValue;

TEST(BackfillWrite, UpdateWithTheVersionHelperSetsAndChecksTheVersion) {
  auto w = BackfillWrite::update({{"id", AttributeValue::string("a")}}, "SET amount = amount * :two", {},
                                 {{":two", AttributeValue::number(std::int64_t{2})}})
               .only_if_version_below("version", 3);
  const auto req = w.request("orders");
  EXPECT_EQ(req["TableName"], "orders");
  EXPECT_EQ(req["UpdateExpression"], "SET #auric_version = :auric_version, amount = amount * :two");
  EXPECT_EQ(req["ConditionExpression"],
            "attribute_not_exists(#auric_version) OR #auric_version < :auric_version");
  EXPECT_EQ(req["ExpressionAttributeNames"]["#auric_version"], "version");
  EXPECT_EQ(req["ExpressionAttributeValues"][":auric_version"]["N"], "3");
  EXPECT_EQ(req["Key"]["id"]["S"], "a");
}

TEST(BackfillWrite, TheHelperAddsASetClauseWhenThereIsNoneAndPutsCarryTheVersion) {
  auto update = BackfillWrite::update({{"id", AttributeValue::string("a")}}, "REMOVE legacy")
                    .only_if_version_below("v", 1)
                    .only_if("attribute_exists(id)");
  auto req = update.request("t");
  EXPECT_EQ(req["UpdateExpression"], "SET #auric_version = :auric_version REMOVE legacy");
  EXPECT_EQ(
      req["ConditionExpression"],
      "(attribute_not_exists(#auric_version) OR #auric_version < :auric_version) AND (attribute_exists(id))");
  auto put = BackfillWrite::put({{"id", AttributeValue::string("a")}})
                 .only_if_version_below("v", 7)
                 .to_table("copy");
  req = put.request("t");
  EXPECT_EQ(req["TableName"], "copy");
  EXPECT_EQ(req["Item"]["v"]["N"], "7");
  EXPECT_FALSE(req.contains("UpdateExpression"));
  const auto del = BackfillWrite::remove({{"id", AttributeValue::string("a")}}).request("t");
  EXPECT_EQ(del["Key"]["id"]["S"], "a");
  EXPECT_FALSE(del.contains("ConditionExpression"));
}

TEST(BackfillWorkers, ThreadsLambdaAndFargateParse) {
  EXPECT_EQ(backfill::parse_thread_workers("threads:8"), 8);
  EXPECT_THROW(backfill::parse_thread_workers("threads:0"), std::invalid_argument);
  EXPECT_THROW(backfill::parse_thread_workers("threads:x"), std::invalid_argument);
  EXPECT_THROW(backfill::parse_thread_workers("lambda:64"), std::invalid_argument);
  EXPECT_THROW(backfill::parse_thread_workers("fargate:64"), std::invalid_argument);
  const auto lambda = backfill::parse_workers("lambda:64");
  EXPECT_EQ(lambda.kind, backfill::WorkerChoice::Kind::kLambda);
  EXPECT_EQ(lambda.count, 64);
  EXPECT_EQ(backfill::parse_workers("threads:3").kind, backfill::WorkerChoice::Kind::kThreads);
  EXPECT_EQ(backfill::parse_workers("threads:3").count, 3);
  EXPECT_THROW(backfill::parse_workers("lambda:0"), std::invalid_argument);
  EXPECT_THROW(backfill::parse_workers("lambda:1001"), std::invalid_argument);
  EXPECT_THROW(backfill::parse_workers("lambda:3x"), std::invalid_argument);
  const auto fargate = backfill::parse_workers("fargate:4");
  EXPECT_EQ(fargate.kind, backfill::WorkerChoice::Kind::kFargate);
  EXPECT_EQ(fargate.count, 4);
  EXPECT_EQ(backfill::parse_workers("fargate:1000").count, 1000);
  EXPECT_THROW(backfill::parse_workers("fargate:0"), std::invalid_argument);
  EXPECT_THROW(backfill::parse_workers("fargate:1001"), std::invalid_argument);
  try {
    backfill::parse_workers("fargate:");
    FAIL();
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("expected fargate:N with N in 1..1000"), std::string::npos)
        << e.what();
  }
  EXPECT_THROW(backfill::parse_workers("ecs:4"), std::invalid_argument);
}

TEST(BackfillSegments, DefaultCountFollowsTheSizeWithinBounds) {
  const nlohmann::json small{{"Table", {{"TableSizeBytes", 1'000}}}};
  EXPECT_EQ(backfill::default_total_segments(small, "", 4, 1'000), 4);
  EXPECT_EQ(backfill::default_total_segments(small, "", 1, 1'000), 1);
  const nlohmann::json big{{"Table", {{"TableSizeBytes", 50.5 * 1024 * 1024 * 1024}}}};
  EXPECT_EQ(backfill::default_total_segments(big, "", 4, 1'000), 51);
  EXPECT_EQ(backfill::default_total_segments(big, "", 4, 16), 16);
  const nlohmann::json indexed{
      {"Table",
       {{"TableSizeBytes", 0},
        {"GlobalSecondaryIndexes", {{{"IndexName", "gsi"}, {"IndexSizeBytes", 3.0 * (1 << 30)}}}}}}};
  EXPECT_EQ(backfill::default_total_segments(indexed, "gsi", 1, 1'000), 3);
}

}  // namespace
}  // namespace auric
