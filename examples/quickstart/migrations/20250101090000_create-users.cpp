// Creates the users table of the quickstart application.
#include "app_db.hpp"

AURIC_MIGRATION({
    .description = R"md(
## Create the `users` table

The first table of the application:

| column | type | notes |
|---|---|---|
| `id` | integer | primary key |
| `email` | text | unique, required |
| `first_name`, `last_name` | text | |

Rolling back drops the table **and its data**.
)md",
    .up = [](auric::Context& ctx) -> auric::Json {
      AppDb db(ctx);
      db.exec(
          "CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT NOT NULL UNIQUE,"
          " first_name TEXT, last_name TEXT)");
      db.exec(
          "INSERT INTO users (email, first_name, last_name) VALUES"
          " ('ada@example.com', 'Ada', 'Lovelace'), ('alan@example.com', 'Alan', 'Turing'),"
          " ('grace@example.com', 'Grace', 'Hopper')");
      return {{"usersSeeded", db.changes()}};
    },
    .down = [](auric::Context& ctx) -> auric::Json {
      AppDb db(ctx);
      db.exec("DROP TABLE users");
      return {};
    },
});
