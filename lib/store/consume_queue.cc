// Copyright 2026 The rmq Authors. Licensed under the Apache License, Version 2.0.

#include "store/consume_queue.h"

#include <atomic>

#include "common/str_cat.h"
#include "common/big_endian.h"
#include "common/status_macros.h"
#include "spdlog/spdlog.h"

namespace rmq::internal {
namespace {

// Writes a unit so that a process killed part-way (SIGKILL: the page cache
// keeps every store made before it) never leaves one that IsWritten accepts
// with a missing commit log offset or tagsCode: those go first, the size
// last. A unit cut short before its size is unwritten, so Load ends the queue
// there and re-dispatch writes it again. The fence keeps the compiler from
// moving or merging the stores, as the commit log's append does for a
// record's head.
void EncodeUnit(const ConsumeQueue::Unit& unit, char* dst) {
  PutBig64(dst, unit.commit_log_offset);
  PutBig64(dst + 12, unit.tags_code);
  std::atomic_signal_fence(std::memory_order_seq_cst);
  PutBig32(dst + 8, unit.size);
}

ConsumeQueue::Unit DecodeUnit(const char* src) {
  return ConsumeQueue::Unit{GetBig64(src), GetBig32(src + 8), GetBig64(src + 12)};
}

// RocketMQ's test for a written unit.
bool IsWritten(const ConsumeQueue::Unit& unit) { return unit.commit_log_offset >= 0 && unit.size > 0; }

}  // namespace

ConsumeQueue::ConsumeQueue(std::string topic, int32_t queue_id, std::string dir, int32_t file_size)
    : topic_(std::move(topic)),
      queue_id_(queue_id),
      segments_(std::move(dir), file_size, MappedFileQueue::Preparation::kNone,
                MappedFile::NewName::kUnsynced) {}

absl::Status ConsumeQueue::Load() {
  RMQ_RETURN_IF_ERROR(segments_.Load());
  auto files = segments_.Segments();
  if (files.empty()) return absl::OkStatus();
  // Find the end: the first unwritten unit, searching from the third-last
  // segment (earlier ones are full). Blank units count as written.
  size_t start = files.size() >= 3 ? files.size() - 3 : 0;
  int64_t end = files[start]->from_offset();
  for (size_t i = start; i < files.size(); ++i) {
    const auto& file = files[i];
    int64_t pos = 0;
    for (; pos + kUnitSize <= file->file_size(); pos += kUnitSize) {
      Unit unit = DecodeUnit(file->data() + pos);
      if (!IsWritten(unit)) break;
      if (!unit.IsBlank()) max_commit_log_end_.store(unit.commit_log_offset + unit.size);
    }
    end = file->from_offset() + pos;
    if (pos + kUnitSize <= file->file_size()) break;
  }
  RMQ_RETURN_IF_ERROR(segments_.TruncateTo(end));
  for (const auto& file : segments_.Segments()) {
    if (file->from_offset() + file->file_size() <= end) {
      file->set_wrote_position(file->file_size());
      file->set_flushed_position(file->file_size());
    }
  }
  min_offset_.store(segments_.MinOffset() / kUnitSize);
  max_offset_.store(end / kUnitSize, std::memory_order_release);
  tail_.reset();
  return absl::OkStatus();
}

int64_t ConsumeQueue::MaxCommitLogEnd() const {
  return max_commit_log_end_.load(std::memory_order_acquire);
}

bool ConsumeQueue::ReadAt(int64_t byte_offset, Unit* unit, Cursor* cursor) const {
  const MappedFile* file = segments_.Seek(byte_offset, cursor);
  if (file == nullptr) return false;
  std::string_view bytes = file->Read(byte_offset - file->from_offset(), kUnitSize);
  if (bytes.empty()) return false;
  *unit = DecodeUnit(bytes.data());
  return true;
}

bool ConsumeQueue::Read(int64_t queue_offset, Unit* unit) const {
  Cursor cursor;
  return Read(queue_offset, unit, &cursor);
}

bool ConsumeQueue::Read(int64_t queue_offset, Unit* unit, Cursor* cursor) const {
  if (queue_offset < MinOffset() || queue_offset >= MaxOffset()) return false;
  return ReadAt(queue_offset * kUnitSize, unit, cursor);
}

absl::Status ConsumeQueue::WriteUnit(int64_t queue_offset, const Unit& unit) {
  int64_t byte_offset = queue_offset * kUnitSize;
  if (!tail_ || !tail_->Contains(byte_offset)) {
    auto file = segments_.SegmentForAppend(byte_offset);
    if (!file.ok()) return file.status();
    tail_ = *std::move(file);
  }
  int64_t pos = byte_offset - tail_->from_offset();
  EncodeUnit(unit, tail_->data() + pos);
  tail_->set_wrote_position(pos + kUnitSize);
  max_offset_.store(queue_offset + 1, std::memory_order_release);
  return absl::OkStatus();
}

absl::Status ConsumeQueue::RepairUnit(int64_t queue_offset, const Unit& unit) {
  const int64_t byte_offset = queue_offset * kUnitSize;
  std::shared_ptr<MappedFile> file = segments_.FindByOffset(byte_offset);
  if (file == nullptr) return absl::OkStatus();  // Deleted by cleanup with its records.
  const int64_t pos = byte_offset - file->from_offset();
  const Unit held = DecodeUnit(file->data() + pos);
  if (held == unit) return absl::OkStatus();
  spdlog::warn(
      "consume queue {}/{}: unit at offset {} is ({}, {}, {}) but the commit log says ({}, {}, "
      "{}); rewriting it",
      topic_, queue_id_, queue_offset, held.commit_log_offset, held.size, held.tags_code,
      unit.commit_log_offset, unit.size, unit.tags_code);
  EncodeUnit(unit, file->data() + pos);
  if (queue_offset == MaxOffset() - 1 && !unit.IsBlank()) {
    max_commit_log_end_.store(unit.commit_log_offset + unit.size, std::memory_order_release);
  }
  // Below the flushed position, which the periodic flush does not go back
  // to: synced now (repairs are rare), or the checkpoint could vouch for a
  // unit whose repair a power loss undid.
  absl::Status synced = file->Sync(pos, kUnitSize);
  if (!synced.ok()) {
    return absl::Status(synced.code(), StrCat("consume queue ", topic_, "/", queue_id_,
                                              ": repaired unit at offset ", queue_offset,
                                              " not synced: ", synced.message()));
  }
  return absl::OkStatus();
}

absl::Status ConsumeQueue::Put(int64_t queue_offset, const Unit& unit, Existing existing) {
  if (queue_offset < 0) {
    return absl::InvalidArgumentError(
        StrCat("consume queue ", topic_, "/", queue_id_, ": negative queue offset ", queue_offset));
  }
  int64_t max = MaxOffset();
  if (queue_offset < max) {  // Already dispatched.
    return existing == Existing::kRepair ? RepairUnit(queue_offset, unit) : absl::OkStatus();
  }
  if (!tail_ && segments_.empty()) {
    // A new (or rebuilt) queue that starts past offset 0: begin in the
    // segment holding `queue_offset`, blank-filled up to it.
    int64_t byte_offset = queue_offset * kUnitSize;
    int64_t seg_start = byte_offset - byte_offset % segments_.file_size();
    max = seg_start / kUnitSize;
    min_offset_.store(queue_offset, std::memory_order_release);
  } else if (queue_offset > max) {
    spdlog::error("consume queue {}/{}: unit for offset {} but the queue ends at {}; filling the gap",
                  topic_, queue_id_, queue_offset, max);
  }
  for (int64_t gap = max; gap < queue_offset; ++gap) {
    RMQ_RETURN_IF_ERROR(WriteUnit(gap, Unit{0, kBlankSize, 0}));
  }
  RMQ_RETURN_IF_ERROR(WriteUnit(queue_offset, unit));
  max_commit_log_end_.store(unit.commit_log_offset + unit.size, std::memory_order_release);
  return absl::OkStatus();
}

absl::Status ConsumeQueue::TruncateDirty(int64_t commit_log_end) {
  int64_t max = MaxOffset();
  int64_t min = segments_.MinOffset() / kUnitSize;
  int64_t keep = max;
  // Units are in commit log order: walk back from the end.
  Cursor cursor;
  while (keep > min) {
    Unit unit;
    if (!ReadAt((keep - 1) * kUnitSize, &unit, &cursor)) break;
    if (!unit.IsBlank() && unit.commit_log_offset + unit.size <= commit_log_end) break;
    --keep;
  }
  if (keep == max) return absl::OkStatus();
  spdlog::info("consume queue {}/{}: dropping units [{}, {}) past commit log end {}", topic_,
               queue_id_, keep, max, commit_log_end);
  RMQ_RETURN_IF_ERROR(segments_.TruncateTo(keep * kUnitSize));
  max_offset_.store(keep, std::memory_order_release);
  tail_.reset();
  int64_t end = 0;
  Unit last;
  Cursor after;  // Not `cursor`: its segment may be gone.
  for (int64_t i = keep; i > min && end == 0; --i) {
    if (ReadAt((i - 1) * kUnitSize, &last, &after) && !last.IsBlank()) {
      end = last.commit_log_offset + last.size;
    }
  }
  max_commit_log_end_.store(end, std::memory_order_release);
  if (MinOffset() > keep) min_offset_.store(keep, std::memory_order_release);
  return absl::OkStatus();
}

void ConsumeQueue::CorrectMinOffset(int64_t commit_log_min) {
  int64_t offset = std::max(MinOffset(), segments_.MinOffset() / kUnitSize);
  int64_t max = MaxOffset();
  Unit unit;
  Cursor cursor;
  while (offset < max && ReadAt(offset * kUnitSize, &unit, &cursor) &&
         (unit.IsBlank() || unit.commit_log_offset < commit_log_min)) {
    ++offset;
  }
  min_offset_.store(offset, std::memory_order_release);
}

int ConsumeQueue::DeleteExpired(int64_t commit_log_min) {
  int deleted = segments_.DeleteFront(
      [&](const MappedFile& file) {
        // The segment's last message unit points below the commit log's
        // start. Blank units point nowhere: a gap filled across a segment
        // end leaves a segment ending in them, and one of only blanks.
        // (Never the last segment: DeleteFront keeps it.)
        for (int64_t at = file.wrote_position() - kUnitSize; at >= 0; at -= kUnitSize) {
          Unit unit = DecodeUnit(file.data() + at);
          if (!unit.IsBlank()) return unit.commit_log_offset + unit.size <= commit_log_min;
        }
        return file.wrote_position() >= kUnitSize;
      },
      /*max_files=*/1 << 20);
  CorrectMinOffset(commit_log_min);
  return deleted;
}

absl::Status ConsumeQueue::Flush(int least_pages) {
  auto reached = segments_.Flush(least_pages);
  if (!reached.ok()) return reached.status();
  // New segments were created without syncing their names (on the
  // dispatcher thread): done here, before the checkpoint vouches for them.
  return segments_.SyncNewNames();
}

void ConsumeQueue::Destroy() {
  segments_.DestroyAll();
  tail_.reset();
  max_offset_.store(0);
  min_offset_.store(0);
  max_commit_log_end_.store(0);
}

}  // namespace rmq::internal
