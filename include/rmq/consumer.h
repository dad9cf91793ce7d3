// Copyright 2026 The rmq Authors. Licensed under the Apache License, Version 2.0.
//
// Consumers, as RocketMQ's DefaultMQPushConsumer and pull consumers.
//
// A PushConsumer joins a consumer group, subscribes to topics and has its
// listener called with the messages; queues are balanced among the group's
// members (CLUSTERING) or every member gets every message (BROADCASTING).
// Progress (consume offsets) is committed for the group every 5 s and at
// shutdown, so a restarted member continues where the group left off.
//
//   rmq::PushConsumerConfig config;
//   config.group_name = "OrderConsumers";
//   config.namesrv_addr = cluster->namesrv_address();
//   rmq::PushConsumer consumer(config);
//   consumer.Subscribe("Orders", "TagA || TagB");
//   // or, by message properties (the broker needs enablePropertyFilter=true):
//   // consumer.Subscribe("Orders", rmq::MessageSelector::BySql("amount > 100"));
//   consumer.RegisterMessageListener(
//       [](std::span<const rmq::MessageExt> msgs, rmq::ConsumeConcurrentlyContext&) {
//         for (const auto& m : msgs) Handle(m);
//         return rmq::ConsumeConcurrentlyStatus::kConsumeSuccess;
//       });
//   consumer.Start();
//
// A PullConsumer leaves the pulling to the caller: by queue and offset, or
// subscribe-and-poll with the group's rebalancing ("lite" mode).

#ifndef RMQ_CONSUMER_H_
#define RMQ_CONSUMER_H_

#include <climits>
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
#include "rmq/allocate_strategy.h"
#include "rmq/client_config.h"
#include "rmq/message.h"
#include "rmq/message_queue.h"

namespace rmq {

namespace internal {
class PushConsumerImpl;
class PullConsumerImpl;
}

enum class MessageModel { kClustering, kBroadcasting };

// How a consumer chooses the messages of a topic it subscribes to (RocketMQ's
// MessageSelector): by tag, or by a SQL92 expression over the message's
// properties.
class MessageSelector {
 public:
  enum class Type { kTag, kSql92 };

  // A SQL92 expression over the message's properties, user ones and system
  // ones (TAGS, KEYS, …), e.g. "a BETWEEN 3 AND 5 AND TAGS IN ('x', 'y')";
  // docs/sql_filter.md has the grammar and semantics. The broker evaluates it
  // for every message and delivers those for which it is TRUE (a message
  // without a property the expression compares is not delivered). The broker
  // must run with enablePropertyFilter=true. Subscribe rejects an expression
  // that does not compile (an empty one included).
  static MessageSelector BySql(std::string_view expression) {
    return MessageSelector(Type::kSql92, expression);
  }
  // A tag expression: "*" or "" (every message) or "TagA || TagB".
  static MessageSelector ByTag(std::string_view expression) {
    return MessageSelector(Type::kTag, expression);
  }

  Type type() const { return type_; }
  const std::string& expression() const { return expression_; }
  // RocketMQ's ExpressionType name: "TAG" or "SQL92".
  std::string_view type_name() const { return type_ == Type::kTag ? "TAG" : "SQL92"; }

 private:
  MessageSelector(Type type, std::string_view expression)
      : type_(type), expression_(expression) {}

