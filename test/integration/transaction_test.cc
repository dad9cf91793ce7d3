// Copyright 2026 The rmq Authors. Licensed under the Apache License, Version 2.0.
//
// Transactional messages end to end on a FakeCluster: a TransactionProducer's
// half message stays invisible while its local transaction runs; commit
// makes it consumable, rollback drops it; an unknown outcome (or a listener
// that throws) is settled by the broker's check, also when the producer that
// sent it is gone and another of its group answers; a transaction left
// unknown is checked transactionCheckMax (15) times and then set aside.
// Checks run on the producer's check thread, so after each Advance the tests
// wait (in real time) for its answer to land.

#include <catch2/catch.hpp>

#include <any>
#include <atomic>
#include <functional>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "rmq/consumer.h"
#include "rmq/producer.h"
#include "rmq/store.h"
#include "rmq/testing.h"
#include "support/store_fixtures.h"
#include "support/wait_for.h"

namespace rmq::testing {
namespace {

constexpr std::string_view kTopic = "Payments";
constexpr std::string_view kOpTopic = "RMQ_SYS_TRANS_OP_HALF_TOPIC";

// A listener whose answers the test sets, recording what it was asked.
class ScriptedListener final : public TransactionListener {
 public:
  std::function<LocalTransactionState(const Message&, const std::any&)> execute;
  std::function<LocalTransactionState(const MessageExt&)> check =
      [](const MessageExt&) { return LocalTransactionState::kUnknow; };

  LocalTransactionState ExecuteLocalTransaction(const Message& msg, const std::any& arg) override {
    executed.fetch_add(1);
    return execute(msg, arg);
  }
  LocalTransactionState CheckLocalTransaction(const MessageExt& msg) override {
    {
      absl::MutexLock lock(&mu_);
      checked_.push_back(msg);
    }
    return check(msg);
  }
  int checks() {
    absl::MutexLock lock(&mu_);
    return static_cast<int>(checked_.size());
  }
  MessageExt last_checked() {
    absl::MutexLock lock(&mu_);
    return checked_.back();
  }

  std::atomic<int> executed{0};

 private:
  absl::Mutex mu_;
  std::vector<MessageExt> checked_;
};

class TransactionFixture {
 public:
  TransactionFixture() {
    auto cluster = FakeCluster::Create();
    REQUIRE(cluster.ok());
    cluster_ = *std::move(cluster);
    REQUIRE(cluster_->CreateTopic(kTopic, 1).ok());
  }

  FakeCluster& cluster() { return *cluster_; }

  std::unique_ptr<TransactionProducer> StartProducer(std::shared_ptr<TransactionListener> listener,
                                                     std::string instance = "tx") {
    ProducerConfig config = cluster_->NewProducerConfig("TxProducers");
    config.instance_name = std::move(instance);
    auto producer = std::make_unique<TransactionProducer>(config, std::move(listener));
    absl::Status started = producer->Start();
    INFO(started.ToString());
    REQUIRE(started.ok());
    return producer;
  }

  // The messages a consumer of the topic can read now.
  std::vector<MessageExt> Consumable(std::string_view topic = kTopic) {
    return ReadQueue(*cluster_->broker(0).store(), topic, 0);
  }

