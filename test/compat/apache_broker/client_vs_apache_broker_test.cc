// Copyright 2026 The rmq Authors. Licensed under the Apache License, Version 2.0.
//
// rmq's client against a real Apache RocketMQ 4.9.7 NameServer and Broker
// (started by run_client_test.sh, which passes their addresses in
// RMQ_APACHE_NAMESRV and RMQ_APACHE_BROKER): topic creation, sync, async,
// oneway and batch sends, a push consumer's tag and SQL92 subscriptions
// (the broker runs with enablePropertyFilter=true), pulls by offset, and
// consumer offsets kept by the real broker across a restart.
//
// Every test uses topics and groups of its own (the broker lives for the
// whole run). Waits are polls with a deadline; no speeds are asserted.

#include <algorithm>
#include <cstdlib>
#include <future>
#include <map>
#include <memory>
#include <optional>
#include <iterator>
#include <set>
#include <span>
#include <string>
#include <thread>
#include <vector>

#include <catch2/catch.hpp>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "remoting/client_transport.h"
#include "remoting/protocol_bodies.h"
#include "remoting/protocol_headers.h"
#include "remoting/request_code.h"
#include "rmq/consumer.h"
#include "rmq/producer.h"
#include "test/support/messaging.h"
#include "test/support/temp_dir.h"

