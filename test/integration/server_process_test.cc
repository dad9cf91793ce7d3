// Copyright 2026 The rmq Authors. Licensed under the Apache License, Version 2.0.
//
// rmq-server as a separate process, reached over TCP on loopback: it prints
// the ports it chose, serves producers and consumers, and on SIGTERM persists
// consumer offsets and exits 0, so that a restarted server over the same store
// resumes the group where it stopped. Also rmq-namesrv and rmq-broker as two
// processes.

#include <signal.h>
#include <sys/wait.h>

#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include <catch2/catch.hpp>

#include "absl/strings/str_cat.h"
#include "rmq/consumer.h"
#include "rmq/producer.h"
#include "support/messaging.h"
#include "support/server_process.h"
#include "support/temp_dir.h"

namespace rmq::testing {
namespace {

std::string Bin(const char* env) {
  const char* path = std::getenv(env);
  REQUIRE(path != nullptr);
  return path;
}

// Sends `count` messages "<prefix>-i" to `topic`; all must succeed.
void SendAll(const std::string& namesrv, const std::string& topic, const std::string& prefix,
             int count) {
  ProducerConfig config;
  config.group_name = "ServerTestProducers";
  config.namesrv_addr = namesrv;
  Producer producer(config);
  REQUIRE(producer.Start().ok());
  for (int i = 0; i < count; ++i) {
    auto sent = producer.Send(Message(topic, "TagA", absl::StrCat(prefix, "-", i)));
    INFO(sent.status().ToString());
    REQUIRE(sent.ok());
    CHECK(sent->send_status == SendStatus::kSendOk);
  }
  producer.Shutdown();
}

// Consumes with group "ServerTestConsumers" until `count` arrived, then shuts
// the consumer down (committing its offsets).
std::vector<std::string> Consume(const std::string& namesrv, const std::string& topic, size_t count,
                                 const std::string& offsets_dir) {
  PushConsumerConfig config;
  config.group_name = "ServerTestConsumers";
  config.namesrv_addr = namesrv;
  config.consume_from_where = ConsumeFromWhere::kFirstOffset;
  config.local_offset_store_dir = offsets_dir;
  PushConsumer consumer(config);
  Inbox inbox;
  REQUIRE(consumer.Subscribe(topic, "TagA").ok());
  consumer.RegisterMessageListener(inbox.Listener());
  REQUIRE(consumer.Start().ok());
  CHECK(inbox.WaitFor(count));
  consumer.Shutdown();
  return inbox.bodies();
}

TEST_CASE("rmq-server serves over TCP, and after SIGTERM a restart resumes the group's offsets",
          "[server]") {
  TempDir dir;
  const std::vector<std::string> argv = {Bin("RMQ_SERVER_BIN"), "--store", dir.Sub("store"),
                                         "--namesrv-port", "0", "--broker-port", "0",
                                         "--host", "127.0.0.1", "--log-level", "warn"};
  {
    ServerProcess server(argv);
    INFO(server.announced());
    const std::string namesrv = server.Field("namesrv");
    REQUIRE(namesrv.starts_with("127.0.0.1:"));
    REQUIRE(server.Field("broker").starts_with("127.0.0.1:"));

    SendAll(namesrv, "ServerTopic", "first", 50);
    std::vector<std::string> got = Consume(namesrv, "ServerTopic", 50, dir.Sub("offsets"));
    CHECK(got.size() == 50);
    CHECK(server.Stop(SIGTERM) == 0);
  }
  {
    ServerProcess server(argv);
    INFO(server.announced());
    const std::string namesrv = server.Field("namesrv");
    REQUIRE(!namesrv.empty());
    SendAll(namesrv, "ServerTopic", "second", 10);
    // Only the new messages: the first 50 were consumed and their offsets
    // persisted at shutdown.
    std::vector<std::string> got = Consume(namesrv, "ServerTopic", 10, dir.Sub("offsets"));
    REQUIRE(got.size() >= 10);
    for (const std::string& body : got) CHECK(body.starts_with("second-"));
    CHECK(server.Stop(SIGTERM) == 0);
  }
}

TEST_CASE("rmq-namesrv and rmq-broker run as two processes", "[server]") {
  TempDir dir;
  ServerProcess namesrv({Bin("RMQ_NAMESRV_BIN"), "--host", "127.0.0.1", "-p", "0", "--log-level", "warn"});
  const std::string namesrv_addr = namesrv.Field("namesrv");
  INFO(namesrv.announced());
  REQUIRE(namesrv_addr.starts_with("127.0.0.1:"));

  const std::string conf = dir.Sub("broker.conf");
  FILE* f = std::fopen(conf.c_str(), "w");
  REQUIRE(f != nullptr);
  std::fprintf(f, "brokerClusterName=TestCluster\nbrokerName=broker-x\nbrokerIP1=127.0.0.1\n"
                  "storePathRootDir=%s\nflushDiskType=SYNC_FLUSH\n", dir.Sub("store").c_str());
  std::fclose(f);
  ServerProcess broker({Bin("RMQ_BROKER_BIN"), "-c", conf, "-n", namesrv_addr, "-p", "0", "--host",
                 "127.0.0.1", "--log-level", "warn"});
  INFO(broker.announced());
  REQUIRE(broker.Field("broker").starts_with("127.0.0.1:"));

  SendAll(namesrv_addr, "TwoProcessTopic", "m", 20);
  CHECK(Consume(namesrv_addr, "TwoProcessTopic", 20, dir.Sub("offsets")).size() == 20);
  CHECK(broker.Stop(SIGTERM) == 0);
  CHECK(namesrv.Stop(SIGTERM) == 0);
}

TEST_CASE("rmq-broker refuses a bad broker.conf naming the key", "[server]") {
  TempDir dir;
  const std::string conf = dir.Sub("bad.conf");
  FILE* f = std::fopen(conf.c_str(), "w");
  REQUIRE(f != nullptr);
  std::fprintf(f, "brokerName=b\nnoSuchKey=1\n");
  std::fclose(f);
  const std::string cmd = absl::StrCat(Bin("RMQ_BROKER_BIN"), " -c ", conf, " -p 0 2>&1");
  FILE* p = popen(cmd.c_str(), "r");
  REQUIRE(p != nullptr);
  std::string out;
  char buf[256];
  while (std::fgets(buf, sizeof(buf), p) != nullptr) out += buf;
  int status = pclose(p);
  INFO(out);
  CHECK(WEXITSTATUS(status) == 2);
  CHECK(out.find("noSuchKey") != std::string::npos);
}

}  // namespace
}  // namespace rmq::testing
