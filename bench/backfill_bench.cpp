// Backfills against dynalite (issue 14), through the real engine and the DynamoDB segment store
// (in the same dynalite, as on Lambda or Fargate):
//   - items per second of a threads:1, 2, 4 and 8 backfill that doubles an attribute with the
//     idempotence helper, against a naive single-threaded Scan + UpdateItem loop making the same
//     conditional writes (the peer baseline), in the same run on the same table; the scaling
//     efficiency is (rate at N threads) / (N x rate at 1 thread);
//   - requests per page by kind: Scan, item writes, segment claims/saves (UpdateItem on the
//     store's table), segment lists (Query), DescribeTable, counted by a transport wrapper;
//   - peak RSS of a child process that backfills a table of each size (10,000 and 100,000
//     items by default), to show that memory stays flat in the table's size.
// Medians of REPEAT rounds (each round rewrites every item: its version goes up by one).
// Run: build-test/bench/backfill_bench [items=10000] [repeat=3] [rss sizes=10000,100000]
// (docs/benchmarks.md; dynalite from tests/node: `npm ci` there). dynalite is a single
// Node.js process, so the rates here are bounded by it, not by DynamoDB.
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <memory>
#include <mutex>
#include <sstream>
#include <string>
#include <vector>

#include <auric/backfill.hpp>

#include "aws/dynamodb.hpp"
#include "aws/environment.hpp"
#include "backfill/engine.hpp"
#include "core/segment_store.hpp"
#include "dynalite_server.hpp"
#include "store/dynamodb_store.hpp"

extern char** environ;

namespace {

using auric::BackfillSpec;
using auric::BackfillWrite;
using auric::BackfillWrites;
using auric::aws::AttributeValue;
using auric::aws::Item;
using nlohmann::json;
using Clock = std::chrono::steady_clock;

// Counts requests by operation and table ("UpdateItem bench-store-1").
class CountingTransport final : public auric::aws::HttpTransport {
 public:
  explicit CountingTransport(std::shared_ptr<auric::aws::HttpTransport> inner) : inner_(std::move(inner)) {}
  auric::aws::HttpResponse send(const auric::aws::HttpRequest& request) override {
    std::string op = request.headers.get("X-Amz-Target").value_or("?");
    if (const auto dot = op.find('.'); dot != std::string::npos) op.erase(0, dot + 1);
    const json body = json::parse(request.body, nullptr, false);
    const std::string table = body.is_object() ? body.value("TableName", std::string()) : std::string();
    {
      std::lock_guard lock(mutex_);
      ++counts_[op + " " + table];
      if (op == "UpdateItem" && table == timed_table_) {
        times_ms_.push_back(
            std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now().time_since_epoch()).count());
      }
    }
    return inner_->send(request);
  }
  // Records when each UpdateItem on `table` is sent (the rate-limit round).
  void time_writes_to(std::string table) {
    std::lock_guard lock(mutex_);
    timed_table_ = std::move(table);
    times_ms_.clear();
  }
  std::vector<std::int64_t> write_times() {
    std::lock_guard lock(mutex_);
    return times_ms_;
  }
  std::map<std::string, std::uint64_t> take() {
    std::lock_guard lock(mutex_);
    return std::exchange(counts_, {});
  }

 private:
  std::shared_ptr<auric::aws::HttpTransport> inner_;
  std::mutex mutex_;
  std::map<std::string, std::uint64_t> counts_;
  std::string timed_table_;
  std::vector<std::int64_t> times_ms_;
};

auric::aws::ClientConfig config_for(const std::string& endpoint) {
  auric::aws::ClientConfig config;
  config.region = "us-east-1";
  config.endpoint = endpoint;
  config.credentials = auric::aws::testing::emulator_credentials();
  config.env = std::make_shared<auric::aws::MapEnvironment>();
  return config;
}

std::string unique(const std::string& prefix) {
  static int n = 0;
  return prefix + "-" + std::to_string(::getpid()) + "-" + std::to_string(++n);
}

