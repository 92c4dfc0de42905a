#pragma once
/// RedisStore: the store for machines that share no disk (`--jugdir
/// redis://host:port/db`), with the same guarantees as the file store. Key
/// layout and URL forms: docs/redis.md.
///
/// Every state change is one Redis transaction (MULTI/EXEC) or one Lua
/// script, so it is atomic for every client of the server; the clock leases
/// are stamped with is the server's (TIME). Connections are pooled: each
/// call borrows one, so several threads run commands at once.

#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "store/reconnect_backoff.hpp"
#include "store/redis_connection.hpp"
#include "store/redis_url.hpp"
#include "store/store.hpp"

namespace jug {

class RedisStore final : public Store {
 public:
  /// Redis's largest string (proto-max-bulk-len): larger records are
  /// stored in chunks of this size.
  static constexpr std::size_t kLargestString = std::size_t{512} << 20;
  /// A big record (RecordBytes without its bytes in memory) is sent as it
  /// is encoded, in chunks of this size at most: what it costs in memory
  /// beside the value, writing or reading.
  static constexpr std::size_t kStreamedChunk = std::size_t{16} << 20;

  /// Opens the store `url` names (RedisUrl::parse) and connects at once:
  /// throws StoreError, naming the masked URL and why, when the server
  /// cannot be reached or refuses us (password, database). Later, a call
  /// that loses the server reconnects for up to `reconnect_time` before it
  /// throws StoreError naming the cause. Records larger than `chunk_size`
  /// are stored in chunks (redis_store_chunks.cpp).
  explicit RedisStore(std::string_view url,
                      std::chrono::duration<double> reconnect_time = StoreOptions{}.reconnect_time,
                      std::size_t chunk_size = kLargestString);
  ~RedisStore() override;

  std::string describe() const override;
  std::string location(const TaskHash& hash) const override;

  /// A chunked record's parts, read in one round trip, joined.
  std::optional<std::string> get(const TaskHash& hash) override;
  /// A chunked record is read a chunk at a time, where it is asked for; a
  /// record replaced or removed meanwhile throws RecordReplaced.
  std::unique_ptr<RecordSource> open_record(const TaskHash& hash) override;
  /// One MULTI/EXEC: the record (or the manifest of its chunks, written
  /// before) and its entry in the results index.
  void put(const TaskHash& hash, const RecordBytes& record) override;
  bool contains(const TaskHash& hash) override;
  /// SMISMEMBER on the results index, many per round trip.
  std::vector<bool> contains_all(std::span<const TaskHash> hashes) override;
  bool remove(const TaskHash& hash) override;
  /// SSCAN of the results index (never KEYS).
  std::vector<TaskHash> list() override;
  /// Does nothing: how durable a write is depends on the server's
  /// persistence settings (appendonly, appendfsync), which docs/redis.md
  /// says how to set; a client cannot make one write durable (Redis 7.0 has
  /// no WAITAOF).
  void sync() override {}
  /// When the server may evict keys (maxmemory-policy other than
  /// noeviction) or has no persistence (no appendonly, no save); nothing
  /// when CONFIG is disabled.
  std::optional<std::string> durability_warning() override;
  /// True once a reconnection found the server's data marker changed.
  bool take_lost_results() override;
  /// SCAN of the keys of each kind (results, failures, crashes, leases)
  /// against its index set, each disagreement checked and fixed by a script.
  IndexRepair repair_index(bool dry_run) override;
  /// The server's data marker and the count of removals (`P removals`,
  /// increased in the transaction of each removal): never any removers.
  std::optional<RemovalGeneration> removal_generation() override;

