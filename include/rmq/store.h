// Copyright 2026 The rmq Authors. Licensed under the Apache License, Version 2.0.
//
// MessageStore: RocketMQ's store in a directory.
//
// Every message is appended to one commit log (a sequence of mmap'd segment
// files, RocketMQ's record format). A background dispatcher then adds a
// 20-byte unit to the consume queue of the message's (topic, queue id) and,
// if enabled, entries to the key index. Consume queues and the index can be
// rebuilt from the commit log at any time; the commit log is the truth.
//
//   auto store = rmq::MessageStore::Open(config);
//   rmq::MessageExt msg("TopicA", "TagA", "hello");
//   msg.queue_id = 0;
//   auto put = (*store)->Put(msg);            // durable per flushDiskType
//   auto got = (*store)->Get("TopicA", 0, 0, 32, nullptr);
//
// Thread safety: every method may be called from any thread.

#ifndef RMQ_STORE_H_
#define RMQ_STORE_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "rmq/clock.h"
#include "rmq/message.h"

namespace rmq {

enum class FlushDiskType { kAsyncFlush, kSyncFlush };

// The store's settings, under RocketMQ's MessageStoreConfig key names and
// with its defaults. LoadMessageStoreConfig reads them from a broker.conf.
struct MessageStoreConfig {
  std::string store_path_root_dir = "store";  // storePathRootDir
  std::string store_path_commit_log;          // storePathCommitLog; "" = <root>/commitlog
  int64_t mapped_file_size_commit_log = 1024LL * 1024 * 1024;  // mappedFileSizeCommitLog
  int32_t mapped_file_size_consume_queue = 300000 * 20;        // mappedFileSizeConsumeQueue
  int32_t max_message_size = 4 * 1024 * 1024;                   // maxMessageSize
  FlushDiskType flush_disk_type = FlushDiskType::kAsyncFlush;   // flushDiskType
  int32_t flush_interval_commit_log = 500;              // flushIntervalCommitLog, ms
  int32_t flush_commit_log_least_pages = 4;             // flushCommitLogLeastPages
  int32_t flush_commit_log_thorough_interval = 10000;   // flushCommitLogThoroughInterval, ms
  int32_t flush_interval_consume_queue = 1000;          // flushIntervalConsumeQueue, ms
  int32_t flush_consume_queue_least_pages = 2;          // flushConsumeQueueLeastPages
  int32_t flush_consume_queue_thorough_interval = 60000;  // flushConsumeQueueThoroughInterval, ms
  int32_t sync_flush_timeout = 5000;                    // syncFlushTimeout, ms
  int32_t file_reserved_time = 72;                      // fileReservedTime, hours
  std::string delete_when = "04";                       // deleteWhen, hours "HH;HH"
  int32_t disk_max_used_space_ratio = 75;               // diskMaxUsedSpaceRatio, percent
  int32_t clean_resource_interval = 10000;              // cleanResourceInterval, ms
  bool clean_file_forcibly_enable = true;               // cleanFileForciblyEnable
  bool message_index_enable = true;                     // messageIndexEnable
  int32_t max_hash_slot_num = 5000000;                  // maxHashSlotNum
  int32_t max_index_num = 5000000 * 4;                  // maxIndexNum
  int32_t max_topic_length = 127;                       // maxTopicLength (4.x: Byte.MAX_VALUE)
  int32_t max_transfer_bytes_on_message_in_memory = 256 * 1024;  // maxTransferBytesOnMessageInMemory
  int32_t max_transfer_count_on_message_in_memory = 32;          // maxTransferCountOnMessageInMemory
  int32_t disk_space_warning_level_ratio = 90;  // diskSpaceWarningLevelRatio: puts refused above
  int32_t disk_space_clean_forcibly_ratio = 85; // diskSpaceCleanForciblyRatio: delete unexpired above
  // messageDelayLevel: the delays of levels 1, 2, ... of delayed messages
  // (the DELAY property), each a number and a unit s, m, h or d.
  std::string message_delay_level = "1s 5s 10s 30s 1m 2m 3m 4m 5m 6m 7m 8m 9m 10m 20m 30m 1h 2h";
  int32_t flush_delay_offset_interval = 10000;  // flushDelayOffsetInterval, ms
  // Timer messages (RocketMQ 5's TIMER_DELIVER_MS / TIMER_DELAY_SEC /
  // TIMER_DELAY_MS): delivered at their exact millisecond on the store's
  // Clock. timerPrecisionMs is the width of a wheel slot, not a rounding.
  bool timer_wheel_enable = true;               // timerWheelEnable: false refuses timer messages
  int32_t timer_precision_ms = 1000;            // timerPrecisionMs
  int32_t timer_max_delay_sec = 3 * 24 * 3600;  // timerMaxDelaySec: furthest allowed due time
  int32_t timer_flush_interval_ms = 1000;       // timerFlushIntervalMs: saves of timercheck.json
  // timerRollWindowSlots, in slots of timerPrecisionMs (2 days): a timer
  // message still waiting this long after it was stored is stored again
  // (rolled), so that a fileReservedTime shorter than its wait does not
  // delete it. The window used is at most half of a non-zero fileReservedTime.
  int32_t timer_roll_window_slots = 2 * 24 * 3600;
  // The broker's address, stored in each record and in offset msgIds.
  std::string store_host = "127.0.0.1:10911";           // brokerIP1:listenPort

