// auric-migrate-bundle (determinism, contents, content-addressed upload to s3rver) and
// auric-migrate-runner (download from s3rver with container credentials, sha256 verification,
// reference messages, signal forwarding and SIGKILL escalation, exit-code passthrough).
#include <gtest/gtest.h>

#include <archive.h>
#include <archive_entry.h>
#include <signal.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <thread>

#include "aws/s3.hpp"
#include "fault_proxy.hpp"
#include "lambda/bundle.hpp"
#include "lambda/zip.hpp"
#include "lambda_support.hpp"
#include "s3rver_server.hpp"
#include "service_fakes.hpp"

namespace auric::lambda::testing {
namespace {

namespace fs = std::filesystem;
using auric::test::ProcessSpec;
using namespace std::chrono_literals;

Json bundle_json(const std::vector<std::string>& args, const std::map<std::string, std::string>& env = {}) {
  ProcessSpec spec;
  spec.argv = {AURIC_BUNDLE_TOOL};
  spec.argv.insert(spec.argv.end(), args.begin(), args.end());
  spec.argv.push_back("--json");
  spec.env = env;
  const auto r = auric::test::run(spec);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  return Json::parse(r.out);
}

TEST(Bundle, SameInputGivesTheSameZipAndListsItsContents) {
  Scenario s;
  const Json a = bundle_json({"--entry", AURIC_LAMBDA_FIXTURE, "--out", s.dir + "/a/bundle.zip"});
  const Json b =
      bundle_json({"--entry", AURIC_LAMBDA_FIXTURE, "--out", s.dir + "/b.zip"}, {{"TZ", "America/New_York"}});
  EXPECT_EQ(a["sha256"], b["sha256"]);
  EXPECT_EQ(a["size"], b["size"]);
  EXPECT_EQ(a["sha256"].get<std::string>().size(), 64u);
  EXPECT_EQ(sha256_file(s.dir + "/b.zip"), b["sha256"]);
  EXPECT_EQ(auric::test::read_file(s.dir + "/a/bundle.zip"), auric::test::read_file(s.dir + "/b.zip"));
  const auto entries = a["entries"].get<std::vector<std::string>>();
  EXPECT_EQ(entries[0], "bin/lambda_fixture");
  EXPECT_EQ(entries[1], "bootstrap");
  EXPECT_TRUE(std::is_sorted(entries.begin(), entries.end()));
  auto has = [&](const std::string& name) {
    return std::find(entries.begin(), entries.end(), name) != entries.end();
  };
  EXPECT_TRUE(has("lib/libstdc++.so.6")) << a.dump();
  EXPECT_TRUE(has("lib/libsqlite3.so.0")) << a.dump();
  // By default glibc travels with the binary exactly when it needs a newer one than
  // provided.al2023's 2.34 (a Debian 12 build does).
  const bool newer = glibc_newer_than_al2023(a["maxGlibc"].get<std::string>());
  EXPECT_EQ(a["glibcBundled"], newer) << a.dump();
  EXPECT_EQ(has("lib/libc.so.6"), newer);
  EXPECT_EQ(has("lib/ld-linux-x86-64.so.2"), newer);
  const auto excluded = a["excluded"].get<std::vector<std::string>>();
  EXPECT_EQ(std::find(excluded.begin(), excluded.end(), "libc.so.6") != excluded.end(), !newer);

  // The bootstrap is executable and runs the binary with its arguments.
  const std::string unpacked = s.dir + "/unpacked";
  extract_zip(s.dir + "/b.zip", unpacked);
  const auto perms = fs::status(unpacked + "/bootstrap").permissions();
  EXPECT_NE(perms & fs::perms::owner_exec, fs::perms::none);
  ProcessSpec spec;
  spec.argv = {unpacked + "/bootstrap", "--version"};
  const auto r = auric::test::run(spec);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find(AURIC_VERSION_STRING), std::string::npos) << r.out;
}

TEST(Bundle, IncludesExtraFilesAndParsesLdd) {
  Scenario s;
  auric::test::write_file(s.dir + "/migrate.config.toml", "[lambda]\nmax_hops = 7\n");
  BundleOptions options;
  options.entry = AURIC_LAMBDA_FIXTURE;
  options.out = s.dir + "/x.zip";
  options.include = {s.dir + "/migrate.config.toml"};
  options.ldd = [](const fs::path&) {
    return std::string(
        "\tlinux-vdso.so.1 (0x00007ffd)\n\tlibc.so.6 => /lib/x86_64-linux-gnu/libc.so.6 (0x00007f)\n"
        "\t/lib64/ld-linux-x86-64.so.2 (0x00007f)\n");
  };
  const BundleResult r = create_bundle(options);
  EXPECT_EQ(r.entries, (std::vector<std::string>{"bin/lambda_fixture", "bootstrap", "migrate.config.toml"}));
  EXPECT_EQ(r.excluded, (std::vector<std::string>{"ld-linux-x86-64.so.2", "libc.so.6"}));
  EXPECT_FALSE(r.max_glibc.empty());

  const auto libs =
      parse_ldd_output("\tlibfoo.so.1 => not found\n\tlibbar.so.2 => /usr/lib/libbar.so.2 (0x1)\n");
  ASSERT_EQ(libs.size(), 2u);
  EXPECT_EQ(libs[0], (std::pair<std::string, std::string>{"libfoo.so.1", ""}));
  EXPECT_EQ(libs[1], (std::pair<std::string, std::string>{"libbar.so.2", "/usr/lib/libbar.so.2"}));
  options.ldd = [](const fs::path&) { return std::string("\tlibfoo.so.1 => not found\n"); };
  EXPECT_THROW(create_bundle(options), std::runtime_error);
}

TEST(Bundle, GlibcBundledOnRequestRunsThroughItsOwnLoader) {
  Scenario s;
  const Json r =
      bundle_json({"--entry", AURIC_LAMBDA_FIXTURE, "--glibc", "bundled", "--out", s.dir + "/g.zip"});
  EXPECT_EQ(r["glibcBundled"], true);
  const auto entries = r["entries"].get<std::vector<std::string>>();
  for (const char* lib :
       {"lib/libc.so.6", "lib/libm.so.6", "lib/ld-linux-x86-64.so.2", "lib/libstdc++.so.6"}) {
    EXPECT_NE(std::find(entries.begin(), entries.end(), lib), entries.end()) << lib << " in " << r.dump();
  }
  EXPECT_EQ(r["excluded"], Json::array());

  const std::string unpacked = s.dir + "/unpacked";
  extract_zip(s.dir + "/g.zip", unpacked);
  const std::string bootstrap = auric::test::read_file(unpacked + "/bootstrap");
  EXPECT_NE(bootstrap.find("--library-path"), std::string::npos) << bootstrap;
  EXPECT_EQ(bootstrap.find("LD_LIBRARY_PATH"), std::string::npos) << "children keep the system's libraries";
  ProcessSpec spec;
  spec.argv = {unpacked + "/bootstrap", "--version"};
  spec.env = {{"LD_DEBUG", "libs"}};
  const auto run = auric::test::run(spec);
  EXPECT_EQ(run.exit_code, 0) << run.err;
  EXPECT_NE(run.out.find(AURIC_VERSION_STRING), std::string::npos) << run.out;
  // The loader reports the libc it initialises: the bundle's, not the system's.
  EXPECT_NE(run.err.find("calling init: " + unpacked + "/lib/libc.so.6"), std::string::npos) << run.err;

  // --glibc system leaves glibc out whatever the binary needs.
  const Json sys =
      bundle_json({"--entry", AURIC_LAMBDA_FIXTURE, "--glibc", "system", "--out", s.dir + "/s.zip"});
  EXPECT_EQ(sys["glibcBundled"], false);
  const auto excluded = sys["excluded"].get<std::vector<std::string>>();
  EXPECT_NE(std::find(excluded.begin(), excluded.end(), "libc.so.6"), excluded.end());
}

TEST(Bundle, GlibcAutoFollowsTheNewestVersionTheBinaryNeeds) {
  EXPECT_FALSE(glibc_newer_than_al2023("2.34"));
  EXPECT_FALSE(glibc_newer_than_al2023("2.17"));
  EXPECT_TRUE(glibc_newer_than_al2023("2.35"));
  EXPECT_TRUE(glibc_newer_than_al2023("2.36"));
  EXPECT_FALSE(glibc_newer_than_al2023(""));
  EXPECT_FALSE(glibc_newer_than_al2023("garbage"));

  // Bundling glibc without a loader named by ldd is refused with what to do.
  Scenario s;
  BundleOptions options;
  options.entry = AURIC_LAMBDA_FIXTURE;
  options.out = s.dir + "/x.zip";
  options.glibc = GlibcMode::kBundled;
  options.ldd = [](const fs::path&) {
    return std::string("\tlibc.so.6 => /lib/x86_64-linux-gnu/libc.so.6 (0x00007f)\n");
  };
  try {
    create_bundle(options);
    ADD_FAILURE() << "expected a refusal";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("no dynamic loader"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("--glibc system"), std::string::npos) << e.what();
  }
}

TEST(Bundle, VersionAndUsage) {
  ProcessSpec spec;
  spec.argv = {AURIC_BUNDLE_TOOL, "--version"};
  auto r = auric::test::run(spec);
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_EQ(r.out, std::string("auric-migrate-bundle ") + AURIC_VERSION_STRING + "\n");
  spec.argv = {AURIC_BUNDLE_TOOL};
  r = auric::test::run(spec);
  EXPECT_EQ(r.exit_code, 2) << "--entry is required";
  spec.argv = {AURIC_BUNDLE_TOOL, "--entry", "/nonexistent/binary", "--out", "/tmp/never.zip"};
  r = auric::test::run(spec);
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("bundle failed: entry binary not found"), std::string::npos) << r.err;
  spec.argv = {AURIC_RUNNER_TOOL, "--version"};
  r = auric::test::run(spec);
  EXPECT_EQ(r.out, std::string("auric-migrate-runner ") + AURIC_VERSION_STRING + "\n");
}

