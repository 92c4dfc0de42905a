#include "commands/background_sync.hpp"

namespace jug {

BackgroundSync::BackgroundSync(Store& store, std::chrono::duration<double> interval,
                               std::function<void(const std::string&)> on_error)
    : store_(store),
      interval_(interval),
      on_error_(std::move(on_error)),
      thread_([this] { sync_loop(); }) {}

BackgroundSync::~BackgroundSync() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  thread_.join();
}

void BackgroundSync::wrote() {
  std::lock_guard lock(mutex_);
  written_ = true;
}

void BackgroundSync::sync_loop() {
  std::unique_lock lock(mutex_);
  for (;;) {
    wake_.wait_for(lock, interval_, [this] { return stopping_; });
    if (stopping_) return;
    if (!written_) continue;  // syncfs would only wait for other programs' writes
    written_ = false;
    lock.unlock();
    try {
      store_.sync();
    } catch (const std::exception& e) {
      on_error_(e.what());
    }
    lock.lock();
  }
}

}  // namespace jug
