/// What the Redis store does beyond the conformance suite: its URLs, that a
/// password is never printed, what an unreachable or refusing server says,
/// its key layout, and its lease watch.

#include "store/redis_store.hpp"

#include <gtest/gtest.h>
#include <hiredis/hiredis.h>
#include <stdlib.h>

#include <algorithm>
#include <chrono>
#include <csignal>
#include <functional>
#include <stdexcept>
#include <thread>
#include <vector>

#include "codec/record.hpp"
#include "jug/archives.hpp"
#include "jug/codec.hpp"
#include "jug/errors.hpp"
#include "store/record_io.hpp"
#include "store/redis_url.hpp"
#include "unit/store/cutting_proxy.hpp"
#include "unit/store/redis_server.hpp"
#include "unit/store/store_test_support.hpp"

namespace jug::store_test {
namespace {

using namespace std::chrono_literals;

// As jug::main does: a write to a connection the server dropped fails with
// EPIPE instead of killing the test.
const bool kBrokenPipesFail = (std::signal(SIGPIPE, SIG_IGN), true);

/// The message of the StoreError `open` throws (fails when none is thrown).
template <typename F>
std::string store_error_of(F&& open) {
  try {
    open();
  } catch (const StoreError& e) {
    return e.what();
  }
  ADD_FAILURE() << "no StoreError thrown";
  return {};
}

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

/// JUG_REDIS_PASSWORD set for the life of this object.
class PasswordInEnvironment {
 public:
  explicit PasswordInEnvironment(const char* password) {
    ::setenv("JUG_REDIS_PASSWORD", password, 1);
  }
  ~PasswordInEnvironment() { ::unsetenv("JUG_REDIS_PASSWORD"); }
};

// ---- URLs ------------------------------------------------------------------------

TEST(RedisUrl, DefaultsToPort6379Database0AndPrefixJug) {
  const RedisUrl url = RedisUrl::parse("redis://127.0.0.1/");
  EXPECT_EQ(url.host, "127.0.0.1");
  EXPECT_EQ(url.port, 6379);
  EXPECT_EQ(url.db, 0);
  EXPECT_EQ(url.prefix, "jug:");
  EXPECT_TRUE(url.password.empty());
  EXPECT_EQ(url.masked(), "redis://127.0.0.1:6379/0");
  EXPECT_EQ(RedisUrl::parse("redis://cache.local").masked(), "redis://cache.local:6379/0");
}

TEST(RedisUrl, ReadsEveryPart) {
  const RedisUrl url = RedisUrl::parse("redis://alice:s%40cret@db.example:6380/3?prefix=proj");
  EXPECT_EQ(url.user, "alice");
  EXPECT_EQ(url.password, "s@cret");
  EXPECT_EQ(url.host, "db.example");
  EXPECT_EQ(url.port, 6380);
  EXPECT_EQ(url.db, 3);
  EXPECT_EQ(url.prefix, "proj:");
  EXPECT_EQ(url.masked(), "redis://***@db.example:6380/3?prefix=proj");
}

TEST(RedisUrl, ReadsPasswordOnlyAndIpv6) {
  const RedisUrl url = RedisUrl::parse("redis://:pw@[::1]:7000");
  EXPECT_TRUE(url.user.empty());
  EXPECT_EQ(url.password, "pw");
  EXPECT_EQ(url.host, "::1");
  EXPECT_EQ(url.port, 7000);
  EXPECT_EQ(url.masked(), "redis://***@[::1]:7000/0");
}

TEST(RedisUrl, ReadsUnixSockets) {
  const RedisUrl url = RedisUrl::parse("unix:///run/redis/redis.sock?db=2&prefix=p");
  EXPECT_EQ(url.socket_path, "/run/redis/redis.sock");
  EXPECT_EQ(url.db, 2);
  EXPECT_EQ(url.prefix, "p:");
  EXPECT_EQ(url.masked(), "unix:///run/redis/redis.sock?db=2&prefix=p");
  EXPECT_EQ(RedisUrl::parse("unix:///tmp/r.sock").db, 0);
}

TEST(RedisUrl, TakesThePasswordFromTheEnvironment) {
  PasswordInEnvironment env("from-env");
  EXPECT_EQ(RedisUrl::parse("redis://h/").password, "from-env");
  EXPECT_EQ(RedisUrl::parse("redis://h/").masked(), "redis://***@h:6379/0");
  EXPECT_EQ(RedisUrl::parse("redis://:in-url@h/").password, "in-url");
}

TEST(RedisUrl, NamesRedisOnlyForItsSchemes) {
  EXPECT_TRUE(RedisUrl::names_redis("redis://h/"));
  EXPECT_TRUE(RedisUrl::names_redis("unix:///s"));
  EXPECT_FALSE(RedisUrl::names_redis("jugfile.jugdata"));
  EXPECT_FALSE(RedisUrl::names_redis("memory:"));
}

TEST(RedisUrl, BadUrlsSayWhatIsWrongWithoutThePassword) {
  const std::string port = store_error_of([] { RedisUrl::parse("redis://:hunter2@h:99999/"); });
  EXPECT_TRUE(contains(port, "port `99999`")) << port;
  EXPECT_FALSE(contains(port, "hunter2")) << port;
  EXPECT_TRUE(contains(port, "redis://***@h:99999/")) << port;
  const std::string db = store_error_of([] { RedisUrl::parse("redis://h/x"); });
  EXPECT_TRUE(contains(db, "database `x`")) << db;
  const std::string option = store_error_of([] { RedisUrl::parse("redis://h/?prefx=a"); });
  EXPECT_TRUE(contains(option, "unknown option `prefx`")) << option;
  const std::string relative = store_error_of([] { RedisUrl::parse("unix://run/r.sock"); });
  EXPECT_TRUE(contains(relative, "absolute")) << relative;
  const std::string host = store_error_of([] { RedisUrl::parse("redis://:pw@:6379/"); });
  EXPECT_TRUE(contains(host, "no host")) << host;
}

// ---- servers that cannot be used -------------------------------------------------

TEST(RedisStore, AnUnreachableServerIsOneLineNamingTheUrl) {
  const int port = free_loopback_port();  // nobody listens there
  const std::string url = "redis://:hunter2@127.0.0.1:" + std::to_string(port) + "/";
  const std::string message = store_error_of([&] { RedisStore store(url); });
  EXPECT_TRUE(contains(message, "redis://***@127.0.0.1:" + std::to_string(port) + "/0")) << message;
  EXPECT_TRUE(contains(message, "connection refused")) << message;
  EXPECT_FALSE(contains(message, "hunter2")) << message;
  EXPECT_FALSE(contains(message, "\n")) << message;
}

TEST(RedisStore, AnUnknownHostIsSaid) {
  // `.invalid` never resolves (RFC 2606).
  const std::string message =
      store_error_of([] { RedisStore store("redis://no-such-host.invalid/"); });
  EXPECT_TRUE(contains(message, "unknown host `no-such-host.invalid`")) << message;
  EXPECT_TRUE(contains(message, "redis://no-such-host.invalid:6379/0")) << message;
}

TEST(RedisStore, AMissingSocketSaysSo) {
  TempDirectory dir;
  const std::string message =
      store_error_of([&] { RedisStore store("unix://" + dir.path() + "/none.sock"); });
  EXPECT_TRUE(contains(message, "none.sock")) << message;
}

class RedisWithPassword : public ::testing::Test {
 protected:
  RedisServer server_{{"--requirepass", "right-password"}};
};

// ---- settings that lose results ----------------------------------------------------

TEST(RedisStore, WarnsOfAServerThatKeepsResultsOnlyInMemory) {
  RedisServer server;  // --save "" --appendonly no
  const std::optional<std::string> warning = RedisStore(server.url()).durability_warning();
  ASSERT_TRUE(warning.has_value());
  EXPECT_TRUE(contains(*warning, "only in memory")) << *warning;
  EXPECT_TRUE(contains(*warning, "appendonly yes")) << *warning;
}

TEST(RedisStore, WarnsOfAServerThatMayEvictResults) {
  RedisServer server({"--appendonly", "yes", "--maxmemory-policy", "allkeys-lru"});
  const std::optional<std::string> warning = RedisStore(server.url()).durability_warning();
  ASSERT_TRUE(warning.has_value());
  EXPECT_TRUE(contains(*warning, "maxmemory-policy allkeys-lru")) << *warning;
  EXPECT_TRUE(contains(*warning, "noeviction")) << *warning;
}

TEST(RedisStore, SaysNothingOfAServerThatKeepsResultsOrHidesItsConfig) {
  RedisServer with_aof({"--appendonly", "yes"});
  EXPECT_EQ(RedisStore(with_aof.url()).durability_warning(), std::nullopt);
  RedisServer with_snapshots({"--save", "60 1"});
  EXPECT_EQ(RedisStore(with_snapshots.url()).durability_warning(), std::nullopt);
  RedisServer without_config({"--rename-command", "CONFIG", ""});
  EXPECT_EQ(RedisStore(without_config.url()).durability_warning(), std::nullopt);
}

// ---- a server that goes away ---------------------------------------------------

TEST(RedisStore, ACallThatMeetsARestartedServerReconnectsAndSucceeds) {
  RedisServer server;
  RedisStore store(server.url("/0?prefix=restart"));
  store.put(task(1), "r");
  // Several connections in the pool: all of them are dead after the restart.
  std::vector<std::thread> threads;
  for (int i = 0; i < 4; ++i) threads.emplace_back([&] { (void)store.contains(task(1)); });
  for (auto& t : threads) t.join();
  server.restart();
  EXPECT_EQ(store.get(task(1)), std::nullopt) << "no persistence: the restarted server is empty";
  store.put(task(2), "r");
  EXPECT_TRUE(store.contains(task(2)));
}

TEST(RedisStore, ACallWaitsForAServerThatComesBack) {
  RedisServer server;
  RedisStore store(server.url("/0?prefix=back"), 20s);
  server.crash();
  const auto start = std::chrono::steady_clock::now();
  std::chrono::steady_clock::duration took{};
  std::thread call([&] {
    try {
      store.put(task(1), "r");  // returns once the server is back
    } catch (const StoreError& e) {
      ADD_FAILURE() << e.what();
    }
    took = std::chrono::steady_clock::now() - start;
  });
  // Started from this thread, which outlives it: a server dies with the
  // thread that started it (PR_SET_PDEATHSIG).
  std::this_thread::sleep_for(500ms);
  server.start_again();
  call.join();
  EXPECT_GE(took, 500ms);
  EXPECT_EQ(store.get(task(1)), "r");
}

TEST(RedisStore, AServerGoneForGoodIsGivenUpOnAfterTheReconnectTime) {
  RedisServer server;
  RedisStore store(server.url("/0?prefix=gone"), 1s);
  server.crash();
  const auto start = std::chrono::steady_clock::now();
  const std::string message = store_error_of([&] { store.put(task(1), "r"); });
  const auto took = std::chrono::steady_clock::now() - start;
  EXPECT_TRUE(contains(message, "redis://127.0.0.1:" + std::to_string(server.port()) + "/0"))
      << message;
  EXPECT_TRUE(contains(message, "gave up reconnecting after 1 s (--reconnect-time)")) << message;
  EXPECT_TRUE(contains(message, "connection refused")) << message;
  EXPECT_GE(took, 1s);
  EXPECT_LT(took, 6s);
}

std::vector<TaskHash> sorted(std::vector<TaskHash> hashes) {
  std::sort(hashes.begin(), hashes.end());
  return hashes;
}

const LeaseOwner kAlice{"host-a", 101, 1, "machine-a"};
const LeaseOwner kBob{"host-b", 202, 2, "machine-b"};

/// A store talking to the server through a CuttingProxy, which can drop a
/// connection after the server ran a command and before its reply arrives.
class RedisReplyLost : public ::testing::Test {
 protected:
  RedisServer server_;
  CuttingProxy proxy_{server_.port()};
  RedisStore store_{proxy_.url("/0?prefix=cut"), 20s};
  RedisStore direct_{server_.url("/0?prefix=cut")};

