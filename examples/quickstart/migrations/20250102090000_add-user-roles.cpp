// Adds roles and gives every existing user the `viewer` role. Logs through the context.
#include "app_db.hpp"

AURIC_MIGRATION({
    .description = "Adds the `roles` table and a `role_id` on users (default: viewer).",
    .up = [](auric::Context& ctx) -> auric::Json {
      AppDb db(ctx);
      db.exec("CREATE TABLE roles (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE)");
      db.exec("INSERT INTO roles (id, name) VALUES (1, 'admin'), (2, 'viewer')");
      ctx.log("seeded roles", 2);
      db.exec("ALTER TABLE users ADD COLUMN role_id INTEGER NOT NULL DEFAULT 2 REFERENCES roles(id)");
      const long long users = db.scalar("SELECT count(*) FROM users");
      ctx.logger().info("existing users now have the viewer role", {{"users", users}});
      if (users == 0) ctx.logger().warn("no users yet: nothing to backfill");
      return {{"roles", 2}, {"usersUpdated", users}};
    },
    .down = [](auric::Context& ctx) -> auric::Json {
      AppDb db(ctx);
      db.exec("ALTER TABLE users DROP COLUMN role_id");
      db.exec("DROP TABLE roles");
      ctx.log("dropped roles");
      return {};
    },
});