void seed(auric::aws::DynamoDbClient& db, const std::string& table, int count) {
  db.create_table_if_absent({{"TableName", table},
                             {"BillingMode", "PAY_PER_REQUEST"},
                             {"AttributeDefinitions", {{{"AttributeName", "id"}, {"AttributeType", "S"}}}},
                             {"KeySchema", {{{"AttributeName", "id"}, {"KeyType", "HASH"}}}}});
  std::vector<json> writes;
  writes.reserve(static_cast<std::size_t>(count));
  for (int n = 0; n < count; ++n) {
    char id[32];
    std::snprintf(id, sizeof id, "item-%07d", n);
    const Item item{{"id", AttributeValue::string(id)},
                    {"amount", AttributeValue::number(std::int64_t{n})},
                    {"payload", AttributeValue::string(std::string(200, 'x'))}};
    writes.push_back({{"PutRequest", {{"Item", auric::aws::item_to_wire(item)}}}});
  }
  db.batch_write_all(table, writes);
}

// The same write for both: double `amount`, only if the item's version is below `version`.
BackfillWrites double_amount(const Item& item, int version) {
  return {BackfillWrite::update({{"id", item.at("id")}}, "SET amount = :d", {},
                                {{":d", AttributeValue::number(2 * item.at("amount").as_int())}})
              .only_if_version_below("version", version)};
}

// The peer baseline: one thread, Scan pages of 100, one conditional UpdateItem per item.
std::int64_t naive_loop(auric::aws::DynamoDbClient& db, const std::string& table, int version) {
  std::int64_t written = 0;
  json scan{{"TableName", table}, {"Limit", 100}};
  for (;;) {
    const json page = db.call("Scan", scan);
    for (const auto& wire : page["Items"]) {
      const Item item = auric::aws::item_from_wire(wire);
      json update{{"TableName", table},
                  {"Key", {{"id", wire.at("id")}}},
                  {"UpdateExpression", "SET amount = :d, #v = :v"},
                  {"ConditionExpression", "attribute_not_exists(#v) OR #v < :v"},
                  {"ExpressionAttributeNames", {{"#v", "version"}}},
                  {"ExpressionAttributeValues",
                   {{":d", AttributeValue::number(2 * item.at("amount").as_int()).to_wire()},
                    {":v", AttributeValue::number(std::int64_t{version}).to_wire()}}}};
      if (db.try_update_item(update).applied) ++written;
    }
    if (!page.contains("LastEvaluatedKey")) break;
    scan["ExclusiveStartKey"] = page["LastEvaluatedKey"];
  }
  return written;
}

struct Round {
  double seconds = 0;
  auric::BackfillResult result;
};

Round engine_round(auric::aws::DynamoDbClient& db, auric::SegmentStore& segments, const std::string& table,
                   int threads, int version, double write_units_per_second = 0) {
  BackfillSpec spec;
  spec.table = table;
  spec.total_segments = 16;
  spec.page_size = 100;
  spec.write_units_per_second = write_units_per_second;
  auric::backfill::EngineOptions options;
  options.threads = threads;
  const auto start = Clock::now();
  Round round;
  round.result = auric::backfill::run_backfill(
      db, segments, {"20250101000000_bench", unique("job")}, spec,
      [version](const Item& item) { return double_amount(item, version); }, options);
  round.seconds = std::chrono::duration<double>(Clock::now() - start).count();
  return round;
}

// This process's peak resident set (VmHWM, KiB). It belongs to the address space, so unlike
// ru_maxrss it does not carry over the size of the parent that spawned the process.
long peak_rss_kib() {
  std::FILE* f = std::fopen("/proc/self/status", "r");
  if (f == nullptr) return -1;
  char line[256];
  long kib = -1;
  while (std::fgets(line, sizeof line, f) != nullptr) {
    if (std::sscanf(line, "VmHWM: %ld kB", &kib) == 1) break;
  }
  std::fclose(f);
  return kib;
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v.empty() ? 0 : v[v.size() / 2];
}

