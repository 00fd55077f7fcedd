#include "s3rver_server.hpp"

#include <stdlib.h>

#include <stdexcept>

#include "dynalite_server.hpp"

namespace auric::aws::testing {

std::filesystem::path S3rverServer::make_data_dir() {
  char dir_template[] = "/tmp/auric-s3rver-XXXXXX";
  if (::mkdtemp(dir_template) == nullptr) throw std::runtime_error("mkdtemp failed");
  return dir_template;
}

S3rverServer::S3rverServer(std::string bucket)
    : bucket_(std::move(bucket)),
      data_dir_(make_data_dir()),
      process_(require_node_script("s3rver/bin/s3rver.js"),
               {"-d", data_dir_.string(), "-a", "127.0.0.1", "-p", "@PORT@", "--silent", "--configure-bucket",
                bucket_},
               0) {}

S3rverServer::~S3rverServer() {
  process_.stop();
  std::error_code ec;
  std::filesystem::remove_all(data_dir_, ec);
}

std::string S3rverServer::endpoint() const {
  return "http://127.0.0.1:" + std::to_string(process_.port());
}

ClientConfig S3rverServer::client_config() const {
  ClientConfig config;
  config.region = "us-east-1";
  config.endpoint = endpoint();
  config.credentials = emulator_credentials("S3RVER", "S3RVER");
  config.env = std::make_shared<MapEnvironment>();
  config.s3_path_style = true;
  return config;
}

}  // namespace auric::aws::testing
