#include "aws/s3.hpp"

#include <charconv>
#include <fstream>
#include <sstream>
#include <system_error>

#include "aws/encoding.hpp"

namespace auric::aws {
namespace {

SendOptions s3_options() {
  SendOptions options;
  options.content_sha256_header = true;
  options.s3_path_rules = true;
  return options;
}

[[noreturn]] void bad_header(std::string_view operation, const Headers& headers, const std::string& what) {
  HttpResponse context;  // for the request id only: the status is not the decoder's to know
  context.headers = headers;
  throw malformed_response("S3", operation, what, &context);
}

std::uint64_t content_length_of(std::string_view operation, const Headers& headers, std::string_view value) {
  const std::string_view digits = trim(value);
  std::uint64_t n = 0;
  const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), n);
  if (digits.empty() || ec != std::errc{} || end != digits.data() + digits.size()) {
    bad_header(operation, headers,
               "bad Content-Length '" + std::string(value) + "': expected a whole number of bytes");
  }
  return n;
}

}  // namespace

ObjectInfo decode_object_headers(std::string_view operation, const Headers& headers) {
  ObjectInfo info;
  std::optional<std::uint64_t> length;
  for (const auto& [name, value] : headers.entries()) {
    const std::string lower = to_lower(name);
    if (lower == "content-length") {
      const std::uint64_t n = content_length_of(operation, headers, value);
      if (length && *length != n) {
        bad_header(operation, headers,
                   "Content-Length sent twice with different values (" + std::to_string(*length) + " and " +
                       std::to_string(n) + ")");
      }
      length = n;
    } else if (lower == "last-modified" && info.last_modified.empty()) {
      info.last_modified = value;
      try {
        info.last_modified_time = parse_http_date(value);
      } catch (const std::invalid_argument&) {
        bad_header(
            operation, headers,
            "bad Last-Modified '" + value + "': expected an HTTP date like 'Sun, 06 Nov 1994 08:49:37 GMT'");
      }
    } else if (lower == "x-amz-delete-marker") {
      const std::string flag = to_lower(trim(value));
      if (flag != "true" && flag != "false") {
        bad_header(operation, headers, "bad x-amz-delete-marker '" + value + "': expected true or false");
      }
      info.delete_marker = flag == "true";
    } else if (lower.starts_with("x-amz-meta-")) {
      info.metadata[lower.substr(11)] = value;
    }
  }
  info.content_length = length.value_or(0);
  info.etag = headers.get("ETag").value_or("");
  info.content_type = headers.get("Content-Type").value_or("");
  info.version_id = headers.get("x-amz-version-id").value_or("");
  info.server_side_encryption = headers.get("x-amz-server-side-encryption").value_or("");
  return info;
}

S3Client::S3Client(ClientConfig config) : client_(kS3Service, std::move(config)) {}

std::string S3Client::object_url(const std::string& bucket, const std::string& key) const {
  const std::string encoded_key = uri_encode(key, /*keep_slash=*/true);
  if (client_.config().s3_path_style)
    return client_.endpoint() + "/" + uri_encode(bucket) + "/" + encoded_key;
  const Url base = parse_url(client_.endpoint());
  Url hosted = base;
  hosted.host = bucket + "." + base.host;
  return hosted.origin() + (base.path == "/" ? "" : base.path) + "/" + encoded_key;
}

ObjectInfo S3Client::get_object_to_file(const std::string& bucket, const std::string& key,
                                        const std::filesystem::path& destination, BodyObserver* observer) {
  HttpRequest request;
  request.method = "GET";
  request.url = object_url(bucket, key);
  std::filesystem::path part = destination;
  part += ".part";
  request.response_body_file = part;
  request.response_body_observer = observer;
  Outcome outcome = client_.send("GetObject", request, s3_options());
  if (!outcome.ok()) {
    std::error_code ec;
    std::filesystem::remove(part, ec);
    throw *outcome.error;
  }
  ObjectInfo info = decode_object_headers("GetObject", outcome.response.headers);
  if (outcome.response.headers.contains("Content-Length") &&
      info.content_length != outcome.response.streamed_bytes) {
    std::error_code ec;
    std::filesystem::remove(part, ec);
    throw malformed_response("S3", "GetObject",
                             "received " + std::to_string(outcome.response.streamed_bytes) + " of " +
                                 std::to_string(info.content_length) + " bytes",
                             &outcome.response);
  }
  info.content_length = outcome.response.streamed_bytes;
  std::error_code ec;
  std::filesystem::rename(part, destination, ec);
  if (ec) {
    throw std::runtime_error("S3 GetObject: cannot move the download to '" + destination.string() +
                             "': " + ec.message());
  }
  return info;
}

std::string S3Client::put_object(const std::string& bucket, const std::string& key, const std::string& body,
                                 const std::string& content_type,
                                 const std::map<std::string, std::string>& metadata) {
  HttpRequest request;
  request.method = "PUT";
  request.url = object_url(bucket, key);
  request.body = body;
  request.headers.add("Content-Type", content_type);
  request.headers.add("Content-Length", std::to_string(body.size()));
  for (const auto& [k, v] : metadata) request.headers.add("x-amz-meta-" + k, v);
  const HttpResponse response = client_.send_or_throw("PutObject", request, s3_options());
  return response.headers.get("ETag").value_or("");
}

std::string S3Client::put_object_from_file(const std::string& bucket, const std::string& key,
                                           const std::filesystem::path& source,
                                           const std::string& content_type) {
  std::ifstream in(source, std::ios::binary);
  if (!in) throw std::runtime_error("S3 PutObject: cannot read '" + source.string() + "'");
  std::ostringstream body;
  body << in.rdbuf();
  return put_object(bucket, key, body.str(), content_type);
}

std::optional<ObjectInfo> S3Client::head_object(const std::string& bucket, const std::string& key) {
  HttpRequest request;
  request.method = "HEAD";
  request.url = object_url(bucket, key);
  Outcome outcome = client_.send("HeadObject", request, s3_options());
  if (!outcome.ok()) {
    if (outcome.error->http_status() == 404) return std::nullopt;
    throw *outcome.error;
  }
  return decode_object_headers("HeadObject", outcome.response.headers);
}

}  // namespace auric::aws