// ---- with s3rver ------------------------------------------------------------------------------
class WithS3 : public ::testing::Test {
 protected:
  WithS3() {
    aws::testing::FakeCredentials c;
    c.access_key_id = "S3RVER";
    c.secret_access_key = "S3RVER";
    creds_.set_credentials(c);
  }

  // The environment of a Fargate task: container credentials, region, S3 endpoint.
  std::map<std::string, std::string> task_env(const Scenario& s) const {
    return {{"AWS_CONTAINER_CREDENTIALS_FULL_URI", creds_.endpoint() + "/v2/credentials/task"},
            {"AWS_ACCESS_KEY_ID", ""},
            {"AWS_SECRET_ACCESS_KEY", ""},
            {"AWS_SESSION_TOKEN", ""},
            {"AWS_PROFILE", ""},
            {"AWS_CONFIG_FILE", s.dir + "/none"},
            {"AWS_SHARED_CREDENTIALS_FILE", s.dir + "/none"},
            {"AWS_EC2_METADATA_DISABLED", "true"},
            {"AWS_REGION", "us-east-1"},
            {"AWS_ENDPOINT_URL_S3", s3_.endpoint()},
            {"MIGRATION_RUNNER_WORKDIR", s.dir + "/app"},
            {"AWS_LAMBDA_RUNTIME_API", ""}};
  }