  Type type_;
  std::string expression_;
};

// Where a group with no committed offset for a queue starts.
enum class ConsumeFromWhere {
  kLastOffset,   // CONSUME_FROM_LAST_OFFSET: only messages sent from now on.
  kFirstOffset,  // CONSUME_FROM_FIRST_OFFSET: the oldest message still stored.
  kTimestamp,    // CONSUME_FROM_TIMESTAMP: messages stored at or after consume_timestamp.
};

enum class ConsumeConcurrentlyStatus {
  kConsumeSuccess,   // CONSUME_SUCCESS: the messages are done.
  kReconsumeLater,   // RECONSUME_LATER: deliver them again later.
};

struct ConsumeConcurrentlyContext {
  MessageQueue message_queue;
  // 0: the broker picks (3 + reconsume times); >0: this delay level; <0: straight to the DLQ.
  int32_t delay_level_when_next_consume = 0;
  // With kConsumeSuccess, messages after this index are reconsumed.
  int32_t ack_index = INT32_MAX;
};

// Called with 1..consumeMessageBatchMaxSize messages of one queue, from the
// consumer's threads, concurrently. An exception thrown counts as kReconsumeLater.
using MessageListenerConcurrently = std::function<ConsumeConcurrentlyStatus(
    std::span<const MessageExt> msgs, ConsumeConcurrentlyContext& context)>;

enum class ConsumeOrderlyStatus {
  kSuccess,                    // SUCCESS: the messages are done.
  // SUSPEND_CURRENT_QUEUE_A_MOMENT: stop this queue for a while, then give
  // the listener the same messages again (reconsume_times one higher); later
  // messages of the queue wait. After maxReconsumeTimes the messages go to
  // the group's dead-letter queue and the queue moves on.
  kSuspendCurrentQueueAMoment,
};

struct ConsumeOrderlyContext {
  MessageQueue message_queue;
  // With true, kSuccess commits the messages' offsets. With false, nothing is
  // committed until a later call returns kSuccess with auto_commit true: the
  // offsets then advance past every message consumed since.
  bool auto_commit = true;
  // How long kSuspendCurrentQueueAMoment suspends the queue, ms (10..30000);
  // -1 = the consumer's suspend_current_queue_time_millis.
  int64_t suspend_current_queue_time_millis = -1;
};

// Called with 1..consumeMessageBatchMaxSize messages of one queue, in queue
// order, never for two batches of the same queue at once (RocketMQ's
// MessageListenerOrderly). In CLUSTERING mode a queue is consumed only while
// this member holds its lock at the broker, so its messages stay in order
// across rebalances and restarts (a batch may be delivered again after a
// crash or a queue move, never out of order). An exception thrown counts as
// kSuspendCurrentQueueAMoment.
using MessageListenerOrderly = std::function<ConsumeOrderlyStatus(
    std::span<const MessageExt> msgs, ConsumeOrderlyContext& context)>;

// RocketMQ's DefaultMQPushConsumer settings.
struct PushConsumerConfig : ClientConfig {
  std::string group_name;  // consumerGroup; required
  MessageModel message_model = MessageModel::kClustering;        // messageModel
  ConsumeFromWhere consume_from_where = ConsumeFromWhere::kLastOffset;  // consumeFromWhere
  // consumeTimestamp for kTimestamp, "yyyyMMddHHmmss" (UTC); "" = 30 minutes before Start.
  std::string consume_timestamp;
  // allocateMessageQueueStrategy; null = AllocateMessageQueueAveragely.
  std::shared_ptr<const AllocateMessageQueueStrategy> allocate_strategy;
  int32_t consume_thread_min = 20;               // consumeThreadMin
  int32_t consume_thread_max = 20;               // consumeThreadMax
  int32_t consume_concurrently_max_span = 2000;  // consumeConcurrentlyMaxSpan
  // Flow control: a queue with more messages (or MiB, or offset span) than
  // these waiting for its listeners is not pulled until they catch up.
  // RocketMQ retries 50 ms later; rmq also resumes it as soon as a
  // concurrent listener brings it back to half of each limit.
  int32_t pull_threshold_for_queue = 1000;       // pullThresholdForQueue, messages
  int32_t pull_threshold_size_for_queue = 100;   // pullThresholdSizeForQueue, MiB
  int64_t pull_interval = 0;                     // pullInterval, ms between pulls of a queue
  int32_t consume_message_batch_max_size = 1;    // consumeMessageBatchMaxSize
  int32_t pull_batch_size = 32;                  // pullBatchSize
  bool post_subscription_when_pull = false;      // postSubscriptionWhenPull
  // maxReconsumeTimes; -1 = 16 (an orderly listener: no limit).
  int32_t max_reconsume_times = -1;
  // suspendCurrentQueueTimeMillis: how long an orderly listener's
  // kSuspendCurrentQueueAMoment holds its queue back.
  int64_t suspend_current_queue_time_millis = 1000;
  int64_t consume_timeout = 15;                  // consumeTimeout, minutes
  // enableMsgTrace: SubBefore/SubAfter trace records around every listener
  // call, sent in the background to the trace topic (docs/trace.md).
  bool enable_msg_trace = false;
  std::string customized_trace_topic;  // customizedTraceTopic; "" = RMQ_SYS_TRACE_TOPIC
};

class PushConsumer {
 public:
  explicit PushConsumer(PushConsumerConfig config);
  ~PushConsumer();  // Shuts down.
  PushConsumer(const PushConsumer&) = delete;
  PushConsumer& operator=(const PushConsumer&) = delete;

