// Copyright 2026 The rmq Authors. Licensed under the Apache License, Version 2.0.

#include "broker/consumer_manage_processor.h"

#include <unistd.h>

#include "broker/processor_util.h"
#include "common/big_endian.h"
#include "common/record_codec.h"
#include "common/str_cat.h"
#include "remoting/protocol_bodies.h"
#include "remoting/protocol_headers.h"

namespace rmq::internal {
namespace {

namespace rc = response_code;

// MessageStoreConfig.accessMessageInMemoryMaxRatio.
constexpr int64_t kAccessMessageInMemoryMaxRatio = 40;

int64_t PhysicalMemoryBytes() {
  static const int64_t bytes = [] {
    long pages = ::sysconf(_SC_PHYS_PAGES);
    long page_size = ::sysconf(_SC_PAGESIZE);
    return pages > 0 && page_size > 0 ? static_cast<int64_t>(pages) * page_size : int64_t{0};
  }();
  return bytes;
}

}  // namespace

bool ConsumerManageProcessor::FirstMessageOnlyOnDisk(std::string_view topic, int32_t queue_id) {
  GetMessageResult first = ctx_.store->Get(topic, queue_id, 0, 1, nullptr);
  if (first.status != GetStatus::kFound || first.message_count() == 0) return false;
  std::string_view record = first.record(0);
  if (record.size() < kPhysicalOffsetPos + 8) return false;
  const int64_t offset = GetBig64(record.data() + kPhysicalOffsetPos);
  const int64_t memory = PhysicalMemoryBytes() * kAccessMessageInMemoryMaxRatio / 100;
  return ctx_.store->Stats().max_phy_offset - offset > memory;
}

RemotingCommand ConsumerManageProcessor::QueryConsumerOffset(RemotingCommand& request) {
  auto header = request.DecodeHeader<QueryConsumerOffsetRequestHeader>();
  if (!header.ok()) return BadHeader(header.status());
  const auto& h = **header;
  int64_t offset = ctx_.offsets->QueryOffset(h.consumer_group, h.topic, h.queue_id);
  if (offset < 0) {
    int64_t min_offset = ctx_.store->GetMinOffsetInQueue(h.topic, h.queue_id);
    if (min_offset <= 0 && !FirstMessageOnlyOnDisk(h.topic, h.queue_id)) {
      offset = 0;
    } else {
      return Reply(rc::kQueryNotFound,
                   "Not found, V3_0_6_SNAPSHOT maybe this group consumer boot first");
    }
  }
  auto response = std::make_unique<OffsetResponseHeader>();
  response->offset = offset;
  return ReplyWith(std::move(response));
}

RemotingCommand ConsumerManageProcessor::UpdateConsumerOffset(const Channel& channel,
                                                              RemotingCommand& request) {
  auto header = request.DecodeHeader<UpdateConsumerOffsetRequestHeader>();
  if (!header.ok()) return BadHeader(header.status());
  const auto& h = **header;
  ctx_.offsets->CommitOffset(channel.remote_address(), h.consumer_group, h.topic, h.queue_id,
                             h.commit_offset);
  return Reply(rc::kSuccess);
}

RemotingCommand ConsumerManageProcessor::GetConsumerListByGroup(RemotingCommand& request) {
  auto header = request.DecodeHeader<GetConsumerListByGroupRequestHeader>();
  if (!header.ok()) return BadHeader(header.status());
  ConsumerIdList list;
  list.consumer_id_list = ctx_.consumers->GetAllClientIds((*header)->consumer_group);
  if (list.consumer_id_list.empty()) {
    return Reply(rc::kSystemError,
                 StrCat("no consumer for this group, ", (*header)->consumer_group));
  }
  RemotingCommand response = Reply(rc::kSuccess);
  response.body = Payload(ToJson(list));
  return response;
}

}  // namespace rmq::internal
