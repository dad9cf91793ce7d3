// Copyright 2026 The rmq Authors. Licensed under the Apache License, Version 2.0.
//
// producer_sync: the reliable way to send. Send() returns once the broker has
// stored the message (or every retry failed), with where it went: RocketMQ's
// SendResult. Use it for anything that must not be lost (orders, payments).
//
// Prints one line per message and a summary:
//   status=SEND_OK msgId=... offsetMsgId=... queue=... queueOffset=N tags=TagA keys=KEY0
//   sent=10 ok=10

#include <cstdio>
#include <set>
#include <string>

#include "example_support.h"
#include "rmq/producer.h"

using rmq_examples::Expect;
using rmq_examples::Ok;

int main() {
  constexpr int kMessages = 10;
  auto cluster = rmq_examples::TemporaryCluster::Start("SyncTopic", 4);
  if (!cluster) return 1;

  // A producer group names the producers of one application (RocketMQ's
  // producerGroup); the name server address is how it finds the brokers.
  rmq::ProducerConfig config;
  config.group_name = "SyncProducers";
  config.namesrv_addr = cluster->namesrv_address();
  rmq::Producer producer(config);
  if (!Ok(producer.Start(), "producer start")) return 1;

  int ok = 0;
  std::set<std::string> msg_ids;
  std::set<int> queues;
  for (int i = 0; i < kMessages; ++i) {
    // Tags are for consumers to filter on; keys are for looking messages up
    // (and show in RocketMQ's tools), typically a business id.
    rmq::Message msg("SyncTopic", i % 2 == 0 ? "TagA" : "TagB", "KEY" + std::to_string(i),
                     "Hello RocketMQ " + std::to_string(i));
    absl::StatusOr<rmq::SendResult> result = producer.Send(msg);
    if (!Ok(result, "send " + std::to_string(i))) return 1;
    // SEND_OK is the only status that means "stored, flushed and replicated as
    // configured"; the others (e.g. FLUSH_DISK_TIMEOUT) still stored it.
    std::printf("status=%s msgId=%s offsetMsgId=%s queue=%d queueOffset=%lld tags=%s keys=%s\n",
                std::string(rmq::SendStatusName(result->send_status)).c_str(),
                result->msg_id.c_str(), result->offset_msg_id.c_str(),
                result->message_queue.queue_id, static_cast<long long>(result->queue_offset),
                std::string(msg.tags()).c_str(), std::string(msg.keys()).c_str());
    if (result->send_status == rmq::SendStatus::kSendOk) ++ok;
    msg_ids.insert(result->msg_id);
    queues.insert(result->message_queue.queue_id);
  }
  producer.Shutdown();

  std::printf("sent=%d ok=%d\n", kMessages, ok);
  bool passed = Expect(ok == kMessages, "every send answered SEND_OK") &&
                Expect(msg_ids.size() == kMessages, "every message got its own msgId") &&
                Expect(queues.size() == 4, "round-robin used all four queues");
  return passed ? 0 : 1;
}
