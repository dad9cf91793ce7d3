// Copyright 2026 The rmq Authors. Licensed under the Apache License, Version 2.0.
//
// Transaction kill test: rmq-server (SYNC_FLUSH, a transaction check every
// 500 ms) runs as a child process; a TransactionProducer in this process
// sends transactional messages over TCP whose local transactions commit,
// roll back or stay unknown by a rule of their key, and after a random delay
// the server is SIGKILLed under that load. Then rmq-server restarts on the
// same store, a new producer of the same group answers the broker's checks
// by the same rule, and a push consumer reads the topic. Checked:
//   - every acknowledged message whose rule says commit arrives (its END_
//     TRANSACTION may have died with the server: the check settles it);
//   - no message whose rule says rollback ever arrives;
//   - every message that arrives is one this round sent (an unacknowledged
//     half message may be settled either way its rule says).
// Each round uses a fresh store directory (on /dev/shm when present).
//
//   transaction_kill_test [--rounds N] [--seed S] [--tmpdir DIR] [--verbose]
//
// The program comes from RMQ_SERVER_BIN (set by meson).

#include <signal.h>
#include <stdlib.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "crash/workload.h"
#include "fmt/format.h"
#include "rmq/consumer.h"
#include "rmq/producer.h"
#include "spdlog/spdlog.h"
#include "support/server_process.h"
#include "support/temp_dir.h"

namespace rmq::crash {
namespace {

using testing::ServerProcess;
constexpr std::string_view kTopic = "TxCrash";
constexpr std::string_view kGroup = "TxCrashProducer";

// The outcome each key's transaction has, decided by its number: the local
// transaction and the broker's check agree on it.
enum class Fate { kCommit, kRollback, kUnknownThenCommit, kUnknownThenRollback };
Fate FateOf(int n) { return static_cast<Fate>(n % 4); }
bool Commits(int n) { return FateOf(n) == Fate::kCommit || FateOf(n) == Fate::kUnknownThenCommit; }

int NumberOf(std::string_view keys) { return std::atoi(std::string(keys.substr(keys.find('-') + 1)).c_str()); }

class RuleListener final : public TransactionListener {
 public:
  LocalTransactionState ExecuteLocalTransaction(const Message& msg, const std::any&) override {
    switch (FateOf(NumberOf(msg.keys()))) {
      case Fate::kCommit: return LocalTransactionState::kCommitMessage;
      case Fate::kRollback: return LocalTransactionState::kRollbackMessage;
      default: return LocalTransactionState::kUnknow;
    }
  }
  LocalTransactionState CheckLocalTransaction(const MessageExt& msg) override {
    checks.fetch_add(1);
    return Commits(NumberOf(msg.keys())) ? LocalTransactionState::kCommitMessage
                                         : LocalTransactionState::kRollbackMessage;
  }
  std::atomic<int> checks{0};
};

std::unique_ptr<ServerProcess> StartServer(const std::string& bin, const std::string& conf,
                                           const std::string& store, bool verbose) {
  return std::make_unique<ServerProcess>(std::vector<std::string>{
      bin, "-c", conf, "--store", store, "--namesrv-port", "0", "--broker-port", "0", "--host",
      "127.0.0.1", "--log-level", verbose ? "info" : "error"});
}

ProducerConfig NewProducerConfig(const std::string& namesrv) {
  ProducerConfig config;
  config.group_name = std::string(kGroup);
  config.namesrv_addr = namesrv;
  config.send_msg_timeout = 3000;
  config.retry_times_when_send_failed = 0;
  return config;
}

int RunRound(const std::string& server_bin, uint64_t seed, int round, bool verbose) {
  testing::TempDir dir;
  const std::string conf = dir.Sub("broker.conf");
  std::ofstream(conf) << "brokerClusterName=TxCrashCluster\nbrokerName=tx-crash\nbrokerIP1=127.0.0.1\n"
                         "flushDiskType=SYNC_FLUSH\nautoCreateTopicEnable=true\n"
                         "transactionCheckInterval=500\ntransactionTimeOut=300\n";
  const std::string store = dir.Sub("store");
  Rng rng(Mix(seed, static_cast<uint64_t>(round)));

  auto server = StartServer(server_bin, conf, store, verbose);
  if (server->Field("namesrv").empty()) {
    std::fprintf(stderr, "round %d: rmq-server did not start\n", round);
    return 1;
  }
  auto listener = std::make_shared<RuleListener>();
  absl::Mutex mu;
  std::set<int> acked;  // Keys whose half message was acknowledged.
  std::atomic<int> sent{0};
  std::atomic<bool> stop{false};
  {
    TransactionProducer producer(NewProducerConfig(server->Field("namesrv")), listener);
    if (absl::Status s = producer.Start(); !s.ok()) {
      std::fprintf(stderr, "round %d: producer start: %s\n", round, s.ToString().c_str());
      return 1;
    }
    std::thread sender([&] {
      for (int n = 0; !stop.load(); ++n) {
        Message msg(std::string(kTopic), "T", fmt::format("tx-{}", n), fmt::format("body {}", n));
        sent.store(n + 1);
        auto result = producer.SendMessageInTransaction(msg, {});
        if (result.ok() && result->send_status == SendStatus::kSendOk) {
          absl::MutexLock lock(&mu);
          acked.insert(n);
        }
      }
    });
    std::this_thread::sleep_for(std::chrono::milliseconds(rng.Between(300, 1500)));
    server->Stop(SIGKILL);
    stop.store(true);
    sender.join();
    producer.Shutdown();
  }

  // Restart on the same store; a new member of the group answers the checks.
  server = StartServer(server_bin, conf, store, verbose);
  if (server->Field("namesrv").empty()) {
    std::fprintf(stderr, "round %d: rmq-server did not restart\n", round);
    return 1;
  }
  auto checker = std::make_shared<RuleListener>();
  TransactionProducer producer(NewProducerConfig(server->Field("namesrv")), checker);
  if (absl::Status s = producer.Start(); !s.ok()) {
    std::fprintf(stderr, "round %d: producer restart: %s\n", round, s.ToString().c_str());
    return 1;
  }
  std::map<int, int> delivered;  // key number -> deliveries
  int foreign = 0;
  PushConsumerConfig consumer_config;
  consumer_config.group_name = "TxCrashConsumer";
  consumer_config.namesrv_addr = server->Field("namesrv");
  consumer_config.consume_from_where = ConsumeFromWhere::kFirstOffset;
  PushConsumer consumer(consumer_config);
  if (!consumer.Subscribe(kTopic, "*").ok()) return 1;
  consumer.RegisterMessageListener([&](std::span<const MessageExt> msgs, ConsumeConcurrentlyContext&) {
    absl::MutexLock lock(&mu);
    for (const MessageExt& m : msgs) {
      if (m.keys().starts_with("tx-")) {
        ++delivered[NumberOf(m.keys())];
      } else {
        ++foreign;
      }
    }
    return ConsumeConcurrentlyStatus::kConsumeSuccess;
  });
  if (absl::Status s = consumer.Start(); !s.ok()) {
    std::fprintf(stderr, "round %d: consumer start: %s\n", round, s.ToString().c_str());
    return 1;
  }
  // Every acknowledged commit must arrive; wait for that, then a little
  // longer for a rollback that should not.
  const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  for (;;) {
    bool all = true;
    {
      absl::MutexLock lock(&mu);
      for (int n : acked) all = all && (!Commits(n) || delivered.count(n) > 0);
    }
    if (all || std::chrono::steady_clock::now() > give_up) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));
  consumer.Shutdown();
  producer.Shutdown();

