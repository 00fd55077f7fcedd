// LocalServer: the `<binary> dashboard` HTTP server. cpp-httplib on a loopback address, every
// request handed to LocalSite (security checks, embedded UI, the API router). The listener
// runs on its own thread with a worker pool; start() returns once it is bound. List answers
// of the API are cached between store writes (ResponseCache).
// start()/stop() must be called from one thread; the accessors are safe from any thread
// after start().
#pragma once

#include <memory>
#include <span>
#include <string>

#include "dashboard/assets.hpp"
#include "dashboard/backend.hpp"
#include "dashboard/router.hpp"

namespace auric::dashboard {

struct LocalServerOptions {
  std::string host = "127.0.0.1";  // a loopback address: 127.0.0.1, ::1 or localhost
  int port = 3100;                 // 0 picks a free port
  std::string token;               // empty: a fresh new_page_token()
  std::span<const EmbeddedFile> files = embedded_ui_files();
  RouterOptions router;  // a ResponseCache is added when none is given
  // Workers. cpp-httplib gives each keep-alive connection a worker until it closes, so this
  // is also how many connections are served at once; more wait for a free worker. A browser
  // opens up to 6 per host; 64 also covers load tools (wrk -c32) and several tabs.
  int threads = 64;
};

// The address to bind for a --host value: "127.0.0.1" for 127.0.0.1 and localhost, "::1" for
// ::1 (or [::1]). Throws std::invalid_argument for anything else: the dashboard never listens
// beyond loopback.
std::string loopback_bind_address(const std::string& host);

class LocalServer {
 public:
  // Throws std::invalid_argument for a non-loopback host or a port outside 0..65535.
  LocalServer(DashboardBackend& backend, LocalServerOptions options);
  ~LocalServer();  // stop()
  LocalServer(const LocalServer&) = delete;
  LocalServer& operator=(const LocalServer&) = delete;

  // Binds and starts serving. Throws std::runtime_error when the address cannot be bound
  // (e.g. the port is in use).
  void start();
  // Stops accepting, finishes requests in flight and joins the listener. Idempotent.
  void stop();

  int port() const;         // the bound port
  std::string url() const;  // "http://127.0.0.1:<port>/" (or "http://[::1]:<port>/")
  const std::string& token() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace auric::dashboard