  // Directory of the commit log segments.
  std::string CommitLogDir() const;
};

// Reads `path` (broker.conf syntax: key=value lines, '#' comments) into
// `config`, starting from its current values. An unknown key, a bad value or
// one that cannot work (deleteWhen=25) is an InvalidArgument error naming the
// file, the line and the key.
absl::Status LoadMessageStoreConfig(const std::string& path, MessageStoreConfig* config);

// Outcome of a put that stored the message (errors are a non-OK Status).
enum class PutStatus {
  kPutOk,
  kFlushDiskTimeout,  // Stored, but not flushed within syncFlushTimeout.
};
std::string_view PutStatusName(PutStatus status);

struct PutMessageResult {
  PutStatus status = PutStatus::kPutOk;
  int64_t wrote_offset = 0;     // Commit log offset of the (first) record.
  int32_t wrote_bytes = 0;      // Bytes appended, all records of a batch.
  int64_t queue_offset = 0;     // Queue offset of the (first) message.
  int32_t msg_num = 1;          // Messages appended.
  int64_t store_timestamp = 0;  // Milliseconds since the epoch.
  HostAddress store_host;       // The store's address, part of the msgId.

  // Offset msgId of the first record (computed on demand: a put allocates nothing).
  std::string offset_msg_id() const;
};

// Outcome of Get (as RocketMQ's GetMessageStatus).
enum class GetStatus {
  kFound,
  kNoMatchedMessage,       // Messages exist past the offset, none matched the filter.
  kMessageWasRemoving,     // The commit log segment was deleted under us.
  kOffsetFoundNull,
  kOffsetOverflowBadly,    // Offset > max offset (or < min on an empty queue).
  kOffsetOverflowOne,      // Offset == max offset: nothing new yet.
  kOffsetTooSmall,         // Offset < min offset: those messages were deleted.
  kNoMatchedLogicQueue,    // No such topic/queue.
  kNoMessageInQueue,       // The queue exists but is empty.
};
std::string_view GetStatusName(GetStatus status);

// Chooses messages for Get: first by the consume queue's tagsCode, then by the
// stored record (e.g. its properties).
class MessageFilter {
 public:
  virtual ~MessageFilter() = default;
  virtual bool MatchesTagsCode(int64_t tags_code) const = 0;
  virtual bool MatchesRecord(std::string_view record) const = 0;
  // For a message arriving while a pull waits: whether its properties, as
  // stored (name 0x01 value 0x02 …), pass. A filter that needs more than
  // the tagsCode (SQL92) says so here, so that a message it would not
  // return does not wake the pull; the default lets every one through.
  virtual bool MatchesProperties(std::string_view /*properties*/) const { return true; }

