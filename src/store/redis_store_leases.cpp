// The Redis store's leases: `<prefix>lease:<hex>` holds the owner and the
// server time of the last renewal (redis_scripts.hpp), `<prefix>leases` is
// the index of held leases, and every release or break is published on
// `<prefix>lease-events` for watch_leases().

#include <fmt/format.h>
#include <hiredis/hiredis.h>

#include <charconv>
#include <random>
#include <thread>

#include "jug/errors.hpp"
#include "store/lease_file.hpp"
#include "store/lease_judge.hpp"
#include "store/redis_scripts.hpp"
#include "store/redis_store.hpp"

namespace jug {
namespace {

/// Redis drops a lease not renewed for this long by itself. Leases are
/// judged abandoned much sooner by workers (lease_judge.hpp), who then
/// record the crash; this only keeps a forgotten lease from lasting for
/// ever. The store does not know the lease time workers judge by, so it
/// must be far longer than any sensible one.
constexpr std::string_view kBackstopMs = "86400000";  // 24 h
constexpr std::size_t kBatch = 1'000;

std::int64_t micros_of(std::chrono::system_clock::time_point t) {
  return std::chrono::duration_cast<std::chrono::microseconds>(t.time_since_epoch()).count();
}

std::chrono::system_clock::time_point time_of_micros(std::int64_t us) {
  return std::chrono::system_clock::time_point(
      std::chrono::duration_cast<std::chrono::system_clock::duration>(
          std::chrono::microseconds(us)));
}

/// The start of a lease's value up to its `renewed=` line, as stored.
std::string lease_value(const LeaseOwner& owner, std::chrono::system_clock::time_point renewed) {
  return fmt::format("{}renewed={}\n", lease_content(owner), micros_of(renewed));
}

/// The lease a value stored for `hash` describes (an owner nobody matches
/// when it cannot be read: it is still held).
LeaseInfo lease_of(const TaskHash& hash, std::string_view value) {
  LeaseInfo info{hash, parse_lease(value).value_or(LeaseOwner{}), {}};
  constexpr std::string_view kRenewed = "\nrenewed=";
  if (const auto at = value.find(kRenewed); at != std::string_view::npos) {
    const char* begin = value.data() + at + kRenewed.size();
    std::int64_t us = 0;
    if (std::from_chars(begin, value.data() + value.size(), us).ec == std::errc()) {
      info.renewed = time_of_micros(us);
    }
  }
  return info;
}

/// Wakes on the messages releases and breaks publish.
class RedisLeaseWatch final : public LeaseWatch {
 public:
  RedisLeaseWatch(const RedisUrl& url, std::string channel)
      : url_(url), channel_(std::move(channel)) {
    subscribe();
  }

  bool wait(std::chrono::milliseconds timeout) override {
    try {
      if (!connection_) subscribe();
      if (!connection_->next_reply(timeout)) return false;
      // One wake-up for a burst of releases.
      while (connection_->next_reply(std::chrono::milliseconds(0))) {
      }
      return true;
    } catch (const StoreError&) {
      // Messages published while disconnected are lost: say "something may
      // have changed" so that the caller looks, after a pause that keeps a
      // server that is down from making this spin.
      connection_.reset();
      std::this_thread::sleep_for(std::min(timeout, std::chrono::milliseconds(1000)));
      return true;
    }
  }

 private:
  void subscribe() {
    auto connection = std::make_unique<RedisConnection>(url_);
    connection->send({"SUBSCRIBE", channel_});
    // The confirmation, so that nothing published from now on is missed.
    const RedisReply confirmed = connection->next_reply(std::chrono::seconds(10));
    if (!confirmed) {
      throw StoreError(
          fmt::format("the Redis store at {} did not confirm a subscription", url_.masked()));
    }
    check_reply(*confirmed, url_.masked(), "a subscription");
    connection_ = std::move(connection);
  }

  RedisUrl url_;
  std::string channel_;
  std::unique_ptr<RedisConnection> connection_;
};

}  // namespace

RedisReply RedisStore::script(std::string_view source, const std::vector<std::string_view>& keys,
                              const std::vector<std::string_view>& args, std::string_view doing,
                              const std::vector<std::string_view>* args_again) {
  const std::string count = std::to_string(keys.size());
  const auto command = [&](const std::vector<std::string_view>& with) {
    RedisCommand command{"EVALSHA", redis_scripts::sha1_of(source), count};
    command.insert(command.end(), keys.begin(), keys.end());
    command.insert(command.end(), with.begin(), with.end());
    return std::vector<RedisCommand>{std::move(command)};
  };
  const std::vector<RedisCommand> first = command(args);
  std::optional<std::vector<RedisCommand>> again;
  if (args_again) again = command(*args_again);
  RedisReply reply = std::move(run(first, again ? &*again : nullptr).front());
  check_reply(*reply, url_.masked(), doing);
  return reply;
}

struct RedisStore::AcquireCall {
  AcquireCall(const RedisStore& store, const TaskHash& hash, const LeaseOwner& owner)
      : hex(hash.hex()),
        content(lease_content(owner)),
        lease(store.key("lease", hash)),
        leases(store.key("leases")),
        result(store.key("result", hash)),
        failure(store.key("failure", hash)),
        crashes(store.key("crashes", hash)),
        doing(fmt::format("taking the lease of task {}", hex)) {}

