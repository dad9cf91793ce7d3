// Copyright 2026 The rmq Authors. Licensed under the Apache License, Version 2.0.

#include "store/mapped_file_queue.h"

#include <sched.h>

#include <algorithm>
#include <filesystem>
#include <system_error>

#include "common/durable_dir.h"
#include "common/status_macros.h"
#include "common/str_cat.h"
#include "common/this_thread.h"
#include "spdlog/spdlog.h"

namespace rmq::internal {

namespace fs = std::filesystem;

MappedFileQueue::MappedFileQueue(std::string dir, int64_t file_size, Preparation preparation,
                                 MappedFile::NewName new_names)
    : dir_(std::move(dir)), file_size_(file_size), preparation_(preparation), new_names_(new_names) {
  if (preparation != Preparation::kNone) {
    allocator_ = std::jthread([this](std::stop_token stop) { PreallocateLoop(stop); });
  }
}

MappedFileQueue::~MappedFileQueue() {
  if (allocator_.joinable()) {
    allocator_.request_stop();
    {
      absl::MutexLock lock(&alloc_mu_);  // Wake the loop so it sees the stop.
      wanted_offset_ = -2;
    }
    allocator_.join();
    // A segment created ahead but never handed out holds nothing: remove it,
    // as RocketMQ's AllocateMappedFileService.shutdown does, so that a clean
    // shutdown does not leave an empty segment after the log's last one.
    absl::MutexLock lock(&alloc_mu_);
    if (ready_) ready_->Unlink();
    ready_.reset();
  }
}

absl::Status MappedFileQueue::Load() {
  RMQ_RETURN_IF_ERROR(CreateDirectoriesDurably(dir_));
  std::error_code ec;
  std::vector<std::string> names;
  for (const auto& entry : fs::directory_iterator(dir_, ec)) {
    if (entry.is_regular_file()) names.push_back(entry.path().filename().string());
  }
  if (ec) return absl::InternalError(StrCat("cannot list ", dir_, ": ", ec.message()));
  std::sort(names.begin(), names.end());
  std::vector<std::shared_ptr<MappedFile>> loaded;
  for (const std::string& name : names) {
    auto file = MappedFile::Open(StrCat(dir_, "/", name), file_size_);
    if (!file.ok()) return file.status();
    if (!loaded.empty() && (*file)->from_offset() != loaded.back()->from_offset() + file_size_) {
      return absl::DataLossError(StrCat("segment ", (*file)->path(), " does not follow ",
                                              loaded.back()->path(), ": a segment is missing"));
    }
    (*file)->set_wrote_position(file_size_);
    (*file)->set_flushed_position(file_size_);
    loaded.push_back(*std::move(file));
  }
  absl::MutexLock lock(&mu_);
  segments_ = std::move(loaded);
  return absl::OkStatus();
}

absl::StatusOr<std::shared_ptr<MappedFile>> MappedFileQueue::OpenSegmentFile(int64_t offset) {
  auto file = MappedFile::Open(StrCat(dir_, "/", MappedFile::FileNameForOffset(offset)),
                               file_size_, FirstTouch(), new_names_);
  if (file.ok() && new_names_ == MappedFile::NewName::kUnsynced) {
    unsynced_names_.store(true, std::memory_order_release);
  }
  return file;
}

absl::Status MappedFileQueue::SyncNewNames() {
  if (!unsynced_names_.exchange(false, std::memory_order_acq_rel)) return absl::OkStatus();
  absl::Status s = SyncDirectory(dir_);
  if (!s.ok()) unsynced_names_.store(true, std::memory_order_release);  // Tried again next time.
  return s;
}

void MappedFileQueue::MarkNotDurable() {
  for (const auto& file : Segments()) file->set_flushed_position(0);
  unsynced_names_.store(true, std::memory_order_release);
}

absl::StatusOr<std::shared_ptr<MappedFile>> MappedFileQueue::CreateSegment(int64_t offset) {
  if (!allocator_.joinable()) return OpenSegmentFile(offset);
  absl::MutexLock lock(&alloc_mu_);
  if (!(ready_ && ready_->from_offset() == offset)) {
    ready_.reset();
    wanted_offset_ = offset;
    auto done = [this, offset]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(alloc_mu_) {
      return (ready_ && ready_->from_offset() == offset) || wanted_offset_ != offset;
    };
    alloc_mu_.Await(absl::Condition(&done));
    if (!ready_ || ready_->from_offset() != offset) {
      // The allocator failed; create here to get (and report) the error.
      wanted_offset_ = -1;
      return OpenSegmentFile(offset);
    }
  }
  std::shared_ptr<MappedFile> file = std::move(ready_);
  wanted_offset_ = offset + file_size_;  // Start on the next one now.
  return file;
}

void MappedFileQueue::WarmAhead(const std::shared_ptr<MappedFile>& file, int64_t pos) {
  if (!allocator_.joinable()) return;
  absl::MutexLock lock(&alloc_mu_);
  if (warm_file_ != file) {
    warm_file_ = file;
    warmed_ = pos;
  }
  warm_target_ = std::min(file->file_size(), pos + kWarmAheadBytes);
  if (warmed_ < pos) warmed_ = pos;  // Behind the writer: nothing left to gain there.
}

void MappedFileQueue::PreallocateLoop(std::stop_token stop) {
  // If it falls behind, the writer faults its pages in itself: slower, never wrong.
  MakeThisThreadBackground();
  NameThisThread("rmq-prealloc");  // Last: a thread with its name has its settings.
  while (!stop.stop_requested()) {
    int64_t offset = -1;
    std::shared_ptr<MappedFile> warm;
    int64_t warm_from = 0;
    int64_t warm_size = 0;
    {
      absl::MutexLock lock(&alloc_mu_);
      auto work = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(alloc_mu_) {
        return wanted_offset_ == -2 ||
               (wanted_offset_ >= 0 && !(ready_ && ready_->from_offset() == wanted_offset_)) ||
               (warm_file_ && warmed_ < warm_target_);
      };
      alloc_mu_.Await(absl::Condition(&work));
      if (wanted_offset_ == -2) return;
      if (wanted_offset_ >= 0 && !(ready_ && ready_->from_offset() == wanted_offset_)) {
        offset = wanted_offset_;  // A segment the writer will need beats warming.
      } else {
        warm = warm_file_;
        warm_from = warmed_;
        warm_size = std::min(kWarmStepBytes, warm_target_ - warmed_);
        warmed_ += warm_size;
      }
    }
    if (warm) {
      Warm(*warm, warm_from, warm_size);
      continue;
    }
    auto file = OpenSegmentFile(offset);
    if (file.ok()) Warm(**file, 0, std::min(file_size_, kWarmAheadBytes));
    absl::MutexLock lock(&alloc_mu_);
    if (file.ok() && wanted_offset_ == offset) {
      ready_ = *std::move(file);
    } else {
      if (!file.ok()) spdlog::warn("preallocating segment failed: {}", file.status().ToString());
      if (wanted_offset_ == offset) wanted_offset_ = -1;  // Let the writer retry and report.
      if (file.ok()) (*file)->Unlink();  // Nobody wants it any more.
    }
  }
}

void MappedFileQueue::Warm(const MappedFile& file, int64_t pos, int64_t size) const {
  // In small steps with a yield between them, for the reason MappedFile's
  // kSyncStepBytes gives: faulting in a megabyte of a file's pages took up
  // to 20 ms of kernel time on the test machine, all that time one of its
  // two cores lost to the threads messages pass through.
  const int64_t end = pos + size;
  for (int64_t step = pos; step < end; step += kWarmStepBytes) {
    const int64_t n = std::min(kWarmStepBytes, end - step);
    file.Prefault(step, n);
    if (preparation_ == Preparation::kPreallocateAndWriteZeros) file.StartWriteBack(step, n);
    sched_yield();  // Also after the last step: the caller may come straight back.
  }
}

absl::StatusOr<std::shared_ptr<MappedFile>> MappedFileQueue::SegmentForAppend(int64_t offset) {
  {
    absl::MutexLock lock(&mu_);
    if (!segments_.empty()) {
      const auto& last = segments_.back();
      if (last->Contains(offset)) return last;
      if (offset != last->from_offset() + file_size_) {
        return absl::InternalError(StrCat("append at ", offset, " is not at the end of ",
                                                last->path()));
      }
    }
  }
  int64_t start = offset - offset % file_size_;
  auto file = CreateSegment(start);
  if (!file.ok()) return file.status();
  absl::MutexLock lock(&mu_);
  segments_.push_back(*file);
  return *file;
}

std::shared_ptr<MappedFile> MappedFileQueue::FindByOffset(int64_t offset) const {
  absl::ReaderMutexLock lock(&mu_);
  if (segments_.empty()) return nullptr;
  int64_t first = segments_.front()->from_offset();
  if (offset < first) return nullptr;
  size_t index = static_cast<size_t>((offset - first) / file_size_);
  if (index >= segments_.size()) return nullptr;
  return segments_[index];
}

const MappedFile* MappedFileQueue::Seek(int64_t offset, Cursor* cursor) const {
  if (cursor->owner != this || cursor->file == nullptr || !cursor->file->Contains(offset)) {
    std::shared_ptr<MappedFile> file = FindByOffset(offset);
    cursor->owner = this;
    cursor->file = file.get();
    cursor->keep_alive = std::move(file);
  }
  return cursor->file;
}

std::shared_ptr<MappedFile> MappedFileQueue::First() const {
  absl::ReaderMutexLock lock(&mu_);
  return segments_.empty() ? nullptr : segments_.front();
}

std::shared_ptr<MappedFile> MappedFileQueue::Last() const {
  absl::ReaderMutexLock lock(&mu_);
  return segments_.empty() ? nullptr : segments_.back();
}

std::vector<std::shared_ptr<MappedFile>> MappedFileQueue::Segments() const {
  absl::ReaderMutexLock lock(&mu_);
  return segments_;
}

bool MappedFileQueue::empty() const {
  absl::ReaderMutexLock lock(&mu_);
  return segments_.empty();
}

int64_t MappedFileQueue::MinOffset() const {
  auto first = First();
  return first ? first->from_offset() : 0;
}

int64_t MappedFileQueue::MaxOffset() const {
  auto last = Last();
  return last ? last->from_offset() + last->wrote_position() : 0;
}

int64_t MappedFileQueue::FlushedOffset() const {
  auto segments = Segments();
  for (auto it = segments.rbegin(); it != segments.rend(); ++it) {
    if ((*it)->flushed_position() > 0) return (*it)->from_offset() + (*it)->flushed_position();
  }
  return segments.empty() ? 0 : segments.front()->from_offset();
}

absl::Status MappedFileQueue::TruncateTo(int64_t offset) {
  std::vector<std::shared_ptr<MappedFile>> doomed;
  std::shared_ptr<MappedFile> containing;
  {
    absl::MutexLock lock(&mu_);
    while (!segments_.empty() && segments_.back()->from_offset() > offset) {
      doomed.push_back(segments_.back());
      segments_.pop_back();
    }
    if (!segments_.empty() && offset >= segments_.back()->from_offset()) {
      containing = segments_.back();
    }
  }
  for (auto& file : doomed) file->Unlink();
  if (containing) return containing->TruncateFrom(offset - containing->from_offset());
  return absl::OkStatus();
}

absl::StatusOr<int64_t> MappedFileQueue::Flush(int least_pages) {
  int64_t reached = 0;
  for (const auto& file : Segments()) {
    if (file->flushed_position() >= file->wrote_position()) {
      reached = file->from_offset() + file->flushed_position();
      continue;
    }
    auto flushed = file->Flush(least_pages);
    if (!flushed.ok()) return flushed.status();
    reached = file->from_offset() + *flushed;
    if (*flushed < file->wrote_position()) break;  // Not enough pages yet.
  }
  return reached;
}

int MappedFileQueue::DeleteFront(const std::function<bool(const MappedFile&)>& expired,
                                 int max_files) {
  std::vector<std::shared_ptr<MappedFile>> doomed;
  {
    absl::MutexLock lock(&mu_);
    size_t n = 0;
    while (n + 1 < segments_.size() && static_cast<int>(n) < max_files &&
           expired(*segments_[n])) {
      ++n;
    }
    doomed.assign(segments_.begin(), segments_.begin() + static_cast<ptrdiff_t>(n));
    segments_.erase(segments_.begin(), segments_.begin() + static_cast<ptrdiff_t>(n));
  }
  for (auto& file : doomed) file->Unlink();
  return static_cast<int>(doomed.size());
}

void MappedFileQueue::DestroyAll() {
  std::vector<std::shared_ptr<MappedFile>> doomed;
  {
    absl::MutexLock lock(&mu_);
    doomed.swap(segments_);
  }
  for (auto& file : doomed) file->Unlink();
}

}  // namespace rmq::internal
