// Copyright 2026 The rmq Authors. Licensed under the Apache License, Version 2.0.

#include "store/index_service.h"

#include <algorithm>
#include <filesystem>
#include <system_error>

#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "common/durable_dir.h"
#include "common/record_codec.h"
#include "common/status_macros.h"
#include "common/str_cat.h"
#include "fmt/format.h"
#include "rmq/message.h"
#include "spdlog/spdlog.h"
#include "store/index_file.h"

namespace rmq::internal {
namespace {

constexpr size_t kFileNameLength = 17;  // yyyyMMddHHmmssSSS
constexpr char kKeySeparator = ' ';     // RocketMQ's MessageConst.KEY_SEPARATOR.

// RocketMQ names index files by the local time of their creation; rmq uses
// UTC so that names do not depend on the machine's time zone. Fixed width,
// so name order is time order.
std::string IndexFileName(int64_t ms) {
  return StrCat(absl::FormatTime("%Y%m%d%H%M%S", absl::FromUnixMillis(ms), absl::UTCTimeZone()),
                fmt::format("{:03d}", ((ms % 1000) + 1000) % 1000));
}

bool IsIndexFileName(std::string_view name) {
  return name.size() == kFileNameLength &&
         std::all_of(name.begin(), name.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// The time a file name stands for; 0 if it is not a valid time (e.g. written
// by another tool), which then only loses its say in NextFilePath.
int64_t IndexFileNameMillis(std::string_view name) {
  auto field = [&](size_t pos, size_t len) {
    int v = 0;
    for (size_t i = pos; i < pos + len; ++i) v = v * 10 + (name[i] - '0');
    return v;
  };
  const absl::CivilSecond civil(field(0, 4), field(4, 2), field(6, 2), field(8, 2), field(10, 2),
                                field(12, 2));
  // CivilSecond normalizes (month 13 is next January): reject such names.
  if (civil.year() != field(0, 4) || civil.month() != field(4, 2) || civil.day() != field(6, 2) ||
      civil.hour() != field(8, 2) || civil.minute() != field(10, 2) ||
      civil.second() != field(12, 2)) {
    return 0;
  }
  return absl::ToUnixMillis(absl::FromCivil(civil, absl::UTCTimeZone())) + field(14, 3);
}

}  // namespace

IndexService::IndexService(IndexServiceOptions options, const Clock& clock)
    : options_(std::move(options)), clock_(clock), hashed_topic_hash_(IndexTopicHash("")) {
  hashed_topic_.reserve(kMaxTopicLength);  // BuildIndex then never allocates for a topic.
}

IndexService::~IndexService() = default;

absl::Status IndexService::Load(bool last_exit_ok, int64_t checkpoint_index_ms) {
  if (options_.max_hash_slot_num <= 0) {
    return absl::InvalidArgumentError(
        StrCat("maxHashSlotNum ", options_.max_hash_slot_num, " must be positive"));
  }
  if (options_.max_index_num <= 1) {
    return absl::InvalidArgumentError(StrCat(
        "maxIndexNum ", options_.max_index_num, " must be at least 2 (item 0 is unused)"));
  }
  RMQ_RETURN_IF_ERROR(CreateDirectoriesDurably(options_.dir));
  std::error_code ec;
  std::vector<std::string> names;
  for (std::filesystem::directory_iterator it(options_.dir, ec), end; !ec && it != end;
       it.increment(ec)) {
    std::string name = it->path().filename().string();
    std::error_code type_ec;  // A file that cannot be stat'ed is not loaded.
    if (IsIndexFileName(name) && it->is_regular_file(type_ec)) names.push_back(std::move(name));
  }
  if (ec) {
    return absl::InternalError(
        StrCat("cannot list index directory ", options_.dir, ": ", ec.message()));
  }
  std::sort(names.begin(), names.end());

  std::vector<std::shared_ptr<IndexFile>> loaded;
  int64_t name_ms = 0;
  int64_t end_phy_offset = 0;
  int64_t checkpoint = 0;
  for (const std::string& name : names) {
    const std::string path = StrCat(options_.dir, "/", name);
    name_ms = std::max(name_ms, IndexFileNameMillis(name));
    absl::StatusOr<std::shared_ptr<IndexFile>> file =
        IndexFile::Open(path, options_.max_hash_slot_num, options_.max_index_num);
    if (!file.ok()) {
      if (!last_exit_ok && absl::IsDataLoss(file.status())) {
        // Torn creation: the crash came before the file reached its size.
        spdlog::warn("deleting index file {} after a crash: {}", path, file.status().ToString());
        std::filesystem::remove(path, ec);
        continue;
      }
      return file.status();
    }
    if (!last_exit_ok && (!(*file)->IsFull() || (*file)->end_timestamp() > checkpoint_index_ms)) {
      // Possibly torn: the file being filled (the periodic flush never
      // syncs it, and its end timestamp may equal the checkpoint's or even
      // precede it after a clock step back), or one written after the
      // checkpoint. The dispatcher rebuilds its entries from the commit log.
      spdlog::info(
          "deleting index file {} after a crash: {} (end timestamp {}, checkpoint {})", path,
          (*file)->IsFull() ? "written after the checkpoint" : "not full, so never synced",
          (*file)->end_timestamp(), checkpoint_index_ms);
      (*file)->Unlink();
      continue;
    }
    end_phy_offset = std::max(end_phy_offset, (*file)->end_phy_offset());
    // Full files that survived a restart count as flushed for the checkpoint.
    if ((*file)->IsFull()) checkpoint = std::max(checkpoint, (*file)->end_timestamp());
    loaded.push_back(*std::move(file));
  }

  current_.reset();
  absl::MutexLock lock(&mu_);
  files_ = std::move(loaded);
  last_name_ms_ = std::max(last_name_ms_, name_ms);
  // Max over files rather than the newest file's: a newest file whose header
  // was never written (power loss) must not let re-dispatch duplicate the
  // entries of the file before it.
  end_phy_offset_.store(end_phy_offset, std::memory_order_release);
  checkpoint_timestamp_.store(checkpoint, std::memory_order_release);
  return absl::OkStatus();
}

std::string IndexService::NextFilePath() {
  last_name_ms_ = std::max(clock_.NowMillis(), last_name_ms_ + 1);
  return StrCat(options_.dir, "/", IndexFileName(last_name_ms_));
}

absl::StatusOr<std::shared_ptr<IndexFile>> IndexService::RollFile(
    const std::shared_ptr<IndexFile>& full) {
  std::string path;
  {
    absl::MutexLock lock(&mu_);
    if (full == nullptr && !files_.empty()) return files_.back();  // Made meanwhile.
    path = NextFilePath();
  }
  // Created outside the lock: allocating a large file can take a while.
  absl::StatusOr<std::shared_ptr<IndexFile>> file;
  if (absl::Status dir = CreateDirectoriesDurably(options_.dir); !dir.ok()) {  // If Load was skipped.
    file = dir;
  } else {
    file = IndexFile::Create(path, options_.max_hash_slot_num, options_.max_index_num,
                             full ? full->end_phy_offset() : 0, full ? full->end_timestamp() : 0);
  }
  if (!file.ok()) {
    return absl::Status(file.status().code(),
                        StrCat("cannot create index file: ", file.status().message()));
  }
  absl::MutexLock lock(&mu_);
  // The first file may be made by two threads at once (CreateFirstFile on
  // the index worker, BuildIndex on the dispatcher): the first to publish
  // keeps it, the other removes its own. Neither waits for the other (the
  // worker runs at background priority, and creating the file takes ms).
  if (full == nullptr && !files_.empty()) {
    (*file)->Unlink();
    return files_.back();
  }
  files_.push_back(*file);
  return file;
}

absl::Status IndexService::CreateFirstFile() {
  {
    absl::ReaderMutexLock lock(&mu_);
    if (!files_.empty()) return absl::OkStatus();
  }
  return RollFile(nullptr).status();
}

absl::StatusOr<std::shared_ptr<IndexFile>> IndexService::NewestFile() {
  {
    absl::ReaderMutexLock lock(&mu_);
    if (!files_.empty()) return files_.back();
  }
  return RollFile(nullptr);
}

bool IndexService::AlreadyIndexed(int32_t key_hash, int64_t offset) {
  absl::ReaderMutexLock lock(&mu_);
  for (auto it = files_.rbegin(); it != files_.rend(); ++it) {
    // A file ending below the offset, and every older one, cannot hold it.
    if ((*it)->end_phy_offset() < offset) break;
    if ((*it)->Contains(key_hash, offset)) return true;
  }
  return false;
}

absl::Status IndexService::PutKey(int32_t key_hash, const DispatchRequest& request,
                                  bool check_duplicate) {
  if (check_duplicate && AlreadyIndexed(key_hash, request.commit_log_offset)) {
    return absl::OkStatus();
  }
  if (current_ == nullptr) {
    absl::StatusOr<std::shared_ptr<IndexFile>> newest = NewestFile();
    if (!newest.ok()) return newest.status();
    current_ = *std::move(newest);
  }
  while (!current_->PutKey(key_hash, request.commit_log_offset, request.store_timestamp)) {
    absl::StatusOr<std::shared_ptr<IndexFile>> next = RollFile(current_);
    if (!next.ok()) return next.status();
    current_ = *std::move(next);
  }
  end_phy_offset_.store(request.commit_log_offset, std::memory_order_release);
  return absl::OkStatus();
}

absl::Status IndexService::BuildIndex(const DispatchRequest& request) {
  // As RocketMQ 4.x: a prepared message is indexed when its commit arrives
  // as a message of its own; a rolled back one never.
  const int32_t tran_type = sysflag::TransactionValue(request.sys_flag);
  if (tran_type == sysflag::kTransactionPreparedType ||
      tran_type == sysflag::kTransactionRollbackType) {
    return absl::OkStatus();
  }
  const int64_t end = end_phy_offset_.load(std::memory_order_acquire);
  if (request.commit_log_offset < end) return absl::OkStatus();
  // The record at `end` may have been indexed in part (crash, or an error
  // returned mid-way): check its keys one by one. Any later record is new.
  const bool check_duplicate = request.commit_log_offset == end;

  if (request.topic != hashed_topic_) {
    hashed_topic_.assign(request.topic);
    hashed_topic_hash_ = IndexTopicHash(hashed_topic_);
  }
  const int32_t topic_hash = hashed_topic_hash_;  // Once for all the keys.
  if (!request.uniq_key.empty()) {
    absl::Status s =
        PutKey(IndexKeyHashFrom(topic_hash, request.uniq_key), request, check_duplicate);
    if (!s.ok()) return s;
  }
  std::string_view keys = request.keys;
  while (!keys.empty()) {
    size_t sep = keys.find(kKeySeparator);
    std::string_view key = keys.substr(0, sep);
    keys = sep == std::string_view::npos ? std::string_view() : keys.substr(sep + 1);
    if (key.empty()) continue;  // "a  b": Java's split yields an empty key here.
    absl::Status s = PutKey(IndexKeyHashFrom(topic_hash, key), request, check_duplicate);
    if (!s.ok()) return s;
  }
  return absl::OkStatus();
}

std::vector<int64_t> IndexService::QueryOffsets(std::string_view topic, std::string_view key,
                                                int32_t max_num, int64_t begin_ms,
                                                int64_t end_ms) {
  std::vector<int64_t> offsets;
  if (max_num <= 0) return offsets;
  offsets.reserve(static_cast<size_t>(std::min(max_num, 64)));
  const int32_t key_hash = IndexKeyHash(topic, key);
  absl::ReaderMutexLock lock(&mu_);
  for (auto it = files_.rbegin(); it != files_.rend(); ++it) {
    const IndexFile& file = **it;
    if (file.IsTimeMatched(begin_ms, end_ms)) {
      file.SelectPhyOffsets(key_hash, max_num, begin_ms, end_ms, &offsets);
    }
    // Older files hold only older messages.
    if (file.begin_timestamp() < begin_ms) break;
    if (offsets.size() >= static_cast<size_t>(max_num)) break;
  }
  return offsets;
}

absl::Status IndexService::Flush(FlushScope scope) {
  std::vector<std::shared_ptr<IndexFile>> files;
  {
    // msync runs unlocked, so BuildIndex can roll over meanwhile.
    absl::ReaderMutexLock lock(&mu_);
    files = files_;
  }
  absl::Status status;
  int64_t checkpoint = checkpoint_timestamp_.load(std::memory_order_acquire);
  for (const std::shared_ptr<IndexFile>& file : files) {
    if (scope == FlushScope::kFullFiles && !file->IsFull()) continue;  // Synced ones return at once.
    absl::Status s = file->Flush();
    if (!s.ok()) {
      status.Update(s);
      continue;
    }
    if (file->flushed_index_count() >= file->index_num()) {
      checkpoint = std::max(checkpoint, file->end_timestamp());
    }
  }
  checkpoint_timestamp_.store(checkpoint, std::memory_order_release);
  return status;
}

std::vector<IndexService::FileCounts> IndexService::Counts() {
  absl::ReaderMutexLock lock(&mu_);
  std::vector<FileCounts> counts;
  for (const std::shared_ptr<IndexFile>& file : files_) {
    counts.push_back({file->index_count(), file->flushed_index_count()});
  }
  return counts;
}

void IndexService::DeleteExpiredFiles(int64_t min_phy_offset) {
  absl::MutexLock lock(&mu_);
  size_t n = 0;
  // Never the newest: BuildIndex appends to it and its end offset is the
  // re-dispatch threshold.
  while (n + 1 < files_.size() && files_[n]->end_phy_offset() < min_phy_offset) {
    spdlog::info("deleting index file {}: end offset {} below commit log min offset {}",
                 files_[n]->path(), files_[n]->end_phy_offset(), min_phy_offset);
    files_[n]->Unlink();  // A reader still holding it keeps the mapping.
    ++n;
  }
  files_.erase(files_.begin(), files_.begin() + static_cast<std::ptrdiff_t>(n));
}

int64_t IndexService::LastIndexTimestamp() {
  return checkpoint_timestamp_.load(std::memory_order_acquire);
}

void IndexService::DestroyAll() {
  absl::MutexLock lock(&mu_);
  for (const std::shared_ptr<IndexFile>& file : files_) file->Unlink();
  files_.clear();
  current_.reset();
  end_phy_offset_.store(0, std::memory_order_release);
  checkpoint_timestamp_.store(0, std::memory_order_release);
}

}  // namespace rmq::internal
