#include "store/directory_watch.hpp"

#include <poll.h>
#include <sys/inotify.h>
#include <sys/vfs.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <climits>
#include <cstdint>
#include <cstring>
#include <string_view>
#include <thread>

namespace jug {
namespace {

/// A filesystem type, by the f_type magic statfs reports for it.
struct FilesystemMagic {
  std::uint32_t magic;
  std::string_view name;
};

/// Filesystems that other hosts (or a VM's host) may change behind this
/// kernel's back, so that inotify here never hears of it. The values are the
/// kernel's <linux/magic.h> and the out-of-tree clients' own, as gnulib's
/// file_is_remote and coreutils' stat list them. FUSE is in wholesale: it
/// carries sshfs, GlusterFS, virtiofs, s3fs and the like, and cannot tell us
/// which. Overlayfs is left out though gnulib counts it remote: a container's
/// own root changes only through this kernel, and stores shared between
/// containers sit on bind mounts of the filesystem beneath.
constexpr std::array<FilesystemMagic, 25> kSharedFilesystems{{
    {0x00006969, "nfs"},
    {0x0000517B, "smb"},
    {0xFF534D42, "cifs"},
    {0xFE534D42, "smb2"},
    {0x0000564C, "ncp"},
    {0x5346414F, "afs"},
    {0x6B414653, "kafs"},
    {0x73757245, "coda"},
    {0x01021997, "9p"},
    {0x65735546, "fuse"},
    {0x00C36400, "ceph"},
    {0x0BD00BD0, "lustre"},
    {0x47504653, "gpfs"},
    {0x19830326, "beegfs (fhgfs)"},
    {0xAAD7AAEA, "panfs"},
    {0x20030528, "orangefs"},
    {0x013111A8, "ibrix"},
    {0xBEEFDEAD, "stornext (snfs)"},
    {0x61636673, "acfs"},
    // Shared-disk cluster filesystems: several hosts mount one block device.
    {0x01161970, "gfs/gfs2"},
    {0x7461636F, "ocfs2"},
    {0xA501FCF5, "vxfs"},
    // A hypervisor's shared folders: the host writes them too.
    {0x786F4256, "vboxsf"},
    {0xBACBACBC, "vmhgfs"},
    {0x7C7C6673, "prl_fs"},
}};

/// Room for at least one event with the longest name, as inotify(7) asks.
constexpr std::size_t kEventBufferSize = 4096;
static_assert(kEventBufferSize >= sizeof(inotify_event) + NAME_MAX + 1);

/// Events that mean the watch itself is over: the directory deleted, moved
/// away from its path, or its filesystem unmounted (the kernel then removes
/// the watch and reports IN_IGNORED).
constexpr std::uint32_t kWatchOver = IN_DELETE_SELF | IN_MOVE_SELF | IN_UNMOUNT | IN_IGNORED;

}  // namespace

bool is_shared_filesystem(const std::string& directory) {
  struct statfs info{};
  if (::statfs(directory.c_str(), &info) != 0) return true;
  // f_type is a signed long on some ABIs, so 0xFF534D42 may come sign
  // extended; the magics are 32 bits everywhere.
  const auto magic = static_cast<std::uint32_t>(info.f_type);
  return std::any_of(kSharedFilesystems.begin(), kSharedFilesystems.end(),
                     [magic](const FilesystemMagic& fs) { return fs.magic == magic; });
}

std::unique_ptr<DirectoryWatch> DirectoryWatch::open(const std::string& directory) {
  // Checked first so that a shared store costs no inotify instance. A failing
  // statfs (missing directory) lands here too.
  if (is_shared_filesystem(directory)) return nullptr;
  // Non-blocking, so that drain() stops at an empty queue instead of waiting.
  const int fd = ::inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
  if (fd < 0) return nullptr;
  // IN_ONLYDIR: a file at that path is refused (ENOTDIR) rather than watched.
  constexpr std::uint32_t kEvents = IN_CREATE | IN_DELETE | IN_MOVED_FROM | IN_MOVED_TO |
                                    IN_DELETE_SELF | IN_MOVE_SELF | IN_ONLYDIR;
  if (::inotify_add_watch(fd, directory.c_str(), kEvents) < 0) {
    ::close(fd);
    return nullptr;
  }
  return std::unique_ptr<DirectoryWatch>(new DirectoryWatch(fd));
}

DirectoryWatch::~DirectoryWatch() {
  if (inotify_fd_ >= 0) ::close(inotify_fd_);
}

bool DirectoryWatch::wait(std::chrono::milliseconds timeout) {
  if (inotify_fd_ < 0) {
    // The directory is gone (see the header): poll at the caller's pace.
    if (timeout.count() > 0) std::this_thread::sleep_for(timeout);
    return true;
  }
  // poll() takes an int: clamp, and never pass a negative (= forever).
  const auto ms = std::clamp<std::chrono::milliseconds::rep>(timeout.count(), 0, INT_MAX);
  pollfd ready{inotify_fd_, POLLIN, 0};
  // EINTR and other failures: false, as documented; the caller re-checks.
  if (::poll(&ready, 1, static_cast<int>(ms)) <= 0) return false;
  return drain();
}

bool DirectoryWatch::drain() {
  alignas(inotify_event) char buffer[kEventBufferSize];
  bool any = false;
  bool over = false;
  for (;;) {
    const ssize_t got = ::read(inotify_fd_, buffer, sizeof buffer);
    // EAGAIN: the queue is empty. Anything else cannot happen with a valid fd
    // and a large enough buffer; stopping is all there is to do then.
    if (got <= 0) break;
    any = true;
    for (ssize_t at = 0; at + static_cast<ssize_t>(sizeof(inotify_event)) <= got;) {
      inotify_event event;
      std::memcpy(&event, buffer + at, sizeof event);
      // IN_Q_OVERFLOW (events lost) needs nothing more: any event already
      // means "look again".
      if (event.mask & kWatchOver) over = true;
      at += static_cast<ssize_t>(sizeof(inotify_event) + event.len);
    }
  }
  if (over) {
    // Nothing more will come through this fd that the caller can use (a moved
    // directory is no longer at its path); closing it frees the kernel's
    // watch and queue rather than let events of a renamed directory pile up.
    ::close(inotify_fd_);
    inotify_fd_ = -1;
  }
  return any;
}

}  // namespace jug
