// Copyright 2026 The rmq Authors. Licensed under the Apache License, Version 2.0.
//
// Producer: sends messages to the brokers serving a topic, as RocketMQ's
// DefaultMQProducer. It learns routes from the name server, spreads messages
// over the topic's queues round-robin (or as a selector says), retries a
// failed send on another broker and, with sendLatencyFaultEnable, avoids a
// broker that failed or answered slowly for a while.
//
//   rmq::ProducerConfig config;
//   config.group_name = "OrderProducers";
//   config.namesrv_addr = cluster->namesrv_address();
//   rmq::Producer producer(config);
//   RMQ_CHECK_OK(producer.Start());
//   auto result = producer.Send(rmq::Message("Orders", "TagA", "hello"));
//
// Thread safety: every method may be called from any thread once started.

#ifndef RMQ_PRODUCER_H_
#define RMQ_PRODUCER_H_

#include <any>
#include <cstdint>
#include <functional>
#include <future>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "rmq/client_config.h"
#include "rmq/message.h"
#include "rmq/message_queue.h"

namespace rmq {

namespace internal {
class ProducerImpl;
}

// How a sent message was stored (RocketMQ's SendStatus). Anything worse is an
// error Status instead.
enum class SendStatus {
  kSendOk,
  kFlushDiskTimeout,    // Stored, but not flushed within syncFlushTimeout (SYNC_FLUSH).
  kFlushSlaveTimeout,   // Stored, not replicated in time (SYNC_MASTER).
  kSlaveNotAvailable,   // Stored, no slave to replicate to (SYNC_MASTER).
};
std::string_view SendStatusName(SendStatus status);  // "SEND_OK", …

struct SendResult {
  SendStatus send_status = SendStatus::kSendOk;
  // The message's UNIQ_KEY (RocketMQ's "msgId"); for a batch, comma-separated.
  std::string msg_id;
  // Broker host and commit log offset (RocketMQ's "offsetMsgId"); comma-separated for a batch.
  std::string offset_msg_id;
  MessageQueue message_queue;
  int64_t queue_offset = 0;  // Of the (first) message in its queue.
  std::string transaction_id;
};

// RocketMQ's DefaultMQProducer settings.
struct ProducerConfig : ClientConfig {
  std::string group_name = "DEFAULT_PRODUCER";     // producerGroup
  std::string create_topic_key = "TBW102";         // createTopicKey (auto-created topics copy it)
  int32_t default_topic_queue_nums = 4;            // defaultTopicQueueNums
  int32_t send_msg_timeout = 3000;                 // sendMsgTimeout, ms, across retries
  int32_t compress_msg_body_over_howmuch = 4096;   // compressMsgBodyOverHowmuch, bytes (zlib)
  int32_t compress_level = 5;                      // rocketmq.message.compressLevel
  int32_t retry_times_when_send_failed = 2;        // retryTimesWhenSendFailed (sync)
  int32_t retry_times_when_send_async_failed = 2;  // retryTimesWhenSendAsyncFailed
  bool retry_another_broker_when_not_store_ok = false;  // retryAnotherBrokerWhenNotStoreOK
  int32_t max_message_size = 4 * 1024 * 1024;      // maxMessageSize, bytes
  bool send_latency_fault_enable = false;          // sendLatencyFaultEnable
  // enableMsgTrace: after every send (sync, async, oneway, batch) a Pub trace
  // record per message goes, in the background, to the trace topic (see
  // docs/trace.md). Never slows or fails a send: records that do not fit the
  // 2048-entry queue are dropped and counted.
  bool enable_msg_trace = false;
  // customizedTraceTopic; "" = RMQ_SYS_TRACE_TOPIC.
  std::string customized_trace_topic;
};

// Chooses the queue for a message from the topic's writable queues (as
// RocketMQ's MessageQueueSelector); `arg` is what the caller passed to Send.
class MessageQueueSelector {
 public:
  virtual ~MessageQueueSelector() = default;
  // Returns an index into `queues` (which is never empty).
  virtual size_t Select(std::span<const MessageQueue> queues, const Message& msg,
                        std::string_view arg) const = 0;
};

// Same `arg` → same queue (while the queue count is unchanged): ordered
// messages by key. Java's String.hashCode of `arg` modulo the queue count
// (SelectMessageQueueByHash), so a Java producer picks the same queue.
class SelectMessageQueueByHash final : public MessageQueueSelector {
 public:
  size_t Select(std::span<const MessageQueue> queues, const Message& msg,
                std::string_view arg) const override;
};

// A random queue (SelectMessageQueueByRandom).
class SelectMessageQueueByRandom final : public MessageQueueSelector {
 public:
  size_t Select(std::span<const MessageQueue> queues, const Message& msg,
                std::string_view arg) const override;
};

class Producer {
 public:
  using SendCallback = std::function<void(absl::StatusOr<SendResult>)>;

  explicit Producer(ProducerConfig config);
  ~Producer();  // Shuts down.
  Producer(const Producer&) = delete;
  Producer& operator=(const Producer&) = delete;

  // Checks the config and registers the group with the client instance.
  // InvalidArgument for a bad group name or setting; AlreadyExists if this
  // process already runs a producer of the group on the same instance.
  absl::Status Start();
  // Waits for async sends in flight, unregisters. Sends after it fail with
  // FailedPrecondition. Idempotent.
  void Shutdown();

