// Copyright 2026 The rmq Authors. Licensed under the Apache License, Version 2.0.
//
// push_consumer: the usual way to consume. A PushConsumer joins a consumer
// group, pulls in the background and calls your listener with the messages.
//   - Subscribe(topic, "TagA || TagB"): the broker filters by tag, so TagC
//     messages never reach this group.
//   - CLUSTERING (the default): the group's members share the topic's queues,
//     so each message goes to one member of the group.
//   - CONSUME_FROM_FIRST_OFFSET: a group with no progress yet starts at the
//     oldest stored message (the default, LAST_OFFSET, skips what is there).
// Returning kConsumeSuccess commits the message; kReconsumeLater (or an
// exception) has it redelivered later through the group's retry topic.
//
// Prints:
//   sent=30 tagA=10 tagB=10 tagC=10
//   received=20 tagA=10 tagB=10 tagC=0

#include <cstdio>
#include <map>
#include <string>
#include <vector>

#include "example_support.h"
#include "rmq/consumer.h"
#include "rmq/producer.h"

using rmq_examples::Expect;
using rmq_examples::Ok;

int main() {
  constexpr int kPerTag = 10;
  const char* const kTags[] = {"TagA", "TagB", "TagC"};
  auto cluster = rmq_examples::TemporaryCluster::Start("PushTopic", 4);
  if (!cluster) return 1;

  // Messages already stored before the consumer starts.
  rmq::ProducerConfig producer_config;
  producer_config.group_name = "PushExampleProducers";
  producer_config.namesrv_addr = cluster->namesrv_address();
  rmq::Producer producer(producer_config);
  if (!Ok(producer.Start(), "producer start")) return 1;
  for (int i = 0; i < 3 * kPerTag; ++i) {
    rmq::Message msg("PushTopic", kTags[i % 3], "KEY" + std::to_string(i),
                     "body " + std::to_string(i));
    if (!Ok(producer.Send(msg), "send")) return 1;
  }
  std::printf("sent=%d tagA=%d tagB=%d tagC=%d\n", 3 * kPerTag, kPerTag, kPerTag, kPerTag);

  rmq::PushConsumerConfig config;
  config.group_name = "PushExampleConsumers";
  config.namesrv_addr = cluster->namesrv_address();
  config.message_model = rmq::MessageModel::kClustering;
  config.consume_from_where = rmq::ConsumeFromWhere::kFirstOffset;
  rmq::PushConsumer consumer(config);
  if (!Ok(consumer.Subscribe("PushTopic", "TagA || TagB"), "subscribe")) return 1;

  // The listener runs on the consumer's threads, several at once; the Inbox
  // keeps what it is given under a mutex (see example_support.h). Your own
  // listener would handle each message and return kConsumeSuccess.
  rmq_examples::Inbox inbox;
  consumer.RegisterMessageListener(inbox.Listener());
  if (!Ok(consumer.Start(), "consumer start")) return 1;

  bool all_arrived = inbox.WaitFor(2 * kPerTag);
  // Shutdown waits for running listeners and commits the group's offsets, so
  // a consumer of this group started later continues from here.
  consumer.Shutdown();
  producer.Shutdown();

  std::map<std::string, int> received_by_tag;
  std::vector<rmq::MessageExt> received = inbox.messages();
  for (const rmq::MessageExt& msg : received) ++received_by_tag[std::string(msg.tags())];
  std::printf("received=%zu tagA=%d tagB=%d tagC=%d\n", received.size(), received_by_tag["TagA"],
              received_by_tag["TagB"], received_by_tag["TagC"]);
  bool passed = Expect(all_arrived, "every TagA and TagB message arrived") &&
                Expect(received_by_tag["TagA"] == kPerTag && received_by_tag["TagB"] == kPerTag,
                       "each TagA and TagB message arrived once") &&
                Expect(received_by_tag["TagC"] == 0, "no TagC message arrived");
  return passed ? 0 : 1;
}
