// HTTP value types and the pluggable transport every AWS call goes through.
// HttpRequest/HttpResponse are plain values. HttpTransport implementations must be safe to
// call from several threads at once; the libcurl one keeps a pool of reusable connections.
// Tests plug in scripted transports or point the libcurl one at fakes on 127.0.0.1.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace auric::aws {

// Ordered header list; names compare case-insensitively, duplicates are allowed.
class Headers {
 public:
  using Entry = std::pair<std::string, std::string>;

  // Appends a header (keeps existing ones of the same name).
  void add(std::string name, std::string value);
  // Replaces every header of that name with one entry.
  void set(std::string name, std::string value);
  // Removes every header of that name; returns how many were removed.
  std::size_t remove(std::string_view name);
  // Returns the first value of that name, or nullopt.
  std::optional<std::string> get(std::string_view name) const;
  // Returns true when at least one header of that name exists.
  bool contains(std::string_view name) const;

  const std::vector<Entry>& entries() const { return entries_; }
  bool empty() const { return entries_.empty(); }

 private:
  std::vector<Entry> entries_;
};

// Case-insensitive ASCII comparison, used for header names.
bool iequals(std::string_view a, std::string_view b);

// Sees a response body while the transport streams it to HttpRequest::response_body_file, so
// a caller can hash or count the bytes without reading the file again. Called from the thread
// that sends the request, never concurrently for one request.
class BodyObserver {
 public:
  virtual ~BodyObserver() = default;
  // The file was just created or truncated: a new attempt (a retry) starts the body over, so
  // forget the bytes seen so far.
  virtual void restart() = 0;
  // `bytes` were just appended to the file.
  virtual void append(std::string_view bytes) = 0;
};

struct HttpRequest {
  std::string method = "GET";
  // Absolute URL as sent on the wire: scheme://host[:port]/path[?query]; path already encoded.
  std::string url;
  Headers headers;
  std::string body;
  // When set, a 2xx response body is streamed to this file (created/truncated) instead of
  // HttpResponse::body. Error bodies always land in HttpResponse::body.
  std::optional<std::filesystem::path> response_body_file;
  // With response_body_file: told of every byte written there (not owned; must outlive send).
  BodyObserver* response_body_observer = nullptr;
  // Per-request overrides of the transport's timeouts.
  std::optional<std::chrono::milliseconds> connect_timeout;
  std::optional<std::chrono::milliseconds> total_timeout;
};

struct HttpResponse {
  int status = 0;
  Headers headers;
  std::string body;
  // Bytes written to HttpRequest::response_body_file (0 when not streaming).
  std::uint64_t streamed_bytes = 0;
};

// A failure below HTTP: DNS, connect, TLS, reset, timeout, truncated body.
class TransportError : public std::runtime_error {
 public:
  enum class Kind { kConnect, kTimeout, kSendRecv, kTruncated, kLocalIo, kOther };
  TransportError(Kind kind, const std::string& message) : std::runtime_error(message), kind_(kind) {}
  Kind kind() const { return kind_; }
  // True for failures a retry may fix (all but local I/O and unknown errors).
  bool transient() const { return kind_ != Kind::kLocalIo && kind_ != Kind::kOther; }

 private:
  Kind kind_;
};

class HttpTransport {
 public:
  virtual ~HttpTransport() = default;
  // Sends one request and returns the response, whatever its status code.
  // Throws TransportError when no complete HTTP response was received.
  // Requires: request.url is absolute. Thread-safe.
  virtual HttpResponse send(const HttpRequest& request) = 0;
};

struct CurlTransportOptions {
  std::chrono::milliseconds connect_timeout{3000};
  std::chrono::milliseconds total_timeout{60000};
  // CA bundle file for TLS (AWS_CA_BUNDLE); empty means the system default.
  std::string ca_bundle;
  // Idle handles (and so kept-alive connections) kept for reuse.
  std::size_t max_pooled_handles = 16;
};

// Returns a libcurl transport. Connections are reused through a pool of easy handles.
// Throws std::runtime_error if libcurl cannot be initialised.
std::shared_ptr<HttpTransport> make_curl_transport(CurlTransportOptions options = {});

// Returns the process-wide libcurl transport (created on first use, with choose_ca_bundle()).
std::shared_ptr<HttpTransport> default_transport();

// The CA bundle for TLS: `aws_ca_bundle` (AWS_CA_BUNDLE) when set; else libcurl's built-in
// default (`builtin`) when that file exists; else the first existing well-known distribution
// path, so a binary built on one distribution verifies on another (Debian's curl looks for
// /etc/ssl/certs/ca-certificates.crt; Amazon Linux 2023, which Lambda's provided.al2023 runs,
// has /etc/pki/tls/certs/ca-bundle.crt). Empty: leave libcurl's default.
std::string choose_ca_bundle(const std::optional<std::string>& aws_ca_bundle, const std::string& builtin,
                             const std::function<bool(const std::string&)>& exists);

// Parts of an absolute URL. Port is 0 when the URL gives none.
struct Url {
  std::string scheme;
  std::string host;
  std::uint16_t port = 0;
  std::string path;   // starts with '/', "/" when empty; still encoded
  std::string query;  // without '?', still encoded
  // "host" or "host:port" when the port is not the scheme's default.
  std::string authority() const;
  // scheme://authority
  std::string origin() const;
};

// Parses an absolute http(s) URL. Throws std::invalid_argument on anything else.
Url parse_url(std::string_view url);

}  // namespace auric::aws
