#include "dashboard_tool/discovery.hpp"

#include <algorithm>

#include <nlohmann/json.hpp>

#include "aws/dynamodb.hpp"
#include "aws/lambda.hpp"
#include "dashboard_tool/profiles.hpp"
#include "dashboard_tool/prompt.hpp"

namespace auric::dashboard_tool {

std::vector<std::string> find_migration_functions(aws::LambdaClient& lambda) {
  std::vector<std::string> names;
  for (const auto& f : lambda.list_functions()) {
    auto it = f.find("FunctionName");
    if (it == f.end() || !it->is_string()) continue;
    std::string name = it->get<std::string>();
    if (name.find(kFunctionPattern) != std::string::npos) names.push_back(std::move(name));
  }
  std::sort(names.begin(), names.end());
  return names;
}

std::vector<std::string> find_migrations_tables(aws::DynamoDbClient& dynamodb) {
  std::vector<std::string> names;
  nlohmann::json request = nlohmann::json::object();
  for (;;) {
    const nlohmann::json page = dynamodb.list_tables(request);
    if (auto it = page.find("TableNames"); it != page.end() && it->is_array()) {
      for (const auto& n : *it) {
        if (n.is_string() && n.get<std::string>().find(kTablePattern) != std::string::npos)
          names.push_back(n.get<std::string>());
      }
    }
    auto last = page.find("LastEvaluatedTableName");
    if (last == page.end() || !last->is_string() || last->get<std::string>().empty()) break;
    request["ExclusiveStartTableName"] = *last;
  }
  std::sort(names.begin(), names.end());
  return names;
}

std::string choose_resource(ResourceKind kind, const std::vector<std::string>& matches, Prompter* prompter) {
  const bool fn = kind == ResourceKind::kFunction;
  const std::string pattern(fn ? kFunctionPattern : kTablePattern);
  const std::string flag = fn ? "--function-name" : "--table-name";
  if (matches.empty()) {
    throw ToolError(std::string(fn ? "No Lambda functions" : "No DynamoDB tables") + " matching \"" +
                    pattern + "\" found in this account/region. Pass " + flag + " <name> if the " +
                    (fn ? "function" : "table") + " is named differently.");
  }
  if (matches.size() == 1) return matches.front();
  const std::string what = fn ? "Lambdas" : "tables";
  if (prompter == nullptr) {
    std::string list;
    for (const auto& m : matches) list += (list.empty() ? "" : ", ") + m;
    throw ToolError("Multiple " + what + " match \"" + pattern + "\": " + list + ". Pass " + flag +
                    " <name> to choose one.");
  }
  return matches.at(prompter->pick("Multiple " + what + " match \"" + pattern + "\". Pick one:", matches, 0));
}

}  // namespace auric::dashboard_tool
