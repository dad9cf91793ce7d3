// Copyright 2026 The rmq Authors. Licensed under the Apache License, Version 2.0.

#include "broker/transactional_message_service.h"

#include <algorithm>
#include <memory>
#include <string>
#include <utility>

#include "absl/strings/numbers.h"
#include "broker/processor_util.h"
#include "broker/query_message_processor.h"
#include "common/real_destination.h"
#include "common/str_cat.h"
#include "remoting/request_code.h"
#include "spdlog/spdlog.h"

namespace rmq::internal {
namespace {

// Op records read per store call.
constexpr int32_t kOpBatch = 32;

int64_t PropertyInt(const MessageExt& msg, std::string_view name, int64_t fallback) {
  int64_t value = 0;
  std::string_view text = msg.GetProperty(name);
  return !text.empty() && absl::SimpleAtoi(AbslView(text), &value) ? value : fallback;
}

TopicQueues EnsureSystemTopic(const BrokerContext& ctx, std::string_view topic) {
  return ctx.topics->CreateTopicInSendMessageBackMethod(topic, 1, perm::kRead | perm::kWrite, 0);
}

}  // namespace

void TransactionalMessageService::PrepareHalfMessage(MessageExt& msg) {
  EnsureSystemTopic(ctx_, kTransHalfTopic);
  // RocketMQ 4.9's producer drops a delay level from a transactional message;
  // one sent anyway must not divert the half message to the schedule topic.
  msg.ClearProperty(property::kDelayTimeLevel);
  msg.sys_flag = sysflag::ResetTransactionValue(msg.sys_flag, sysflag::kTransactionNotType);
  ParkMessage(msg, kTransHalfTopic, 0);
}

absl::StatusOr<MessageExt> TransactionalMessageService::FindHalfMessage(
    const EndTransactionRequestHeader& header) {
  auto found = ctx_.store->LookMessageByOffset(header.commit_log_offset);
  if (!found.ok()) {
    return absl::NotFoundError(StrCat("Find prepared transaction message failed: commit log offset ",
                                      header.commit_log_offset, ": ",
                                      StdView(found.status().message())));
  }
  const MessageExt& half = *found;
  if (half.topic() != kTransHalfTopic) {
    return absl::FailedPreconditionError(
        StrCat("the message at commit log offset ", header.commit_log_offset,
               " is not a half message (topic ", half.topic(), ")"));
  }
  if (half.GetProperty(property::kProducerGroup) != header.producer_group) {
    return absl::FailedPreconditionError(
        StrCat("The producer group wrong: the half message at ", header.commit_log_offset,
               " belongs to '", half.GetProperty(property::kProducerGroup), "', not '",
               header.producer_group, "'"));
  }
  if (half.queue_offset != header.tran_state_table_offset) {
    return absl::FailedPreconditionError(
        StrCat("The transaction state table offset wrong: ", header.tran_state_table_offset,
               ", the half message's is ", half.queue_offset));
  }
  return found;
}

absl::Status TransactionalMessageService::EndTransaction(const EndTransactionRequestHeader& header,
                                                         bool commit) {
  auto half = FindHalfMessage(header);
  if (!half.ok()) return half.status();
  if (commit) {
    MessageExt final_msg(*half);
    if (!UnparkMessage(final_msg)) {
      return absl::DataLossError(StrCat("the half message at ", header.commit_log_offset,
                                        " has no valid REAL_TOPIC / REAL_QID"));
    }
    final_msg.ClearProperty(property::kRealTopic);
    final_msg.ClearProperty(property::kRealQueueId);
    final_msg.ClearProperty(property::kTransactionPrepared);
    final_msg.sys_flag =
        sysflag::ResetTransactionValue(half->sys_flag, sysflag::kTransactionCommitType);
    final_msg.prepared_transaction_offset = header.commit_log_offset;
    final_msg.set_wait_store_msg_ok(false);
    auto put = ctx_.store->Put(final_msg);
    if (!put.ok()) {
      return absl::Status(put.status().code(),
                          StrCat("committing the half message at ", header.commit_log_offset,
                                 " to ", final_msg.topic(), ": ", StdView(put.status().message())));
    }
  }
  return WriteOpRecord(*half);
}

absl::Status TransactionalMessageService::WriteOpRecord(const MessageExt& half) {
  EnsureSystemTopic(ctx_, kTransOpHalfTopic);
  MessageExt op(Message(std::string(kTransOpHalfTopic), std::string(kTransRemoveTag),
                        std::to_string(half.queue_offset)));
  op.queue_id = half.queue_id;
  op.born_timestamp = ctx_.clock->NowMillis();
  op.set_wait_store_msg_ok(false);
  auto put = ctx_.store->Put(op);
  if (!put.ok()) {
    return absl::Status(put.status().code(),
                        StrCat("writing the op record of half message ", half.queue_offset, ": ",
                               StdView(put.status().message())));
  }
  return absl::OkStatus();
}

void TransactionalMessageService::Check() {
  absl::MutexLock lock(&check_mu_);
  if (ctx_.store == nullptr) return;
  std::optional<TopicConfig> half_topic = ctx_.topics->Find(kTransHalfTopic);
  if (!half_topic) return;  // No transaction was ever prepared here.
  // Everything stored before the pass is in the consume queues: a message
  // prepared (or a copy appended by the last pass) at the very instant the
  // pass runs is then seen, which makes passes on a VirtualClock exact.
  ctx_.store->WaitForDispatch();
  const int64_t pass_start = ctx_.clock->NowMillis();
  offsets_moved_ = false;
  for (int32_t queue_id = 0; queue_id < half_topic->read_queue_nums; ++queue_id) {
    CheckQueue(queue_id, pass_start);
  }
  // Saved now rather than at the next periodic save: after a crash, a half
  // message the pass already checked (and put back as a copy, which its
  // producer's answer then ends) would otherwise be checked again, and a
  // commit delivered twice. Once per pass, so cheap.
  if (offsets_moved_) {
    if (absl::Status saved = ctx_.offsets->Persist(/*sync=*/false); !saved.ok()) {
      spdlog::warn("broker {}: saving offsets after a transaction check: {}",
                   ctx_.config->broker_name, saved.ToString());
    }
  }
}

void TransactionalMessageService::CheckQueue(int32_t queue_id, int64_t pass_start_ms) {
  MessageStore& store = *ctx_.store;
  const BrokerConfig& config = *ctx_.config;
  const int64_t half_start = ConsumeOffset(kTransHalfTopic, queue_id);
  OpState ops = ReadOpRecords(queue_id, half_start);
  const int64_t reserved_ms = int64_t{config.store.file_reserved_time} * 3600 * 1000;

  int64_t i = half_start;
  const int64_t end = store.GetMaxOffsetInQueue(kTransHalfTopic, queue_id);
  while (i < end) {
    if (auto done = ops.removed.find(i); done != ops.removed.end()) {
      ops.done.push_back(done->second);
      ops.removed.erase(done);
      ++i;
      continue;
    }
    GetMessageResult got = store.Get(kTransHalfTopic, queue_id, i, 1, nullptr);
    if (got.status != GetStatus::kFound || got.message_count() == 0) {
      // Deleted with its commit log file: move past it; anything else: later.
      if (got.status == GetStatus::kOffsetTooSmall && got.next_begin_offset > i) {
        i = got.next_begin_offset;
        continue;
      }
      break;
    }
    auto decoded = DecodeMessage(got.record(0));
    if (!decoded.ok()) {
      spdlog::error("broker {}: half message {} of queue {} is unreadable, skipped: {}",
                    config.broker_name, i, queue_id, decoded.status().ToString());
      ++i;
      continue;
    }
    MessageExt& half = *decoded;
    const int64_t checks = PropertyInt(half, property::kTransactionCheckTimes, 0);
    if (checks >= config.transaction_check_max || pass_start_ms - half.born_timestamp > reserved_ms) {
      if (!Discard(half).ok()) break;  // Kept; the next pass tries again.
      ++i;
      continue;
    }
    if (half.store_timestamp >= pass_start_ms) break;  // A copy this pass appended.
    const int64_t age = pass_start_ms - half.born_timestamp;
    int64_t immunity = config.transaction_timeout;
    if (int64_t seconds = PropertyInt(half, property::kCheckImmunityTimeInSeconds, -1);
        seconds > 0) {
      immunity = seconds * 1000;
    }
    if (age >= 0 && age <= immunity) break;  // Its producer may still end it.
    half.PutProperty(property::kTransactionCheckTimes, std::to_string(checks + 1));
    if (!PutBack(half).ok()) break;
    AskProducer(half);
    ++i;
  }
  if (i != half_start) CommitOffset(kTransHalfTopic, queue_id, i);

  // The op queue's offset moves past the records dealt with, up to the first gap.
  std::sort(ops.done.begin(), ops.done.end());
  int64_t op_offset = ops.start;
  for (int64_t done : ops.done) {
    if (done < op_offset) continue;
    if (done != op_offset) break;
    ++op_offset;
  }
  if (op_offset != ops.start) CommitOffset(kTransOpHalfTopic, queue_id, op_offset);
}

TransactionalMessageService::OpState TransactionalMessageService::ReadOpRecords(
    int32_t queue_id, int64_t half_offset) {
  OpState ops;
  ops.start = ConsumeOffset(kTransOpHalfTopic, queue_id);
  int64_t offset = ops.start;
  for (;;) {
    GetMessageResult got = ctx_.store->Get(kTransOpHalfTopic, queue_id, offset, kOpBatch, nullptr);
    if (got.status != GetStatus::kFound || got.message_count() == 0) break;
    for (size_t k = 0; k < got.message_count(); ++k) {
      const int64_t op_offset = got.queue_offset(k);
      auto op = DecodeMessage(got.record(k));
      int64_t finished = -1;
      if (!op.ok() || op->tags() != kTransRemoveTag ||
          !absl::SimpleAtoi(AbslView(op->body()), &finished)) {
        ops.done.push_back(op_offset);  // Not an op record this broker understands.
        continue;
      }
      if (finished < half_offset) {
        ops.done.push_back(op_offset);
      } else {
        ops.removed[finished] = op_offset;
      }
    }
    offset = got.next_begin_offset;
  }
  return ops;
}

absl::Status TransactionalMessageService::PutBack(MessageExt& half) {
  half.set_wait_store_msg_ok(false);
  auto put = ctx_.store->Put(half);
  if (!put.ok()) {
    spdlog::warn("broker {}: re-appending half message {} for its check failed: {}",
                 ctx_.config->broker_name, half.queue_offset, put.status().ToString());
    return put.status();
  }
  half.queue_offset = put->queue_offset;
  half.commit_log_offset = put->wrote_offset;
  half.store_timestamp = put->store_timestamp;
  return absl::OkStatus();
}

absl::Status TransactionalMessageService::Discard(const MessageExt& half) {
  EnsureSystemTopic(ctx_, kTransCheckMaxTimeTopic);
  MessageExt kept(half);
  kept.set_topic(std::string(kTransCheckMaxTimeTopic));
  kept.queue_id = 0;
  kept.set_wait_store_msg_ok(false);
  auto put = ctx_.store->Put(kept);
  if (!put.ok()) {
    spdlog::error("broker {}: moving half message {} to {} failed: {}", ctx_.config->broker_name,
                  half.queue_offset, kTransCheckMaxTimeTopic, put.status().ToString());
    return put.status();
  }
  spdlog::warn("broker {}: transaction of message {} (group {}) unresolved after {} checks; "
               "moved to {}",
               ctx_.config->broker_name, half.GetProperty(property::kUniqKey),
               half.GetProperty(property::kProducerGroup),
               half.GetProperty(property::kTransactionCheckTimes), kTransCheckMaxTimeTopic);
  return absl::OkStatus();
}

void TransactionalMessageService::AskProducer(const MessageExt& half) {
  const std::string_view group = half.GetProperty(property::kProducerGroup);
  std::vector<std::shared_ptr<Channel>> channels = ctx_.producers->GetChannels(group);
  if (channels.empty()) {
    spdlog::warn("broker {}: no live producer of group '{}' to check transaction {}",
                 ctx_.config->broker_name, group, half.GetProperty(property::kUniqKey));
    return;
  }
  const std::shared_ptr<Channel>& channel = channels[next_channel_++ % channels.size()];

  auto header = std::make_unique<CheckTransactionStateRequestHeader>();
  header->tran_state_table_offset = half.queue_offset;
  header->commit_log_offset = half.commit_log_offset;
  std::string uniq_key(half.GetProperty(property::kUniqKey));
  header->msg_id = uniq_key;
  header->transaction_id = uniq_key;
  header->offset_msg_id = half.OffsetMsgId();
  // The producer sees the message as it sent it: real topic and queue.
  MessageExt shown(half);
  UnparkMessage(shown);  // Else shown as stored.
  RemotingCommand ask =
      RemotingCommand::Request(request_code::kCheckTransactionState, std::move(header));
  ask.body = Payload(EncodeStoredRecord(shown));
  channel->InvokeOneway(std::move(ask));
}

int64_t TransactionalMessageService::ConsumeOffset(std::string_view topic, int32_t queue_id) {
  int64_t offset = ctx_.offsets->QueryOffset(kTransSysGroup, topic, queue_id);
  return offset >= 0 ? offset : ctx_.store->GetMinOffsetInQueue(topic, queue_id);
}

void TransactionalMessageService::CommitOffset(std::string_view topic, int32_t queue_id,
                                               int64_t offset) {
  ctx_.offsets->CommitOffset(ctx_.config->broker_addr, kTransSysGroup, topic, queue_id, offset);
  offsets_moved_ = true;
}

}  // namespace rmq::internal
