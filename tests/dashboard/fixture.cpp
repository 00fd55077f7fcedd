#include "fixture.hpp"

#include <stdexcept>
#include <thread>

#include "store/open_store.hpp"

namespace auric::dashboard::testing {

std::vector<MigrationEntry> test_migrations(std::shared_ptr<Switches> s) {
  return define_migrations({
      {kIds[0], Migration{.description = "## Users\n\nCreates the **users** table.",
                          .up = [s](Context& ctx) -> Json {
                            ctx.log("created users");
                            if (s->big_output) {
                              for (int i = 0; i < 3000; ++i) ctx.log("row", i, std::string(100, 'x'));
                            }
                            return {{"rowsAffected", 42}};
                          },
                          .down = [](Context&) -> Json { return {}; }}},
      {kIds[1],
       Migration{.up = [](Context&) -> Json { return {}; }, .down = [](Context&) -> Json { return {}; }}},
      {kIds[2], Migration{.description = "Backfills totals.",
                          .up = [s](Context& ctx) -> Json {
                            ctx.log("backfill: step 1");
                            s->gate.pass();
                            ctx.log("backfill: step 2");
                            if (s->fail_up) throw std::runtime_error("backfill exploded");
                            return {};
                          },
                          .down = [s](Context& ctx) -> Json {
                            ctx.log("reverting backfill");
                            s->gate.pass();
                            if (s->fail_down) throw std::runtime_error("cannot revert backfill");
                            return {};
                          }}},
      {kIds[3],
       Migration{.up = [](Context&) -> Json { return {}; }, .down = [](Context&) -> Json { return {}; }}},
  });
}

Request make_request(const std::string& method, const std::string& path_and_query, const std::string& body) {
  Request r;
  r.method = method;
  const auto q = path_and_query.find('?');
  r.path = path_and_query.substr(0, q);
  if (q != std::string::npos) r.query = path_and_query.substr(q + 1);
  r.body = body;
  if (method == "POST") r.headers["Content-Type"] = "application/json";
  return r;
}

Harness::Harness() : store(open_store("memory:")) {
  RunnerOptions runner_options;
  runner_options.heartbeat = std::chrono::milliseconds(200);
  backend = std::make_unique<LocalBackend>(test_migrations(switches), *store, runner_options);
  options.cache = std::make_shared<ResponseCache>();
}

Harness::~Harness() {
  switches->gate.open();
  backend.reset();
}

Response Harness::get(const std::string& path_and_query) {
  return handle(make_request("GET", path_and_query), *backend, options);
}

Response Harness::post(const std::string& path, const std::string& body) {
  return handle(make_request("POST", path, body), *backend, options);
}

Json Harness::get_json(const std::string& path_and_query) {
  Response r = get(path_and_query);
  EXPECT_EQ(r.status, 200) << path_and_query << ": " << r.body;
  return Json::parse(r.body);
}

Response Harness::run_and_wait(const std::string& path, const std::string& body) {
  Response r = post(path, body);
  EXPECT_TRUE(backend->wait_idle(std::chrono::seconds(30)));
  // Lists order by start time (then id): keep consecutive runs in distinct milliseconds.
  std::this_thread::sleep_for(std::chrono::milliseconds(3));
  return r;
}

}  // namespace auric::dashboard::testing
