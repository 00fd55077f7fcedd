// Credentials and the CredentialsProvider seam. Providers that reach files, processes or the
// network live in credential_providers.hpp. Every provider here is thread-safe: clients call
// get_credentials() concurrently before each signed request.
#pragma once

#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "aws/encoding.hpp"

namespace auric::aws {

struct Credentials {
  std::string access_key_id;
  std::string secret_access_key;
  std::string session_token;            // empty when none
  std::optional<TimePoint> expiration;  // nullopt: does not expire
  std::string provider;                 // which provider produced them (for messages)
  std::string account_id;               // when known

  bool empty() const { return access_key_id.empty() || secret_access_key.empty(); }
};

using Clock = std::function<TimePoint()>;
// The real clock.
TimePoint system_now();

class CredentialsProvider {
 public:
  virtual ~CredentialsProvider() = default;
  // Returns usable credentials.
  // Throws CredentialsNotFoundError when this source is not configured at all (a chain then
  // tries the next source); throws CredentialsError (or SsoTokenExpiredError) when it is
  // configured but fails. Thread-safe.
  virtual Credentials get_credentials() = 0;
  // A short name for messages ("environment", "profile dev", ...).
  virtual std::string name() const = 0;
};

// Always returns the credentials it was given.
class StaticCredentialsProvider final : public CredentialsProvider {
 public:
  explicit StaticCredentialsProvider(Credentials credentials);
  Credentials get_credentials() override { return credentials_; }
  std::string name() const override { return "static"; }

 private:
  Credentials credentials_;
};

// Wraps a provider and reuses its credentials until `refresh_before` ahead of expiry
// (default 5 minutes). Credentials without expiry are fetched once. Concurrent callers
// during a refresh wait for the one fetch.
class CachingCredentialsProvider final : public CredentialsProvider {
 public:
  CachingCredentialsProvider(std::shared_ptr<CredentialsProvider> inner, Clock clock = system_now,
                             std::chrono::seconds refresh_before = std::chrono::minutes(5));
  // Returns cached credentials, refreshing them first when they expire within the window.
  // Throws whatever the inner provider throws (nothing is cached then).
  Credentials get_credentials() override;
  std::string name() const override { return inner_->name(); }
  // Drops the cached credentials so the next call fetches new ones.
  void invalidate();

 private:
  std::shared_ptr<CredentialsProvider> inner_;
  Clock clock_;
  std::chrono::seconds refresh_before_;
  std::mutex mu_;
  std::optional<Credentials> cached_;
};

// Tries providers in order; the first that does not throw CredentialsNotFoundError wins and
// is remembered for later calls. A configured-but-failing provider stops the search.
class ChainCredentialsProvider final : public CredentialsProvider {
 public:
  explicit ChainCredentialsProvider(std::vector<std::shared_ptr<CredentialsProvider>> providers);
  // Returns the first provider's credentials. Throws CredentialsNotFoundError naming every
  // source tried when none is configured; rethrows a configured provider's failure.
  Credentials get_credentials() override;
  std::string name() const override { return "default chain"; }

 private:
  std::vector<std::shared_ptr<CredentialsProvider>> providers_;
  std::mutex mu_;
  std::shared_ptr<CredentialsProvider> chosen_;
};

}  // namespace auric::aws