  // Sends to a queue chosen round-robin (avoiding failed brokers), retrying
  // on another broker up to retryTimesWhenSendFailed times.
  absl::StatusOr<SendResult> Send(const Message& msg);
  // Sends to `queue` only (no retry elsewhere).
  absl::StatusOr<SendResult> Send(const Message& msg, const MessageQueue& queue);
  // Sends to the queue `selector` picks for `arg`.
  absl::StatusOr<SendResult> Send(const Message& msg, const MessageQueueSelector& selector,
                                  std::string_view arg);

  // Sends without waiting; `callback` gets the result on an rmq thread.
  // Retries up to retryTimesWhenSendAsyncFailed times.
  void SendAsync(Message msg, SendCallback callback);
  std::future<absl::StatusOr<SendResult>> SendAsync(Message msg);

  // Sends without waiting for the broker's answer (no retry).
  absl::Status SendOneway(const Message& msg);

  // Sends messages of one topic as one atomic batch: all stored, in one
  // queue with contiguous offsets, or none. No delay level, no transaction,
  // no retry topic; the encoded batch must fit in maxMessageSize.
  absl::StatusOr<SendResult> SendBatch(std::span<const Message> msgs);
  absl::StatusOr<SendResult> SendBatch(std::span<const Message> msgs, const MessageQueue& queue);

  // The queues of `topic` this producer can send to.
  absl::StatusOr<std::vector<MessageQueue>> FetchPublishMessageQueues(std::string_view topic);

  const ProducerConfig& config() const;

 private:
  std::unique_ptr<internal::ProducerImpl> impl_;
};

// ---- Transactions ---------------------------------------------------------------

// The outcome of a local transaction (RocketMQ's LocalTransactionState).
enum class LocalTransactionState {
  kCommitMessage,    // COMMIT_MESSAGE: consumers get the message.
  kRollbackMessage,  // ROLLBACK_MESSAGE: the message is dropped.
  kUnknow,           // UNKNOW: not decided yet; the broker asks again later.
};
std::string_view LocalTransactionStateName(LocalTransactionState state);  // "COMMIT_MESSAGE", …

// The application's side of a transactional message (RocketMQ's
// TransactionListener). Both methods are called on rmq threads; an exception
// thrown by either counts as kUnknow.
class TransactionListener {
 public:
  virtual ~TransactionListener() = default;
  // Runs the local transaction once the half message is stored (on the
  // thread that called SendMessageInTransaction). `arg` is what that call was given.
  virtual LocalTransactionState ExecuteLocalTransaction(const Message& msg,
                                                        const std::any& arg) = 0;
  // The broker asks about a message whose transaction was left unknown (or
  // whose outcome never arrived), first after transactionTimeOut (6 s), then
  // every transactionCheckInterval (60 s), up to transactionCheckMax (15)
  // times. `msg` is the half message as sent (its UNIQ_KEY is msg_id()).
  // Called on the producer's check thread, one check at a time.
  virtual LocalTransactionState CheckLocalTransaction(const MessageExt& msg) = 0;
};

struct TransactionSendResult : SendResult {
  LocalTransactionState local_transaction_state = LocalTransactionState::kUnknow;
};

// A producer of transactional messages (RocketMQ's TransactionMQProducer):
// the message is stored as a half message invisible to consumers, the
// listener's local transaction runs, and its outcome commits or rolls back
// the message. An outcome left unknown, or lost with a crashed producer, is
// settled later by the broker asking a live producer of the same group.
//
//   auto listener = std::make_shared<MyListener>();
//   rmq::TransactionProducer producer(config, listener);
//   RMQ_CHECK_OK(producer.Start());
//   auto result = producer.SendMessageInTransaction(rmq::Message("Orders", "paid"), order_id);
class TransactionProducer {
 public:
  TransactionProducer(ProducerConfig config, std::shared_ptr<TransactionListener> listener);
  ~TransactionProducer();  // Shuts down.
  TransactionProducer(const TransactionProducer&) = delete;
  TransactionProducer& operator=(const TransactionProducer&) = delete;

  // As Producer::Start.
  absl::Status Start();
  // Waits for the checks already received, unregisters. Idempotent.
  void Shutdown();

  // Sends `msg` as a half message (synchronously, with the producer's
  // retries), runs ExecuteLocalTransaction(msg, arg) and tells the broker
  // the outcome. An error if the half message could not be stored (the
  // listener is not called then); InvalidArgument without a listener. A DELAY level is dropped (transactional
  // messages are not delayed, as in RocketMQ). If the half message was
  // stored but not flushed or replicated in time (a SendStatus other than
  // kSendOk), the transaction is rolled back without running the listener.
  absl::StatusOr<TransactionSendResult> SendMessageInTransaction(const Message& msg,
                                                                 const std::any& arg = {});

  const ProducerConfig& config() const;

 private:
  std::unique_ptr<internal::ProducerImpl> impl_;
};

// Splits `msgs` into consecutive runs whose encoded batch size (the bytes
// SendBatch sends, UNIQ_KEYs included) stays within `max_bytes`, so that each
// run passes the maxMessageSize check (what RocketMQ's batch example
// "ListSplitter" approximates). A single message larger than `max_bytes` is
// a run of its own (its send fails).
std::vector<std::span<const Message>> SplitBatch(std::span<const Message> msgs,
                                                 size_t max_bytes = 4 * 1024 * 1024);

}  // namespace rmq

#endif  // RMQ_PRODUCER_H_
