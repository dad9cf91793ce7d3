// Copyright 2026 The rmq Authors. Licensed under the Apache License, Version 2.0.
//
// Transactional messages on the broker, as RocketMQ 4.9's
// TransactionalMessageServiceImpl and TransactionalMessageBridge.
//
// A producer first sends the message *prepared* (TRAN_MSG=true). The broker
// stores it as a half message: topic RMQ_SYS_TRANS_HALF_TOPIC, queue 0, the
// real topic and queue kept in REAL_TOPIC / REAL_QID, so no consumer sees it.
// The producer then runs its local transaction and ends it (END_TRANSACTION):
//   commit    the message is written again to its real topic (sysFlag
//             COMMIT, preparedTransactionOffset = the half's commit log
//             offset), then an op record;
//   rollback  only the op record.
// An op record is a message of RMQ_SYS_TRANS_OP_HALF_TOPIC (same queue id),
// tag "d", whose body is the half message's queue offset in decimal.
//
// Every transactionCheckInterval a check pass walks each half queue from the
// consume offset of the system group CID_SYS_RMQ_TRANS. A half message with
// an op record is finished. One without, older than transactionTimeOut (or
// its CHECK_IMMUNITY_TIME_IN_SECONDS), is appended again at the queue's end
// with TRANSACTION_CHECK_TIMES + 1 and one live producer of its group is
// asked (CHECK_TRANSACTION_STATE) — the answer is an END_TRANSACTION for that
// new copy. After transactionCheckMax checks (or once older than the commit
// log's fileReservedTime) it is moved to TRANS_CHECK_MAX_TIME_TOPIC instead,
// where an operator can still find it. The pass stops at the first message
// too young to check, or stored after the pass began (the copies it appended).
//
// Everything lives in topics and consume offsets, so a restarted broker
// resumes where it left off. As in RocketMQ, a commit that races a check can
// be delivered twice (at-least-once), never lost.
//
// One difference: RocketMQ lets a message with CHECK_IMMUNITY_TIME_IN_SECONDS
// still in its immunity be skipped over by re-appending it; here the pass
// stops at it, as at any message too young to check.

#ifndef RMQ_BROKER_TRANSACTIONAL_MESSAGE_SERVICE_H_
#define RMQ_BROKER_TRANSACTIONAL_MESSAGE_SERVICE_H_

#include <atomic>
#include <cstdint>
#include <string_view>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "broker/broker_context.h"
#include "remoting/protocol_headers.h"
#include "rmq/message.h"

namespace rmq::internal {

// The system consumer group whose offsets track the check's progress.
inline constexpr std::string_view kTransSysGroup = "CID_SYS_RMQ_TRANS";
// The tag of an op record that finishes a half message.
inline constexpr std::string_view kTransRemoveTag = "d";

class TransactionalMessageService {
 public:
  explicit TransactionalMessageService(const BrokerContext& context) : ctx_(context) {}

  // Rewrites a prepared message (its topic and queue already those it was
  // sent to) into the half message stored in its place.
  void PrepareHalfMessage(MessageExt& msg);

  // END_TRANSACTION with COMMIT or ROLLBACK: checks that the header names a
  // half message of that producer group at those offsets, writes the
  // committed message (commit only), then the op record. The error says
  // what did not match (RocketMQ answers SYSTEM_ERROR with it).
  absl::Status EndTransaction(const EndTransactionRequestHeader& header, bool commit);

  // One check pass over every half queue (see above). Serialized.
  void Check();

 private:
  struct OpState {
    int64_t start = 0;  // The op queue's consume offset at the start of the pass.
    // Half queue offset → offset of the op record that finished it.
    absl::flat_hash_map<int64_t, int64_t> removed;
    // Op records dealt with (their half message is behind the pass).
    std::vector<int64_t> done;
  };

  absl::StatusOr<MessageExt> FindHalfMessage(const EndTransactionRequestHeader& header);
  absl::Status WriteOpRecord(const MessageExt& half);
  void CheckQueue(int32_t queue_id, int64_t pass_start_ms);
  // The op records of `queue_id` from its consume offset on, sorted against
  // the half queue's offset `half_offset`.
  OpState ReadOpRecords(int32_t queue_id, int64_t half_offset);
  // Appends `half` to its half queue again (the copy that gets checked);
  // updates its offsets and msgId to the copy's.
  absl::Status PutBack(MessageExt& half);
  absl::Status Discard(const MessageExt& half);
  void AskProducer(const MessageExt& half);
  int64_t ConsumeOffset(std::string_view topic, int32_t queue_id);
  void CommitOffset(std::string_view topic, int32_t queue_id, int64_t offset);

  const BrokerContext& ctx_;
  absl::Mutex check_mu_;
  // Whether the pass in progress moved a check offset (guarded by check_mu_).
  bool offsets_moved_ = false;
  std::atomic<uint32_t> next_channel_{0};  // Round-robin among a group's producers.
};

}  // namespace rmq::internal

#endif  // RMQ_BROKER_TRANSACTIONAL_MESSAGE_SERVICE_H_
