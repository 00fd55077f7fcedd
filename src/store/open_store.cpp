#include <map>
#include <mutex>
#include <stdexcept>
#include <utility>

#include "store/open_store.hpp"
#include "store/registry.hpp"
#include "store/store_url.hpp"

namespace auric {
namespace {

constexpr const char* kSupportedForms = "expected memory:, sqlite:PATH or dynamodb:TABLE";

struct Registry {
  std::mutex mutex;
  std::map<std::string, StoreOpener> openers;
};

Registry& storage() {
  static Registry instance;
  return instance;
}

// True on the thread that is registering the built-in backends.
thread_local bool t_registering_builtins = false;

// The built-in backends register on first use of the registry (see registry.hpp for why
// not from static initialisers).
void ensure_builtins() {
  static std::once_flag once;
  if (t_registering_builtins) return;
  std::call_once(once, [] {
    t_registering_builtins = true;
    try {
      detail::register_memory_store();
      detail::register_sqlite_store();
      detail::register_dynamodb_store();
    } catch (...) {
      t_registering_builtins = false;
      throw;
    }
    t_registering_builtins = false;
  });
}

bool valid_scheme(const std::string& scheme) {
  return valid_store_scheme(scheme);
}

}  // namespace

bool valid_store_scheme(std::string_view scheme) {
  if (scheme.empty()) return false;
  for (const char c : scheme) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
    if (!ok) return false;
  }
  return true;
}

StoreUrl parse_store_url(std::string_view text) {
  const std::string url(text);
  const auto colon = url.find(':');
  StoreUrl out;
  if (colon == std::string::npos || !valid_store_scheme(std::string_view(url).substr(0, colon))) {
    throw std::invalid_argument("unknown store URL '" + url + "': " + kSupportedForms);
  }
  out.scheme = url.substr(0, colon);
  out.location = url.substr(colon + 1);
  if (out.scheme == "memory") {
    out.parsed = MemoryStoreLocation{out.location};
  } else if (out.scheme == "sqlite") {
    out.parsed = parse_sqlite_store_location(out.location);
  } else if (out.scheme == "dynamodb") {
    out.parsed = parse_dynamodb_store_location(out.location);
  }
  return out;
}

bool register_store_scheme(const std::string& scheme, StoreOpener opener) {
  if (!valid_scheme(scheme)) {
    throw std::invalid_argument("invalid store scheme '" + scheme +
                                "': use lower-case letters, digits and '-'");
  }
  if (!opener) {
    throw std::invalid_argument("store scheme '" + scheme + "' registered without an opener");
  }
  ensure_builtins();
  auto& registry = storage();
  std::lock_guard guard(registry.mutex);
  registry.openers.insert_or_assign(scheme, std::move(opener));
  return true;
}

std::vector<std::string> registered_store_schemes() {
  ensure_builtins();
  auto& registry = storage();
  std::lock_guard guard(registry.mutex);
  std::vector<std::string> schemes;
  for (const auto& entry : registry.openers) schemes.push_back(entry.first);
  return schemes;
}

std::unique_ptr<Store> open_store(const std::string& url) {
  const auto colon = url.find(':');
  const std::string scheme = colon == std::string::npos ? std::string() : url.substr(0, colon);
  StoreOpener opener;
  if (valid_scheme(scheme)) {
    ensure_builtins();
    auto& registry = storage();
    std::lock_guard guard(registry.mutex);
    if (const auto it = registry.openers.find(scheme); it != registry.openers.end()) {
      opener = it->second;
    }
  }
  if (!opener) throw std::invalid_argument("unknown store URL '" + url + "': " + kSupportedForms);
  // Called outside the registry lock: opening may take a while (files, network).
  return opener(url.substr(colon + 1));
}

}  // namespace auric
