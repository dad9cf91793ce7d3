// Copyright 2026 The rmq Authors. Licensed under the Apache License, Version 2.0.
//
// Messages, as RocketMQ defines them.
//
// A Message is what a producer sends: a topic, a body, a flag and string
// properties (tags and keys are properties too, under RocketMQ's names).
// A MessageExt is a message as the store holds it: the same plus the queue
// it landed in, its offsets, hosts, timestamps and system flags.

#ifndef RMQ_MESSAGE_H_
#define RMQ_MESSAGE_H_

#include <array>
#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace rmq {

namespace internal {
class MessageAccess;  // lib/common/message_access.h: the library's own access.
}  // namespace internal

// RocketMQ's property names (org.apache.rocketmq.common.message.MessageConst).
namespace property {
inline constexpr std::string_view kTags = "TAGS";
inline constexpr std::string_view kKeys = "KEYS";
inline constexpr std::string_view kUniqKey = "UNIQ_KEY";
inline constexpr std::string_view kWaitStoreMsgOk = "WAIT";
inline constexpr std::string_view kDelayTimeLevel = "DELAY";
inline constexpr std::string_view kRetryTopic = "RETRY_TOPIC";
inline constexpr std::string_view kRealTopic = "REAL_TOPIC";
inline constexpr std::string_view kRealQueueId = "REAL_QID";
inline constexpr std::string_view kTransactionPrepared = "TRAN_MSG";
inline constexpr std::string_view kProducerGroup = "PGROUP";
inline constexpr std::string_view kMinOffset = "MIN_OFFSET";
inline constexpr std::string_view kMaxOffset = "MAX_OFFSET";
inline constexpr std::string_view kBuyerId = "BUYER_ID";
inline constexpr std::string_view kOriginMessageId = "ORIGIN_MESSAGE_ID";
inline constexpr std::string_view kTransferFlag = "TRANSFER_FLAG";
inline constexpr std::string_view kCorrectionFlag = "CORRECTION_FLAG";
inline constexpr std::string_view kMq2Flag = "MQ2_FLAG";
inline constexpr std::string_view kReconsumeTime = "RECONSUME_TIME";
inline constexpr std::string_view kMsgRegion = "MSG_REGION";
inline constexpr std::string_view kTraceSwitch = "TRACE_ON";
inline constexpr std::string_view kMaxReconsumeTimes = "MAX_RECONSUME_TIMES";
inline constexpr std::string_view kConsumeStartTimestamp = "CONSUME_START_TIME";
inline constexpr std::string_view kTransactionCheckTimes = "TRANSACTION_CHECK_TIMES";
inline constexpr std::string_view kCheckImmunityTimeInSeconds = "CHECK_IMMUNITY_TIME_IN_SECONDS";
inline constexpr std::string_view kShardingKey = "SHARDING_KEY";
inline constexpr std::string_view kDeliverTimeMs = "__STARTDELIVERTIME";
// Set by the broker: the cluster that stored the message.
inline constexpr std::string_view kCluster = "CLUSTER";
// Timer messages (RocketMQ 5): the producer sets one of the first three.
// Every timer property's name starts with this.
inline constexpr std::string_view kTimerPrefix = "TIMER_";
inline constexpr std::string_view kTimerDeliverMs = "TIMER_DELIVER_MS";  // ms since the epoch
inline constexpr std::string_view kTimerDelaySec = "TIMER_DELAY_SEC";
inline constexpr std::string_view kTimerDelayMs = "TIMER_DELAY_MS";
// Set by the store: when the parked message is due, and when it was taken
// from the timer (a message with either is never parked again).
inline constexpr std::string_view kTimerOutMs = "TIMER_OUT_MS";
inline constexpr std::string_view kTimerDequeueMs = "TIMER_DEQUEUE_MS";
// Set by the store (rmq's own): when a timer message waiting longer than the
// roll window (timerRollWindowSlots) is stored again, so that its stored
// copy is never older than that window.
inline constexpr std::string_view kTimerRollAtMs = "TIMER_ROLL_AT_MS";
}  // namespace property

