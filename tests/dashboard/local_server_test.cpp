// The local server over real loopback HTTP on an ephemeral port, with the embedded UI: the
// DNS-rebinding Host check, the page token, Origin and Content-Type checks, traversal, the SPA
// fallback, runs in the background, and concurrent requests.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <httplib.h>

#include <regex>
#include <thread>

#include <gtest/gtest.h>

#include "dashboard/local_server.hpp"
#include "dashboard/local_site.hpp"
#include "fixture.hpp"

namespace auric::dashboard::testing {
namespace {

class LocalServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    LocalServerOptions options;
    options.port = 0;
    options.router.log = [](std::string_view) {};
    server_ = std::make_unique<LocalServer>(*h_.backend, options);
    server_->start();
    port_ = server_->port();
    host_ = "127.0.0.1:" + std::to_string(port_);
  }
  void TearDown() override {
    h_.switches->gate.open();
    server_->stop();
  }

  httplib::Client client() {
    httplib::Client c("127.0.0.1", port_);
    c.set_url_encode(false);
    c.set_read_timeout(30, 0);
    return c;
  }

  httplib::Headers post_headers() const {
    return {{"X-Auric-Token", server_->token()}, {"Origin", "http://" + host_}};
  }

  httplib::Result post(const std::string& path, const std::string& body) {
    auto c = client();
    return c.Post(path.c_str(), post_headers(), body, "application/json");
  }

  // A raw request line, for paths an HTTP client would normalise. Returns the status code.
  int raw_status(const std::string& target) {
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<std::uint16_t>(port_));
    ::inet_pton(AF_INET, "127.0.0.1", &addr.sin_addr);
    if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
      ::close(fd);
      return -1;
    }
    const std::string request =
        "GET " + target + " HTTP/1.1\r\nHost: " + host_ + "\r\nConnection: close\r\n\r\n";
    (void)::write(fd, request.data(), request.size());
    std::string response;
    char buf[4096];
    for (ssize_t n; (n = ::read(fd, buf, sizeof buf)) > 0;) response.append(buf, static_cast<std::size_t>(n));
    ::close(fd);
    last_raw_body_ = response.substr(std::min(response.size(), response.find("\r\n\r\n") + 4));
    if (response.size() < 12) return -1;
    return std::stoi(response.substr(9, 3));
  }

  Harness h_;
  std::unique_ptr<LocalServer> server_;
  int port_ = 0;
  std::string host_;
  std::string last_raw_body_;
};

