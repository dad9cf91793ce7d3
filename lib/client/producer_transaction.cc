// Copyright 2026 The rmq Authors. Licensed under the Apache License, Version 2.0.
//
// Transactional sends (RocketMQ's TransactionMQProducer and the transaction
// half of DefaultMQProducerImpl): the half message, the local transaction,
// END_TRANSACTION, and the answers to the broker's checks.

#include <exception>
#include <memory>
#include <string>
#include <utility>

#include "client/producer_impl.h"
#include "client/trace/trace_hooks.h"
#include "common/status_macros.h"
#include "common/str_cat.h"
#include "remoting/protocol_headers.h"
#include "remoting/request_code.h"
#include "spdlog/spdlog.h"

namespace rmq {

std::string_view LocalTransactionStateName(LocalTransactionState state) {
  switch (state) {
    case LocalTransactionState::kCommitMessage:
      return "COMMIT_MESSAGE";
    case LocalTransactionState::kRollbackMessage:
      return "ROLLBACK_MESSAGE";
    case LocalTransactionState::kUnknow:
      return "UNKNOW";
  }
  return "UNKNOW";
}

TransactionProducer::TransactionProducer(ProducerConfig config,
                                         std::shared_ptr<TransactionListener> listener)
    : impl_(std::make_unique<internal::ProducerImpl>(std::move(config))) {
  impl_->SetTransactionListener(std::move(listener));
}

TransactionProducer::~TransactionProducer() = default;

absl::Status TransactionProducer::Start() { return impl_->Start(); }

void TransactionProducer::Shutdown() { impl_->Shutdown(); }

absl::StatusOr<TransactionSendResult> TransactionProducer::SendMessageInTransaction(
    const Message& msg, const std::any& arg) {
  return impl_->SendMessageInTransaction(msg, arg);
}

const ProducerConfig& TransactionProducer::config() const { return impl_->config(); }

namespace internal {
namespace {

int32_t CommitOrRollback(LocalTransactionState state) {
  switch (state) {
    case LocalTransactionState::kCommitMessage:
      return sysflag::kTransactionCommitType;
    case LocalTransactionState::kRollbackMessage:
      return sysflag::kTransactionRollbackType;
    case LocalTransactionState::kUnknow:
      break;
  }
  return sysflag::kTransactionNotType;
}

// The END_TRANSACTION for the half message at `commit_log_offset` /
// `tran_state_table_offset`.
RemotingCommand EndTransactionRequest(const std::string& group, int64_t tran_state_table_offset,
                                      int64_t commit_log_offset, LocalTransactionState state,
                                      bool from_check, std::string msg_id,
                                      std::string transaction_id, std::string remark) {
  auto header = std::make_unique<EndTransactionRequestHeader>();
  header->producer_group = group;
  header->tran_state_table_offset = tran_state_table_offset;
  header->commit_log_offset = commit_log_offset;
  header->commit_or_rollback = CommitOrRollback(state);
  header->from_transaction_check = from_check;
  header->msg_id = std::move(msg_id);
  if (!transaction_id.empty()) header->transaction_id = std::move(transaction_id);
  RemotingCommand request =
      RemotingCommand::Request(request_code::kEndTransaction, std::move(header));
  request.remark = std::move(remark);
  return request;
}

// Runs a listener method; an exception counts as kUnknow, its text kept for
// the broker's log (END_TRANSACTION's remark).
template <typename F>
LocalTransactionState RunListener(F&& call, std::string_view what, std::string* remark) {
  try {
    return call();
  } catch (const std::exception& e) {
    *remark = StrCat(what, " exception: ", e.what());
  } catch (...) {
    *remark = StrCat(what, " exception: (not a std::exception)");
  }
  return LocalTransactionState::kUnknow;
}

}  // namespace

void ProducerImpl::SetTransactionListener(std::shared_ptr<TransactionListener> listener) {
  transaction_listener_ = std::move(listener);
}

absl::StatusOr<TransactionSendResult> ProducerImpl::SendMessageInTransaction(
    const Message& msg, const std::any& arg) {
  if (!transaction_listener_) {
    return absl::InvalidArgumentError(
        StrCat("producer group '", config_.group_name,
               "': SendMessageInTransaction needs a TransactionListener"));
  }
  Message half(msg);
  half.ClearProperty(property::kDelayTimeLevel);
  half.PutProperty(property::kTransactionPrepared, "true");
  half.PutProperty(property::kProducerGroup, config_.group_name);
  const int64_t begin_ms = trace_ ? trace_->clock().NowMillis() : 0;
  auto sent = Send(half);
  if (!sent.ok()) return sent.status();
  // enableMsgTrace: the half message's Pub record (msgType Trans_Msg_Half).
  if (trace_) TraceSendResult(*trace_, config_.group_name, {&half, 1}, begin_ms, *sent);

  TransactionSendResult result;
  static_cast<SendResult&>(result) = *std::move(sent);
  result.transaction_id = result.msg_id;
  std::string remark;
  if (result.send_status == SendStatus::kSendOk) {
    // The listener sees the message as stored, its UNIQ_KEY included.
    half.PutProperty(property::kUniqKey, result.msg_id);
    result.local_transaction_state = RunListener(
        [&] { return transaction_listener_->ExecuteLocalTransaction(half, arg); },
        "executeLocalTransactionBranch", &remark);
  } else {
    result.local_transaction_state = LocalTransactionState::kRollbackMessage;
  }
  if (result.local_transaction_state != LocalTransactionState::kCommitMessage) {
    spdlog::info("producer group {}: transaction {} ended {}{}{}", config_.group_name,
                 result.msg_id, LocalTransactionStateName(result.local_transaction_state),
                 remark.empty() ? "" : ": ", remark);
  }

  // END_TRANSACTION is oneway and best effort, as in RocketMQ: if it is lost,
  // the broker's check settles the transaction.
  auto offset = DecodeOffsetMsgId(result.offset_msg_id);
  const std::string addr = instance_->FindBrokerAddressInPublish(result.message_queue.broker_name);
  if (!offset.ok() || addr.empty()) {
    spdlog::warn("producer group {}: cannot end transaction {} ({}); the broker will check it",
                 config_.group_name, result.msg_id,
                 !offset.ok() ? offset.status().ToString() : "broker address unknown");
    return result;
  }
  if (trace_) {
    TraceEndTransaction(*trace_, config_.group_name, half, result.msg_id, addr,
                        LocalTransactionStateName(result.local_transaction_state),
                        /*from_check=*/false);
  }
  absl::Status ended = instance_->transport().InvokeOneway(
      addr, EndTransactionRequest(config_.group_name, result.queue_offset,
                                  offset->commit_log_offset, result.local_transaction_state,
                                  /*from_check=*/false, result.msg_id, result.transaction_id,
                                  std::move(remark)));
  if (!ended.ok()) {
    spdlog::warn("producer group {}: END_TRANSACTION of {} to {} failed ({}); the broker will "
                 "check it",
                 config_.group_name, result.msg_id, addr, ended.ToString());
  }
  return result;
}

void ProducerImpl::CheckTransactionState(const std::shared_ptr<Channel>& channel, MessageExt msg,
                                         const CheckTransactionStateRequestHeader& header) {
  if (!check_executor_) {
    ProducerInner::CheckTransactionState(channel, std::move(msg), header);
    return;
  }
  bool queued = check_executor_->Submit(
      [this, channel, msg = std::move(msg), header]() mutable {
        RunTransactionCheck(channel, msg, header);
      });
  if (!queued) {
    spdlog::info("producer group {}: shutting down, check of transaction {} left to another "
                 "producer of the group",
                 config_.group_name, header.msg_id.value_or(""));
  }
}

void ProducerImpl::RunTransactionCheck(const std::shared_ptr<Channel>& channel,
                                       const MessageExt& msg,
                                       const CheckTransactionStateRequestHeader& header) {
  std::string remark;
  LocalTransactionState state = RunListener(
      [&] { return transaction_listener_->CheckLocalTransaction(msg); },
      "checkLocalTransactionState", &remark);
  std::string uniq_key(msg.GetProperty(property::kUniqKey));
  if (uniq_key.empty()) uniq_key = header.msg_id.value_or("");
  if (trace_) {
    TraceEndTransaction(*trace_, config_.group_name, msg, uniq_key, channel->remote_address(),
                        LocalTransactionStateName(state), /*from_check=*/true);
  }
  channel->InvokeOneway(EndTransactionRequest(
      config_.group_name, header.tran_state_table_offset, header.commit_log_offset, state,
      /*from_check=*/true, std::move(uniq_key), header.transaction_id.value_or(""),
      std::move(remark)));
}

}  // namespace internal
}  // namespace rmq
