// Copyright 2026 The rmq Authors. Licensed under the Apache License, Version 2.0.

#include "store/commit_log.h"

#include <algorithm>
#include <atomic>
#include <cstring>
#include <vector>

#include "common/str_cat.h"
#include "common/big_endian.h"
#include "common/status_macros.h"
#include "common/crc32.h"
#include "common/properties_codec.h"
#include "spdlog/spdlog.h"
#include "store/topic_validator.h"

namespace rmq::internal {
namespace {

int32_t HostBits(const HostAddress& born, const HostAddress& store) {
  return (born.ipv6 ? sysflag::kBornHostV6 : 0) | (store.ipv6 ? sysflag::kStoreHostV6 : 0);
}

constexpr int32_t kHostBitsMask = sysflag::kBornHostV6 | sysflag::kStoreHostV6;

// Messages that never enter a consume queue (half and rolled-back
// transaction records) take no queue offset, as in RocketMQ.
bool ConsumeQueueVisible(int32_t sys_flag) {
  int32_t tx = sysflag::TransactionValue(sys_flag);
  return tx != sysflag::kTransactionPreparedType && tx != sysflag::kTransactionRollbackType;
}

// Per-thread scratch: the encoded record(s) and properties. They grow to the
// largest message a thread has sent and are reused, so the append path
// allocates nothing after warm-up.
thread_local std::string tls_records;
thread_local std::string tls_properties;
thread_local std::vector<size_t> tls_starts;

}  // namespace

CommitLog::CommitLog(const MessageStoreConfig& config, const Clock& clock, HostAddress store_host)
    : config_(config),
      clock_(clock),
      store_host_(store_host),
      segments_(config.CommitLogDir(), config.mapped_file_size_commit_log,
                config.flush_disk_type == FlushDiskType::kSyncFlush
                    ? MappedFileQueue::Preparation::kPreallocateAndWriteZeros
                    : MappedFileQueue::Preparation::kPreallocate) {}

absl::Status CommitLog::Load() { return segments_.Load(); }

absl::StatusOr<CommitLog::RecoveryResult> CommitLog::Recover(
    bool abnormal, int64_t checkpoint_ms,
    const std::function<void(const ScannedRecord&)>& on_record) {
  std::vector<std::shared_ptr<MappedFile>> files = segments_.Segments();
  RecoveryResult result;
  if (files.empty()) {
    max_offset_.store(0);
    flushed_offset_.store(0);
    return result;
  }
  size_t start = files.size() >= 3 ? files.size() - 3 : 0;
  if (abnormal) {
    // The newest segment that begins with a record stored before the
    // checkpoint: everything before that record was flushed and dispatched.
    start = 0;
    for (size_t i = files.size(); i-- > 0;) {
      RecordView first;
      std::string_view data(files[i]->data(), static_cast<size_t>(files[i]->file_size()));
      auto kind = ParseRecord(data, /*check_crc=*/true, &first);
      if (kind.ok() && *kind == RecordKind::kMessage && first.store_timestamp != 0 &&
          first.store_timestamp <= checkpoint_ms) {
        start = i;
        break;
      }
    }
  }
  result.scan_start = files[start]->from_offset();
  int64_t end = result.scan_start;
  for (size_t i = start; i < files.size(); ++i) {
    const auto& file = files[i];
    std::string_view data(file->data(), static_cast<size_t>(file->file_size()));
    int64_t pos = 0;
    bool segment_closed = false;
    while (pos < file->file_size()) {
      ScannedRecord scanned;
      scanned.offset = file->from_offset() + pos;
      auto kind = ParseRecord(data.substr(static_cast<size_t>(pos)), /*check_crc=*/true,
                              &scanned.view);
      if (!kind.ok()) {
        result.truncation_reason = StrCat("commit log offset ", scanned.offset, " in ",
                                                file->path(), ": ", kind.status().message());
        break;
      }
      if (*kind == RecordKind::kEnd) break;
      if (*kind == RecordKind::kBlank) {
        segment_closed = true;
        pos = file->file_size();
        break;
      }
      if (scanned.view.physical_offset != scanned.offset) {
        result.truncation_reason =
            StrCat("commit log offset ", scanned.offset, " in ", file->path(),
                         ": record claims physical offset ", scanned.view.physical_offset);
        break;
      }
      on_record(scanned);
      ++result.valid_records;
      last_store_timestamp_.store(scanned.view.store_timestamp, std::memory_order_relaxed);
      file->set_last_store_timestamp(scanned.view.store_timestamp);
      pos += scanned.view.total_size;
    }
    end = file->from_offset() + pos;
    if (!(segment_closed || pos == file->file_size()) || !result.truncation_reason.empty()) break;
  }
  result.end_offset = end;
  int64_t old_end = segments_.Last()->from_offset() + segments_.Last()->file_size();
  RMQ_RETURN_IF_ERROR(segments_.TruncateTo(end));
  result.truncated_bytes = 0;
  if (!result.truncation_reason.empty()) {
    result.truncated_bytes = old_end - end;  // Upper bound: the rest of the log's space.
    spdlog::warn("commit log truncated at {}: {}", end, result.truncation_reason);
  }
  // Segments before the end are complete; the containing one was set by TruncateTo.
  for (const auto& file : segments_.Segments()) {
    if (file->from_offset() + file->file_size() <= end) {
      file->set_wrote_position(file->file_size());
      file->set_flushed_position(file->file_size());
    }
  }
  // Records recovered from the page cache after a process crash may not be on
  // disk yet: a kill -9 loses no page cache, but the dead process may not
  // have synced what it wrote, and a power loss soon after would take it.
  // So the first flush covers every segment the scan went through (for the
  // older ones that is an msync of clean pages, which costs little); without
  // that, a record synced and acknowledged after the restart could follow a
  // hole, and the next recovery would end the log before it. After a clean
  // shutdown everything was synced; the first flush covers the last segment.
  int64_t unsynced_from = abnormal ? result.scan_start : end;
  if (auto last = segments_.Last(); last && !abnormal) unsynced_from = last->from_offset();
  unsynced_from = std::min(unsynced_from, end);
  for (const auto& file : segments_.Segments()) {
    if (file->from_offset() + file->file_size() > unsynced_from) file->set_flushed_position(0);
  }
  const int64_t flushed = unsynced_from;
  max_offset_.store(end, std::memory_order_release);
  flushed_offset_.store(flushed, std::memory_order_release);
  absl::MutexLock lock(&put_mu_);
  current_.reset();
  return result;
}

absl::StatusOr<size_t> CommitLog::Encode(const MessageExt& msg, std::string* buffer, size_t at) {
  size_t props_size = EncodedPropertiesSize(msg.properties());
  if (props_size > static_cast<size_t>(kMaxPropertiesLength)) {
    return absl::InvalidArgumentError(StrCat("message properties take ", props_size,
                                                   " bytes, more than ", kMaxPropertiesLength));
  }
  if (tls_properties.size() < props_size) tls_properties.resize(props_size);
  EncodeProperties(msg.properties(), tls_properties.data());
  std::string_view props(tls_properties.data(), props_size);
  // A well-formed encoding has exactly one separator of each kind per
  // property; counting them is one cheap pass. Only if that fails (or a name
  // is empty) is the full check run, for its precise message.
  const size_t separators = CountSeparators(props);
  bool empty_name = std::any_of(msg.properties().begin(), msg.properties().end(),
                                [](const auto& p) { return p.first.empty(); });
  if (separators != 2 * msg.properties().size() || empty_name) {
    RMQ_RETURN_IF_ERROR(ValidateProperties(msg.properties()));
  }
  EncodedMessage view;
  view.topic = msg.topic();
  view.queue_id = msg.queue_id;
  view.flag = msg.flag();
  view.body = msg.body();
  view.properties = props;
  view.sys_flag = msg.sys_flag;
  view.born_timestamp = msg.born_timestamp;
  view.born_host = msg.born_host;
  view.reconsume_times = msg.reconsume_times;
  view.prepared_transaction_offset = msg.prepared_transaction_offset;
  return EncodeView(view, /*properties_checked=*/true, buffer, at);
}

absl::StatusOr<size_t> CommitLog::EncodeView(const EncodedMessage& msg, bool properties_checked,
                                             std::string* buffer, size_t at) {
  if (msg.body.size() > static_cast<size_t>(config_.max_message_size)) {
    return absl::InvalidArgumentError(StrCat("message body ", msg.body.size(),
                                                   " bytes exceeds maxMessageSize ",
                                                   config_.max_message_size));
  }
  RMQ_RETURN_IF_ERROR(ValidateTopic(msg.topic, std::min(config_.max_topic_length, kMaxTopicLength)));
  if (msg.queue_id < 0) {
    return absl::InvalidArgumentError(StrCat("queue id ", msg.queue_id, " is negative"));
  }
  if (msg.properties.size() > static_cast<size_t>(kMaxPropertiesLength)) {
    return absl::InvalidArgumentError(StrCat("message properties take ", msg.properties.size(),
                                                   " bytes, more than ", kMaxPropertiesLength));
  }
  if (!properties_checked) RMQ_RETURN_IF_ERROR(ValidateEncodedProperties(msg.properties));

  const int32_t sys_flag = (msg.sys_flag & ~kHostBitsMask) | HostBits(msg.born_host, store_host_);
  size_t size = RecordSize(sys_flag, msg.body.size(), msg.topic.size(), msg.properties.size());
  if (size + kEndFileMinBlankLength > static_cast<size_t>(config_.mapped_file_size_commit_log)) {
    return absl::InvalidArgumentError(
        StrCat("record of ", size, " bytes does not fit in a commit log segment of ",
                     config_.mapped_file_size_commit_log, " bytes (mappedFileSizeCommitLog)"));
  }
  if (buffer->size() < at + size) buffer->resize(at + size);
  EncodeRecord(msg, sys_flag, store_host_, Crc32(msg.body), buffer->data() + at);
  return size;
}

absl::StatusOr<AppendResult> CommitLog::Append(const MessageExt& msg) {
  auto size = Encode(msg, &tls_records, 0);
  if (!size.ok()) return size.status();
  size_t start = 0;
  return AppendEncoded(msg.topic(), msg.queue_id, ConsumeQueueVisible(msg.sys_flag),
                       tls_records.data(), *size, &start, 1);
}

absl::StatusOr<AppendResult> CommitLog::AppendMessage(const EncodedMessage& msg) {
  auto size = EncodeView(msg, msg.properties_checked, &tls_records, 0);
  if (!size.ok()) return size.status();
  size_t start = 0;
  return AppendEncoded(msg.topic, msg.queue_id, ConsumeQueueVisible(msg.sys_flag),
                       tls_records.data(), *size, &start, 1);
}

absl::StatusOr<AppendResult> CommitLog::AppendBatch(std::span<const MessageExt> msgs) {
  if (msgs.empty()) return absl::InvalidArgumentError("empty batch");
  const MessageExt& first = msgs.front();
  tls_starts.clear();
  size_t bytes = 0;
  for (const MessageExt& msg : msgs) {
    if (msg.topic() != first.topic() || msg.queue_id != first.queue_id) {
      return absl::InvalidArgumentError(
          StrCat("a batch must have one topic and queue; found ", first.topic(), "/",
                       first.queue_id, " and ", msg.topic(), "/", msg.queue_id));
    }
    if (ConsumeQueueVisible(msg.sys_flag) != ConsumeQueueVisible(first.sys_flag)) {
      return absl::InvalidArgumentError("a batch cannot mix transactional half messages with others");
    }
    auto size = Encode(msg, &tls_records, bytes);
    if (!size.ok()) return size.status();
    tls_starts.push_back(bytes);
    bytes += *size;
  }
  if (bytes + kEndFileMinBlankLength > static_cast<size_t>(config_.mapped_file_size_commit_log)) {
    return absl::InvalidArgumentError(
        StrCat("batch of ", bytes, " bytes does not fit in a commit log segment of ",
                     config_.mapped_file_size_commit_log, " bytes (mappedFileSizeCommitLog)"));
  }
  return AppendEncoded(first.topic(), first.queue_id, ConsumeQueueVisible(first.sys_flag),
                       tls_records.data(), bytes, tls_starts.data(),
                       static_cast<int>(tls_starts.size()));
}

absl::StatusOr<AppendResult> CommitLog::AppendEncoded(std::string_view topic, int32_t queue_id,
                                                      bool consume_queue_visible, char* records,
                                                      size_t bytes, const size_t* starts,
                                                      int count) {
  const int64_t file_size = config_.mapped_file_size_commit_log;
  const int64_t len = static_cast<int64_t>(bytes);
  absl::MutexLock lock(&put_mu_);
  int64_t offset = max_offset_.load(std::memory_order_relaxed);
  if (!current_ || !current_->Contains(offset)) {
    auto file = segments_.SegmentForAppend(offset);
    if (!file.ok()) return file.status();
    current_ = *std::move(file);
  }
  int64_t pos = offset - current_->from_offset();
  if (pos + len + kEndFileMinBlankLength > file_size) {
    // Close the segment with a BLANK record; the batch goes to the next one.
    char* blank = current_->data() + pos;
    PutBig32(blank + kTotalSizePos, static_cast<int32_t>(file_size - pos));
    PutBig32(blank + kMagicCodePos, kBlankMagicCode);
    current_->set_wrote_position(file_size);
    current_->PersistLastStoreTimestamp();
    offset = current_->from_offset() + file_size;
    max_offset_.store(offset, std::memory_order_release);
    auto file = segments_.SegmentForAppend(offset);
    if (!file.ok()) {
      current_.reset();
      return file.status();
    }
    current_ = *std::move(file);
    pos = 0;
  }
  int64_t now = clock_.NowMillis();
  int64_t queue_offset = 0;
  if (consume_queue_visible) {
    auto it = queue_offsets_.find(TopicQueueRef{topic, queue_id});
    if (it == queue_offsets_.end()) {
      it = queue_offsets_.emplace(TopicQueueKey{std::string(topic), queue_id}, 0).first;
    }
    queue_offset = it->second;
    it->second += count;
  }
  for (int i = 0; i < count; ++i) {
    PatchStoreFields(records + starts[i], consume_queue_visible ? queue_offset + i : 0,
                     offset + static_cast<int64_t>(starts[i]), now);
  }
  // Crash atomicity of a batch (and of a record): recovery ends the log at
  // the first record without its size and magic code, so those 8 bytes of
  // the first record are stored last. A process killed during the copy
  // leaves no prefix of the batch that recovery would take as whole
  // messages; the bytes after them are zeroed by recovery.
  constexpr size_t kHead = kMagicCodePos + 4;
  char* dst = current_->data() + pos;
  std::memcpy(dst + kHead, records + kHead, bytes - kHead);
  std::atomic_signal_fence(std::memory_order_seq_cst);  // Keeps the compiler from merging the copies.
  std::memcpy(dst, records, kHead);
  current_->set_wrote_position(pos + len);
  if ((pos + len) / MappedFileQueue::kWarmStepBytes != pos / MappedFileQueue::kWarmStepBytes) {
    segments_.WarmAhead(current_, pos + len);  // Once a warm step: keep pages mapped ahead of us.
  }
  current_->set_last_store_timestamp(now);
  max_offset_.store(offset + len, std::memory_order_release);
  last_store_timestamp_.store(now, std::memory_order_release);
  AppendResult result;
  result.wrote_offset = offset;
  result.wrote_bytes = static_cast<int32_t>(bytes);
  result.queue_offset = queue_offset;
  result.msg_num = count;
  result.store_timestamp = now;
  return result;
}

absl::StatusOr<std::string_view> CommitLog::ReadRecord(int64_t offset, int32_t size,
                                                       std::shared_ptr<const void>* keep_alive) const {
  SegmentCursor cursor;
  auto bytes = ReadRecord(offset, size, &cursor);
  if (bytes.ok()) *keep_alive = std::move(cursor.keep_alive);
  return bytes;
}

absl::StatusOr<std::string_view> CommitLog::ReadRecord(int64_t offset, int32_t size,
                                                       SegmentCursor* cursor) const {
  const MappedFile* file = segments_.Seek(offset, cursor);
  if (file == nullptr) {
    return absl::NotFoundError(StrCat("commit log offset ", offset, " is not in any segment"));
  }
  std::string_view bytes = file->Read(offset - file->from_offset(), size);
  if (bytes.empty()) {
    return absl::NotFoundError(
        StrCat("commit log range [", offset, ", ", offset + size, ") is not written"));
  }
  return bytes;
}

absl::StatusOr<RecordView> CommitLog::ParseAt(int64_t offset,
                                              std::shared_ptr<const void>* keep_alive) const {
  auto file = segments_.FindByOffset(offset);
  if (!file || offset >= MaxOffset()) {
    return absl::NotFoundError(StrCat("no record at commit log offset ", offset));
  }
  int64_t pos = offset - file->from_offset();
  std::string_view data = file->Read(pos, file->wrote_position() - pos);
  RecordView view;
  auto kind = ParseRecord(data, /*check_crc=*/true, &view);
  if (!kind.ok()) {
    return absl::DataLossError(StrCat("commit log offset ", offset, ": ", kind.status().message()));
  }
  if (*kind != RecordKind::kMessage || view.physical_offset != offset) {
    return absl::NotFoundError(StrCat("no message record starts at commit log offset ", offset));
  }
  *keep_alive = std::move(file);
  return view;
}

int64_t CommitLog::NextQueueOffset(std::string_view topic, int32_t queue_id) {
  absl::MutexLock lock(&put_mu_);
  auto it = queue_offsets_.find(TopicQueueRef{topic, queue_id});
  return it == queue_offsets_.end() ? 0 : it->second;
}

void CommitLog::SetNextQueueOffset(std::string_view topic, int32_t queue_id, int64_t offset) {
  absl::MutexLock lock(&put_mu_);
  queue_offsets_[TopicQueueKey{std::string(topic), queue_id}] = offset;
}

absl::Status CommitLog::Flush(int least_pages) {
  auto reached = segments_.Flush(least_pages);
  if (!reached.ok()) return reached.status();
  int64_t prev = flushed_offset_.load(std::memory_order_relaxed);
  while (*reached > prev &&
         !flushed_offset_.compare_exchange_weak(prev, *reached, std::memory_order_release)) {
  }
  return absl::OkStatus();
}

int CommitLog::DeleteExpiredSegments(int64_t expire_before_ms, bool force, int64_t keep_from_offset,
                                     int max_files) {
  return segments_.DeleteFront(
      [&](const MappedFile& file) {
        if (file.from_offset() + file.file_size() > keep_from_offset) return false;
        return force || file.last_store_timestamp() < expire_before_ms;
      },
      max_files);
}

}  // namespace rmq::internal
