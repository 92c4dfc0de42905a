// RedisConnection::integer_arrays: the replies of commands that answer an
// array of integers (SMISMEMBER: a status of 100,000 tasks gets 100,000),
// read into one vector. hiredis makes a reply object, a calloc, for every
// element, which cost the client more than the server's whole lookup; here
// the reader's object functions store each integer where it belongs and
// make no object at all.

#include <hiredis/hiredis.h>

#include <fmt/format.h>

#include <string>
#include <vector>

#include "store/redis_connection.hpp"

namespace jug {
namespace {

/// Where the reader's functions put what they read, in reader->privdata.
struct IntegerSink {
  std::vector<long long>* values;
  /// An error reply's text, or a reply of another shape than expected.
  std::string error;
};

/// What the functions return for an object: the reader only needs a
/// non-null pointer (null means out of memory), and nothing is freed.
char placeholder;

IntegerSink& sink_of(const redisReadTask* task) {
  // privdata of the reader is handed to every task (hiredis 0.14: the task
  // has it, set from the reader's).
  return *static_cast<IntegerSink*>(task->privdata);
}

void* on_string(const redisReadTask* task, char* text, size_t length) {
  IntegerSink& sink = sink_of(task);
  if (sink.error.empty()) {
    sink.error = task->type == REDIS_REPLY_ERROR
                     ? std::string(text, length)
                     : fmt::format("a reply of type {} where integers were expected", task->type);
  }
  return &placeholder;
}

void* on_array(const redisReadTask* task, int elements) {
  IntegerSink& sink = sink_of(task);
  if (task->parent != nullptr && sink.error.empty()) {
    sink.error = "an array within the array of integers";
  }
  if (elements > 0) sink.values->reserve(sink.values->size() + static_cast<std::size_t>(elements));
  return &placeholder;
}

void* on_integer(const redisReadTask* task, long long value) {
  IntegerSink& sink = sink_of(task);
  if (task->parent == nullptr) {
    if (sink.error.empty()) sink.error = "an integer where an array was expected";
  } else {
    sink.values->push_back(value);
  }
  return &placeholder;
}

void* on_nil(const redisReadTask* task) {
  IntegerSink& sink = sink_of(task);
  if (sink.error.empty()) sink.error = "a nil where integers were expected";
  return &placeholder;
}

void on_free(void*) {}

redisReplyObjectFunctions integer_functions{on_string, on_array, on_integer, on_nil, on_free};

}  // namespace

std::vector<long long> RedisConnection::integer_arrays(const std::vector<RedisCommand>& commands) {
  std::vector<long long> values;
  IntegerSink sink{&values, {}};
  send_all(commands);
  // The reader's functions are swapped for the time of these replies only:
  // whatever happens, the connection reads other replies as before.
  redisReader* reader = context_->reader;
  redisReplyObjectFunctions* const usual_functions = reader->fn;
  void* const usual_privdata = reader->privdata;
  struct Restore {
    redisReader* reader;
    redisReplyObjectFunctions* fn;
    void* privdata;
    ~Restore() {
      reader->fn = fn;
      reader->privdata = privdata;
    }
  } restore{reader, usual_functions, usual_privdata};
  reader->fn = &integer_functions;
  reader->privdata = &sink;
  for (std::size_t i = 0; i < commands.size(); ++i) {
    void* reply = nullptr;
    if (redisGetReply(context_, &reply) != REDIS_OK || reply == nullptr) {
      fail("waiting for a reply");
    }
  }
  if (!sink.error.empty()) {
    if (sink.error.starts_with("LOADING")) {
      broken_ = true;
      throw RedisConnectionLost(fmt::format(
          "the Redis store at {} is loading its data (it just restarted)", where_));
    }
    throw StoreError(fmt::format("the Redis store at {} answered: {}", where_, sink.error));
  }
  return values;
}

}  // namespace jug
