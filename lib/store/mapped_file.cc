// Copyright 2026 The rmq Authors. Licensed under the Apache License, Version 2.0.

#include "store/mapped_file.h"

#include <fcntl.h>
#include <sched.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstring>

#include "absl/strings/numbers.h"
#include "common/durable_dir.h"
#include "common/status_macros.h"
#include "common/str_cat.h"
#include "absl/strings/str_format.h"
#include "spdlog/spdlog.h"

namespace rmq::internal {
namespace {

constexpr int64_t kPageSize = 4096;

absl::Status ErrnoError(std::string_view what, const std::string& path) {
  int err = errno;
  std::string message = StrCat(what, " ", path, ": ", std::strerror(err));
  if (err == ENOSPC || err == EDQUOT) return absl::ResourceExhaustedError(message);
  return absl::InternalError(message);
}

std::string_view BaseName(std::string_view path) {
  size_t slash = path.rfind('/');
  return slash == std::string_view::npos ? path : path.substr(slash + 1);
}

}  // namespace

std::string MappedFile::FileNameForOffset(int64_t offset) {
  return absl::StrFormat("%020d", offset);
}

absl::StatusOr<std::shared_ptr<MappedFile>> MappedFile::Open(const std::string& path,
                                                             int64_t file_size,
                                                             FirstTouch first_touch,
                                                             NewName new_name) {
  std::string_view name = BaseName(path);
  int64_t from_offset = 0;
  // SimpleAtoi alone would also take a sign or surrounding spaces.
  const bool all_digits =
      std::all_of(name.begin(), name.end(), [](char c) { return c >= '0' && c <= '9'; });
  if (name.size() != 20 || !all_digits || !absl::SimpleAtoi(AbslView(name), &from_offset)) {
    return absl::InvalidArgumentError(
        StrCat("segment file name ", path, " is not a 20-digit offset"));
  }
  if (file_size <= 0) {
    return absl::InvalidArgumentError(
        StrCat("segment size ", file_size, " for ", path, " is not positive"));
  }
  return OpenImpl(path, from_offset, file_size, first_touch, new_name);
}

absl::StatusOr<std::shared_ptr<MappedFile>> MappedFile::OpenNamed(const std::string& path,
                                                                  int64_t file_size,
                                                                  FirstTouch first_touch,
                                                                  NewName new_name) {
  // No page-multiple requirement: mmap maps the partial last page too, and
  // formats such as the index file have sizes fixed by RocketMQ.
  if (file_size <= 0) {
    return absl::InvalidArgumentError(
        StrCat("file size ", file_size, " for ", path, " is not positive"));
  }
  return OpenImpl(path, 0, file_size, first_touch, new_name);
}

absl::StatusOr<std::shared_ptr<MappedFile>> MappedFile::OpenImpl(const std::string& path,
                                                                 int64_t from_offset,
                                                                 int64_t file_size,
                                                                 FirstTouch first_touch,
                                                                 NewName new_name) {
  int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) return ErrnoError("cannot open", path);
  struct stat st;
  if (::fstat(fd, &st) != 0) {
    absl::Status s = ErrnoError("cannot stat", path);
    ::close(fd);
    return s;
  }
  if (st.st_size == 0) {
    // New segment: allocate the blocks now where the filesystem can, so a
    // full disk is reported here rather than as SIGBUS on a later write.
    // (fallocate, not posix_fallocate: the latter emulates by writing zeros.)
    int rc = ::fallocate(fd, 0, 0, file_size) == 0 ? 0 : errno;
    if (rc == EOPNOTSUPP || rc == ENOSYS) rc = ::ftruncate(fd, file_size) == 0 ? 0 : errno;
    absl::Status s;
    if (rc != 0) {
      errno = rc;
      s = ErrnoError("cannot allocate segment", path);
    } else if (new_name == NewName::kSynced) {
      // The new name must outlive a power loss as the data synced into it will.
      s = SyncParentDirectory(path);
    }
    if (!s.ok()) {
      ::close(fd);
      ::unlink(path.c_str());
      return s;
    }
  } else if (st.st_size != file_size) {
    ::close(fd);
    return absl::DataLossError(StrCat("segment ", path, " has ", st.st_size,
                                            " bytes, expected ", file_size));
  }
  void* data = ::mmap(nullptr, static_cast<size_t>(file_size), PROT_READ | PROT_WRITE,
                      MAP_SHARED, fd, 0);
  if (data == MAP_FAILED) {
    absl::Status s = ErrnoError("cannot mmap", path);
    ::close(fd);
    return s;
  }
  if (st.st_size == 0 && first_touch == FirstTouch::kWhereWritten) {
    (void)::madvise(data, static_cast<size_t>(file_size), MADV_RANDOM);  // Only a hint.
  }
  auto file = std::shared_ptr<MappedFile>(
      new MappedFile(path, from_offset, file_size, fd, static_cast<char*>(data)));
  file->set_last_store_timestamp(static_cast<int64_t>(st.st_mtim.tv_sec) * 1000 +
                                 st.st_mtim.tv_nsec / 1000000);
  return file;
}

MappedFile::MappedFile(std::string path, int64_t from_offset, int64_t file_size, int fd,
                       char* data)
    : path_(std::move(path)),
      from_offset_(from_offset),
      file_size_(file_size),
      fd_(fd),
      data_(data) {}

MappedFile::~MappedFile() {
  ::munmap(data_, static_cast<size_t>(file_size_));
  ::close(fd_);
}

void MappedFile::Unlink() {
  if (::unlink(path_.c_str()) != 0 && errno != ENOENT) {
    // Nothing to roll back: the segment is gone from its queue either way.
    spdlog::warn("cannot remove {}: {}", path_, std::strerror(errno));
  }
}

