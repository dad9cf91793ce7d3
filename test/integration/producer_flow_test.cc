// Copyright 2026 The rmq Authors. Licensed under the Apache License, Version 2.0.
//
// Producer → broker → consumer, over the public API only, on a FakeCluster and
// on an EmbeddedCluster: the send modes and what a SendResult says about where
// the message went, retries and fault avoidance across brokers, batches,
// queue selection and compression. Each test reads the messages back with a
// consumer instead of trusting the send result alone.

#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdint>
#include <future>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "rmq/message.h"
#include "rmq/producer.h"
#include "test/integration/flow_helpers.h"

namespace rmq::testing {
namespace {

// ---- What a send result says, checked against what a consumer reads ----------

// RocketMQ's offsetMsgId for an IPv4 store host: 4 bytes of address, 4 of
// port, 8 of commit log offset, as 32 upper-case hex digits. Decoded here
// independently of the library.
struct OffsetMsgIdParts {
  std::string store_host;  // "a.b.c.d:port"
  int64_t commit_log_offset = 0;
};

std::optional<OffsetMsgIdParts> DecodeOffsetMsgId(std::string_view id) {
  if (id.size() != 32) return std::nullopt;
  uint8_t bytes[16];
  for (size_t i = 0; i < 16; ++i) {
    int value = 0;
    for (char c : id.substr(2 * i, 2)) {
      if (c >= '0' && c <= '9') {
        value = value * 16 + (c - '0');
      } else if (c >= 'A' && c <= 'F') {
        value = value * 16 + (c - 'A' + 10);
      } else {
        return std::nullopt;
      }
    }
    bytes[i] = static_cast<uint8_t>(value);
  }
  uint32_t port = 0;
  for (int i = 4; i < 8; ++i) port = port << 8 | bytes[i];
  uint64_t offset = 0;
  for (int i = 8; i < 16; ++i) offset = offset << 8 | bytes[i];
  OffsetMsgIdParts parts;
  parts.store_host = absl::StrCat(int{bytes[0]}, ".", int{bytes[1]}, ".", int{bytes[2]}, ".",
                                  int{bytes[3]}, ":", port);
  parts.commit_log_offset = static_cast<int64_t>(offset);
  return parts;
}

bool IsUpperHex(std::string_view text) {
  for (char c : text) {
    if (!((c >= '0' && c <= '9') || (c >= 'A' && c <= 'F'))) return false;
  }
  return true;
}

struct Sent {
  std::string body;
  SendResult result;
};

// Sent messages by their msgId (the UNIQ_KEY a consumer sees).
using SentById = std::map<std::string, Sent>;

void CheckSendOk(const SendResult& result) {
  CHECK(result.send_status == SendStatus::kSendOk);
  CHECK(SendStatusName(result.send_status) == "SEND_OK");
  CHECK(result.msg_id.size() == 32);
  CHECK(IsUpperHex(result.msg_id));
  CHECK(result.offset_msg_id.size() == 32);
  CHECK(IsUpperHex(result.offset_msg_id));
}

// Every queue's offsets, over `results`, are 0, 1, 2, … (a fresh topic).
// With `in_send_order`, also in the order of `results`.
void CheckQueueOffsetsConsecutive(const std::vector<SendResult>& results, bool in_send_order) {
  std::map<MessageQueue, std::vector<int64_t>> offsets;
  for (const SendResult& r : results) offsets[r.message_queue].push_back(r.queue_offset);
  for (auto& [queue, got] : offsets) {
    INFO(queue.ToString());
    if (!in_send_order) std::sort(got.begin(), got.end());
    std::vector<int64_t> expected(got.size());
    for (size_t i = 0; i < expected.size(); ++i) expected[i] = static_cast<int64_t>(i);
    CHECK(got == expected);
  }
}

// Each message sent was delivered once, with the body sent, from the queue and
// offset its SendResult named, and its offsetMsgId decodes to the store host
// of that queue's broker and the commit log offset the message was read from.
void CheckDeliveredAsSent(ClusterUnderTest& cluster, const std::vector<Delivery>& deliveries,
                          const SentById& sent) {
  CHECK(deliveries.size() == sent.size());
  std::set<std::string> seen;
  for (const Delivery& d : deliveries) {
    const std::string uniq_key(d.message.GetProperty(property::kUniqKey));
    INFO("delivered " << uniq_key << " from " << d.queue.ToString());
    CHECK(seen.insert(uniq_key).second);
    auto it = sent.find(uniq_key);
    REQUIRE(it != sent.end());
    const SendResult& result = it->second.result;
    CHECK(d.message.body() == it->second.body);
    CHECK(d.queue == result.message_queue);
    CHECK(d.message.queue_id == result.message_queue.queue_id);
    CHECK(d.message.queue_offset == result.queue_offset);
    CHECK(d.message.OffsetMsgId() == result.offset_msg_id);
    std::optional<OffsetMsgIdParts> parts = DecodeOffsetMsgId(result.offset_msg_id);
    REQUIRE(parts.has_value());
    CHECK(parts->commit_log_offset == d.message.commit_log_offset);
    CHECK(parts->store_host == d.message.store_host.ToString());
    CHECK(parts->store_host ==
          BrokerNamed(cluster, result.message_queue.broker_name).config().store.store_host);
  }
}

// Waits (real time, a guard only) for `n` async results.
class AsyncResults {
 public:
  Producer::SendCallback Callback(std::string body) {
    return [this, body = std::move(body)](absl::StatusOr<SendResult> result) {
      absl::MutexLock lock(&mu_);
      results_.push_back({body, std::move(result)});
    };
  }
  // The results once `n` arrived; fails the test if they do not.
  std::vector<std::pair<std::string, absl::StatusOr<SendResult>>> Await(size_t n) {
    absl::MutexLock lock(&mu_);
    auto enough = [this, n]() ABSL_SHARED_LOCKS_REQUIRED(mu_) { return results_.size() >= n; };
    REQUIRE(mu_.AwaitWithTimeout(absl::Condition(&enough), absl::Seconds(30)));
    return results_;
  }

