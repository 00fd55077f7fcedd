#include "aws/http.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>

namespace auric::aws {

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) != std::tolower(static_cast<unsigned char>(b[i]))) {
      return false;
    }
  }
  return true;
}

void Headers::add(std::string name, std::string value) {
  entries_.emplace_back(std::move(name), std::move(value));
}

void Headers::set(std::string name, std::string value) {
  remove(name);
  entries_.emplace_back(std::move(name), std::move(value));
}

std::size_t Headers::remove(std::string_view name) {
  const auto before = entries_.size();
  std::erase_if(entries_, [&](const Entry& e) { return iequals(e.first, name); });
  return before - entries_.size();
}

std::optional<std::string> Headers::get(std::string_view name) const {
  for (const auto& [k, v] : entries_) {
    if (iequals(k, name)) return v;
  }
  return std::nullopt;
}

bool Headers::contains(std::string_view name) const {
  return get(name).has_value();
}

namespace {
std::uint16_t default_port(std::string_view scheme) {
  return scheme == "https" ? 443 : 80;
}
}  // namespace

std::string Url::authority() const {
  if (port == 0 || port == default_port(scheme)) return host;
  return host + ":" + std::to_string(port);
}

std::string Url::origin() const {
  return scheme + "://" + authority();
}

Url parse_url(std::string_view url) {
  Url out;
  const auto scheme_end = url.find("://");
  if (scheme_end == std::string_view::npos) {
    throw std::invalid_argument("not an absolute URL: '" + std::string(url) + "'");
  }
  out.scheme = std::string(url.substr(0, scheme_end));
  std::transform(out.scheme.begin(), out.scheme.end(), out.scheme.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  if (out.scheme != "http" && out.scheme != "https") {
    throw std::invalid_argument("unsupported URL scheme in '" + std::string(url) + "' (use http or https)");
  }
  std::string_view rest = url.substr(scheme_end + 3);
  const auto path_start = rest.find_first_of("/?");
  std::string_view authority = rest.substr(0, path_start);
  std::string_view tail = path_start == std::string_view::npos ? std::string_view{} : rest.substr(path_start);
  if (authority.empty()) {
    throw std::invalid_argument("URL has no host: '" + std::string(url) + "'");
  }
  std::string_view host = authority;
  if (authority.front() == '[') {  // IPv6 literal
    const auto close = authority.find(']');
    if (close == std::string_view::npos) {
      throw std::invalid_argument("bad IPv6 host in URL: '" + std::string(url) + "'");
    }
    host = authority.substr(0, close + 1);
    authority = authority.substr(close + 1);
    if (!authority.empty() && authority.front() == ':')
      authority.remove_prefix(1);
    else
      authority = {};
  } else {
    const auto colon = authority.rfind(':');
    if (colon != std::string_view::npos) {
      host = authority.substr(0, colon);
      authority = authority.substr(colon + 1);
    } else {
      authority = {};
    }
  }
  out.host = std::string(host);
  if (!authority.empty()) {
    unsigned value = 0;
    auto [ptr, ec] = std::from_chars(authority.data(), authority.data() + authority.size(), value);
    if (ec != std::errc{} || ptr != authority.data() + authority.size() || value == 0 || value > 65535) {
      throw std::invalid_argument("bad port in URL: '" + std::string(url) + "'");
    }
    out.port = static_cast<std::uint16_t>(value);
  }
  const auto q = tail.find('?');
  std::string_view path = tail.substr(0, q);
  out.path = path.empty() ? "/" : std::string(path);
  if (q != std::string_view::npos) out.query = std::string(tail.substr(q + 1));
  return out;
}

}  // namespace auric::aws