  absl::MutexLock lock(&mu);
  int errors = 0;
  auto fail = [&](const std::string& what) {
    if (++errors <= 10) std::fprintf(stderr, "round %d: %s\n", round, what.c_str());
  };
  if (foreign > 0) fail(fmt::format("{} messages that this round did not send", foreign));
  int commits = 0, duplicates = 0;
  for (int n : acked) {
    if (!Commits(n)) continue;
    ++commits;
    if (delivered.count(n) == 0) fail(fmt::format("acknowledged committing transaction tx-{} never delivered", n));
  }
  for (const auto& [n, times] : delivered) {
    if (!Commits(n)) fail(fmt::format("rolled-back transaction tx-{} delivered", n));
    if (n >= sent.load()) fail(fmt::format("tx-{} delivered but never sent", n));
    duplicates += times - 1;
  }
  if (verbose || errors > 0) {
    std::fprintf(stderr, "round %d: %d sent, %zu acknowledged, %d to commit, %zu delivered (%d twice), "
                 "%d checks after the restart\n", round, sent.load(), acked.size(), commits,
                 delivered.size(), duplicates, checker->checks.load());
  }
  return errors;
}

}  // namespace
}  // namespace rmq::crash

int main(int argc, char** argv) {
  int rounds = 3;
  uint64_t seed = 1;
  bool verbose = false;
  std::string tmpdir;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    auto next = [&]() -> std::string {
      if (i + 1 >= argc) {
        std::fprintf(stderr, "%s needs a value\n", arg.c_str());
        std::exit(2);
      }
      return argv[++i];
    };
    if (arg == "--verbose") verbose = true;
    else if (arg == "--rounds") rounds = std::stoi(next());
    else if (arg == "--seed") seed = std::stoull(next());
    else if (arg == "--tmpdir") tmpdir = next();
    else {
      std::fprintf(stderr, "unknown argument %s\n", arg.c_str());
      return 2;
    }
  }
  const char* server_bin = std::getenv("RMQ_SERVER_BIN");
  if (server_bin == nullptr) {
    std::fprintf(stderr, "RMQ_SERVER_BIN is not set\n");
    return 2;
  }
  spdlog::set_level(verbose ? spdlog::level::info : spdlog::level::off);
  if (!tmpdir.empty() && std::filesystem::is_directory(tmpdir)) ::setenv("TMPDIR", tmpdir.c_str(), 1);
  int failures = 0;
  for (int round = 0; round < rounds; ++round) {
    failures += rmq::crash::RunRound(server_bin, seed, round, verbose);
  }
  if (failures > 0) return 1;
  std::printf("transaction_kill_test: %d rounds, every acknowledged commit delivered, no rollback\n",
              rounds);
  return 0;
}
