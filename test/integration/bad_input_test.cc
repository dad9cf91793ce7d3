// Copyright 2026 The rmq Authors. Licensed under the Apache License, Version 2.0.
//
// Bad input to producers and consumers, over the public API, on a FakeCluster
// and on an EmbeddedCluster: each is refused with an absl::Status whose code
// says what kind of mistake it is and whose message names the thing at fault;
// nothing crashes, nothing is stored, and the client stays usable where
// RocketMQ's does.

#include <catch2/catch.hpp>

#include <algorithm>
#include <climits>
#include <future>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/notification.h"
#include "rmq/consumer.h"
#include "rmq/producer.h"
#include "test/integration/flow_helpers.h"

namespace rmq::testing {
namespace {

// Picks the first queue.
class FirstQueue final : public MessageQueueSelector {
 public:
  size_t Select(std::span<const MessageQueue>, const Message&, std::string_view) const override {
    return 0;
  }
};

// The status a future send resolves to; fails the test if it never does.
absl::Status AwaitStatus(std::future<absl::StatusOr<SendResult>> future) {
  REQUIRE(future.wait_for(std::chrono::seconds(30)) == std::future_status::ready);
  return future.get().status();
}

// `status` has `code` and a message containing each of `needles`.
void CheckError(const absl::Status& status, absl::StatusCode code,
                const std::vector<std::string>& needles) {
  INFO(status.ToString());
  CHECK(status.code() == code);
  for (const std::string& needle : needles) {
    CHECK_THAT(std::string(status.message()), Catch::Contains(needle));
  }
}

// The outcome of sending `msg` in every way a Producer offers, by the name of
// the way. For messages that must be refused before a queue is used: the
// queue and the selector here are placeholders.
std::vector<std::pair<std::string, absl::Status>> SendEveryWay(Producer& producer, const Message& msg) {
  std::vector<std::pair<std::string, absl::Status>> out;
  out.emplace_back("Send", producer.Send(msg).status());
  out.emplace_back("Send to a queue",
                   producer.Send(msg, MessageQueue(msg.topic(), "broker-0", 0)).status());
  out.emplace_back("Send with a selector", producer.Send(msg, FirstQueue(), "arg").status());
  out.emplace_back("SendOneway", producer.SendOneway(msg));
  out.emplace_back("SendBatch", producer.SendBatch(std::vector<Message>{msg}).status());

  out.emplace_back("SendAsync (future)", AwaitStatus(producer.SendAsync(msg)));

  absl::Notification called;
  absl::Status from_callback;
  producer.SendAsync(msg, [&](absl::StatusOr<SendResult> result) {
    from_callback = result.status();
    called.Notify();
  });
  REQUIRE(called.WaitForNotificationWithTimeout(absl::Seconds(30)));
  out.emplace_back("SendAsync (callback)", from_callback);
  return out;
}

// Every way of sending `msg` fails with `code` and a message containing each
// of `needles`; none of it is stored.
void CheckRefusedEveryWay(ClusterUnderTest& cluster, Producer& producer, const Message& msg,
                          absl::StatusCode code, const std::vector<std::string>& needles) {
  const int64_t stored_before = StoredBytes(cluster);
  for (const auto& [way, status] : SendEveryWay(producer, msg)) {
    INFO(way);
    CheckError(status, code, needles);
  }
  CHECK(StoredBytes(cluster) == stored_before);
}

// A message sent now arrives: the client that refused bad input still works.
void CheckStillDelivers(ClusterUnderTest& cluster, Producer& producer, const std::string& topic,
                        const std::string& body) {
  auto result = producer.Send(Message(topic, body));
  INFO(result.status().ToString());
  REQUIRE(result.ok());
  Inbox inbox;
  auto consumer = StartPushConsumer(cluster, topic + "_Checker", topic, inbox.Listener());
  CHECK(WaitUntil(cluster, [&] {
    const std::vector<std::string> bodies = inbox.bodies();
    return std::find(bodies.begin(), bodies.end(), body) != bodies.end();
  }));
  consumer->Shutdown();
}

// ---- Topics ---------------------------------------------------------------------

TEST_CASE("a send to a topic no broker serves fails with NotFound naming it when autoCreateTopicEnable is off") {
  FOR_EACH_CLUSTER_KIND(kind) {
    auto cluster = StartCluster(kind, 1, /*auto_create_topic_enable=*/false);
    auto producer = StartProducer(*cluster, "UnknownTopicProducer");
    const int64_t stored_before = StoredBytes(*cluster);
    const Message msg("NoSuchTopic", "lost");
    for (const auto& [way, status] :
         std::vector<std::pair<std::string, absl::Status>>{
             {"Send", producer->Send(msg).status()},
             {"SendOneway", producer->SendOneway(msg)},
             {"SendBatch", producer->SendBatch(std::vector<Message>{msg}).status()},
             {"SendAsync", AwaitStatus(producer->SendAsync(msg))}}) {
      INFO(way);
      CheckError(status, absl::StatusCode::kNotFound, {"NoSuchTopic"});
    }
    CHECK(StoredBytes(*cluster) == stored_before);

    // Once the topic exists the same producer reaches it.
    CreateTopic(*cluster, "NoSuchTopic");
    CheckStillDelivers(*cluster, *producer, "NoSuchTopic", "found");
  }
}

TEST_CASE("topic names RocketMQ's Validators reject are refused naming the topic, for every way of sending") {
  FOR_EACH_CLUSTER_KIND(kind) {
    auto cluster = StartCluster(kind);
    auto producer = StartProducer(*cluster, "BadTopicProducer");
    const auto invalid = absl::StatusCode::kInvalidArgument;

    CheckRefusedEveryWay(*cluster, *producer, Message("", "x"), invalid, {"topic", "empty"});
    for (std::string name : {"has space", "slash/topic", "dot.topic", "tab\ttopic", "star*"}) {
      INFO("topic '" << name << "'");
      CheckRefusedEveryWay(*cluster, *producer, Message(name, "x"), invalid,
                           {name, "illegal character"});
    }
    const std::string too_long(128, 'T');
    CheckRefusedEveryWay(*cluster, *producer, Message(too_long, "x"), invalid, {"128", "127"});
    // Topics only the broker writes (TopicValidator.NOT_ALLOWED_SEND_TOPIC_SET).
    for (std::string name : {"SCHEDULE_TOPIC_XXXX", "RMQ_SYS_TRANS_HALF_TOPIC",
                             "RMQ_SYS_TRANS_OP_HALF_TOPIC", "TRANS_CHECK_MAX_TIME_TOPIC",
                             "SELF_TEST_TOPIC", "OFFSET_MOVED_EVENT"}) {
      INFO("topic '" << name << "'");
      CheckRefusedEveryWay(*cluster, *producer, Message(name, "x"), invalid, {name, "forbidden"});
    }

    // 127 characters is still a topic.
    const std::string longest(127, 'L');
    CreateTopic(*cluster, longest);
    CheckStillDelivers(*cluster, *producer, longest, "at the limit");
  }
}

// ---- Bodies ---------------------------------------------------------------------

TEST_CASE("an empty body is refused naming the topic, for every way of sending") {
  FOR_EACH_CLUSTER_KIND(kind) {
    auto cluster = StartCluster(kind);
    CreateTopic(*cluster, "EmptyBody");
    auto producer = StartProducer(*cluster, "EmptyBodyProducer");
    CheckRefusedEveryWay(*cluster, *producer, Message("EmptyBody", ""),
                         absl::StatusCode::kInvalidArgument, {"body", "empty", "EmptyBody"});
    CheckStillDelivers(*cluster, *producer, "EmptyBody", "not empty");
  }
}

TEST_CASE("a body over maxMessageSize (4 MiB by default) is refused naming its size and the limit") {
  FOR_EACH_CLUSTER_KIND(kind) {
    auto cluster = StartCluster(kind);
    CreateTopic(*cluster, "HugeBody");
    auto producer = StartProducer(*cluster, "HugeBodyProducer");
    REQUIRE(producer->config().max_message_size == 4 * 1024 * 1024);
    CheckRefusedEveryWay(*cluster, *producer, Message("HugeBody", std::string(4 * 1024 * 1024 + 1, 'h')),
                         absl::StatusCode::kInvalidArgument,
                         {"4194305", "maxMessageSize 4194304", "HugeBody"});
    CheckStillDelivers(*cluster, *producer, "HugeBody", "small");
  }
}

TEST_CASE("a producer's own smaller maxMessageSize is enforced: one byte over is refused, the limit itself arrives") {
  FOR_EACH_CLUSTER_KIND(kind) {
    auto cluster = StartCluster(kind);
    CreateTopic(*cluster, "SmallLimit");
    auto producer = StartProducer(*cluster, "SmallLimitProducer",
                                  [](ProducerConfig& c) { c.max_message_size = 1024; });
    CheckRefusedEveryWay(*cluster, *producer, Message("SmallLimit", std::string(1025, 's')),
                         absl::StatusCode::kInvalidArgument, {"1025", "maxMessageSize 1024"});
    CheckStillDelivers(*cluster, *producer, "SmallLimit", std::string(1024, 's'));
  }
}

// Bytes zlib cannot shrink, so that the broker sees a body as large as sent.
std::string Incompressible(size_t size) {
  std::string out(size, '\0');
  uint64_t x = 0x9E3779B97F4A7C15ull;
  for (char& c : out) {
    x ^= x << 13, x ^= x >> 7, x ^= x << 17;  // xorshift64
    c = static_cast<char>(x);
  }
  return out;
}

TEST_CASE("a body the producer allows but over the broker's maxMessageSize is refused by the broker and not stored") {
  FOR_EACH_CLUSTER_KIND(kind) {
    auto cluster = StartCluster(kind);
    CreateTopic(*cluster, "BrokerLimit");
    auto producer = StartProducer(*cluster, "BrokerLimitProducer",
                                  [](ProducerConfig& c) { c.max_message_size = 8 * 1024 * 1024; });
    const int64_t stored_before = StoredBytes(*cluster);
    auto result = producer->Send(Message("BrokerLimit", Incompressible(5 * 1024 * 1024)));
    // MESSAGE_ILLEGAL: not retried, and the broker says which limit.
    CheckError(result.status(), absl::StatusCode::kInvalidArgument, {"maxMessageSize 4194304"});
    CHECK(StoredBytes(*cluster) == stored_before);
    CheckStillDelivers(*cluster, *producer, "BrokerLimit", "fits");
  }
}

TEST_CASE("a body of exactly maxMessageSize is accepted, stored and consumed") {
  FOR_EACH_CLUSTER_KIND(kind) {
    auto cluster = StartCluster(kind);
    CreateTopic(*cluster, "LargestBody");
    // Sent as it is: zlib would make these bytes larger, over the broker's limit.
    auto producer = StartProducer(*cluster, "LargestBodyProducer", [](ProducerConfig& c) {
      c.compress_msg_body_over_howmuch = INT32_MAX;
    });
    const std::string body = Incompressible(4 * 1024 * 1024);
    auto result = producer->Send(Message("LargestBody", body));
    INFO(result.status().ToString());
    REQUIRE(result.ok());
    auto deliveries = ConsumeAll(*cluster, "LargestBody", 1);
    REQUIRE(deliveries.size() == 1);
    CHECK(deliveries[0].message.body() == body);
  }
}

// ---- Group names ----------------------------------------------------------------

// Group names RocketMQ's Validators.checkGroup rejects, with what the error
// must name.
std::vector<std::pair<std::string, std::vector<std::string>>> InvalidGroups() {
  return {{"", {"empty"}},
          {"bad group", {"bad group"}},
          {"bad/group", {"bad/group"}},
          {"bad.group", {"bad.group"}},
          {std::string(256, 'g'), {"256", "255"}}};
}

TEST_CASE("a producer with an invalid or reserved group name does not start and names the group") {
  FOR_EACH_CLUSTER_KIND(kind) {
    auto cluster = StartCluster(kind);
    CreateTopic(*cluster, "GroupCheck");
    auto groups = InvalidGroups();
    groups.push_back({"DEFAULT_PRODUCER", {"DEFAULT_PRODUCER", "reserved"}});
    for (const auto& [group, needles] : groups) {
      INFO("group '" << group << "'");
      Producer producer(cluster->NewProducerConfig(group));
      CheckError(producer.Start(), absl::StatusCode::kInvalidArgument, needles);
      CheckError(producer.Send(Message("GroupCheck", "x")).status(),
                 absl::StatusCode::kFailedPrecondition, {"not started"});
    }
    // 255 characters is still a group.
    auto producer = StartProducer(*cluster, std::string(255, 'p'));
    CheckStillDelivers(*cluster, *producer, "GroupCheck", "from a long group");
  }
}

TEST_CASE("consumers with an invalid or reserved group name do not start and name the group") {
  FOR_EACH_CLUSTER_KIND(kind) {
    auto cluster = StartCluster(kind);
    CreateTopic(*cluster, "GroupCheck");
    auto groups = InvalidGroups();
    groups.push_back({"DEFAULT_CONSUMER", {"DEFAULT_CONSUMER", "reserved"}});
    Inbox inbox;
    for (const auto& [group, needles] : groups) {
      INFO("group '" << group << "'");
      PushConsumer push(cluster->NewPushConsumerConfig(group));
      REQUIRE(push.Subscribe("GroupCheck", "*").ok());
      push.RegisterMessageListener(inbox.Listener());
      CheckError(push.Start(), absl::StatusCode::kInvalidArgument, needles);

      PullConsumer pull(cluster->NewPullConsumerConfig(group));
      CheckError(pull.Start(), absl::StatusCode::kInvalidArgument, needles);
      CheckError(pull.FetchSubscribeMessageQueues("GroupCheck").status(),
                 absl::StatusCode::kFailedPrecondition, {"not started"});
    }
  }
}

// ---- Lifecycle ------------------------------------------------------------------

TEST_CASE("after Shutdown every way of sending fails with FailedPrecondition and nothing is stored") {
  FOR_EACH_CLUSTER_KIND(kind) {
    auto cluster = StartCluster(kind);
    CreateTopic(*cluster, "AfterShutdown");
    auto producer = StartProducer(*cluster, "ShutdownProducer");
    REQUIRE(producer->Send(Message("AfterShutdown", "before")).ok());
    producer->Shutdown();
    producer->Shutdown();  // Idempotent.
    CheckRefusedEveryWay(*cluster, *producer, Message("AfterShutdown", "after"),
                         absl::StatusCode::kFailedPrecondition, {"ShutdownProducer", "shut down"});
    CheckError(producer->Start(), absl::StatusCode::kFailedPrecondition, {"ShutdownProducer"});
  }
}

TEST_CASE("starting a producer or consumer twice fails with FailedPrecondition and leaves it running") {
  FOR_EACH_CLUSTER_KIND(kind) {
    auto cluster = StartCluster(kind);
    CreateTopic(*cluster, "StartTwice");
    auto producer = StartProducer(*cluster, "TwiceProducer");
    CheckError(producer->Start(), absl::StatusCode::kFailedPrecondition, {"already started"});

    Inbox inbox;
    auto push = StartPushConsumer(*cluster, "TwicePush", "StartTwice", inbox.Listener());
    CheckError(push->Start(), absl::StatusCode::kFailedPrecondition, {"already started"});
    auto pull = StartPullConsumer(*cluster, "TwicePull");
    CheckError(pull->Start(), absl::StatusCode::kFailedPrecondition, {"already started"});

    REQUIRE(producer->Send(Message("StartTwice", "still running")).ok());
    CHECK(WaitUntil(*cluster, [&] { return inbox.size() >= 1; }));
    CHECK(inbox.bodies() == std::vector<std::string>{"still running"});
    auto queues = pull->FetchSubscribeMessageQueues("StartTwice");
    INFO(queues.status().ToString());
    CHECK(queues.ok());
  }
}

TEST_CASE("a push consumer does not start without a listener or a subscription, and starts once given them") {
  FOR_EACH_CLUSTER_KIND(kind) {
    auto cluster = StartCluster(kind);
    CreateTopic(*cluster, "NoListener");
    Inbox inbox;  // Outlives the consumer whose listener fills it.
    PushConsumerConfig config = cluster->NewPushConsumerConfig("NoListenerGroup");
    config.consume_from_where = ConsumeFromWhere::kFirstOffset;
    PushConsumer consumer(config);
    CheckError(consumer.Start(), absl::StatusCode::kFailedPrecondition,
               {"NoListenerGroup", "listener"});
    consumer.RegisterMessageListener(inbox.Listener());
    CheckError(consumer.Start(), absl::StatusCode::kFailedPrecondition,
               {"NoListenerGroup", "subscription"});

    REQUIRE(consumer.Subscribe("NoListener", "*").ok());
    absl::Status started = consumer.Start();
    INFO(started.ToString());
    REQUIRE(started.ok());
    auto producer = StartProducer(*cluster, "NoListenerProducer");
    REQUIRE(producer->Send(Message("NoListener", "heard")).ok());
    CHECK(WaitUntil(*cluster, [&] { return inbox.size() >= 1; }));
    CHECK(inbox.bodies() == std::vector<std::string>{"heard"});
  }
}

TEST_CASE("a subscription with a bad topic or tag expression is refused naming it, and not kept") {
  FOR_EACH_CLUSTER_KIND(kind) {
    auto cluster = StartCluster(kind);
    CreateTopic(*cluster, "SubCheck");
    const auto invalid = absl::StatusCode::kInvalidArgument;
    Inbox inbox;
    PushConsumer push(cluster->NewPushConsumerConfig("SubCheckPush"));
    push.RegisterMessageListener(inbox.Listener());
    PullConsumer pull(cluster->NewPullConsumerConfig("SubCheckPull"));

    CheckError(push.Subscribe("SubCheck", "||"), invalid, {"SubCheck", "||"});
    CheckError(push.Subscribe("SubCheck", " || "), invalid, {"SubCheck", "||"});
    CheckError(push.Subscribe("bad topic", "*"), invalid, {"bad topic"});
    CheckError(pull.Subscribe("SubCheck", "||"), invalid, {"SubCheck", "||"});
    CheckError(pull.Subscribe("bad topic", "*"), invalid, {"bad topic"});
    // None of them was recorded: the push consumer still has no subscription.
    CheckError(push.Start(), absl::StatusCode::kFailedPrecondition, {"subscription"});
  }
}

// `second` has the group of `first` and runs on the same client instance (same
// name server, instance name and clock): its Start is refused with
// AlreadyExists naming the group. Once `first` shuts down, `second` may start
// (RocketMQ leaves a client whose start failed so, CREATE_JUST).
template <typename First, typename Second>
void CheckRefusedUntilFirstLeaves(First& first, Second& second, std::string_view role,
                                  const std::string& group) {
  CheckError(second.Start(), absl::StatusCode::kAlreadyExists,
             {std::string(role), group, "already running"});
  first.Shutdown();
  absl::Status retried = second.Start();
  INFO("the second " << role << " started after the first shut down: " << retried.ToString());
  CHECK(retried.ok());
}

TEST_CASE("two producers of one group on one client instance: the second gets AlreadyExists until the first shuts down") {
  FOR_EACH_CLUSTER_KIND(kind) {
    auto cluster = StartCluster(kind);
    CreateTopic(*cluster, "SameGroup");
    const ProducerConfig config = cluster->NewProducerConfig("SameGroupProducer");
    Producer first(config);
    REQUIRE(first.Start().ok());
    // On another client instance it is another member of the group: allowed.
    auto elsewhere = StartProducer(*cluster, "SameGroupProducer");
    REQUIRE(elsewhere->Send(Message("SameGroup", "elsewhere")).ok());

    Producer second(config);
    CheckRefusedUntilFirstLeaves(first, second, "producer group", config.group_name);
    CheckStillDelivers(*cluster, second, "SameGroup", "second");
  }
}

// A push consumer ready to start: a subscription and a listener.
std::unique_ptr<PushConsumer> ReadyPushConsumer(const PushConsumerConfig& config, Inbox& inbox) {
  auto consumer = std::make_unique<PushConsumer>(config);
  REQUIRE(consumer->Subscribe("SameGroup", "*").ok());
  consumer->RegisterMessageListener(inbox.Listener());
  return consumer;
}

TEST_CASE("two consumers of one group on one client instance: the second gets AlreadyExists until the first shuts down") {
  FOR_EACH_CLUSTER_KIND(kind) {
    auto cluster = StartCluster(kind);
    CreateTopic(*cluster, "SameGroup");
    const std::string group = "SameGroupConsumer";
    // One client instance for all: a push consumer's config, its client part
    // copied into the pull consumer's.
    const PushConsumerConfig push_config = cluster->NewPushConsumerConfig(group);
    PullConsumerConfig pull_config;
    static_cast<ClientConfig&>(pull_config) = push_config;
    pull_config.group_name = group;
    Inbox inbox;

    // A client instance holds one consumer per group, whatever its kind.
    SECTION("push, then push") {
      auto first = ReadyPushConsumer(push_config, inbox);
      REQUIRE(first->Start().ok());
      auto second = ReadyPushConsumer(push_config, inbox);
      CheckRefusedUntilFirstLeaves(*first, *second, "consumer group", group);
    }
    SECTION("pull, then pull") {
      PullConsumer first(pull_config);
      REQUIRE(first.Start().ok());
      PullConsumer second(pull_config);
      CheckRefusedUntilFirstLeaves(first, second, "consumer group", group);
    }
    SECTION("push, then pull") {
      auto first = ReadyPushConsumer(push_config, inbox);
      REQUIRE(first->Start().ok());
      PullConsumer second(pull_config);
      CheckRefusedUntilFirstLeaves(*first, second, "consumer group", group);
    }
  }
}

}  // namespace
}  // namespace rmq::testing
