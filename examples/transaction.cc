// Copyright 2026 The rmq Authors. Licensed under the Apache License, Version 2.0.
//
// transaction: a message that is delivered only if your local transaction
// commits. The TransactionProducer stores the message as a half message
// (invisible to consumers), runs your ExecuteLocalTransaction, and tells the
// broker the outcome: commit delivers it, rollback drops it. An outcome left
// unknown (a crash, a timeout, an exception) is settled later: the broker asks
// a producer of the same group through CheckLocalTransaction, here after its
// first 60 s check interval on a FakeCluster's virtual clock.
//
// Prints:
//   order=order-1 local=COMMIT_MESSAGE
//   order=order-2 local=ROLLBACK_MESSAGE
//   order=order-3 local=UNKNOW
//   check order=order-3 virtual_s=60 answer=COMMIT_MESSAGE
//   consumed=order-1,order-3

#include <any>
#include <cstdio>
#include <functional>
#include <memory>
#include <set>
#include <string>

#include "absl/strings/str_join.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "example_support.h"
#include "rmq/consumer.h"
#include "rmq/producer.h"
#include "rmq/testing.h"

using rmq_examples::Expect;
using rmq_examples::Ok;
using rmq_examples::WaitFor;

namespace {

constexpr char kTopic[] = "Orders";

// The application's ledger: which orders its database committed.
class OrderLedger final : public rmq::TransactionListener {
 public:
  explicit OrderLedger(rmq::Clock& clock) : clock_(clock), start_(clock.Now()) {}

  rmq::LocalTransactionState ExecuteLocalTransaction(const rmq::Message& msg,
                                                     const std::any& arg) override {
    const std::string& order = std::any_cast<const std::string&>(arg);
    if (order == "order-1") return Commit(order);
    if (order == "order-2") return rmq::LocalTransactionState::kRollbackMessage;
    // order-3: the database call timed out; the outcome is not known yet.
    (void)msg;
    return rmq::LocalTransactionState::kUnknow;
  }

  rmq::LocalTransactionState CheckLocalTransaction(const rmq::MessageExt& msg) override {
    const std::string order(msg.keys());
    // By now the database says order-3 did commit.
    rmq::LocalTransactionState answer = Commit(order);
    std::printf("check order=%s virtual_s=%lld answer=%s\n", order.c_str(),
                static_cast<long long>(absl::ToInt64Seconds(clock_.Now() - start_)),
                std::string(rmq::LocalTransactionStateName(answer)).c_str());
    return answer;
  }

 private:
  rmq::LocalTransactionState Commit(const std::string& order) {
    absl::MutexLock lock(&mu_);
    committed_.insert(order);
    return rmq::LocalTransactionState::kCommitMessage;
  }

  rmq::Clock& clock_;
  const absl::Time start_;
  absl::Mutex mu_;
  std::set<std::string> committed_ ABSL_GUARDED_BY(mu_);
};

}  // namespace

int main() {
  spdlog::set_level(spdlog::level::warn);
  auto created = rmq::testing::FakeCluster::Create();
  if (!Ok(created, "fake cluster")) return 1;
  rmq::testing::FakeCluster& cluster = **created;
  if (!Ok(cluster.CreateTopic(kTopic, 1), "create topic")) return 1;

  absl::Mutex mu;
  std::set<std::string> consumed;
  rmq::PushConsumerConfig consumer_config = cluster.NewPushConsumerConfig("Shipping");
  consumer_config.consume_from_where = rmq::ConsumeFromWhere::kFirstOffset;
  rmq::PushConsumer consumer(consumer_config);
  if (!Ok(consumer.Subscribe(kTopic, "*"), "subscribe")) return 1;
  consumer.RegisterMessageListener(
      [&](std::span<const rmq::MessageExt> msgs, rmq::ConsumeConcurrentlyContext&) {
        absl::MutexLock lock(&mu);
        for (const rmq::MessageExt& m : msgs) consumed.insert(std::string(m.keys()));
        return rmq::ConsumeConcurrentlyStatus::kConsumeSuccess;
      });
  if (!Ok(consumer.Start(), "consumer start")) return 1;

  auto ledger = std::make_shared<OrderLedger>(cluster.clock());
  rmq::TransactionProducer producer(cluster.NewProducerConfig("OrderService"), ledger);
  if (!Ok(producer.Start(), "producer start")) return 1;
  for (std::string order : {"order-1", "order-2", "order-3"}) {
    auto result = producer.SendMessageInTransaction(
        rmq::Message(kTopic, "Paid", order, "ship " + order), order);
    if (!Ok(result, "transactional send")) return 1;
    std::printf("order=%s local=%s\n", order.c_str(),
                std::string(rmq::LocalTransactionStateName(result->local_transaction_state)).c_str());
  }

  auto count = [&] {
    absl::MutexLock lock(&mu);
    return consumed.size();
  };
  // order-1 is consumable at once. (Let the consumer get it before moving
  // the virtual clock: a jump while its pull is still in flight would time
  // the pull out, and the retry waits for virtual time.)
  const bool first = WaitFor([&] { return count() >= 1; });
  // The broker's first check pass (transactionCheckInterval, 60 s) asks
  // about order-3, older than transactionTimeOut (6 s) by then.
  cluster.Advance(absl::Seconds(60));
  const bool both = WaitFor([&] { return count() >= 2; });
  cluster.Advance(absl::Minutes(2));  // Nothing else arrives: order-2 was rolled back.
  absl::SleepFor(absl::Milliseconds(100));
  producer.Shutdown();
  consumer.Shutdown();

  absl::MutexLock lock(&mu);
  std::printf("consumed=%s\n", absl::StrJoin(consumed, ",").c_str());
  return Expect(first, "order-1 was consumed before the check") &&
                 Expect(both, "order-1 and order-3 were consumed") &&
                 Expect(consumed == std::set<std::string>{"order-1", "order-3"},
                        "exactly the committed orders were consumed")
             ? 0
             : 1;
}