// Child mode: backfill `table` (seeded by the parent, `items` long) with threads:4; the parent
// reads the child's peak RSS.
int rss_child(const std::string& endpoint, const std::string& table, int items) {
  auric::aws::DynamoDbClient db(config_for(endpoint));
  auto store = auric::open_dynamodb_store(unique("rss-store"), config_for(endpoint));
  store->init();
  const long before = peak_rss_kib();
  const Round round = engine_round(db, *store->segments(), table, 4, 1);
  std::printf("%lld %.2f %ld %ld\n", static_cast<long long>(round.result.scanned), round.seconds, before,
              peak_rss_kib());
  return round.result.scanned == items ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc == 5 && std::string(argv[1]) == "--rss-child")
    return rss_child(argv[2], argv[3], std::atoi(argv[4]));
  const int items = argc > 1 ? std::atoi(argv[1]) : 10'000;
  const int repeat = argc > 2 ? std::atoi(argv[2]) : 3;
  std::vector<int> rss_sizes = {10'000, 100'000};
  if (argc > 3) {
    rss_sizes.clear();
    std::stringstream list(argv[3]);
    for (std::string n; std::getline(list, n, ',');) rss_sizes.push_back(std::atoi(n.c_str()));
  }

  auric::aws::testing::DynaliteServer dynalite;
  auto transport = std::make_shared<CountingTransport>(auric::aws::default_transport());
  auto config = config_for(dynalite.endpoint());
  config.transport = transport;
  auric::aws::DynamoDbClient db(config);
  const std::string table = unique("bench-source");
  const auto seed_start = Clock::now();
  seed(db, table, items);
  const double seed_s = std::chrono::duration<double>(Clock::now() - seed_start).count();
  const std::string store_table = unique("bench-store");
  auto store = auric::open_dynamodb_store(store_table, config);
  store->init();
  transport->take();
  std::printf("dynalite: %d items seeded with BatchWriteItem in %.1f s (%.0f items/s)\n", items, seed_s,
              items / seed_s);

  if (repeat > 0) {  // repeat 0: only the memory part
    int version = 0;
    std::vector<double> naive;
    for (int r = 0; r < repeat; ++r) {
      const auto start = Clock::now();
      const auto written = naive_loop(db, table, ++version);
      naive.push_back(std::chrono::duration<double>(Clock::now() - start).count());
      if (written != items)
        std::fprintf(stderr, "naive loop wrote %lld of %d\n", static_cast<long long>(written), items);
    }
    transport->take();
    const double naive_rate = items / median(naive);
    std::printf("\n%-28s %10s %12s %10s\n", "", "median s", "items/s", "vs naive");
    std::printf("%-28s %10.2f %12.0f %10s\n", "naive Scan + UpdateItem", median(naive), naive_rate, "1.00");

    double one_thread_rate = 0;
    std::map<std::string, std::uint64_t> counts;
    std::int64_t pages = 0;
    for (const int threads : {1, 2, 4, 8}) {
      std::vector<double> seconds;
      for (int r = 0; r < repeat; ++r) {
        const Round round = engine_round(db, *store->segments(), table, threads, ++version);
        if (round.result.written != items || round.result.scanned != items) {
          std::fprintf(stderr, "threads:%d wrote %lld of %d\n", threads,
                       static_cast<long long>(round.result.written), items);
          return 1;
        }
        seconds.push_back(round.seconds);
      }
      const double rate = items / median(seconds);
      if (threads == 1) one_thread_rate = rate;
      char label[32];
      std::snprintf(label, sizeof label, "backfill threads:%d", threads);
      std::printf("%-28s %10.2f %12.0f %9.2fx   scaling efficiency %.0f%%\n", label, median(seconds), rate,
                  rate / naive_rate, 100.0 * rate / (threads * one_thread_rate));
      if (threads == 4) {
        counts = transport->take();
        pages = 0;
        for (const auto& [kind, n] : counts) {
          if (kind.starts_with("Scan ")) pages += static_cast<std::int64_t>(n);
        }
      } else {
        transport->take();
      }
    }

    std::printf("\nRequests of the threads:4 rounds (%d rounds, 16 segments, pages of 100): per page\n",
                repeat);
    for (const auto& [kind, n] : counts) {
      const bool store_side = kind.ends_with(" " + store_table);
      std::printf("  %-48s %8llu  %6.2f%s\n", kind.c_str(), static_cast<unsigned long long>(n),
                  static_cast<double>(n) / static_cast<double>(std::max<std::int64_t>(pages, 1)),
                  store_side ? "  (segment coordination)" : "");
    }

    // The rate limit measured at the client's transport: the writes sent in every 10 s window
    // (sliding, 100 ms steps) of a threads:8 round limited to kLimit WCU/s (each item write is
    // 1 WCU: dynalite reports no ConsumedCapacity, so the engine charges its size estimate).
    constexpr double kLimit = 300;
    transport->time_writes_to(table);
    const Round limited = engine_round(db, *store->segments(), table, 8, ++version, kLimit);
    const auto times = transport->write_times();
    std::size_t worst = 0;
    if (!times.empty()) {
      for (std::int64_t start = times.front(); start + 10'000 <= times.back() + 100; start += 100) {
        const auto from = std::lower_bound(times.begin(), times.end(), start);
        const auto to = std::lower_bound(times.begin(), times.end(), start + 10'000);
        worst = std::max(worst, static_cast<std::size_t>(to - from));
      }
    }
    std::printf(
        "\nRate limit %.0f WCU/s, threads:8: %lld writes in %.1f s (%.0f/s overall); the busiest 10 s "
        "window held %zu writes = %.1f%% of the limit's %.0f\n",
        kLimit, static_cast<long long>(limited.result.written), limited.seconds,
        static_cast<double>(limited.result.written) / limited.seconds, worst,
        100.0 * static_cast<double>(worst) / (kLimit * 10), kLimit * 10);
    transport->take();
  }
  std::printf("\nPeak RSS (VmHWM) of a child process backfilling a fresh table with threads:4\n");
  for (const int size : rss_sizes) {
    const std::string self = "/proc/self/exe";
    const std::string endpoint = dynalite.endpoint();
    const std::string n = std::to_string(size);
    const std::string source = unique("rss-source");
    seed(db, source, size);
    std::vector<char*> child_argv = {const_cast<char*>(self.c_str()),     const_cast<char*>("--rss-child"),
                                     const_cast<char*>(endpoint.c_str()), const_cast<char*>(source.c_str()),
                                     const_cast<char*>(n.c_str()),        nullptr};
    int out[2];
    if (::pipe(out) != 0) return 1;
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, out[1], 1);
    posix_spawn_file_actions_addclose(&actions, out[0]);
    pid_t pid = 0;
    if (posix_spawn(&pid, self.c_str(), &actions, nullptr, child_argv.data(), environ) != 0) return 1;
    posix_spawn_file_actions_destroy(&actions);
    ::close(out[1]);
    std::string text;
    char buf[256];
    for (ssize_t got; (got = ::read(out[0], buf, sizeof buf)) > 0;)
      text.append(buf, static_cast<std::size_t>(got));
    ::close(out[0]);
    int status = 0;
    ::waitpid(pid, &status, 0);
    long long scanned = 0;
    double seconds = 0;
    long before_kb = 0;
    long peak_kb = 0;
    std::sscanf(text.c_str(), "%lld %lf %ld %ld", &scanned, &seconds, &before_kb, &peak_kb);
    std::printf("  %7d items: peak %6.1f MiB (%5.1f MiB before the backfill), %lld scanned in %.1f s%s\n",
                size, peak_kb / 1024.0, before_kb / 1024.0, scanned, seconds,
                WIFEXITED(status) && WEXITSTATUS(status) == 0 ? "" : "  FAILED");
  }
  return 0;
}
