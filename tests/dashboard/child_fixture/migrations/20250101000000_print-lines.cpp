// Fixture: writes with printf and to stderr, as code that knows nothing of the Context does.
#include <cstdio>

#include <auric/migrations.hpp>

AURIC_MIGRATION({
    .description = "Prints to stdout and stderr.",
    .up = [](auric::Context&) -> auric::Json {
      std::printf("printed line one\n");
      std::printf("printed line two\n");
      std::fprintf(stderr, "complained on stderr\n");
      return {};
    },
    .down = [](auric::Context&) -> auric::Json { return {}; },
});
