// Broken on purpose: down forgets to remove db/tags. Every step succeeds (up tolerates the
// folder), so only the snapshot comparison can tell.
#include <filesystem>

#include <auric/migrations.hpp>

#include "settings.hpp"

AURIC_MIGRATION({
    .description = "Adds the tags collection.",
    .up = [](auric::Context& ctx) -> auric::Json {
      std::filesystem::create_directories(ctx.user<Settings>().db + "/tags");
      return {};
    },
    .down = [](auric::Context& ctx) -> auric::Json {
      ctx.log("removing tags (not really)");
      return {};
    },
});
