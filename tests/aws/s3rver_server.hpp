// s3rver (S3 emulator, npm 3.7.1) for tests: a temp data directory, 127.0.0.1, a free port
// and one pre-created bucket; stopped (and the directory removed) in the destructor.
// Use path-style addressing and the credentials S3RVER / S3RVER. Not thread-safe: one owner.
#pragma once

#include <filesystem>
#include <string>

#include "aws/client.hpp"
#include "node_process.hpp"

namespace auric::aws::testing {

class S3rverServer {
 public:
  // Starts s3rver with `bucket` configured. Throws std::runtime_error as DynaliteServer does.
  explicit S3rverServer(std::string bucket = "test-bucket");
  ~S3rverServer();

  const std::string& bucket() const { return bucket_; }
  std::string endpoint() const;
  // ClientConfig: region us-east-1, credentials S3RVER/S3RVER, path style, this endpoint.
  ClientConfig client_config() const;

 private:
  static std::filesystem::path make_data_dir();
  std::string bucket_;
  std::filesystem::path data_dir_;
  NodeProcess process_;
};

}  // namespace auric::aws::testing
