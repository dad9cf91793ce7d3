// Copyright 2026 The rmq Authors. Licensed under the Apache License, Version 2.0.
//
// producer_oneway: fire and forget. SendOneway() hands the message to the
// transport and returns without waiting for the broker's answer, and never
// retries: the fastest send, for data that may be lost now and then (logs,
// metrics). There is no SendResult, so this example checks delivery the only
// way there is: a consumer receives every message.
//
// Prints:
//   sent=20 oneway_errors=0
//   received=20 distinct_keys=20

#include <cstdio>
#include <set>
#include <string>
#include <vector>

#include "example_support.h"
#include "rmq/consumer.h"
#include "rmq/producer.h"

using rmq_examples::Expect;
using rmq_examples::Ok;

int main() {
  constexpr int kMessages = 20;
  auto cluster = rmq_examples::TemporaryCluster::Start("LogTopic", 4);
  if (!cluster) return 1;

  rmq::ProducerConfig producer_config;
  producer_config.group_name = "LogProducers";
  producer_config.namesrv_addr = cluster->namesrv_address();
  rmq::Producer producer(producer_config);
  if (!Ok(producer.Start(), "producer start")) return 1;

  // An error here means the message did not even leave (no route, producer
  // stopped, message too large); success does not mean it was stored.
  int oneway_errors = 0;
  for (int i = 0; i < kMessages; ++i) {
    rmq::Message msg("LogTopic", "TagA", "LOG" + std::to_string(i),
                     "log line " + std::to_string(i));
    if (!Ok(producer.SendOneway(msg), "oneway send")) ++oneway_errors;
  }
  std::printf("sent=%d oneway_errors=%d\n", kMessages, oneway_errors);

  // Read the topic from its first offset to see what arrived.
  rmq_examples::Inbox inbox;
  rmq::PushConsumerConfig consumer_config;
  consumer_config.group_name = "LogReaders";
  consumer_config.namesrv_addr = cluster->namesrv_address();
  consumer_config.consume_from_where = rmq::ConsumeFromWhere::kFirstOffset;
  rmq::PushConsumer consumer(consumer_config);
  if (!Ok(consumer.Subscribe("LogTopic", "*"), "subscribe")) return 1;
  consumer.RegisterMessageListener(inbox.Listener());
  if (!Ok(consumer.Start(), "consumer start")) return 1;
  bool all_arrived = inbox.WaitFor(kMessages);
  consumer.Shutdown();
  producer.Shutdown();

  std::vector<rmq::MessageExt> received = inbox.messages();
  std::set<std::string> keys;
  for (const rmq::MessageExt& msg : received) keys.insert(std::string(msg.keys()));
  std::printf("received=%zu distinct_keys=%zu\n", received.size(), keys.size());
  bool passed = Expect(oneway_errors == 0, "every oneway send left") &&
                Expect(all_arrived && received.size() == kMessages && keys.size() == kMessages,
                       "every message arrived, once");
  return passed ? 0 : 1;
}