std::string_view MappedFile::Read(int64_t pos, int64_t size) const {
  if (pos < 0 || size < 0 || pos + size > wrote_position()) return {};
  return std::string_view(data_ + pos, static_cast<size_t>(size));
}

absl::StatusOr<int64_t> MappedFile::Flush(int least_pages) {
  int64_t wrote = wrote_position();
  int64_t flushed = flushed_position();
  if (wrote <= flushed) return flushed;
  if (least_pages > 0 && !IsFull()) {
    // A periodic (async) flush writes whole pages only. Writing back the page
    // the writer is still filling would make its next store wait for that
    // I/O (on devices with stable pages) and re-dirty the page anyway.
    int64_t pending_pages = wrote / kPageSize - flushed / kPageSize;
    if (pending_pages < least_pages) return flushed;
    wrote = wrote / kPageSize * kPageSize;
  }
  int64_t begin = flushed / kPageSize * kPageSize;
  // Step by step, recording each step, so that a putter waiting for sync
  // flush of an early record is released before the whole range is on disk.
  while (begin < wrote) {
    const int64_t end = std::min(wrote, begin + kSyncStepBytes);
    RMQ_RETURN_IF_ERROR(SyncStep(begin, end - begin));
    set_flushed_position(end);
    begin = end;
  }
  return wrote;
}

absl::Status MappedFile::Sync(int64_t pos, int64_t size) const {
  if (pos < 0 || size < 0 || pos + size > file_size_) {
    return absl::OutOfRangeError(StrCat("sync of [", pos, ", ", pos + size, ") outside ", path_,
                                        " (", file_size_, " bytes)"));
  }
  const int64_t end = pos + size;
  for (int64_t begin = pos / kPageSize * kPageSize; begin < end; begin += kSyncStepBytes) {
    RMQ_RETURN_IF_ERROR(SyncStep(begin, std::min(end, begin + kSyncStepBytes) - begin));
  }
  return absl::OkStatus();
}

namespace {
std::atomic<MappedFile::SyncFunction> msync_function{&::msync};
}  // namespace

void MappedFile::SetSyncFunctionForTesting(SyncFunction fn) {
  msync_function.store(fn != nullptr ? fn : &::msync, std::memory_order_relaxed);
}

absl::Status MappedFile::SyncStep(int64_t page_aligned_pos, int64_t size) const {
  SyncFunction sync = msync_function.load(std::memory_order_relaxed);
  if (sync(data_ + page_aligned_pos, static_cast<size_t>(size), MS_SYNC) != 0) {
    return ErrnoError("cannot msync", path_);
  }
  if (size == kSyncStepBytes) sched_yield();  // More may follow: let waiting threads run.
  return absl::OkStatus();
}

absl::Status MappedFile::TruncateFrom(int64_t pos) {
  pos = std::clamp<int64_t>(pos, 0, file_size_);
  int64_t page_end = std::min(file_size_, (pos + kPageSize - 1) / kPageSize * kPageSize);
  char* partial = data_ + pos;
  size_t partial_size = static_cast<size_t>(page_end - pos);
  if (std::any_of(partial, partial + partial_size, [](char c) { return c != 0; })) {
    std::memset(partial, 0, partial_size);  // Written to disk by the next flush.
  }
  if (page_end < file_size_) {
    // Whole pages: punch a hole (reads as zeros at once) and reserve the
    // blocks again so a full disk still shows at segment creation; where the
    // filesystem cannot, write zeros. No sync here: if a crash undoes the
    // punch, the next recovery finds the same end and truncates again, and
    // any later flush of this file commits it.
    if (::fallocate(fd_, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, page_end,
                    file_size_ - page_end) == 0) {
      ::fallocate(fd_, FALLOC_FL_KEEP_SIZE, page_end, file_size_ - page_end);
    } else {
      std::memset(data_ + page_end, 0, static_cast<size_t>(file_size_ - page_end));
    }
  }
  set_wrote_position(pos);
  set_flushed_position(pos / kPageSize * kPageSize);
  return absl::OkStatus();
}

void MappedFile::PersistLastStoreTimestamp() {
  int64_t ms = last_store_timestamp();
  struct timespec times[2];
  times[0].tv_sec = ms / 1000;
  times[0].tv_nsec = (ms % 1000) * 1000000;
  times[1] = times[0];
  ::futimens(fd_, times);  // Best effort: expiry falls back to the real mtime.
}

void MappedFile::Prefetch(int64_t pos, int64_t size) const {
  int64_t begin = std::max<int64_t>(0, pos / kPageSize * kPageSize);
  int64_t end = std::min(file_size_, pos + size);
  if (end > begin) ::madvise(data_ + begin, static_cast<size_t>(end - begin), MADV_WILLNEED);
}

void MappedFile::Prefault(int64_t pos, int64_t size) const {
#ifdef MADV_POPULATE_WRITE
  int64_t begin = std::max<int64_t>(0, pos / kPageSize * kPageSize);
  int64_t end = std::min(file_size_, pos + size);
  if (end > begin) ::madvise(data_ + begin, static_cast<size_t>(end - begin), MADV_POPULATE_WRITE);
#else
  (void)pos;
  (void)size;
#endif
}

void MappedFile::StartWriteBack(int64_t pos, int64_t size) const {
  int64_t begin = std::max<int64_t>(0, pos / kPageSize * kPageSize);
  int64_t end = std::min(file_size_, pos + size);
  // Best effort: if it fails, the records' own flush converts the extents.
  if (end > begin) ::sync_file_range(fd_, begin, end - begin, SYNC_FILE_RANGE_WRITE);
}

}  // namespace rmq::internal
