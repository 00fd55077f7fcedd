// SigV4 signatures per second: a DynamoDB PutItem-shaped request (header form) and an S3
// presigned GET (query form). Run: build-*/bench/aws_sigv4_bench
#include <benchmark/benchmark.h>

#include <string>

#include "aws/sigv4.hpp"

namespace {

using namespace auric::aws;

Credentials bench_credentials() {
  Credentials c;
  c.access_key_id = "AKIDEXAMPLE";
  c.secret_access_key = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
  c.session_token = "FQoGZXIvYXdzEXAMPLETOKEN";
  return c;
}

HttpRequest put_item_request() {
  HttpRequest r;
  r.method = "POST";
  r.url = "https://dynamodb.eu-west-1.amazonaws.com/";
  r.headers.add("Content-Type", "application/x-amz-json-1.0");
  r.headers.add("X-Amz-Target", "DynamoDB_20120810.PutItem");
  r.body = R"({"TableName":"auric_migrations","Item":{"pk":{"S":"STATE"},"sk":{"S":"20240101_create_users"},)"
           R"("status":{"S":"completed"},"fence":{"N":"42"}},"ConditionExpression":"#f <= :f"})";
  return r;
}

void BM_SignHeaderDynamoDbPutItem(benchmark::State& state) {
  const Credentials credentials = bench_credentials();
  const HttpRequest base = put_item_request();
  SigningOptions options;
  options.region = "eu-west-1";
  options.service = "dynamodb";
  options.time = parse_iso8601("2024-01-01T00:00:00Z");
  for (auto _ : state) {
    HttpRequest request = base;
    SigningResult result = sign_request(request, credentials, options);
    benchmark::DoNotOptimize(result.signature);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_SignHeaderDynamoDbPutItem);

void BM_SignHeaderNewKeyEachTime(benchmark::State& state) {
  // Worst case: the signing key is derived again for every request (new day or secret).
  const HttpRequest base = put_item_request();
  SigningOptions options;
  options.region = "eu-west-1";
  options.service = "dynamodb";
  options.time = parse_iso8601("2024-01-01T00:00:00Z");
  Credentials credentials = bench_credentials();
  std::size_t i = 0;
  for (auto _ : state) {
    credentials.secret_access_key = (i++ % 2) ? "secret-a" : "secret-b";
    HttpRequest request = base;
    benchmark::DoNotOptimize(sign_request(request, credentials, options).signature);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_SignHeaderNewKeyEachTime);

void BM_PresignS3Get(benchmark::State& state) {
  const Credentials credentials = bench_credentials();
  HttpRequest base;
  base.url = "https://auric-bundles.s3.eu-west-1.amazonaws.com/bundles/v1/app.zip";
  SigningOptions options;
  options.region = "eu-west-1";
  options.service = "s3";
  options.time = parse_iso8601("2024-01-01T00:00:00Z");
  options.normalize_path = false;
  options.double_encode_path = false;
  options.unsigned_payload = true;
  for (auto _ : state) {
    HttpRequest request = base;
    benchmark::DoNotOptimize(presign_request(request, credentials, options).signature);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_PresignS3Get);

}  // namespace

BENCHMARK_MAIN();
