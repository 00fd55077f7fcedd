// For migration authors who use Context::dynamodb(): the migration API plus the DynamoDB
// client it returns (<auric/dynamodb_client.hpp>): wire-shape JSON calls (get_item, put_item,
// update_item, query, batch_write_item, create_table, ...), try_* conditional writes that
// return a failed condition as a value, typed helpers (get, put, query_all, batch_write_all,
// create_table_if_absent), AttributeValue / Item, and AwsError. Clients are thread-safe.
//
//   #include <auric/dynamodb.hpp>
//   auto& db = ctx.dynamodb();
//   db.put("customers", auric::aws::item_from_plain({{"pk", "CUSTOMER"}, {"sk", "42"}}));
#pragma once

#include <auric/dynamodb_client.hpp>
#include <auric/migrations.hpp>