  std::string put_zip(const std::string& key, const std::vector<ZipEntry>& entries, const Scenario& s) {
    const std::string file = s.dir + "/" + std::to_string(counter_++) + ".zip";
    write_zip(file, entries);
    aws::S3Client client(s3_.client_config());
    client.put_object_from_file(s3_.bucket(), key, file);
    return sha256_file(file);
  }

  static std::vector<ZipEntry> script(const std::string& body) {
    return {{"bootstrap", {}, "#!/bin/sh\n" + body, 0755}};
  }

  auric::test::ProcessResult run_runner(const Scenario& s, std::map<std::string, std::string> env) const {
    ProcessSpec spec;
    spec.argv = {AURIC_RUNNER_TOOL};
    spec.env = task_env(s);
    for (auto& [k, v] : env) spec.env[k] = v;
    return auric::test::run(spec);
  }

  aws::testing::S3rverServer s3_{"bundles-bucket"};
  aws::testing::FakeContainerCredentials creds_;
  int counter_ = 0;
};

TEST_F(WithS3, BundleUploadIsContentAddressedAndSkipsAnExistingKey) {
  Scenario s;
  std::map<std::string, std::string> env = task_env(s);
  env["AWS_ACCESS_KEY_ID"] = "S3RVER";
  env["AWS_SECRET_ACCESS_KEY"] = "S3RVER";
  const Json first = bundle_json(
      {"--entry", AURIC_LAMBDA_FIXTURE, "--out", s.dir + "/b.zip", "--upload", "s3://bundles-bucket/team/"},
      env);
  const std::string key = "team/bundles/bundle-" + first["sha256"].get<std::string>() + ".zip";
  EXPECT_EQ(first["upload"]["key"], key);
  EXPECT_EQ(first["upload"]["url"], "s3://bundles-bucket/" + key);
  EXPECT_TRUE(first["upload"]["uploaded"]);
  aws::S3Client client(s3_.client_config());
  const auto head = client.head_object("bundles-bucket", key);
  ASSERT_TRUE(head.has_value());
  EXPECT_EQ(head->content_length, first["size"].get<std::uint64_t>());
  const Json second = bundle_json(
      {"--entry", AURIC_LAMBDA_FIXTURE, "--out", s.dir + "/c.zip", "--upload", "s3://bundles-bucket/team"},
      env);
  EXPECT_FALSE(second["upload"]["uploaded"]) << "same content, same key: not uploaded again";
  EXPECT_EQ(bundle_key("", "ab"), "bundles/bundle-ab.zip");
}

