// Copyright 2026 The rmq Authors. Licensed under the Apache License, Version 2.0.
//
// Message trace (enableMsgTrace) on a FakeCluster: a traced producer and push
// consumer leave Pub, SubBefore and SubAfter records in the trace topic,
// found by querying it by key = msgId; the dispatcher sends a full batch at
// once, the rest every 500 ms of the cluster's VirtualClock and at Shutdown;
// a full queue drops (and counts) instead of blocking; a customized trace
// topic is used; the trace producer's own messages are not traced; a
// transactional producer traces its half message and each END_TRANSACTION,
// the one after the local transaction and the one answering a check.

#include <catch2/catch.hpp>

#include <any>
#include <atomic>
#include <cstdint>
#include <limits>
#include <memory>
#include <span>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "client/trace/trace_data.h"
#include "client/trace/trace_dispatcher.h"
#include "common/compression.h"
#include "rmq/consumer.h"
#include "rmq/producer.h"
#include "rmq/store.h"
#include "rmq/testing.h"
#include "test/support/messaging.h"
#include "test/support/store_fixtures.h"
#include "test/support/wait_for.h"

namespace rmq::testing {
namespace {

using internal::DecodeTraceData;
using internal::TraceContext;
using internal::TraceType;

std::unique_ptr<FakeCluster> NewCluster() {
  auto cluster = FakeCluster::Create();
  INFO(cluster.status().ToString());
  REQUIRE(cluster.ok());
  REQUIRE((*cluster)->CreateTopic("Orders", 1).ok());
  return std::move(*cluster);
}

// The trace records of `trace_topic` indexed under `key`, from every trace
// message found by the store's query by key.
std::vector<TraceContext> TracesByKey(FakeCluster& cluster, const std::string& trace_topic,
                                      const std::string& key) {
  MessageStore* store = cluster.broker(0).store();
  store->WaitForDispatch();
  std::vector<TraceContext> out;
  for (const MessageExt& msg : store->QueryMessage(trace_topic, key, 64, 0,
                                                   std::numeric_limits<int64_t>::max())) {
    std::string body = msg.body();
    if ((msg.sys_flag & sysflag::kCompressed) != 0) {  // Bodies over 4 KiB are zlib'd.
      auto inflated = internal::ZlibUncompress(body);
      REQUIRE(inflated.ok());
      body = *std::move(inflated);
    }
    auto decoded = DecodeTraceData(body);
    INFO(decoded.status().ToString());
    REQUIRE(decoded.ok());
    for (TraceContext& ctx : *decoded) {
      // The trace producer's own sends are never traced.
      REQUIRE((ctx.beans.empty() || ctx.beans[0].topic != trace_topic));
      for (const auto& bean : ctx.beans) {
        if (bean.msg_id == key || bean.keys == key) {
          out.push_back(ctx);
          break;
        }
      }
    }
  }
  return out;
}

const TraceContext* Find(const std::vector<TraceContext>& traces, TraceType type) {
  for (const TraceContext& ctx : traces) {
    if (ctx.type == type) return &ctx;
  }
  return nullptr;
}

// A push consumer of "Orders" from its first offset, with enableMsgTrace.
template <typename Listener>
std::unique_ptr<PushConsumer> StartTracedConsumer(FakeCluster& cluster, const std::string& group,
                                                  Listener listener) {
  PushConsumerConfig cc = cluster.NewPushConsumerConfig(group);
  cc.enable_msg_trace = true;
  cc.consume_from_where = ConsumeFromWhere::kFirstOffset;
  auto consumer = std::make_unique<PushConsumer>(cc);
  REQUIRE(consumer->Subscribe("Orders", "*").ok());
  consumer->RegisterMessageListener(std::move(listener));
  REQUIRE(consumer->Start().ok());
  return consumer;
}

TEST_CASE("a traced send and consume leave Pub, SubBefore and SubAfter under the msgId") {
  auto cluster = NewCluster();
  ProducerConfig pc = cluster->NewProducerConfig("TracedP");
  pc.enable_msg_trace = true;
  Producer producer(pc);
  REQUIRE(producer.Start().ok());

  Inbox inbox;
  auto consumer = StartTracedConsumer(*cluster, "TracedC", inbox.Listener());

  auto sent = producer.Send(Message("Orders", "TagA", "order-7", "hello"));
  INFO(sent.status().ToString());
  REQUIRE(sent.ok());
  REQUIRE(inbox.WaitFor(1));
  // Shutdown sends what each dispatcher still holds.
  consumer->Shutdown();
  producer.Shutdown();

  std::vector<TraceContext> traces = TracesByKey(*cluster, "RMQ_SYS_TRACE_TOPIC", sent->msg_id);
  const TraceContext* pub = Find(traces, TraceType::kPub);
  const TraceContext* before = Find(traces, TraceType::kSubBefore);
  const TraceContext* after = Find(traces, TraceType::kSubAfter);
  REQUIRE(pub != nullptr);
  REQUIRE(before != nullptr);
  REQUIRE(after != nullptr);

  CHECK(pub->group_name == "TracedP");
  CHECK(pub->region_id == "DefaultRegion");
  CHECK(pub->success);
  CHECK(pub->cost_time >= 0);
  CHECK(pub->beans[0].topic == "Orders");
  CHECK(pub->beans[0].tags == "TagA");
  CHECK(pub->beans[0].keys == "order-7");
  CHECK(pub->beans[0].body_length == 5);
  CHECK(pub->beans[0].offset_msg_id == sent->offset_msg_id);
  CHECK_FALSE(pub->beans[0].store_host.empty());

  CHECK(before->group_name == "TracedC");
  CHECK(before->beans[0].retry_times == 0);
  CHECK(before->beans[0].keys == "order-7");
  CHECK(after->request_id == before->request_id);
  CHECK(after->success);
  CHECK(after->context_code == 0);
  CHECK(after->time_stamp >= before->time_stamp);

  // The message's own key finds the same records.
  CHECK(TracesByKey(*cluster, "RMQ_SYS_TRACE_TOPIC", "order-7").size() == traces.size());
}

TEST_CASE("a failing listener's SubAfter says success false") {
  auto cluster = NewCluster();
  Producer producer(cluster->NewProducerConfig("P"));
  REQUIRE(producer.Start().ok());
  std::atomic<int> calls{0};
  auto consumer = StartTracedConsumer(
      *cluster, "FailingC",
      [&calls](std::span<const MessageExt>, ConsumeConcurrentlyContext&) -> ConsumeConcurrentlyStatus {
        ++calls;
        throw std::runtime_error("listener fails");
      });
  auto sent = producer.Send(Message("Orders", "x"));
  REQUIRE(sent.ok());
  REQUIRE(WaitFor([&] { return calls.load() >= 1; }));
  consumer->Shutdown();

  std::vector<TraceContext> traces = TracesByKey(*cluster, "RMQ_SYS_TRACE_TOPIC", sent->msg_id);
  // The untraced producer left no Pub record.
  CHECK(Find(traces, TraceType::kPub) == nullptr);
  const TraceContext* after = Find(traces, TraceType::kSubAfter);
  REQUIRE(after != nullptr);
  CHECK_FALSE(after->success);
  CHECK(after->context_code == static_cast<int32_t>(internal::TraceConsumeReturnType::kException));
}

TEST_CASE("an orderly listener is traced too") {
  auto cluster = NewCluster();
  Producer producer(cluster->NewProducerConfig("P"));
  REQUIRE(producer.Start().ok());
  std::atomic<int> calls{0};
  auto consumer = StartTracedConsumer(*cluster, "OrderlyC",
                                      [&calls](std::span<const MessageExt>, ConsumeOrderlyContext&) {
                                        ++calls;
                                        return ConsumeOrderlyStatus::kSuccess;
                                      });
  auto sent = producer.Send(Message("Orders", "TagO", "k-o", "ordered"));
  REQUIRE(sent.ok());
  REQUIRE(WaitFor([&] { return calls.load() >= 1; }));
  consumer->Shutdown();

  std::vector<TraceContext> traces = TracesByKey(*cluster, "RMQ_SYS_TRACE_TOPIC", sent->msg_id);
  const TraceContext* before = Find(traces, TraceType::kSubBefore);
  const TraceContext* after = Find(traces, TraceType::kSubAfter);
  REQUIRE(before != nullptr);
  REQUIRE(after != nullptr);
  CHECK(before->group_name == "OrderlyC");
  CHECK(after->request_id == before->request_id);
  CHECK(after->success);
}

TEST_CASE("Pub records go out every 500 ms of the client's clock, or at once for a full batch") {
  auto cluster = NewCluster();
  ProducerConfig pc = cluster->NewProducerConfig("TimedP");
  pc.enable_msg_trace = true;
  pc.customized_trace_topic = "MyTraceTopic";
  Producer producer(pc);
  REQUIRE(producer.Start().ok());

  SECTION("a partial batch waits for the 500 ms timer") {
    auto sent = producer.Send(Message("Orders", "one"));
    REQUIRE(sent.ok());
    CHECK(TracesByKey(*cluster, "MyTraceTopic", sent->msg_id).empty());
    cluster->Advance(absl::Milliseconds(500));
    CHECK(WaitFor([&] { return !TracesByKey(*cluster, "MyTraceTopic", sent->msg_id).empty(); }));
    CHECK(TracesByKey(*cluster, "RMQ_SYS_TRACE_TOPIC", sent->msg_id).empty());
  }
  SECTION("100 records (a batch) go without the timer; oneway, async and batch sends too") {
    std::vector<std::string> ids;
    for (int i = 0; i < 97; ++i) {
      auto sent = producer.Send(Message("Orders", "m" + std::to_string(i)));
      REQUIRE(sent.ok());
      ids.push_back(sent->msg_id);
    }
    REQUIRE(producer.SendOneway(Message("Orders", "oneway")).ok());
    auto async = producer.SendAsync(Message("Orders", "async")).get();
    REQUIRE(async.ok());
    ids.push_back(async->msg_id);
    std::vector<Message> batch = {Message("Orders", "b0"), Message("Orders", "b1")};
    auto batched = producer.SendBatch(batch);
    REQUIRE(batched.ok());
    // 97 + 1 + 1 + 2 = 101 records: the first 100 go now.
    CHECK(WaitFor([&] { return !TracesByKey(*cluster, "MyTraceTopic", ids[0]).empty(); }));
    CHECK(WaitFor([&] { return !TracesByKey(*cluster, "MyTraceTopic", async->msg_id).empty(); }));
    producer.Shutdown();  // The 101st.
    std::string last_batch_id = batched->msg_id.substr(batched->msg_id.find(',') + 1);
    std::vector<TraceContext> last = TracesByKey(*cluster, "MyTraceTopic", last_batch_id);
    REQUIRE(last.size() == 1);
    CHECK(last[0].beans[0].msg_id == last_batch_id);
  }
}

// Unknown at first, committed when the broker checks.
class CommitOnCheck final : public TransactionListener {
 public:
  LocalTransactionState ExecuteLocalTransaction(const Message&, const std::any&) override {
    return LocalTransactionState::kUnknow;
  }
  LocalTransactionState CheckLocalTransaction(const MessageExt&) override {
    return LocalTransactionState::kCommitMessage;
  }
};

TEST_CASE("a transactional send traces its half message and both END_TRANSACTIONs") {
  auto cluster = NewCluster();
  ProducerConfig pc = cluster->NewProducerConfig("TracedTx");
  pc.enable_msg_trace = true;
  TransactionProducer producer(pc, std::make_shared<CommitOnCheck>());
  REQUIRE(producer.Start().ok());
  auto sent = producer.SendMessageInTransaction(Message("Orders", "TagT", "tx-1", "debit"), {});
  INFO(sent.status().ToString());
  REQUIRE(sent.ok());
  REQUIRE(sent->local_transaction_state == LocalTransactionState::kUnknow);
  // The broker's first check pass is 60 s after the half message.
  cluster->Advance(absl::Seconds(60));
  REQUIRE(WaitFor([&] { return !ReadQueue(*cluster->broker(0).store(), "Orders", 0).empty(); }));
  producer.Shutdown();  // Sends the records the dispatcher still holds.

  std::vector<TraceContext> traces = TracesByKey(*cluster, "RMQ_SYS_TRACE_TOPIC", sent->msg_id);
  const TraceContext* pub = Find(traces, TraceType::kPub);
  REQUIRE(pub != nullptr);
  CHECK(pub->group_name == "TracedTx");
  CHECK(pub->beans[0].msg_type == internal::TraceMessageType::kTransHalf);
  CHECK(pub->beans[0].offset_msg_id == sent->offset_msg_id);

  std::vector<const TraceContext*> ends;
  for (const TraceContext& ctx : traces) {
    if (ctx.type == TraceType::kEndTransaction) ends.push_back(&ctx);
  }
  REQUIRE(ends.size() == 2);
  if (ends[0]->beans[0].from_transaction_check) std::swap(ends[0], ends[1]);
  for (const TraceContext* end : ends) {
    const internal::TraceBean& bean = end->beans[0];
    CHECK(end->group_name == "TracedTx");
    CHECK(end->region_id == "DefaultRegion");
    CHECK(bean.topic == "Orders");
    CHECK(bean.tags == "TagT");
    CHECK(bean.keys == "tx-1");
    CHECK(bean.msg_type == internal::TraceMessageType::kTransCommit);
    CHECK(bean.transaction_id == sent->msg_id);
    CHECK_FALSE(bean.store_host.empty());
  }
  CHECK_FALSE(ends[0]->beans[0].from_transaction_check);
  CHECK(ends[0]->beans[0].transaction_state == "UNKNOW");
  CHECK(ends[1]->beans[0].from_transaction_check);
  CHECK(ends[1]->beans[0].transaction_state == "COMMIT_MESSAGE");
}

TEST_CASE("a full trace queue drops records and counts them, without blocking") {
  auto cluster = NewCluster();
  internal::TraceDispatcher::Options options;
  options.queue_capacity = 4;
  auto d = internal::TraceDispatcher::Start(cluster->NewProducerConfig("G"), "G", "", options);
  REQUIRE(d.ok());
  int accepted = 0;
  for (int i = 0; i < 10; ++i) {
    TraceContext ctx;
    ctx.type = TraceType::kPub;
    ctx.beans.resize(1);
    ctx.beans[0].msg_id = "ID" + std::to_string(i);
    if ((*d)->Append(ctx)) ++accepted;
  }
  CHECK(accepted == 4);
  CHECK((*d)->dropped() == 6);
  (*d)->Shutdown();
  CHECK((*d)->dispatched() == 4);
  CHECK((*d)->messages_sent() == 1);  // One trace message carries the four records.
  CHECK(TracesByKey(*cluster, "RMQ_SYS_TRACE_TOPIC", "ID3").size() == 1);
  CHECK(TracesByKey(*cluster, "RMQ_SYS_TRACE_TOPIC", "ID4").empty());
  CHECK_FALSE((*d)->Append(TraceContext()));  // After Shutdown: dropped.
}

}  // namespace
}  // namespace rmq::testing