  /// `sending`: "first", or "again" after a lost connection (the first
  /// sending may have taken the lease: it may be ours already).
  RedisCommand command(std::string_view sending) const {
    return {"EVALSHA", redis_scripts::sha1_of(redis_scripts::kAcquireAndRead), "5", lease,
            leases, result, failure, crashes, content, kBackstopMs, hex, sending};
  }

  const std::string hex, content, lease, leases, result, failure, crashes, doing;
};

bool RedisStore::acquire(const TaskHash& hash, const LeaseOwner& owner) {
  // The reads that come with it cost the server next to nothing.
  return acquire_and_read(hash, owner).has_value();
}

std::optional<LeasedTask> RedisStore::acquire_and_read(const TaskHash& hash,
                                                       const LeaseOwner& owner) {
  const AcquireCall call(*this, hash, owner);
  const std::vector<RedisCommand> first{call.command("first")}, again{call.command("again")};
  return leased_task_of(*run(first, &again).front(), call.doing);
}

std::optional<LeasedTask> RedisStore::leased_task_of(const redisReply& reply,
                                                     std::string_view doing) const {
  check_reply(reply, url_.masked(), doing);
  if (reply.type != REDIS_REPLY_ARRAY) return std::nullopt;
  if (reply.elements != 4) {
    throw StoreError(
        fmt::format("unexpected reply from the Redis store at {} {}", url_.masked(), doing));
  }
  LeasedTask task;
  task.stored = reply.element[1]->integer > 0;
  if (!is_nil(*reply.element[2])) task.troubles.failure = std::string(text_of(*reply.element[2]));
  task.troubles.crashes = strings_of(*reply.element[3]);
  return task;
}

void RedisStore::renew(const TaskHash& hash, const LeaseOwner& owner) {
  const std::string hex = hash.hex(), content = lease_content(owner);
  const RedisReply reply =
      script(redis_scripts::kRenew, {key("lease", hash)}, {content, kBackstopMs},
             fmt::format("renewing the lease of task {}", hex));
  if (reply->type == REDIS_REPLY_INTEGER && reply->integer == 1) return;
  std::string why = "is gone";
  if (reply->type == REDIS_REPLY_STRING) {
    const LeaseOwner holder = lease_of(hash, text_of(*reply)).owner;
    why = holder.pid != 0 ? "now belongs to " + describe_holder(holder)
                          : std::string("now belongs to someone else");
  }
  throw StoreError(fmt::format(
      "lease lost: the lease of task {} {} ({}); another worker may be running the task too. Was "
      "this worker paused, or too slow to renew its lease?",
      hex, why, location(hash)));
}

void RedisStore::release(const TaskHash& hash, const LeaseOwner& owner) {
  const std::string hex = hash.hex(), content = lease_content(owner), channel = key("lease-events");
  script(redis_scripts::kRelease, {key("lease", hash), key("leases")}, {content, hex, channel},
         fmt::format("giving back the lease of task {}", hex));
}

struct RedisStore::FinishCall {
  FinishCall(const RedisStore& store, const TaskHash& hash, const LeaseOwner& owner,
             const TaskTroubles& recorded)
      : hex(hash.hex()),
        content(lease_content(owner)),
        failure(store.key("failure", hash)),
        failures(store.key("failures")),
        crashes(store.key("crashes", hash)),
        crashed(store.key("crashed")),
        lease(store.key("lease", hash)),
        leases(store.key("leases")),
        channel(store.key("lease-events")),
        doing(fmt::format("storing the result of task {}", hex)) {
    // `commands` view the strings above: a copy would view the original's.
    if (recorded.failure) {
      commands.push_back({"DEL", failure});
      commands.push_back({"SREM", failures, hex});
    }
    if (!recorded.crashes.empty()) {
      commands.push_back({"DEL", crashes});
      commands.push_back({"SREM", crashed, hex});
    }
    // Last, in the same transaction: whoever the release wakes finds the
    // result.
    commands.push_back({"EVALSHA", redis_scripts::sha1_of(redis_scripts::kRelease), "2", lease,
                        leases, content, hex, channel});
  }

  FinishCall(const FinishCall&) = delete;
  FinishCall& operator=(const FinishCall&) = delete;