  /// Has the server load the scripts (at their first use, a NOSCRIPT reply
  /// would be the one lost): a reply lost is then one of a command that ran.
  void SetUp() override { direct_.release(task(0), kAlice); }
  void TearDown() override { EXPECT_EQ(proxy_.cuts(), expected_cuts_); }
  /// The next call's reply is lost (once).
  void lose_next_reply() {
    proxy_.cut_next_reply();
    ++expected_cuts_;
  }

 private:
  int expected_cuts_ = 0;
};

TEST_F(RedisReplyLost, ALeaseTakenUnseenIsTakenOnce) {
  lose_next_reply();
  EXPECT_TRUE(store_.acquire(task(1), kAlice)) << "the first sending took it: it is ours";
  EXPECT_FALSE(direct_.acquire(task(1), kBob));
  EXPECT_FALSE(store_.acquire(task(1), kAlice)) << "taken twice, without a lost reply";
  store_.release(task(1), kAlice);
  EXPECT_EQ(direct_.lease(task(1)), std::nullopt);
}

TEST_F(RedisReplyLost, ALeaseTakenByAnotherIsNotTakenAgainUnseen) {
  ASSERT_TRUE(direct_.acquire(task(1), kBob));
  lose_next_reply();
  EXPECT_FALSE(store_.acquire(task(1), kAlice));
  EXPECT_EQ(direct_.lease(task(1))->owner, kBob);
}

TEST_F(RedisReplyLost, ACrashRecordedUnseenIsRecordedOnce) {
  lose_next_reply();
  EXPECT_EQ(store_.record_crash(task(1), "died"), std::vector<std::string>{"died"});
  EXPECT_EQ(direct_.crashes(task(1)), std::vector<std::string>{"died"});
  // The same words again, sent once, are a second crash.
  EXPECT_EQ(store_.record_crash(task(1), "died").size(), 2u);
}

TEST_F(RedisReplyLost, ALeaseBrokenUnseenIsBrokenOnceAndItsCrashRecordedOnce) {
  ASSERT_TRUE(direct_.acquire(task(1), kBob));
  const LeaseInfo seen = *direct_.lease(task(1));
  lose_next_reply();
  int recorded = 0;
  EXPECT_TRUE(store_.break_lease(seen, [&] {
    ++recorded;
    store_.record_crash(task(1), "bob died");
  }));
  EXPECT_EQ(recorded, 1);
  EXPECT_EQ(direct_.lease(task(1)), std::nullopt);
  EXPECT_EQ(direct_.crashes(task(1)), std::vector<std::string>{"bob died"});
}

TEST_F(RedisReplyLost, AResultStoredUnseenIsStored) {
  lose_next_reply();
  store_.put(task(1), "r");
  EXPECT_EQ(direct_.get(task(1)), "r");
  EXPECT_EQ(direct_.list(), std::vector<TaskHash>{task(1)});
}

TEST_F(RedisReplyLost, AResultStoredAndTheNextLeaseTakenUnseenAreBoth) {
  ASSERT_TRUE(store_.acquire(task(1), kAlice));
  lose_next_reply();
  const std::optional<LeasedTask> next =
      store_.put_release_and_acquire(task(1), "r", kAlice, TaskTroubles{}, task(2));
  EXPECT_TRUE(next.has_value()) << "the first sending took it: it is ours";
  EXPECT_EQ(direct_.get(task(1)), "r");
  EXPECT_EQ(direct_.lease(task(1)), std::nullopt);
  ASSERT_TRUE(direct_.lease(task(2)).has_value());
  EXPECT_EQ(direct_.lease(task(2))->owner, kAlice);
}

TEST_F(RedisReplyLost, AReadWhoseReplyWasLostIsReadAgain) {
  direct_.put(task(1), "r");
  lose_next_reply();
  EXPECT_EQ(store_.get(task(1)), "r");
}

TEST_F(RedisReplyLost, ALookupOfManyResultsWhoseReplyWasLostIsAskedAgain) {
  for (int i = 0; i < 30; i += 3) direct_.put(task(i), "r");
  lose_next_reply();
  const std::vector<bool> found = store_.contains_all(tasks(30));
  for (int i = 0; i < 30; ++i) EXPECT_EQ(found[static_cast<std::size_t>(i)], i % 3 == 0) << i;
}

TEST_F(RedisWithPassword, AWrongPasswordIsSaidAndNotShown) {
  const std::string message =
      store_error_of([&] { RedisStore store(server_.url().insert(8, ":wrong-password@")); });
  EXPECT_TRUE(contains(message, "wrong password")) << message;
  EXPECT_TRUE(contains(message, "redis://***@127.0.0.1:")) << message;
  EXPECT_FALSE(contains(message, "wrong-password")) << message;
  EXPECT_FALSE(contains(message, "right-password")) << message;
}

TEST_F(RedisWithPassword, AMissingPasswordSaysWhereToGiveIt) {
  const std::string message = store_error_of([&] { RedisStore store(server_.url()); });
  EXPECT_TRUE(contains(message, "requires a password")) << message;
  EXPECT_TRUE(contains(message, "JUG_REDIS_PASSWORD")) << message;
}

TEST_F(RedisWithPassword, TheRightPasswordWorksFromTheUrlOrTheEnvironment) {
  RedisStore in_url(server_.url().insert(8, ":right-password@"));
  in_url.put(task(1), "r");
  EXPECT_FALSE(contains(in_url.describe(), "right-password")) << in_url.describe();
  EXPECT_FALSE(contains(in_url.location(task(1)), "right-password"));
  PasswordInEnvironment env("right-password");
  RedisStore from_env(server_.url());
  EXPECT_EQ(from_env.get(task(1)), "r");
  EXPECT_FALSE(contains(from_env.describe(), "right-password")) << from_env.describe();
}

class RedisStoreTest : public ::testing::Test {
 protected:
  static RedisServer& server() {
    static RedisServer server;
    return server;
  }
  /// `name` made unique to this test (the server lives for the whole run,
  /// which --gtest_repeat may repeat).
  static std::string unique(const std::string& name) {
    static int count = 0;
    return name + std::to_string(++count);
  }
  /// A store under the prefix `name:`.
  std::unique_ptr<RedisStore> open(const std::string& name) {
    return std::make_unique<RedisStore>(server().url("/0?prefix=" + name));
  }
  /// A raw connection, to look at the keys behind the store's back.
  redisReply* raw(const std::vector<std::string>& args) {
    if (raw_ == nullptr) raw_ = redisConnect("127.0.0.1", server().port());
    std::vector<const char*> argv;
    std::vector<std::size_t> lengths;
    for (const std::string& arg : args) {
      argv.push_back(arg.data());
      lengths.push_back(arg.size());
    }
    last_ = static_cast<redisReply*>(
        redisCommandArgv(raw_, static_cast<int>(argv.size()), argv.data(), lengths.data()));
    replies_.push_back(last_);
    return last_;
  }
  ~RedisStoreTest() override {
    for (redisReply* reply : replies_) freeReplyObject(reply);
    if (raw_ != nullptr) redisFree(raw_);
  }

