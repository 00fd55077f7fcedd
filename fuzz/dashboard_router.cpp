// The dashboard API router, fed raw request parts: the input is
// "METHOD\nPATH\nQUERY\nBODY" (PATH and QUERY still percent-encoded; BODY is the rest). The same
// request is answered by handle() directly and by the API Gateway adapter (with the right bearer
// secret and origin). Both are documented never to throw, and no request may produce a 5xx on
// the memory store: either is a crash.
#include <cstddef>
#include <cstdint>
#include <string>

#include "dashboard_fixture.hpp"
#include "fuzz_support.hpp"

namespace dashboard = auric::dashboard;
using auric::fuzz::check;
using auric::fuzz::DashboardFixture;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto parts = auric::fuzz::split(auric::fuzz::as_text(data, size), '\n', 4);
  dashboard::Request request;
  request.method = std::string(parts[0]);
  request.path = std::string(parts[1]);
  request.query = std::string(parts[2]);
  request.body = std::string(parts[3]);
  if (request.method == "POST") request.headers["Content-Type"] = "application/json";

  DashboardFixture fixture;
  const dashboard::Response direct = dashboard::handle(request, *fixture.backend, fixture.router);
  check(direct.status < 500, "router answered a 5xx", fixture.log + direct.body);
  fixture.backend->wait_idle(std::chrono::seconds(30));

  auric::Json event = {
      {"version", "2.0"},
      {"rawPath", request.path},
      {"rawQueryString", request.query},
      {"headers",
       {{"authorization", std::string("Bearer ") + DashboardFixture::kSecret},
        {"origin", DashboardFixture::kOrigin},
        {"content-type", "application/json"}}},
      {"requestContext", {{"http", {{"method", request.method}, {"path", request.path}}}}},
      {"body", request.body},
      {"isBase64Encoded", false},
  };
  const auric::Json result = dashboard::handle_apigw_event(event, *fixture.backend, fixture.apigw);
  check(result.at("statusCode").get<int>() < 500, "API Gateway adapter answered a 5xx",
        fixture.log + result.at("body").get<std::string>());
  return 0;
}
