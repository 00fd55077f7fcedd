// The shared AWS config and credentials files: aws::parse_config_text on the input read as a
// config file and as a credentials file (into one SharedConfig, as load_shared_config merges
// them), then every profile's merged view, region and DynamoDB endpoint. Malformed lines are a
// ConfigFileError and a bad region or endpoint std::invalid_argument (documented); nothing else
// may escape.
#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>

#include "aws/config_file.hpp"
#include "aws/endpoints.hpp"
#include "aws/environment.hpp"
#include "fuzz_support.hpp"

namespace aws = auric::aws;

namespace {

void resolve(const aws::SharedConfig& config, std::string_view profile) {
  const aws::ConfigSection* section = config.profile(profile);
  auric::fuzz::check(section != nullptr, "a listed profile is not found by profile()");
  const aws::MapEnvironment env;
  const auto region = aws::resolve_region(env, config, profile);
  auric::fuzz::check(region == config.get(profile, "region"), "region differs from the profile's");
  if (auto session = config.get(profile, "sso_session")) (void)config.sso_session(*session);
  try {
    (void)aws::resolve_endpoint(aws::kDynamoDbService, region.value_or(""), env,
                                config.get(profile, "endpoint_url").value_or(""));
  } catch (const std::invalid_argument&) {
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text = auric::fuzz::as_text(data, size);
  aws::SharedConfig config;
  try {
    aws::parse_config_text(text, aws::ConfigFileKind::kConfig, "config", config);
  } catch (const aws::ConfigFileError&) {
  }
  try {
    aws::parse_config_text(text, aws::ConfigFileKind::kCredentials, "credentials", config);
  } catch (const aws::ConfigFileError&) {
  }
  for (const auto& [name, section] : config.profiles) resolve(config, name);
  return 0;
}
