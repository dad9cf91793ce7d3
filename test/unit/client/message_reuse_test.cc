// Copyright 2026 The rmq Authors. Licensed under the Apache License, Version 2.0.
//
// Pulled messages decoded into the messages of an earlier, consumed pull
// (MessageBatchPool, ProcessPullResponse's `reuse`) must come out exactly as
// if decoded into new ones.

#include <catch2/catch.hpp>
#include <memory>
#include <string>
#include <vector>

#include "client/message_batch_pool.h"
#include "client/pull_api.h"
#include "client/subscription.h"
#include "common/crc32.h"
#include "common/properties_codec.h"
#include "common/record_codec.h"
#include "remoting/protocol_headers.h"
#include "remoting/request_code.h"
#include "support/record_encoding.h"

using rmq::HostAddress;
using rmq::MessageExt;
using rmq::MessageQueue;
using rmq::PullStatus;
using namespace rmq::internal;

namespace {

MessageExt Stored(int64_t offset, std::string body, std::string tags, bool extra_property) {
  MessageExt m("TopicTest", std::move(tags), std::move(body));
  m.PutProperty("UNIQ_KEY", std::string(32, static_cast<char>('A' + offset % 26)));
  m.PutProperty("CLUSTER", "DefaultCluster");
  if (extra_property) m.PutProperty("KEYS", "key-" + std::to_string(offset));
  m.set_flag(static_cast<int32_t>(offset));
  m.queue_id = 1;
  m.queue_offset = offset;
  m.commit_log_offset = 1000 * offset;
  m.born_timestamp = 1767225600000 + offset;
  m.store_timestamp = 1767225601000 + offset;
  m.born_host = HostAddress::Ipv4(10, 0, 0, 7, 51000);
  m.store_host = HostAddress::Ipv4(127, 0, 0, 1, 10911);
  m.reconsume_times = static_cast<int32_t>(offset % 3);
  m.body_crc = Crc32(m.body());
  return m;
}

std::string Encode(MessageExt* m) { return rmq::testing::EncodeStoredRecord(m); }

// A PULL_MESSAGE response carrying `msgs`, and what a consumer must see.
RemotingCommand Response(std::vector<MessageExt>* msgs, int64_t max_offset) {
  std::string body;
  for (MessageExt& m : *msgs) body += Encode(&m);
  auto header = std::make_unique<PullMessageResponseHeader>();
  header->next_begin_offset = msgs->empty() ? 0 : msgs->back().queue_offset + 1;
  header->min_offset = 0;
  header->max_offset = max_offset;
  for (MessageExt& m : *msgs) {
    m.PutProperty("MIN_OFFSET", "0");
    m.PutProperty("MAX_OFFSET", std::to_string(max_offset));
  }
  RemotingCommand response = RemotingCommand::Response(response_code::kSuccess, {}, std::move(header));
  response.body = Payload(std::move(body));
  return response;
}

}  // namespace

