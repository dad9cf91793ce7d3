// Copyright 2026 The rmq Authors. Licensed under the Apache License, Version 2.0.

#include "store/default_message_store.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <utility>

#include "common/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/numbers.h"
#include "common/big_endian.h"
#include "common/durable_dir.h"
#include "common/msg_id.h"
#include "common/properties_codec.h"
#include "common/real_destination.h"
#include "common/status_macros.h"
#include "spdlog/spdlog.h"
#include "store/store_config.h"

namespace rmq {

std::string PutMessageResult::offset_msg_id() const {
  return internal::CreateOffsetMsgId(store_host, wrote_offset);
}

absl::StatusOr<std::unique_ptr<MessageStore>> MessageStore::Open(const MessageStoreConfig& config,
                                                                 std::shared_ptr<Clock> clock) {
  auto store = internal::DefaultMessageStore::Open(config, std::move(clock));
  if (!store.ok()) return store.status();
  return std::unique_ptr<MessageStore>(std::move(*store));
}

namespace internal {
namespace {

namespace fs = std::filesystem;

constexpr uint32_t kJobFlushLogic = 1;
constexpr uint32_t kJobCleanup = 2;
// index_worker_'s jobs.
constexpr uint32_t kJobFlushFullIndexFiles = 1;
constexpr uint32_t kJobCreateFirstIndexFile = 2;
// RocketMQ deletes at most this many commit log segments per cleanup pass.
constexpr int kDeleteFilesBatchMax = 10;
// Units a Get examines at most when a filter rejects them (maxFilterMessageCount).
constexpr int64_t kMaxFilterMessageCount = 16000;

double StatvfsUsage(const std::string& dir) {
  struct statvfs st;
  if (::statvfs(dir.c_str(), &st) != 0 || st.f_blocks == 0) return 0;
  return static_cast<double>(st.f_blocks - st.f_bfree) / static_cast<double>(st.f_blocks);
}

bool HourListed(std::string_view delete_when, int hour) {
  for (absl::string_view h : absl::StrSplit(AbslView(delete_when), ';', absl::SkipEmpty())) {
    int listed = -1;
    if (absl::SimpleAtoi(h, &listed) && listed == hour) return true;
  }
  return false;
}

}  // namespace

DefaultMessageStore::DefaultMessageStore(const MessageStoreConfig& config,
                                         std::shared_ptr<Clock> clock)
    : config_(config), clock_(std::move(clock)), disk_usage_(StatvfsUsage) {}

absl::StatusOr<std::unique_ptr<DefaultMessageStore>> DefaultMessageStore::Open(
    const MessageStoreConfig& config, std::shared_ptr<Clock> clock) {
  RMQ_RETURN_IF_ERROR(ValidateMessageStoreConfig(config));
  if (!clock) clock = SystemClock::Default();
  std::unique_ptr<DefaultMessageStore> store(new DefaultMessageStore(config, std::move(clock)));
  auto host = HostAddress::Parse(config.store_host);
  if (!host) {
    return absl::InvalidArgumentError(
        StrCat("store host '", config.store_host, "' is not host:port"));
  }
  store->store_host_ = *host;
  RMQ_RETURN_IF_ERROR(store->Start());
  return store;
}

absl::Status DefaultMessageStore::Start() {
  const std::string& root = config_.store_path_root_dir;
  RMQ_RETURN_IF_ERROR(CreateDirectoriesDurably(root));

  // One process per store: the lock is released by the kernel if we die.
  std::string lock_path = root + "/lock";
  lock_fd_ = ::open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (lock_fd_ < 0) return absl::InternalError(StrCat("cannot open ", lock_path, ": ", std::strerror(errno)));
  if (::flock(lock_fd_, LOCK_EX | LOCK_NB) != 0) {
    return absl::FailedPreconditionError(
        StrCat("store ", root, " is in use by another process or store (", lock_path, " is locked)"));
  }

  std::string abort_path = root + "/abort";
  std::error_code ec;
  report_.abnormal = fs::exists(abort_path, ec);
  int abort_fd = ::open(abort_path.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
  if (abort_fd < 0) return absl::InternalError(StrCat("cannot create ", abort_path, ": ", std::strerror(errno)));
  ::close(abort_fd);
  // Were the abort file's creation lost to a power loss, the next open
  // would trust the queues and checkpoint as after a clean shutdown.
  if (!report_.abnormal) RMQ_RETURN_IF_ERROR(SyncDirectory(root));

  {
    auto checkpoint = StoreCheckpoint::Load(root + "/checkpoint");
    if (checkpoint.ok()) {
      checkpoint_.emplace(*std::move(checkpoint));
    } else {
      spdlog::warn("{}; recovering from the first commit log segment",
                   StdView(checkpoint.status().message()));
      ::unlink((root + "/checkpoint").c_str());
      auto fresh = StoreCheckpoint::Load(root + "/checkpoint");
      if (!fresh.ok()) return fresh.status();
      checkpoint_.emplace(*std::move(fresh));
    }
  }

  commit_log_ = std::make_unique<CommitLog>(config_, *clock_, store_host_);
  RMQ_RETURN_IF_ERROR(commit_log_->Load());
  queues_ = std::make_unique<ConsumeQueueTable>(root + "/consumequeue",
                                                config_.mapped_file_size_consume_queue);
  RMQ_RETURN_IF_ERROR(queues_->Load());
  if (config_.message_index_enable) {
    index_ = std::make_unique<IndexService>(
        IndexServiceOptions{root + "/index", config_.max_hash_slot_num, config_.max_index_num},
        *clock_);
    RMQ_RETURN_IF_ERROR(index_->Load(!report_.abnormal, checkpoint_->index_msg_timestamp()));
  }
  auto levels = DelayLevels::Parse(config_.message_delay_level);
  if (!levels.ok()) return levels.status();
  delay_levels_ = *std::move(levels);
  schedule_ = std::make_unique<ScheduleMessageService>(
      *this, *queues_, delay_levels_, *clock_, root + "/config/delayOffset.json",
      absl::Milliseconds(config_.flush_delay_offset_interval));
  TimerMessageService::Options timer_options;
  timer_options.wheel_dir = root + "/timerwheel";
  timer_options.checkpoint_path = root + "/config/timercheck.json";
  timer_options.precision_ms = config_.timer_precision_ms;
  timer_options.max_delay_ms = int64_t{config_.timer_max_delay_sec} * 1000;
  timer_options.roll_window_ms =
      int64_t{config_.timer_roll_window_slots} * config_.timer_precision_ms;
  if (config_.file_reserved_time > 0) {
    // A copy is stored again well before cleanup by age can take its
    // segment (written last at or after the copy's store time).
    timer_options.roll_window_ms = std::min<int64_t>(
        timer_options.roll_window_ms, int64_t{config_.file_reserved_time} * 3600 * 1000 / 2);
  }
  timer_options.persist_interval = absl::Milliseconds(config_.timer_flush_interval_ms);
  timer_ = std::make_unique<TimerMessageService>(*this, *queues_, *clock_, timer_options);
  dispatcher_ = std::make_unique<Dispatcher>(*commit_log_, *queues_, index_.get(), delay_levels_);
  dispatcher_->set_listener([this](const DispatchRequest& request) {
    // (Before the services start, as during recovery, a Wake is ignored.)
    if (request.topic == kScheduleTopic) schedule_->Wake(request.queue_id);
    if (request.topic == kTimerTopic) timer_->Wake();
    // Messages outside consume queues (half and rolled-back transaction records) wake nobody.
    int32_t tx = sysflag::TransactionValue(request.sys_flag);
    if (tx == sysflag::kTransactionPreparedType || tx == sysflag::kTransactionRollbackType) return;
    if (arriving_listener_.load(std::memory_order_relaxed) == nullptr) return;
    arrivals_.push_back(ArrivedMessage{request.topic, request.queue_id,
                                       request.consume_queue_offset, request.tags_code,
                                       request.properties});
    if (arrivals_.size() >= kMaxArrivalsPerCall) DeliverArrivals();
  });
  dispatcher_->set_run_end([this] { DeliverArrivals(); });
  arrivals_.reserve(kMaxArrivalsPerCall);
  RMQ_RETURN_IF_ERROR(Recover());

  flusher_ = std::make_unique<CommitLogFlusher>(*commit_log_, config_, *clock_);
  flusher_->Start();
  worker_ = std::make_unique<BackgroundWorker>("rmq-store-bg", [this](uint32_t jobs) {
    // A failed pass is logged, and retried at the next tick.
    if (jobs & kJobFlushLogic) FlushLogic(/*periodic=*/true).IgnoreError();
    if (jobs & kJobCleanup) Cleanup(/*manual=*/false, /*force=*/false, nullptr);
  });
  worker_->Start();
  if (index_) {
    index_worker_ = std::make_unique<BackgroundWorker>("rmq-index-flush", [this](uint32_t jobs) {
      if (jobs & kJobCreateFirstIndexFile) {
        // If this fails (a full disk), the dispatcher tries again and reports it.
        if (absl::Status s = index_->CreateFirstFile(); !s.ok()) {
          spdlog::warn("creating the first index file ahead failed: {}", s.ToString());
        }
      }
      if (jobs & kJobFlushFullIndexFiles) {
        if (absl::Status s = index_->Flush(IndexService::FlushScope::kFullFiles); !s.ok()) {
          spdlog::error("index flush failed: {}", s.ToString());
        }
      }
    });
    index_worker_->Start();
    index_worker_->Post(kJobCreateFirstIndexFile);
  }
  if (config_.flush_disk_type == FlushDiskType::kAsyncFlush) {
    flush_timer_ = std::make_unique<PeriodicTimer>(
        *clock_, absl::Milliseconds(config_.flush_interval_commit_log), [this] {
          // An idle store's flusher stays asleep (a VirtualClock advancing
          // hours would otherwise wake it twice per virtual second).
          if (commit_log_->MaxOffset() > commit_log_->FlushedOffset()) flusher_->Wakeup();
        });
    flush_timer_->Start();
  }
  logic_flush_timer_ = std::make_unique<PeriodicTimer>(
      *clock_, absl::Milliseconds(config_.flush_interval_consume_queue), [this] {
        // A pass over full files that are synced already costs nothing.
        if (index_worker_) index_worker_->Post(kJobFlushFullIndexFiles);
        const LogicFlushMark now = CurrentLogicFlushMark();
        absl::MutexLock lock(&logic_flush_mu_);
        if (!(now == logic_flushed_)) worker_->Post(kJobFlushLogic);
      });
  logic_flush_timer_->Start();
  cleanup_timer_ = std::make_unique<PeriodicTimer>(
      *clock_, absl::Milliseconds(config_.clean_resource_interval), [this] { worker_->Post(kJobCleanup); });
  cleanup_timer_->Start();
  // After recovery: the delay offsets are checked against the recovered queues.
  RMQ_RETURN_IF_ERROR(schedule_->Load());
  schedule_->Start();
  RMQ_RETURN_IF_ERROR(timer_->Load());
  timer_->Start();
  started_ = true;
  return absl::OkStatus();
}

absl::Status DefaultMessageStore::Recover() {
  bool abnormal = report_.abnormal;
  int64_t since = checkpoint_->MinTimestamp();
  auto recovered = commit_log_->Recover(abnormal, since, [](const ScannedRecord&) {});
  if (!recovered.ok()) return recovered.status();
  report_.recovery = *recovered;
  int64_t end = recovered->end_offset;
  for (const auto& queue : queues_->All()) RMQ_RETURN_IF_ERROR(queue->TruncateDirty(end));
  if (abnormal) queues_->MarkNotDurable();  // As the commit log's scanned segments.

  // After a crash, re-dispatch everything the checkpoint does not vouch
  // for; after a clean shutdown, only what no queue has yet (normally nothing).
  int64_t from = abnormal ? recovered->scan_start : queues_->MaxCommitLogEnd();
  from = std::clamp(from, commit_log_->MinOffset(), end);
  report_.redispatch_from = from;
  // After a crash the index ends where its last file that was full and
  // synced ends (Load deleted the later ones), usually before `from`: it
  // catches up from there after Open returns, so a crash costs a rescan of
  // the queues' last second, not of the index's last 20 M keys.
  int64_t index_from = from;
  if (abnormal && index_) {
    index_from = std::clamp(index_->end_phy_offset(), commit_log_->MinOffset(), from);
  }
  report_.index_from = index_from;
  if (abnormal || from < end) {
    spdlog::info("store {}: {} recovery, commit log valid to {}, re-dispatching from {}{}",
                 config_.store_path_root_dir, abnormal ? "abnormal" : "normal", end, from,
                 index_from < from ? StrCat(", the index catching up from ", index_from) : "");
  }
  // After a crash, units the queues hold already may be half written (by a
  // build that wrote their size first, or a torn page): the records
  // re-dispatched below the recovered end are compared with them.
  dispatcher_->Start(from, abnormal ? end : 0, index_from);
  // A record that cannot be dispatched fails Open (WaitFor returns at a
  // failed attempt) rather than hang it: its cause, a full disk say, is
  // for the operator to remove. A failure that a retry has overcome by
  // the time we look is no failure.
  while (dispatcher_->dispatched_offset() < end) {
    dispatcher_->WaitFor(end);
    if (absl::Status error = dispatcher_->last_error(); !error.ok()) {
      return absl::Status(error.code(), StrCat("cannot open store ", config_.store_path_root_dir,
                                               ": ", error.message()));
    }
  }

  int64_t min = commit_log_->MinOffset();
  for (const auto& queue : queues_->All()) {
    queue->CorrectMinOffset(min);
    commit_log_->SetNextQueueOffset(queue->topic(), queue->queue_id(), queue->MaxOffset());
  }
  return absl::OkStatus();
}

DefaultMessageStore::~DefaultMessageStore() {
  // First, while puts are still accepted: a delivery in progress finishes.
  if (schedule_) schedule_->Stop();
  if (timer_) timer_->Stop();
  shut_down_.store(true);
  flush_timer_.reset();
  logic_flush_timer_.reset();
  cleanup_timer_.reset();
  if (worker_) worker_->Stop();
  if (index_worker_) index_worker_->Stop();
  bool clean = true;
  if (dispatcher_) {
    dispatcher_->Stop();
    clean = dispatcher_->last_error().ok() && !dispatcher_->index_incomplete();
  }
  if (flusher_) {
    flusher_->Stop();
    clean = clean && flusher_->last_error().ok();
  }
  if (!started_) {
    // Open failed part-way: leave the files (and the abort marker) as found.
    if (lock_fd_ >= 0) ::close(lock_fd_);
    return;
  }
  clean = FlushLogic(/*periodic=*/false).ok() && clean;
  // Without the abort file the next open trusts the queues and the index;
  // keep it if anything failed (or keys were left out of the index) so that
  // open re-validates and rebuilds.
  if (clean) ::unlink((config_.store_path_root_dir + "/abort").c_str());
  if (lock_fd_ >= 0) ::close(lock_fd_);
}

absl::Status DefaultMessageStore::CheckWritable() const {
  if (shut_down_.load(std::memory_order_relaxed)) {
    return absl::FailedPreconditionError("the message store is shut down");
  }
  if (flusher_ && flusher_->failed()) {
    absl::Status error = flusher_->last_error();
    return absl::Status(error.code(),
                        StrCat("puts are refused until the store is reopened, since the commit "
                               "log could not be written to disk (what was written after the "
                               "last good sync may be lost): ",
                               StdView(error.message())));
  }
  if (dispatcher_->stalled()) {
    // Taking the put would store a message no consumer sees until dispatch
    // goes on; a producer told so can send it elsewhere (a broker answers
    // SERVICE_NOT_AVAILABLE).
    absl::Status error = dispatcher_->last_error();
    if (!error.ok()) {  // (Else it went on meanwhile.)
      return absl::UnavailableError(
          StrCat(error.message(), "; puts are refused until dispatch goes on"));
    }
  }
  if (disk_full_.load(std::memory_order_relaxed)) {
    return absl::ResourceExhaustedError(StrCat(
        "disk holding ", config_.CommitLogDir(), " is ", static_cast<int>(disk_ratio_.load() * 100),
        "% full, above diskSpaceWarningLevelRatio ", config_.disk_space_warning_level_ratio,
        "%: puts are refused until cleanup frees space"));
  }
  return absl::OkStatus();
}

absl::StatusOr<PutMessageResult> DefaultMessageStore::FinishPut(absl::StatusOr<AppendResult> appended,
                                                                bool wait) {
  if (!appended.ok()) return appended.status();
  dispatcher_->Wakeup();
  put_count_.fetch_add(appended->msg_num, std::memory_order_relaxed);
  PutMessageResult result;
  result.wrote_offset = appended->wrote_offset;
  result.wrote_bytes = appended->wrote_bytes;
  result.queue_offset = appended->queue_offset;
  result.msg_num = appended->msg_num;
  result.store_timestamp = appended->store_timestamp;
  result.store_host = store_host_;
  if (config_.flush_disk_type == FlushDiskType::kSyncFlush && wait &&
      !flusher_->WaitFlushed(appended->wrote_offset + appended->wrote_bytes,
                             absl::Milliseconds(config_.sync_flush_timeout))) {
    result.status = PutStatus::kFlushDiskTimeout;
  }
  return result;
}

namespace {

// The properties that decide whether a put is parked (delayed or timed).
struct ParkingProperties {
  std::string_view delay;
  std::string_view timer_out;      // Already through the timer, or put by it:
  std::string_view timer_dequeue;  // never parked again.
  std::string_view deliver;
  std::string_view delay_sec;
  std::string_view delay_ms;
};


// Encoded properties: most messages have no timer property, and one fast
// search for the text "TIMER_" says so (a value holding that text only
// costs the lookup that follows); the five are then read in one pass.
ParkingProperties ParkingPropertiesOf(std::string_view encoded) {
  ParkingProperties found;
  FindProperty(encoded, property::kDelayTimeLevel, &found.delay);
  if (encoded.find(property::kTimerPrefix) == std::string_view::npos) return found;
  static constexpr std::string_view kNames[] = {property::kTimerOutMs, property::kTimerDequeueMs,
                                                property::kTimerDeliverMs, property::kTimerDelaySec,
                                                property::kTimerDelayMs};
  std::string_view values[std::size(kNames)];
  FindProperties(encoded, kNames, values);
  found.timer_out = values[0];
  found.timer_dequeue = values[1];
  found.deliver = values[2];
  found.delay_sec = values[3];
  found.delay_ms = values[4];
  return found;
}

// Decoded properties: one pass over the names (a message has a handful),
// each compared only if its first letter could make it one of the six; a
// search per name cost three times as much.
ParkingProperties ParkingPropertiesOf(const MessageExt& msg) {
  ParkingProperties found;
  for (const auto& [name, value] : msg.properties()) {
    if (name.empty()) continue;
    if (name[0] == property::kDelayTimeLevel[0]) {
      if (name == property::kDelayTimeLevel) found.delay = value;
    } else if (name[0] == property::kTimerPrefix[0] && name.starts_with(property::kTimerPrefix)) {
      if (name == property::kTimerOutMs) {
        found.timer_out = value;
      } else if (name == property::kTimerDequeueMs) {
        found.timer_dequeue = value;
      } else if (name == property::kTimerDeliverMs) {
        found.deliver = value;
      } else if (name == property::kTimerDelaySec) {
        found.delay_sec = value;
      } else if (name == property::kTimerDelayMs) {
        found.delay_ms = value;
      }
    }
  }
  return found;
}

}  // namespace

absl::StatusOr<DefaultMessageStore::Parking> DefaultMessageStore::ParkingOf(
    std::string_view topic, int32_t sys_flag, std::string_view encoded_properties,
    const MessageExt* msg) const {
  Parking parking;
  const int32_t tx = sysflag::TransactionValue(sys_flag);
  if (tx != sysflag::kTransactionNotType && tx != sysflag::kTransactionCommitType) return parking;
  const ParkingProperties found =
      msg != nullptr ? ParkingPropertiesOf(*msg) : ParkingPropertiesOf(encoded_properties);
  auto level = delay_levels_.LevelOf(found.delay);
  if (!level.ok()) return level.status();
  parking.delay_level = *level;
  if (parking.delay_level > 0 || topic == kTimerTopic) return parking;
  if (!found.timer_out.empty() || !found.timer_dequeue.empty()) return parking;
  if (found.deliver.empty() && found.delay_sec.empty() && found.delay_ms.empty()) return parking;
  if (!config_.timer_wheel_enable) {
    return absl::InvalidArgumentError(
        "timer messages are disabled on this broker (timerWheelEnable=false)");
  }
  const int64_t now = clock_->NowMillis();
  auto due = TimerDueMillis(found.deliver, found.delay_sec, found.delay_ms, now,
                            int64_t{config_.timer_max_delay_sec} * 1000);
  if (!due.ok()) return due.status();
  // Due already: stored in its topic at once, as RocketMQ does.
  if (due->has_value() && **due > now) parking.timer_due_ms = **due;
  return parking;
}

absl::StatusOr<PutMessageResult> DefaultMessageStore::PutParked(MessageExt parked,
                                                                const Parking& parking,
                                                                bool wait) {
  parked.ClearProperty(property::kTimerRollAtMs);  // The store's to set, not a producer's.
  if (parking.delay_level > 0) {
    // As RocketMQ's CommitLog: the real topic and queue go into properties,
    // the level (clamped to the highest) stays in DELAY for the dispatcher.
    // A timer asked for too is dropped: the level won.
    parked.PutProperty(property::kDelayTimeLevel, std::to_string(parking.delay_level));
    parked.ClearProperty(property::kTimerDeliverMs);
    parked.ClearProperty(property::kTimerDelaySec);
    parked.ClearProperty(property::kTimerDelayMs);
    ParkMessage(parked, kScheduleTopic, DelayLevels::QueueIdOf(parking.delay_level));
  } else {
    // The due time goes into TIMER_OUT_MS and, for a long wait, the time it
    // is stored again into TIMER_ROLL_AT_MS; the dispatcher writes the
    // earlier as the unit's tagsCode for the timer service.
    parked.PutProperty(property::kTimerOutMs, std::to_string(parking.timer_due_ms));
    if (std::optional<int64_t> roll_at = TimerRollAtMillis(
            parking.timer_due_ms, clock_->NowMillis(), timer_->roll_window_ms())) {
      parked.PutProperty(property::kTimerRollAtMs, std::to_string(*roll_at));
    }
    ParkMessage(parked, kTimerTopic, 0);
  }
  return FinishPut(commit_log_->Append(parked), wait);
}

absl::StatusOr<PutMessageResult> DefaultMessageStore::Put(const MessageExt& msg) {
  RMQ_RETURN_IF_ERROR(CheckWritable());
  auto parking = ParkingOf(msg.topic(), msg.sys_flag, {}, &msg);
  if (!parking.ok()) return parking.status();
  if (parking->parked()) return PutParked(msg, *parking, msg.wait_store_msg_ok());
  return FinishPut(commit_log_->Append(msg), msg.wait_store_msg_ok());
}

namespace {

// A message object of an encoded one: the slow path a parked put takes.
absl::StatusOr<MessageExt> Decoded(const EncodedMessage& msg) {
  MessageExt decoded;
  RMQ_RETURN_IF_ERROR(DecodeProperties(msg.properties, &decoded.mutable_properties()));
  decoded.set_topic(std::string(msg.topic));
  decoded.set_body(std::string(msg.body));
  decoded.set_flag(msg.flag);
  decoded.queue_id = msg.queue_id;
  decoded.sys_flag = msg.sys_flag;
  decoded.born_timestamp = msg.born_timestamp;
  decoded.born_host = msg.born_host;
  decoded.reconsume_times = msg.reconsume_times;
  decoded.prepared_transaction_offset = msg.prepared_transaction_offset;
  return decoded;
}

}  // namespace

absl::StatusOr<PutMessageResult> DefaultMessageStore::PutEncoded(const EncodedMessage& msg) {
  RMQ_RETURN_IF_ERROR(CheckWritable());
  if (msg.may_park) {
    auto parking = ParkingOf(msg.topic, msg.sys_flag, msg.properties, nullptr);
    if (!parking.ok()) return parking.status();
    if (parking->parked()) {
      auto decoded = Decoded(msg);
      if (!decoded.ok()) return decoded.status();
      return PutParked(*std::move(decoded), *parking, msg.wait_store_msg_ok);
    }
  }
  return FinishPut(commit_log_->AppendMessage(msg), msg.wait_store_msg_ok);
}

absl::StatusOr<PutMessageResult> DefaultMessageStore::PutBatch(std::span<const MessageExt> msgs) {
  RMQ_RETURN_IF_ERROR(CheckWritable());
  for (const MessageExt& msg : msgs) {
    auto parking = ParkingOf(msg.topic(), msg.sys_flag, {}, &msg);
    if (!parking.ok()) return parking.status();
    if (parking->parked()) {
      // As RocketMQ: a batch is stored as it is, in its topic; delayed and
      // timer messages are sent one by one.
      return absl::InvalidArgumentError(StrCat(
          "a batch cannot hold a delayed or timer message (topic ", msg.topic(), ", ",
          parking->delay_level > 0 ? StrCat("DELAY=", parking->delay_level)
                                   : StrCat("due at ", parking->timer_due_ms),
          ")"));
    }
  }
  bool wait = !msgs.empty() && msgs.front().wait_store_msg_ok();
  return FinishPut(commit_log_->AppendBatch(msgs), wait);
}

GetMessageResult DefaultMessageStore::Get(std::string_view topic, int32_t queue_id, int64_t offset,
                                          int32_t max_msgs, const MessageFilter* filter) {
  GetMessageResult result;
  auto queue = queues_->Find(topic, queue_id);
  if (!queue) {
    result.status = GetStatus::kNoMatchedLogicQueue;
    return result;
  }
  int64_t min = queue->MinOffset();
  int64_t max = queue->MaxOffset();
  result.min_offset = min;
  result.max_offset = max;
  if (max == 0) {
    result.status = GetStatus::kNoMessageInQueue;
    result.next_begin_offset = 0;
  } else if (offset < min) {
    result.status = GetStatus::kOffsetTooSmall;
    result.next_begin_offset = min;
  } else if (offset == max) {
    result.status = GetStatus::kOffsetOverflowOne;
    result.next_begin_offset = offset;
  } else if (offset > max) {
    result.status = GetStatus::kOffsetOverflowBadly;
    // To the end, as RocketMQ 4.9.x (checked against a 4.9.7 broker in
    // test/compat); releases before 4.9 went back to 0 when min was 0.
    result.next_begin_offset = max;
  } else {
    const int64_t limit = std::min<int64_t>(std::max(max_msgs, 1),
                                            config_.max_transfer_count_on_message_in_memory);
    const int64_t commit_log_min = commit_log_->MinOffset();
    const int64_t scan_end = std::min(max, offset + std::max(limit, kMaxFilterMessageCount));
    result.status = GetStatus::kNoMatchedMessage;
    result.next_begin_offset = offset;
    // One allocation per vector, not one per doubling (a pull takes 32).
    result.Reserve(static_cast<size_t>(std::min(limit, max - offset)));
    bool removing = false;
    CommitLog::SegmentCursor segment;  // Consecutive records usually share one,
    ConsumeQueue::Cursor units;        // and consecutive units too.
    for (int64_t i = offset; i < scan_end && static_cast<int64_t>(result.message_count()) < limit;
         ++i) {
      if (result.total_bytes() >= config_.max_transfer_bytes_on_message_in_memory) break;
      ConsumeQueue::Unit unit;
      if (!queue->Read(i, &unit, &units)) {
        if (result.message_count() == 0 && i == offset) result.status = GetStatus::kOffsetFoundNull;
        break;
      }
      result.next_begin_offset = i + 1;
      if (unit.IsBlank()) continue;
      if (unit.commit_log_offset < commit_log_min) {
        removing = true;
        continue;
      }
      if (filter && !filter->MatchesTagsCode(unit.tags_code)) continue;
      auto record = commit_log_->ReadRecord(unit.commit_log_offset, unit.size, &segment);
      if (!record.ok()) {
        removing = true;
        continue;
      }
      if (filter && !filter->MatchesRecord(*record)) continue;
      result.Add(*record, i, segment.keep_alive);
    }
    if (result.message_count() > 0) {
      result.status = GetStatus::kFound;
    } else if (removing) {
      result.status = GetStatus::kMessageWasRemoving;
    }
  }
  return result;
}

int64_t DefaultMessageStore::GetMinOffsetInQueue(std::string_view topic, int32_t queue_id) {
  auto queue = queues_->Find(topic, queue_id);
  return queue ? queue->MinOffset() : 0;
}

int64_t DefaultMessageStore::GetMaxOffsetInQueue(std::string_view topic, int32_t queue_id) {
  auto queue = queues_->Find(topic, queue_id);
  return queue ? queue->MaxOffset() : 0;
}

int64_t DefaultMessageStore::StoreTimestampAt(int64_t commit_log_offset, int32_t size) {
  std::shared_ptr<const void> keep_alive;
  auto record = commit_log_->ReadRecord(commit_log_offset, size, &keep_alive);
  if (!record.ok() || record->size() < kBornHostPos) return -1;
  int32_t sys_flag = GetBig32(record->data() + kSysFlagPos);
  size_t pos = RecordLayout::ForSysFlag(sys_flag).store_timestamp_pos;
  if (pos + 8 > record->size()) return -1;
  return GetBig64(record->data() + pos);
}

int64_t DefaultMessageStore::GetOffsetInQueueByTime(std::string_view topic, int32_t queue_id,
                                                    int64_t timestamp_ms) {
  auto queue = queues_->Find(topic, queue_id);
  if (!queue) return 0;
  // Store timestamps grow with queue offset: binary search for the first
  // message stored at or after the time.
  const int64_t min = queue->MinOffset();
  const int64_t max = queue->MaxOffset();
  auto timestamp_at = [&](int64_t offset) {
    ConsumeQueue::Unit unit;
    if (!queue->Read(offset, &unit) || unit.IsBlank()) return int64_t{-1};
    return StoreTimestampAt(unit.commit_log_offset, unit.size);
  };
  int64_t lo = min;
  int64_t hi = max;
  while (lo < hi) {
    int64_t mid = lo + (hi - lo) / 2;
    if (timestamp_at(mid) < timestamp_ms) {
      lo = mid + 1;
    } else {
      hi = mid;
    }
  }
  // Then RocketMQ 4.9's answer (ConsumeQueue.getOffsetInQueueByTime): a
  // message stored at that very time (the first of them here), else the one
  // stored nearest to it, the earlier on a tie; after the last message, the
  // last message.
  if (lo == max) return max > min ? max - 1 : max;
  if (lo == min) return lo;
  const int64_t after = timestamp_at(lo);
  const int64_t before = timestamp_at(lo - 1);
  if (after == timestamp_ms || before < 0) return lo;
  return timestamp_ms - before > after - timestamp_ms ? lo : lo - 1;
}

int64_t DefaultMessageStore::GetMessageStoreTimestamp(std::string_view topic, int32_t queue_id,
                                                      int64_t offset) {
  auto queue = queues_->Find(topic, queue_id);
  ConsumeQueue::Unit unit;
  if (!queue || !queue->Read(offset, &unit) || unit.IsBlank()) return -1;
  return StoreTimestampAt(unit.commit_log_offset, unit.size);
}

absl::StatusOr<MessageExt> DefaultMessageStore::LookMessageByOffset(int64_t commit_log_offset) {
  std::shared_ptr<const void> keep_alive;
  auto view = commit_log_->ParseAt(commit_log_offset, &keep_alive);
  if (!view.ok()) return view.status();
  auto record = commit_log_->ReadRecord(commit_log_offset, view->total_size, &keep_alive);
  if (!record.ok()) return record.status();
  return DecodeRecord(*record);
}

absl::StatusOr<MessageExt> DefaultMessageStore::ViewMessageById(std::string_view offset_msg_id) {
  auto id = DecodeOffsetMsgId(offset_msg_id);
  if (!id.ok()) return id.status();
  return LookMessageByOffset(id->commit_log_offset);
}

std::vector<MessageExt> DefaultMessageStore::QueryMessage(std::string_view topic,
                                                          std::string_view key, int32_t max_num,
                                                          int64_t begin_ms, int64_t end_ms) {
  std::vector<MessageExt> found;
  if (!index_) return found;
  for (int64_t offset : index_->QueryOffsets(topic, key, max_num, begin_ms, end_ms)) {
    auto msg = LookMessageByOffset(offset);
    if (!msg.ok() || msg->topic() != topic) continue;  // Deleted, or a hash collision.
    bool matches = msg->GetProperty(property::kUniqKey) == key;
    for (absl::string_view k : absl::StrSplit(AbslView(msg->keys()), kKeySeparator)) {
      matches |= StdView(k) == key;
    }
    if (matches) found.push_back(*std::move(msg));
  }
  return found;
}

absl::Status DefaultMessageStore::Flush() {
  if (flusher_->failed()) return flusher_->last_error();  // See CheckWritable.
  RMQ_RETURN_IF_ERROR(commit_log_->Flush(0));
  return FlushLogic(/*periodic=*/false);
}

void DefaultMessageStore::WaitForDispatch() { dispatcher_->WaitFor(commit_log_->MaxOffset()); }

DefaultMessageStore::LogicFlushMark DefaultMessageStore::CurrentLogicFlushMark() const {
  LogicFlushMark mark;
  mark.dispatched_offset = dispatcher_->dispatched_offset();
  mark.physic_ts = flusher_ ? flusher_->flushed_store_timestamp() : 0;
  mark.logics_ts = dispatcher_->dispatched_store_timestamp();
  mark.index_ts = index_ ? index_->LastIndexTimestamp() : 0;
  return mark;
}

absl::Status DefaultMessageStore::FlushLogic(bool periodic) {
  absl::MutexLock pass(&logic_flush_pass_mu_);
  // As RocketMQ's FlushConsumeQueueService: a periodic pass flushes the
  // queues with flushConsumeQueueLeastPages whole pages pending, and every
  // flushConsumeQueueThoroughInterval all of them. Only a thorough pass
  // moves the checkpoint's queue timestamp: after another, a quiet queue's
  // last units may still be in the page cache alone, and recovery after a
  // power loss would trust the checkpoint and not re-dispatch them.
  bool thorough = !periodic;
  if (periodic) {
    const int64_t now = clock_->NowMillis();
    if (!last_thorough_logic_flush_ms_ ||
        now - *last_thorough_logic_flush_ms_ >= config_.flush_consume_queue_thorough_interval) {
      last_thorough_logic_flush_ms_ = now;
      thorough = true;
    }
  }
  const int least_pages = thorough ? 0 : config_.flush_consume_queue_least_pages;
  // Timestamps first: what they vouch for is written before the flush.
  const LogicFlushMark mark = CurrentLogicFlushMark();
  absl::Status first_error = queues_->SyncNewNames();  // New queues' directories.
  if (!first_error.ok()) spdlog::error("consume queue flush failed: {}", first_error.ToString());
  for (const auto& queue : queues_->All()) {
    absl::Status s = queue->Flush(least_pages);
    if (!s.ok()) {
      spdlog::error("consume queue flush failed: {}", s.ToString());
      first_error.Update(s);
    }
  }
  // The periodic pass leaves the index to index_worker_ (full files; the
  // file being filled is rebuilt after a crash rather than trusted): the
  // checkpoint below takes the index timestamp of what it has synced.
  if (index_ && !periodic) {
    absl::Status s = index_->Flush(IndexService::FlushScope::kAll);
    if (!s.ok()) {
      spdlog::error("index flush failed: {}", s.ToString());
      first_error.Update(s);
    }
  }
  if (!first_error.ok()) return first_error;
  checkpoint_->set_physic_msg_timestamp(flusher_ ? flusher_->flushed_store_timestamp() : 0);
  if (thorough) checkpoint_->set_logics_msg_timestamp(mark.logics_ts);
  checkpoint_->set_index_msg_timestamp(mark.index_ts);
  if (absl::Status s = checkpoint_->Flush(); !s.ok()) {
    spdlog::error("{}", s.ToString());
    return s;
  }
  // A pass that was not thorough leaves the mark behind, so the timer keeps
  // asking for passes until a thorough one covers it.
  if (thorough) {
    absl::MutexLock lock(&logic_flush_mu_);
    logic_flushed_ = mark;
  }
  return absl::OkStatus();
}

void DefaultMessageStore::DeliverArrivals() {
  if (arrivals_.empty()) return;
  const MessageArrivingListener* listener = arriving_listener_.load(std::memory_order_acquire);
  if (listener != nullptr) (*listener)(arrivals_);
  arrivals_.clear();
}

void DefaultMessageStore::SetMessageArrivingListener(MessageArrivingListener listener) {
  absl::MutexLock lock(&arriving_mu_);
  if (!listener) {
    arriving_listener_.store(nullptr, std::memory_order_release);
    return;
  }
  arriving_listeners_.push_back(std::make_unique<MessageArrivingListener>(std::move(listener)));
  arriving_listener_.store(arriving_listeners_.back().get(), std::memory_order_release);
}

void DefaultMessageStore::SetDiskUsageProbe(std::function<double(const std::string&)> probe) {
  absl::MutexLock lock(&cleanup_mu_);
  disk_usage_ = std::move(probe);
}

void DefaultMessageStore::Cleanup(bool manual, bool force, int* deleted) {
  absl::MutexLock lock(&cleanup_mu_);
  double ratio = disk_usage_(config_.CommitLogDir());
  disk_ratio_.store(ratio);
  double percent = ratio * 100;
  bool was_full = disk_full_.exchange(percent > config_.disk_space_warning_level_ratio);
  if (disk_full_.load() != was_full) {
    spdlog::warn("disk {}% full: puts {}", static_cast<int>(percent), was_full ? "allowed again" : "refused");
  }
  absl::Time now = clock_->Now();
  int hour = absl::ToCivilHour(now, absl::LocalTimeZone()).hour();
  bool time_to_delete = HourListed(config_.delete_when, hour);
  bool space_to_delete = percent > config_.disk_max_used_space_ratio;
  bool clean_immediately = config_.clean_file_forcibly_enable && space_to_delete &&
                           percent > config_.disk_space_clean_forcibly_ratio;
  if (!(manual || time_to_delete || space_to_delete)) return;

  int64_t expire_before = absl::ToUnixMillis(now) - int64_t{config_.file_reserved_time} * 3600 * 1000;
  // Never delete what the dispatcher has not read yet.
  int64_t keep_from = dispatcher_->dispatched_offset();
  int n = commit_log_->DeleteExpiredSegments(expire_before, force || clean_immediately, keep_from,
                                             kDeleteFilesBatchMax);
  if (deleted) *deleted = n;
  if (n > 0) spdlog::info("deleted {} commit log segment(s); log now starts at {}", n, commit_log_->MinOffset());
  int64_t min = commit_log_->MinOffset();
  for (const auto& queue : queues_->All()) queue->DeleteExpired(min);
  if (index_) index_->DeleteExpiredFiles(min);
}

int DefaultMessageStore::DeleteExpiredFiles(bool force) {
  int deleted = 0;
  Cleanup(/*manual=*/true, force, &deleted);
  return deleted;
}

StoreStats DefaultMessageStore::Stats() {
  StoreStats stats;
  stats.min_phy_offset = commit_log_->MinOffset();
  stats.max_phy_offset = commit_log_->MaxOffset();
  stats.flushed_phy_offset = commit_log_->FlushedOffset();
  stats.dispatched_phy_offset = dispatcher_->dispatched_offset();
  stats.commit_log_files = static_cast<int64_t>(commit_log_->segments().Segments().size());
  stats.put_count = put_count_.load(std::memory_order_relaxed);
  stats.delayed_messages = schedule_->PendingCount() + timer_->PendingCount();
  std::optional<int64_t> next = schedule_->NextDeliveryMillis();
  if (std::optional<int64_t> timer_next = timer_->NextDeliveryMillis(); timer_next.has_value()) {
    next = std::min(next.value_or(INT64_MAX), *timer_next);
  }
  stats.next_delayed_delivery_ms = next.value_or(0);
  return stats;
}

}  // namespace internal
}  // namespace rmq
