// Copyright 2026 The rmq Authors. Licensed under the Apache License, Version 2.0.

#include "broker/query_message_processor.h"

#include "broker/processor_util.h"
#include "common/properties_codec.h"
#include "common/record_codec.h"
#include "common/str_cat.h"
#include "remoting/protocol_headers.h"

namespace rmq::internal {

namespace rc = response_code;

std::string EncodeStoredRecord(const MessageExt& msg) {
  const std::string props = EncodeProperties(msg.properties());
  std::string record(RecordSize(msg.sys_flag, msg.body().size(), msg.topic().size(), props.size()),
                     '\0');
  EncodeRecord(msg, props, msg.body_crc, record.data());
  return record;
}

RemotingCommand QueryMessageProcessor::ViewMessageById(RemotingCommand& request) {
  auto header = request.DecodeHeader<ViewMessageRequestHeader>();
  if (!header.ok()) return BadHeader(header.status());
  auto msg = ctx_.store->LookMessageByOffset((*header)->offset);
  if (!msg.ok()) {
    return Reply(rc::kSystemError, StrCat("can not find message by the offset, ",
                                          (*header)->offset, ": ", StdView(msg.status().message())));
  }
  RemotingCommand response = Reply(rc::kSuccess);
  response.body = Payload(EncodeStoredRecord(*msg));
  return response;
}

RemotingCommand QueryMessageProcessor::QueryMessage(RemotingCommand& request) {
  auto header = request.DecodeHeader<QueryMessageRequestHeader>();
  if (!header.ok()) return BadHeader(header.status());
  const auto& h = **header;
  std::vector<MessageExt> found =
      ctx_.store->QueryMessage(h.topic, h.key, h.max_num, h.begin_timestamp, h.end_timestamp);
  auto response_header = std::make_unique<QueryMessageResponseHeader>();
  // The index covers what the dispatcher has read; its last timestamp is not
  // exposed by the store, so it is left 0 (clients only log it).
  response_header->index_last_update_phyoffset = ctx_.store->Stats().dispatched_phy_offset;
  if (found.empty()) {
    return RemotingCommand::Response(rc::kQueryNotFound,
                                     "can not find message, maybe time range not correct",
                                     std::move(response_header));
  }
  std::string body;
  for (const MessageExt& msg : found) body += EncodeStoredRecord(msg);
  RemotingCommand response =
      RemotingCommand::Response(rc::kSuccess, {}, std::move(response_header));
  response.body = Payload(std::move(body));
  return response;
}

}  // namespace rmq::internal