  bool acquire(const TaskHash& hash, const LeaseOwner& owner) override;
  /// One script: the lease, then the result's existence, the failure and
  /// the crashes.
  std::optional<LeasedTask> acquire_and_read(const TaskHash& hash,
                                             const LeaseOwner& owner) override;
  /// One MULTI/EXEC: the result and its index entry, the troubles cleared,
  /// the lease released (and its release published).
  void put_and_release(const TaskHash& hash, const RecordBytes& record, const LeaseOwner& owner,
                       const TaskTroubles& recorded) override;
  /// put_and_release's transaction followed by acquire_and_read's script,
  /// in one round trip.
  std::optional<LeasedTask> put_release_and_acquire(const TaskHash& hash, const RecordBytes& record,
                                                    const LeaseOwner& owner,
                                                    const TaskTroubles& recorded,
                                                    const TaskHash& next) override;
  void renew(const TaskHash& hash, const LeaseOwner& owner) override;
  void release(const TaskHash& hash, const LeaseOwner& owner) override;
  std::optional<LeaseInfo> lease(const TaskHash& hash) override;
  std::vector<LeaseInfo> list_leases() override;
  /// Replaces the lease seen by a "breaking" lease of this process (compare
  /// and set, in a script), runs `before_removal`, then deletes it.
  bool break_lease(const LeaseInfo& seen,
                   const std::function<void()>& before_removal = {}) override;
  /// SUBSCRIBE to the channel every release and break publishes on.
  std::unique_ptr<LeaseWatch> watch_leases() override;
  /// The server's TIME.
  std::chrono::system_clock::time_point now() override;

  void record_failure(const TaskHash& hash, std::string_view message) override;
  std::vector<FailureInfo> list_failures() override;
  std::optional<std::string> failure(const TaskHash& hash) override;
  bool clear_failure(const TaskHash& hash) override;

  std::vector<std::string> record_crash(const TaskHash& hash, std::string_view what) override;
  std::vector<std::string> crashes(const TaskHash& hash) override;
  std::vector<TaskHash> list_crashed() override;
  bool clear_crashes(const TaskHash& hash) override;

  void note_user(std::string_view jugfile) override;
  std::vector<std::string> list_users() override;

  const RedisUrl& url() const { return url_; }

 private:
  /// `<prefix><kind>:<hex>`, or `<prefix><kind>` for an index.
  std::string key(std::string_view kind, const TaskHash& hash) const;
  std::string key(std::string_view kind, std::string_view hex) const;
  std::string key(std::string_view kind) const;

