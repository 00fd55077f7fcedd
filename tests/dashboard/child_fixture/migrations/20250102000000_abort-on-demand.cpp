// Fixture: crashes with abort() while the file named by DASHBOARD_FIXTURE_ABORT exists. Before
// that it prints a line and waits longer than the durable output interval (2 s), so the line
// is in the store when the process dies. Without the file it just prints and succeeds.
#include <sys/resource.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <thread>

#include <auric/migrations.hpp>

AURIC_MIGRATION({
    .description = "Calls abort() on demand.",
    .up = [](auric::Context&) -> auric::Json {
      const char* marker = std::getenv("DASHBOARD_FIXTURE_ABORT");
      if (marker != nullptr && std::filesystem::exists(marker)) {
        std::printf("about to abort\n");
        std::fflush(stdout);
        std::this_thread::sleep_for(std::chrono::milliseconds(3000));
        const rlimit no_core{0, 0};
        ::setrlimit(RLIMIT_CORE, &no_core);  // no core file left behind
        std::abort();
      }
      std::printf("ran without aborting\n");
      return {};
    },
    .down = [](auric::Context&) -> auric::Json { return {}; },
});
