// Copyright 2026 The rmq Authors. Licensed under the Apache License, Version 2.0.
//
// DefaultMessageStore: the MessageStore of rmq/store.h, assembled from the
// commit log, the consume queues, the index, the dispatcher, the flusher and
// the cleanup pass. Tools and tests may use its internals through this header.

#ifndef RMQ_STORE_DEFAULT_MESSAGE_STORE_H_
#define RMQ_STORE_DEFAULT_MESSAGE_STORE_H_

#include <atomic>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/periodic_timer.h"
#include "rmq/store.h"
#include "store/background_worker.h"
#include "store/commit_log.h"
#include "store/commit_log_flusher.h"
#include "store/consume_queue_table.h"
#include "store/delay_levels.h"
#include "store/dispatcher.h"
#include "store/index_service.h"
#include "store/schedule_message_service.h"
#include "store/timer_message_service.h"
#include "store/store_checkpoint.h"

namespace rmq::internal {

// What Open found on disk, for tools and tests.
struct OpenReport {
  bool abnormal = false;  // The abort file was present: the last run crashed.
  CommitLog::RecoveryResult recovery;
  int64_t redispatch_from = 0;
  // Where the index catches up from, in the background after Open (equal
  // to redispatch_from when it need not: the index is in step).
  int64_t index_from = 0;
};

class DefaultMessageStore final : public MessageStore {
 public:
  static absl::StatusOr<std::unique_ptr<DefaultMessageStore>> Open(const MessageStoreConfig& config,
                                                                   std::shared_ptr<Clock> clock);
  ~DefaultMessageStore() override;

  absl::StatusOr<PutMessageResult> Put(const MessageExt& msg) override;
  absl::StatusOr<PutMessageResult> PutEncoded(const EncodedMessage& msg) override;
  absl::StatusOr<PutMessageResult> PutBatch(std::span<const MessageExt> msgs) override;
  GetMessageResult Get(std::string_view topic, int32_t queue_id, int64_t offset, int32_t max_msgs,
                       const MessageFilter* filter) override;
  int64_t GetMinOffsetInQueue(std::string_view topic, int32_t queue_id) override;
  int64_t GetMaxOffsetInQueue(std::string_view topic, int32_t queue_id) override;
  int64_t GetOffsetInQueueByTime(std::string_view topic, int32_t queue_id,
                                 int64_t timestamp_ms) override;
  int64_t GetMessageStoreTimestamp(std::string_view topic, int32_t queue_id,
                                   int64_t offset) override;
  absl::StatusOr<MessageExt> LookMessageByOffset(int64_t commit_log_offset) override;
  absl::StatusOr<MessageExt> ViewMessageById(std::string_view offset_msg_id) override;
  std::vector<MessageExt> QueryMessage(std::string_view topic, std::string_view key,
                                       int32_t max_num, int64_t begin_ms, int64_t end_ms) override;
  absl::Status Flush() override;
  void WaitForDispatch() override;
  int DeleteExpiredFiles(bool force) override;
  StoreStats Stats() override;
  const MessageStoreConfig& config() const override { return config_; }
  void SetMessageArrivingListener(MessageArrivingListener listener) override;

  const OpenReport& open_report() const { return report_; }
  // Below this commit log offset every message is indexed (or given up
  // on): behind the dispatched offset while the index catches up after a
  // crash (OpenReport::index_from).
  int64_t indexed_offset() const { return dispatcher_->indexed_offset(); }
  CommitLog& commit_log() { return *commit_log_; }
  ConsumeQueueTable& consume_queues() { return *queues_; }
  // Delayed messages (SCHEDULE_TOPIC_XXXX) and their delivery.
  ScheduleMessageService& schedule_service() { return *schedule_; }
  // Timer messages (rmq_sys_wheel_timer) and their delivery.
  TimerMessageService& timer_service() { return *timer_; }
  // The key index; null when messageIndexEnable is false.
  IndexService* index_service() { return index_.get(); }

  // Replaces how disk usage is measured (a fraction 0..1 of the commit log's
  // filesystem), so tests can simulate a full disk.
  void SetDiskUsageProbe(std::function<double(const std::string& dir)> probe);

