#include "aws/credentials.hpp"

#include "aws/errors.hpp"

namespace auric::aws {

TimePoint system_now() {
  return std::chrono::system_clock::now();
}

StaticCredentialsProvider::StaticCredentialsProvider(Credentials credentials)
    : credentials_(std::move(credentials)) {
  if (credentials_.provider.empty()) credentials_.provider = "static";
}

CachingCredentialsProvider::CachingCredentialsProvider(std::shared_ptr<CredentialsProvider> inner,
                                                       Clock clock, std::chrono::seconds refresh_before)
    : inner_(std::move(inner)), clock_(std::move(clock)), refresh_before_(refresh_before) {
  if (!clock_) clock_ = system_now;
}

Credentials CachingCredentialsProvider::get_credentials() {
  std::lock_guard lock(mu_);
  if (cached_) {
    // now + margin, not expiration - margin: an expiration saturated to TimePoint::min() must
    // not underflow.
    if (!cached_->expiration || *cached_->expiration > clock_() + refresh_before_) return *cached_;
  }
  cached_.reset();
  cached_ = inner_->get_credentials();
  return *cached_;
}

void CachingCredentialsProvider::invalidate() {
  std::lock_guard lock(mu_);
  cached_.reset();
}

ChainCredentialsProvider::ChainCredentialsProvider(
    std::vector<std::shared_ptr<CredentialsProvider>> providers)
    : providers_(std::move(providers)) {}

Credentials ChainCredentialsProvider::get_credentials() {
  std::shared_ptr<CredentialsProvider> chosen;
  {
    std::lock_guard lock(mu_);
    chosen = chosen_;
  }
  if (chosen) return chosen->get_credentials();
  std::string tried;
  for (const auto& provider : providers_) {
    try {
      Credentials credentials = provider->get_credentials();
      std::lock_guard lock(mu_);
      chosen_ = provider;
      return credentials;
    } catch (const CredentialsNotFoundError& e) {
      if (!tried.empty()) tried += "; ";
      tried += provider->name() + ": " + e.message();
    }
  }
  throw CredentialsNotFoundError(
      "default chain",
      "no AWS credentials found (tried " + tried +
          "). Set AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, choose a profile with AWS_PROFILE, "
          "or run `aws sso login`");
}

}  // namespace auric::aws
