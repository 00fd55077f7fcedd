// libcurl implementation of HttpTransport. Easy handles are pooled: curl_easy_reset keeps a
// handle's live connections, so a reused handle reuses its keep-alive connection.
#include <curl/curl.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <mutex>

#include "aws/http.hpp"

namespace auric::aws {
namespace {

void global_init() {
  static std::once_flag once;
  std::call_once(once, [] {
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
      throw std::runtime_error("libcurl global initialisation failed");
    }
  });
}

struct Transfer {
  HttpResponse response;
  std::ofstream file;
  const std::filesystem::path* file_path = nullptr;
  BodyObserver* observer = nullptr;
  bool file_failed = false;
  bool streaming = false;  // decided when the first body byte arrives
  bool decided = false;
};

std::size_t on_header(char* data, std::size_t size, std::size_t count, void* user) {
  auto* t = static_cast<Transfer*>(user);
  const std::size_t n = size * count;
  std::string_view line(data, n);
  while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) line.remove_suffix(1);
  if (line.starts_with("HTTP/")) {
    // A new status line (after 100-continue or a redirect) starts a fresh header set.
    t->response.headers = Headers{};
    const auto sp = line.find(' ');
    if (sp != std::string_view::npos)
      t->response.status = std::atoi(std::string(line.substr(sp + 1, 3)).c_str());
    return n;
  }
  const auto colon = line.find(':');
  if (colon == std::string_view::npos) return n;
  std::string_view name = line.substr(0, colon);
  std::string_view value = line.substr(colon + 1);
  while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) value.remove_prefix(1);
  while (!value.empty() && (value.back() == ' ' || value.back() == '\t')) value.remove_suffix(1);
  t->response.headers.add(std::string(name), std::string(value));
  return n;
}

std::size_t on_body(char* data, std::size_t size, std::size_t count, void* user) {
  auto* t = static_cast<Transfer*>(user);
  const std::size_t n = size * count;
  if (!t->decided) {
    t->decided = true;
    t->streaming = t->file_path != nullptr && t->response.status >= 200 && t->response.status < 300;
    if (t->streaming) {
      t->file.open(*t->file_path, std::ios::binary | std::ios::trunc);
      if (!t->file) {
        t->file_failed = true;
        return 0;  // aborts the transfer with CURLE_WRITE_ERROR
      }
      if (t->observer) t->observer->restart();
    }
  }
  if (t->streaming) {
    t->file.write(data, static_cast<std::streamsize>(n));
    if (!t->file) {
      t->file_failed = true;
      return 0;
    }
    t->response.streamed_bytes += n;
    if (t->observer) t->observer->append(std::string_view(data, n));
  } else {
    t->response.body.append(data, n);
  }
  return n;
}

TransportError::Kind classify(CURLcode code) {
  switch (code) {
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_RESOLVE_PROXY:
    case CURLE_COULDNT_CONNECT:
    case CURLE_SSL_CONNECT_ERROR: return TransportError::Kind::kConnect;
    case CURLE_OPERATION_TIMEDOUT: return TransportError::Kind::kTimeout;
    case CURLE_SEND_ERROR:
    case CURLE_RECV_ERROR:
    case CURLE_GOT_NOTHING:
    case CURLE_HTTP2:
    case CURLE_HTTP2_STREAM: return TransportError::Kind::kSendRecv;
    case CURLE_PARTIAL_FILE: return TransportError::Kind::kTruncated;
    case CURLE_WRITE_ERROR: return TransportError::Kind::kLocalIo;
    default: return TransportError::Kind::kOther;
  }
}

class CurlTransport final : public HttpTransport {
 public:
  explicit CurlTransport(CurlTransportOptions options) : options_(std::move(options)) { global_init(); }
  ~CurlTransport() override {
    for (CURL* h : pool_) curl_easy_cleanup(h);
  }
  CurlTransport(const CurlTransport&) = delete;
  CurlTransport& operator=(const CurlTransport&) = delete;

