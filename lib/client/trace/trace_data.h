// Copyright 2026 The rmq Authors. Licensed under the Apache License, Version 2.0.
//
// Message trace records (RocketMQ's enableMsgTrace) and their text format,
// as RocketMQ 4.9's TraceContext, TraceBean and TraceDataEncoder.
//
// A trace message's body is a sequence of records. Each record is fields
// separated by CONTENT_SPLITOR '\x01' and ended by FIELD_SPLITOR '\x02';
// numbers are decimal, booleans "true"/"false":
//
//   Pub       ts region group topic msgId tags keys storeHost bodyLength
//             costTime msgType offsetMsgId success
//   SubBefore ts region group requestId msgId retryTimes keys
//   SubAfter  requestId msgId costTime success keys contextCode ts
//   EndTransaction ts region group topic msgId tags keys storeHost msgType
//             transactionId transactionState fromTransactionCheck
//
// (the first field is the type's name). A Pub record carries one message; a
// SubBefore/SubAfter context writes one record per consumed message.

#ifndef RMQ_CLIENT_TRACE_TRACE_DATA_H_
#define RMQ_CLIENT_TRACE_TRACE_DATA_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "common/system_topics.h"

namespace rmq::internal {

inline constexpr char kTraceContentSplitor = '\x01';  // CONTENT_SPLITOR
inline constexpr char kTraceFieldSplitor = '\x02';    // FIELD_SPLITOR
// Where traces go unless customized: TopicValidator.RMQ_SYS_TRACE_TOPIC.
inline constexpr std::string_view kDefaultTraceTopic = kTraceTopic;
// MixAll.DEFAULT_TRACE_REGION_ID: the broker's regionId unless configured.
inline constexpr std::string_view kDefaultTraceRegionId = "DefaultRegion";
// TraceConstants.GROUP_NAME_PREFIX and TRACE_INSTANCE_NAME.
inline constexpr std::string_view kTraceProducerGroupPrefix = "_INNER_TRACE_PRODUCER";
inline constexpr std::string_view kTraceInstanceName = "PID_CLIENT_INNER_TRACE_PRODUCER";

enum class TraceType { kPub, kSubBefore, kSubAfter, kEndTransaction };
// TraceType.name(): "Pub", "SubBefore", "SubAfter", "EndTransaction".
std::string_view TraceTypeName(TraceType type);

// MessageType, written as its ordinal.
enum class TraceMessageType : int32_t {
  kNormal = 0,       // Normal_Msg
  kTransHalf = 1,    // Trans_Msg_Half
  kTransCommit = 2,  // Trans_msg_Commit
  kDelay = 3,        // Delay_Msg
};

// ConsumeReturnType, SubAfter's contextCode.
enum class TraceConsumeReturnType : int32_t {
  kSuccess = 0,
  kTimeOut = 1,
  kException = 2,
  kReturnNull = 3,
  kFailed = 4,
};

// One message's part of a trace (TraceBean).
struct TraceBean {
  std::string topic;
  std::string msg_id;         // UNIQ_KEY
  std::string offset_msg_id;  // Store host + commit log offset
  std::string tags;
  std::string keys;
  std::string store_host;   // "ip:port" of the broker
  std::string client_host;  // Read by the decoder from old 15-field Pub records only
  int64_t store_time = 0;   // Not encoded
  int32_t retry_times = 0;  // Reconsume times (SubBefore)
  int32_t body_length = 0;
  TraceMessageType msg_type = TraceMessageType::kNormal;
  std::string transaction_id;     // EndTransaction
  std::string transaction_state;  // EndTransaction: COMMIT_MESSAGE, ROLLBACK_MESSAGE, UNKNOW
  bool from_transaction_check = false;

  friend bool operator==(const TraceBean&, const TraceBean&) = default;
};

// One traced event (TraceContext).
struct TraceContext {
  TraceType type = TraceType::kPub;
  int64_t time_stamp = 0;  // ms since the epoch, when the event began
  std::string region_id;
  std::string group_name;  // Producer or consumer group
  int32_t cost_time = 0;   // ms
  bool success = true;
  std::string request_id;  // Ties a SubBefore to its SubAfter
  int32_t context_code = 0;  // SubAfter: TraceConsumeReturnType
  std::vector<TraceBean> beans;

  friend bool operator==(const TraceContext&, const TraceContext&) = default;
};

// A context encoded (TraceTransferBean): its records, and the keys the trace
// message is indexed by (each bean's msgId and its keys, if any).
struct TraceTransferBean {
  std::string data;
  std::vector<std::string> keys;
};

// TraceDataEncoder.encoderFromContextBean. A Pub or EndTransaction context
// writes its first bean only; one without beans writes nothing.
TraceTransferBean EncodeTraceContext(const TraceContext& ctx);

// TraceDataEncoder.decoderFromTraceDataString: the contexts of a trace body,
// one per record (empty records and unknown types are skipped, as RocketMQ
// does). Unlike Java's String.split, empty trailing fields are kept, so a
// record whose last fields are empty decodes too. InvalidArgument names the
// record and field that do not parse, or a record with too few fields.
absl::StatusOr<std::vector<TraceContext>> DecodeTraceData(std::string_view data);

}  // namespace rmq::internal

#endif  // RMQ_CLIENT_TRACE_TRACE_DATA_H_
