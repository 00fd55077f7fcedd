#include "core/record_json.hpp"

#include <openssl/evp.h>

#include <array>
#include <cstdio>

namespace auric {
namespace {

void put_if(Json& j, const char* key, const std::string& value) {
  if (!value.empty()) j[key] = value;
}

}  // namespace

Json to_json(const Who& who) {
  Json j = Json::object();
  put_if(j, "user", who.user);
  put_if(j, "host", who.host);
  if (who.pid != 0) j["pid"] = who.pid;
  put_if(j, "awsPrincipal", who.aws_principal);
  put_if(j, "lambdaRequestId", who.lambda_request_id);
  put_if(j, "ecsTaskArn", who.ecs_task_arn);
  return j;
}

Json to_json(const RunRecord& run, bool with_output) {
  Json j = {{"runId", run.run_id},
            {"id", run.id},
            {"name", run.name},
            {"status", to_string(run.status)},
            {"direction", to_string(run.direction)},
            {"executionId", run.execution_id},
            {"startedAt", run.started_at}};
  if (run.completed_at) j["completedAt"] = *run.completed_at;
  if (run.duration_ms) j["duration"] = *run.duration_ms;
  put_if(j, "description", run.description);
  if (with_output) put_if(j, "output", run.output);
  if (run.output_truncated) j["outputTruncated"] = true;
  if (!run.result.is_null()) j["metadata"] = run.result;
  put_if(j, "error", run.error);
  put_if(j, "checksum", run.checksum);
  j["hop"] = run.hop;
  j["who"] = to_json(run.who);
  if (run.description_truncated) j["descriptionTruncated"] = true;
  if (run.result_truncated) j["metadataTruncated"] = true;
  if (run.error_truncated) j["errorTruncated"] = true;
  return j;
}

Json to_json(const ExecutionRecord& e) {
  Json j = {{"executionId", e.execution_id},
            {"direction", to_string(e.direction)},
            {"status", to_string(e.status)},
            {"startedAt", e.started_at},
            {"migrationCount", e.finished.size()},
            {"planned", e.planned},
            {"finished", e.finished},
            {"hop", e.hop},
            {"who", to_json(e.who)}};
  put_if(j, "target", e.target);
  if (e.completed_at) j["completedAt"] = *e.completed_at;
  put_if(j, "error", e.error);
  return j;
}

Json to_json(const LockInfo& lock, std::int64_t now_ms) {
  Json j = {{"held", lock.held_at(now_ms)}, {"fence", lock.fence}};
  if (!lock.held_at(now_ms)) return j;
  j["owner"] = lock.owner;
  j["who"] = to_json(lock.who);
  j["acquiredAt"] = lock.acquired_at;
  j["expiresAt"] = lock.expires_at;
  j["heartbeatAt"] = lock.heartbeat_at;
  put_if(j, "executionId", lock.execution_id);
  if (lock.current) {
    j["current"] = {{"migrationId", lock.current->migration_id},
                    {"runId", lock.current->run_id},
                    {"direction", to_string(lock.current->direction)},
                    {"startedAt", lock.current->started_at}};
  }
  return j;
}

Json to_json(const MigrationState& s) {
  Json j = {{"id", s.id},
            {"status", to_string(s.status)},
            {"direction", to_string(s.direction)},
            {"applied", s.applied},
            {"startedAt", s.started_at}};
  put_if(j, "checksum", s.checksum);
  put_if(j, "lastRunId", s.last_run_id);
  put_if(j, "executionId", s.last_execution_id);
  if (s.completed_at) j["completedAt"] = *s.completed_at;
  if (s.duration_ms) j["duration"] = *s.duration_ms;
  if (s.applied_at) j["appliedAt"] = *s.applied_at;
  put_if(j, "error", s.error);
  if (s.output_truncated) j["outputTruncated"] = true;
  if (!s.progress.is_null()) j["progress"] = s.progress;
  return j;
}

std::string source_checksum(std::string_view source) {
  std::string normalised;
  normalised.reserve(source.size());
  for (std::size_t i = 0; i < source.size(); ++i) {
    if (source[i] == '\r' && i + 1 < source.size() && source[i + 1] == '\n') continue;
    normalised += source[i];
  }
  std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
  unsigned int len = 0;
  EVP_Digest(normalised.data(), normalised.size(), digest.data(), &len, EVP_sha256(), nullptr);
  std::string hex;
  char buf[3];
  for (unsigned int i = 0; i < len; ++i) {
    std::snprintf(buf, sizeof buf, "%02x", digest[i]);
    hex += buf;
  }
  return hex;
}

}  // namespace auric
