// Copyright 2026 The rmq Authors. Licensed under the Apache License, Version 2.0.
//
// batch: many messages in one send. A batch is stored atomically, all in one
// queue with consecutive offsets, and costs one round trip. Its messages
// share a topic and may not be delayed; the whole batch must fit in
// maxMessageSize (4 MiB), so a large list is cut with SplitBatch first.
//
// Prints:
//   batch status=SEND_OK messages=3 queue=N queueOffset=N msgIds=ID,ID,ID
//   read_back=0:Hello world 0|1:Hello world 1|2:Hello world 2      (queueOffset:body)
//   list messages=2000 batches=9 stored=2000

#include <cstdio>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "example_support.h"
#include "rmq/consumer.h"
#include "rmq/producer.h"

using rmq_examples::Expect;
using rmq_examples::Ok;

namespace {

// The number of messages a batch's SendResult names (its msgIds are comma-separated).
size_t MessagesIn(const rmq::SendResult& result) {
  return std::vector<std::string>(absl::StrSplit(result.msg_id, ',')).size();
}

}  // namespace

int main() {
  auto cluster = rmq_examples::TemporaryCluster::Start("BatchTopic", 4);
  if (!cluster) return 1;
  rmq::ProducerConfig config;
  config.group_name = "BatchProducers";
  config.namesrv_addr = cluster->namesrv_address();
  rmq::Producer producer(config);
  if (!Ok(producer.Start(), "producer start")) return 1;

  // 1. A small batch: three messages, one send.
  std::vector<rmq::Message> batch = {
      rmq::Message("BatchTopic", "TagA", "ORDER_ID_0", "Hello world 0"),
      rmq::Message("BatchTopic", "TagA", "ORDER_ID_1", "Hello world 1"),
      rmq::Message("BatchTopic", "TagA", "ORDER_ID_2", "Hello world 2"),
  };
  absl::StatusOr<rmq::SendResult> sent = producer.SendBatch(batch);
  if (!Ok(sent, "batch send")) return 1;
  std::printf("batch status=%s messages=%zu queue=%d queueOffset=%lld msgIds=%s\n",
              std::string(rmq::SendStatusName(sent->send_status)).c_str(), MessagesIn(*sent),
              sent->message_queue.queue_id, static_cast<long long>(sent->queue_offset),
              sent->msg_id.c_str());

  // Read the batch back with a consumer of TagA (the list below is TagB).
  rmq_examples::Inbox inbox;
  rmq::PushConsumerConfig reader_config;
  reader_config.group_name = "BatchReaders";
  reader_config.namesrv_addr = cluster->namesrv_address();
  reader_config.consume_from_where = rmq::ConsumeFromWhere::kFirstOffset;
  rmq::PushConsumer reader(reader_config);
  if (!Ok(reader.Subscribe("BatchTopic", "TagA"), "subscribe")) return 1;
  reader.RegisterMessageListener(inbox.Listener());
  if (!Ok(reader.Start(), "reader start")) return 1;
  bool batch_arrived = inbox.WaitFor(batch.size());
  reader.Shutdown();
  // Listeners run concurrently: put what arrived back in queue order.
  std::map<int64_t, std::string> body_at_offset;
  std::set<int> queues_read;
  for (const rmq::MessageExt& msg : inbox.messages()) {
    body_at_offset[msg.queue_offset] = msg.body();
    queues_read.insert(msg.queue_id);
  }
  std::vector<std::string> read_back;
  for (const auto& [offset, body] : body_at_offset) {
    read_back.push_back(absl::StrCat(offset, ":", body));
  }
  std::printf("read_back=%s\n", absl::StrJoin(read_back, "|").c_str());

  // 2. A long list: SplitBatch cuts it into runs of at most 256 KiB encoded
  //    (RocketMQ's ListSplitter; any limit up to maxMessageSize will do),
  //    each sent as one batch.
  std::vector<rmq::Message> list;
  for (int i = 0; i < 2000; ++i) {
    list.emplace_back("BatchTopic", "TagB", "ITEM" + std::to_string(i), std::string(1000, 'x'));
  }
  size_t batches = 0;
  size_t stored = 0;
  for (std::span<const rmq::Message> run : rmq::SplitBatch(list, 256 * 1024)) {
    absl::StatusOr<rmq::SendResult> result = producer.SendBatch(run);
    if (!Ok(result, "list batch send")) return 1;
    ++batches;
    stored += MessagesIn(*result);
  }
  std::printf("list messages=%zu batches=%zu stored=%zu\n", list.size(), batches, stored);
  producer.Shutdown();

  const int64_t first = sent->queue_offset;
  bool passed =
      Expect(sent->send_status == rmq::SendStatus::kSendOk && MessagesIn(*sent) == batch.size(),
             "the batch was stored whole") &&
      Expect(batch_arrived && queues_read == std::set<int>{sent->message_queue.queue_id} &&
                 body_at_offset == std::map<int64_t, std::string>{{first, "Hello world 0"},
                                                                  {first + 1, "Hello world 1"},
                                                                  {first + 2, "Hello world 2"}},
             "the batch sits in one queue, in order, at consecutive offsets") &&
      Expect(batches > 1 && stored == list.size(), "the list went as several batches, all stored");
  return passed ? 0 : 1;
}