 private:
  std::unique_ptr<FakeCluster> cluster_;
};

TEST_CASE("commit: invisible while the local transaction runs, then consumable once",
          "[transaction]") {
  TransactionFixture f;
  auto listener = std::make_shared<ScriptedListener>();
  size_t visible_during = 99;
  std::string arg_seen;
  listener->execute = [&](const Message& msg, const std::any& arg) {
    visible_during = f.Consumable().size();
    arg_seen = std::any_cast<std::string>(arg);
    CHECK(!msg.GetProperty(property::kUniqKey).empty());
    return LocalTransactionState::kCommitMessage;
  };
  auto producer = f.StartProducer(listener);
  Message msg(std::string(kTopic), "TagA", "order-1", "debit 100");
  auto result = producer->SendMessageInTransaction(msg, std::string("order-1"));
  INFO(result.status().ToString());
  REQUIRE(result.ok());
  CHECK(result->local_transaction_state == LocalTransactionState::kCommitMessage);
  CHECK(result->transaction_id == result->msg_id);
  CHECK(visible_during == 0);
  CHECK(arg_seen == "order-1");

  REQUIRE(WaitFor([&] { return f.Consumable().size() == 1; }));
  MessageExt got = f.Consumable()[0];
  CHECK(got.body() == "debit 100");
  CHECK(got.tags() == "TagA");
  CHECK(got.keys() == "order-1");
  CHECK(got.GetProperty(property::kUniqKey) == result->msg_id);
  CHECK_FALSE(got.HasProperty(property::kTransactionPrepared));

  // Committed means settled: later check passes ask nothing.
  f.cluster().Advance(absl::Minutes(5));
  CHECK(listener->checks() == 0);
  CHECK(f.Consumable().size() == 1);
}

TEST_CASE("rollback: never consumable, never checked", "[transaction]") {
  TransactionFixture f;
  auto listener = std::make_shared<ScriptedListener>();
  listener->execute = [](const Message&, const std::any&) {
    return LocalTransactionState::kRollbackMessage;
  };
  auto producer = f.StartProducer(listener);
  auto result = producer->SendMessageInTransaction(Message(std::string(kTopic), "x"));
  REQUIRE(result.ok());
  CHECK(result->local_transaction_state == LocalTransactionState::kRollbackMessage);
  f.cluster().Advance(absl::Minutes(5));
  CHECK(f.Consumable().empty());
  CHECK(listener->checks() == 0);
}

TEST_CASE("unknown, or a throwing executor, is settled by the broker's check", "[transaction]") {
  TransactionFixture f;
  auto listener = std::make_shared<ScriptedListener>();
  const bool throws = GENERATE(false, true);
  listener->execute = [throws](const Message&, const std::any&) {
    if (throws) throw std::runtime_error("database unreachable");
    return LocalTransactionState::kUnknow;
  };
  listener->check = [](const MessageExt&) { return LocalTransactionState::kCommitMessage; };
  auto producer = f.StartProducer(listener);
  auto result = producer->SendMessageInTransaction(Message(std::string(kTopic), "TagA", "late"));
  REQUIRE(result.ok());
  CHECK(result->local_transaction_state == LocalTransactionState::kUnknow);

  f.cluster().Advance(absl::Seconds(59));
  CHECK(listener->checks() == 0);  // The first pass is at 60 s.
  CHECK(f.Consumable().empty());
  f.cluster().Advance(absl::Seconds(1));
  REQUIRE(WaitFor([&] { return f.Consumable().size() == 1; }));
  // The op record follows the committed message: a pass before it lands
  // would (rightly, as RocketMQ) ask again.
  REQUIRE(WaitFor([&] { return f.Consumable(kOpTopic).size() == 1; }));
  CHECK(listener->checks() == 1);
  MessageExt asked = listener->last_checked();
  CHECK(asked.topic() == kTopic);  // As sent, not the half topic.
  CHECK(asked.GetProperty(property::kUniqKey) == result->msg_id);
  CHECK(asked.body() == "late");
  CHECK(f.Consumable()[0].body() == "late");

  f.cluster().Advance(absl::Minutes(3));
  CHECK(listener->checks() == 1);
  CHECK(f.Consumable().size() == 1);
}

TEST_CASE("another producer of the group answers the check after the sender is gone",
          "[transaction]") {
  TransactionFixture f;
  auto first = std::make_shared<ScriptedListener>();
  first->execute = [](const Message&, const std::any&) { return LocalTransactionState::kUnknow; };
  auto sender = f.StartProducer(first, "first");
  auto result = sender->SendMessageInTransaction(Message(std::string(kTopic), "orphan"));
  REQUIRE(result.ok());
  sender->Shutdown();  // Unregisters: the broker forgets it.

  auto second = std::make_shared<ScriptedListener>();
  second->check = [&](const MessageExt& msg) {
    return msg.GetProperty(property::kUniqKey) == result->msg_id
               ? LocalTransactionState::kCommitMessage
               : LocalTransactionState::kRollbackMessage;
  };
  auto successor = f.StartProducer(second, "second");
  f.cluster().Advance(absl::Seconds(60));
  REQUIRE(WaitFor([&] { return f.Consumable().size() == 1; }));
  REQUIRE(WaitFor([&] { return f.Consumable(kOpTopic).size() == 1; }));
  CHECK(f.Consumable()[0].body() == "orphan");
  CHECK(first->checks() == 0);
  CHECK(second->checks() == 1);
}

TEST_CASE("a transaction left unknown is checked 15 times, then set aside", "[transaction]") {
  TransactionFixture f;
  auto listener = std::make_shared<ScriptedListener>();
  listener->execute = [](const Message&, const std::any&) { return LocalTransactionState::kUnknow; };
  auto producer = f.StartProducer(listener);
  auto result = producer->SendMessageInTransaction(Message(std::string(kTopic), "limbo"));
  REQUIRE(result.ok());
  for (int check = 1; check <= 15; ++check) {
    f.cluster().Advance(absl::Seconds(60));
    INFO("check " << check);
    REQUIRE(WaitFor([&] { return listener->checks() == check; }));
  }
  f.cluster().Advance(absl::Seconds(60));
  REQUIRE(WaitFor([&] { return f.Consumable("TRANS_CHECK_MAX_TIME_TOPIC").size() == 1; }));
  CHECK(f.Consumable("TRANS_CHECK_MAX_TIME_TOPIC")[0].body() == "limbo");
  f.cluster().Advance(absl::Minutes(5));
  CHECK(listener->checks() == 15);
  CHECK(f.Consumable().empty());
}

TEST_CASE("SendMessageInTransaction refuses what RocketMQ refuses", "[transaction]") {
  TransactionFixture f;
  SECTION("no listener") {
    auto producer = f.StartProducer(nullptr);
    auto result = producer->SendMessageInTransaction(Message(std::string(kTopic), "x"));
    CHECK(result.status().code() == absl::StatusCode::kInvalidArgument);
  }
  SECTION("an unknown topic: no half message, no local transaction") {
    auto listener = std::make_shared<ScriptedListener>();
    listener->execute = [](const Message&, const std::any&) {
      return LocalTransactionState::kCommitMessage;
    };
    auto producer = f.StartProducer(listener);
    auto result = producer->SendMessageInTransaction(Message("", "x"));
    CHECK_FALSE(result.ok());
    CHECK(listener->executed.load() == 0);
  }
}

}  // namespace
}  // namespace rmq::testing