TEST_F(WithS3, RunnerRunsAVerifiedBundleInFargateModeAndPassesTheExitCodeThrough) {
  Scenario s;
  const std::string sha =
      put_zip("b/exit7.zip", script("echo \"args=$* dir=$MIGRATION_DIRECTION\"\nexit 7\n"), s);
  const auto r = run_runner(s, {{"MIGRATION_BUNDLE_URL", "s3://bundles-bucket/b/exit7.zip"},
                                {"MIGRATION_BUNDLE_SHA256", sha},
                                {"MIGRATION_DIRECTION", "down"}});
  EXPECT_EQ(r.exit_code, 7) << r.err;
  EXPECT_NE(r.out.find("args=fargate dir=down"), std::string::npos) << r.out;
  EXPECT_NE(r.err.find("[migrations-runner] sha256 verified"), std::string::npos) << r.err;
  EXPECT_EQ(fs::status(s.dir + "/app/migrations-bundle.zip").permissions() & fs::perms::all,
            fs::perms::owner_read | fs::perms::owner_write);
  EXPECT_FALSE(creds_.paths().empty()) << "downloaded with the container credentials";
}

TEST_F(WithS3, RunnerRunsTheRealBundleEndToEnd) {
  Scenario s;
  std::map<std::string, std::string> env = task_env(s);
  env["AWS_ACCESS_KEY_ID"] = "S3RVER";
  env["AWS_SECRET_ACCESS_KEY"] = "S3RVER";
  const Json bundle = bundle_json(
      {"--entry", AURIC_LAMBDA_FIXTURE, "--out", s.dir + "/b.zip", "--upload", "s3://bundles-bucket"}, env);
  const auto r = run_runner(s, {{"MIGRATION_BUNDLE_URL", bundle["upload"]["url"]},
                                {"MIGRATION_BUNDLE_SHA256", bundle["sha256"]},
                                {"MIGRATION_EXECUTION_ID", "exec-fargate"},
                                {"AURIC_MIGRATE_STORE", s.store_url},
                                {"FIXTURE_SIDE_FILE", s.side}});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(s.side_lines().size(), 3u);
  EXPECT_EQ(s.store()->get_execution("exec-fargate")->status, ExecutionStatus::kCompleted);
}

TEST_F(WithS3, RunnerRefusesAndDeletesABundleWithTheWrongSha) {
  Scenario s;
  put_zip("b/good.zip", script("exit 0\n"), s);
  const std::string wrong(64, 'a');
  const auto r = run_runner(
      s, {{"MIGRATION_BUNDLE_URL", "s3://bundles-bucket/b/good.zip"}, {"MIGRATION_BUNDLE_SHA256", wrong}});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("[migrations-runner] bundle sha256 mismatch: expected " + wrong + ", got "),
            std::string::npos)
      << r.err;
  EXPECT_NE(r.err.find("Refusing to execute."), std::string::npos);
  EXPECT_FALSE(fs::exists(s.dir + "/app/migrations-bundle.zip"));
  EXPECT_FALSE(fs::exists(s.dir + "/app/bundle"));
}

