// Copyright 2026 The rmq Authors. Licensed under the Apache License, Version 2.0.

#include "client/pull_api.h"

#include "client/subscription.h"
#include "common/big_endian.h"
#include "common/compression.h"
#include "common/properties_codec.h"
#include "common/record_codec.h"
#include "common/status_macros.h"
#include "common/str_cat.h"
#include "remoting/protocol_headers.h"
#include "remoting/request_code.h"

namespace rmq::internal {

RemotingCommand BuildPullRequest(const PullRequestArgs& args) {
  auto header = std::make_unique<PullMessageRequestHeader>();
  header->consumer_group = args.group;
  header->topic = args.queue.topic;
  header->queue_id = args.queue.queue_id;
  header->queue_offset = args.offset;
  header->max_msg_nums = args.max_nums;
  header->sys_flag = args.sys_flag;
  header->commit_offset = args.commit_offset;
  header->suspend_timeout_millis = args.suspend_timeout_millis;
  if (args.subscription != nullptr) {
    // As PullAPIWrapper.pullKernelImpl: the version and expression type go
    // with every pull, so that a broker still holding an older subscription
    // of the group answers SUBSCRIPTION_NOT_LATEST instead of filtering with
    // it; the expression itself only with FLAG_SUBSCRIPTION.
    if ((args.sys_flag & pull_sysflag::kSubscription) != 0) {
      header->subscription = args.subscription->sub_string;
    }
    header->sub_version = args.subscription->sub_version;
    header->expression_type = args.subscription->expression_type;
  }
  return RemotingCommand::Request(request_code::kPullMessage, std::move(header));
}

namespace {

// Counts the records of a pull response body (each starts with its size),
// so the message vector is allocated once.
size_t CountRecords(const Payload& body) {
  size_t count = 0;
  for (std::string_view chunk : body.chunks()) {
    size_t pos = 0;
    while (pos + 4 <= chunk.size()) {
      const int32_t size = GetBig32(chunk.data() + pos);
      if (size <= 0) break;
      pos += static_cast<size_t>(size);
      ++count;
    }
  }
  return count;
}

// Decodes every record of every body chunk; keeps those passing the tag
// check. The messages already in `out` are decoded into again (their
// strings keep their capacity); those left over are removed.
absl::Status DecodeRecords(const Payload& body, const SubscriptionData& subscription,
                           const PullMessageResponseHeader& header, std::vector<MessageExt>* out) {
  // RocketMQ's PullAPIWrapper stamps each message with the queue's offsets
  // (sorted by name, as DecodeRecordView wants them).
  const std::string min_offset = std::to_string(header.min_offset);
  const std::string max_offset = std::to_string(header.max_offset);
  const PropertyView offsets[] = {{property::kMaxOffset, max_offset},
                                  {property::kMinOffset, min_offset}};
  static_assert(property::kMaxOffset < property::kMinOffset);
  const bool check_tags = ChecksTags(subscription);
  const size_t count = CountRecords(body);
  out->reserve(count);
  size_t n = 0;  // Messages decoded into (*out)[0, n).
  for (std::string_view chunk : body.chunks()) {
    size_t pos = 0;
    while (pos < chunk.size()) {
      RecordView view;
      auto kind = ParseRecord(chunk.substr(pos), /*check_crc=*/false, &view);
      if (!kind.ok()) return kind.status();
      if (*kind != RecordKind::kMessage) {
        return absl::DataLossError(StrCat("pull response body: no message record at byte ", pos));
      }
      pos += static_cast<size_t>(view.total_size);
      if (check_tags) {
        std::string_view tags;
        FindProperty(view.properties, property::kTags, &tags);
        if (!MatchesSubscription(subscription, tags)) continue;
      }
      MessageExt& msg = n < out->size() ? (*out)[n] : out->emplace_back();
      ++n;
      RMQ_RETURN_IF_ERROR(DecodeRecordView(view, &msg, offsets));
      if ((msg.sys_flag & sysflag::kCompressed) != 0) {
        auto body_bytes = ZlibUncompress(msg.body());
        if (!body_bytes.ok()) return body_bytes.status();
        msg.set_body(std::move(*body_bytes));
        msg.sys_flag &= ~sysflag::kCompressed;
      }
    }
  }
  out->resize(n);
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<PullResult> ProcessPullResponse(const RemotingCommand& response,
                                               const MessageQueue& queue,
                                               const SubscriptionData& subscription,
                                               std::vector<MessageExt> reuse) {
  PullResult result;
  result.msgs = std::move(reuse);
  switch (response.code) {
    case response_code::kSuccess: result.pull_status = PullStatus::kFound; break;
    case response_code::kPullNotFound: result.pull_status = PullStatus::kNoNewMsg; break;
    case response_code::kPullRetryImmediately: result.pull_status = PullStatus::kNoMatchedMsg; break;
    case response_code::kPullOffsetMoved: result.pull_status = PullStatus::kOffsetIllegal; break;
    default:
      return ResponseToStatus(response, StrCat("pull of ", queue.ToString()));
  }
  const PullMessageResponseHeader* header = nullptr;
  PullMessageResponseHeader decoded;
  if (auto* typed = dynamic_cast<const PullMessageResponseHeader*>(response.header.get())) {
    header = typed;
  } else {
    auto from_fields = PullMessageResponseHeader::Decode(response.ext_fields);
    if (!from_fields.ok()) return from_fields.status();
    decoded = std::move(*from_fields);
    header = &decoded;
  }
  result.next_begin_offset = header->next_begin_offset;
  result.min_offset = header->min_offset;
  result.max_offset = header->max_offset;
  if (result.pull_status == PullStatus::kFound) {
    RMQ_RETURN_IF_ERROR(DecodeRecords(response.body, subscription, *header, &result.msgs));
  } else {
    result.msgs.clear();
  }
  return result;
}

}  // namespace rmq::internal
