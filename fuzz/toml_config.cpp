// migrate.config.toml: app::parse_config on the input, without an environment and with
// `--env staging`. A bad file, key, type or environment is a ConfigError (documented); nothing
// else may escape. The [context] table is serialised as the runner hands it to migrations.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

#include "app/config.hpp"
#include "fuzz_support.hpp"

namespace app = auric::app;

namespace {

void parse(const std::string& text, const std::optional<std::string>& env) {
  try {
    const app::Config config = app::parse_config(text, "migrate.config.toml", env);
    (void)config.context.dump();
  } catch (const app::ConfigError&) {
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text(auric::fuzz::as_text(data, size));
  parse(text, std::nullopt);
  parse(text, "staging");
  return 0;
}