  HttpResponse send(const HttpRequest& request) override {
    CURL* handle = acquire();
    struct Release {
      CurlTransport* self;
      CURL* handle;
      curl_slist* headers = nullptr;
      bool keep = true;
      ~Release() {
        curl_slist_free_all(headers);
        self->release(handle, keep);
      }
    } guard{this, handle};

    Transfer transfer;
    if (request.response_body_file) {
      transfer.file_path = &*request.response_body_file;
      transfer.observer = request.response_body_observer;
    }
    char error_buffer[CURL_ERROR_SIZE] = {0};

    curl_easy_setopt(handle, CURLOPT_URL, request.url.c_str());
    curl_easy_setopt(handle, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(handle, CURLOPT_ERRORBUFFER, error_buffer);
    curl_easy_setopt(handle, CURLOPT_HEADERFUNCTION, &on_header);
    curl_easy_setopt(handle, CURLOPT_HEADERDATA, &transfer);
    curl_easy_setopt(handle, CURLOPT_WRITEFUNCTION, &on_body);
    curl_easy_setopt(handle, CURLOPT_WRITEDATA, &transfer);
    curl_easy_setopt(handle, CURLOPT_CONNECTTIMEOUT_MS,
                     static_cast<long>(request.connect_timeout.value_or(options_.connect_timeout).count()));
    curl_easy_setopt(handle, CURLOPT_TIMEOUT_MS,
                     static_cast<long>(request.total_timeout.value_or(options_.total_timeout).count()));
    curl_easy_setopt(handle, CURLOPT_FOLLOWLOCATION, 0L);
    // Loopback and link-local metadata endpoints never go through a proxy.
    curl_easy_setopt(handle, CURLOPT_NOPROXY,
                     "127.0.0.1,localhost,::1,169.254.169.254,169.254.170.2,169.254.170.23");
    if (!options_.ca_bundle.empty()) curl_easy_setopt(handle, CURLOPT_CAINFO, options_.ca_bundle.c_str());

    const std::string& method = request.method;
    if (method == "HEAD") {
      curl_easy_setopt(handle, CURLOPT_NOBODY, 1L);
    } else if (method == "GET" && request.body.empty()) {
      curl_easy_setopt(handle, CURLOPT_HTTPGET, 1L);
    } else {
      curl_easy_setopt(handle, CURLOPT_POST, 1L);
      curl_easy_setopt(handle, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(request.body.size()));
      curl_easy_setopt(handle, CURLOPT_POSTFIELDS, request.body.data());
      if (method != "POST") curl_easy_setopt(handle, CURLOPT_CUSTOMREQUEST, method.c_str());
    }

    bool has_content_type = false;
    for (const auto& [name, value] : request.headers.entries()) {
      if (iequals(name, "content-type")) has_content_type = true;
      if (iequals(name, "content-length")) continue;  // curl computes it
      std::string line = name;
      line += value.empty() ? ";" : ": ";
      line += value;
      guard.headers = curl_slist_append(guard.headers, line.c_str());
    }
    // Never let curl add headers that were not signed or that change the exchange.
    if (!has_content_type) guard.headers = curl_slist_append(guard.headers, "Content-Type:");
    guard.headers = curl_slist_append(guard.headers, "Expect:");
    guard.headers = curl_slist_append(guard.headers, "Accept:");
    curl_easy_setopt(handle, CURLOPT_HTTPHEADER, guard.headers);

    const CURLcode code = curl_easy_perform(handle);
    if (transfer.file.is_open()) transfer.file.close();
    if (code != CURLE_OK) {
      guard.keep = false;  // the connection state is unknown: drop the handle
      if (transfer.file_failed) {
        throw TransportError(TransportError::Kind::kLocalIo,
                             "cannot write response body to '" + request.response_body_file->string() + "'");
      }
      std::string detail = error_buffer[0] ? error_buffer : curl_easy_strerror(code);
      throw TransportError(classify(code), request.method + " " + strip_query(request.url) + ": " + detail);
    }
    long status = 0;
    curl_easy_getinfo(handle, CURLINFO_RESPONSE_CODE, &status);
    transfer.response.status = static_cast<int>(status);
    if (request.response_body_file && !transfer.decided && status >= 200 && status < 300) {
      // Empty 2xx body: still leave an (empty) file behind.
      std::ofstream empty(*request.response_body_file, std::ios::binary | std::ios::trunc);
      if (!empty) {
        throw TransportError(TransportError::Kind::kLocalIo,
                             "cannot create '" + request.response_body_file->string() + "'");
      }
      if (request.response_body_observer) request.response_body_observer->restart();
    }
    return std::move(transfer.response);
  }

 private:
  static std::string strip_query(const std::string& url) { return url.substr(0, url.find('?')); }

  CURL* acquire() {
    {
      std::lock_guard lock(mu_);
      if (!pool_.empty()) {
        CURL* h = pool_.back();
        pool_.pop_back();
        return h;
      }
    }
    CURL* h = curl_easy_init();
    if (h == nullptr) throw TransportError(TransportError::Kind::kOther, "curl_easy_init failed");
    return h;
  }

  void release(CURL* handle, bool keep) {
    if (keep) {
      curl_easy_reset(handle);
      std::lock_guard lock(mu_);
      if (pool_.size() < options_.max_pooled_handles) {
        pool_.push_back(handle);
        return;
      }
    }
    curl_easy_cleanup(handle);
  }

  CurlTransportOptions options_;
  std::mutex mu_;
  std::vector<CURL*> pool_;
};

}  // namespace

std::shared_ptr<HttpTransport> make_curl_transport(CurlTransportOptions options) {
  return std::make_shared<CurlTransport>(std::move(options));
}

std::string choose_ca_bundle(const std::optional<std::string>& aws_ca_bundle, const std::string& builtin,
                             const std::function<bool(const std::string&)>& exists) {
  if (aws_ca_bundle && !aws_ca_bundle->empty()) return *aws_ca_bundle;
  if (!builtin.empty() && exists(builtin)) return "";
  for (const char* path : {"/etc/ssl/certs/ca-certificates.crt", "/etc/pki/tls/certs/ca-bundle.crt",
                           "/etc/ssl/ca-bundle.pem", "/etc/ssl/cert.pem"}) {
    if (exists(path)) return path;
  }
  return "";
}

std::shared_ptr<HttpTransport> default_transport() {
  static std::shared_ptr<HttpTransport> instance = [] {
    CurlTransportOptions options;
    const char* env = std::getenv("AWS_CA_BUNDLE");
    const curl_version_info_data* info = curl_version_info(CURLVERSION_NOW);
    const std::string builtin = info != nullptr && info->cainfo != nullptr ? info->cainfo : "";
    options.ca_bundle = choose_ca_bundle(env ? std::optional<std::string>(env) : std::nullopt, builtin,
                                         [](const std::string& path) {
                                           std::error_code ec;
                                           return std::filesystem::is_regular_file(path, ec);
                                         });
    return make_curl_transport(options);
  }();
  return instance;
}

}  // namespace auric::aws
