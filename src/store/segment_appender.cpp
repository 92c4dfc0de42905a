#include "store/segment_appender.hpp"

#include <utility>

#include "store/process_identity.hpp"
#include "store/writer_tag.hpp"

namespace jug {

using namespace posix;

SegmentAppender::SegmentAppender(FileSystem& fs, std::string directory,
                                 std::function<OpenFile(const std::string&)> create_file,
                                 PublishIndex publish_index)
    : fs_(fs),
      directory_(std::move(directory)),
      create_file_(std::move(create_file)),
      publish_index_(std::move(publish_index)) {}

SegmentAppender::~SegmentAppender() {
  try {
    seal();
  } catch (const IoError&) {
    // Unsealed, the segment reads the same; only its end is judged by
    // whether this process is still there.
  }
}

std::optional<std::string> SegmentAppender::current() const {
  std::lock_guard lock(mutex_);
  if (!file_ || pid_ != current_process_id()) return std::nullopt;
  return name_;
}

void SegmentAppender::open_segment() {
  if (file_ && pid_ == current_process_id()) return;
  if (file_) {
    // The parent's segment, inherited by fork: closing this copy of its
    // descriptor leaves it open in the parent.
    file_.reset();
  }
  std::string name = temp_file_name("seg");
  const std::string path = directory_ + "/" + name;
  OpenFile file = create_file_(path);
  if (!file) throw IoError{file.error(), path};
  try {
    write_all(file, segment::kFileHeader, path);
  } catch (const IoError&) {
    fs_.unlink(path);
    throw;
  }
  file_.emplace(std::move(file));
  name_ = std::move(name);
  size_ = segment::kFileHeader.size();
  pid_ = current_process_id();
  frames_.clear();
  index_complete_ = true;
}

SegmentAppender::Appended SegmentAppender::append(const segment::FrameHeader& header,
                                                  std::string_view body) {
  std::lock_guard lock(mutex_);
  open_segment();
  buffer_.clear();
  segment::append_frame(buffer_, header, body);
  const std::string path = directory_ + "/" + name_;
  try {
    write_all(*file_, buffer_, path);
  } catch (const IoError&) {
    // Part of the frame may be there: cut it off, so that the next frame
    // follows the last whole one. Failing that, this segment ends here
    // (its tail reads as torn once this process is gone).
    if (fs_.seek(file_->handle(), size_) != 0 || fs_.truncate(file_->handle(), size_) != 0) {
      file_.reset();
    }
    throw;
  }
  const Appended appended{name_, size_};
  size_ += buffer_.size();
  if (index_complete_) {
    try {
      frames_.push_back(segment::IndexedFrame{
          .kind = header.kind,
          .frame_size = static_cast<std::uint32_t>(buffer_.size()),
          .put_id = header.put_id,
          .offset = appended.offset,
          .hash = header.hash});
    } catch (const std::bad_alloc&) {
      // The frame is stored; the segment goes without an index.
      index_complete_ = false;
      std::vector<segment::IndexedFrame>().swap(frames_);
    }
  }
  if (size_ >= kSegmentSize) {
    try {
      seal_locked();
    } catch (const IoError&) {
      // The frame is stored; unsealed, the segment reads the same.
    }
  }
  return appended;
}

bool SegmentAppender::appended() const {
  std::lock_guard lock(mutex_);
  return pid_ == current_process_id();
}

void SegmentAppender::keep_alive() {
  std::lock_guard lock(mutex_);
  if (file_ && pid_ == current_process_id()) fs_.touch(file_->handle());
}

void SegmentAppender::sync() {
  std::lock_guard lock(mutex_);
  if (!file_ || pid_ != current_process_id()) return;
  if (const Errno err = fs_.sync_data(file_->handle())) {
    throw IoError{err, directory_ + "/" + name_};
  }
}

void SegmentAppender::seal() {
  std::lock_guard lock(mutex_);
  seal_locked();
}

void SegmentAppender::seal_locked() {
  if (!file_ || pid_ != current_process_id()) return;
  OpenFile file = std::move(*file_);
  file_.reset();
  const std::string path = directory_ + "/" + name_;
  buffer_.clear();
  segment::FrameHeader seal;
  seal.kind = segment::FrameKind::sealed;
  segment::append_frame(buffer_, seal, {});
  std::vector<segment::IndexedFrame> frames;
  frames.swap(frames_);
  write_all(file, buffer_, path);
  if (const Errno err = file.close()) throw IoError{err, path};
  // Every frame in it was appended here, since the segment was made (one
  // that failed was cut off again, or the segment left unsealed).
  if (index_complete_) publish_index_(name_, segment::encode_index(size_ + buffer_.size(), frames));
}

}  // namespace jug