TEST_CASE("a pull decoded into an earlier pull's messages equals one decoded fresh",
          "[client][pull]") {
  const MessageQueue queue{"TopicTest", "broker-a", 1};
  auto sub = BuildSubscriptionData("TopicTest", "TagA || TagB", /*sub_version=*/1);
  REQUIRE(sub.ok());

  // The first pull: five messages, long bodies, an extra property each.
  std::vector<MessageExt> first;
  for (int64_t i = 0; i < 5; ++i) first.push_back(Stored(i, std::string(300, 'x'), "TagA", true));
  auto first_result = ProcessPullResponse(Response(&first, 5), queue, *sub);
  REQUIRE(first_result.ok());
  REQUIRE(first_result->msgs == first);

  // The second, decoded into the first's messages: fewer messages, shorter
  // bodies, fewer properties, one filtered out by tag on the client.
  std::vector<MessageExt> second;
  second.push_back(Stored(5, "short", "TagB", false));
  second.push_back(Stored(6, "filtered", "TagC", false));
  second.push_back(Stored(7, std::string(20, 'y'), "TagA", true));
  RemotingCommand response = Response(&second, 8);
  second.erase(second.begin() + 1);  // TagC is not subscribed
  auto reused = ProcessPullResponse(response, queue, *sub, std::move(first_result->msgs));
  REQUIRE(reused.ok());
  auto fresh = ProcessPullResponse(response, queue, *sub);
  REQUIRE(fresh.ok());
  CHECK(reused->msgs == second);
  CHECK(fresh->msgs == second);
  CHECK(reused->next_begin_offset == 8);

  // A response without messages empties what it was given.
  RemotingCommand none = RemotingCommand::Response(response_code::kPullNotFound, {},
                                                   std::make_unique<PullMessageResponseHeader>());
  auto empty = ProcessPullResponse(none, queue, *sub, std::move(reused->msgs));
  REQUIRE(empty.ok());
  CHECK(empty->pull_status == PullStatus::kNoNewMsg);
  CHECK(empty->msgs.empty());
}

TEST_CASE("MessageBatchPool hands consumed batches back for the next pull", "[client][pull]") {
  auto pool = MessageBatchPool::Create(/*max_messages=*/4, /*max_bytes=*/4096);
  CHECK(pool->Take().empty());

  std::vector<MessageExt> msgs(3);
  msgs[0].set_body(std::string(100, 'b'));
  const MessageExt* storage = msgs.data();
  auto shared = pool->Share(std::move(msgs));
  auto other_owner = shared;
  shared.reset();
  CHECK(pool->kept() == 0);  // Still owned.
  other_owner.reset();
  REQUIRE(pool->kept() == 1);
  std::vector<MessageExt> taken = pool->Take();
  CHECK(taken.data() == storage);
  CHECK(taken.size() == 3);
  CHECK(pool->kept() == 0);

  // Too many bytes are not kept; nor more messages than max_messages.
  std::vector<MessageExt> large(1);
  large[0].set_body(std::string(5000, 'L'));
  pool->Recycle(std::move(large));
  CHECK(pool->kept() == 0);
  pool->Recycle(std::move(taken));            // 3 messages
  pool->Recycle(std::vector<MessageExt>(1));  // 4
  pool->Recycle(std::vector<MessageExt>(1));  // 5: over
  CHECK(pool->kept() == 2);
  CHECK(pool->Take().size() == 1);
  pool->Recycle(std::vector<MessageExt>(1));  // room again
  CHECK(pool->kept() == 2);

  // A batch outliving its pool is simply freed.
  auto orphan = pool->Share(std::vector<MessageExt>(2));
  pool.reset();
  orphan.reset();
}

// What four queues' flow control lets be in flight comes back to a push
// consumer's pool: with the default pullThresholdForQueue (1,000), four
// batches of 1,000 messages are kept, a fifth is not.
TEST_CASE("a push consumer's pool keeps what four queues' flow control lets in flight",
          "[client][pull]") {
  auto pool = MessageBatchPool::ForFlowControl(/*pull_threshold_for_queue=*/1000);
  for (int i = 0; i < 5; ++i) pool->Recycle(std::vector<MessageExt>(1000));
  CHECK(pool->kept() == 4);

  // A tiny threshold still keeps a pull's worth (32) per queue.
  auto small = MessageBatchPool::ForFlowControl(1);
  for (int i = 0; i < 5; ++i) small->Recycle(std::vector<MessageExt>(32));
  CHECK(small->kept() == 4);

  // At most 8 MiB of strings, whatever the threshold.
  auto bytes = MessageBatchPool::ForFlowControl(1000);
  std::vector<MessageExt> big(2);
  for (MessageExt& m : big) m.set_body(std::string(5 << 20, 'x'));
  bytes->Recycle(std::move(big));
  CHECK(bytes->kept() == 0);
}
