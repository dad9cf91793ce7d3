// Copyright 2026 The rmq Authors. Licensed under the Apache License, Version 2.0.

#include "store/timer_wheel.h"

#include <filesystem>
#include <system_error>
#include <utility>

#include "common/big_endian.h"
#include "common/durable_dir.h"
#include "common/str_cat.h"

namespace rmq::internal {

// A wheel slot as stored (big-endian, as every rmq file).
struct TimerWheel::Slot {
  char bytes[16];  // newest link i64, count i32, reserved i32
};

namespace {

constexpr int64_t kSlotBytes = 16;
constexpr int64_t kRecordBytes = 32;  // deliver_ms i64, offset i64, size i32, prev i64, pad i32

}  // namespace

absl::StatusOr<std::unique_ptr<TimerWheel>> TimerWheel::Create(const Options& options) {
  if (options.precision_ms <= 0 || options.span_ms < options.precision_ms) {
    return absl::InvalidArgumentError(StrCat("timer wheel: precision ", options.precision_ms,
                                             " ms and span ", options.span_ms,
                                             " ms must be positive, span >= precision"));
  }
  if (options.log_segment_bytes <= 0 || options.log_segment_bytes % kRecordBytes != 0) {
    return absl::InvalidArgumentError(StrCat("timer wheel: log segment size ",
                                             options.log_segment_bytes,
                                             " is not a positive multiple of ", kRecordBytes));
  }
  std::error_code ec;
  std::filesystem::remove_all(options.dir, ec);
  if (ec) {
    return absl::InternalError(StrCat("timer wheel: removing ", options.dir, ": ", ec.message()));
  }
  if (absl::Status s = CreateDirectoriesDurably(options.dir + "/log"); !s.ok()) {
    return absl::Status(s.code(), StrCat("timer wheel: ", s.message()));
  }
  const int64_t slot_count = options.span_ms / options.precision_ms + 2;
  auto wheel = MappedFile::OpenNamed(options.dir + "/wheel", slot_count * kSlotBytes);
  if (!wheel.ok()) return wheel.status();
  auto created = std::unique_ptr<TimerWheel>(new TimerWheel(options, slot_count, *std::move(wheel)));
  if (absl::Status s = created->log_.Load(); !s.ok()) return s;
  return created;
}

TimerWheel::TimerWheel(const Options& options, int64_t slot_count,
                       std::shared_ptr<MappedFile> wheel)
    : precision_ms_(options.precision_ms),
      span_ms_(options.span_ms),
      slot_count_(slot_count),
      wheel_(std::move(wheel)),
      log_(options.dir + "/log", options.log_segment_bytes) {}

TimerWheel::~TimerWheel() = default;

TimerWheel::Slot* TimerWheel::SlotAt(int64_t index) const {
  return reinterpret_cast<Slot*>(wheel_->data() + index * kSlotBytes);
}

absl::StatusOr<int64_t> TimerWheel::Append(const TimerRecord& record, int64_t prev) {
  auto segment = log_.SegmentForAppend(log_end_);
  if (!segment.ok()) return segment.status();
  MappedFile& file = **segment;
  if (live_per_segment_.empty()) first_segment_offset_ = file.from_offset();
  const int64_t index = (file.from_offset() - first_segment_offset_) / log_.file_size();
  while (static_cast<int64_t>(live_per_segment_.size()) <= index) live_per_segment_.push_back(0);
  ++live_per_segment_[static_cast<size_t>(index)];
  char* p = file.data() + (log_end_ - file.from_offset());
  PutBig64(p, record.deliver_ms);
  PutBig64(p + 8, record.commit_log_offset);
  PutBig32(p + 16, record.size);
  PutBig64(p + 20, prev);
  file.set_wrote_position(log_end_ - file.from_offset() + kRecordBytes);
  const int64_t link = log_end_ + 1;
  log_end_ += kRecordBytes;
  ++size_;
  return link;
}

TimerRecord TimerWheel::Read(int64_t link, int64_t* prev) const {
  const int64_t pos = link - 1;
  std::shared_ptr<MappedFile> file = log_.FindByOffset(pos);
  const char* p = file->data() + (pos - file->from_offset());
  TimerRecord record;
  record.deliver_ms = GetBig64(p);
  record.commit_log_offset = GetBig64(p + 8);
  record.size = static_cast<int32_t>(GetBig32(p + 16));
  *prev = GetBig64(p + 20);
  return record;
}

void TimerWheel::Release(int64_t link) {
  --size_;
  const int64_t index = (link - 1 - first_segment_offset_) / log_.file_size();
  --live_per_segment_[static_cast<size_t>(index)];
  // Leading segments with nothing linked go (the last one stays for appends).
  int drop = 0;
  while (static_cast<size_t>(drop) + 1 < live_per_segment_.size() &&
         live_per_segment_[static_cast<size_t>(drop)] == 0) {
    ++drop;
  }
  if (drop == 0) return;
  const int64_t end = first_segment_offset_ + drop * log_.file_size();
  int removed = log_.DeleteFront([end](const MappedFile& f) { return f.from_offset() < end; }, drop);
  for (int i = 0; i < removed; ++i) live_per_segment_.pop_front();
  first_segment_offset_ += removed * log_.file_size();
}

absl::Status TimerWheel::Add(const TimerRecord& record) {
  Slot* slot = SlotAt(IndexOf(record.deliver_ms));
  auto link = Append(record, GetBig64(slot->bytes));
  if (!link.ok()) return link.status();
  PutBig64(slot->bytes, *link);
  PutBig32(slot->bytes + 8, GetBig32(slot->bytes + 8) + 1);
  return absl::OkStatus();
}

absl::Status TimerWheel::AddOverdue(const TimerRecord& record) {
  auto link = Append(record, overdue_head_);
  if (!link.ok()) return link.status();
  overdue_head_ = *link;
  ++overdue_count_;
  return absl::OkStatus();
}

std::vector<TimerRecord> TimerWheel::TakeSlot(int64_t t) {
  Slot* slot = SlotAt(IndexOf(t));
  std::vector<TimerRecord> out;
  out.reserve(static_cast<size_t>(GetBig32(slot->bytes + 8)));
  for (int64_t link = GetBig64(slot->bytes); link != 0;) {
    int64_t prev = 0;
    out.push_back(Read(link, &prev));
    Release(link);
    link = prev;
  }
  PutBig64(slot->bytes, 0);
  PutBig32(slot->bytes + 8, 0);
  return out;
}

std::optional<TimerRecord> TimerWheel::PopOverdue() {
  if (overdue_head_ == 0) return std::nullopt;
  int64_t prev = 0;
  TimerRecord record = Read(overdue_head_, &prev);
  Release(overdue_head_);
  overdue_head_ = prev;
  --overdue_count_;
  return record;
}

std::optional<int64_t> TimerWheel::NextOccupied(int64_t from_ms) const {
  if (size_ == overdue_count_) return std::nullopt;  // Every slot is empty.
  const int64_t start = SlotStart(from_ms);
  for (int64_t i = 0; i < slot_count_; ++i) {
    const int64_t t = start + i * precision_ms_;
    if (GetBig32(SlotAt(IndexOf(t))->bytes + 8) != 0) return t;
  }
  return std::nullopt;
}

}  // namespace rmq::internal