 private:
  redisContext* raw_ = nullptr;
  redisReply* last_ = nullptr;
  std::vector<redisReply*> replies_;
};

TEST_F(RedisStoreTest, ADatabaseThatDoesNotExistIsSaid) {
  const std::string message = store_error_of([&] { RedisStore store(server().url("/99")); });
  EXPECT_TRUE(contains(message, "no database 99")) << message;
}

TEST_F(RedisStoreTest, ReachesTheServerThroughItsUnixSocket) {
  const std::string prefix = unique("socket");
  RedisStore over_tcp(server().url("/0?prefix=" + prefix));
  RedisStore over_socket("unix://" + server().socket_path() + "?prefix=" + prefix);
  over_tcp.put(task(1), "r");
  EXPECT_EQ(over_socket.get(task(1)), "r");
  EXPECT_TRUE(contains(over_socket.describe(), "unix://")) << over_socket.describe();
}

TEST_F(RedisStoreTest, KeepsRecordsAsPlainBinaryStringsWithAnIndex) {
  const std::string prefix = unique("layout");
  auto store = open(prefix);
  const std::string record("\0\xff binary", 9);
  store->put(task(1), record);
  redisReply* value = raw({"GET", prefix + ":result:" + task(1).hex()});
  ASSERT_EQ(value->type, REDIS_REPLY_STRING);
  EXPECT_EQ(std::string(value->str, value->len), record);
  EXPECT_EQ(raw({"SISMEMBER", prefix + ":results", task(1).hex()})->integer, 1);
  store->remove(task(1));
  EXPECT_EQ(raw({"EXISTS", prefix + ":result:" + task(1).hex()})->integer, 0);
  EXPECT_EQ(raw({"SISMEMBER", prefix + ":results", task(1).hex()})->integer, 0);
}

TEST_F(RedisStoreTest, RepairingTheIndexListsUnlistedKeysAndDropsStaleEntries) {
  // A prefix with glob characters: its keys are matched as written.
  const std::string prefix = unique("re*pair?");
  auto store = open(prefix);
  auto other = open(unique("repair"));  // a prefix that the first does not match
  for (int i = 1; i <= 3; ++i) store->put(task(i), "r");
  other->put(task(9), "r");
  store->record_failure(task(4), "boom");
  raw({"SREM", prefix + ":results", task(1).hex()});         // a result the index lost
  raw({"SADD", prefix + ":results", task(7).hex()});         // an entry with no result
  raw({"SADD", prefix + ":failures", task(8).hex()});
  raw({"SET", prefix + ":result:not-a-hash", "x"});          // not ours: left alone
  EXPECT_EQ(sorted(store->list()), sorted({task(2), task(3), task(7)}));

  const Store::IndexRepair looked = store->repair_index(/*dry_run=*/true);
  EXPECT_EQ(looked.unlisted, 1u);
  EXPECT_EQ(looked.stale, 2u);
  EXPECT_EQ(store->list().size(), 3u) << "a dry run changes nothing";

  const Store::IndexRepair repaired = store->repair_index(/*dry_run=*/false);
  EXPECT_EQ(repaired.unlisted, 1u);
  EXPECT_EQ(repaired.stale, 2u);
  EXPECT_EQ(sorted(store->list()), sorted({task(1), task(2), task(3)}));
  EXPECT_EQ(store->list_failures().size(), 1u);
  EXPECT_EQ(store->contains_all(std::vector<TaskHash>{task(1), task(7)}),
            (std::vector<bool>{true, false}));
  EXPECT_EQ(other->list(), std::vector<TaskHash>{task(9)});
  const Store::IndexRepair again = store->repair_index(false);
  EXPECT_EQ(again.unlisted + again.stale, 0u);
}

TEST_F(RedisStoreTest, LooksUpTensOfThousandsOfResultsAtOnce) {
  // More than one command of names (10,000 each), sent in several chunks.
  auto store = open(unique("many"));
  const std::vector<TaskHash> hashes = tasks(25'001);
  for (std::size_t i = 0; i < hashes.size(); i += 7) store->put(hashes[i], "r");
  const std::vector<bool> found = store->contains_all(hashes);
  ASSERT_EQ(found.size(), hashes.size());
  for (std::size_t i = 0; i < hashes.size(); ++i) ASSERT_EQ(found[i], i % 7 == 0) << i;
  // The connection reads other replies as before.
  EXPECT_EQ(store->get(hashes[0]), "r");
  EXPECT_EQ(store->list().size(), (hashes.size() + 6) / 7);
}

TEST_F(RedisStoreTest, ALookupTheServerRefusesIsSaidAndTheConnectionStaysUsable) {
  const std::string prefix = unique("wrongtype");
  auto store = open(prefix);
  store->put(task(1), "r");
  raw({"DEL", prefix + ":results"});
  raw({"SET", prefix + ":results", "not a set"});  // damaged by hand
  const std::string message = store_error_of([&] { store->contains_all(tasks(3)); });
  EXPECT_TRUE(contains(message, "WRONGTYPE")) << message;
  EXPECT_EQ(store->get(task(1)), "r");
}

// ---- records larger than one Redis string ----------------------------------------

/// `size` bytes that differ from chunk to chunk.
std::string record_of(std::size_t size) {
  std::string record(size, '\0');
  for (std::size_t i = 0; i < size; ++i) record[i] = static_cast<char>('a' + (i * 7 + i / 13) % 26);
  return record;
}

TEST_F(RedisStoreTest, ARecordLargerThanAChunkIsStoredInChunksBehindAManifest) {
  const std::string prefix = unique("chunks");
  RedisStore store(server().url("/0?prefix=" + prefix), 300s, /*chunk_size=*/10);
  const std::string record = record_of(95);
  store.put(task(1), record);
  EXPECT_EQ(store.get(task(1)), record);
  EXPECT_TRUE(store.contains(task(1)));
  EXPECT_EQ(store.list(), std::vector<TaskHash>{task(1)});
  const std::string manifest = raw({"GET", prefix + ":result:" + task(1).hex()})->str;
  EXPECT_TRUE(manifest.starts_with("jug-chunks 1 ")) << manifest;
  EXPECT_TRUE(manifest.ends_with(" 10 95\n")) << manifest;
  redisReply* chunks = raw({"KEYS", prefix + ":chunk:*"});
  EXPECT_EQ(chunks->elements, 10u);
  // A record that fits is stored as itself.
  store.put(task(2), record.substr(0, 10));
  EXPECT_EQ(std::string(raw({"GET", prefix + ":result:" + task(2).hex()})->str), record.substr(0, 10));
}

TEST_F(RedisStoreTest, ChunksOfAReplacedOrRemovedRecordAreDeleted) {
  const std::string prefix = unique("rechunk");
  RedisStore store(server().url("/0?prefix=" + prefix), 300s, /*chunk_size=*/10);
  store.put(task(1), record_of(95));
  store.put(task(1), record_of(35));  // chunked again, other chunks
  EXPECT_EQ(store.get(task(1)), record_of(35));
  EXPECT_EQ(raw({"KEYS", prefix + ":chunk:*"})->elements, 4u);
  store.put(task(1), "small");
  EXPECT_EQ(store.get(task(1)), "small");
  EXPECT_EQ(raw({"KEYS", prefix + ":chunk:*"})->elements, 0u);
  store.put(task(1), record_of(25));
  EXPECT_TRUE(store.remove(task(1)));
  EXPECT_EQ(store.get(task(1)), std::nullopt);
  EXPECT_EQ(raw({"KEYS", prefix + ":chunk:*"})->elements, 0u);
  EXPECT_TRUE(store.list().empty());
}

TEST_F(RedisStoreTest, AChunkLostForGoodLeavesARecordCutShort) {
  // Cut short, it fails the codec's checks: reported as damaged, and
  // computed again, like a damaged file.
  const std::string prefix = unique("lostchunk");
  RedisStore store(server().url("/0?prefix=" + prefix), 300s, /*chunk_size=*/10);
  store.put(task(1), record_of(95));
  redisReply* chunks = raw({"KEYS", prefix + ":chunk:*:3"});  // one of the ten bytes
  ASSERT_EQ(chunks->elements, 1u);
  raw({"DEL", chunks->element[0]->str});
  const std::optional<std::string> read = store.get(task(1));
  ASSERT_TRUE(read.has_value());
  EXPECT_EQ(read->size(), 85u);
}

/// A big record as the engine hands it over: produced into the writer in
/// pieces of 7 bytes, its first 25 bytes (a header, over three chunks of
/// 10) written last.
RecordBytes produced(std::string record, std::function<void()> midway = {}) {
  constexpr std::size_t kHeader = 25;
  return RecordBytes(record.size(), [record, midway](RecordWriter& writer) {
    writer.append(std::string(kHeader, '?'));
    for (std::size_t at = kHeader; at < record.size(); at += 7) {
      if (midway && at > record.size() / 2) midway();
      writer.append(std::string_view(record).substr(at, 7));
    }
    writer.overwrite_start(std::string_view(record).substr(0, kHeader));
  });
}

/// All of a record, read through open_record in pieces of `piece` bytes.
std::string read_in_pieces(RecordSource& source, std::size_t piece) {
  std::string out;
  std::string buffer(piece, '\0');
  while (true) {
    const std::size_t got = source.read_at(out.size(), buffer);
    out.append(buffer, 0, got);
    if (got < piece) return out;
  }
}

TEST_F(RedisStoreTest, ABigRecordIsSentAsItIsProducedAndReadAChunkAtATime) {
  const std::string prefix = unique("streamed");
  RedisStore store(server().url("/0?prefix=" + prefix), 300s, /*chunk_size=*/10);
  const std::string record = record_of(95);
  store.put(task(1), produced(record));
  EXPECT_EQ(store.get(task(1)), record) << "the header in place, every chunk whole";
  const std::string manifest = raw({"GET", prefix + ":result:" + task(1).hex()})->str;
  EXPECT_TRUE(manifest.ends_with(" 10 95\n")) << manifest;
  EXPECT_EQ(raw({"KEYS", prefix + ":chunk:*"})->elements, 10u);

  const std::unique_ptr<RecordSource> source = store.open_record(task(1));
  ASSERT_NE(source, nullptr);
  EXPECT_EQ(source->size(), 95u);
  for (const std::size_t piece : {1, 3, 10, 11, 64, 200}) {
    EXPECT_EQ(read_in_pieces(*source, piece), record) << piece;
  }
  std::string middle(20, '\0');
  EXPECT_EQ(source->read_at(33, middle), 20u);
  EXPECT_EQ(middle, record.substr(33, 20));
  EXPECT_EQ(source->read_at(90, middle), 5u) << "the record ends first";
  EXPECT_EQ(store.open_record(task(2)), nullptr);
}

TEST_F(RedisStoreTest, ABigRecordGoesThroughTheCodecAndBack) {
  // The codec's big-record path (header written last, read in pieces) over
  // chunks of 1,000 bytes.
  record::set_big_record_size(4096);
  const std::string prefix = unique("codec");
  RedisStore store(server().url("/0?prefix=" + prefix), 300s, /*chunk_size=*/1000);
  std::vector<double> value(5000);
  for (std::size_t i = 0; i < value.size(); ++i) value[i] = static_cast<double>(i * i) / 3.0;
  store.put(task(1), record::make(task(1), "doubles", [&](OutputArchive& ar) { ar(value); }));
  record::set_big_record_size(0);
  const std::unique_ptr<RecordSource> source = store.open_record(task(1));
  ASSERT_NE(source, nullptr);
  EXPECT_GT(source->size(), 4096u);
  EXPECT_EQ(raw({"KEYS", prefix + ":chunk:*"})->elements, (source->size() + 999) / 1000);
  std::vector<double> read;
  record::set_big_record_size(4096);
  record::read(*source, task(1), "doubles",
               [&](InputArchive& ar) { read = decode_from<std::vector<double>>(ar); });
  record::set_big_record_size(0);
  EXPECT_EQ(read, value);
}

TEST_F(RedisStoreTest, ARecordReplacedOrRemovedWhileItIsReadIsToldApartFromDamage) {
  const std::string prefix = unique("replaced");
  RedisStore store(server().url("/0?prefix=" + prefix), 300s, /*chunk_size=*/10);
  store.put(task(1), produced(record_of(95)));
  std::string piece(10, '\0');
  {
    const std::unique_ptr<RecordSource> source = store.open_record(task(1));
    ASSERT_EQ(source->read_at(0, piece), 10u);
    store.put(task(1), produced(record_of(95)));  // another worker's: other chunks
    EXPECT_THROW(source->read_at(50, piece), RecordReplaced);
  }
  {
    const std::unique_ptr<RecordSource> source = store.open_record(task(1));
    ASSERT_EQ(source->read_at(0, piece), 10u);
    ASSERT_TRUE(store.remove(task(1)));  // jug invalidate
    EXPECT_THROW(source->read_at(50, piece), RecordReplaced);
  }
  // A part lost for good, the record unchanged: it reads short (damaged).
  store.put(task(1), produced(record_of(95)));
  redisReply* chunks = raw({"KEYS", prefix + ":chunk:*:3"});
  ASSERT_EQ(chunks->elements, 1u);
  raw({"DEL", chunks->element[0]->str});
  const std::unique_ptr<RecordSource> source = store.open_record(task(1));
  std::string all(95, '\0');
  EXPECT_EQ(source->read_at(0, all), 30u);
}

TEST_F(RedisStoreTest, ABigRecordWhoseProductionFailsLeavesNothing) {
  const std::string prefix = unique("failedbig");
  RedisStore store(server().url("/0?prefix=" + prefix), 300s, /*chunk_size=*/10);
  EXPECT_THROW(store.put(task(1), produced(record_of(95), [] {
                 throw std::runtime_error("the task's serialize failed");
               })),
               std::runtime_error);
  EXPECT_EQ(store.get(task(1)), std::nullopt);
  EXPECT_EQ(raw({"KEYS", prefix + ":chunk:*"})->elements, 0u) << "its parts deleted";
}

TEST_F(RedisStoreTest, RepairingTheIndexDropsPartsNoRecordUsesUnlessTheTaskIsHeld) {
  const std::string prefix = unique("orphans");
  RedisStore store(server().url("/0?prefix=" + prefix), 300s, /*chunk_size=*/10);
  store.put(task(1), record_of(25));  // 3 parts in use
  // Parts of records never published: a worker died between the two.
  const std::string dead = prefix + ":chunk:" + task(2).hex() + ":00000000deadbeef:";
  raw({"SET", dead + "0", "x"});
  raw({"SET", dead + "1", "x"});
  // Parts a worker holding the task may be writing now.
  ASSERT_TRUE(store.acquire(task(3), kAlice));
  raw({"SET", prefix + ":chunk:" + task(3).hex() + ":00000000feedf00d:0", "x"});

  EXPECT_EQ(store.repair_index(/*dry_run=*/true).orphan_parts, 2u);
  EXPECT_EQ(raw({"KEYS", prefix + ":chunk:*"})->elements, 6u);
  EXPECT_EQ(store.repair_index(/*dry_run=*/false).orphan_parts, 2u);
  EXPECT_EQ(raw({"KEYS", prefix + ":chunk:*"})->elements, 4u);
  EXPECT_EQ(store.get(task(1)), record_of(25));
  store.release(task(3), kAlice);
  EXPECT_EQ(store.repair_index(false).orphan_parts, 1u);
  EXPECT_EQ(store.get(task(1)), record_of(25));
}

#if !defined(__SANITIZE_ADDRESS__) && !defined(__SANITIZE_THREAD__)
TEST_F(RedisStoreTest, ARecordOverRedisLargestStringIsStoredAndReadWhole) {
  // The real limit, with the real server: 600 MB, which one string cannot
  // hold. (Not under sanitizers: memory and time, and no code of ours that
  // the small chunks above do not reach.)
  const std::string prefix = unique("huge");
  RedisStore store(server().url("/0?prefix=" + prefix));
  std::string record(std::size_t{600} << 20, 'x');
  record.back() = 'y';
  store.put(task(1), record);
  const std::optional<std::string> read = store.get(task(1));
  ASSERT_TRUE(read.has_value());
  EXPECT_EQ(read->size(), record.size());
  EXPECT_TRUE(*read == record);
  EXPECT_EQ(raw({"KEYS", prefix + ":chunk:*"})->elements, 2u);
  EXPECT_TRUE(store.remove(task(1)));
  EXPECT_EQ(raw({"KEYS", prefix + ":chunk:*"})->elements, 0u);
}
#endif

TEST_F(RedisStoreTest, AServerThatForgotTheScriptsIsGivenThemAgain) {
  // Scripts go by their SHA-1; a server restarted or flushed since knows
  // none. Within a transaction, the result is stored before the release
  // meets NOSCRIPT: sent again, whole, it is the same.
  auto store = open(unique("forgot"));
  ASSERT_TRUE(store->acquire(task(1), kAlice));
  ASSERT_EQ(raw({"SCRIPT", "FLUSH"})->type, REDIS_REPLY_STATUS);
  const std::optional<LeasedTask> next =
      store->put_release_and_acquire(task(1), "r", kAlice, TaskTroubles{}, task(2));
  EXPECT_TRUE(next.has_value());
  EXPECT_EQ(store->get(task(1)), "r");
  EXPECT_EQ(store->lease(task(1)), std::nullopt);
  ASSERT_TRUE(store->lease(task(2)).has_value());
  raw({"SCRIPT", "FLUSH"});
  EXPECT_NO_THROW(store->renew(task(2), kAlice));
  raw({"SCRIPT", "FLUSH"});
  EXPECT_FALSE(store->acquire(task(2), kBob));
  store->release(task(2), kAlice);
  EXPECT_EQ(store->lease(task(2)), std::nullopt);
}

TEST_F(RedisStoreTest, PrefixesKeepStoresApart) {
  auto one = open(unique("apart")), two = open(unique("apart"));
  one->put(task(1), "r");
  ASSERT_TRUE(one->acquire(task(2), LeaseOwner::self()));
  EXPECT_FALSE(two->contains(task(1)));
  EXPECT_TRUE(two->list().empty());
  EXPECT_TRUE(two->list_leases().empty());
  EXPECT_TRUE(two->acquire(task(2), LeaseOwner::self()));
}

TEST_F(RedisStoreTest, TheDefaultPrefixIsJug) {
  RedisStore store(server().url());
  store.note_user("/default/prefix.cpp");
  EXPECT_EQ(raw({"SISMEMBER", "jug:users", "/default/prefix.cpp"})->integer, 1);
  EXPECT_TRUE(contains(store.location(task(1)), "jug:result:" + task(1).hex()));
}

TEST_F(RedisStoreTest, LeaseTimesComeFromTheServersClock) {
  auto store = open(unique("clock"));
  const auto before = store->now();
  ASSERT_TRUE(store->acquire(task(1), LeaseOwner::self()));
  const auto renewed = store->lease(task(1)).value().renewed;
  const auto after = store->now();
  EXPECT_LE(before, renewed);
  EXPECT_LE(renewed, after);
}

TEST_F(RedisStoreTest, ALeaseBeingBrokenKeepsOthersOut) {
  auto store = open(unique("breaking"));
  const LeaseOwner alice{"host-a", 101, 1, "machine-a"}, bob{"host-b", 202, 2, "machine-b"};
  ASSERT_TRUE(store->acquire(task(1), alice));
  const LeaseInfo seen = store->lease(task(1)).value();
  bool ran = false;
  EXPECT_TRUE(store->break_lease(seen, [&] {
    ran = true;
    EXPECT_FALSE(store->acquire(task(1), bob));
    EXPECT_FALSE(store->break_lease(seen)) << "a second breaker won too";
    const std::optional<LeaseInfo> now = store->lease(task(1));
    ASSERT_TRUE(now.has_value());
    EXPECT_EQ(now->owner, LeaseOwner::self()) << "the breaker holds it meanwhile";
  }));
  EXPECT_TRUE(ran);
  EXPECT_EQ(store->lease(task(1)), std::nullopt);
  EXPECT_TRUE(store->list_leases().empty());
}

TEST_F(RedisStoreTest, ABreakWhoseRecordingFailsPutsTheLeaseBack) {
  auto store = open(unique("putback"));
  const LeaseOwner alice{"host-a", 101, 1, "machine-a"};
  ASSERT_TRUE(store->acquire(task(1), alice));
  const LeaseInfo seen = store->lease(task(1)).value();
  EXPECT_THROW(store->break_lease(seen, [] { throw StoreError("cannot record the crash"); }),
               StoreError);
  const std::optional<LeaseInfo> back = store->lease(task(1));
  ASSERT_TRUE(back.has_value());
  EXPECT_EQ(back->owner, alice);
  EXPECT_EQ(back->renewed, seen.renewed);
  EXPECT_TRUE(store->break_lease(seen));
}

TEST_F(RedisStoreTest, ABreakingLeaseLeftByADeadBreakerCanBeBroken) {
  const std::string prefix = unique("deadbreaker");
  auto store = open(prefix);
  ASSERT_TRUE(store->acquire(task(1), LeaseOwner{"host-a", 101, 1, "machine-a"}));
  // A breaker that died between marking the lease and removing it.
  const std::string key = prefix + ":lease:" + task(1).hex();
  const std::string value =
      "jug-lease 1\nhost=gone\npid=7\nstart=1\nmachine=m\nrenewed=1000000\nbreaking=ab\n";
  raw({"SET", key, value});
  const LeaseInfo stuck = store->lease(task(1)).value();
  EXPECT_EQ(stuck.owner.host, "gone");
  EXPECT_TRUE(store->break_lease(stuck));
  EXPECT_TRUE(store->acquire(task(1), LeaseOwner::self()));
}

TEST_F(RedisStoreTest, AWatchWakesSoonAfterAReleaseOrABreak) {
  const std::string prefix = unique("watch");
  auto store = open(prefix);
  auto other = open(prefix);
  std::unique_ptr<LeaseWatch> watch = store->watch_leases();
  ASSERT_NE(watch, nullptr);
  EXPECT_FALSE(watch->wait(50ms)) << "woken with nothing changed";
  ASSERT_TRUE(other->acquire(task(1), LeaseOwner::self()));
  ASSERT_TRUE(other->acquire(task(2), LeaseOwner{"h", 9, 9, "m"}));
  for (int round = 0; round < 2; ++round) {
    std::thread changer([&] {
      std::this_thread::sleep_for(50ms);
      if (round == 0)
        other->release(task(1), LeaseOwner::self());
      else
        other->break_lease(other->lease(task(2)).value());
    });
    const auto start = std::chrono::steady_clock::now();
    EXPECT_TRUE(watch->wait(5s)) << "round " << round;
    EXPECT_LT(std::chrono::steady_clock::now() - start, 50ms + 100ms) << "round " << round;
    changer.join();
  }
}

}  // namespace
}  // namespace jug::store_test