  // A filter on tags: "*" or "" matches all, else "TagA || TagB".
  static std::unique_ptr<MessageFilter> ForTags(std::string_view expression);
};

// Messages returned by Get: the stored records, byte for byte, kept alive by
// this object (the segment they live in stays mapped while it exists).
class GetMessageResult {
 public:
  GetStatus status = GetStatus::kNoMatchedLogicQueue;
  int64_t next_begin_offset = 0;  // Queue offset to ask for next.
  int64_t min_offset = 0;
  int64_t max_offset = 0;

  size_t message_count() const { return records_.size(); }
  // The stored bytes of message `i`; decode with DecodeMessage.
  std::string_view record(size_t i) const { return records_[i]; }
  // Queue offset of message `i`.
  int64_t queue_offset(size_t i) const { return queue_offsets_[i]; }
  int64_t total_bytes() const { return total_bytes_; }

  // Used by the store to fill the result: room for `messages`, then each.
  void Reserve(size_t messages);
  void Add(std::string_view record, int64_t queue_offset,
           const std::shared_ptr<const void>& keep_alive);

 private:
  std::vector<std::string_view> records_;
  std::vector<int64_t> queue_offsets_;
  std::vector<std::shared_ptr<const void>> keep_alive_;
  int64_t total_bytes_ = 0;
};

// Decodes one stored record into a MessageExt (with its body and properties).
absl::StatusOr<MessageExt> DecodeMessage(std::string_view record);

// Store-wide figures, e.g. for tools and benchmarks.
struct StoreStats {
  int64_t min_phy_offset = 0;
  int64_t max_phy_offset = 0;        // End of the last record written.
  int64_t flushed_phy_offset = 0;    // Everything before this is on disk.
  int64_t dispatched_phy_offset = 0; // Consume queues and index cover up to here.
  int64_t commit_log_files = 0;
  int64_t put_count = 0;
  // Delayed messages (a DELAY level, retries included, and timer messages)
  // stored and not yet delivered to their topic, and when the earliest of
  // them is due (ms since the epoch; 0 if none), or, for a timer message
  // waiting past its roll window (timerRollWindowSlots), stored again.
  int64_t delayed_messages = 0;
  int64_t next_delayed_delivery_ms = 0;
};

// A message to put given as views, its properties already encoded
// (RocketMQ's "name\x01value\x02" form): what a broker has in hand from a
// send request, stored without building a MessageExt first. The views must
// stay valid for the duration of the put only.
struct EncodedMessage {
  std::string_view topic;
  int32_t queue_id = 0;
  int32_t flag = 0;
  std::string_view body;
  std::string_view properties;  // encoded; the store checks its structure
  int32_t sys_flag = 0;         // sysflag:: bits; the host bits are set by the store
  int64_t born_timestamp = 0;
  HostAddress born_host;
  int32_t reconsume_times = 0;
  int64_t prepared_transaction_offset = 0;
  // Whether the put waits for the flush (the WAIT property, already parsed).
  bool wait_store_msg_ok = true;
  // What a caller that parsed `properties` itself (the broker's send path)
  // already knows, so that the store does not read them again:
  // - properties_checked: every item is name 0x01 value 0x02, no name is
  //   empty, and no name or value holds a separator;
  // - may_park: false only if no property is DELAY or starts with TIMER_ (a
  //   message the store would delay); the store then does not look for them.
  // The defaults make the store check both.
  bool properties_checked = false;
  bool may_park = true;
};

class MessageStore {
 public:
  virtual ~MessageStore() = default;  // Flushes, writes the checkpoint, removes the abort file.

  // Opens (creating if needed) the store at config.store_path_root_dir,
  // recovering after a crash if the abort file is present. `clock` defaults to
  // the system clock.
  static absl::StatusOr<std::unique_ptr<MessageStore>> Open(
      const MessageStoreConfig& config, std::shared_ptr<Clock> clock = nullptr);

  // Appends one message to msg.topic()/msg.queue_id. The store assigns the
  // queue offset, commit log offset and store timestamp.
  virtual absl::StatusOr<PutMessageResult> Put(const MessageExt& msg) = 0;
  // As Put, for a message given as views (see EncodedMessage).
  virtual absl::StatusOr<PutMessageResult> PutEncoded(const EncodedMessage& msg) = 0;
  // Appends messages of one topic and queue atomically: all or none, with
  // contiguous queue offsets.
  virtual absl::StatusOr<PutMessageResult> PutBatch(std::span<const MessageExt> msgs) = 0;

