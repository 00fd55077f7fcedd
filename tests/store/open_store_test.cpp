// open_store(): URL forms, their errors, the scheme registry, and argument checks shared by
// the embedded backends.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <stdexcept>
#include <string>

#include "core/store.hpp"
#include "store/open_store.hpp"
#include "store/registry.hpp"
#include "store/store_url.hpp"
#include "store/test_paths.hpp"

namespace auric::store_testing {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

// The message of the std::invalid_argument that open_store(url) throws ("" if none).
std::string invalid_argument_of(const std::string& url) {
  try {
    open_store(url);
  } catch (const std::invalid_argument& error) {
    return error.what();
  }
  return "";
}

// Runs `body` with the current folder set to `dir`, then restores it.
template <class Body>
void in_folder(const fs::path& dir, Body body) {
  const auto previous = fs::current_path();
  fs::current_path(dir);
  try {
    body();
  } catch (...) {
    fs::current_path(previous);
    throw;
  }
  fs::current_path(previous);
}

TEST(OpenStore, UnknownSchemeListsTheSupportedForms) {
  EXPECT_EQ(invalid_argument_of("x:y"),
            "unknown store URL 'x:y': expected memory:, sqlite:PATH or dynamodb:TABLE");
  EXPECT_EQ(invalid_argument_of("migrations.db"),
            "unknown store URL 'migrations.db': expected memory:, sqlite:PATH or dynamodb:TABLE");
  EXPECT_EQ(invalid_argument_of(""), "unknown store URL '': expected memory:, sqlite:PATH or dynamodb:TABLE");
  EXPECT_THAT(invalid_argument_of("SQLITE:x.db"), HasSubstr("unknown store URL 'SQLITE:x.db'"));
  EXPECT_THAT(invalid_argument_of(":memory:"), HasSubstr("unknown store URL ':memory:'"));
}

TEST(OpenStore, SqliteNeedsAPath) {
  EXPECT_THAT(invalid_argument_of("sqlite:"), HasSubstr("has no path: expected sqlite:PATH"));
}

TEST(OpenStore, DynamodbIsRegisteredAndValidatesItsUrl) {
  EXPECT_THAT(registered_store_schemes(), ::testing::Contains("dynamodb"));
  // A malformed table name is refused before any network call.
  EXPECT_THAT(invalid_argument_of("dynamodb:bad table?region=eu-west-1"), HasSubstr("bad table"));
}

TEST(OpenStore, MemoryUrlGivesAFreshStoreAndMemoryNameSharesOne) {
  auto fresh1 = open_store("memory:");
  auto fresh2 = open_store("memory:");
  MigrationState state;
  state.id = "m1";
  ASSERT_EQ(fresh1->put_state(state), WriteOutcome::kOk);
  EXPECT_TRUE(fresh2->list_states().empty());

  auto named1 = open_store("memory:open-store-test");
  auto named2 = open_store("memory:open-store-test");
  ASSERT_EQ(named1->put_state(state), WriteOutcome::kOk);
  EXPECT_EQ(named2->list_states().size(), 1u);
  EXPECT_TRUE(open_store("memory:open-store-test-2")->list_states().empty());
  EXPECT_EQ(named2->describe(), "memory:open-store-test");
}

TEST(OpenStore, SqliteSyncOption) {
  const auto dir = new_scratch_dir();
  auto full = open_store("sqlite:" + (dir / "full.db").string() + "?sync=full");
  EXPECT_EQ(full->describe(), "sqlite:" + (dir / "full.db").string());
  auto normal = open_store("sqlite:" + (dir / "normal.db").string() + "?sync=normal");
  EXPECT_TRUE(fs::is_regular_file(dir / "normal.db"));
  EXPECT_THAT(invalid_argument_of("sqlite:" + (dir / "x.db").string() + "?sync=sometimes"),
              HasSubstr("unknown option 'sync=sometimes' (supported: ?sync=normal or ?sync=full)"));
  EXPECT_THAT(invalid_argument_of("sqlite:?sync=full"), HasSubstr("has no path"));
}

TEST(OpenStore, SqliteRelativePathIsResolvedAgainstTheCurrentFolder) {
  const auto dir = new_scratch_dir();
  in_folder(dir, [&] {
    auto store = open_store("sqlite:rel/nested/x.db");
    EXPECT_EQ(store->describe(), "sqlite:" + (dir / "rel/nested/x.db").string());
  });
  EXPECT_TRUE(fs::is_regular_file(dir / "rel/nested/x.db"));
}

TEST(OpenStore, DefaultUrlIsASqliteFileUnderDotAuric) {
  EXPECT_STREQ(kDefaultStoreUrl, "sqlite:.auric/migrations.db");
  const auto dir = new_scratch_dir();
  in_folder(dir, [&] {
    auto store = open_store(kDefaultStoreUrl);
    LockRequest request;
    request.owner = "a";
    ASSERT_TRUE(store->try_acquire_lock(request).acquired);
  });
  EXPECT_TRUE(fs::is_regular_file(dir / ".auric/migrations.db"));
  // The store is usable from another folder through its absolute path.
  EXPECT_EQ(open_store("sqlite:" + (dir / ".auric/migrations.db").string())->read_lock()->owner, "a");
}

TEST(StoreRegistry, ASchemeRegisteredAtRunTimeIsOpenedByUrl) {
  std::string seen_location;
  ASSERT_TRUE(register_store_scheme("test-scheme", [&](const std::string& location) {
    seen_location = location;
    return open_store("memory:");
  }));
  auto store = open_store("test-scheme:some/where?x=1");
  ASSERT_NE(store, nullptr);
  EXPECT_EQ(seen_location, "some/where?x=1");
  EXPECT_THAT(registered_store_schemes(), ::testing::IsSupersetOf({"memory", "sqlite", "test-scheme"}));
  // Registering a scheme replaces the previous opener.
  register_store_scheme("test-scheme", [&](const std::string&) -> std::unique_ptr<Store> {
    throw std::invalid_argument("replaced");
  });
  EXPECT_EQ(invalid_argument_of("test-scheme:x"), "replaced");
}

TEST(StoreRegistry, RejectsMalformedSchemesAndMissingOpeners) {
  const auto opener = [](const std::string&) { return open_store("memory:"); };
  EXPECT_THROW(register_store_scheme("", opener), std::invalid_argument);
  EXPECT_THROW(register_store_scheme("Upper", opener), std::invalid_argument);
  EXPECT_THROW(register_store_scheme("a:b", opener), std::invalid_argument);
  EXPECT_THROW(register_store_scheme("nothing", StoreOpener()), std::invalid_argument);
  EXPECT_THAT(invalid_argument_of("nothing:x"), HasSubstr("unknown store URL"));
}

// Arguments the contract forbids: the embedded backends reject them with invalid_argument.
class EmbeddedArguments : public ::testing::TestWithParam<std::string> {
 protected:
  std::unique_ptr<Store> open() {
    const auto& url = GetParam();
    return open_store(url == "sqlite" ? "sqlite:" + (new_scratch_dir() / "s.db").string() : "memory:");
  }
};

TEST_P(EmbeddedArguments, LimitMustBePositive) {
  auto store = open();
  EXPECT_THROW(store->runs_of_migration("m", 0, ""), std::invalid_argument);
  EXPECT_THROW(store->runs_of_migration("m", -1, ""), std::invalid_argument);
  EXPECT_THROW(store->list_executions(0, ""), std::invalid_argument);
  EXPECT_TRUE(store->list_executions(1, "").items.empty());
}

TEST_P(EmbeddedArguments, ForeignCursorIsRejected) {
  auto store = open();
  EXPECT_THROW(store->runs_of_migration("m", 10, "not-a-cursor"), std::invalid_argument);
  EXPECT_THROW(store->runs_of_migration("m", 10, "|abc"), std::invalid_argument);
  EXPECT_THROW(store->list_executions(10, "12x|abc"), std::invalid_argument);
  EXPECT_TRUE(store->list_executions(10, "12|abc").items.empty()) << "a well-formed cursor";
}

TEST_P(EmbeddedArguments, LockRequestNeedsAnOwner) {
  auto store = open();
  LockRequest request;
  request.ttl_ms = 1000;
  EXPECT_THROW(store->try_acquire_lock(request), std::invalid_argument);
  EXPECT_FALSE(store->read_lock().has_value());
}

INSTANTIATE_TEST_SUITE_P(Embedded, EmbeddedArguments, ::testing::Values("memory", "sqlite"));

// parse_store_url: every built-in scheme, parsed without opening anything.
TEST(StoreUrl, ParsesEveryBuiltInSchemePurely) {
  EXPECT_EQ(std::get<MemoryStoreLocation>(parse_store_url("memory:").parsed).name, "");
  EXPECT_EQ(std::get<MemoryStoreLocation>(parse_store_url("memory:shared").parsed).name, "shared");
  const auto sqlite =
      std::get<SqliteStoreLocation>(parse_store_url("sqlite:/no/such/dir/x.db?sync=full").parsed);
  EXPECT_EQ(sqlite.path, "/no/such/dir/x.db");
  EXPECT_EQ(sqlite.sync, SqliteStoreOptions::Sync::kFull);
  EXPECT_FALSE(fs::exists("/no/such/dir")) << "parsing opens nothing";
  const auto dynamo = std::get<DynamoDbStoreOptions>(
      parse_store_url("dynamodb:my-table?region=eu-west-1&endpoint=http%3A%2F%2F127.0.0.1%3A1").parsed);
  EXPECT_EQ(dynamo.table, "my-table");
  EXPECT_EQ(dynamo.region, "eu-west-1");
  EXPECT_EQ(dynamo.endpoint, "http://127.0.0.1:1");
  const StoreUrl custom = parse_store_url("my-scheme:anything?at=all");
  EXPECT_EQ(custom.scheme, "my-scheme");
  EXPECT_EQ(custom.location, "anything?at=all");
  EXPECT_TRUE(std::holds_alternative<std::monostate>(custom.parsed));
}

TEST(StoreUrl, BadUrlsAreInvalidArgumentNamingTheForm) {
  for (const std::string& bad :
       {std::string(), std::string("nocolon"), std::string(":x"), std::string("SQLITE:x"),
        std::string("sqlite:"), std::string("sqlite:?sync=full"), std::string("sqlite:x?sync=fast"),
        std::string("dynamodb:"), std::string("dynamodb:a"), std::string("dynamodb:t?colour=red"),
        std::string("dynamodb:tab?region="), std::string("sqlite:a\0b", 11)}) {
    try {
      parse_store_url(bad);
      ADD_FAILURE() << "accepted '" << bad << "'";
    } catch (const std::invalid_argument& e) {
      EXPECT_THAT(e.what(), HasSubstr("store URL")) << bad;
    }
  }
}

}  // namespace
}  // namespace auric::store_testing
