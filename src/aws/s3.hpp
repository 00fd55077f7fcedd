// S3 client (REST-XML): GetObject streamed to a file, PutObject, HeadObject. Virtual-hosted
// addressing by default, path style with ClientConfig::s3_path_style (needed for emulators
// and custom endpoints). Bodies are sent whole with a signed SHA-256 (never aws-chunked).
// Thread-safe.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>

#include "aws/client.hpp"

namespace auric::aws {

struct ObjectInfo {
  std::uint64_t content_length = 0;
  std::string etag;
  std::string content_type;
  std::string last_modified;
  std::map<std::string, std::string> metadata;  // x-amz-meta-* without the prefix
};

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
