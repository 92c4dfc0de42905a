#pragma once
/// The Lua scripts of the Redis store's leases. Redis runs a script
/// atomically: what it reads cannot change before what it writes.
///
/// A lease's value is its owner as lease_file.hpp writes it, then
/// `renewed=<µs since the epoch, by the server's TIME>\n`; a lease being
/// broken adds `breaking=<token>\n` (its owner is then the breaker).

#include <array>
#include <string>
#include <string_view>

namespace jug::redis_scripts {

/// 64 random bits in hex: a breaking lease's token, the data marker.
std::string random_token();

/// The SHA-1, in hex, by which Redis knows `script` (one of kAll) once
/// loaded: sent with EVALSHA, a script costs the server no hashing and the
/// connection 40 bytes rather than the whole script, on every call.
std::string_view sha1_of(std::string_view script);

/// `TIME` as µs since the epoch, in decimal.
#define JUG_REDIS_NOW \
  "local t = redis.call('TIME')\n" \
  "local now = t[1] .. string.format('%06d', tonumber(t[2]))\n"

/// Whether the lease value `v` is held by owner `o` (and not being broken).
#define JUG_REDIS_HELD_BY \
  "local function held_by(v, o)\n" \
  "  return v and string.sub(v, 1, #o) == o and\n" \
  "         string.match(string.sub(v, #o + 1), '^renewed=%d+\\n$') ~= nil\n" \
  "end\n"

/// KEYS: lease, lease index, result, failure, crash list. ARGV: owner,
/// ttl ms, hex, "first" or "again". Takes the lease (`SET NX` of the owner
/// and the server's time, and its entry in the index); 0 when another
/// holds it, else {1, whether the result exists, the failure or nil, the
/// crashes}: what a worker reads before it runs a task. Sent "again" (the
/// first sending may have taken it before the connection was lost), a
/// lease this owner holds counts as taken.
inline constexpr std::string_view kAcquireAndRead = JUG_REDIS_HELD_BY JUG_REDIS_NOW
    "if redis.call('SET', KEYS[1], ARGV[1] .. 'renewed=' .. now .. '\\n', 'NX', 'PX',\n"
    "              ARGV[2]) then\n"
    "  redis.call('SADD', KEYS[2], ARGV[3])\n"
    "elseif not (ARGV[4] == 'again' and held_by(redis.call('GET', KEYS[1]), ARGV[1])) then\n"
    "  return 0\n"
    "end\n"
    "return {1, redis.call('EXISTS', KEYS[3]), redis.call('GET', KEYS[4]),\n"
    "        redis.call('LRANGE', KEYS[5], 0, -1)}\n";

/// KEYS: lease. ARGV: owner, ttl ms. 1 when renewed; else the value found
/// (false when there is none).
inline constexpr std::string_view kRenew = JUG_REDIS_HELD_BY
    "local v = redis.call('GET', KEYS[1])\n"
    "if not held_by(v, ARGV[1]) then return v end\n" JUG_REDIS_NOW
    "redis.call('SET', KEYS[1], ARGV[1] .. 'renewed=' .. now .. '\\n', 'PX', ARGV[2])\n"
    "return 1\n";

/// KEYS: lease, lease index. ARGV: owner, hex, channel. Deletes the lease
/// when `owner` holds it, and tells watchers.
inline constexpr std::string_view kRelease = JUG_REDIS_HELD_BY
    "local v = redis.call('GET', KEYS[1])\n"
    "if not v then redis.call('SREM', KEYS[2], ARGV[2]) return 0 end\n"
    "if not held_by(v, ARGV[1]) then return 0 end\n"
    "redis.call('DEL', KEYS[1])\n"
    "redis.call('SREM', KEYS[2], ARGV[2])\n"
    "redis.call('PUBLISH', ARGV[3], ARGV[2])\n"
    "return 1\n";

/// KEYS: lease. ARGV: the lease seen (owner and `renewed=` line), the
/// breaker as owner, token, ttl ms. Replaces the lease by the breaker's
/// "breaking" lease when it is still the one seen (a breaking lease left by
/// a breaker that died is seen, and broken, like any other); returns the
/// new value, or false. Sent again after a lost connection, finds its own
/// breaking lease (by the token) and returns it.
inline constexpr std::string_view kMarkBreaking =
    "local v = redis.call('GET', KEYS[1])\n"
    "local mine = '\\nbreaking=' .. ARGV[3] .. '\\n'\n"
    "if v and string.sub(v, 1, #ARGV[2]) == ARGV[2] and string.sub(v, -#mine) == mine then\n"
    "  return v\n"
    "end\n"
    "if not v or string.sub(v, 1, #ARGV[1]) ~= ARGV[1] then return false end\n"
    "local rest = string.sub(v, #ARGV[1] + 1)\n"
    "if rest ~= '' and not string.match(rest, '^breaking=[^\\n]*\\n$') then return false end\n"
    JUG_REDIS_NOW
    "local marker = ARGV[2] .. 'renewed=' .. now .. '\\nbreaking=' .. ARGV[3] .. '\\n'\n"
    "redis.call('SET', KEYS[1], marker, 'PX', ARGV[4])\n"
    "return marker\n";

/// KEYS: lease, lease index. ARGV: expected value, hex, channel. Deletes the
/// lease when it still holds the expected value, and tells watchers.
inline constexpr std::string_view kDeleteIfSame =
    "if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end\n"
    "redis.call('DEL', KEYS[1])\n"
    "redis.call('SREM', KEYS[2], ARGV[2])\n"
    "redis.call('PUBLISH', ARGV[3], ARGV[2])\n"
    "return 1\n";

/// KEYS: lease. ARGV: expected value, new value, ttl ms. Puts back a lease
/// whose breaking failed.
inline constexpr std::string_view kReplaceIfSame =
    "if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end\n"
    "redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3])\n"
    "return 1\n";

/// KEYS: crash list, crashed index. ARGV: the crash's line, hex, "first"
/// or "again". Appends the line and returns the whole list. Sent "again"
/// (the first sending may have appended it before the connection was
/// lost), a list that already ends with the line is left as it is.
inline constexpr std::string_view kRecordCrash =
    "local last = redis.call('LINDEX', KEYS[1], -1)\n"
    "if ARGV[3] ~= 'again' or last ~= ARGV[1] then\n"
    "  redis.call('RPUSH', KEYS[1], ARGV[1])\n"
    "  redis.call('SADD', KEYS[2], ARGV[2])\n"
    "end\n"
    "return redis.call('LRANGE', KEYS[1], 0, -1)\n";

/// KEYS: lease, lease index. ARGV: hex. Drops an index entry whose lease
/// expired (the backstop TTL) rather than being released.
inline constexpr std::string_view kForgetIfGone =
    "if redis.call('EXISTS', KEYS[1]) == 0 then redis.call('SREM', KEYS[2], ARGV[1]) end\n"
    "return 1\n";

/// KEYS: a key, its index. ARGV: hex, "fix" or "look". 1 when the index
/// disagrees with the key (the key exists and the index lacks the hex, or
/// the other way round), after making it agree if "fix"; else 0. Checked
/// and fixed at once: a worker's put or remove, which changes both in one
/// transaction, cannot come in between.
inline constexpr std::string_view kRepairIndexEntry =
    "local exists = redis.call('EXISTS', KEYS[1]) == 1\n"
    "local listed = redis.call('SISMEMBER', KEYS[2], ARGV[1]) == 1\n"
    "if exists == listed then return 0 end\n"
    "if ARGV[2] == 'fix' then\n"
    "  if exists then redis.call('SADD', KEYS[2], ARGV[1])\n"
    "  else redis.call('SREM', KEYS[2], ARGV[1]) end\n"
    "end\n"
    "return 1\n";

/// KEYS: a chunk, its task's result, its task's lease. ARGV: the chunk's
/// token, "fix" or "look". 1 when the chunk is an orphan: no worker holds
/// the task (none can be writing it) and the result is not the manifest
/// naming the token; deleted if "fix". Else 0.
inline constexpr std::string_view kDropOrphanChunk =
    "if redis.call('EXISTS', KEYS[3]) == 1 then return 0 end\n"
    "local named = 'jug-chunks 1 ' .. ARGV[1] .. ' '\n"
    "if redis.call('GETRANGE', KEYS[2], 0, #named - 1) == named then return 0 end\n"
    "if ARGV[2] == 'fix' then redis.call('DEL', KEYS[1]) end\n"
    "return 1\n";

/// Every script above, loaded together (SCRIPT LOAD) when the server does
/// not know one.
inline constexpr std::array kAll{kAcquireAndRead,  kRenew,           kRelease,
                                 kMarkBreaking,    kDeleteIfSame,    kReplaceIfSame,
                                 kRecordCrash,     kForgetIfGone,    kRepairIndexEntry,
                                 kDropOrphanChunk};

#undef JUG_REDIS_NOW
#undef JUG_REDIS_HELD_BY

}  // namespace jug::redis_scripts