TEST_F(LocalServerTest, ServesTheUiWithTheTokenSubstituted) {
  auto c = client();
  auto r = c.Get("/");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->get_header_value("Content-Type"), "text/html; charset=utf-8");
  EXPECT_EQ(r->get_header_value("Cache-Control"), "no-store");
  EXPECT_EQ(server_->token().size(), 64u);
  EXPECT_NE(r->body.find("<meta name=\"auric-token\" content=\"" + server_->token() + "\""),
            std::string::npos);
  EXPECT_EQ(r->body.find("__AURIC_TOKEN__"), std::string::npos);
  EXPECT_NE(r->get_header_value("Content-Security-Policy").find("default-src 'self'"), std::string::npos);
  EXPECT_EQ(r->get_header_value("X-Content-Type-Options"), "nosniff");
  EXPECT_EQ(r->get_header_value("X-Frame-Options"), "DENY");
  EXPECT_EQ(server_->url(), "http://" + host_ + "/");

  // The assets index.html names are served, immutable.
  std::smatch m;
  ASSERT_TRUE(std::regex_search(r->body, m, std::regex(R"(src="(/assets/[^"]+\.js)\")")));
  auto js = c.Get(m[1].str().c_str());
  ASSERT_TRUE(js);
  EXPECT_EQ(js->status, 200);
  EXPECT_EQ(js->get_header_value("Content-Type"), "text/javascript; charset=utf-8");
  EXPECT_EQ(js->get_header_value("Cache-Control"), "public, max-age=31536000, immutable");
  EXPECT_GT(js->body.size(), 10'000u);
  auto missing = c.Get("/assets/missing-1234.js");
  ASSERT_TRUE(missing);
  EXPECT_EQ(missing->status, 404);
  EXPECT_EQ(Json::parse(missing->body), Json({{"error", "Not found"}}));
}

TEST_F(LocalServerTest, DeepLinksFallBackToTheApp) {
  auto c = client();
  for (const std::string& path : std::vector<std::string>{"/migrations", "/migrations/" + kIds[0],
                                                          "/executions/abc?x=1", "/index.html"}) {
    auto r = c.Get(path.c_str());
    ASSERT_TRUE(r) << path;
    EXPECT_EQ(r->status, 200) << path;
    EXPECT_EQ(r->get_header_value("Cache-Control"), "no-store") << path;
    EXPECT_NE(r->body.find(server_->token()), std::string::npos) << path;
  }
}

TEST_F(LocalServerTest, ForeignHostIsRejectedEverywhere) {
  auto c = client();
  for (const char* path : {"/", "/api/migrations", "/migrations", "/api/lock"}) {
    auto r = c.Get(path, httplib::Headers{{"Host", "evil.example:" + std::to_string(port_)}});
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 403) << path;
    EXPECT_EQ(Json::parse(r->body), Json({{"error", "Forbidden: unexpected Host header"}}));
    EXPECT_EQ(r->body.find(server_->token()), std::string::npos);
  }
  auto wrong_port = c.Get("/api/migrations", httplib::Headers{{"Host", "127.0.0.1:1"}});
  EXPECT_EQ(wrong_port->status, 403);
  auto localhost = c.Get("/api/migrations", httplib::Headers{{"Host", "localhost:" + std::to_string(port_)}});
  EXPECT_EQ(localhost->status, 200);
  // A rebinding attacker's POST carries its own Host too.
  auto post = c.Post("/api/migrate",
                     httplib::Headers{{"Host", "evil.example:" + std::to_string(port_)},
                                      {"X-Auric-Token", server_->token()}},
                     "{}", "application/json");
  EXPECT_EQ(post->status, 403);
  EXPECT_EQ(h_.store->list_states().size(), 0u);
}

TEST_F(LocalServerTest, PostsNeedTheTokenJsonAndASameOrigin) {
  auto c = client();
  const std::string origin = "http://" + host_;
  auto no_token = c.Post("/api/rollback", httplib::Headers{{"Origin", origin}}, "{}", "application/json");
  EXPECT_EQ(no_token->status, 403);
  EXPECT_EQ(Json::parse(no_token->body), Json({{"error", "Forbidden: missing or invalid dashboard token"}}));
  auto wrong = c.Post("/api/rollback", httplib::Headers{{"X-Auric-Token", std::string(64, '0')}}, "{}",
                      "application/json");
  EXPECT_EQ(wrong->status, 403);
  auto foreign =
      c.Post("/api/rollback",
             httplib::Headers{{"X-Auric-Token", server_->token()}, {"Origin", "https://evil.example"}}, "{}",
             "application/json");
  EXPECT_EQ(foreign->status, 403);
  EXPECT_EQ(Json::parse(foreign->body), Json({{"error", "Forbidden: cross-origin request"}}));
  auto null_origin =
      c.Post("/api/rollback", httplib::Headers{{"X-Auric-Token", server_->token()}, {"Origin", "null"}}, "{}",
             "application/json");
  EXPECT_EQ(null_origin->status, 403);
  // A cross-site "simple" request: text/plain, no token.
  auto simple =
      c.Post("/api/rollback", httplib::Headers{{"Origin", "https://evil.example"}}, "{}", "text/plain");
  EXPECT_EQ(simple->status, 403);
  auto text = c.Post("/api/rollback", post_headers(), "{}", "text/plain");
  EXPECT_EQ(text->status, 415);
  EXPECT_EQ(Json::parse(text->body), Json({{"error", "Content-Type must be application/json"}}));
  auto form = c.Post("/api/rollback", post_headers(), "a=b", "application/x-www-form-urlencoded");
  EXPECT_EQ(form->status, 415);
  EXPECT_EQ(h_.get_json("/api/executions"), Json::array()) << "nothing ran";

  auto ok = c.Post("/api/migrate", post_headers(), R"({"steps":1})", "application/json; charset=utf-8");
  ASSERT_EQ(ok->status, 200) << ok->body;
  auto no_origin = c.Post("/api/migrate", httplib::Headers{{"X-Auric-Token", server_->token()}},
                          R"({"steps":1})", "application/json");
  EXPECT_TRUE(no_origin->status == 200 || no_origin->status == 409)
      << "an absent Origin is fine: " << no_origin->status;
  ASSERT_TRUE(h_.backend->wait_idle(std::chrono::seconds(30)));
}

TEST_F(LocalServerTest, NeverSendsCorsHeaders) {
  auto c = client();
  auto options = c.Options("/api/migrate", httplib::Headers{{"Origin", "https://evil.example"},
                                                            {"Access-Control-Request-Method", "POST"}});
  ASSERT_TRUE(options);
  EXPECT_EQ(options->status, 404);
  EXPECT_FALSE(options->has_header("Access-Control-Allow-Origin"));
  for (const char* path : {"/", "/api/migrations", "/api/lock", "/nope"}) {
    auto r = c.Get(path, httplib::Headers{{"Origin", "https://evil.example"}});
    ASSERT_TRUE(r);
    EXPECT_FALSE(r->has_header("Access-Control-Allow-Origin")) << path;
  }
  auto post =
      c.Post("/api/migrate", httplib::Headers{{"Origin", "https://evil.example"}}, "{}", "application/json");
  EXPECT_FALSE(post->has_header("Access-Control-Allow-Origin"));
}

TEST_F(LocalServerTest, TraversalIsRefused) {
  for (const std::string target :
       {"/../../../../etc/passwd", "/assets/../../etc/passwd", "/%2e%2e/%2e%2e/etc/passwd",
        "/%2E%2E%2F%2E%2E%2Fetc%2Fpasswd", "/assets/..%2f..%2fCMakeLists.txt", "/assets/%2e%2e/index.html",
        "/./index.html", "/a%00b", "/..\\..\\etc\\passwd", "/%5c..%5cetc"}) {
    const int status = raw_status(target);
    EXPECT_TRUE(status == 400 || status == 404) << target << " -> " << status;
    EXPECT_EQ(last_raw_body_.find("root:"), std::string::npos) << target;
    EXPECT_EQ(last_raw_body_.find(server_->token()), std::string::npos) << target << ": not even the app";
  }
  // Double-encoding is decoded once only: a literal file name that does not exist, not a
  // traversal (the app is served as for any unknown page).
  EXPECT_EQ(raw_status("/%252e%252e/%252e%252e/etc/passwd"), 200);
  EXPECT_EQ(last_raw_body_.find("root:"), std::string::npos);
}

TEST_F(LocalServerTest, OversizedBodiesAre413) {
  auto r = post("/api/migrate", std::string(kMaxBodyBytes + 10, ' '));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 413);
  EXPECT_EQ(Json::parse(r->body), Json({{"error", "Request body too large"}}));
}

