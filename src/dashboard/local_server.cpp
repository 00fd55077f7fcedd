#include "dashboard/local_server.hpp"

#include <sys/socket.h>

#include <httplib.h>

#include <chrono>
#include <optional>
#include <stdexcept>
#include <thread>
#include <utility>

#include "dashboard/local_site.hpp"

namespace auric::dashboard {
namespace {

Request to_request(const httplib::Request& in) {
  Request r;
  r.method = in.method;
  // The raw target keeps percent-escapes (httplib's `path` is already decoded, which would
  // let an encoded '/' in an id split the route).
  const std::string& target = in.target.empty() ? in.path : in.target;
  const auto q = target.find('?');
  r.path = target.substr(0, q);
  if (q != std::string::npos) r.query = target.substr(q + 1);
  for (const auto& [name, value] : in.headers) r.headers.emplace(name, value);  // first one wins
  r.body = in.body;
  return r;
}

// Moves the body: list answers are tens of KB, and copying them again costs as much as the
// rest of a cached answer's user-space work.
void to_response(Response&& in, httplib::Response& out) {
  out.status = in.status;
  for (const auto& [name, value] : in.headers) out.set_header(name, value);
  out.body = std::move(in.body);
}

}  // namespace

std::string loopback_bind_address(const std::string& host) {
  if (host == "127.0.0.1" || host == "localhost") return "127.0.0.1";
  if (host == "::1" || host == "[::1]") return "::1";
  throw std::invalid_argument("--host must be a loopback address (127.0.0.1, ::1 or localhost), got '" +
                              host +
                              "': the dashboard can start runs, so it never listens on other interfaces");
}

struct LocalServer::Impl {
  DashboardBackend& backend;
  LocalServerOptions options;
  std::string bind_address;
  httplib::Server server;
  std::optional<LocalSite> site;
  std::thread listener;
  int port = 0;
  int listen_fd = -1;

  Impl(DashboardBackend& b, LocalServerOptions o) : backend(b), options(std::move(o)) {}
};

LocalServer::LocalServer(DashboardBackend& backend, LocalServerOptions options)
    : impl_(std::make_unique<Impl>(backend, std::move(options))) {
  impl_->bind_address = loopback_bind_address(impl_->options.host);
  if (impl_->options.port < 0 || impl_->options.port > 65535) {
    throw std::invalid_argument("--port must be from 0 to 65535 (0 picks a free port)");
  }
  if (impl_->options.token.empty()) impl_->options.token = new_page_token();
  if (!impl_->options.router.cache) impl_->options.router.cache = std::make_shared<ResponseCache>();
}

LocalServer::~LocalServer() {
  stop();
}

void LocalServer::start() {
  Impl& im = *impl_;
  auto& server = im.server;
  const int threads = std::max(1, im.options.threads);
  server.new_task_queue = [threads] { return new httplib::ThreadPool(static_cast<std::size_t>(threads)); };
  // SO_REUSEADDR only: httplib's default adds SO_REUSEPORT, which would let a second server
  // (or another program of this user) bind the same port and take half the requests.
  server.set_socket_options([&im](int sock) {
    int yes = 1;
    ::setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
    im.listen_fd = sock;
  });
  server.set_tcp_nodelay(true);
  server.set_payload_max_length(kMaxBodyBytes);
  // Connections are kept for many requests: httplib listens with a backlog of only 5, so
  // reconnect bursts (its default closes every 5 requests) overflow it and stall clients for
  // a 1 s SYN retransmission.
  server.set_keep_alive_max_count(1000);
  server.set_keep_alive_timeout(2);
  server.set_read_timeout(10, 0);

  if (im.options.port == 0) {
    im.port = server.bind_to_any_port(im.bind_address);
    if (im.port <= 0) throw std::runtime_error("cannot listen on " + im.bind_address + " (no free port)");
  } else {
    if (!server.bind_to_port(im.bind_address, im.options.port)) {
      throw std::runtime_error("cannot listen on " + im.bind_address + ":" + std::to_string(im.options.port) +
                               " (is another dashboard running? pick another --port, or --port 0)");
    }
    im.port = im.options.port;
  }
  // httplib listens with a backlog of 5: a browser opening its 6 connections at once (or a
  // few clients) overflows it and waits out a 1 s SYN retransmission. listen() again on the
  // same socket only raises the backlog.
  if (im.listen_fd >= 0) ::listen(im.listen_fd, SOMAXCONN);
  im.site.emplace(im.backend, LocalSiteOptions{im.bind_address, im.port, im.options.token, im.options.files,
                                               im.options.router});

  const LocalSite* site = &*im.site;
  auto handler = [site](const httplib::Request& req, httplib::Response& res) {
    // No response compression: httplib would brotli-encode at quality 11 whenever the client
    // accepts br (about 1.2 s of CPU for the UI's JavaScript, 1.5 ms per API answer), and on
    // loopback it saves nothing. httplib owns `req` as a non-const object and reads this
    // header only after the handler returns, to pick the encoding.
    const_cast<httplib::Request&>(req).headers.erase("Accept-Encoding");
    to_response(site->handle(to_request(req)), res);
  };
  // Every method and path goes through LocalSite ("[\s\S]*": a decoded path may hold a newline).
  const std::string any = R"([\s\S]*)";
  server.Get(any, handler);
  server.Post(any, handler);
  server.Put(any, handler);
  server.Patch(any, handler);
  server.Delete(any, handler);
  server.Options(any, handler);
  // Statuses httplib answers by itself (413 over the body limit, 400 malformed requests): JSON.
  server.set_error_handler(
      httplib::Server::HandlerWithResponse([](const httplib::Request&, httplib::Response& res) {
        if (!res.body.empty()) return httplib::Server::HandlerResponse::Unhandled;
        const std::string message = res.status == 413   ? "Request body too large"
                                    : res.status == 404 ? "Not found"
                                                        : "Bad request";
        to_response(Response::error(res.status, message), res);
        return httplib::Server::HandlerResponse::Handled;
      }));
  server.set_exception_handler(
      [](const httplib::Request&, httplib::Response& res, const std::exception_ptr&) {
        to_response(Response::error(500, "Internal server error"), res);
      });
  im.listener = std::thread([&server] { server.listen_after_bind(); });
  // stop() only works once the loop runs: wait for it, so a stop right after start is safe.
  for (int i = 0; i < 5000 && !server.is_running(); ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
}

void LocalServer::stop() {
  if (!impl_) return;
  impl_->server.stop();
  if (impl_->listener.joinable()) impl_->listener.join();
}

int LocalServer::port() const {
  return impl_->port;
}

std::string LocalServer::url() const {
  const std::string host = impl_->bind_address == "::1" ? "[::1]" : impl_->bind_address;
  return "http://" + host + ":" + std::to_string(impl_->port) + "/";
}

const std::string& LocalServer::token() const {
  return impl_->options.token;
}

}  // namespace auric::dashboard