 private:
  DefaultMessageStore(const MessageStoreConfig& config, std::shared_ptr<Clock> clock);
  absl::Status Start();
  absl::Status Recover();
  absl::StatusOr<PutMessageResult> FinishPut(absl::StatusOr<AppendResult> appended, bool wait);
  // Where a message waits before its topic: a delay level parks it in
  // SCHEDULE_TOPIC_XXXX, a timer due time in rmq_sys_wheel_timer.
  struct Parking {
    int32_t delay_level = 0;
    int64_t timer_due_ms = 0;
    bool parked() const { return delay_level > 0 || timer_due_ms > 0; }
  };
  // What `msg` (or, with msg null, a message with `encoded_properties`)
  // asks for: nothing for a plain message, a transaction half or rollback
  // record, or a timer due already; an error for a malformed DELAY or timer
  // property, or a timer too far ahead. A DELAY level wins over a timer.
  absl::StatusOr<Parking> ParkingOf(std::string_view topic, int32_t sys_flag,
                                    std::string_view encoded_properties,
                                    const MessageExt* msg) const;
  // Stores `parked` (a copy the caller gives up) in the schedule or timer topic.
  absl::StatusOr<PutMessageResult> PutParked(MessageExt parked, const Parking& parking,
                                             bool wait);
  absl::Status CheckWritable() const;
  // Queues, index and checkpoint to disk: everything (shutdown, Flush), or
  // as the periodic task does (queues with flushConsumeQueueLeastPages new
  // pages, and all of them every flushConsumeQueueThoroughInterval; the index
  // is index_worker_'s, and the checkpoint vouches for the index files it has
  // synced). Returns the pass's first error.
  absl::Status FlushLogic(bool periodic);
  void Cleanup(bool manual, bool force, int* deleted);
  int64_t StoreTimestampAt(int64_t commit_log_offset, int32_t size);

  const MessageStoreConfig config_;
  const std::shared_ptr<Clock> clock_;
  HostAddress store_host_;
  int lock_fd_ = -1;
  std::optional<StoreCheckpoint> checkpoint_;
  std::unique_ptr<CommitLog> commit_log_;
  std::unique_ptr<ConsumeQueueTable> queues_;
  std::unique_ptr<IndexService> index_;
  DelayLevels delay_levels_;
  std::unique_ptr<Dispatcher> dispatcher_;
  std::unique_ptr<ScheduleMessageService> schedule_;
  std::unique_ptr<TimerMessageService> timer_;
  std::unique_ptr<CommitLogFlusher> flusher_;
  std::unique_ptr<BackgroundWorker> worker_;
  // Syncs index files as they fill, off worker_: a full file's one sync can
  // take seconds (420 MB at the default sizes, less what the kernel wrote
  // back), which would hold up the queue flushes and cleanup (RocketMQ too
  // flushes a full index file on a thread of its own). At start it also
  // creates the first index file, if there is none, ahead of the first key.
  std::unique_ptr<BackgroundWorker> index_worker_;
  std::unique_ptr<PeriodicTimer> flush_timer_;
  std::unique_ptr<PeriodicTimer> logic_flush_timer_;
  // What a logic flush pass (queues, index, checkpoint) covers; the timer
  // asks for a pass only when it differs from what the last successful one
  // covered, so an idle store does no work and a failed pass is retried.
  struct LogicFlushMark {
    int64_t dispatched_offset = -1;
    int64_t physic_ts = -1;
    int64_t logics_ts = -1;
    int64_t index_ts = -1;
    friend bool operator==(const LogicFlushMark&, const LogicFlushMark&) = default;
  };
  LogicFlushMark CurrentLogicFlushMark() const;
  // One logic flush pass at a time: the worker's periodic pass and a
  // Flush() or the shutdown's pass share the checkpoint's temporary file
  // and the queues' flushed positions.
  absl::Mutex logic_flush_pass_mu_ ABSL_ACQUIRED_BEFORE(logic_flush_mu_);
  // When the last thorough pass started (none yet: the first periodic pass is one).
  std::optional<int64_t> last_thorough_logic_flush_ms_ ABSL_GUARDED_BY(logic_flush_pass_mu_);
  absl::Mutex logic_flush_mu_;
  LogicFlushMark logic_flushed_ ABSL_GUARDED_BY(logic_flush_mu_);
  std::unique_ptr<PeriodicTimer> cleanup_timer_;
  OpenReport report_;
  absl::Mutex cleanup_mu_;  // One cleanup pass at a time.
  std::function<double(const std::string&)> disk_usage_ ABSL_GUARDED_BY(cleanup_mu_);
  std::atomic<bool> disk_full_{false};
  std::atomic<double> disk_ratio_{0};
  std::atomic<int64_t> put_count_{0};
  std::atomic<bool> shut_down_{false};
  bool started_ = false;
  // The message-arriving listener, read by the dispatcher with one atomic
  // load per message (no lock). Every listener ever set stays allocated until
  // the store is destroyed, so a dispatch that loaded an old one can finish.
  std::atomic<const MessageArrivingListener*> arriving_listener_{nullptr};
  // Messages dispatched since the listener's last call (dispatch thread
  // only), and the call that hands them over.
  std::vector<ArrivedMessage> arrivals_;
  void DeliverArrivals();
  absl::Mutex arriving_mu_;
  std::vector<std::unique_ptr<MessageArrivingListener>> arriving_listeners_
      ABSL_GUARDED_BY(arriving_mu_);
};

}  // namespace rmq::internal

#endif  // RMQ_STORE_DEFAULT_MESSAGE_STORE_H_
