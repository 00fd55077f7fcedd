// Reversible: makes db/notes and takes its folder from the user context.
#include <cstdio>
#include <filesystem>

#include <auric/migrations.hpp>

#include "settings.hpp"

AURIC_MIGRATION({
    .description = "Creates the notes collection.",
    .up = [](auric::Context& ctx) -> auric::Json {
      const Settings& settings = ctx.user<Settings>();
      std::filesystem::create_directories(settings.db + "/notes");
      std::printf("created %s/notes for %s\n", settings.db.c_str(), ctx.config().value("owner", "?").c_str());
      return {{"collections", 1}};
    },
    .down = [](auric::Context& ctx) -> auric::Json {
      std::filesystem::remove_all(ctx.user<Settings>().db + "/notes");
      return {};
    },
});
