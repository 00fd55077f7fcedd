// The dashboard API behind API Gateway: the input is a whole HTTP API v2 event (JSON), answered
// by handle_apigw_event (bearer secret and CORS origin configured) and serialised as the
// `dashboard-api` Lambda mode does. Documented never to throw (a malformed event is a 400), and
// no event may produce a 5xx on the memory store.
#include <cstddef>
#include <cstdint>
#include <string>

#include "dashboard_fixture.hpp"
#include "fuzz_support.hpp"

namespace dashboard = auric::dashboard;
using auric::fuzz::check;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  // Lambda hands the function a JSON payload: anything else never reaches the adapter.
  const auto event =
      auric::Json::parse(auric::fuzz::as_text(data, size), nullptr, /*allow_exceptions=*/false);
  if (event.is_discarded()) return 0;

  auric::fuzz::DashboardFixture fixture;
  const auric::Json result = dashboard::handle_apigw_event(event, *fixture.backend, fixture.apigw);
  const int status = result.at("statusCode").get<int>();
  check(status < 500, "API Gateway adapter answered a 5xx",
        fixture.log + result.at("body").get<std::string>());
  (void)result.dump();  // as src/tools/dashboard_api_lambda.cpp answers the Runtime API
  return 0;
}
