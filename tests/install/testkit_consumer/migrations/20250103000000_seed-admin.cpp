// Broken on purpose: down does not remove the admin note, so the second up fails.
#include <auric/migrations.hpp>

#include "settings.hpp"

AURIC_MIGRATION({
    .description = "Seeds the admin note.",
    .up = [](auric::Context& ctx) -> auric::Json {
      ctx.log("seeding the admin note");
      create_file(ctx.user<Settings>().db + "/notes/admin", "admin\n");
      return {{"seeded", 1}};
    },
    .down = [](auric::Context&) -> auric::Json { return {}; },
});
