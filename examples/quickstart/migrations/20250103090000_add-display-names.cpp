// Adds users.display_name and backfills it in batches, printing progress to stdout (captured
// into the run's output) and checkpointing so an interrupted run resumes where it stopped.
#include <cstdio>

#include "app_db.hpp"

AURIC_MIGRATION({
    .description = "Adds `display_name` to users and backfills it as `first_name last_name`.",
    .up = [](auric::Context& ctx) -> auric::Json {
      AppDb db(ctx);
      long long last_id = ctx.progress().is_null() ? 0 : ctx.progress().value("lastId", 0LL);
      if (last_id == 0) db.exec("ALTER TABLE users ADD COLUMN display_name TEXT");
      long long updated = 0;
      for (;;) {
        const long long next = db.scalar("SELECT min(id) FROM users WHERE id > " + std::to_string(last_id));
        if (next == 0) break;
        db.exec("UPDATE users SET display_name = first_name || ' ' || last_name WHERE id = " +
                std::to_string(next));
        std::printf("backfilled user %lld\n", next);
        last_id = next;
        ++updated;
        ctx.checkpoint({{"lastId", last_id}});
        if (ctx.should_stop()) ctx.suspend({{"lastId", last_id}});
      }
      return {{"rowsUpdated", updated}};
    },
    .down = [](auric::Context& ctx) -> auric::Json {
      AppDb db(ctx);
      db.exec("ALTER TABLE users DROP COLUMN display_name");
      return {};
    },
});
