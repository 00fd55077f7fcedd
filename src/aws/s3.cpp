#include "aws/s3.hpp"

#include <fstream>
#include <sstream>

#include "aws/encoding.hpp"

namespace auric::aws {
namespace {

SendOptions s3_options() {
  SendOptions options;
  options.content_sha256_header = true;
  options.s3_path_rules = true;
  return options;
}

ObjectInfo info_from(const HttpResponse& response) {
  ObjectInfo info;
  if (auto v = response.headers.get("Content-Length")) {
    try {
      info.content_length = std::stoull(*v);
    } catch (const std::exception&) {
      throw malformed_response("S3", "HeadObject", "bad Content-Length '" + *v + "'", &response);
    }
  }
  info.etag = response.headers.get("ETag").value_or("");
  info.content_type = response.headers.get("Content-Type").value_or("");
  info.last_modified = response.headers.get("Last-Modified").value_or("");
  for (const auto& [k, v] : response.headers.entries()) {
    const std::string lower = to_lower(k);
    if (lower.starts_with("x-amz-meta-")) info.metadata[lower.substr(11)] = v;
  }
  return info;
}

}  // namespace

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
  ObjectInfo info = info_from(outcome.response);
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
  return info_from(outcome.response);
}

}  // namespace auric::aws