// Separates several keys inside the KEYS property (MessageConst.KEY_SEPARATOR).
inline constexpr char kKeySeparator = ' ';

// The system flags stored with every message (MessageSysFlag).
namespace sysflag {
inline constexpr int32_t kCompressed = 0x1;
inline constexpr int32_t kMultiTags = 0x2;
inline constexpr int32_t kTransactionNotType = 0;
inline constexpr int32_t kTransactionPreparedType = 0x1 << 2;
inline constexpr int32_t kTransactionCommitType = 0x2 << 2;
inline constexpr int32_t kTransactionRollbackType = 0x3 << 2;
inline constexpr int32_t kBornHostV6 = 0x1 << 4;
inline constexpr int32_t kStoreHostV6 = 0x1 << 5;

inline constexpr int32_t TransactionValue(int32_t flag) { return flag & kTransactionRollbackType; }
inline constexpr int32_t ResetTransactionValue(int32_t flag, int32_t type) {
  return (flag & ~kTransactionRollbackType) | type;
}
}  // namespace sysflag

// A message's properties: name → value, sorted by name (so encoding is
// deterministic), in one flat vector. A message carries a handful of
// properties, so one allocation for all of them and a short search beat a
// node per property. The interface is the part of std::map's that messages
// need; iterators are invalidated by any insertion or erasure.
class MessageProperties {
 public:
  using value_type = std::pair<std::string, std::string>;
  using iterator = std::vector<value_type>::iterator;
  using const_iterator = std::vector<value_type>::const_iterator;

  MessageProperties() = default;
  MessageProperties(std::initializer_list<value_type> items);

  iterator begin() { return items_.begin(); }
  iterator end() { return items_.end(); }
  const_iterator begin() const { return items_.begin(); }
  const_iterator end() const { return items_.end(); }
  size_t size() const { return items_.size(); }
  bool empty() const { return items_.empty(); }
  void clear() { items_.clear(); }
  void reserve(size_t n) { items_.reserve(n); }

  // The property named `name`, or end(). (Don't change a found item's name.)
  iterator find(std::string_view name);
  const_iterator find(std::string_view name) const;
  bool contains(std::string_view name) const { return find(name) != end(); }
  // The value of `name`; throws std::out_of_range if absent (std::map::at).
  const std::string& at(std::string_view name) const;

  // Adds `name` = `value` unless `name` is present (std::map::emplace).
  std::pair<iterator, bool> emplace(std::string_view name, std::string value);
  // Sets `name` to `value`, adding it if absent.
  std::pair<iterator, bool> insert_or_assign(std::string_view name, std::string value);
  // Removes `name`; returns how many were removed (0 or 1).
  size_t erase(std::string_view name);
  iterator erase(const_iterator it) { return items_.erase(it); }

  friend bool operator==(const MessageProperties&, const MessageProperties&) = default;

 private:
  friend class internal::MessageAccess;

  // The first item whose name is not less than `name`.
  iterator LowerBound(std::string_view name);

  std::vector<value_type> items_;
};

// A message as a producer builds it. Properties are kept sorted by key so
// that encoding is deterministic.
class Message {
 public:
  using Properties = MessageProperties;

  Message() = default;
  Message(std::string topic, std::string body);
  Message(std::string topic, std::string tags, std::string body);
  Message(std::string topic, std::string tags, std::string keys, std::string body);

  const std::string& topic() const { return topic_; }
  void set_topic(std::string topic) { topic_ = std::move(topic); }

  const std::string& body() const { return body_; }
  void set_body(std::string body) { body_ = std::move(body); }
  // The body, to change in place: a sender that reuses one Message for many
  // sends keeps the string's buffer instead of allocating one per set_body.
  std::string* mutable_body() { return &body_; }

  // An application-defined integer stored with the message, untouched by rmq.
  int32_t flag() const { return flag_; }
  void set_flag(int32_t flag) { flag_ = flag; }