  // Subscribes to `topic` with a tag expression: "*" (all) or "TagA || TagB".
  // Call before Start (or after, to change subscriptions). InvalidArgument
  // for a bad topic name or expression.
  absl::Status Subscribe(std::string_view topic, std::string_view expression);
  // Subscribes to `topic` with `selector`, by tag as above or by SQL92
  // (InvalidArgument if the expression does not compile). For a SQL92
  // subscription Start first asks a broker of the topic whether it serves
  // it (RocketMQ's CHECK_CLIENT_CONFIG) and fails with the broker's reason
  // if not: FailedPrecondition when the broker has enablePropertyFilter off.
  absl::Status Subscribe(std::string_view topic, const MessageSelector& selector);
  void Unsubscribe(std::string_view topic);
  // The listener: concurrent, or orderly (each queue consumed in order, one
  // batch at a time). The last one registered before Start is used.
  void RegisterMessageListener(MessageListenerConcurrently listener);
  void RegisterMessageListener(MessageListenerOrderly listener);

  // Joins the group: FailedPrecondition without a listener or subscription,
  // InvalidArgument for a bad config, AlreadyExists if this process already
  // runs a consumer of the group on the same instance; for a SQL92
  // subscription, the broker's refusal (see Subscribe) or Unavailable if the
  // broker could not be asked.
  absl::Status Start();
  // Stops pulling, waits for listeners running, commits offsets, leaves the group.
  void Shutdown();

  const PushConsumerConfig& config() const;

 private:
  std::shared_ptr<internal::PushConsumerImpl> impl_;
};

// ---- Pull consumer ------------------------------------------------------------

enum class PullStatus {
  kFound,         // FOUND
  kNoNewMsg,      // NO_NEW_MSG: nothing at or after the offset yet.
  kNoMatchedMsg,  // NO_MATCHED_MSG: messages exist, none matched the expression.
  kOffsetIllegal, // OFFSET_ILLEGAL: the offset is outside [min, max]; use next_begin_offset.
};
std::string_view PullStatusName(PullStatus status);

struct PullResult {
  PullStatus pull_status = PullStatus::kNoNewMsg;
  int64_t next_begin_offset = 0;
  int64_t min_offset = 0;
  int64_t max_offset = 0;
  std::vector<MessageExt> msgs;
};

// RocketMQ's DefaultMQPullConsumer / DefaultLitePullConsumer settings.
struct PullConsumerConfig : ClientConfig {
  std::string group_name;  // consumerGroup; required
  MessageModel message_model = MessageModel::kClustering;
  std::shared_ptr<const AllocateMessageQueueStrategy> allocate_strategy;
  // Lite mode (Subscribe + Poll):
  ConsumeFromWhere consume_from_where = ConsumeFromWhere::kLastOffset;
  std::string consume_timestamp;                 // as PushConsumerConfig
  int32_t pull_batch_size = 10;                  // pullBatchSize
  // autoCommit: each Poll (and Shutdown) commits what earlier polls returned;
  // without it only CommitSync does.
  bool auto_commit = true;
  int64_t poll_timeout_millis = 5000;            // pollTimeoutMillis
  int32_t pull_threshold_for_queue = 1000;       // pullThresholdForQueue
  int64_t broker_suspend_max_time_millis = 20000;  // brokerSuspendMaxTimeMillis
  int64_t consumer_pull_timeout_millis = 10000;    // consumerPullTimeoutMillis
  // consumerTimeoutMillisWhenSuspend: the client's timeout for a pull the
  // broker may hold (PullBlockIfNotFound, lite mode's background pulls); must
  // exceed broker_suspend_max_time_millis.
  int64_t consumer_timeout_millis_when_suspend = 30000;
};

class PullConsumer {
 public:
  explicit PullConsumer(PullConsumerConfig config);
  ~PullConsumer();
  PullConsumer(const PullConsumer&) = delete;
  PullConsumer& operator=(const PullConsumer&) = delete;