TEST_F(LocalServerTest, MigrateRunsInTheBackgroundAndTheLockShowsIt) {
  h_.switches->gate.close();
  auto started = post("/api/migrate", "{}");
  ASSERT_TRUE(started);
  ASSERT_EQ(started->status, 200) << started->body;
  const std::string execution = Json::parse(started->body)["executionId"];
  ASSERT_TRUE(h_.switches->gate.wait_entered());

  // The server keeps answering while the migration is held mid-run.
  auto c = client();
  auto lock = c.Get("/api/lock");
  ASSERT_TRUE(lock);
  const Json view = Json::parse(lock->body);
  EXPECT_EQ(view["held"], true);
  EXPECT_EQ(view["executionId"], execution);
  EXPECT_EQ(view["current"]["migrationId"], kIds[2]);
  EXPECT_NE(view["current"]["output"].get<std::string>().find("backfill: step 1"), std::string::npos);
  auto busy = post("/api/rollback", R"({"steps":1})");
  EXPECT_EQ(busy->status, 409);
  EXPECT_EQ(Json::parse(busy->body)["holder"]["executionId"], execution);

  h_.switches->gate.open();
  ASSERT_TRUE(h_.backend->wait_idle(std::chrono::seconds(30)));
  EXPECT_EQ(Json::parse(c.Get("/api/lock")->body), Json({{"held", false}}));
  auto summary = Json::parse(c.Get(("/api/executions/" + execution + "/summary").c_str())->body);
  EXPECT_EQ(summary["status"], "completed");
  EXPECT_EQ(summary["migrationCount"], 4);

  // And a rollback of one named migration rolls back exactly the plan.
  const Json plan = Json::parse(c.Get(("/api/plan?direction=down&target=" + kIds[2]).c_str())->body);
  EXPECT_EQ(plan["migrations"], Json({kIds[3], kIds[2]}));
  auto rollback = post("/api/rollback", Json{{"target", kIds[2]}}.dump());
  ASSERT_EQ(rollback->status, 200) << rollback->body;
  ASSERT_TRUE(h_.backend->wait_idle(std::chrono::seconds(30)));
  const Json status = Json::parse(c.Get("/api/status")->body);
  EXPECT_EQ(status["completed"], Json({kIds[0], kIds[1]}));
  EXPECT_EQ(status["pending"], Json({kIds[2], kIds[3]}));
}

