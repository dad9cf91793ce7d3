// Copyright 2026 The rmq Authors. Licensed under the Apache License, Version 2.0.
//
// Consumer-side flows, as Apache RocketMQ 4.9 behaves: rebalancing as
// members join and leave, broadcasting offsets, where a new group starts
// (ConsumeFromWhere), offsets across consumer and broker restarts, long
// polling, flow control and RECONSUME_LATER. Tests that need several brokers
// or virtual time run on a FakeCluster; the others on both kinds of cluster.

#include <catch2/catch.hpp>

#include <climits>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "test/integration/consumer_helpers.h"

namespace rmq::testing {
namespace {

// ---- Clustering: rebalance ------------------------------------------------------

// The members of one consumer group of `topic`, joining and leaving, each
// with its own inbox.
class Group {
 public:
  Group(ClusterUnderTest& cluster, std::string name, std::string topic)
      : cluster_(cluster), name_(std::move(name)), topic_(std::move(topic)) {}

  // Starts a new member: member i is the i-th to join.
  void Join() {
    members_.push_back(std::make_unique<Member>());
    Member& member = *members_.back();
    member.consumer = StartConsumer(
        StartingAt(cluster_.NewPushConsumerConfig(name_), ConsumeFromWhere::kFirstOffset), topic_,
        "*", member.inbox.Listener());
  }
  // Member `i` shuts down cleanly (committing its offsets) and leaves.
  void Leave(size_t i) { members_.at(i)->consumer.reset(); }

  bool live(size_t i) const { return members_.at(i)->consumer != nullptr; }
  size_t size() const { return members_.size(); }
  Inbox& inbox(size_t i) { return members_.at(i)->inbox; }