TEST_F(WithS3, RunnerVerifiesWhatARetriedDownloadLeft) {
  Scenario s;
  const std::string sha = put_zip("b/retried.zip", script("echo ran\nexit 0\n"), s);
  aws::testing::FaultProxy proxy(s3_.endpoint());
  // The first GET streams other bytes and breaks off: the retry starts the file over, and the
  // digest is of the file as it is then.
  std::atomic<int> gets{0};
  proxy.set_hook(
      [&](const aws::testing::TestRequest& r, std::uint64_t) -> std::optional<aws::testing::TestResponse> {
        if (r.method != "GET" || gets++ > 0) return std::nullopt;
        auto wrong = aws::testing::TestResponse::text(200, std::string(4096, 'Z'));
        wrong.truncate_body_at = 1000;
        return wrong;
      });
  auto r = run_runner(s, {{"MIGRATION_BUNDLE_URL", "s3://bundles-bucket/b/retried.zip"},
                          {"MIGRATION_BUNDLE_SHA256", sha},
                          {"AWS_ENDPOINT_URL_S3", proxy.endpoint()}});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(gets.load(), 2) << "one cut-off GET, one retry";
  EXPECT_NE(r.err.find("[migrations-runner] sha256 verified (" + sha + ")"), std::string::npos) << r.err;
  EXPECT_NE(r.out.find("ran"), std::string::npos);
  EXPECT_EQ(sha256_file(s.dir + "/app/migrations-bundle.zip"), sha);

  // The same cut-off first GET with a wrong expected sha: refused, and the file is gone.
  gets = 0;
  const std::string wrong(64, 'c');
  r = run_runner(s, {{"MIGRATION_BUNDLE_URL", "s3://bundles-bucket/b/retried.zip"},
                     {"MIGRATION_BUNDLE_SHA256", wrong},
                     {"AWS_ENDPOINT_URL_S3", proxy.endpoint()}});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(gets.load(), 2);
  EXPECT_NE(r.err.find("bundle sha256 mismatch: expected " + wrong + ", got " + sha + "."), std::string::npos)
      << r.err;
  EXPECT_FALSE(fs::exists(s.dir + "/app/migrations-bundle.zip"));
  EXPECT_FALSE(fs::exists(s.dir + "/app/migrations-bundle.zip.part"));
}

TEST_F(WithS3, RunnerRequiresAShaUnlessWaived) {
  Scenario s;
  put_zip("b/ok.zip", script("echo ran\nexit 0\n"), s);
  auto r = run_runner(s, {{"MIGRATION_BUNDLE_URL", "s3://bundles-bucket/b/ok.zip"}});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("MIGRATION_BUNDLE_SHA256 is required"), std::string::npos) << r.err;
  EXPECT_EQ(r.out.find("ran"), std::string::npos);
  r = run_runner(s, {{"MIGRATION_BUNDLE_URL", "s3://bundles-bucket/b/ok.zip"},
                     {"MIGRATION_ALLOW_UNVERIFIED_BUNDLE", "1"}});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("WARNING: MIGRATION_BUNDLE_SHA256 not set"), std::string::npos);
  EXPECT_NE(r.out.find("ran"), std::string::npos);
}

TEST_F(WithS3, RunnerReferenceMessagesForBadUrlsAndMissingObjects) {
  Scenario s;
  auto r = run_runner(s, {});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("[migrations-runner] MIGRATION_BUNDLE_URL is required."), std::string::npos) << r.err;
  r = run_runner(s, {{"MIGRATION_BUNDLE_URL", "https://example.com/b.zip"}});
  EXPECT_NE(r.err.find("MIGRATION_BUNDLE_URL must start with s3://"), std::string::npos) << r.err;
  r = run_runner(s, {{"MIGRATION_BUNDLE_URL", "s3://bundles-bucket"}});
  EXPECT_NE(r.err.find("MIGRATION_BUNDLE_URL is malformed (expected s3://bucket/key)"), std::string::npos)
      << r.err;
  r = run_runner(s, {{"MIGRATION_BUNDLE_URL", "s3:///key"}});
  EXPECT_NE(r.err.find("is malformed"), std::string::npos) << r.err;
  r = run_runner(s, {{"MIGRATION_BUNDLE_URL", "s3://bundles-bucket/missing.zip"},
                     {"MIGRATION_BUNDLE_SHA256", std::string(64, 'b')}});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("[migrations-runner] failed to download bundle: "), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("NoSuchKey"), std::string::npos) << r.err;
}

