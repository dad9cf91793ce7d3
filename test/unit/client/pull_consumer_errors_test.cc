// Copyright 2026 The rmq Authors. Licensed under the Apache License, Version 2.0.
//
// PullConsumer's lifecycle and input errors: what Start refuses, what calls
// before Start and after Shutdown answer, and each bad argument, with a
// message that names what is wrong.

#include <string>

#include <catch2/catch.hpp>

#include "unit/client/pull_consumer_test_helpers.h"

namespace rmq::pull_test {
namespace {

bool Mentions(const absl::Status& status, const std::string& text) {
  return std::string(status.message()).find(text) != std::string::npos;
}

TEST_CASE("Start refuses a bad group name, a missing name server and bad settings") {
  auto cluster = NewCluster(1, "", 0);
  struct Case {
    std::string what;
    std::function<void(PullConsumerConfig&)> change;
    std::string mention;
  };
  const std::vector<Case> cases = {
      {"empty group", [](PullConsumerConfig& c) { c.group_name = ""; }, "group_name"},
      {"bad character", [](PullConsumerConfig& c) { c.group_name = "bad group"; }, "bad group"},
      {"reserved group", [](PullConsumerConfig& c) { c.group_name = "DEFAULT_CONSUMER"; },
       "DEFAULT_CONSUMER"},
      {"no name server", [](PullConsumerConfig& c) { c.namesrv_addr = ""; }, "namesrv_addr"},
      {"pull_batch_size", [](PullConsumerConfig& c) { c.pull_batch_size = 0; }, "pull_batch_size"},
      {"pull_threshold_for_queue", [](PullConsumerConfig& c) { c.pull_threshold_for_queue = 0; },
       "pull_threshold_for_queue"},
      {"suspend timeouts",
       [](PullConsumerConfig& c) {
         c.broker_suspend_max_time_millis = 30000;
         c.consumer_timeout_millis_when_suspend = 30000;
       },
       "consumer_timeout_millis_when_suspend"},
      {"consume_timestamp",
       [](PullConsumerConfig& c) {
         c.consume_from_where = ConsumeFromWhere::kTimestamp;
         c.consume_timestamp = "yesterday";
       },
       "yesterday"},
  };
  for (const Case& c : cases) {
    INFO(c.what);
    auto config = cluster->NewPullConsumerConfig("StartErrors");
    c.change(config);
    PullConsumer consumer(config);
    absl::Status started = consumer.Start();
    INFO(started.ToString());
    CHECK(absl::IsInvalidArgument(started));
    CHECK(Mentions(started, c.mention));
  }
}

TEST_CASE("a second consumer of a group on the same client instance is AlreadyExists") {
  auto cluster = NewCluster(1, "ErrTopic", 1);
  auto config = cluster->NewPullConsumerConfig("Twice");
  auto first = StartConsumer(config);
  PullConsumer second(config);  // Same instance name: same client instance.
  absl::Status started = second.Start();
  CHECK(absl::IsAlreadyExists(started));
  CHECK(Mentions(started, "Twice"));
  // The first one is unharmed; another instance name is another member.
  CHECK(first->FetchSubscribeMessageQueues("ErrTopic").ok());
  auto other = StartConsumer(cluster->NewPullConsumerConfig("Twice"));
}

TEST_CASE("calls before Start and after Shutdown are FailedPrecondition; Shutdown is idempotent") {
  auto cluster = NewCluster(1, "ErrTopic", 1);
  const MessageQueue queue("ErrTopic", cluster->broker_name(0), 0);
  PullConsumer consumer(cluster->NewPullConsumerConfig("Lifecycle"));
  CHECK(absl::IsFailedPrecondition(consumer.Pull(queue, "*", 0, 1).status()));
  CHECK(absl::IsFailedPrecondition(consumer.Poll(absl::ZeroDuration()).status()));
  CHECK(absl::IsFailedPrecondition(consumer.FetchConsumeOffset(queue, true).status()));
  CHECK(Mentions(consumer.Pull(queue, "*", 0, 1).status(), "Start"));
  CHECK(consumer.Subscribe("ErrTopic", "*").ok());  // Allowed before Start.

  REQUIRE(consumer.Start().ok());
  CHECK(absl::IsFailedPrecondition(consumer.Start()));
  consumer.Shutdown();
  consumer.Shutdown();

  CHECK(absl::IsFailedPrecondition(consumer.Start()));
  CHECK(absl::IsFailedPrecondition(consumer.FetchSubscribeMessageQueues("ErrTopic").status()));
  CHECK(absl::IsFailedPrecondition(consumer.Pull(queue, "*", 0, 1).status()));
  CHECK(absl::IsFailedPrecondition(consumer.PullBlockIfNotFound(queue, "*", 0, 1).status()));
  CHECK(absl::IsFailedPrecondition(consumer.FetchConsumeOffset(queue, false).status()));
  CHECK(absl::IsFailedPrecondition(consumer.UpdateConsumeOffset(queue, 1)));
  CHECK(absl::IsFailedPrecondition(consumer.Subscribe("ErrTopic", "*")));
  CHECK(absl::IsFailedPrecondition(consumer.Poll(absl::ZeroDuration()).status()));
  CHECK(absl::IsFailedPrecondition(consumer.Seek(queue, 0)));
  CHECK(absl::IsFailedPrecondition(consumer.CommitSync()));
  CHECK(absl::IsFailedPrecondition(consumer.Assignment().status()));
  CHECK(Mentions(consumer.CommitSync(), "shut down"));
}

TEST_CASE("Pull names the bad argument: offset, max_nums, expression, broker") {
  auto cluster = NewCluster(1, "ErrTopic", 1);
  auto consumer = StartConsumer(cluster->NewPullConsumerConfig("PullErrors"));
  const MessageQueue queue("ErrTopic", cluster->broker_name(0), 0);

  absl::Status negative = consumer->Pull(queue, "*", -1, 1).status();
  CHECK(absl::IsInvalidArgument(negative));
  CHECK(Mentions(negative, "offset is -1"));
  for (int32_t bad : {0, 1025}) {
    absl::Status status = consumer->Pull(queue, "*", 0, bad).status();
    CHECK(absl::IsInvalidArgument(status));
    CHECK(Mentions(status, "max_nums is " + std::to_string(bad)));
  }
  CHECK(consumer->Pull(queue, "*", 0, 1024).ok());
  absl::Status expression = consumer->Pull(queue, "||", 0, 1).status();
  CHECK(absl::IsInvalidArgument(expression));
  CHECK(Mentions(expression, "||"));
  absl::Status topic = consumer->Pull(MessageQueue("bad topic!", "broker-0", 0), "*", 0, 1).status();
  CHECK(absl::IsInvalidArgument(topic));
  absl::Status broker = consumer->Pull(MessageQueue("ErrTopic", "no-such-broker", 0), "*", 0, 1).status();
  CHECK(absl::IsNotFound(broker));
  CHECK(Mentions(broker, "no-such-broker"));
  CHECK(absl::IsInvalidArgument(
      consumer->PullBlockIfNotFound(queue, "*", 0, 0).status()));

  CHECK(absl::IsInvalidArgument(consumer->UpdateConsumeOffset(queue, -5)));
  CHECK(absl::IsInvalidArgument(consumer->FetchSubscribeMessageQueues("").status()));
}

TEST_CASE("lite mode input errors: bad subscription, Poll without one, Seek elsewhere") {
  auto cluster = NewCluster(1, "ErrTopic", 2);
  auto consumer = StartConsumer(cluster->NewPullConsumerConfig("LiteErrors"));
  CHECK(absl::IsInvalidArgument(consumer->Subscribe("bad topic!", "*")));
  absl::Status expression = consumer->Subscribe("ErrTopic", " || ");
  CHECK(absl::IsInvalidArgument(expression));

  absl::Status no_sub = consumer->Poll(absl::Milliseconds(1)).status();
  CHECK(absl::IsFailedPrecondition(no_sub));
  CHECK(Mentions(no_sub, "Subscribe"));

  const MessageQueue queue("ErrTopic", cluster->broker_name(0), 1);
  absl::Status seek = consumer->Seek(queue, 0);
  CHECK(absl::IsInvalidArgument(seek));
  CHECK(Mentions(seek, queue.ToString()));

  REQUIRE(consumer->Subscribe("ErrTopic", "*").ok());
  CHECK(consumer->Seek(queue, 0).ok());
  CHECK(absl::IsInvalidArgument(consumer->Seek(queue, -1)));
  // A negative timeout means poll_timeout_millis; a zero one does not wait.
  auto empty = consumer->Poll(absl::ZeroDuration());
  REQUIRE(empty.ok());
  CHECK(empty->empty());
}

}  // namespace
}  // namespace rmq::pull_test