TEST_F(LocalServerTest, AnswersConcurrentRequests) {
  std::atomic<int> ok{0}, failed{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&, t] {
      auto c = client();
      for (int i = 0; i < 25; ++i) {
        const char* path = (i + t) % 3 == 0 ? "/api/migrations" : (i + t) % 3 == 1 ? "/api/executions" : "/";
        auto r = c.Get(path);
        if (r && r->status == 200)
          ++ok;
        else
          ++failed;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(ok, 200);
  EXPECT_EQ(failed, 0);
}

TEST(LocalServerOptionsTest, OnlyLoopbackHostsAreAccepted) {
  EXPECT_EQ(loopback_bind_address("127.0.0.1"), "127.0.0.1");
  EXPECT_EQ(loopback_bind_address("localhost"), "127.0.0.1");
  EXPECT_EQ(loopback_bind_address("::1"), "::1");
  for (const char* host : {"0.0.0.0", "::", "192.168.1.10", "example.com", "127.0.0.2", ""}) {
    EXPECT_THROW(loopback_bind_address(host), std::invalid_argument) << host;
  }
  Harness h;
  LocalServerOptions options;
  options.host = "0.0.0.0";
  EXPECT_THROW(LocalServer(*h.backend, options), std::invalid_argument);
  options.host = "127.0.0.1";
  options.port = 70000;
  EXPECT_THROW(LocalServer(*h.backend, options), std::invalid_argument);
}

TEST(LocalServerOptionsTest, APortInUseIsAClearError) {
  Harness h;
  LocalServerOptions options;
  options.port = 0;
  LocalServer first(*h.backend, options);
  first.start();
  options.port = first.port();
  LocalServer second(*h.backend, options);
  try {
    second.start();
    FAIL() << "bound a port that is in use";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find(std::to_string(first.port())), std::string::npos) << e.what();
  }
}

TEST(LocalSiteTest, RejectsAnIndexWithoutExactlyOnePlaceholder) {
  Harness h;
  const EmbeddedFile none[] = {{"/index.html", "<html></html>"}};
  EXPECT_THROW(LocalSite(*h.backend, LocalSiteOptions{"127.0.0.1", 1, "t", none, {}}), std::invalid_argument);
  const EmbeddedFile twice[] = {{"/index.html", "__AURIC_TOKEN__ __AURIC_TOKEN__"}};
  EXPECT_THROW(LocalSite(*h.backend, LocalSiteOptions{"127.0.0.1", 1, "t", twice, {}}),
               std::invalid_argument);
  const EmbeddedFile once[] = {{"/index.html", "<meta content=\"__AURIC_TOKEN__\">"}};
  LocalSite site(*h.backend, LocalSiteOptions{"::1", 8080, "tok", once, {}});
  EXPECT_EQ(site.allowed_hosts(), (std::vector<std::string>{"[::1]:8080", "localhost:8080"}));
  Request r = make_request("GET", "/deep/link");
  r.headers["Host"] = "[::1]:8080";
  EXPECT_EQ(site.handle(r).body, "<meta content=\"tok\">");
}

TEST(LocalSiteTest, EmbeddedUiIsComplete) {
  const auto files = embedded_ui_files();
  ASSERT_FALSE(files.empty());
  bool index = false, js = false, css = false;
  for (const auto& f : files) {
    index = index || f.path == "/index.html";
    js = js || (f.path.substr(0, 8) == "/assets/" && f.path.size() > 3 &&
                f.path.substr(f.path.size() - 3) == ".js");
    css = css || (f.path.size() > 4 && f.path.substr(f.path.size() - 4) == ".css");
    EXPECT_FALSE(f.data.empty()) << f.path;
  }
  EXPECT_TRUE(index && js && css);
}

}  // namespace
}  // namespace auric::dashboard::testing