TEST_F(WithS3, RunnerRefusesPathTraversalInTheZip) {
  Scenario s;
  const std::string file = s.dir + "/evil.zip";
  {
    archive* a = archive_write_new();
    archive_write_set_format_zip(a);
    archive_write_open_filename(a, file.c_str());
    archive_entry* e = archive_entry_new();
    archive_entry_set_pathname(e, "../escaped.txt");
    archive_entry_set_filetype(e, AE_IFREG);
    archive_entry_set_perm(e, 0644);
    archive_entry_set_size(e, 3);
    archive_write_header(a, e);
    archive_write_data(a, "bad", 3);
    archive_entry_free(e);
    archive_write_close(a);
    archive_write_free(a);
  }
  aws::S3Client client(s3_.client_config());
  client.put_object_from_file(s3_.bucket(), "evil.zip", file);
  const auto r = run_runner(s, {{"MIGRATION_BUNDLE_URL", "s3://bundles-bucket/evil.zip"},
                                {"MIGRATION_BUNDLE_SHA256", sha256_file(file)}});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("refusing unsafe path in bundle: ../escaped.txt"), std::string::npos) << r.err;
  EXPECT_FALSE(fs::exists(s.dir + "/app/escaped.txt"));
  EXPECT_THROW(write_zip(s.dir + "/x.zip", {{"../x", {}, "x", 0644}}), ZipError);
}

// A crafted archive that libarchive rejects without an error string used to crash the runner.
TEST_F(WithS3, RunnerReportsACorruptBundleAndExitsNonZero) {
  Scenario s;
  const std::string file = s.dir + "/corrupt.zip";
  std::ofstream(file, std::ios::binary)
      << std::string("PK\x03\x04\x14\x00\xdf\x6fotstrapSV\xd4O\xd4O\xcaX\xb0y\xdf\xcaX\xb0y\xdf", 30);
  aws::S3Client client(s3_.client_config());
  client.put_object_from_file(s3_.bucket(), "corrupt.zip", file);
  const auto r = run_runner(s, {{"MIGRATION_BUNDLE_URL", "s3://bundles-bucket/corrupt.zip"},
                                {"MIGRATION_BUNDLE_SHA256", sha256_file(file)}});
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_NE(r.err.find("[migrations-runner] failed to unpack bundle: "), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("corrupt"), std::string::npos) << r.err;
}

class RunnerSignals : public WithS3 {
 protected:
  // Starts the runner on a bundle, waits for the bundle to write its marker, sends SIGTERM.
  auric::test::ProcessResult term_after_start(const Scenario& s, const std::string& body) {
    const std::string sha = put_zip("b/signals.zip", script(body), s);
    ProcessSpec spec;
    spec.argv = {AURIC_RUNNER_TOOL};
    spec.env = task_env(s);
    spec.env["MIGRATION_BUNDLE_URL"] = "s3://bundles-bucket/b/signals.zip";
    spec.env["MIGRATION_BUNDLE_SHA256"] = sha;
    spec.env["MIGRATION_RUNNER_GRACE_MS"] = "400";
    spec.env["MARK"] = s.dir + "/started";
    const int pid = auric::test::spawn(spec, s.dir + "/out", s.dir + "/err");
    const auto deadline = std::chrono::steady_clock::now() + 20s;
    while (!fs::exists(s.dir + "/started") && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(20ms);
    }
    started_ = std::chrono::steady_clock::now();
    ::kill(pid, SIGTERM);
    auto r = auric::test::wait_for(pid);
    r.err = auric::test::read_file(s.dir + "/err");
    r.out = auric::test::read_file(s.dir + "/out");
    return r;
  }
  std::chrono::steady_clock::time_point started_;
};

TEST_F(RunnerSignals, SigtermIsForwardedAndTheChildsExitCodeReturned) {
  Scenario s;
  const auto r = term_after_start(
      s, "trap 'echo got-term; exit 3' TERM\ntouch \"$MARK\"\nwhile :; do sleep 0.05; done\n");
  EXPECT_EQ(r.exit_code, 3) << r.err;
  EXPECT_NE(r.out.find("got-term"), std::string::npos);
  EXPECT_NE(r.err.find("[migrations-runner] received SIGTERM; forwarding to the bundle"), std::string::npos)
      << r.err;
  EXPECT_EQ(r.err.find("SIGKILL"), std::string::npos);
}

TEST_F(RunnerSignals, SigkillFollowsTheGracePeriodAndTheSignalIsReRaised) {
  Scenario s;
  const auto r = term_after_start(s, "trap '' TERM\ntouch \"$MARK\"\nwhile :; do sleep 0.05; done\n");
  const auto elapsed = std::chrono::steady_clock::now() - started_;
  EXPECT_EQ(r.signal, SIGKILL) << r.err;
  EXPECT_GE(elapsed, 400ms);
  EXPECT_LT(elapsed, 10s);
  EXPECT_NE(r.err.find("did not exit within 400 ms; sending SIGKILL"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("killed by signal 9; re-raising it"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace auric::lambda::testing