 private:
  absl::Mutex mu_;
  std::vector<std::pair<std::string, absl::StatusOr<SendResult>>> results_ ABSL_GUARDED_BY(mu_);
};

// ---- Send modes -----------------------------------------------------------------

TEST_CASE("sync sends arrive at a consumer from the queue, offset and store position the SendResult names") {
  FOR_EACH_CLUSTER_KIND(kind) {
    auto cluster = StartCluster(kind, 2);
    CreateTopic(*cluster, "SyncFlow");
    auto producer = StartProducer(*cluster, "SyncFlowProducer");

    SentById sent;
    std::vector<SendResult> in_order;
    for (int i = 0; i < 24; ++i) {
      Message msg("SyncFlow", "TagA", absl::StrCat("key-", i), absl::StrCat("sync-", i));
      auto result = producer->Send(msg);
      INFO(result.status().ToString());
      REQUIRE(result.ok());
      CheckSendOk(*result);
      CHECK(result->message_queue.topic == "SyncFlow");
      in_order.push_back(*result);
      CHECK(sent.emplace(result->msg_id, Sent{msg.body(), *result}).second);
    }
    CheckQueueOffsetsConsecutive(in_order, /*in_send_order=*/true);
    CheckDeliveredAsSent(*cluster, ConsumeAll(*cluster, "SyncFlow", sent.size()), sent);
  }
}

TEST_CASE("async sends report to their callback or future and arrive at a consumer as reported") {
  FOR_EACH_CLUSTER_KIND(kind) {
    auto cluster = StartCluster(kind, 2);
    CreateTopic(*cluster, "AsyncFlow");
    auto producer = StartProducer(*cluster, "AsyncFlowProducer");

    AsyncResults callbacks;
    for (int i = 0; i < 16; ++i) {
      std::string body = absl::StrCat("callback-", i);
      producer->SendAsync(Message("AsyncFlow", body), callbacks.Callback(body));
    }
    std::vector<std::pair<std::string, std::future<absl::StatusOr<SendResult>>>> futures;
    for (int i = 0; i < 16; ++i) {
      std::string body = absl::StrCat("future-", i);
      futures.emplace_back(body, producer->SendAsync(Message("AsyncFlow", body)));
    }

    SentById sent;
    std::vector<SendResult> results;
    auto record = [&](const std::string& body, const absl::StatusOr<SendResult>& result) {
      INFO(body << ": " << result.status().ToString());
      REQUIRE(result.ok());
      CheckSendOk(*result);
      results.push_back(*result);
      CHECK(sent.emplace(result->msg_id, Sent{body, *result}).second);
    };
    for (const auto& [body, result] : callbacks.Await(16)) record(body, result);
    for (auto& [body, future] : futures) {
      REQUIRE(future.wait_for(std::chrono::seconds(30)) == std::future_status::ready);
      record(body, future.get());
    }
    // Sends overlap, so a queue's offsets need not follow the order of completion.
    CheckQueueOffsetsConsecutive(results, /*in_send_order=*/false);
    CheckDeliveredAsSent(*cluster, ConsumeAll(*cluster, "AsyncFlow", sent.size()), sent);
  }
}

TEST_CASE("oneway sends arrive at a consumer although the producer gets no answer") {
  FOR_EACH_CLUSTER_KIND(kind) {
    auto cluster = StartCluster(kind, 2);
    CreateTopic(*cluster, "OnewayFlow");
    auto producer = StartProducer(*cluster, "OnewayFlowProducer");
    std::multiset<std::string> sent;
    for (int i = 0; i < 20; ++i) {
      std::string body = absl::StrCat("oneway-", i);
      absl::Status status = producer->SendOneway(Message("OnewayFlow", body));
      INFO(status.ToString());
      REQUIRE(status.ok());
      sent.insert(body);
    }
    std::multiset<std::string> received;
    for (const Delivery& d : ConsumeAll(*cluster, "OnewayFlow", sent.size())) {
      received.insert(d.message.body());
      CHECK(d.message.GetProperty(property::kUniqKey).size() == 32);
    }
    CHECK(received == sent);
  }
}

// ---- Failing brokers ------------------------------------------------------------

// Bodies of the messages delivered, for comparing with the bodies sent.
std::multiset<std::string> DeliveredBodies(const std::vector<Delivery>& deliveries) {
  std::multiset<std::string> bodies;
  for (const Delivery& d : deliveries) bodies.insert(d.message.body());
  return bodies;
}

TEST_CASE("a send that fails on a dead broker is retried on the other one (FakeCluster, 2 brokers)") {
  auto cluster = StartCluster(ClusterKind::kFake, 2);
  CreateTopic(*cluster, "RetryFlow");
  auto producer = StartProducer(*cluster, "RetryFlowProducer");
  auto no_retry = StartProducer(*cluster, "NoRetryProducer",
                                [](ProducerConfig& c) { c.retry_times_when_send_failed = 0; });
  cluster->fake()->FailBroker(0);

  std::multiset<std::string> sent;
  for (int i = 0; i < 24; ++i) {
    std::string body = absl::StrCat("retried-", i);
    auto result = producer->Send(Message("RetryFlow", body));
    INFO(result.status().ToString());
    REQUIRE(result.ok());
    CHECK(result->message_queue.broker_name == "broker-1");
    sent.insert(body);
  }

  // Without retries the round-robin reaches broker-0 within a few sends, and
  // that send fails, naming the topic and the broker: the retry above is what
  // saved those sends.
  int failures = 0;
  for (int i = 0; i < 8; ++i) {
    std::string body = absl::StrCat("unretried-", i);
    auto result = no_retry->Send(Message("RetryFlow", body));
    if (result.ok()) {
      CHECK(result->message_queue.broker_name == "broker-1");
      sent.insert(body);
      continue;
    }
    ++failures;
    INFO(result.status().ToString());
    CHECK(result.status().code() == absl::StatusCode::kUnavailable);
    CHECK_THAT(std::string(result.status().message()),
               Catch::Contains("RetryFlow") && Catch::Contains("broker-0"));
  }
  CHECK(failures > 0);

  CHECK(DeliveredBodies(ConsumeAll(*cluster, "RetryFlow", sent.size())) == sent);
}

TEST_CASE("with sendLatencyFaultEnable a broker that failed is avoided until its isolation ends (FakeCluster, virtual time)") {
  auto cluster = StartCluster(ClusterKind::kFake, 2);
  FakeCluster& fake = *cluster->fake();
  CreateTopic(*cluster, "FaultFlow");
  // No retries: a send that picks a dead broker fails, so every success
  // shows the dead broker was not picked.
  auto producer = StartProducer(*cluster, "FaultFlowProducer", [](ProducerConfig& c) {
    c.send_latency_fault_enable = true;
    c.retry_times_when_send_failed = 0;
  });
  std::multiset<std::string> sent;
  int next = 0;
  // Sends `n` messages; returns how many landed on each broker.
  auto send_all_ok = [&](int n) {
    std::map<std::string, int> per_broker;
    for (int i = 0; i < n; ++i) {
      std::string body = absl::StrCat("fault-", next++);
      auto result = producer->Send(Message("FaultFlow", body));
      INFO(body << ": " << result.status().ToString());
      REQUIRE(result.ok());
      ++per_broker[result->message_queue.broker_name];
      sent.insert(body);
    }
    return per_broker;
  };

  fake.FailBroker(0);
  // Round-robin over 8 queues reaches broker-0 within 5 sends; that one fails.
  bool failed = false;
  for (int i = 0; i < 5 && !failed; ++i) {
    std::string body = absl::StrCat("fault-", next++);
    auto result = producer->Send(Message("FaultFlow", body));
    if (result.ok()) {
      CHECK(result->message_queue.broker_name == "broker-1");
      sent.insert(body);
    } else {
      failed = true;
      INFO(result.status().ToString());
      CHECK_THAT(std::string(result.status().message()), Catch::Contains("broker-0"));
    }
  }
  REQUIRE(failed);

  // A failure isolates the broker for 600 s (as a 30 s latency would).
  CHECK(send_all_ok(40) == std::map<std::string, int>{{"broker-1", 40}});
  REQUIRE(fake.RestartBroker(0).ok());
  fake.Advance(absl::Seconds(60));
  // Healthy again, but still within its isolation: not used yet.
  CHECK(send_all_ok(40) == std::map<std::string, int>{{"broker-1", 40}});
  fake.Advance(absl::Seconds(541));
  // Isolation over: plain round-robin over both brokers' 4 queues each.
  CHECK(send_all_ok(40) == std::map<std::string, int>{{"broker-0", 20}, {"broker-1", 20}});

  CHECK(DeliveredBodies(ConsumeAll(*cluster, "FaultFlow", sent.size())) == sent);
}

// ---- Batches --------------------------------------------------------------------

std::vector<Message> NumberedMessages(const std::string& topic, const std::string& prefix, int n,
                                      size_t body_size = 0) {
  std::vector<Message> msgs;
  for (int i = 0; i < n; ++i) {
    std::string body = absl::StrCat(prefix, i, ":");
    if (body.size() < body_size) body.resize(body_size, 'x');
    msgs.emplace_back(topic, "TagB", absl::StrCat(prefix, "key-", i), std::move(body));
  }
  return msgs;
}

TEST_CASE("a batch is stored contiguously in one queue and read back in order") {
  FOR_EACH_CLUSTER_KIND(kind) {
    auto cluster = StartCluster(kind, 2);
    CreateTopic(*cluster, "BatchFlow");
    auto producer = StartProducer(*cluster, "BatchFlowProducer");
    const std::vector<Message> first = NumberedMessages("BatchFlow", "first-", 10);
    const std::vector<Message> second = NumberedMessages("BatchFlow", "second-", 5);

    auto first_result = producer->SendBatch(first);
    INFO(first_result.status().ToString());
    REQUIRE(first_result.ok());
    const MessageQueue queue = first_result->message_queue;
    // A second batch to the same queue continues right after the first.
    auto second_result = producer->SendBatch(second, queue);
    INFO(second_result.status().ToString());
    REQUIRE(second_result.ok());
    CHECK(second_result->message_queue == queue);
    CHECK(first_result->queue_offset == 0);
    CHECK(second_result->queue_offset == first_result->queue_offset + 10);

    // Batch results list the ids of their messages, comma-separated.
    auto ids_of = [](const std::string& first, const std::string& second) {
      std::vector<std::string> ids = absl::StrSplit(first, ',');
      std::vector<std::string> more = absl::StrSplit(second, ',');
      ids.insert(ids.end(), more.begin(), more.end());
      return ids;
    };
    const std::vector<std::string> ids = ids_of(first_result->msg_id, second_result->msg_id);
    const std::vector<std::string> offset_ids =
        ids_of(first_result->offset_msg_id, second_result->offset_msg_id);
    REQUIRE(ids.size() == 15);
    REQUIRE(offset_ids.size() == 15);

    auto reader = StartPullConsumer(*cluster, "BatchFlowReader");
    std::vector<MessageExt> read = ReadQueue(*reader, queue, 0, 15);
    REQUIRE(read.size() == 15);
    for (size_t i = 0; i < read.size(); ++i) {
      const Message& expected = i < 10 ? first[i] : second[i - 10];
      INFO("message " << i);
      CHECK(read[i].queue_offset == static_cast<int64_t>(i));
      CHECK(read[i].body() == expected.body());
      CHECK(read[i].keys() == expected.keys());
      CHECK(read[i].GetProperty(property::kUniqKey) == ids[i]);
      CHECK(read[i].OffsetMsgId() == offset_ids[i]);
    }
    // Nothing of either batch went to another queue.
    auto all_queues = producer->FetchPublishMessageQueues("BatchFlow");
    REQUIRE(all_queues.ok());
    for (const MessageQueue& other : *all_queues) {
      if (other == queue) continue;
      INFO(other.ToString());
      CHECK(BrokerNamed(*cluster, other.broker_name)
                .store()
                ->GetMaxOffsetInQueue(other.topic, other.queue_id) == 0);
    }
  }
}

TEST_CASE("a batch over maxMessageSize is refused with an error naming the limit, and none of it is stored") {
  FOR_EACH_CLUSTER_KIND(kind) {
    auto cluster = StartCluster(kind);
    CreateTopic(*cluster, "BigBatch");
    auto producer = StartProducer(*cluster, "BigBatchProducer");
    // Five messages of 1 MiB: each fits, together they exceed 4 MiB.
    const std::vector<Message> batch = NumberedMessages("BigBatch", "big-", 5, 1024 * 1024);
    const int64_t stored_before = StoredBytes(*cluster);

    auto result = producer->SendBatch(batch);
    INFO(result.status().ToString());
    REQUIRE_FALSE(result.ok());
    CHECK(result.status().code() == absl::StatusCode::kInvalidArgument);
    CHECK_THAT(std::string(result.status().message()),
               Catch::Contains("maxMessageSize") && Catch::Contains("4194304"));
    CHECK(StoredBytes(*cluster) == stored_before);
  }
}

TEST_CASE("a batch mixing topics or holding a delayed message is refused, and none of it is stored") {
  FOR_EACH_CLUSTER_KIND(kind) {
    auto cluster = StartCluster(kind);
    CreateTopic(*cluster, "MixA");
    CreateTopic(*cluster, "MixB");
    auto producer = StartProducer(*cluster, "MixedBatchProducer");
    const int64_t stored_before = StoredBytes(*cluster);

    std::vector<Message> mixed = {Message("MixA", "a"), Message("MixB", "b")};
    auto result = producer->SendBatch(mixed);
    INFO(result.status().ToString());
    CHECK(result.status().code() == absl::StatusCode::kInvalidArgument);
    CHECK_THAT(std::string(result.status().message()),
               Catch::Contains("MixA") && Catch::Contains("MixB"));

    std::vector<Message> delayed = {Message("MixA", "now"), Message("MixA", "later")};
    delayed[1].set_delay_time_level(3);
    result = producer->SendBatch(delayed);
    INFO(result.status().ToString());
    CHECK(result.status().code() == absl::StatusCode::kInvalidArgument);
    CHECK_THAT(std::string(result.status().message()), Catch::Contains("delay"));

    CHECK(StoredBytes(*cluster) == stored_before);
  }
}

TEST_CASE("a timer message arrives at its time, not before; one due too far ahead is refused") {
  FOR_EACH_CLUSTER_KIND(kind) {
    auto cluster = StartCluster(kind);
    CreateTopic(*cluster, "TimerFlow");
    auto producer = StartProducer(*cluster, "TimerFlowProducer");

    Message later("TimerFlow", "later");
    later.set_delay_time_ms(1500);
    auto sent = producer->Send(later);
    INFO(sent.status().ToString());
    REQUIRE(sent.ok());
    CHECK(sent->send_status == SendStatus::kSendOk);

    auto deliveries = ConsumeAll(*cluster, "TimerFlow", 1);
    REQUIRE(deliveries.size() == 1);
    const MessageExt& got = deliveries[0].message;
    CHECK(got.body() == "later");
    CHECK(got.GetProperty(property::kUniqKey) == sent->msg_id);
    const int64_t due = std::stoll(std::string(got.GetProperty(property::kTimerOutMs)));
    CHECK(due >= got.born_timestamp + 1500);
    CHECK(got.store_timestamp >= due);

    Message too_far("TimerFlow", "too far");
    too_far.set_delay_time_sec(4 * 24 * 3600);
    auto refused = producer->Send(too_far);
    REQUIRE_FALSE(refused.ok());
    CHECK_THAT(std::string(refused.status().message()), Catch::Contains("timerMaxDelaySec"));
  }
}

TEST_CASE("SplitBatch cuts a large list into batches the producer accepts, and every message arrives") {
  FOR_EACH_CLUSTER_KIND(kind) {
    auto cluster = StartCluster(kind);
    CreateTopic(*cluster, "SplitFlow");
    auto producer = StartProducer(*cluster, "SplitFlowProducer");
    // About 6 MiB in small messages: per-message overhead (the UNIQ_KEY each
    // gets, the entry header) matters as much as the bodies.
    const std::vector<Message> msgs = NumberedMessages("SplitFlow", "split-", 24000, 200);

    const auto runs = SplitBatch(msgs);
    CHECK(runs.size() >= 2);
    std::multiset<std::string> sent;
    for (const auto& run : runs) {
      auto result = producer->SendBatch(run);
      INFO("run of " << run.size() << " messages: " << result.status().ToString());
      CHECK(result.ok());
      if (!result.ok()) continue;
      for (const Message& m : run) sent.insert(m.body());
    }
    CHECK(sent.size() == msgs.size());
    CHECK(DeliveredBodies(ConsumeAll(*cluster, "SplitFlow", sent.size())) == sent);
  }
}

// ---- Queue selection -------------------------------------------------------------

TEST_CASE("the default send spreads messages evenly over every queue of every broker") {
  FOR_EACH_CLUSTER_KIND(kind) {
    auto cluster = StartCluster(kind, 2);
    CreateTopic(*cluster, "SpreadFlow", 3);
    auto producer = StartProducer(*cluster, "SpreadFlowProducer");
    const size_t queues = 3 * static_cast<size_t>(cluster->broker_count());
    const int per_queue = 7;

    std::map<MessageQueue, int> sent_to;
    for (size_t i = 0; i < queues * per_queue; ++i) {
      auto result = producer->Send(Message("SpreadFlow", absl::StrCat("spread-", i)));
      REQUIRE(result.ok());
      ++sent_to[result->message_queue];
    }
    std::map<MessageQueue, int> read_from;
    for (const Delivery& d : ConsumeAll(*cluster, "SpreadFlow", queues * per_queue)) {
      ++read_from[d.queue];
    }
    CHECK(sent_to.size() == queues);
    CHECK(read_from == sent_to);
    for (const auto& [queue, count] : read_from) {
      INFO(queue.ToString());
      CHECK(count == per_queue);
    }
  }
}

TEST_CASE("messages sent with the same key go to one queue and are read back in send order") {
  FOR_EACH_CLUSTER_KIND(kind) {
    auto cluster = StartCluster(kind, 2);
    CreateTopic(*cluster, "OrderFlow");
    auto producer = StartProducer(*cluster, "OrderFlowProducer");
    SelectMessageQueueByHash by_key;
    const std::vector<std::string> keys = {"order-1", "order-2", "order-3", "order-4", "order-5"};
    const int per_key = 12;

    // Interleaved: order-1:0, order-2:0, …, order-1:1, …
    std::map<std::string, MessageQueue> queue_of;
    for (int seq = 0; seq < per_key; ++seq) {
      for (const std::string& key : keys) {
        Message msg("OrderFlow", "TagO", key, absl::StrCat(key, ":", seq));
        auto result = producer->Send(msg, by_key, key);
        INFO(msg.body() << ": " << result.status().ToString());
        REQUIRE(result.ok());
        auto [it, first] = queue_of.emplace(key, result->message_queue);
        CHECK(it->second == result->message_queue);
      }
    }

    // Read every queue used in queue order: each key's messages come in the
    // order they were sent.
    auto reader = StartPullConsumer(*cluster, "OrderFlowReader");
    std::map<MessageQueue, size_t> expected_in;
    for (const auto& [key, queue] : queue_of) expected_in[queue] += per_key;
    std::map<std::string, std::vector<std::string>> read_by_key;
    for (const auto& [queue, count] : expected_in) {
      std::vector<MessageExt> read = ReadQueue(*reader, queue, 0, count);
      CHECK(read.size() == count);
      for (const MessageExt& m : read) {
        const std::string key(m.keys());
        CHECK(queue_of.at(key) == queue);
        read_by_key[key].push_back(m.body());
      }
    }
    for (const std::string& key : keys) {
      std::vector<std::string> expected;
      for (int seq = 0; seq < per_key; ++seq) expected.push_back(absl::StrCat(key, ":", seq));
      INFO(key);
      CHECK(read_by_key[key] == expected);
    }
  }
}

// ---- Compression -----------------------------------------------------------------

TEST_CASE("a body of at least compressMsgBodyOverHowmuch bytes is stored compressed and consumed as sent") {
  FOR_EACH_CLUSTER_KIND(kind) {
    auto cluster = StartCluster(kind);
    CreateTopic(*cluster, "ZipFlow");
    auto producer = StartProducer(*cluster, "ZipFlowProducer");
    const int32_t threshold = producer->config().compress_msg_body_over_howmuch;
    REQUIRE(threshold == 4096);

    auto text = [](size_t size, char salt) {
      std::string body;
      for (size_t i = 0; body.size() < size; ++i) absl::StrAppend(&body, "line ", i, std::string(1, salt), "; ");
      body.resize(size);
      return body;
    };
    const std::map<std::string, bool> compressed_by_body = {
        {text(threshold - 1, 'a'), false},
        {text(threshold, 'b'), true},
        {text(256 * 1024, 'c'), true},
    };
    for (const auto& [body, compressed] : compressed_by_body) {
      REQUIRE(producer->Send(Message("ZipFlow", body)).ok());
    }
    // The future form goes through the async path, which compresses too.
    auto async = producer->SendAsync(Message("ZipFlow", text(64 * 1024, 'd')));
    REQUIRE(async.wait_for(std::chrono::seconds(30)) == std::future_status::ready);
    REQUIRE(async.get().ok());

    std::map<std::string, bool> expected = compressed_by_body;
    expected.emplace(text(64 * 1024, 'd'), true);
    std::vector<Delivery> deliveries = ConsumeAll(*cluster, "ZipFlow", expected.size());
    CHECK(deliveries.size() == expected.size());
    for (const Delivery& d : deliveries) {
      auto it = expected.find(d.message.body());
      INFO("consumed a body of " << d.message.body().size() << " bytes");
      REQUIRE(it != expected.end());
      // The store holds what went over the wire: compressed, and smaller.
      auto stored = BrokerNamed(*cluster, d.queue.broker_name)
                        .store()
                        ->LookMessageByOffset(d.message.commit_log_offset);
      REQUIRE(stored.ok());
      CHECK(((stored->sys_flag & sysflag::kCompressed) != 0) == it->second);
      if (it->second) {
        CHECK(stored->body().size() < it->first.size());
      } else {
        CHECK(stored->body() == it->first);
      }
      expected.erase(it);
    }
    CHECK(expected.empty());
  }
}

}  // namespace
}  // namespace rmq::testing