 private:
  struct Member {
    Inbox inbox;
    std::unique_ptr<PushConsumer> consumer;  // After the inbox it writes to.
  };
  ClusterUnderTest& cluster_;
  const std::string name_;
  const std::string topic_;
  std::vector<std::unique_ptr<Member>> members_;
};

// Sends one message, labelled `round`, into every queue and waits (without
// moving virtual time) until the group received them all. Returns, per
// queue, the members that received its message.
std::map<MessageQueue, std::vector<size_t>> DeliverRound(ClusterUnderTest& cluster,
                                                         Producer& producer, Group& group,
                                                         const std::vector<MessageQueue>& queues,
                                                         const std::string& round) {
  std::map<std::string, MessageQueue> queue_of;
  const std::vector<std::string> sent = SendToEach(cluster, producer, queues, round);
  for (size_t i = 0; i < sent.size(); ++i) queue_of.emplace(sent[i], queues[i]);
  auto receivers = [&] {
    std::map<MessageQueue, std::vector<size_t>> out;
    for (size_t member = 0; member < group.size(); ++member) {
      for (const std::string& body : group.inbox(member).bodies()) {
        auto it = queue_of.find(body);
        if (it != queue_of.end()) out[it->second].push_back(member);
      }
    }
    return out;
  };
  INFO("round " << round);
  CHECK(WaitWithoutTimers([&] { return receivers().size() == queues.size(); }));
  return receivers();
}

// Checks that each queue's message went to exactly one member, a live one;
// returns how many queues each member received from, largest first.
std::vector<size_t> Shares(const std::map<MessageQueue, std::vector<size_t>>& receivers,
                           const Group& group) {
  std::map<size_t, size_t> queues_of_member;
  for (const auto& [queue, members] : receivers) {
    INFO(queue.ToString());
    CHECK(members.size() == 1);
    for (size_t member : members) {
      CHECK(group.live(member));
      ++queues_of_member[member];
    }
  }
  std::vector<size_t> shares;
  for (const auto& [member, count] : queues_of_member) shares.push_back(count);
  std::sort(shares.rbegin(), shares.rend());
  return shares;
}

TEST_CASE("clustering: as members join and leave, every queue converges to exactly one owner") {
  // Two brokers × 4 queues. After each change, one rebalance tick (20 s)
  // lets every member recompute its share (the broker's notifications ask
  // for that sooner: next test); a round of one message per queue
  // sent after that shows who owns what. Asserted: each message of a round
  // reaches exactly one live member, the shares are AllocateMessageQueue-
  // Averagely's, and no message of any round is lost. Not asserted: that
  // earlier rounds are not delivered again around a hand-off (a new owner
  // starts from the offset last committed, RocketMQ's at-least-once).
  auto cluster = StartCluster(ClusterKind::kFake, /*fake_brokers=*/2);
  CreateTopic(*cluster, "Rebalanced", 4);
  const std::vector<MessageQueue> queues = QueuesOf(*cluster, "Rebalanced", 4);
  REQUIRE(queues.size() == 8);
  auto producer = StartProducer(*cluster, "P");
  Group group(*cluster, "RebalancedGroup", "Rebalanced");
  auto rebalance_tick = [&] { cluster->fake()->Advance(absl::Seconds(20)); };

  group.Join();
  rebalance_tick();
  CHECK(Shares(DeliverRound(*cluster, *producer, group, queues, "one"), group) ==
        std::vector<size_t>{8});

  group.Join();
  rebalance_tick();
  CHECK(Shares(DeliverRound(*cluster, *producer, group, queues, "two"), group) ==
        std::vector<size_t>{4, 4});

  group.Join();
  rebalance_tick();
  CHECK(Shares(DeliverRound(*cluster, *producer, group, queues, "three"), group) ==
        std::vector<size_t>{3, 3, 2});

  group.Leave(1);
  rebalance_tick();
  CHECK(Shares(DeliverRound(*cluster, *producer, group, queues, "leave"), group) ==
        std::vector<size_t>{4, 4});

  // Nothing lost: every message of every round reached some member.
  std::set<std::string> received;
  for (size_t i = 0; i < group.size(); ++i) {
    for (std::string& body : group.inbox(i).bodies()) received.insert(std::move(body));
  }
  for (const char* round : {"one", "two", "three", "leave"}) {
    for (const MessageQueue& queue : queues) {
      const std::string body = std::string(round) + "#0@" + queue.ToString();
      INFO(body);
      CHECK(received.contains(body));
    }
  }
}

TEST_CASE("clustering: NOTIFY_CONSUMER_IDS_CHANGED rebalances the other members without waiting "
          "for a rebalance tick") {
  // The broker tells the group's members when one joins or leaves; each
  // rebalances at once. Virtual time never moves here, so no 20 s tick runs:
  // Advance(0) only runs the rebalances the notifications asked for.
  auto cluster = StartCluster(ClusterKind::kFake, /*fake_brokers=*/2);
  FakeCluster& fake = *cluster->fake();
  CreateTopic(*cluster, "Notified", 2);
  const std::vector<MessageQueue> queues = QueuesOf(*cluster, "Notified", 2);
  auto producer = StartProducer(*cluster, "P");
  Group group(*cluster, "NotifiedGroup", "Notified");
  const absl::Time start = fake.clock().Now();
  auto run_notified_rebalances = [&] { fake.Advance(absl::ZeroDuration()); };

  group.Join();
  CHECK(Shares(DeliverRound(*cluster, *producer, group, queues, "alone"), group) ==
        std::vector<size_t>{4});

  group.Join();
  run_notified_rebalances();
  CHECK(Shares(DeliverRound(*cluster, *producer, group, queues, "joined"), group) ==
        std::vector<size_t>{2, 2});

  group.Leave(0);
  run_notified_rebalances();
  CHECK(Shares(DeliverRound(*cluster, *producer, group, queues, "left"), group) ==
        std::vector<size_t>{4});
  CHECK(fake.clock().Now() == start);
}

// ---- Broadcasting ----------------------------------------------------------------

TEST_CASE("broadcasting: a restarted member continues from the offsets in its local file") {
  const ClusterKind kind = GENERATE(ClusterKind::kFake, ClusterKind::kEmbedded, ClusterKind::kEmbeddedTcp);
  INFO(ClusterKindName(kind));
  auto cluster = StartCluster(kind);
  CreateTopic(*cluster, "Broadcast", 4);
  const std::vector<MessageQueue> queues = QueuesOf(*cluster, "Broadcast", 4);
  auto producer = StartProducer(*cluster, "P");
  // The same config, so the same client id: its offsets file is
  // <local_offset_store_dir>/<clientId>/<group>/offsets.json.
  PushConsumerConfig config =
      OneThread(StartingAt(cluster->NewPushConsumerConfig("Listeners"), ConsumeFromWhere::kFirstOffset));
  config.message_model = MessageModel::kBroadcasting;

  const std::vector<std::string> before = SendToEach(*cluster, *producer, queues, "before", 3);
  {
    Inbox inbox;
    auto consumer = StartConsumer(config, "Broadcast", "*", inbox.Listener());
    REQUIRE(WaitWithoutTimers([&] { return ReceivedAll(inbox, before); }));
    consumer->Shutdown();  // Writes the offsets file.
  }
  const std::vector<std::string> after = SendToEach(*cluster, *producer, queues, "after", 3);
  Inbox inbox;
  auto consumer = StartConsumer(config, "Broadcast", "*", inbox.Listener());
  REQUIRE(WaitUntil(*cluster, [&] { return ReceivedAll(inbox, after); }));
  // One consume thread: a queue's old messages would have come before its new ones.
  CHECK(CountBodies(inbox.bodies()) == CountBodies(after));
}

// ---- ConsumeFromWhere --------------------------------------------------------------

const char* WhereName(ConsumeFromWhere where) {
  switch (where) {
    case ConsumeFromWhere::kLastOffset: return "CONSUME_FROM_LAST_OFFSET";
    case ConsumeFromWhere::kFirstOffset: return "CONSUME_FROM_FIRST_OFFSET";
    case ConsumeFromWhere::kTimestamp: return "CONSUME_FROM_TIMESTAMP";
  }
  return "?";
}

// What a new one-thread member of `group` receives from the one queue of
// `topic`, starting from `where` (and `timestamp`), once a last message
// labelled "new", sent after it started, arrived. Messages are identified by
// their keys.
std::vector<std::string> ReceivedFromStart(ClusterUnderTest& cluster, Producer& producer,
                                           const std::string& topic, const std::string& group,
                                           ConsumeFromWhere where, absl::Time timestamp) {
  PushConsumerConfig config = OneThread(StartingAt(cluster.NewPushConsumerConfig(group), where));
  config.consume_timestamp = ConsumeTimestamp(timestamp);
  Inbox inbox;
  auto consumer = StartConsumer(config, topic, "*", inbox.Listener());
  SendTo(cluster, producer, QueuesOf(cluster, topic, 1).front(), Message(topic, "TagA", "new", "n"));
  auto keys = [&] {
    std::vector<std::string> out;
    for (const MessageExt& m : inbox.messages()) out.emplace_back(m.keys());
    return out;
  };
  CHECK(WaitUntil(cluster, [&] { return Contains(keys(), "new"); }));
  return keys();
}

std::vector<std::string> Labels(const std::string& prefix, int64_t from, int64_t to) {
  std::vector<std::string> labels;
  for (int64_t i = from; i < to; ++i) labels.push_back(prefix + std::to_string(i));
  return labels;
}

std::vector<std::string> Plus(std::vector<std::string> labels, const std::string& last) {
  labels.push_back(last);
  return labels;
}

void SendLabelled(ClusterUnderTest& cluster, Producer& producer, const std::string& topic,
                  const std::vector<std::string>& labels) {
  const MessageQueue queue = QueuesOf(cluster, topic, 1).front();
  for (const std::string& label : labels) {
    SendTo(cluster, producer, queue, Message(topic, "TagA", label, "body of " + label));
  }
}

TEST_CASE("a new group starts at offset 0 whatever ConsumeFromWhere says while the queue's first "
          "message is still stored") {
  // RocketMQ 4.9: the client's computePullFromWhere first asks the broker
  // for the group's offset (QUERY_CONSUMER_OFFSET). For a group without one,
  // the broker answers 0 (not QUERY_NOT_FOUND) while the queue's min offset
  // is 0 and its first message is not swapped out of memory
  // (ConsumerManageProcessor.queryConsumerOffset), and the client starts
  // there: a new group reads the existing messages even with LAST_OFFSET, or
  // with a TIMESTAMP later than all of them.
  const ClusterKind kind = GENERATE(ClusterKind::kFake, ClusterKind::kEmbedded, ClusterKind::kEmbeddedTcp);
  const ConsumeFromWhere where = GENERATE(ConsumeFromWhere::kLastOffset,
                                          ConsumeFromWhere::kFirstOffset,
                                          ConsumeFromWhere::kTimestamp);
  INFO(ClusterKindName(kind) << ", " << WhereName(where));
  auto cluster = StartCluster(kind);
  CreateTopic(*cluster, "Existing", 1);
  auto producer = StartProducer(*cluster, "P");
  SendLabelled(*cluster, *producer, "Existing", Labels("old", 0, 3));

  const absl::Time after_all = ClusterNow(*cluster) + absl::Hours(1);
  CHECK(ReceivedFromStart(*cluster, *producer, "Existing", "NewGroup", where, after_all) ==
        Plus(Labels("old", 0, 3), "new"));
}

TEST_CASE("a group with committed offsets continues from them whatever ConsumeFromWhere says") {
  // Messages sent while the group has no member ("gap") tell the starts
  // apart: LAST_OFFSET would skip them, FIRST_OFFSET and a TIMESTAMP before
  // everything would replay the ones already consumed.
  const ClusterKind kind = GENERATE(ClusterKind::kFake, ClusterKind::kEmbedded, ClusterKind::kEmbeddedTcp);
  const ConsumeFromWhere where = GENERATE(ConsumeFromWhere::kLastOffset,
                                          ConsumeFromWhere::kFirstOffset,
                                          ConsumeFromWhere::kTimestamp);
  INFO(ClusterKindName(kind) << ", " << WhereName(where));
  auto cluster = StartCluster(kind);
  CreateTopic(*cluster, "Committed", 1);
  auto producer = StartProducer(*cluster, "P");
  const absl::Time before_all = ClusterNow(*cluster) - absl::Hours(1);
  SendLabelled(*cluster, *producer, "Committed", Labels("old", 0, 3));
  {
    Inbox inbox;
    auto first = StartConsumer(
        StartingAt(cluster->NewPushConsumerConfig("Committers"), ConsumeFromWhere::kFirstOffset),
        "Committed", "*", inbox.Listener());
    REQUIRE(inbox.WaitFor(3));
    first->Shutdown();  // Commits offset 3.
  }
  SendLabelled(*cluster, *producer, "Committed", Labels("gap", 0, 2));

  CHECK(ReceivedFromStart(*cluster, *producer, "Committed", "Committers", where, before_all) ==
        Plus(Labels("gap", 0, 2), "new"));
}

// A one-queue topic on a FakeCluster whose first messages are gone: ten
// messages "old0".."old9" of 1200 KiB, one a minute, fill more than the first
// 8 MiB commit log segment, which is then deleted. The queue's min offset is
// then above 0, so the broker answers QUERY_NOT_FOUND for a new group.
struct AgedQueue {
  int64_t min_offset = 0;  // The first message still stored.
  int64_t max_offset = 0;  // One past the last.
  absl::Time first_stored;
  // Message i was stored i minutes after the first.
  absl::Time StoredAt(int64_t i) const { return first_stored + absl::Minutes(i); }
};

AgedQueue MakeAgedQueue(ClusterUnderTest& cluster, const std::string& topic) {
  FakeCluster& fake = *cluster.fake();
  CreateTopic(cluster, topic, 1);
  // Uncompressed, so that the bodies fill the commit log.
  auto producer = StartProducer(cluster, "AgedQueueFiller", [](ProducerConfig& config) {
    config.compress_msg_body_over_howmuch = INT32_MAX;
  });
  AgedQueue aged;
  aged.first_stored = fake.clock().Now();
  const MessageQueue queue = QueuesOf(cluster, topic, 1).front();
  const std::string body(1200 * 1024, 'x');
  for (int i = 0; i < 10; ++i) {
    if (i > 0) fake.Advance(absl::Minutes(1));
    SendTo(cluster, *producer, queue, Message(topic, "TagA", "old" + std::to_string(i), body));
  }
  MessageStore& store = *BrokerNamed(cluster, queue.broker_name).store();
  store.DeleteExpiredFiles(/*force=*/true);
  aged.min_offset = store.GetMinOffsetInQueue(topic, 0);
  aged.max_offset = store.GetMaxOffsetInQueue(topic, 0);
  INFO("min offset " << aged.min_offset << ", max offset " << aged.max_offset);
  REQUIRE(aged.min_offset > 0);
  REQUIRE(aged.min_offset + 2 <= aged.max_offset);
  return aged;
}

TEST_CASE("a new group on a queue whose first messages are deleted starts where ConsumeFromWhere "
          "says") {
  // RocketMQ 4.9's computePullFromWhere, once the broker has no offset for
  // the group: LAST_OFFSET → the queue's max offset; FIRST_OFFSET → 0, which
  // the broker answers with PULL_OFFSET_MOVED, and 10 s later the client
  // restarts the queue at the min offset; TIMESTAMP → searchOffset, the
  // message stored at that time.
  auto cluster = StartCluster(ClusterKind::kFake);
  const AgedQueue aged = MakeAgedQueue(*cluster, "Aged");
  const int64_t stamped = aged.min_offset + 1;
  auto producer = StartProducer(*cluster, "P");
  auto received = [&](ConsumeFromWhere where) {
    return ReceivedFromStart(*cluster, *producer, "Aged", WhereName(where) + std::string("_Group"),
                             where, aged.StoredAt(stamped));
  };

  SECTION("CONSUME_FROM_LAST_OFFSET") {
    CHECK(received(ConsumeFromWhere::kLastOffset) == std::vector<std::string>{"new"});
  }
  SECTION("CONSUME_FROM_FIRST_OFFSET") {
    CHECK(received(ConsumeFromWhere::kFirstOffset) ==
          Plus(Labels("old", aged.min_offset, aged.max_offset), "new"));
  }
  SECTION("CONSUME_FROM_TIMESTAMP") {
    CHECK(received(ConsumeFromWhere::kTimestamp) ==
          Plus(Labels("old", stamped, aged.max_offset), "new"));
  }
}

TEST_CASE("CONSUME_FROM_TIMESTAMP between two stored messages starts at the nearer one") {
  // RocketMQ 4.9's ConsumeQueue.getOffsetInQueueByTime: without a message
  // stored exactly then, the offset of the message whose store time is
  // nearest (the last one, for a time after all of them).
  auto cluster = StartCluster(ClusterKind::kFake);
  const AgedQueue aged = MakeAgedQueue(*cluster, "Aged");
  auto producer = StartProducer(*cluster, "P");
  // 20 s after message k, 40 s before message k + 1 (if any): k is nearer.
  const int64_t k = GENERATE_COPY(aged.min_offset + 1, aged.max_offset - 1);
  INFO("20 s after message " << k);
  CHECK(ReceivedFromStart(*cluster, *producer, "Aged", "BetweenGroup", ConsumeFromWhere::kTimestamp,
                          aged.StoredAt(k) + absl::Seconds(20)) ==
        Plus(Labels("old", k, aged.max_offset), "new"));
}

// ---- Offsets across restarts ------------------------------------------------------

void RestartBrokers(ClusterUnderTest& cluster) {
  FakeCluster& fake = *cluster.fake();
  for (int i = 0; i < fake.broker_count(); ++i) {
    absl::Status restarted = fake.RestartBroker(i);
    INFO(restarted.ToString());
    REQUIRE(restarted.ok());
  }
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// Every broker's config/consumerOffset.json has `group`'s offsets of `topic`.
void CheckOffsetsPersisted(ClusterUnderTest& cluster, const std::string& topic,
                           const std::string& group) {
  for (Broker* broker : RunningBrokers(cluster)) {
    const std::string path = broker->config().store.store_path_root_dir + "/config/consumerOffset.json";
    INFO(path);
    CHECK(ReadFile(path).find(topic + "@" + group) != std::string::npos);
  }
}

const char* const kResumeTopic = "Resumed";

// Sends `label` messages, three into each queue of kResumeTopic.
std::vector<std::string> SendRound(ClusterUnderTest& cluster, Producer& producer,
                                   const std::string& label) {
  return SendToEach(cluster, producer, QueuesOf(cluster, kResumeTopic, 4), label, 3);
}

// A push consumer of `group` consumes a round and shuts down cleanly;
// `meanwhile` runs; a new member of the group must then get exactly the
// next round: no loss, and nothing consumed before redelivered.
void CheckPushConsumerResumes(ClusterUnderTest& cluster, const std::string& group,
                              const std::function<void()>& meanwhile) {
  CreateTopic(cluster, kResumeTopic, 4);
  auto producer = StartProducer(cluster, "P");
  auto config = [&] {
    return OneThread(StartingAt(cluster.NewPushConsumerConfig(group), ConsumeFromWhere::kFirstOffset));
  };
  const std::vector<std::string> before = SendRound(cluster, *producer, "before");
  {
    Inbox inbox;
    auto first = StartConsumer(config(), kResumeTopic, "*", inbox.Listener());
    REQUIRE(WaitWithoutTimers([&] { return ReceivedAll(inbox, before); }));
    first->Shutdown();  // Commits its offsets.
  }
  meanwhile();
  const std::vector<std::string> after = SendRound(cluster, *producer, "after");
  Inbox inbox;
  auto second = StartConsumer(config(), kResumeTopic, "*", inbox.Listener());
  REQUIRE(WaitUntil(cluster, [&] { return ReceivedAll(inbox, after); }));
  // One consume thread: a queue's old messages would have come before its new ones.
  CHECK(CountBodies(inbox.bodies()) == CountBodies(after));
}

TEST_CASE("a push consumer restarted after a clean shutdown continues where its group stopped") {
  const ClusterKind kind = GENERATE(ClusterKind::kFake, ClusterKind::kEmbedded, ClusterKind::kEmbeddedTcp);
  INFO(ClusterKindName(kind));
  auto cluster = StartCluster(kind, /*fake_brokers=*/2);
  CheckPushConsumerResumes(*cluster, "PushResumers", [] {});
}

TEST_CASE("push consumer offsets survive a broker restart in consumerOffset.json") {
  auto cluster = StartCluster(ClusterKind::kFake, /*fake_brokers=*/2);
  CheckPushConsumerResumes(*cluster, "PushResumers", [&] {
    RestartBrokers(*cluster);
    CheckOffsetsPersisted(*cluster, kResumeTopic, "PushResumers");
  });
}

TEST_CASE("a push consumer running through a broker restart continues without redelivery") {
  // Its pulls fail while the brokers are down and until its next heartbeat
  // reaches the new ones; it then goes on from the offsets it holds.
  auto cluster = StartCluster(ClusterKind::kFake, /*fake_brokers=*/2);
  CreateTopic(*cluster, kResumeTopic, 4);
  auto producer = StartProducer(*cluster, "P");
  Inbox inbox;
  auto consumer = StartConsumer(
      OneThread(StartingAt(cluster->NewPushConsumerConfig("Survivors"), ConsumeFromWhere::kFirstOffset)),
      kResumeTopic, "*", inbox.Listener());
  const std::vector<std::string> before = SendRound(*cluster, *producer, "before");
  REQUIRE(WaitWithoutTimers([&] { return ReceivedAll(inbox, before); }));

  RestartBrokers(*cluster);
  const std::vector<std::string> after = SendRound(*cluster, *producer, "after");
  REQUIRE(WaitUntil(*cluster, [&] { return ReceivedAll(inbox, after); }));
  std::vector<std::string> every = before;
  every.insert(every.end(), after.begin(), after.end());
  CHECK(CountBodies(inbox.bodies()) == CountBodies(every));
}

// Polls `consumer` until every one of `want` came (or a guard of real time
// passed); returns every body polled. On a FakeCluster virtual time moves on
// meanwhile, for the consumer's delayed pulls.
std::vector<std::string> PollUntilAll(ClusterUnderTest& cluster, PullConsumer& consumer,
                                      const std::vector<std::string>& want) {
  std::vector<std::string> polled;
  auto have_all = [&] {
    return std::all_of(want.begin(), want.end(),
                       [&](const std::string& body) { return Contains(polled, body); });
  };
  WaitUntil(cluster, [&] {
    auto msgs = consumer.Poll(absl::Milliseconds(20));
    INFO(msgs.status().ToString());
    REQUIRE(msgs.ok());
    for (const MessageExt& m : *msgs) polled.push_back(m.body());
    return have_all();
  });
  CHECK(have_all());
  return polled;
}

// As CheckPushConsumerResumes, with lite pull consumers (Subscribe + Poll,
// auto commit: Shutdown commits what Poll returned).
void CheckLitePullConsumerResumes(ClusterUnderTest& cluster, const std::string& group,
                                  const std::function<void()>& meanwhile) {
  CreateTopic(cluster, kResumeTopic, 4);
  auto producer = StartProducer(cluster, "P");
  auto start_consumer = [&] {
    PullConsumerConfig config = cluster.NewPullConsumerConfig(group);
    config.consume_from_where = ConsumeFromWhere::kFirstOffset;
    auto consumer = std::make_unique<PullConsumer>(config);
    REQUIRE(consumer->Subscribe(kResumeTopic, "*").ok());
    absl::Status started = consumer->Start();
    INFO(started.ToString());
    REQUIRE(started.ok());
    return consumer;
  };
  const std::vector<std::string> before = SendRound(cluster, *producer, "before");
  {
    auto first = start_consumer();
    PollUntilAll(cluster, *first, before);
    first->Shutdown();
  }
  meanwhile();
  const std::vector<std::string> after = SendRound(cluster, *producer, "after");
  auto second = start_consumer();
  // Each queue's messages are polled in queue order: old ones would come first.
  CHECK(CountBodies(PollUntilAll(cluster, *second, after)) == CountBodies(after));
}

TEST_CASE("a lite pull consumer restarted after a clean shutdown continues where its group "
          "stopped") {
  const ClusterKind kind = GENERATE(ClusterKind::kFake, ClusterKind::kEmbedded, ClusterKind::kEmbeddedTcp);
  INFO(ClusterKindName(kind));
  auto cluster = StartCluster(kind, /*fake_brokers=*/2);
  CheckLitePullConsumerResumes(*cluster, "LiteResumers", [] {});
}

TEST_CASE("lite pull consumer offsets survive a broker restart in consumerOffset.json") {
  auto cluster = StartCluster(ClusterKind::kFake, /*fake_brokers=*/2);
  CheckLitePullConsumerResumes(*cluster, "LiteResumers", [&] {
    RestartBrokers(*cluster);
    CheckOffsetsPersisted(*cluster, kResumeTopic, "LiteResumers");
  });
}

// ---- Long polling ---------------------------------------------------------------------

TEST_CASE("an idle push consumer's held pull is answered by a message's arrival, before the hold "
          "times out") {
  // Virtual time never moves: the broker's 15 s hold cannot expire and its
  // periodic re-check cannot run, so only the arrival can answer the pull.
  auto cluster = StartCluster(ClusterKind::kFake);
  FakeCluster& fake = *cluster->fake();
  CreateTopic(*cluster, "LongPolled", 1);
  // The producer and the consumer share one client instance (same instance
  // name, as RocketMQ clients in one process do), so the consumer adds no
  // periodic timers of its own.
  ProducerConfig producer_config = fake.NewProducerConfig("P");
  Producer producer(producer_config);
  REQUIRE(producer.Start().ok());
  const size_t timers_before = fake.clock().PendingTimers();
  PushConsumerConfig config = fake.NewPushConsumerConfig("LongPollers");
  config.instance_name = producer_config.instance_name;
  Inbox inbox;
  auto consumer = StartConsumer(config, "LongPolled", "*", inbox.Listener());
  // Pending now besides those timers: a rebalance the broker's
  // NOTIFY_CONSUMER_IDS_CHANGED asked for (due now, but run only when the
  // clock is next driven: never, here), and for each pull the broker holds
  // (the topic's queue, the group's retry queue) its hold timeout and the
  // client's response timeout.
  const size_t notified_rebalance = 1;
  const size_t held_pulls = 2;
  REQUIRE(WaitWithoutTimers([&] {
    return fake.clock().PendingTimers() == timers_before + notified_rebalance + 2 * held_pulls;
  }));
  const absl::Time held_since = fake.clock().Now();

  SendTo(*cluster, producer, QueuesOf(*cluster, "LongPolled", 1).front(), "wake up");
  REQUIRE(inbox.WaitFor(1));
  CHECK(inbox.bodies() == std::vector<std::string>{"wake up"});
  CHECK(fake.clock().Now() == held_since);
}

// ---- Flow control -------------------------------------------------------------------

// A listener that records the queue offsets it is handed, then holds every
// call until Open().
class Gate {
 public:
  MessageListenerConcurrently Listener() {
    return [this](std::span<const MessageExt> msgs, ConsumeConcurrentlyContext&) {
      absl::MutexLock lock(&mu_);
      for (const MessageExt& m : msgs) handed_.push_back(m.queue_offset);
      mu_.Await(absl::Condition(&open_));
      return ConsumeConcurrentlyStatus::kConsumeSuccess;
    };
  }
  void Open() {
    absl::MutexLock lock(&mu_);
    open_ = true;
  }
  size_t handed() {
    absl::MutexLock lock(&mu_);
    return handed_.size();
  }
  std::vector<int64_t> offsets() {
    absl::MutexLock lock(&mu_);
    return handed_;
  }

 private:
  absl::Mutex mu_;
  bool open_ ABSL_GUARDED_BY(mu_) = false;
  std::vector<int64_t> handed_ ABSL_GUARDED_BY(mu_);
};

// A one-queue topic holding kStored messages, and a push consumer of it
// whose listeners (a Gate) hold every batch: it pulls until more than
// kThreshold wait, then flow control stops it.
class Throttled {
 public:
  static constexpr int kStored = 100;
  static constexpr int kThreshold = 8;
  static constexpr int kBatch = 4;

  Throttled(ClusterKind kind, const std::string& topic) : cluster_(StartCluster(kind)) {
    CreateTopic(*cluster_, topic, 1);
    producer_ = StartProducer(*cluster_, "P");
    SendToEach(*cluster_, *producer_, QueuesOf(*cluster_, topic, 1), "m", kStored);
    PushConsumerConfig config =
        StartingAt(cluster_->NewPushConsumerConfig(topic), ConsumeFromWhere::kFirstOffset);
    config.pull_threshold_for_queue = kThreshold;
    config.pull_batch_size = kBatch;
    // Each pull's messages in one listener call, and threads enough to hold
    // every batch a consumer without flow control would pull: what the
    // blocked listeners were handed is what was pulled.
    config.consume_message_batch_max_size = kBatch;
    config.consume_thread_min = config.consume_thread_max = kStored / kBatch;
    consumer_ = StartConsumer(config, topic, "*", gate_.Listener());
    // It pulls until more than the threshold wait (the check comes before each pull).
    REQUIRE(WaitWithoutTimers([&] { return gate_.handed() > static_cast<size_t>(kThreshold); }));
    CHECK(gate_.handed() <= static_cast<size_t>(kThreshold + kBatch));
  }

  ClusterUnderTest& cluster() { return *cluster_; }
  Gate& gate() { return gate_; }
  // Whether every stored message was handed to a listener, once each.
  bool AllHandedOnce() {
    std::vector<int64_t> offsets = gate_.offsets();
    std::sort(offsets.begin(), offsets.end());
    std::vector<int64_t> every(kStored);
    for (int i = 0; i < kStored; ++i) every[static_cast<size_t>(i)] = i;
    return offsets == every;
  }

 private:
  std::unique_ptr<ClusterUnderTest> cluster_;
  std::unique_ptr<Producer> producer_;
  Gate gate_;
  std::unique_ptr<PushConsumer> consumer_;  // After the gate its listeners wait on.
};

TEST_CASE("flow control: a queue with pullThresholdForQueue messages waiting is not pulled until "
          "consumption catches up") {
  const ClusterKind kind = GENERATE(ClusterKind::kFake, ClusterKind::kEmbedded, ClusterKind::kEmbeddedTcp);
  INFO(ClusterKindName(kind));
  Throttled throttled(kind, "Throttled");
  // No more is pulled while they wait, however often it checks again (every 50 ms).
  LetTimePass(throttled.cluster(), absl::Seconds(1));
  CHECK(throttled.gate().handed() <= static_cast<size_t>(Throttled::kThreshold + Throttled::kBatch));

  throttled.gate().Open();
  REQUIRE(WaitUntil(throttled.cluster(), [&] {
    return throttled.gate().handed() >= static_cast<size_t>(Throttled::kStored);
  }));
  CHECK(throttled.AllHandedOnce());
}

TEST_CASE("flow control: a queue paused for its waiting messages is pulled again as soon as its "
          "listeners are halfway through them, before the 50 ms retry") {
  // Virtual time never moves here, so RocketMQ's 50 ms retry never comes:
  // only the listeners' progress can resume the pulls.
  Throttled throttled(ClusterKind::kFake, "Resumed");
  throttled.gate().Open();
  REQUIRE(WaitWithoutTimers([&] {
    return throttled.gate().handed() >= static_cast<size_t>(Throttled::kStored);
  }));
  CHECK(throttled.AllHandedOnce());
}

// ---- RECONSUME_LATER ------------------------------------------------------------------

TEST_CASE("a message a clustering listener answers RECONSUME_LATER comes back with reconsume_times "
          "increased") {
  // RocketMQ sends it back to the broker (CONSUMER_SEND_MSG_BACK), which
  // redelivers it through %RETRY%<group> after delay level 3 (10 s); if the
  // send-back fails, the client consumes it again itself after 5 s. Either
  // way it returns once, with reconsume_times 1 and its original topic.
  const ClusterKind kind = GENERATE(ClusterKind::kFake, ClusterKind::kEmbedded, ClusterKind::kEmbeddedTcp);
  INFO(ClusterKindName(kind));
  auto cluster = StartCluster(kind);
  CreateTopic(*cluster, "Retried", 1);
  auto producer = StartProducer(*cluster, "P");
  absl::Mutex mu;
  std::vector<MessageExt> deliveries;
  auto listener = [&](std::span<const MessageExt> msgs, ConsumeConcurrentlyContext&) {
    absl::MutexLock lock(&mu);
    bool first_time = false;
    for (const MessageExt& m : msgs) {
      first_time |= m.body() == "fails once" && m.reconsume_times == 0;
      deliveries.push_back(m);
    }
    return first_time ? ConsumeConcurrentlyStatus::kReconsumeLater
                      : ConsumeConcurrentlyStatus::kConsumeSuccess;
  };
  auto consumer = StartConsumer(
      StartingAt(cluster->NewPushConsumerConfig("Retriers"), ConsumeFromWhere::kFirstOffset),
      "Retried", "*", listener);
  const MessageQueue queue = QueuesOf(*cluster, "Retried", 1).front();
  SendTo(*cluster, *producer, queue, "fine");
  SendTo(*cluster, *producer, queue, "fails once");

  auto deliveries_of = [&](const std::string& body) {
    absl::MutexLock lock(&mu);
    std::vector<MessageExt> out;
    for (const MessageExt& m : deliveries) {
      if (m.body() == body) out.push_back(m);
    }
    return out;
  };
  REQUIRE(WaitUntil(*cluster, [&] { return deliveries_of("fails once").size() >= 2; }));
  const std::vector<MessageExt> retried = deliveries_of("fails once");
  CHECK(retried[0].reconsume_times == 0);
  CHECK(retried[1].reconsume_times == 1);
  CHECK(retried[1].topic() == "Retried");
  CHECK(deliveries_of("fine").size() == 1);
}

}  // namespace
}  // namespace rmq::testing
