// Copyright 2026 The rmq Authors. Licensed under the Apache License, Version 2.0.
//
// broadcast: every member of a group gets every message (BROADCASTING), for
// work each instance must do itself, such as refreshing a local cache. In
// CLUSTERING, the default, the members share the messages instead. A
// broadcasting member keeps its progress in a local file of its own
// (local_offset_store_dir), not on the broker.
//
// Two members of one group run here in one process; each needs its own
// instance_name, as two processes would have.
//
// Prints:
//   sent=16
//   member=cache-1 received=16
//   member=cache-2 received=16

#include <cstdio>
#include <memory>
#include <string>

#include "example_support.h"
#include "rmq/consumer.h"
#include "rmq/producer.h"

using rmq_examples::Expect;
using rmq_examples::Ok;

namespace {

constexpr int kMessages = 16;

// One member of the "CacheRefreshers" group, collecting into `inbox`.
std::unique_ptr<rmq::PushConsumer> StartMember(const rmq_examples::TemporaryCluster& cluster,
                                               const std::string& name,
                                               rmq_examples::Inbox& inbox) {
  rmq::PushConsumerConfig config;
  config.group_name = "CacheRefreshers";
  config.namesrv_addr = cluster.namesrv_address();
  config.instance_name = name;
  config.message_model = rmq::MessageModel::kBroadcasting;
  config.consume_from_where = rmq::ConsumeFromWhere::kFirstOffset;
  config.local_offset_store_dir = cluster.dir() + "/offsets";  // Default: ~/.rocketmq_offsets
  auto member = std::make_unique<rmq::PushConsumer>(config);
  if (!Ok(member->Subscribe("ConfigChanges", "*"), "subscribe")) return nullptr;
  member->RegisterMessageListener(inbox.Listener());
  if (!Ok(member->Start(), name + " start")) return nullptr;
  return member;
}

}  // namespace

int main() {
  auto cluster = rmq_examples::TemporaryCluster::Start("ConfigChanges", 4);
  if (!cluster) return 1;
  rmq_examples::Inbox first_inbox;
  rmq_examples::Inbox second_inbox;
  auto first = StartMember(*cluster, "cache-1", first_inbox);
  auto second = StartMember(*cluster, "cache-2", second_inbox);
  if (!first || !second) return 1;

  rmq::ProducerConfig producer_config;
  producer_config.group_name = "ConfigPublishers";
  producer_config.namesrv_addr = cluster->namesrv_address();
  rmq::Producer producer(producer_config);
  if (!Ok(producer.Start(), "producer start")) return 1;
  for (int i = 0; i < kMessages; ++i) {
    rmq::Message msg("ConfigChanges", "TagA", "setting-" + std::to_string(i), "new value");
    if (!Ok(producer.Send(msg), "send")) return 1;
  }
  std::printf("sent=%d\n", kMessages);

  bool both_got_all = first_inbox.WaitFor(kMessages) && second_inbox.WaitFor(kMessages);
  first->Shutdown();
  second->Shutdown();
  producer.Shutdown();
  size_t first_count = first_inbox.messages().size();
  size_t second_count = second_inbox.messages().size();
  std::printf("member=cache-1 received=%zu\n", first_count);
  std::printf("member=cache-2 received=%zu\n", second_count);
  bool passed = Expect(both_got_all, "both members received every message") &&
                Expect(first_count == kMessages && second_count == kMessages,
                       "each member received each message once");
  return passed ? 0 : 1;
}
