// Copyright 2026 The rmq Authors. Licensed under the Apache License, Version 2.0.

#include "broker/end_transaction_processor.h"

#include "broker/processor_util.h"
#include "broker/transactional_message_service.h"
#include "common/str_cat.h"
#include "remoting/protocol_headers.h"
#include "spdlog/spdlog.h"

namespace rmq::internal {
namespace {

namespace rc = response_code;

}  // namespace

RemotingCommand EndTransactionProcessor::Process(RemotingCommand& request) {
  auto decoded = request.DecodeHeader<EndTransactionRequestHeader>();
  if (!decoded.ok()) return BadHeader(decoded.status());
  const EndTransactionRequestHeader& header = **decoded;
  const char* source = header.from_transaction_check ? "answering the broker's check"
                                                     : "after its local transaction";
  switch (header.commit_or_rollback) {
    case sysflag::kTransactionNotType:
      spdlog::info("broker {}: producer group '{}' left transaction {} unknown ({}); it will "
                   "be checked",
                   ctx_.config->broker_name, header.producer_group, header.msg_id, source);
      return Reply(rc::kSuccess);
    case sysflag::kTransactionCommitType:
    case sysflag::kTransactionRollbackType:
      break;
    default:
      return Reply(rc::kSystemError,
                   StrCat("END_TRANSACTION: commitOrRollback ", header.commit_or_rollback,
                          " is none of 0 (unknown), 8 (commit), 12 (rollback)"));
  }
  const bool commit = header.commit_or_rollback == sysflag::kTransactionCommitType;
  absl::Status s = ctx_.transactions->EndTransaction(header, commit);
  if (!s.ok()) {
    spdlog::warn("broker {}: {} of transaction {} (group '{}', {}) failed: {}",
                 ctx_.config->broker_name, commit ? "commit" : "rollback", header.msg_id,
                 header.producer_group, source, s.ToString());
    return Reply(rc::kSystemError, std::string(s.message()));
  }
  return Reply(rc::kSuccess);
}

}  // namespace rmq::internal