  const std::string hex, content, failure, failures, crashes, crashed, lease, leases, channel,
      doing;
  std::vector<RedisCommand> commands;
};

void RedisStore::put_and_release(const TaskHash& hash, const RecordBytes& record,
                                 const LeaseOwner& owner, const TaskTroubles& recorded) {
  const FinishCall finish(*this, hash, owner, recorded);
  publish(hash, record, finish.commands, finish.doing);
}

std::optional<LeasedTask> RedisStore::put_release_and_acquire(const TaskHash& hash,
                                                              const RecordBytes& record,
                                                              const LeaseOwner& owner,
                                                              const TaskTroubles& recorded,
                                                              const TaskHash& next) {
  const FinishCall finish(*this, hash, owner, recorded);
  const AcquireCall acquire(*this, next, owner);
  const std::vector<RedisCommand> first{acquire.command("first")},
      again{acquire.command("again")};
  const std::vector<RedisReply> replies =
      publish(hash, record, finish.commands, finish.doing, first, &again);
  return leased_task_of(*replies.front(), acquire.doing);
}

std::optional<LeaseInfo> RedisStore::lease(const TaskHash& hash) {
  const RedisReply reply = run({"GET", key("lease", hash)});
  check_reply(*reply, url_.masked(), fmt::format("reading the lease of task {}", hash.hex()));
  if (reply->type != REDIS_REPLY_STRING) return std::nullopt;
  return lease_of(hash, text_of(*reply));
}

std::vector<LeaseInfo> RedisStore::list_leases() {
  const std::vector<TaskHash> hashes = hashes_in(key("leases"), "listing leases");
  std::vector<LeaseInfo> leases;
  for (std::size_t start = 0; start < hashes.size(); start += kBatch) {
    const std::size_t end = std::min(hashes.size(), start + kBatch);
    std::vector<std::string> keys;
    for (std::size_t i = start; i < end; ++i) keys.push_back(key("lease", hashes[i]));
    std::vector<RedisCommand> commands;
    for (const std::string& k : keys) commands.push_back({"GET", k});
    const std::vector<RedisReply> replies = run(commands);
    for (std::size_t i = start; i < end; ++i) {
      const redisReply& reply = *replies[i - start];
      check_reply(reply, url_.masked(), "reading leases");
      if (reply.type == REDIS_REPLY_STRING) {
        leases.push_back(lease_of(hashes[i], text_of(reply)));
      } else {
        // Released since the index was read, or dropped by its TTL: in the
        // second case the index entry is stale.
        const std::string hex = hashes[i].hex();
        script(redis_scripts::kForgetIfGone, {keys[i - start], key("leases")}, {hex},
               "tidying the lease index");
      }
    }
  }
  return leases;
}

bool RedisStore::break_lease(const LeaseInfo& seen, const std::function<void()>& before_removal) {
  const std::string hex = seen.hash.hex(), lease_key = key("lease", seen.hash);
  const std::string seen_value = lease_value(seen.owner, seen.renewed);
  const std::string breaker = lease_content(LeaseOwner::self());
  const std::string token = redis_scripts::random_token();
  const std::string doing = fmt::format("breaking the abandoned lease of task {}", hex);
  // First the lease becomes this breaker's (compare and set): of several
  // breakers one succeeds, and the task stays taken while before_removal
  // records the crash. Should this worker die meanwhile, its "breaking"
  // lease is judged, and broken, like any other.
  const RedisReply marked = script(redis_scripts::kMarkBreaking, {lease_key},
                                   {seen_value, breaker, token, kBackstopMs}, doing);
  if (marked->type != REDIS_REPLY_STRING) return false;
  const std::string marker(text_of(*marked));
  if (before_removal) {
    try {
      before_removal();
    } catch (...) {
      try {  // put the lease back as it was seen, for a later look
        script(redis_scripts::kReplaceIfSame, {lease_key}, {marker, seen_value, kBackstopMs},
               doing);
      } catch (const StoreError&) {
        // The first error says more; the breaking lease is judged later.
      }
      throw;
    }
  }
  const std::string channel = key("lease-events");
  script(redis_scripts::kDeleteIfSame, {lease_key, key("leases")}, {marker, hex, channel}, doing);
  return true;
}

std::unique_ptr<LeaseWatch> RedisStore::watch_leases() {
  try {
    return std::make_unique<RedisLeaseWatch>(url_, key("lease-events"));
  } catch (const StoreError&) {
    return nullptr;  // the caller polls, and meets the error there
  }
}

std::chrono::system_clock::time_point RedisStore::now() {
  const RedisReply reply = run({"TIME"});
  check_reply(*reply, url_.masked(), "reading the server's clock");
  std::int64_t seconds = 0, micros = 0;
  if (reply->type != REDIS_REPLY_ARRAY || reply->elements != 2 ||
      std::from_chars(reply->element[0]->str, reply->element[0]->str + reply->element[0]->len,
                      seconds)
              .ec != std::errc() ||
      std::from_chars(reply->element[1]->str, reply->element[1]->str + reply->element[1]->len,
                      micros)
              .ec != std::errc()) {
    throw StoreError(fmt::format("the Redis store at {} gave an unreadable TIME", url_.masked()));
  }
  return time_of_micros(seconds * 1'000'000 + micros);
}

}  // namespace jug