  // Joins the group: InvalidArgument for a bad config (group name, missing
  // namesrv_addr, a setting out of range), AlreadyExists if this process
  // already runs a consumer of the group on the same client instance.
  // Every other call needs a started consumer (FailedPrecondition before
  // Start and after Shutdown), except Subscribe, which may come first.
  absl::Status Start();
  // Stops the background pulls, commits offsets, leaves the group. Idempotent.
  void Shutdown();

  // Every readable queue of `topic`, as the name server knows it now;
  // NotFound for an unknown topic.
  absl::StatusOr<std::vector<MessageQueue>> FetchSubscribeMessageQueues(std::string_view topic);

  // Up to `max_nums` (1..1024) messages of `queue` from `offset` (>= 0)
  // matching `expression` ("*" or "TagA || TagB"). Returns at once (kNoNewMsg
  // if none). A message becomes visible to pulls once the broker's store has
  // indexed it, a moment after its send returned (as in RocketMQ): to read
  // what was just sent, use PullBlockIfNotFound. InvalidArgument for a bad
  // argument, NotFound for an unknown broker.
  absl::StatusOr<PullResult> Pull(const MessageQueue& queue, std::string_view expression,
                                  int64_t offset, int32_t max_nums);
  // As Pull, but the broker holds the request until a message arrives or
  // brokerSuspendMaxTimeMillis passes.
  absl::StatusOr<PullResult> PullBlockIfNotFound(const MessageQueue& queue,
                                                 std::string_view expression, int64_t offset,
                                                 int32_t max_nums);
  // As the two above with `selector`: by tag, or by SQL92 (InvalidArgument
  // if the expression does not compile; a broker without
  // enablePropertyFilter refuses the pull, which returns its error).
  absl::StatusOr<PullResult> Pull(const MessageQueue& queue, const MessageSelector& selector,
                                  int64_t offset, int32_t max_nums);
  absl::StatusOr<PullResult> PullBlockIfNotFound(const MessageQueue& queue,
                                                 const MessageSelector& selector, int64_t offset,
                                                 int32_t max_nums);

  // The group's committed offset of `queue` (-1 if none; a broker answers 0
  // instead while the queue's first message is still stored, as RocketMQ's
  // does); from the broker (broadcasting: the local file) if `from_store`,
  // else the local cache first.
  absl::StatusOr<int64_t> FetchConsumeOffset(const MessageQueue& queue, bool from_store);
  // Records progress (it may move backwards); committed to the broker every
  // persist_consumer_offset_interval and at shutdown.
  absl::Status UpdateConsumeOffset(const MessageQueue& queue, int64_t offset);

  // ---- Lite mode: subscribe, then poll; queues balanced among the group.
  // Before or after Start; InvalidArgument for a bad topic or expression.
  absl::Status Subscribe(std::string_view topic, std::string_view expression);
  // As above with `selector`: by tag, or by SQL92 (InvalidArgument if the
  // expression does not compile). The expression travels with every pull; a
  // broker without enablePropertyFilter answers those pulls with an error,
  // so Poll then returns nothing (the background pulls retry and log it).
  absl::Status Subscribe(std::string_view topic, const MessageSelector& selector);
  // The messages of one background pull of this member's queues; waits up
  // to `timeout` (pollTimeoutMillis when negative). Empty when none arrived.
  // With auto_commit, first commits what earlier polls returned.
  // FailedPrecondition without a subscription.
  absl::StatusOr<std::vector<MessageExt>> Poll(absl::Duration timeout = absl::Milliseconds(-1));
  // Moves the next poll of `queue` to `offset`, dropping what was pulled
  // ahead. InvalidArgument if `queue` is not assigned to this member or the
  // offset is outside the queue's [min, max].
  absl::Status Seek(const MessageQueue& queue, int64_t offset);
  // Commits the offsets of everything polled so far and writes them out now.
  absl::Status CommitSync();
  // The queues assigned to this member now (RocketMQ's assignment()); Seek
  // accepts only these.
  absl::StatusOr<std::vector<MessageQueue>> Assignment();

  const PullConsumerConfig& config() const;

 private:
  std::shared_ptr<internal::PullConsumerImpl> impl_;
};

}  // namespace rmq

#endif  // RMQ_CONSUMER_H_
