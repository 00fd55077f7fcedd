#include "app/config.hpp"

#include <filesystem>
#include <fstream>
#include <sstream>

#include <toml++/toml.h>

#include "store/open_store.hpp"

namespace auric::app {
namespace {

constexpr const char* kDefaultConfigFile = "migrate.config.toml";

std::string where(const toml::node& node, const std::string& source) {
  const auto& src = node.source();
  return source + ":" + std::to_string(src.begin.line);
}

Json to_json(const toml::node& node) {
  if (auto* t = node.as_table()) {
    Json out = Json::object();
    for (const auto& [k, v] : *t) out[std::string(k.str())] = to_json(v);
    return out;
  }
  if (auto* a = node.as_array()) {
    Json out = Json::array();
    for (const auto& v : *a) out.push_back(to_json(v));
    return out;
  }
  if (auto* s = node.as_string()) return s->get();
  if (auto* i = node.as_integer()) return i->get();
  if (auto* f = node.as_floating_point()) return f->get();
  if (auto* b = node.as_boolean()) return b->get();
  std::ostringstream out;  // dates and times keep their TOML spelling
  node.visit([&](const auto& value) { out << value; });
  return out.str();
}

void merge(Json& into, const Json& from) {
  for (auto it = from.begin(); it != from.end(); ++it) {
    if (it->is_object() && into.contains(it.key()) && into[it.key()].is_object()) {
      merge(into[it.key()], *it);
    } else {
      into[it.key()] = *it;
    }
  }
}

std::string need_string(const toml::node& v, const std::string& key, const std::string& source) {
  if (auto* s = v.as_string()) return s->get();
  throw ConfigError(where(v, source) + ": '" + key + "' must be a string");
}

std::chrono::seconds need_seconds(const toml::node& v, const std::string& key, const std::string& source,
                                  std::int64_t min) {
  auto* i = v.as_integer();
  if (!i || i->get() < min) {
    throw ConfigError(where(v, source) + ": '" + key +
                      "' must be a whole number of seconds >= " + std::to_string(min));
  }
  return std::chrono::seconds(i->get());
}

// "threads:N" (1..256), "lambda:N" or "fargate:N" (1..1000): the forms ctx.backfill accepts
// (docs/backfills.md, *Workers*). Anything else is a ConfigError naming `key`.
std::string need_workers(const toml::node& v, const std::string& key, const std::string& source) {
  std::string text = need_string(v, key, source);
  const auto colon = text.find(':');
  const std::string kind = text.substr(0, colon);
  const int max = kind == "threads" ? 256 : (kind == "lambda" || kind == "fargate") ? 1000 : 0;
  bool valid = max > 0 && colon != std::string::npos && colon + 1 < text.size() && text.size() - colon <= 5;
  int count = 0;
  for (std::size_t i = colon + 1; valid && i < text.size(); ++i) {
    if (text[i] < '0' || text[i] > '9') valid = false;
    count = count * 10 + (text[i] - '0');
  }
  if (!valid || count < 1 || count > max) {
    throw ConfigError(where(v, source) + ": '" + key + "' is \"" + text +
                      "\": expected \"threads:N\" (N 1-256), \"lambda:N\" or \"fargate:N\" (N 1-1000)");
  }
  return text;
}

[[noreturn]] void unknown_key(const toml::node& v, const std::string& key, const std::string& source,
                              const char* allowed) {
  throw ConfigError(where(v, source) + ": unknown key '" + key + "' (allowed: " + allowed + ")");
}

// Applies one level (the top level or an [env.NAME] table) onto `config`.
void apply_table(const toml::table& table, Config& config, const std::string& source, bool top_level) {
  for (const auto& [k, v] : table) {
    const std::string key(k.str());
    if (key == "store") {
      config.store = need_string(v, key, source);
    } else if (key == "migrations_dir") {
      config.migrations_dir = need_string(v, key, source);
    } else if (key == "context") {
      auto* t = v.as_table();
      if (!t) throw ConfigError(where(v, source) + ": 'context' must be a table ([context])");
      merge(config.context, to_json(*t));
      // The deprecated spelling of [backfill] workers; [backfill] at the same level wins.
      if (const toml::node* old = t->get("backfill_workers");
          old != nullptr && !table["backfill"]["workers"]) {
        config.backfill_workers = need_workers(*old, "context.backfill_workers", source);
      }
    } else if (key == "backfill") {
      auto* t = v.as_table();
      if (!t) throw ConfigError(where(v, source) + ": 'backfill' must be a table ([backfill])");
      for (const auto& [bk, bv] : *t) {
        const std::string name(bk.str());
        if (name == "workers") {
          config.backfill_workers = need_workers(bv, "backfill." + name, source);
        } else {
          unknown_key(bv, "backfill." + name, source, "workers");
        }
      }
    } else if (key == "lock") {
      auto* t = v.as_table();
      if (!t) throw ConfigError(where(v, source) + ": 'lock' must be a table ([lock])");
      for (const auto& [lk, lv] : *t) {
        const std::string name(lk.str());
        if (name == "ttl_seconds")
          config.lock_ttl = need_seconds(lv, "lock." + name, source, 2);
        else if (name == "heartbeat_seconds")
          config.heartbeat = need_seconds(lv, "lock." + name, source, 1);
        else if (name == "wait_timeout_seconds")
          config.wait_timeout = need_seconds(lv, "lock." + name, source, 0);
        else
          unknown_key(lv, "lock." + name, source, "ttl_seconds, heartbeat_seconds, wait_timeout_seconds");
      }
    } else if (key == "lambda") {
      auto* t = v.as_table();
      if (!t) throw ConfigError(where(v, source) + ": 'lambda' must be a table ([lambda])");
      for (const auto& [lk, lv] : *t) {
        const std::string name(lk.str());
        if (name == "stop_margin_seconds") {
          config.stop_margin = need_seconds(lv, "lambda." + name, source, 0);
        } else if (name == "max_hops") {
          config.max_hops = static_cast<int>(need_seconds(lv, "lambda." + name, source, 1).count());
        } else {
          unknown_key(lv, "lambda." + name, source, "stop_margin_seconds, max_hops");
        }
      }
    } else if (key == "safety") {
      auto* t = v.as_table();
      if (!t) throw ConfigError(where(v, source) + ": 'safety' must be a table ([safety])");
      for (const auto& [sk, sv] : *t) {
        const std::string name(sk.str());
        if (name == "allow_drift") {
          auto* b = sv.as_boolean();
          if (!b) throw ConfigError(where(sv, source) + ": 'safety.allow_drift' must be true or false");
          config.safety.allow_drift = b->get();
        } else if (name == "order") {
          const auto order = order_policy_from(need_string(sv, "safety." + name, source));
          if (!order) {
            throw ConfigError(where(sv, source) +
                              ": 'safety.order' must be \"strict\" or \"allow-out-of-order\"");
          }
          config.safety.order = *order;
        } else {
          unknown_key(sv, "safety." + name, source, "allow_drift, order");
        }
      }
    } else if (key == "env" && top_level) {
      if (!v.as_table()) throw ConfigError(where(v, source) + ": 'env' must hold [env.NAME] tables");
    } else {
      unknown_key(v, key, source,
                  top_level ? "store, migrations_dir, lock, lambda, safety, backfill, context, env"
                            : "store, migrations_dir, lock, lambda, safety, backfill, context");
    }
  }
  if (config.heartbeat >= config.lock_ttl) {
    throw ConfigError(source + ": lock.heartbeat_seconds (" + std::to_string(config.heartbeat.count()) +
                      ") must be smaller than lock.ttl_seconds (" + std::to_string(config.lock_ttl.count()) +
                      ")");
  }
}

}  // namespace

Config parse_config(const std::string& text, const std::string& source,
                    const std::optional<std::string>& env_name) {
  Config config;
  config.source = source;
  config.store = kDefaultStoreUrl;
  toml::table root;
  try {
    root = toml::parse(text, source);
  } catch (const toml::parse_error& e) {
    const auto& b = e.source().begin;
    throw ConfigError(source + ":" + std::to_string(b.line) + ":" + std::to_string(b.column) +
                      ": invalid TOML: " + std::string(e.description()));
  }
  apply_table(root, config, source, true);
  if (env_name) {
    const toml::table* envs = root["env"].as_table();
    const toml::table* chosen = envs ? (*envs)[*env_name].as_table() : nullptr;
    if (!chosen) {
      std::string known;
      if (envs) {
        for (const auto& [k, v] : *envs) known += (known.empty() ? "" : ", ") + std::string(k.str());
      }
      throw ConfigError("unknown environment '" + *env_name + "': " + source +
                        (known.empty() ? " has no [env.NAME] sections" : " defines " + known));
    }
    apply_table(*chosen, config, source, false);
    config.env = *env_name;
  }
  if (!config.backfill_workers.empty()) config.context["backfill_workers"] = config.backfill_workers;
  return config;
}

Config load_config(const ConfigOverrides& overrides, const EnvLookup& env) {
  std::optional<std::string> path = overrides.config_path;
  if (!path) path = env("AURIC_MIGRATE_CONFIG");
  const bool explicit_path = path.has_value();
  if (!path) path = kDefaultConfigFile;

  std::optional<std::string> env_name = overrides.env;
  if (!env_name) env_name = env("AURIC_MIGRATE_ENV");

  Config config;
  std::error_code ec;
  if (std::filesystem::exists(*path, ec)) {
    std::ifstream in(*path, std::ios::binary);
    if (!in) throw ConfigError("cannot read config file " + *path + ": permission denied?");
    std::stringstream text;
    text << in.rdbuf();
    config = parse_config(text.str(), *path, env_name);
  } else if (explicit_path) {
    throw ConfigError("config file not found: " + *path +
                      " (create it, or drop -c/AURIC_MIGRATE_CONFIG to use the defaults)");
  } else if (env_name) {
    throw ConfigError("unknown environment '" + *env_name + "': there is no " + *path + " to define [env." +
                      *env_name + "] in");
  } else {
    config.store = kDefaultStoreUrl;
  }

  if (auto v = env("AURIC_MIGRATE_STORE")) config.store = *v;
  if (auto v = env("AURIC_MIGRATE_MIGRATIONS_DIR")) config.migrations_dir = *v;
  if (overrides.store) config.store = *overrides.store;
  return config;
}

}  // namespace auric::app
