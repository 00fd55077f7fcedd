#include "dashboard/local_site.hpp"

#include <algorithm>
#include <cctype>
#include <fstream>
#include <stdexcept>

namespace auric::dashboard {
namespace {

constexpr std::string_view kTokenPlaceholder = "__AURIC_TOKEN__";

constexpr std::string_view kCsp =
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
    "font-src 'self'; object-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

void add_security_headers(Response& r) {
  r.headers["Content-Security-Policy"] = std::string(kCsp);
  r.headers["X-Content-Type-Options"] = "nosniff";
  r.headers["Referrer-Policy"] = "no-referrer";
  r.headers["X-Frame-Options"] = "DENY";
}

std::string lower(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

std::string_view mime_type(std::string_view path) {
  const auto dot = path.rfind('.');
  const std::string ext = dot == std::string_view::npos ? "" : lower(path.substr(dot + 1));
  if (ext == "html") return "text/html; charset=utf-8";
  if (ext == "js" || ext == "mjs") return "text/javascript; charset=utf-8";
  if (ext == "css") return "text/css; charset=utf-8";
  if (ext == "json" || ext == "map") return "application/json";
  if (ext == "svg") return "image/svg+xml";
  if (ext == "png") return "image/png";
  if (ext == "jpg" || ext == "jpeg") return "image/jpeg";
  if (ext == "ico") return "image/x-icon";
  if (ext == "txt") return "text/plain; charset=utf-8";
  if (ext == "woff2") return "font/woff2";
  if (ext == "woff") return "font/woff";
  return "application/octet-stream";
}

bool starts_with(std::string_view text, std::string_view prefix) {
  return text.substr(0, prefix.size()) == prefix;
}

// The media type of a Content-Type value, lower case, without parameters.
std::string media_type(std::string_view value) {
  value = value.substr(0, value.find(';'));
  while (!value.empty() && std::isspace(static_cast<unsigned char>(value.back()))) value.remove_suffix(1);
  while (!value.empty() && std::isspace(static_cast<unsigned char>(value.front()))) value.remove_prefix(1);
  return lower(value);
}

}  // namespace

std::string new_page_token() {
  std::ifstream random("/dev/urandom", std::ios::binary);
  unsigned char bytes[32];
  if (!random.read(reinterpret_cast<char*>(bytes), sizeof bytes)) {
    throw std::runtime_error("cannot read /dev/urandom for the dashboard token");
  }
  static constexpr char kHex[] = "0123456789abcdef";
  std::string token;
  for (const unsigned char b : bytes) {
    token += kHex[b >> 4];
    token += kHex[b & 15];
  }
  return token;
}

LocalSite::LocalSite(DashboardBackend& backend, LocalSiteOptions options)
    : backend_(backend), options_(std::move(options)) {
  if (options_.token.empty()) throw std::invalid_argument("the dashboard token must not be empty");
  const std::string port = std::to_string(options_.port);
  if (options_.host == "::1") {
    allowed_hosts_ = {"[::1]:" + port, "localhost:" + port};
  } else {
    allowed_hosts_ = {options_.host + ":" + port, "localhost:" + port};
  }
  for (const auto& f : options_.files) files_.emplace(std::string(f.path), f.data);
  auto index = files_.find("/index.html");
  if (index == files_.end()) throw std::invalid_argument("the embedded UI has no /index.html");
  index_html_ = std::string(index->second);
  const auto at = index_html_.find(kTokenPlaceholder);
  if (at == std::string::npos || index_html_.find(kTokenPlaceholder, at + 1) != std::string::npos) {
    throw std::invalid_argument("the embedded index.html must contain __AURIC_TOKEN__ exactly once");
  }
  index_html_.replace(at, kTokenPlaceholder.size(), options_.token);
}

Response LocalSite::index() const {
  Response r;
  r.headers["Content-Type"] = "text/html; charset=utf-8";
  r.headers["Cache-Control"] = "no-store";
  r.body = index_html_;
  return r;
}

Response LocalSite::check_post(const Request& request) const {
  const std::string origin = request.header("Origin");
  if (!origin.empty() && lower(origin) != "http://" + lower(request.header("Host"))) {
    return Response::error(403, "Forbidden: cross-origin request");
  }
  if (media_type(request.header("Content-Type")) != "application/json") {
    return Response::error(415, "Content-Type must be application/json");
  }
  if (!constant_time_equal(request.header("X-Auric-Token"), options_.token)) {
    return Response::error(403, "Forbidden: missing or invalid dashboard token");
  }
  return Response{.status = 0};
}

Response LocalSite::serve_static(const Request& request) const {
  const auto decoded = percent_decode(request.path);
  if (!decoded || decoded->empty() || decoded->front() != '/' || decoded->find('\0') != std::string::npos ||
      decoded->find('\\') != std::string::npos) {
    return Response::error(400, "Bad request");
  }
  // Normalise: collapse empty segments; refuse "." and ".." outright (also when they were
  // percent-encoded), so nothing can point outside the embedded tree.
  std::string normal;
  std::size_t start = 1;
  while (start <= decoded->size()) {
    std::size_t end = decoded->find('/', start);
    if (end == std::string::npos) end = decoded->size();
    const std::string_view segment = std::string_view(*decoded).substr(start, end - start);
    if (segment == "." || segment == "..") return Response::error(400, "Bad request");
    if (!segment.empty()) {
      normal += '/';
      normal += segment;
    }
    start = end + 1;
  }
  if (normal.empty() || normal == "/index.html") return index();
  if (auto it = files_.find(normal); it != files_.end()) {
    Response r;
    r.headers["Content-Type"] = std::string(mime_type(normal));
    r.headers["Cache-Control"] =
        starts_with(normal, "/assets/") ? "public, max-age=31536000, immutable" : "no-cache";
    r.body = std::string(it->second);
    return r;
  }
  if (starts_with(normal, "/assets/")) return Response::error(404, "Not found");
  return index();  // SPA fallback: deep links survive a reload
}

Response LocalSite::handle(const Request& request) const {
  Response r;
  const std::string host = lower(request.header("Host"));
  const bool host_ok = std::find(allowed_hosts_.begin(), allowed_hosts_.end(), host) != allowed_hosts_.end();
  std::string_view path = request.path;
  const bool api = path == "/api" || starts_with(path, "/api/");
  if (!host_ok) {
    r = Response::error(403, "Forbidden: unexpected Host header");
  } else if (request.method == "POST") {
    r = check_post(request);
    if (r.status == 0)
      r = api ? dashboard::handle(request, backend_, options_.router) : Response::error(404, "Not found");
  } else if (api) {
    r = dashboard::handle(request, backend_, options_.router);
  } else if (request.method == "GET" || request.method == "HEAD") {
    r = serve_static(request);
  } else {
    r = Response::error(404, "Not found");
  }
  add_security_headers(r);
  return r;
}

}  // namespace auric::dashboard
