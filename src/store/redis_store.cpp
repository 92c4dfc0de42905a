// The Redis store's connections, results, failures, crashes and users.
// Leases are in redis_store_leases.cpp; the key layout is in docs/redis.md.

#include "store/redis_store.hpp"

#include <fmt/format.h>
#include <hiredis/hiredis.h>

#include <algorithm>
#include <iterator>
#include <iostream>
#include <utility>

#include "engine/hex.hpp"
#include "engine/large_memory.hpp"
#include "jug/errors.hpp"
#include "store/reconnect_backoff.hpp"
#include "store/redis_scripts.hpp"

namespace jug {
namespace {

/// Hashes per SMISMEMBER, and set members asked per SSCAN step.
constexpr std::size_t kBatch = 10'000;

}  // namespace

RedisStore::RedisStore(std::string_view url, std::chrono::duration<double> reconnect_time,
                       std::size_t chunk_size)
    : url_(RedisUrl::parse(url)), reconnect_time_(reconnect_time), chunk_size_(chunk_size) {
  // Connect now: an unreachable server is one clear error before any work.
  idle_.push_back(std::make_unique<RedisConnection>(url_));
  std::lock_guard lock(outage_mutex_);
  check_data_kept();
}

bool RedisStore::take_lost_results() {
  std::lock_guard lock(outage_mutex_);
  return std::exchange(results_lost_, false);
}

RedisStore::~RedisStore() = default;

std::string RedisStore::describe() const {
  return fmt::format("Redis store at {} (keys under `{}`)", url_.masked(), url_.prefix);
}

std::string RedisStore::location(const TaskHash& hash) const {
  return fmt::format("{} key {}", url_.masked(), key("result", hash));
}

std::string RedisStore::key(std::string_view kind, const TaskHash& hash) const {
  return key(kind, hash.hex());
}

std::string RedisStore::key(std::string_view kind, std::string_view hex) const {
  return fmt::format("{}{}:{}", url_.prefix, kind, hex);
}

std::string RedisStore::key(std::string_view kind) const {
  return fmt::format("{}{}", url_.prefix, kind);
}

// ---- connections -------------------------------------------------------------

template <class Attempt>
auto RedisStore::with_reconnects(Attempt&& attempt) -> decltype(attempt(false)) {
  std::optional<ReconnectBackoff> backoff;
  std::optional<StoreError> first_cause;
  while (true) {
    try {
      auto result = attempt(backoff.has_value());
      if (backoff) outage_ended();
      return result;
    } catch (const RedisConnectionLost& lost) {
      if (!backoff) {
        // The outage's deadline, not this call's: calls that meet it one
        // after another (storing a result, then giving its lease back) do
        // not each wait the whole time.
        backoff.emplace(reconnect_time_, outage_began(lost));
        first_cause.emplace(lost);
      }
      if (!backoff->wait()) {
        const std::string last = lost.what() == std::string_view(first_cause->what())
                                     ? std::string()
                                     : fmt::format(": {}", lost.what());
        throw StoreError(fmt::format("{}; gave up reconnecting after {:.0f} s (--reconnect-time){}",
                                     first_cause->what(), backoff->elapsed().count(), last));
      }
    }
  }
}

template <class Use>
auto RedisStore::on_pooled_connection(Use&& use) -> decltype(use(std::declval<RedisConnection&>())) {
  std::unique_ptr<RedisConnection> connection;
  {
    std::lock_guard lock(pool_mutex_);
    if (!idle_.empty()) {
      connection = std::move(idle_.back());
      idle_.pop_back();
    }
  }
  if (!connection) connection = std::make_unique<RedisConnection>(url_);
  // A connection that failed is dropped, and with it every idle one: they
  // lead to the same server, which most likely restarted or went away, so
  // the next attempt opens a new connection rather than meet another dead
  // one. A healthy connection goes back to the pool, even when a reply was
  // an error.
  try {
    auto result = use(*connection);
    std::lock_guard lock(pool_mutex_);
    idle_.push_back(std::move(connection));
    return result;
  } catch (const RedisConnectionLost&) {
    std::lock_guard lock(pool_mutex_);
    idle_.clear();
    throw;
  }
}

std::vector<RedisReply> RedisStore::run(const std::vector<RedisCommand>& commands,
                                        const std::vector<RedisCommand>* again) {
  return with_reconnects([&](bool retrying) {
    std::vector<RedisReply> replies = run_once(retrying && again ? *again : commands);
    if (forgot_scripts(replies)) {
      // A server that started, or flushed its scripts, since it last ran
      // ours: they are loaded, and the commands sent again (as after a
      // lost reply: those before the script may have run).
      run_once(script_loads());
      replies = run_once(again ? *again : commands);
    }
    return replies;
  });
}

bool RedisStore::forgot_scripts(const std::vector<RedisReply>& replies) {
  const auto forgot = [](const redisReply& r) {
    return r.type == REDIS_REPLY_ERROR && text_of(r).starts_with("NOSCRIPT");
  };
  // In a transaction, the script's error is an element of EXEC's reply.
  return std::any_of(replies.begin(), replies.end(), [&](const RedisReply& reply) {
    return forgot(*reply) ||
           (reply->type == REDIS_REPLY_ARRAY &&
            std::any_of(reply->element, reply->element + reply->elements,
                        [&](const redisReply* element) { return forgot(*element); }));
  });
}

std::vector<RedisCommand> RedisStore::script_loads() {
  std::vector<RedisCommand> loads;
  for (std::string_view script : redis_scripts::kAll) loads.push_back({"SCRIPT", "LOAD", script});
  return loads;
}

std::vector<RedisReply> RedisStore::run_once(const std::vector<RedisCommand>& commands) {
  return on_pooled_connection(
      [&](RedisConnection& connection) { return connection.pipeline(commands); });
}

ReconnectBackoff::Clock::time_point RedisStore::outage_began(const StoreError& cause) {
  std::lock_guard lock(outage_mutex_);
  if (outage_since_) return *outage_since_;
  outage_since_ = ReconnectBackoff::Clock::now();
  std::cerr << fmt::format("jug: {}; reconnecting for up to {:.6g} s (--reconnect-time)\n",
                           cause.what(), reconnect_time_.count());
  return *outage_since_;
}

void RedisStore::outage_ended() {
  std::lock_guard lock(outage_mutex_);
  if (!outage_since_) return;
  const std::chrono::duration<double> lasted = ReconnectBackoff::Clock::now() - *outage_since_;
  outage_since_.reset();
  std::cerr << fmt::format("jug: reconnected to the Redis store at {} after {:.1f} s\n",
                           url_.masked(), lasted.count());
  check_data_kept();
}

void RedisStore::check_data_kept() {
  // Called with outage_mutex_ held: one check per reconnection.
  const std::string marker = key("data-marker");
  try {
    const std::string fresh = redis_scripts::random_token();
    const std::vector<RedisReply> replies =
        run_once({{"SET", marker, fresh, "NX"}, {"GET", marker}});
    // A user who may not write it (a read-only ACL) cannot tell, and is
    // not told.
    if (replies[1]->type != REDIS_REPLY_STRING) return;
    const std::string now(text_of(*replies[1]));
    if (!data_marker_.empty() && now != data_marker_) {
      results_lost_ = true;
      std::cerr << fmt::format(
          "jug: the Redis store at {} lost its data while this worker was away from it (the "
          "server restarted without it): results are looked for again, and those that are "
          "gone computed again\n",
          url_.masked());
    }
    data_marker_ = now;
  } catch (const StoreError&) {
    // Gone again: the next call reconnects, and checks then.
  }
}

RedisReply RedisStore::run(const RedisCommand& command) {
  return std::move(run(std::vector<RedisCommand>{command}).front());
}

RedisReply RedisStore::transaction(const std::vector<RedisCommand>& commands,
                                   std::string_view doing) {
  return std::move(transaction_then(commands, doing, {}, nullptr).front());
}

std::vector<RedisReply> RedisStore::transaction_then(const std::vector<RedisCommand>& commands,
                                                     std::string_view doing,
                                                     const std::vector<RedisCommand>& after,
                                                     const std::vector<RedisCommand>* after_again) {
  std::vector<RedisCommand> all;
  all.reserve(commands.size() + 2 + after.size());
  all.push_back({"MULTI"});
  all.insert(all.end(), commands.begin(), commands.end());
  all.push_back({"EXEC"});
  const std::size_t exec_at = all.size() - 1;
  std::optional<std::vector<RedisCommand>> again;
  if (after_again) {
    again.emplace(all);
    again->insert(again->end(), after_again->begin(), after_again->end());
  }
  all.insert(all.end(), after.begin(), after.end());
  std::vector<RedisReply> replies = run(all, again ? &*again : nullptr);
  // A command refused while queued shows in its own reply, and EXEC then
  // says EXECABORT: report the first.
  for (std::size_t i = 0; i <= exec_at; ++i) check_reply(*replies[i], url_.masked(), doing);
  redisReply& exec = *replies[exec_at];
  if (exec.type != REDIS_REPLY_ARRAY || exec.elements != commands.size()) {
    throw StoreError(
        fmt::format("the Redis store at {} did not run the transaction {}", url_.masked(), doing));
  }
  for (std::size_t i = 0; i < exec.elements; ++i) {
    check_reply(*exec.element[i], url_.masked(), doing);
  }
  replies.erase(replies.begin(), replies.begin() + static_cast<std::ptrdiff_t>(exec_at));
  return replies;
}

std::vector<std::string> RedisStore::members(const std::string& set, std::string_view doing) {
  std::vector<std::string> found;
  const std::string count = std::to_string(kBatch);
  std::string cursor = "0";
  do {
    const RedisReply reply = run({"SSCAN", set, cursor, "COUNT", count});
    check_reply(*reply, url_.masked(), doing);
    if (reply->type != REDIS_REPLY_ARRAY || reply->elements != 2) {
      throw StoreError(
          fmt::format("unexpected reply from the Redis store at {} {}", url_.masked(), doing));
    }
    cursor = std::string(text_of(*reply->element[0]));
    const redisReply& page = *reply->element[1];
    for (std::size_t i = 0; i < page.elements; ++i) found.emplace_back(text_of(*page.element[i]));
  } while (cursor != "0");
  // SSCAN may return a member twice (when the set is rehashed meanwhile).
  std::sort(found.begin(), found.end());
  found.erase(std::unique(found.begin(), found.end()), found.end());
  return found;
}

std::vector<TaskHash> RedisStore::hashes_in(const std::string& index, std::string_view doing) {
  std::vector<TaskHash> hashes;
  for (const std::string& member : members(index, doing)) {
    if (auto hash = TaskHash::from_hex(member)) hashes.push_back(*hash);
  }
  return hashes;
}

// ---- results -------------------------------------------------------------------

std::optional<std::string> RedisStore::string_at(const std::string& key, std::string_view doing) {
  const RedisReply reply = run({"GET", key});
  check_reply(*reply, url_.masked(), doing);
  if (is_nil(*reply)) return std::nullopt;
  return std::string(text_of(*reply));
}

void RedisStore::set_indexed(std::string_view kind, std::string_view index, const TaskHash& hash,
                             std::string_view value, std::string_view doing) {
  transaction({{"SET", key(kind, hash), value}, {"SADD", key(index), hash.hex()}}, doing);
}

bool RedisStore::delete_indexed(std::string_view kind, std::string_view index,
                                const TaskHash& hash, std::string_view doing) {
  const RedisReply done =
      transaction({{"DEL", key(kind, hash)}, {"SREM", key(index), hash.hex()}}, doing);
  return done->element[0]->integer > 0;
}

bool RedisStore::contains(const TaskHash& hash) {
  const RedisReply reply = run({"EXISTS", key("result", hash)});
  check_reply(*reply, url_.masked(), fmt::format("looking up the result of task {}", hash.hex()));
  return reply->integer > 0;
}

std::vector<bool> RedisStore::contains_all(std::span<const TaskHash> hashes) {
  std::vector<bool> found(hashes.size());
  if (hashes.empty()) return found;
  const std::string index = key("results");
  // All the names in one buffer: 100,000 strings of their own cost more
  // than the round trip. (6 MiB for 100,000: in huge pages, see
  // large_memory.hpp.)
  // Room for 64 digits each; a Python jug hash uses 40 of its 64.
  constexpr std::size_t kHexSize = 2 * TaskHash::kSize;
  LargeVector<char> hex_buffer(hashes.size() * kHexSize);
  const std::string_view hexes(hex_buffer.data(), hex_buffer.size());
  for (std::size_t i = 0; i < hashes.size(); ++i) {
    encode_hex(hashes[i].bytes.data(), hashes[i].size(), hex_buffer.data() + i * kHexSize);
  }
  std::vector<RedisCommand> commands;
  for (std::size_t start = 0; start < hashes.size(); start += kBatch) {
    RedisCommand command{"SMISMEMBER", index};
    const std::size_t end = std::min(hashes.size(), start + kBatch);
    for (std::size_t i = start; i < end; ++i) {
      command.push_back(hexes.substr(i * kHexSize, 2 * hashes[i].size()));
    }
    commands.push_back(std::move(command));
  }
  const std::vector<long long> members = with_reconnects([&](bool) {
    return on_pooled_connection(
        [&](RedisConnection& connection) { return connection.integer_arrays(commands); });
  });
  if (members.size() != found.size()) {
    throw StoreError(fmt::format("the Redis store at {} answered {} of {} lookups of results",
                                 url_.masked(), members.size(), found.size()));
  }
  for (std::size_t i = 0; i < found.size(); ++i) found[i] = members[i] != 0;
  return found;
}

std::vector<TaskHash> RedisStore::list() { return hashes_in(key("results"), "listing results"); }

std::optional<std::string> RedisStore::durability_warning() {
  const std::vector<RedisReply> replies =
      run({{"CONFIG", "GET", "maxmemory-policy"}, {"CONFIG", "GET", "appendonly"},
           {"CONFIG", "GET", "save"}});
  // {name, value}; a server that disabled or renamed CONFIG says nothing.
  std::vector<std::string> values;
  for (const RedisReply& reply : replies) {
    if (reply->type != REDIS_REPLY_ARRAY || reply->elements != 2) return std::nullopt;
    values.emplace_back(text_of(*reply->element[1]));
  }
  const std::string& policy = values[0];
  const std::string& appendonly = values[1];
  const std::string& save = values[2];
  if (policy != "noeviction") {
    return fmt::format(
        "the Redis store at {} may evict results when it runs short of memory "
        "(maxmemory-policy {}): set `maxmemory-policy noeviction` on the server (docs/redis.md)",
        url_.masked(), policy);
  }
  if (appendonly != "yes" && save.empty()) {
    return fmt::format(
        "the Redis store at {} keeps results only in memory (appendonly no, no save "
        "points): a restart of the server loses them all; set `appendonly yes` on the "
        "server (docs/redis.md)",
        url_.masked());
  }
  return std::nullopt;
}

std::vector<std::string> RedisStore::keys_of_kind(std::string_view kind) {
  // The prefix is the user's: its glob characters are matched as themselves.
  std::string pattern;
  for (const char c : key(kind) + ":") {
    if (c == '*' || c == '?' || c == '[' || c == ']' || c == '\\') pattern += '\\';
    pattern += c;
  }
  pattern += '*';
  const std::size_t start = key(kind).size() + 1;
  const std::string count = std::to_string(kBatch);
  std::vector<std::string> suffixes;
  std::string cursor = "0";
  do {
    const RedisReply reply = run({"SCAN", cursor, "MATCH", pattern, "COUNT", count});
    check_reply(*reply, url_.masked(), "listing keys");
    if (reply->type != REDIS_REPLY_ARRAY || reply->elements != 2) {
      throw StoreError(fmt::format("unexpected reply from the Redis store at {} listing keys",
                                   url_.masked()));
    }
    cursor = std::string(text_of(*reply->element[0]));
    for (const std::string& found : strings_of(*reply->element[1])) {
      suffixes.push_back(found.substr(start));
    }
  } while (cursor != "0");
  std::sort(suffixes.begin(), suffixes.end());
  suffixes.erase(std::unique(suffixes.begin(), suffixes.end()), suffixes.end());
  return suffixes;
}

std::vector<std::string> RedisStore::hexes_of_keys(std::string_view kind) {
  std::vector<std::string> hexes = keys_of_kind(kind);
  std::erase_if(hexes, [](const std::string& hex) { return !TaskHash::from_hex(hex); });
  return hexes;
}

Store::IndexRepair RedisStore::repair_index(bool dry_run) {
  IndexRepair repair;
  constexpr std::pair<std::string_view, std::string_view> kIndexed[] = {
      {"result", "results"}, {"failure", "failures"}, {"crashes", "crashed"}, {"lease", "leases"}};
  for (const auto& [kind, index] : kIndexed) {
    const std::vector<std::string> keys = hexes_of_keys(kind);
    const std::vector<std::string> listed = members(key(index), "listing an index");
    std::vector<std::string> unlisted, stale;
    std::set_difference(keys.begin(), keys.end(), listed.begin(), listed.end(),
                        std::back_inserter(unlisted));
    std::set_difference(listed.begin(), listed.end(), keys.begin(), keys.end(),
                        std::back_inserter(stale));
    // What the two listings say is only a suspicion (workers write
    // meanwhile): each is checked again, and fixed, by a script.
    const std::string index_key = key(index);
    const auto check = [&](const std::vector<std::string>& hexes, std::size_t& count) {
      for (const std::string& hex : hexes) {
        const std::string entry_key = key(kind, hex);
        const RedisReply fixed =
            script(redis_scripts::kRepairIndexEntry, {entry_key, index_key},
                   {hex, dry_run ? "look" : "fix"}, "repairing the index");
        count += fixed->integer == 1 ? 1 : 0;
      }
    };
    check(unlisted, repair.unlisted);
    check(stale, repair.stale);
  }
  repair.orphan_parts = drop_orphan_chunks(dry_run);
  if (repair.stale > 0 && !dry_run) {
    // Results the index listed are no longer listed: finished tasks are
    // no longer finished, as after a removal.
    run({"INCR", key("removals")});
  }
  return repair;
}

std::optional<Store::RemovalGeneration> RedisStore::removal_generation() {
  const std::vector<RedisReply> replies =
      run({{"GET", key("data-marker")}, {"GET", key("removals")}});
  for (const RedisReply& reply : replies) {
    check_reply(*reply, url_.masked(), "reading which results were removed");
  }
  // No data marker (a user who may not write it): the server could have lost
  // its data unseen.
  if (replies[0]->type != REDIS_REPLY_STRING) return std::nullopt;
  const std::string_view removals = is_nil(*replies[1]) ? "0" : text_of(*replies[1]);
  return RemovalGeneration{fmt::format("{}/{}", text_of(*replies[0]), removals), {}};
}

// ---- failures ------------------------------------------------------------------

void RedisStore::record_failure(const TaskHash& hash, std::string_view message) {
  set_indexed("failure", "failures", hash, message,
              fmt::format("recording the failure of task {}", hash.hex()));
}

std::vector<FailureInfo> RedisStore::list_failures() {
  const std::vector<TaskHash> hashes = hashes_in(key("failures"), "listing failures");
  std::vector<std::string> keys;
  std::vector<RedisCommand> commands;
  keys.reserve(hashes.size());
  for (const TaskHash& hash : hashes) keys.push_back(key("failure", hash));
  for (const std::string& k : keys) commands.push_back({"GET", k});
  const std::vector<RedisReply> replies = run(commands);
  std::vector<FailureInfo> failures;
  for (std::size_t i = 0; i < hashes.size(); ++i) {
    check_reply(*replies[i], url_.masked(), "reading failures");
    // Cleared since the index was read: skipped.
    if (!is_nil(*replies[i])) failures.push_back({hashes[i], std::string(text_of(*replies[i]))});
  }
  return failures;
}

std::optional<std::string> RedisStore::failure(const TaskHash& hash) {
  return string_at(key("failure", hash),
                   fmt::format("reading the failure of task {}", hash.hex()));
}

bool RedisStore::clear_failure(const TaskHash& hash) {
  return delete_indexed("failure", "failures", hash,
                        fmt::format("clearing the failure of task {}", hash.hex()));
}

// ---- crashes -------------------------------------------------------------------

std::vector<std::string> RedisStore::record_crash(const TaskHash& hash, std::string_view what) {
  const std::string hex = hash.hex(), list = key("crashes", hash), line = crash_line(what);
  const std::vector<std::string_view> again{line, hex, "again"};
  const RedisReply done =
      script(redis_scripts::kRecordCrash, {list, key("crashed")}, {line, hex, "first"},
             fmt::format("recording a crash of task {}", hex), &again);
  return strings_of(*done);
}

std::vector<std::string> RedisStore::crashes(const TaskHash& hash) {
  const RedisReply reply = run({"LRANGE", key("crashes", hash), "0", "-1"});
  check_reply(*reply, url_.masked(), fmt::format("reading the crashes of task {}", hash.hex()));
  return strings_of(*reply);
}

std::vector<TaskHash> RedisStore::list_crashed() {
  return hashes_in(key("crashed"), "listing crashed tasks");
}

bool RedisStore::clear_crashes(const TaskHash& hash) {
  return delete_indexed("crashes", "crashed", hash,
                        fmt::format("clearing the crashes of task {}", hash.hex()));
}

// ---- users ---------------------------------------------------------------------

void RedisStore::note_user(std::string_view jugfile) {
  const RedisReply reply = run({"SADD", key("users"), jugfile});
  check_reply(*reply, url_.masked(), "noting a jugfile using the store");
}

std::vector<std::string> RedisStore::list_users() {
  return members(key("users"), "listing the jugfiles using the store");  // sorted
}

}  // namespace jug
