// The consumer's one migration: proves the installed header, macro and helper work.
#include <auric/migrations.hpp>

AURIC_MIGRATION({
    .description = "Says hello.",
    .up = [](auric::Context& ctx) -> auric::Json {
      ctx.log("hello from a consumer");
      return {{"greeted", true}};
    },
    .down = [](auric::Context&) -> auric::Json { return {}; },
});