namespace rmq::testing {
namespace {

// A send that must succeed; if it fails, the test fails with its status (a
// loaded machine can make the Apache broker answer SYSTEM_BUSY).
template <typename T>
void RequireSent(const absl::StatusOr<T>& sent) {
  INFO(sent.status().ToString());
  REQUIRE(sent.ok());
}

std::string Env(const char* name) {
  const char* value = std::getenv(name);
  REQUIRE(value != nullptr);
  return value;
}

std::string Namesrv() { return Env("RMQ_APACHE_NAMESRV"); }

// A name no earlier run of this broker has seen (the store is fresh per run,
// but a retried test case should not collide either).
std::string Unique(const std::string& base) {
  static int next = 0;
  return absl::StrCat(base, "_", absl::ToUnixMillis(absl::Now()) % 1000000, "_", next++);
}

// Client configs with their own instance names, so each test's clients have
// their own client instance (as separate processes would).
template <typename Config>
Config NewConfig(std::string group) {
  static int next_instance = 0;
  Config config;
  config.namesrv_addr = Namesrv();
  config.group_name = std::move(group);
  config.instance_name = absl::StrCat("compat-", next_instance++);
  return config;
}

// `topic`'s queues as the name server routes them, once it does (with
// `count` of them, if given). The broker tells the name server about a
// topic it has just created (by request or by a first send) a moment
// later, on a thread of its own: asking at once can find no route yet.
std::vector<MessageQueue> QueuesOnceRouted(PullConsumer& consumer, const std::string& topic,
                                           std::optional<int> count = std::nullopt) {
  const absl::Time deadline = absl::Now() + absl::Seconds(30);
  absl::StatusOr<std::vector<MessageQueue>> queues;
  while (absl::Now() < deadline) {
    queues = consumer.FetchSubscribeMessageQueues(topic);
    if (queues.ok() && (!count || queues->size() == static_cast<size_t>(*count))) break;
    absl::SleepFor(absl::Milliseconds(100));
  }
  INFO(queues.status().ToString());
  REQUIRE(queues.ok());
  return *std::move(queues);
}

// UPDATE_AND_CREATE_TOPIC to the broker, as mqadmin updateTopic does; then
// waits until the name server routes the topic (the broker registers the new
// topic at once).
void CreateTopic(const std::string& topic, int queues) {
  auto transport = internal::NewClientTransport("compat-admin", nullptr, nullptr);
  auto header = std::make_unique<internal::CreateTopicRequestHeader>();
  header->topic = topic;
  header->read_queue_nums = queues;
  header->write_queue_nums = queues;
  auto response = transport->InvokeSync(
      Env("RMQ_APACHE_BROKER"),
      internal::RemotingCommand::Request(internal::request_code::kUpdateAndCreateTopic,
                                         std::move(header)),
      absl::Seconds(5));
  INFO(response.status().ToString());
  REQUIRE(response.ok());
  INFO(response->remark);
  REQUIRE(response->code == 0);
  transport->Shutdown();

  PullConsumer probe(NewConfig<PullConsumerConfig>(Unique("RouteProbe")));
  REQUIRE(probe.Start().ok());
  REQUIRE(QueuesOnceRouted(probe, topic, queues).size() == static_cast<size_t>(queues));
  probe.Shutdown();
}

// Every message of `topic` from offset 0 of each queue, pulled until `want`
// arrived (or a deadline passed): queue offset → message, per queue.
std::map<std::pair<int, int64_t>, MessageExt> PullEverything(const std::string& topic,
                                                               size_t want) {
  PullConsumer consumer(NewConfig<PullConsumerConfig>(Unique("PullAll")));
  REQUIRE(consumer.Start().ok());
  const std::vector<MessageQueue> queues = QueuesOnceRouted(consumer, topic);
  std::map<std::pair<int, int64_t>, MessageExt> got;
  std::map<int, int64_t> next;
  const absl::Time deadline = absl::Now() + absl::Seconds(30);
  while (got.size() < want && absl::Now() < deadline) {
    bool any = false;
    for (const MessageQueue& q : queues) {
      auto result = consumer.Pull(q, "*", next[q.queue_id], 32);
      INFO(result.status().ToString());
      REQUIRE(result.ok());
      if (result->pull_status != PullStatus::kFound) continue;
      any = true;
      for (const MessageExt& m : result->msgs) got.emplace(std::pair(q.queue_id, m.queue_offset), m);
      next[q.queue_id] = result->next_begin_offset;
    }
    if (!any) absl::SleepFor(absl::Milliseconds(50));
  }
  consumer.Shutdown();
  return got;
}

TEST_CASE("sync, async, oneway and batch sends reach the Apache broker", "[apache]") {
  const std::string topic = Unique("SendKinds");
  CreateTopic(topic, 4);
  Producer producer(NewConfig<ProducerConfig>(Unique("CompatProducers")));
  REQUIRE(producer.Start().ok());

  std::set<std::string> sent_bodies;
  std::map<std::string, SendResult> results;  // body → result
  for (int i = 0; i < 20; ++i) {
    Message msg(topic, "TagSync", absl::StrCat("sync-", i));
    msg.set_keys(absl::StrCat("key-", i));
    auto sent = producer.Send(msg);
    INFO(sent.status().ToString());
    REQUIRE(sent.ok());
    CHECK(sent->send_status == SendStatus::kSendOk);
    CHECK(sent->msg_id.size() == 32);
    CHECK(sent->offset_msg_id.size() == 32);
    CHECK(sent->message_queue.topic == topic);
    CHECK(sent->message_queue.broker_name == "apache-broker-a");
    results.emplace(msg.body(), *sent);
    sent_bodies.insert(msg.body());
  }

  std::vector<std::future<absl::StatusOr<SendResult>>> pending;
  for (int i = 0; i < 20; ++i) {
    sent_bodies.insert(absl::StrCat("async-", i));
    pending.push_back(producer.SendAsync(Message(topic, "TagAsync", absl::StrCat("async-", i))));
  }
  for (auto& f : pending) {
    auto sent = f.get();
    INFO(sent.status().ToString());
    CHECK(sent.ok());
  }

  for (int i = 0; i < 10; ++i) {
    sent_bodies.insert(absl::StrCat("oneway-", i));
    CHECK(producer.SendOneway(Message(topic, "TagOneway", absl::StrCat("oneway-", i))).ok());
  }

  std::vector<Message> batch;
  for (int i = 0; i < 10; ++i) {
    batch.emplace_back(topic, "TagBatch", absl::StrCat("batch-", i));
    sent_bodies.insert(batch.back().body());
  }
  auto batch_sent = producer.SendBatch(batch);
  INFO(batch_sent.status().ToString());
  REQUIRE(batch_sent.ok());
  CHECK(batch_sent->send_status == SendStatus::kSendOk);
  // One msgId (UNIQ_KEY) per message, comma-separated.
  CHECK(std::count(batch_sent->msg_id.begin(), batch_sent->msg_id.end(), ',') == 9);
  producer.Shutdown();

  auto got = PullEverything(topic, sent_bodies.size());
  std::set<std::string> got_bodies;
  for (const auto& [where, m] : got) got_bodies.insert(m.body());
  CHECK(got.size() == sent_bodies.size());
  CHECK(got_bodies == sent_bodies);

  for (const auto& [where, m] : got) {
    INFO(m.body());
    CHECK(m.topic() == topic);
    if (m.body().starts_with("sync-")) {
      const SendResult& r = results.at(m.body());
      CHECK(r.message_queue.queue_id == where.first);
      CHECK(r.queue_offset == where.second);
      CHECK(m.GetProperty(property::kUniqKey) == r.msg_id);
      CHECK(m.OffsetMsgId() == r.offset_msg_id);
      CHECK(m.tags() == "TagSync");
      CHECK(m.keys() == absl::StrCat("key-", m.body().substr(5)));
    }
    if (m.body().starts_with("batch-")) {
      CHECK(where.first == batch_sent->message_queue.queue_id);
      CHECK(m.tags() == "TagBatch");
    }
  }
  // The batch is stored contiguously from the offset its result names.
  for (int i = 0; i < 10; ++i) {
    auto it = got.find({batch_sent->message_queue.queue_id, batch_sent->queue_offset + i});
    REQUIRE(it != got.end());
    CHECK(it->second.body() == absl::StrCat("batch-", i));
  }
}

TEST_CASE("a first send to an unknown topic auto-creates it on the Apache broker", "[apache]") {
  const std::string topic = Unique("AutoCreated");
  Producer producer(NewConfig<ProducerConfig>(Unique("CompatProducers")));
  REQUIRE(producer.Start().ok());
  auto sent = producer.Send(Message(topic, "TagA", "first"));
  INFO(sent.status().ToString());
  REQUIRE(sent.ok());
  CHECK(sent->send_status == SendStatus::kSendOk);
  producer.Shutdown();
  auto got = PullEverything(topic, 1);
  REQUIRE(got.size() == 1);
  CHECK(got.begin()->second.body() == "first");
}

TEST_CASE("a push consumer's tag subscription gets exactly the matching messages", "[apache]") {
  const std::string topic = Unique("PushTags");
  CreateTopic(topic, 4);
  Producer producer(NewConfig<ProducerConfig>(Unique("CompatProducers")));
  REQUIRE(producer.Start().ok());
  std::set<std::string> expected;
  const char* tags[] = {"TagA", "TagB", "TagC"};
  for (int i = 0; i < 30; ++i) {
    const std::string tag = tags[i % 3];
    auto sent = producer.Send(Message(topic, tag, absl::StrCat(tag, "-", i)));
    INFO(sent.status().ToString());
    REQUIRE(sent.ok());
    if (tag != "TagB") expected.insert(absl::StrCat(tag, "-", i));
  }

  TempDir dir;
  auto config = NewConfig<PushConsumerConfig>(Unique("PushTagGroup"));
  config.consume_from_where = ConsumeFromWhere::kFirstOffset;
  config.local_offset_store_dir = dir.Sub("offsets");
  PushConsumer consumer(config);
  Inbox inbox;
  REQUIRE(consumer.Subscribe(topic, "TagA || TagC").ok());
  consumer.RegisterMessageListener(inbox.Listener());
  REQUIRE(consumer.Start().ok());
  REQUIRE(inbox.WaitFor(expected.size(), absl::Seconds(60)));

  // A TagA sentinel after everything else in each queue: once all have
  // arrived, every earlier message was pulled, so nothing more can come.
  auto queues = producer.FetchPublishMessageQueues(topic);
  REQUIRE(queues.ok());
  for (const MessageQueue& q : *queues) {
    const std::string body = absl::StrCat("TagA-sentinel-", q.queue_id);
    RequireSent(producer.Send(Message(topic, "TagA", body), q));
    expected.insert(body);
  }
  CHECK(inbox.WaitFor(expected.size(), absl::Seconds(60)));
  consumer.Shutdown();
  producer.Shutdown();

  std::multiset<std::string> got;
  for (const MessageExt& m : inbox.messages()) {
    got.insert(m.body());
    CHECK(m.tags() != "TagB");
    CHECK(m.topic() == topic);
  }
  CHECK(got.size() == expected.size());  // no duplicates
  CHECK(std::set<std::string>(got.begin(), got.end()) == expected);
}

TEST_CASE("a push consumer's SQL92 subscription gets exactly the matching messages", "[apache]") {
  // The Apache broker answers the consumer's CHECK_CLIENT_CONFIG, compiles
  // the heartbeat's SQL92 subscription and filters the pulls by properties.
  const std::string topic = Unique("PushSql");
  CreateTopic(topic, 2);
  Producer producer(NewConfig<ProducerConfig>(Unique("CompatProducers")));
  REQUIRE(producer.Start().ok());
  std::set<std::string> expected;
  for (int i = 0; i < 30; ++i) {
    Message msg(topic, i % 2 == 0 ? "Even" : "Odd", absl::StrCat("sql-", i));
    if (i % 7 != 0) msg.PutProperty("a", std::to_string(i % 10));  // every 7th without `a`
    RequireSent(producer.Send(msg));
    if (i % 7 != 0 && i % 10 >= 3 && i % 10 <= 5 && i % 2 == 1) expected.insert(msg.body());
  }
  REQUIRE(!expected.empty());

  TempDir dir;
  auto config = NewConfig<PushConsumerConfig>(Unique("PushSqlGroup"));
  config.consume_from_where = ConsumeFromWhere::kFirstOffset;
  config.local_offset_store_dir = dir.Sub("offsets");
  PushConsumer consumer(config);
  Inbox inbox;
  REQUIRE(consumer.Subscribe(topic, MessageSelector::BySql("a BETWEEN 3 AND 5 AND TAGS = 'Odd'"))
              .ok());
  consumer.RegisterMessageListener(inbox.Listener());
  absl::Status started = consumer.Start();
  INFO(started.ToString());
  REQUIRE(started.ok());
  REQUIRE(inbox.WaitFor(expected.size(), absl::Seconds(60)));

  // A matching sentinel last in each queue: once all arrived, nothing more can come.
  auto queues = producer.FetchPublishMessageQueues(topic);
  REQUIRE(queues.ok());
  for (const MessageQueue& q : *queues) {
    Message sentinel(topic, "Odd", absl::StrCat("sql-sentinel-", q.queue_id));
    sentinel.PutProperty("a", "4");
    RequireSent(producer.Send(sentinel, q));
    expected.insert(sentinel.body());
  }
  CHECK(inbox.WaitFor(expected.size(), absl::Seconds(60)));
  consumer.Shutdown();
  producer.Shutdown();

  std::multiset<std::string> got;
  for (const MessageExt& m : inbox.messages()) got.insert(m.body());
  CHECK(got.size() == expected.size());  // nothing else, no duplicates
  CHECK(std::set<std::string>(got.begin(), got.end()) == expected);
}

TEST_CASE("the Apache broker compiles the CHECK_CLIENT_CONFIG body rmq's client sends",
          "[apache]") {
  // rmq's client refuses an expression that does not compile before it
  // asks; the request is sent directly here to see the broker's answers.
  auto check = [](const std::string& expression) {
    internal::CheckClientRequestBody body;
    body.client_id = "compat-client";
    body.group = "CompatCheckGroup";
    internal::SubscriptionData sub;
    sub.topic = "CompatCheckTopic";
    sub.sub_string = expression;
    sub.expression_type = "SQL92";
    body.subscription_data = sub;
    auto transport = internal::NewClientTransport("compat-check", nullptr, nullptr);
    internal::RemotingCommand request =
        internal::RemotingCommand::Request(internal::request_code::kCheckClientConfig);
    request.body = internal::Payload(internal::ToJson(body));
    auto response =
        transport->InvokeSync(Env("RMQ_APACHE_BROKER"), std::move(request), absl::Seconds(5));
    transport->Shutdown();
    INFO(response.status().ToString());
    REQUIRE(response.ok());
    return *std::move(response);
  };
  CHECK(check("a BETWEEN 3 AND 5").code == 0);
  internal::RemotingCommand bad = check("a BETWEEN 5 AND 3");
  CHECK(bad.code == internal::response_code::kSubscriptionParseFailed);
  CHECK_FALSE(bad.remark.empty());
}

TEST_CASE("a pull consumer pulls from offsets, with tag filters and long polling", "[apache]") {
  const std::string topic = Unique("PullOffsets");
  CreateTopic(topic, 2);
  Producer producer(NewConfig<ProducerConfig>(Unique("CompatProducers")));
  REQUIRE(producer.Start().ok());
  auto queues = producer.FetchPublishMessageQueues(topic);
  REQUIRE(queues.ok());
  REQUIRE(queues->size() == 2);
  const MessageQueue q0 = (*queues)[0];
  for (int i = 0; i < 10; ++i) {
    auto sent = producer.Send(Message(topic, i % 2 == 0 ? "Even" : "Odd", absl::StrCat("m-", i)), q0);
    INFO(sent.status().ToString());
    REQUIRE(sent.ok());
    CHECK(sent->queue_offset == i);
  }

  PullConsumer consumer(NewConfig<PullConsumerConfig>(Unique("PullGroup")));
  REQUIRE(consumer.Start().ok());
  // Visible once the broker's dispatcher indexed it: wait for the last one.
  absl::StatusOr<PullResult> last = consumer.PullBlockIfNotFound(q0, "*", 9, 32);
  INFO(last.status().ToString());
  REQUIRE(last.ok());
  REQUIRE(last->pull_status == PullStatus::kFound);

  auto first = consumer.Pull(q0, "*", 0, 4);
  INFO(first.status().ToString());
  REQUIRE(first.ok());
  REQUIRE(first->pull_status == PullStatus::kFound);
  REQUIRE(first->msgs.size() == 4);
  for (int i = 0; i < 4; ++i) {
    CHECK(first->msgs[i].body() == absl::StrCat("m-", i));
    CHECK(first->msgs[i].queue_offset == i);
    CHECK(first->msgs[i].queue_id == q0.queue_id);
  }
  CHECK(first->next_begin_offset == 4);
  CHECK(first->min_offset == 0);
  CHECK(first->max_offset == 10);

  auto rest = consumer.Pull(q0, "*", 4, 32);
  REQUIRE(rest.ok());
  REQUIRE(rest->pull_status == PullStatus::kFound);
  REQUIRE(rest->msgs.size() == 6);
  CHECK(rest->msgs.front().body() == "m-4");
  CHECK(rest->next_begin_offset == 10);

  auto odd = consumer.Pull(q0, "Odd", 0, 32);
  REQUIRE(odd.ok());
  REQUIRE(odd->pull_status == PullStatus::kFound);
  std::vector<std::string> odd_bodies;
  for (const MessageExt& m : odd->msgs) odd_bodies.push_back(m.body());
  CHECK(odd_bodies == std::vector<std::string>{"m-1", "m-3", "m-5", "m-7", "m-9"});

  auto none = consumer.Pull(q0, "*", 10, 32);
  REQUIRE(none.ok());
  CHECK(none->pull_status == PullStatus::kNoNewMsg);
  CHECK(none->next_begin_offset == 10);

  auto empty_queue = consumer.Pull((*queues)[1], "*", 0, 32);
  REQUIRE(empty_queue.ok());
  CHECK(empty_queue->pull_status == PullStatus::kNoNewMsg);

  // Past the end: PULL_OFFSET_MOVED, and the broker suggests the queue's
  // max offset as the next one (DefaultMessageStore, OFFSET_OVERFLOW_BADLY).
  auto beyond = consumer.Pull(q0, "*", 100, 32);
  INFO(beyond.status().ToString());
  REQUIRE(beyond.ok());
  CHECK(beyond->pull_status == PullStatus::kOffsetIllegal);
  CHECK(beyond->next_begin_offset == 10);
  CHECK(beyond->max_offset == 10);

  // A held pull returns when a message arrives.
  std::thread later([&] {
    absl::SleepFor(absl::Milliseconds(500));
    CHECK(producer.Send(Message(topic, "Even", "late"), q0).ok());
  });
  auto held = consumer.PullBlockIfNotFound(q0, "*", 10, 32);
  later.join();
  INFO(held.status().ToString());
  REQUIRE(held.ok());
  REQUIRE(held->pull_status == PullStatus::kFound);
  CHECK(held->msgs.at(0).body() == "late");
  consumer.Shutdown();
  producer.Shutdown();
}

TEST_CASE("offsets a pull consumer commits are kept by the Apache broker", "[apache]") {
  const std::string topic = Unique("PullCommit");
  CreateTopic(topic, 2);
  const std::string group = Unique("PullCommitGroup");
  Producer producer(NewConfig<ProducerConfig>(Unique("CompatProducers")));
  REQUIRE(producer.Start().ok());
  auto queues = producer.FetchPublishMessageQueues(topic);
  REQUIRE(queues.ok());
  for (int i = 0; i < 5; ++i) RequireSent(producer.Send(Message(topic, "T", "x"), (*queues)[1]));
  producer.Shutdown();
  {
    PullConsumer consumer(NewConfig<PullConsumerConfig>(group));
    REQUIRE(consumer.Start().ok());
    REQUIRE(consumer.UpdateConsumeOffset((*queues)[1], 3).ok());
    consumer.Shutdown();  // commits
  }
  PullConsumer again(NewConfig<PullConsumerConfig>(group));
  REQUIRE(again.Start().ok());
  auto offset = again.FetchConsumeOffset((*queues)[1], /*from_store=*/true);
  INFO(offset.status().ToString());
  REQUIRE(offset.ok());
  CHECK(*offset == 3);
  again.Shutdown();
}

TEST_CASE("a new push consumer of the group resumes from the offsets the Apache broker kept",
          "[apache]") {
  const std::string topic = Unique("PushResume");
  CreateTopic(topic, 4);
  const std::string group = Unique("PushResumeGroup");
  TempDir dir;
  Producer producer(NewConfig<ProducerConfig>(Unique("CompatProducers")));
  REQUIRE(producer.Start().ok());
  for (int i = 0; i < 20; ++i) {
    RequireSent(producer.Send(Message(topic, "TagA", absl::StrCat("first-", i))));
  }
  {
    auto config = NewConfig<PushConsumerConfig>(group);
    config.consume_from_where = ConsumeFromWhere::kFirstOffset;
    config.local_offset_store_dir = dir.Sub("offsets");
    PushConsumer consumer(config);
    Inbox inbox;
    REQUIRE(consumer.Subscribe(topic, "*").ok());
    consumer.RegisterMessageListener(inbox.Listener());
    REQUIRE(consumer.Start().ok());
    REQUIRE(inbox.WaitFor(20, absl::Seconds(60)));
    consumer.Shutdown();  // commits the offsets to the broker
  }
  for (int i = 0; i < 10; ++i) {
    RequireSent(producer.Send(Message(topic, "TagA", absl::StrCat("second-", i))));
  }
  auto config = NewConfig<PushConsumerConfig>(group);
  config.consume_from_where = ConsumeFromWhere::kFirstOffset;
  config.local_offset_store_dir = dir.Sub("offsets");
  PushConsumer consumer(config);
  Inbox inbox;
  REQUIRE(consumer.Subscribe(topic, "*").ok());
  consumer.RegisterMessageListener(inbox.Listener());
  REQUIRE(consumer.Start().ok());
  CHECK(inbox.WaitFor(10, absl::Seconds(60)));
  consumer.Shutdown();
  producer.Shutdown();
  for (const std::string& body : inbox.bodies()) CHECK(body.starts_with("second-"));
  CHECK(inbox.size() == 10);
}

TEST_CASE("properties, keys, flag and a compressed body survive the Apache broker", "[apache]") {
  const std::string topic = Unique("Props");
  CreateTopic(topic, 1);
  Producer producer(NewConfig<ProducerConfig>(Unique("CompatProducers")));
  REQUIRE(producer.Start().ok());
  std::string big;
  for (int i = 0; big.size() < 20000; ++i) absl::StrAppend(&big, "line ", i, " of a body\n");
  Message msg(topic, "TagP", "order-1 order-2", big);  // over 4096 bytes: compressed
  msg.set_flag(7);
  msg.PutProperty("color", "grün");
  msg.PutProperty("empty-ish", " ");
  msg.PutProperty("n", "42");
  auto sent = producer.Send(msg);
  INFO(sent.status().ToString());
  REQUIRE(sent.ok());
  Message small(topic, "", "no tags");
  RequireSent(producer.Send(small));
  producer.Shutdown();

  auto got = PullEverything(topic, 2);
  REQUIRE(got.size() == 2);
  const MessageExt& m = got.begin()->second;
  CHECK(m.body() == big);
  CHECK((m.sys_flag & sysflag::kCompressed) == 0);  // uncompressed on the way in
  CHECK(m.flag() == 7);
  CHECK(m.tags() == "TagP");
  CHECK(m.keys() == "order-1 order-2");
  CHECK(m.GetProperty("color") == "grün");
  CHECK(m.GetProperty("empty-ish") == " ");
  CHECK(m.GetProperty("n") == "42");
  CHECK(m.GetProperty(property::kUniqKey) == sent->msg_id);
  CHECK(m.OffsetMsgId() == sent->offset_msg_id);
  CHECK(m.store_host.ToString() == Env("RMQ_APACHE_BROKER"));
  CHECK(m.born_host.ToString().starts_with("127.0.0.1:"));
  CHECK(m.born_timestamp > 0);
  CHECK(m.store_timestamp >= m.born_timestamp - 1000);
  CHECK(m.reconsume_times == 0);
  CHECK(m.queue_offset == 0);
  const MessageExt& n = std::next(got.begin())->second;
  CHECK(n.body() == "no tags");
  CHECK(!n.HasProperty(property::kTags));
}

TEST_CASE("a message a listener returns RECONSUME_LATER for comes back through the Apache broker",
          "[apache]") {
  const std::string topic = Unique("Retry");
  CreateTopic(topic, 2);
  const std::string group = Unique("RetryGroup");
  TempDir dir;
  auto config = NewConfig<PushConsumerConfig>(group);
  config.consume_from_where = ConsumeFromWhere::kFirstOffset;
  config.local_offset_store_dir = dir.Sub("offsets");
  PushConsumer consumer(config);
  absl::Mutex mu;
  std::vector<MessageExt> deliveries;
  REQUIRE(consumer.Subscribe(topic, "*").ok());
  consumer.RegisterMessageListener(
      [&](std::span<const MessageExt> msgs, ConsumeConcurrentlyContext& context) {
        absl::MutexLock lock(&mu);
        for (const MessageExt& m : msgs) deliveries.push_back(m);
        if (msgs.front().reconsume_times == 0) {
          context.delay_level_when_next_consume = 1;  // 1 s
          return ConsumeConcurrentlyStatus::kReconsumeLater;
        }
        return ConsumeConcurrentlyStatus::kConsumeSuccess;
      });
  REQUIRE(consumer.Start().ok());

  Producer producer(NewConfig<ProducerConfig>(Unique("CompatProducers")));
  REQUIRE(producer.Start().ok());
  Message msg(topic, "TagR", "k1", "try again");
  msg.PutProperty("user", "v");
  auto sent = producer.Send(msg);
  REQUIRE(sent.ok());
  {
    absl::MutexLock lock(&mu);
    auto twice = [&]() ABSL_SHARED_LOCKS_REQUIRED(mu) { return deliveries.size() >= 2; };
    REQUIRE(mu.AwaitWithTimeout(absl::Condition(&twice), absl::Seconds(60)));
  }
  consumer.Shutdown();
  producer.Shutdown();
  absl::MutexLock lock(&mu);
  REQUIRE(deliveries.size() == 2);
  const MessageExt& again = deliveries[1];
  CHECK(again.topic() == topic);  // the original topic, not %RETRY%
  CHECK(again.body() == "try again");
  CHECK(again.reconsume_times == 1);
  CHECK(again.tags() == "TagR");
  CHECK(again.keys() == "k1");
  CHECK(again.GetProperty("user") == "v");
  CHECK(again.GetProperty(property::kUniqKey) == sent->msg_id);
  CHECK(again.GetProperty(property::kRetryTopic) == topic);
}

TEST_CASE("a delayed message is delivered after its delay level by the Apache broker", "[apache]") {
  const std::string topic = Unique("Delay");
  CreateTopic(topic, 1);
  Producer producer(NewConfig<ProducerConfig>(Unique("CompatProducers")));
  REQUIRE(producer.Start().ok());
  Message msg(topic, "TagD", "later");
  msg.set_delay_time_level(2);  // 5 s
  const absl::Time sent_at = absl::Now();
  auto sent = producer.Send(msg);
  INFO(sent.status().ToString());
  REQUIRE(sent.ok());
  producer.Shutdown();
  PullConsumer consumer(NewConfig<PullConsumerConfig>(Unique("DelayGroup")));
  REQUIRE(consumer.Start().ok());
  const MessageQueue q{topic, "apache-broker-a", 0};
  auto early = consumer.Pull(q, "*", 0, 1);
  REQUIRE(early.ok());
  if (absl::Now() - sent_at < absl::Seconds(4)) CHECK(early->pull_status != PullStatus::kFound);
  absl::StatusOr<PullResult> got;
  const absl::Time deadline = absl::Now() + absl::Seconds(60);
  while (absl::Now() < deadline) {
    got = consumer.PullBlockIfNotFound(q, "*", 0, 1);
    if (got.ok() && got->pull_status == PullStatus::kFound) break;
  }
  INFO(got.status().ToString());
  REQUIRE(got.ok());
  REQUIRE(got->pull_status == PullStatus::kFound);
  CHECK(absl::Now() - sent_at >= absl::Seconds(4));
  const MessageExt& m = got->msgs.at(0);
  CHECK(m.body() == "later");
  CHECK(m.topic() == topic);
  CHECK(m.GetProperty(property::kUniqKey) == sent->msg_id);
  consumer.Shutdown();
}

TEST_CASE("two push consumers of one group split the queues the Apache broker serves",
          "[apache]") {
  const std::string topic = Unique("Split");
  CreateTopic(topic, 4);
  const std::string group = Unique("SplitGroup");
  TempDir dir;
  std::vector<std::unique_ptr<PushConsumer>> consumers;
  Inbox inboxes[2];
  for (int i = 0; i < 2; ++i) {
    auto config = NewConfig<PushConsumerConfig>(group);
    config.consume_from_where = ConsumeFromWhere::kFirstOffset;
    config.local_offset_store_dir = dir.Sub("offsets");
    consumers.push_back(std::make_unique<PushConsumer>(config));
    REQUIRE(consumers.back()->Subscribe(topic, "*").ok());
    consumers.back()->RegisterMessageListener(inboxes[i].Listener());
    REQUIRE(consumers.back()->Start().ok());
  }
  Producer producer(NewConfig<ProducerConfig>(Unique("CompatProducers")));
  REQUIRE(producer.Start().ok());
  auto queues = producer.FetchPublishMessageQueues(topic);
  REQUIRE(queues.ok());
  REQUIRE(queues->size() == 4);
  // Probe rounds (one message per queue) until the group is balanced: each
  // member gets 2 of the 4 and nobody gets a message twice.
  bool balanced = false;
  const absl::Time deadline = absl::Now() + absl::Seconds(60);
  for (int round = 0; !balanced && absl::Now() < deadline; ++round) {
    const size_t before[2] = {inboxes[0].size(), inboxes[1].size()};
    for (const MessageQueue& q : *queues) {
      RequireSent(producer.Send(Message(topic, "Probe", absl::StrCat("probe-", round)), q));
    }
    const absl::Time round_deadline = absl::Now() + absl::Seconds(10);
    while (inboxes[0].size() + inboxes[1].size() < before[0] + before[1] + 4 &&
           absl::Now() < round_deadline) {
      absl::SleepFor(absl::Milliseconds(20));
    }
    absl::SleepFor(absl::Milliseconds(200));  // a duplicate would show up by now
    balanced = inboxes[0].size() - before[0] == 2 && inboxes[1].size() - before[1] == 2;
  }
  REQUIRE(balanced);
  const size_t before[2] = {inboxes[0].size(), inboxes[1].size()};
  std::set<std::string> sent;
  for (int i = 0; i < 40; ++i) {
    sent.insert(absl::StrCat("m-", i));
    RequireSent(producer.Send(Message(topic, "TagS", absl::StrCat("m-", i))));
  }
  const absl::Time end = absl::Now() + absl::Seconds(60);
  while (inboxes[0].size() + inboxes[1].size() < before[0] + before[1] + 40 && absl::Now() < end) {
    absl::SleepFor(absl::Milliseconds(20));
  }
  for (auto& c : consumers) c->Shutdown();
  producer.Shutdown();
  std::multiset<std::string> got;
  size_t each[2] = {0, 0};
  for (int i = 0; i < 2; ++i) {
    for (const std::string& b : inboxes[i].bodies()) {
      if (b.starts_with("m-")) {
        got.insert(b);
        ++each[i];
      }
    }
  }
  CHECK(got.size() == 40);
  CHECK(std::set<std::string>(got.begin(), got.end()) == sent);
  CHECK(each[0] > 0);
  CHECK(each[1] > 0);
}

TEST_CASE("broadcasting consumers each get every message from the Apache broker", "[apache]") {
  const std::string topic = Unique("Broadcast");
  CreateTopic(topic, 2);
  const std::string group = Unique("BroadcastGroup");
  TempDir dir;
  std::vector<std::unique_ptr<PushConsumer>> consumers;
  Inbox inboxes[2];
  for (int i = 0; i < 2; ++i) {
    auto config = NewConfig<PushConsumerConfig>(group);
    config.message_model = MessageModel::kBroadcasting;
    config.consume_from_where = ConsumeFromWhere::kFirstOffset;
    config.local_offset_store_dir = dir.Sub(absl::StrCat("offsets-", i));
    consumers.push_back(std::make_unique<PushConsumer>(config));
    REQUIRE(consumers.back()->Subscribe(topic, "*").ok());
    consumers.back()->RegisterMessageListener(inboxes[i].Listener());
    REQUIRE(consumers.back()->Start().ok());
  }
  Producer producer(NewConfig<ProducerConfig>(Unique("CompatProducers")));
  REQUIRE(producer.Start().ok());
  for (int i = 0; i < 20; ++i) RequireSent(producer.Send(Message(topic, "B", absl::StrCat("b-", i))));
  for (auto& inbox : inboxes) CHECK(inbox.WaitFor(20, absl::Seconds(60)));
  for (auto& c : consumers) c->Shutdown();
  producer.Shutdown();
  for (auto& inbox : inboxes) CHECK(inbox.size() == 20);
}

TEST_CASE("a lite pull consumer polls, commits to the Apache broker, and a successor resumes",
          "[apache]") {
  const std::string topic = Unique("Lite");
  CreateTopic(topic, 2);
  const std::string group = Unique("LiteGroup");
  Producer producer(NewConfig<ProducerConfig>(Unique("CompatProducers")));
  REQUIRE(producer.Start().ok());
  for (int i = 0; i < 20; ++i) RequireSent(producer.Send(Message(topic, "L", absl::StrCat("first-", i))));
  auto poll_until = [&](PullConsumer& consumer, size_t want) {
    std::vector<std::string> bodies;
    const absl::Time deadline = absl::Now() + absl::Seconds(60);
    while (bodies.size() < want && absl::Now() < deadline) {
      auto polled = consumer.Poll(absl::Seconds(1));
      INFO(polled.status().ToString());
      REQUIRE(polled.ok());
      for (const MessageExt& m : *polled) bodies.push_back(m.body());
    }
    return bodies;
  };
  {
    auto config = NewConfig<PullConsumerConfig>(group);
    config.consume_from_where = ConsumeFromWhere::kFirstOffset;
    PullConsumer consumer(config);
    REQUIRE(consumer.Subscribe(topic, "*").ok());
    REQUIRE(consumer.Start().ok());
    CHECK(poll_until(consumer, 20).size() == 20);
    CHECK(consumer.CommitSync().ok());
    consumer.Shutdown();
  }
  for (int i = 0; i < 6; ++i) RequireSent(producer.Send(Message(topic, "L", absl::StrCat("second-", i))));
  producer.Shutdown();
  auto config = NewConfig<PullConsumerConfig>(group);
  config.consume_from_where = ConsumeFromWhere::kFirstOffset;
  PullConsumer consumer(config);
  REQUIRE(consumer.Subscribe(topic, "*").ok());
  REQUIRE(consumer.Start().ok());
  auto bodies = poll_until(consumer, 6);
  consumer.Shutdown();
  CHECK(bodies.size() == 6);
  for (const std::string& b : bodies) CHECK(b.starts_with("second-"));
}

TEST_CASE("a new group starts at offset 0 of a queue whose first message the broker still holds",
          "[apache]") {
  // Apache RocketMQ's broker answers QUERY_CONSUMER_OFFSET for a group with
  // no offset with 0 while the queue's first message is in memory
  // (ConsumerManageProcessor), so a new group reads from the start whatever
  // consumeFromWhere says, as Java's client does.
  const std::string topic = Unique("FromTime");
  CreateTopic(topic, 2);
  Producer producer(NewConfig<ProducerConfig>(Unique("CompatProducers")));
  REQUIRE(producer.Start().ok());
  for (int i = 0; i < 6; ++i) RequireSent(producer.Send(Message(topic, "T", absl::StrCat("old-", i))));
  producer.Shutdown();
  for (ConsumeFromWhere where : {ConsumeFromWhere::kTimestamp, ConsumeFromWhere::kLastOffset}) {
    TempDir dir;
    auto config = NewConfig<PushConsumerConfig>(Unique("FromWhereGroup"));
    config.consume_from_where = where;
    config.consume_timestamp =
        absl::FormatTime("%Y%m%d%H%M%S", absl::Now() + absl::Hours(1), absl::UTCTimeZone());
    config.local_offset_store_dir = dir.Sub("offsets");
    PushConsumer consumer(config);
    Inbox inbox;
    REQUIRE(consumer.Subscribe(topic, "*").ok());
    consumer.RegisterMessageListener(inbox.Listener());
    REQUIRE(consumer.Start().ok());
    CHECK(inbox.WaitFor(6, absl::Seconds(60)));
    consumer.Shutdown();
    CHECK(inbox.size() == 6);
  }
}

TEST_CASE("messages sent with a hash selector stay in order in one queue of the Apache broker",
          "[apache]") {
  const std::string topic = Unique("Ordered");
  CreateTopic(topic, 4);
  Producer producer(NewConfig<ProducerConfig>(Unique("CompatProducers")));
  REQUIRE(producer.Start().ok());
  SelectMessageQueueByHash by_hash;
  int queue = -1;
  for (int i = 0; i < 10; ++i) {
    auto sent = producer.Send(Message(topic, "O", absl::StrCat("o-", i)), by_hash, "order-42");
    REQUIRE(sent.ok());
    if (queue < 0) queue = sent->message_queue.queue_id;
    CHECK(sent->message_queue.queue_id == queue);
    CHECK(sent->queue_offset == i);
  }
  std::vector<Message> batch;
  for (int i = 0; i < 3; ++i) batch.emplace_back(topic, "O", absl::StrCat("ob-", i));
  auto batch_sent = producer.SendBatch(batch, MessageQueue{topic, "apache-broker-a", queue});
  INFO(batch_sent.status().ToString());
  REQUIRE(batch_sent.ok());
  CHECK(batch_sent->queue_offset == 10);
  producer.Shutdown();
}

}  // namespace
}  // namespace rmq::testing
