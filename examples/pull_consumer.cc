// Copyright 2026 The rmq Authors. Licensed under the Apache License, Version 2.0.
//
// pull_consumer: the application decides when and what to read. It lists
// the topic's queues, pulls each from the group's committed offset, and
// records its progress with UpdateConsumeOffset, which the consumer commits
// to the broker periodically and at Shutdown; a consumer of the group
// started later resumes from there. (The other style, Subscribe and Poll,
// with the queues balanced among the group's members: see ordered.cc.)
//
// Prints:
//   queue=0 pulled=6 nextOffset=6      (one line per queue)
//   by_queue pulled=24 committed=24    (committed: the sum of the offsets the broker stored)

#include <algorithm>
#include <cstdio>
#include <map>
#include <string>

#include "example_support.h"
#include "rmq/consumer.h"
#include "rmq/producer.h"

using rmq_examples::Expect;
using rmq_examples::Ok;

namespace {

constexpr int kMessages = 24;

// Pulls `queue` from `offset` up to `end`, leaving `offset` at the next to read;
// returns the count read. (A real consumer loops for as long as it runs.)
absl::StatusOr<int> PullUntil(rmq::PullConsumer& consumer, const rmq::MessageQueue& queue,
                              int64_t& offset, int64_t end) {
  int read = 0;
  while (offset < end) {
    // A message becomes pullable just after it is stored: if it is not yet,
    // this waits at the broker for it (Pull would answer NO_NEW_MSG at once).
    auto result = consumer.PullBlockIfNotFound(queue, "*", offset, 8);
    if (!result.ok()) return result.status();
    switch (result->pull_status) {
      case rmq::PullStatus::kFound:
        read += static_cast<int>(result->msgs.size());  // Handle the messages here.
        offset = result->next_begin_offset;
        break;
      case rmq::PullStatus::kNoMatchedMsg:   // Filtered out: skip past them.
      case rmq::PullStatus::kOffsetIllegal:  // Outside [min, max]: go where the broker says.
        offset = result->next_begin_offset;
        break;
      case rmq::PullStatus::kNoNewMsg:  // Nothing arrived within brokerSuspendMaxTimeMillis.
        return absl::DeadlineExceededError("no message arrived at " + queue.ToString());
    }
  }
  return read;
}

}  // namespace

int main() {
  auto cluster = rmq_examples::TemporaryCluster::Start("PullTopic", 4);
  if (!cluster) return 1;

  rmq::ProducerConfig producer_config;
  producer_config.group_name = "PullExampleProducers";
  producer_config.namesrv_addr = cluster->namesrv_address();
  rmq::Producer producer(producer_config);
  if (!Ok(producer.Start(), "producer start")) return 1;
  std::map<rmq::MessageQueue, int64_t> end_offsets;  // One past each queue's last message.
  for (int i = 0; i < kMessages; ++i) {
    rmq::Message msg("PullTopic", i % 2 == 0 ? "TagA" : "TagB", "body " + std::to_string(i));
    auto sent = producer.Send(msg);
    if (!Ok(sent, "send")) return 1;
    end_offsets[sent->message_queue] = sent->queue_offset + 1;
  }
  producer.Shutdown();

  rmq::PullConsumerConfig config;
  config.group_name = "PullByQueue";
  config.namesrv_addr = cluster->namesrv_address();
  rmq::PullConsumer consumer(config);
  if (!Ok(consumer.Start(), "consumer start")) return 1;
  auto queues = consumer.FetchSubscribeMessageQueues("PullTopic");
  if (!Ok(queues, "fetch queues")) return 1;
  int pulled = 0;
  for (const rmq::MessageQueue& queue : *queues) {
    // -1: the group has no progress on this queue yet; start at its beginning.
    auto stored = consumer.FetchConsumeOffset(queue, /*from_store=*/true);
    if (!Ok(stored, "fetch offset")) return 1;
    int64_t offset = std::max<int64_t>(*stored, 0);
    auto read = PullUntil(consumer, queue, offset, end_offsets[queue]);
    if (!Ok(read, "pull")) return 1;
    if (!Ok(consumer.UpdateConsumeOffset(queue, offset), "update offset")) return 1;
    std::printf("queue=%d pulled=%d nextOffset=%lld\n", queue.queue_id, *read,
                static_cast<long long>(offset));
    pulled += *read;
  }
  consumer.Shutdown();  // Commits the offsets recorded above to the broker.
  // A consumer of the group started later (say, after a restart) finds them there.
  rmq::PullConsumer resumed(config);
  if (!Ok(resumed.Start(), "resumed start")) return 1;
  int64_t committed = 0;
  for (const rmq::MessageQueue& queue : *queues) {
    auto stored = resumed.FetchConsumeOffset(queue, /*from_store=*/true);
    if (!Ok(stored, "fetch offset")) return 1;
    committed += *stored;
  }
  resumed.Shutdown();
  std::printf("by_queue pulled=%d committed=%lld\n", pulled, static_cast<long long>(committed));

  bool passed = Expect(pulled == kMessages, "every queue was read to its end") &&
                Expect(committed == kMessages, "the group's offsets were committed");
  return passed ? 0 : 1;
}
