// For migration authors who use Context::dynamodb(): makes auric::aws::DynamoDbClient (and its
// AttributeValue / Item helpers) a complete type. The client is the project's own small AWS
// layer (docs/aws-layer.md): wire-shape JSON calls (get_item, put_item, update_item, query,
// batch_write_item, create_table, ...), try_* conditional writes that return a failed
// condition as a value, and typed helpers (get, put, query_all, batch_write_all,
// create_table_if_absent). Clients are thread-safe.
//
//   #include <auric/dynamodb.hpp>
//   auto& db = ctx.dynamodb();
//   db.put("customers", auric::aws::item_from_plain({{"pk", "CUSTOMER"}, {"sk", "42"}}));
#pragma once

#include <auric/migrations.hpp>

#include "aws/dynamodb.hpp"