  // The TAGS property, or "" if unset.
  std::string_view tags() const { return GetProperty(property::kTags); }
  void set_tags(std::string tags) { PutProperty(property::kTags, std::move(tags)); }

  // The KEYS property: one or more keys separated by kKeySeparator.
  std::string_view keys() const { return GetProperty(property::kKeys); }
  void set_keys(std::string keys) { PutProperty(property::kKeys, std::move(keys)); }

  // The DELAY property: 0 for none, 1..18 for messageDelayLevel's levels.
  int delay_time_level() const;
  void set_delay_time_level(int level);

  // Timer messages (RocketMQ 5): deliver at `ms_since_epoch`, or after a
  // delay, to the exact millisecond of the broker's clock; at most
  // timerMaxDelaySec (3 days) ahead. A DELAY level, if set too, wins.
  void set_deliver_time_ms(int64_t ms_since_epoch) {
    PutProperty(property::kTimerDeliverMs, std::to_string(ms_since_epoch));
  }
  void set_delay_time_ms(int64_t ms) { PutProperty(property::kTimerDelayMs, std::to_string(ms)); }
  void set_delay_time_sec(int64_t seconds) {
    PutProperty(property::kTimerDelaySec, std::to_string(seconds));
  }

  // Whether a send should wait for the store's flush (WAIT, default true).
  bool wait_store_msg_ok() const;
  void set_wait_store_msg_ok(bool wait);

  // The property value, or "" if the property is absent.
  std::string_view GetProperty(std::string_view name) const;
  bool HasProperty(std::string_view name) const;
  void PutProperty(std::string_view name, std::string value);
  void ClearProperty(std::string_view name);

  const Properties& properties() const { return properties_; }
  Properties& mutable_properties() { return properties_; }

  friend bool operator==(const Message&, const Message&) = default;

 private:
  friend class internal::MessageAccess;

  std::string topic_;
  int32_t flag_ = 0;
  Properties properties_;
  std::string body_;
};

// An IPv4 or IPv6 address and a port, stored as RocketMQ stores hosts.
struct HostAddress {
  std::array<uint8_t, 16> ip{};  // IPv4 uses the first 4 bytes.
  bool ipv6 = false;
  int32_t port = 0;

  // "a.b.c.d:port" for IPv4, "[v6]:port" for IPv6.
  std::string ToString() const;
  // Parses "a.b.c.d:port" (or "[v6]:port"); nullopt if malformed.
  static std::optional<HostAddress> Parse(std::string_view text);
  static HostAddress Ipv4(uint8_t a, uint8_t b, uint8_t c, uint8_t d, int32_t port);

  friend bool operator==(const HostAddress&, const HostAddress&) = default;
};

// A message as stored: the producer's message plus everything the broker and
// store assign. Fields the store assigns are ignored on input to a put.
class MessageExt : public Message {
 public:
  using Message::Message;
  MessageExt() = default;
  explicit MessageExt(Message message) : Message(std::move(message)) {}

  int32_t queue_id = 0;
  int32_t store_size = 0;       // Bytes of the stored record.
  int64_t queue_offset = 0;     // Position in its consume queue.
  int32_t sys_flag = 0;         // sysflag:: bits.
  int64_t born_timestamp = 0;   // Milliseconds since the epoch, set by the producer.
  HostAddress born_host;
  int64_t store_timestamp = 0;  // Milliseconds since the epoch, set by the store.
  HostAddress store_host;
  int64_t commit_log_offset = 0;  // Physical offset of the record in the commit log.
  int32_t body_crc = 0;
  int32_t reconsume_times = 0;
  int64_t prepared_transaction_offset = 0;

  // RocketMQ's offset message id: store host and commit log offset, 32 hex digits.
  std::string OffsetMsgId() const;

  friend bool operator==(const MessageExt&, const MessageExt&) = default;
};

}  // namespace rmq

#endif  // RMQ_MESSAGE_H_
