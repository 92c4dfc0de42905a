// The file store's removal generation (Store::removal_generation): in
// `removals/`, a `token` that changes once results have been removed, and a
// mark per process removing results now, `removing.<writer>` (named as
// temporary files are, writer_tag.hpp). A remover marks itself before its
// first unlink and writes a new token before it takes the mark away, so that
// whoever reads the marks and then the token never takes an old token for
// current while results it covered are gone: a remover killed half-way leaves
// its mark, and no earlier look is trusted until cleanup, finding it gone,
// writes a new token and removes the mark. Layout: docs/store-layout.md.

#include <unistd.h>

#include <fmt/format.h>

#include "store/file_store.hpp"
#include "store/file_store_errors.hpp"
#include "store/lease_judge.hpp"
#include "store/posix_files.hpp"
#include "store/writer_tag.hpp"

namespace jug {

using namespace posix;

namespace {

constexpr std::string_view kMarkWhat = "removing";

/// How often a remover touches its mark: far below any lease time a user
/// would set, so that its mark is never judged abandoned while it works.
constexpr std::chrono::seconds kMarkRenewal{5};

bool is_mark(std::string_view name) {
  return name.size() > kMarkWhat.size() && name.starts_with(kMarkWhat) &&
         name[kMarkWhat.size()] == '.';
}

}  // namespace

FileStore::~FileStore() {
  end_lone_worker();
  try {
    removals_done();
  } catch (...) {
    // The mark stays: looks at this store are not trusted until cleanup.
  }
}

std::shared_lock<std::shared_mutex> FileStore::hold_removal_mark() {
  const auto fresh = [this] {
    return !removal_mark_.empty() && removal_mark_pid_ == ::getpid() &&
           std::chrono::steady_clock::now() - removal_mark_touched_ < kMarkRenewal;
  };
  while (true) {
    {
      std::shared_lock marked(removal_mutex_);
      if (fresh()) return marked;
    }
    std::unique_lock marking(removal_mutex_);
    if (fresh()) continue;
    if (!removal_mark_.empty() && removal_mark_pid_ == ::getpid()) {
      if (const Errno err = fs_->touch(removal_mark_file_->handle())) {
        throw IoError{err, removal_mark_};
      }
    } else {
      const std::string directory = root_ + "/removals";
      std::string mark = directory + "/" + temp_file_name(kMarkWhat);
      const auto create = [&] {
        removal_mark_file_.reset();
        removal_mark_file_.emplace(create_exclusive(*fs_, mark));
        return removal_mark_file_->error();
      };
      if (create() == ENOENT) {
        if (const Errno err = fs_->exists(root_); err == ENOENT) {
          // No store, so no result to remove. (One made meanwhile by an
          // execute, with a result this removes at once, is a race this
          // does not cover.)
          marking.unlock();
          return std::shared_lock(removal_mutex_);
        }
        make_directories(*fs_, directory);
        create();
      }
      if (!*removal_mark_file_) throw IoError{removal_mark_file_->error(), mark};
      removal_mark_ = std::move(mark);
      removal_mark_pid_ = ::getpid();
    }
    removal_mark_touched_ = std::chrono::steady_clock::now();
  }
}

void FileStore::publish_removal_token() {
  const std::string token =
      fmt::format("{:016x}{:016x}\n", posix::random_number(), posix::random_number());
  // Written with its data durable before the rename: a power cut must not
  // leave an empty token behind a removal, though an empty one would still
  // differ from every earlier token.
  publish(TaskHash::of("removal token"), token, root_ + "/removals/token",
          Durable::before_rename);
}

void FileStore::removals_done() {
  std::unique_lock marking(removal_mutex_);
  if (removal_mark_.empty() || removal_mark_pid_ != ::getpid()) return;
  try {
    // Removals appended to segments (this one, and those sealed since) are
    // on the disk before the token says they happened.
    if (appender_.appended()) sync();
    publish_removal_token();
    removal_mark_file_.reset();
    // Gone already: cleanup took it for a dead remover's (after a token of
    // its own).
    if (const Errno err = fs_->unlink(removal_mark_); err != 0 && err != ENOENT) {
      throw IoError{err, removal_mark_};
    }
  } catch (const IoError& e) {
    throw store_error("cannot record that this process's removals are done (in removals/)", e,
                      Access::write, root_);
  }
  removal_mark_.clear();
}

std::optional<Store::RemovalGeneration> FileStore::removal_generation() {
  const std::string directory = root_ + "/removals";
  const std::string token_path = directory + "/token";
  try {
    if (const Errno err = fs_->exists(root_)) {
      if (err == ENOENT) return std::nullopt;  // nothing stored: nothing to trust
      throw IoError{err, root_};
    }
    RemovalGeneration generation;
    // The marks first, then the token (store.hpp says why).
    const LeaseOwner self = LeaseOwner::self();
    std::optional<std::chrono::system_clock::time_point> store_now;
    const auto now_once = [&] {
      if (!store_now) store_now = now();
      return *store_now;
    };
    for (const auto& [path, mark] : removal_marks()) {
      std::string who = fmt::format("pid {} on {}", mark.owner.pid,
                                    mark.owner.machine == self.machine ? "this machine"
                                                                       : "another machine");
      if (abandoned_lease(mark, self, kDefaultLeaseTime, now_once)) {
        who += ", gone without finishing (`jug cleanup` takes its mark away)";
      }
      generation.removers.push_back(std::move(who));
    }
    std::optional<std::string> token = read_file(*fs_, token_path);
    if (!token) {
      // A store from before tokens, or none removed yet: a first token,
      // which only needs to differ from any other store's.
      publish_removal_token();
      token = read_file(*fs_, token_path);
      if (!token) return std::nullopt;
    }
    generation.token = std::move(*token);
    return generation;
  } catch (const IoError& e) {
    throw store_error("cannot read which results were removed (removals/)", e, Access::read,
                      root_);
  }
}

std::vector<std::pair<std::string, LeaseInfo>> FileStore::removal_marks() {
  const std::string directory = root_ + "/removals";
  std::vector<std::pair<std::string, LeaseInfo>> marks;
  Directory dir = open_directory(*fs_, directory);
  if (!dir) return marks;
  while (const DirectoryEntry* entry = dir.next(directory)) {
    if (!is_mark(entry->name)) continue;
    std::string path = directory + "/" + entry->name;
    // Gone meanwhile: its remover is done.
    if (std::optional<LeaseInfo> mark = temp_file_writer(path, entry->name)) {
      marks.emplace_back(std::move(path), std::move(*mark));
    }
  }
  return marks;
}

std::size_t FileStore::remove_abandoned_removal_marks(
    const std::function<bool(const LeaseInfo&)>& gone, bool dry_run) {
  std::size_t removed = 0;
  bool token_written = false;
  for (const auto& [path, mark] : removal_marks()) {
    if (!gone(mark)) continue;
    ++removed;
    if (dry_run) continue;
    // Its removals may be done without a new token: one first.
    if (!token_written) publish_removal_token();
    token_written = true;
    if (const Errno err = fs_->unlink(path); err != 0 && err != ENOENT) throw IoError{err, path};
  }
  return removed;
}

}  // namespace jug
