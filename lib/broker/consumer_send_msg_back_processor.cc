// Copyright 2026 The rmq Authors. Licensed under the Apache License, Version 2.0.

#include "broker/consumer_send_msg_back_processor.h"

#include <string>
#include <utility>

#include "broker/processor_util.h"
#include "common/str_cat.h"
#include "remoting/protocol_headers.h"

namespace rmq::internal {
namespace {

namespace rc = response_code;

// TopicSysFlag.buildSysFlag(false, true): a unit-mode subscriber's retry topic.
constexpr int32_t kTopicSysFlagUnitSub = 0x2;
// With delayLevel 0 the broker picks the delay: level 3 (10 s) on the first
// retry, one level longer on each retry after it.
constexpr int32_t kFirstRetryDelayLevel = 3;

}  // namespace

RemotingCommand ConsumerSendMsgBackProcessor::Process(RemotingCommand& request) {
  auto decoded = request.DecodeHeader<ConsumerSendMsgBackRequestHeader>();
  if (!decoded.ok()) return BadHeader(decoded.status());
  const ConsumerSendMsgBackRequestHeader& header = **decoded;

  auto group = ctx_.groups->FindOrCreate(header.group);
  if (!group) {
    return Reply(rc::kSubscriptionGroupNotExist,
                 StrCat("subscription group not exist, ", header.group,
                        " (autoCreateSubscriptionGroup is false)"));
  }
  if (!perm::IsWriteable(ctx_.config->broker_permission)) {
    return Reply(rc::kNoPermission, StrCat("the broker[", ctx_.config->broker_name,
                                           "] sending message is forbidden"));
  }
  // A group configured without retry queues drops failed messages (RocketMQ
  // answers SUCCESS so that the consumer does not retry locally either).
  if (group->retry_queue_nums <= 0) return Reply(rc::kSuccess);

  std::string topic = StrCat(kRetryGroupTopicPrefix, header.group);
  int32_t queue_id = RandomQueueId(group->retry_queue_nums);
  TopicQueues queues = ctx_.topics->CreateTopicInSendMessageBackMethod(
      topic, group->retry_queue_nums, perm::kRead | perm::kWrite,
      header.unit_mode ? kTopicSysFlagUnitSub : 0);
  if (!perm::IsWriteable(queues.perm)) {
    return Reply(rc::kNoPermission, StrCat("the topic[", topic, "] sending message is forbidden"));
  }

  auto found = ctx_.store->LookMessageByOffset(header.offset);
  if (!found.ok()) {
    return Reply(rc::kSystemError, StrCat("look message by offset failed, ", header.offset, " (",
                                          StdView(found.status().message()), ")"));
  }
  MessageExt& original = *found;
  // The first send-back records the topic the message was consumed from;
  // later ones (of a message read from %RETRY%) keep it.
  if (!original.HasProperty(property::kRetryTopic)) {
    original.PutProperty(property::kRetryTopic, original.topic());
  }
  // As RocketMQ: the answer does not wait for the copy's flush, even under
  // SYNC_FLUSH (the copy is stored with WAIT=false).
  original.set_wait_store_msg_ok(false);

  int32_t max_reconsume_times = group->retry_max_times;
  if (request.version >= kVersionV3_4_9 && header.max_reconsume_times.has_value()) {
    max_reconsume_times = *header.max_reconsume_times;
  }
  if (original.reconsume_times >= max_reconsume_times || header.delay_level < 0) {
    topic = StrCat(kDlqGroupTopicPrefix, header.group);
    queue_id = RandomQueueId(kDlqNumsPerGroup);
    ctx_.topics->CreateTopicInSendMessageBackMethod(topic, kDlqNumsPerGroup,
                                                    perm::kRead | perm::kWrite, 0);
    // Dead letters are stored at once. (RocketMQ writes DELAY=0; no
    // property means the same to the store and to consumers.)
    original.ClearProperty(property::kDelayTimeLevel);
  } else {
    int32_t delay_level = header.delay_level;
    if (delay_level == 0) delay_level = kFirstRetryDelayLevel + original.reconsume_times;
    // The store parks the message in SCHEDULE_TOPIC_XXXX until the level's delay passes.
    original.set_delay_time_level(delay_level);
  }
  // The offset msgId of the first message sent back, however often its copies come back.
  if (original.GetProperty(property::kOriginMessageId).empty()) {
    original.PutProperty(property::kOriginMessageId, original.OffsetMsgId());
  }

  // A new message, as RocketMQ builds its MessageExtBrokerInner: the stored
  // body, flag and properties (taken over, not copied), sys flag and born
  // fields; what the store assigns (offsets, store host and time) starts afresh.
  MessageExt copy(static_cast<Message&&>(original));
  copy.set_topic(std::move(topic));
  copy.queue_id = queue_id;
  copy.sys_flag = original.sys_flag;
  copy.born_timestamp = original.born_timestamp;
  copy.born_host = original.born_host;
  copy.reconsume_times = original.reconsume_times + 1;

  auto put = ctx_.store->Put(copy);
  if (!put.ok()) {
    return Reply(rc::kSystemError, StrCat("send message back to ", copy.topic(), " failed: ",
                                          StdView(put.status().message())));
  }
  // Only PUT_OK is success, as in RocketMQ (with WAIT=false a flush timeout
  // cannot happen, but a store that reports one has not done what was asked).
  if (put->status != PutStatus::kPutOk) {
    return Reply(rc::kSystemError, std::string(PutStatusName(put->status)));
  }
  return Reply(rc::kSuccess);
}

}  // namespace rmq::internal