  // Up to `max_msgs` messages of topic/queue_id from queue offset `offset` on
  // that pass `filter` (nullptr: all).
  virtual GetMessageResult Get(std::string_view topic, int32_t queue_id, int64_t offset,
                               int32_t max_msgs, const MessageFilter* filter) = 0;

  virtual int64_t GetMinOffsetInQueue(std::string_view topic, int32_t queue_id) = 0;
  // One past the last queue offset (0 for an empty or unknown queue).
  virtual int64_t GetMaxOffsetInQueue(std::string_view topic, int32_t queue_id) = 0;
  // The queue offset of the message stored at `timestamp_ms` (the first such),
  // else of the one stored nearest to it (the earlier on a tie); the last
  // message's for a time after all of them; the min offset of an empty
  // queue. As RocketMQ 4.9's ConsumeQueue.getOffsetInQueueByTime.
  virtual int64_t GetOffsetInQueueByTime(std::string_view topic, int32_t queue_id,
                                         int64_t timestamp_ms) = 0;
  // Store timestamp of the message at queue offset `offset`, or -1.
  virtual int64_t GetMessageStoreTimestamp(std::string_view topic, int32_t queue_id,
                                           int64_t offset) = 0;

  // The message whose record starts at `commit_log_offset`.
  virtual absl::StatusOr<MessageExt> LookMessageByOffset(int64_t commit_log_offset) = 0;
  // The message with this offset msgId (32 hex digits).
  virtual absl::StatusOr<MessageExt> ViewMessageById(std::string_view offset_msg_id) = 0;
  // Messages of `topic` whose KEYS contain `key` or whose UNIQ_KEY is `key`,
  // stored within [begin_ms, end_ms], newest first, at most `max_num`.
  virtual std::vector<MessageExt> QueryMessage(std::string_view topic, std::string_view key,
                                               int32_t max_num, int64_t begin_ms,
                                               int64_t end_ms) = 0;

  // Flushes everything written so far to disk.
  virtual absl::Status Flush() = 0;
  // Blocks until the dispatcher has indexed everything written before the
  // call, or until an attempt to dispatch a record fails (the dispatcher
  // retries it, at least once a second, and puts are refused meanwhile).
  virtual void WaitForDispatch() = 0;
  // Runs one cleanup pass now (expired segments, disk pressure), as the
  // periodic task does at deleteWhen. Returns the number of commit log files deleted.
  virtual int DeleteExpiredFiles(bool force) = 0;

  virtual StoreStats Stats() = 0;
  virtual const MessageStoreConfig& config() const = 0;

  // A message that entered a consume queue, as the arrival listener sees it.
  // The views are valid only during the listener's call.
  struct ArrivedMessage {
    std::string_view topic;
    int32_t queue_id = 0;
    int64_t queue_offset = 0;
    int64_t tags_code = 0;        // The unit's tag hash.
    std::string_view properties;  // As stored: name 0x01 value 0x02 ...
  };
  // At most this many messages are passed to one call of the listener.
  static constexpr size_t kMaxArrivalsPerCall = 32;

  // Called on the store's dispatch thread with the messages that entered
  // consume queues since its last call, in log order, once their queues hold
  // them (a Get from `queue_offset` finds them): a broker uses it to answer
  // held long-polling pulls. The dispatcher calls it when it has caught up
  // with the log, before it moves to the next segment, and whenever
  // kMaxArrivalsPerCall messages are waiting, so that a pull answered from it
  // finds a batch (as RocketMQ's, whose dispatcher runs every millisecond)
  // rather than the one message that woke it. It must be fast and must not
  // call WaitForDispatch. Replaces any earlier listener; an empty function
  // clears it. A listener being replaced may still finish a call already
  // started, so what it captures must stay valid (capture shared state by
  // shared_ptr).
  using MessageArrivingListener = std::function<void(std::span<const ArrivedMessage> arrived)>;
  virtual void SetMessageArrivingListener(MessageArrivingListener listener) = 0;
};

}  // namespace rmq

#endif  // RMQ_STORE_H_
