#include "test_http_server.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstring>
#include <stdexcept>

#include "aws/encoding.hpp"

namespace auric::aws::testing {
namespace {

std::optional<std::string> find_param(std::string_view text, std::string_view name) {
  std::size_t start = 0;
  while (start <= text.size() && !text.empty()) {
    const auto amp = text.find('&', start);
    std::string_view piece =
        text.substr(start, amp == std::string_view::npos ? std::string_view::npos : amp - start);
    const auto eq = piece.find('=');
    std::string key = uri_decode(piece.substr(0, eq));
    if (key == name) {
      std::string value(eq == std::string_view::npos ? std::string_view{} : piece.substr(eq + 1));
      for (char& c : value) {
        if (c == '+') c = ' ';
      }
      return uri_decode(value);
    }
    if (amp == std::string_view::npos) break;
    start = amp + 1;
  }
  return std::nullopt;
}

bool write_all(int fd, std::string_view data) {
  while (!data.empty()) {
    const ssize_t n = ::send(fd, data.data(), data.size(), MSG_NOSIGNAL);
    if (n <= 0) return false;
    data.remove_prefix(static_cast<std::size_t>(n));
  }
  return true;
}

const char* reason(int status) {
  switch (status) {
    case 200: return "OK";
    case 202: return "Accepted";
    case 204: return "No Content";
    case 400: return "Bad Request";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 500: return "Internal Server Error";
    case 503: return "Service Unavailable";
    default: return "Status";
  }
}

}  // namespace

std::optional<std::string> TestRequest::query_param(std::string_view name) const {
  return find_param(query, name);
}

std::optional<std::string> TestRequest::form_param(std::string_view name) const {
  return find_param(body, name);
}

TestResponse TestResponse::text(int status, std::string body, std::string content_type) {
  TestResponse r;
  r.status = status;
  r.body = std::move(body);
  r.headers.add("Content-Type", std::move(content_type));
  return r;
}

TestResponse TestResponse::json(int status, std::string body) {
  return text(status, std::move(body), "application/json");
}

TestResponse TestResponse::xml(int status, std::string body) {
  return text(status, std::move(body), "text/xml");
}

TestResponse TestResponse::reset() {
  TestResponse r;
  r.action = Action::kReset;
  return r;
}

TestHttpServer::TestHttpServer(TestHandler handler) : handler_(std::move(handler)) {
  listen_fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (listen_fd_ < 0) throw std::runtime_error("test server: socket() failed");
  int one = 1;
  ::setsockopt(listen_fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  if (::bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
      ::listen(listen_fd_, 128) != 0) {
    ::close(listen_fd_);
    throw std::runtime_error(std::string("test server: bind/listen failed: ") + std::strerror(errno));
  }
  socklen_t len = sizeof addr;
  ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&addr), &len);
  port_ = ntohs(addr.sin_port);
  acceptor_ = std::thread([this] { accept_loop(); });
}

TestHttpServer::~TestHttpServer() {
  stop();
}

std::string TestHttpServer::url() const {
  return "http://127.0.0.1:" + std::to_string(port_);
}

void TestHttpServer::stop() {
  if (stopping_.exchange(true)) return;
  if (acceptor_.joinable()) acceptor_.join();
  ::close(listen_fd_);
  std::list<std::thread> workers;
  {
    std::lock_guard lock(mu_);
    workers.swap(workers_);
  }
  for (auto& t : workers) t.join();
}

void TestHttpServer::accept_loop() {
  while (!stopping_) {
    pollfd p{listen_fd_, POLLIN, 0};
    if (::poll(&p, 1, 50) <= 0) continue;
    const int fd = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
    if (fd < 0) continue;
    int one = 1;
    ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    ++connections_;
    std::lock_guard lock(mu_);
    workers_.emplace_back([this, fd] { serve(fd); });
  }
}

void TestHttpServer::serve(int fd) {
  std::string buffer;
  auto read_more = [&]() -> bool {
    for (;;) {
      if (stopping_) return false;
      pollfd p{fd, POLLIN, 0};
      const int ready = ::poll(&p, 1, 50);
      if (ready == 0) continue;
      if (ready < 0) return false;
      char chunk[16384];
      const ssize_t n = ::recv(fd, chunk, sizeof chunk, 0);
      if (n <= 0) return false;
      buffer.append(chunk, static_cast<std::size_t>(n));
      return true;
    }
  };
  bool open = true;
  while (open && !stopping_) {
    std::size_t header_end;
    while ((header_end = buffer.find("\r\n\r\n")) == std::string::npos) {
      if (!read_more()) {
        ::close(fd);
        return;
      }
    }
    TestRequest request;
    std::string_view head(buffer.data(), header_end);
    const auto line_end = head.find("\r\n");
    std::string_view request_line = head.substr(0, line_end);
    const auto sp1 = request_line.find(' ');
    const auto sp2 = request_line.rfind(' ');
    request.method = std::string(request_line.substr(0, sp1));
    request.target = std::string(request_line.substr(sp1 + 1, sp2 - sp1 - 1));
    const auto q = request.target.find('?');
    request.path = uri_decode(request.target.substr(0, q));
    if (q != std::string::npos) request.query = request.target.substr(q + 1);
    std::size_t pos = line_end == std::string_view::npos ? head.size() : line_end + 2;
    while (pos < head.size()) {
      auto next = head.find("\r\n", pos);
      if (next == std::string_view::npos) next = head.size();
      std::string_view line = head.substr(pos, next - pos);
      const auto colon = line.find(':');
      if (colon != std::string_view::npos) {
        request.headers.add(std::string(line.substr(0, colon)), std::string(trim(line.substr(colon + 1))));
      }
      pos = next + 2;
    }
    std::size_t content_length = 0;
    if (auto cl = request.headers.get("content-length")) content_length = std::stoul(*cl);
    const std::size_t total = header_end + 4 + content_length;
    while (buffer.size() < total) {
      if (!read_more()) {
        ::close(fd);
        return;
      }
    }
    request.body = buffer.substr(header_end + 4, content_length);
    buffer.erase(0, total);
    ++requests_;

    TestResponse response;
    try {
      response = handler_(request);
    } catch (const std::exception& e) {
      response = TestResponse::text(500, std::string("handler threw: ") + e.what());
    }
    if (response.delay.count() > 0) std::this_thread::sleep_for(response.delay);
    if (response.action == TestResponse::Action::kReset) {
      linger l{1, 0};  // close with RST
      ::setsockopt(fd, SOL_SOCKET, SO_LINGER, &l, sizeof l);
      ::close(fd);
      return;
    }
    if (response.action == TestResponse::Action::kCloseWithoutResponse) {
      ::close(fd);
      return;
    }
    const bool close_after = iequals(request.headers.get("connection").value_or(""), "close");
    std::string out = "HTTP/1.1 " + std::to_string(response.status) + " " + reason(response.status) + "\r\n";
    for (const auto& [k, v] : response.headers.entries()) {
      if (iequals(k, "content-length") || iequals(k, "transfer-encoding") || iequals(k, "connection"))
        continue;
      out += k + ": " + v + "\r\n";
    }
    out += "Content-Length: " + std::to_string(response.body.size()) + "\r\n";
    if (close_after) out += "Connection: close\r\n";
    out += "\r\n";
    if (response.truncate_body_at) {
      out += response.body.substr(0, *response.truncate_body_at);
      write_all(fd, out);
      break;
    }
    if (request.method != "HEAD") out += response.body;
    if (!write_all(fd, out) || close_after) open = false;
  }
  ::close(fd);
}

}  // namespace auric::aws::testing
