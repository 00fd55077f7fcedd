// An index for case-insensitive e-mail lookups.
#include "app_db.hpp"

AURIC_MIGRATION({
    .description = "Indexes `lower(email)` for case-insensitive sign-in lookups.",
    .up = [](auric::Context& ctx) -> auric::Json {
      AppDb db(ctx);
      db.exec("CREATE INDEX users_email_lower ON users (lower(email))");
      return {};
    },
    .down = [](auric::Context& ctx) -> auric::Json {
      AppDb db(ctx);
      db.exec("DROP INDEX users_email_lower");
      return {};
    },
});
