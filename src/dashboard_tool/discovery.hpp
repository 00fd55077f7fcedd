// Discovery of the deployed stack: the migration Lambda (names containing "MigrationFn",
// ListFunctions with every page) and the migrations table (names containing
// "MigrationsTable", ListTables with every page), and the choice among the matches.
// The two listings are independent and thread-safe (the tool runs them with std::async).
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace auric::aws {
class LambdaClient;
class DynamoDbClient;
}  // namespace auric::aws

namespace auric::dashboard_tool {

class Prompter;

inline constexpr std::string_view kFunctionPattern = "MigrationFn";
inline constexpr std::string_view kTablePattern = "MigrationsTable";

// Sorted names of the functions containing kFunctionPattern (case-sensitive). Throws AwsError.
std::vector<std::string> find_migration_functions(aws::LambdaClient& lambda);
// Sorted names of the tables containing kTablePattern, following LastEvaluatedTableName.
// Throws AwsError.
std::vector<std::string> find_migrations_tables(aws::DynamoDbClient& dynamodb);

enum class ResourceKind { kFunction, kTable };

// One match: it. Several: the picker (`prompter` non-null), else a ToolError naming the
// override flag. None: a ToolError naming the override flag.
std::string choose_resource(ResourceKind kind, const std::vector<std::string>& matches, Prompter* prompter);

}  // namespace auric::dashboard_tool