  /// Runs `commands` in one round trip on a pooled connection. When the
  /// connection fails or the server is still loading, reconnects with
  /// backoff and sends them again (`again` instead, when given: commands
  /// whose first sending may have taken effect unseen), for up to
  /// reconnect_time_; then throws StoreError naming the cause. Scripts go
  /// by their SHA-1 (EVALSHA); when the server does not know one, all are
  /// loaded and the commands sent again, as `again`.
  std::vector<RedisReply> run(const std::vector<RedisCommand>& commands,
                              const std::vector<RedisCommand>* again = nullptr);
  RedisReply run(const RedisCommand& command);
  /// Whether a script was refused as unknown (NOSCRIPT) in `replies`.
  static bool forgot_scripts(const std::vector<RedisReply>& replies);
  /// SCRIPT LOAD of every script (redis_scripts::kAll).
  static std::vector<RedisCommand> script_loads();
  /// One attempt at run(): throws RedisConnectionLost when it may be tried
  /// again.
  std::vector<RedisReply> run_once(const std::vector<RedisCommand>& commands);
  /// What run() does around each attempt: `attempt(retrying)` is called
  /// again after a lost connection, with backoff, for up to
  /// reconnect_time_; then StoreError names the cause.
  template <class Attempt>
  auto with_reconnects(Attempt&& attempt) -> decltype(attempt(false));
  /// `use(connection)` on a connection from the pool, which gets it back
  /// unless it failed (then the pool is emptied: see run_once).
  template <class Use>
  auto on_pooled_connection(Use&& use) -> decltype(use(std::declval<RedisConnection&>()));
  /// Tells the user, once however many calls meet it, that the server was
  /// lost and that workers are reconnecting; returns when the outage began.
  ReconnectBackoff::Clock::time_point outage_began(const StoreError& cause);
  /// Tells the user the server is back, and checks that it kept its data.
  void outage_ended();
  /// Compares the server's data marker (`<prefix>data-marker`, a random
  /// token set once) with the one seen before: a different one means the
  /// server lost its data (restarted without persistence, or flushed).
  void check_data_kept();
  /// Runs `commands` as one MULTI/EXEC; EXEC's reply (an array of theirs).
  /// Throws StoreError saying `doing` when the server refuses.
  RedisReply transaction(const std::vector<RedisCommand>& commands, std::string_view doing);
  /// transaction(), followed in the same round trip by `after`, outside
  /// it (`after_again` in its place when sent again after a lost
  /// connection); EXEC's reply, then the replies of `after`, unchecked.
  std::vector<RedisReply> transaction_then(const std::vector<RedisCommand>& commands,
                                           std::string_view doing,
                                           const std::vector<RedisCommand>& after,
                                           const std::vector<RedisCommand>* after_again);
  /// Runs a Lua script (redis_scripts.hpp) and checks its reply. When the
  /// first sending may have run unseen, it is sent again with `args_again`
  /// (when given) instead of `args`.
  RedisReply script(std::string_view source, const std::vector<std::string_view>& keys,
                    const std::vector<std::string_view>& args, std::string_view doing,
                    const std::vector<std::string_view>* args_again = nullptr);
  /// `<prefix>chunk:<hex>:<token>:<index>` for each index below `count`:
  /// the parts of a chunked record.
  std::vector<std::string> chunk_keys(const TaskHash& hash, std::string_view token,
                                      std::size_t count) const;
  /// For a record larger than a chunk, or a big one not in memory: writes
  /// its chunks (ChunkWriter), and returns the manifest to publish in its
  /// place; empty for one that fits a string.
  std::string write_chunks(const TaskHash& hash, const RecordBytes& record);
  class ChunkWriter;
  class ChunkedRecord;
  /// Publishes `record` (its manifest, for a chunked one) and its index
  /// entry in one transaction with `extra`, followed in the same round
  /// trip by `after` (as transaction_then), whose replies are returned;
  /// then deletes the chunks of the record it replaced, if it had any.
  std::vector<RedisReply> publish(const TaskHash& hash, const RecordBytes& record,
                                  const std::vector<RedisCommand>& extra, std::string_view doing,
                                  const std::vector<RedisCommand>& after = {},
                                  const std::vector<RedisCommand>* after_again = nullptr);
  /// The commands of put_and_release's transaction after the record's, in
  /// `call` (whose strings they view).
  struct FinishCall;
  /// The script call of acquire_and_read (whose strings its commands view).
  struct AcquireCall;
  /// What acquire_and_read's script replied: nothing when another holds
  /// the lease.
  std::optional<LeasedTask> leased_task_of(const redisReply& reply, std::string_view doing) const;
  /// Deletes the chunks of `replaced` (a value once at result:<hex>), if
  /// it is a manifest.
  void drop_chunks(const TaskHash& hash, std::string_view replaced);
  /// The string at `key`, or nothing when there is none.
  std::optional<std::string> string_at(const std::string& key, std::string_view doing);
  /// Sets `<kind>:<hex>` to `value` and adds the hex to the set `index`, in
  /// one transaction (a stored result and its index entry agree).
  void set_indexed(std::string_view kind, std::string_view index, const TaskHash& hash,
                   std::string_view value, std::string_view doing);
  /// Deletes `<kind>:<hex>` and its entry in `index`, in one transaction;
  /// false when there was nothing to delete.
  bool delete_indexed(std::string_view kind, std::string_view index, const TaskHash& hash,
                      std::string_view doing);
  /// Every member of the set `key`, by SSCAN, each once.
  std::vector<std::string> members(const std::string& key, std::string_view doing);
  /// What follows `<prefix><kind>:` in every key that starts so, by SCAN
  /// (never KEYS), sorted.
  std::vector<std::string> keys_of_kind(std::string_view kind);
  /// The hex of every key `<prefix><kind>:<hex>`.
  std::vector<std::string> hexes_of_keys(std::string_view kind);
  /// Deletes (only counts, with `dry_run`) the chunks that no manifest
  /// names, of tasks whose lease nobody holds (a holder may be writing
  /// them): left by a worker that died before publishing its manifest.
  std::size_t drop_orphan_chunks(bool dry_run);
  /// The hashes an index set holds (members that are no hash are skipped).
  std::vector<TaskHash> hashes_in(const std::string& index, std::string_view doing);

  RedisUrl url_;
  const std::chrono::duration<double> reconnect_time_;
  const std::size_t chunk_size_;
  std::mutex pool_mutex_;
  std::vector<std::unique_ptr<RedisConnection>> idle_;
  std::mutex outage_mutex_;
  std::optional<ReconnectBackoff::Clock::time_point> outage_since_;
  std::string data_marker_;
  bool results_lost_ = false;
};

}  // namespace jug
