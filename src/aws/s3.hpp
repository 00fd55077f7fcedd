// S3 client (REST-XML): GetObject streamed to a file, PutObject, HeadObject. Virtual-hosted
// addressing by default, path style with ClientConfig::s3_path_style (needed for emulators
// and custom endpoints). Bodies are sent whole with a signed SHA-256 (never aws-chunked).
// What an object's response headers say is decoded by one pure function,
// decode_object_headers(). Thread-safe.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "aws/client.hpp"
#include "aws/encoding.hpp"

namespace auric::aws {

// What the headers of a GetObject or HeadObject response say about the object.
struct ObjectInfo {
  std::uint64_t content_length = 0;
  std::string etag;  // as sent, quotes included
  std::string content_type;
  std::string last_modified;                    // as sent (an HTTP date); empty when absent
  std::optional<TimePoint> last_modified_time;  // the same, parsed
  std::string version_id;                       // x-amz-version-id (versioned buckets)
  bool delete_marker = false;                   // x-amz-delete-marker
  std::string server_side_encryption;           // x-amz-server-side-encryption, e.g. "AES256"
  std::map<std::string, std::string> metadata;  // x-amz-meta-* without the prefix, names lowercase
};

// Decodes the headers of a GetObject or HeadObject response (pure): Content-Length (a whole
// number of bytes; when sent more than once, every copy must agree), ETag, Content-Type,
// Last-Modified (an HTTP date, parse_http_date), x-amz-version-id, x-amz-delete-marker (true or
// false), x-amz-server-side-encryption and x-amz-meta-*. Names match in any case; absent headers
// leave the defaults. Throws AwsError (code MalformedResponse, service S3, `operation`, the
// request id from the headers) naming the header and its value when a value cannot be read.
ObjectInfo decode_object_headers(std::string_view operation, const Headers& headers);

class S3Client {
 public:
  // Throws std::invalid_argument when no endpoint can be resolved.
  explicit S3Client(ClientConfig config);

  // Streams the object into `destination` (written to "<destination>.part", renamed when
  // complete, so a failed download never leaves a partial file under the final name).
  // `observer`, when given, sees the bytes as they are written (restarted when a retry starts
  // the body over), e.g. to hash them in the same pass.
  // Throws AwsError (NoSuchKey, NoSuchBucket, AccessDenied, NetworkError...).
  ObjectInfo get_object_to_file(const std::string& bucket, const std::string& key,
                                const std::filesystem::path& destination, BodyObserver* observer = nullptr);
  // Uploads `body`. Returns the ETag. Throws AwsError.
  std::string put_object(const std::string& bucket, const std::string& key, const std::string& body,
                         const std::string& content_type = "application/octet-stream",
                         const std::map<std::string, std::string>& metadata = {});
  // Uploads a file's content. Throws AwsError, or std::runtime_error if it cannot be read.
  std::string put_object_from_file(const std::string& bucket, const std::string& key,
                                   const std::filesystem::path& source,
                                   const std::string& content_type = "application/octet-stream");
  // The object's metadata, or nullopt when it does not exist. Throws AwsError otherwise.
  std::optional<ObjectInfo> head_object(const std::string& bucket, const std::string& key);

  // The URL of an object under the client's addressing style (exposed for tests).
  std::string object_url(const std::string& bucket, const std::string& key) const;

  const ServiceClient& service_client() const { return client_; }

 private:
  ServiceClient client_;
};

}  // namespace auric::aws
