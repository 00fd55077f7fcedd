// Irreversible: what it deletes cannot come back (declared so in the round-trip options).
#include <filesystem>
#include <stdexcept>

#include <auric/migrations.hpp>

#include "settings.hpp"

AURIC_MIGRATION({
    .description = "Deletes the legacy folder.",
    .up = [](auric::Context& ctx) -> auric::Json {
      std::filesystem::remove_all(ctx.user<Settings>().db + "/legacy");
      return {};
    },
    .down = [](auric::Context&) -> auric::Json {
      throw std::runtime_error("the legacy folder cannot be restored");
    },
});
