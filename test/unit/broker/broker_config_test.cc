// Copyright 2026 The rmq Authors. Licensed under the Apache License, Version 2.0.

#include <fstream>
#include <string>
#include <utility>

#include <catch2/catch.hpp>

#include "broker/broker_config.h"
#include "rmq/broker.h"
#include "support/temp_dir.h"

namespace rmq {
namespace {

using testing::TempDir;

std::string Write(const TempDir& dir, const std::string& text) {
  std::string path = dir.Sub("broker.conf");
  std::ofstream(path) << text;
  return path;
}

std::string Message(const absl::Status& s) { return std::string(s.message()); }

TEST_CASE("LoadBrokerConfig reads RocketMQ's broker and store keys") {
  TempDir dir;
  BrokerConfig config;
  absl::Status s = LoadBrokerConfig(Write(dir, R"(
brokerClusterName=ClusterX
brokerName=broker-b
brokerId=0
brokerIP1=10.1.2.3
listenPort=20911
namesrvAddr=10.0.0.1:9876;10.0.0.2:9876
autoCreateTopicEnable=false
defaultTopicQueueNums=8
autoCreateSubscriptionGroup=false
brokerPermission=4
longPollingEnable=false
shortPollingTimeMills=500
registerNameServerPeriod=20000
flushConsumerOffsetInterval=1000
channelExpiredTimeout=60000
maxMsgsNumBatch=16
enablePropertyFilter=true
traceTopicEnable=true
brokerRole=SYNC_MASTER
storePathRootDir=/data/rmq
flushDiskType=SYNC_FLUSH
maxMessageSize=1024
)"), &config);
  INFO(s.ToString());
  REQUIRE(s.ok());
  CHECK(config.broker_cluster_name == "ClusterX");
  CHECK(config.broker_name == "broker-b");
  CHECK(config.broker_ip1 == "10.1.2.3");
  CHECK(config.listen_port == 20911);
  // Without brokerAddr the address is brokerIP1:listenPort, also the store host.
  CHECK(config.broker_addr == "10.1.2.3:20911");
  CHECK(config.store.store_host == "10.1.2.3:20911");
  CHECK(config.namesrv_addr == "10.0.0.1:9876;10.0.0.2:9876");
  CHECK_FALSE(config.auto_create_topic_enable);
  CHECK(config.default_topic_queue_nums == 8);
  CHECK_FALSE(config.auto_create_subscription_group);
  CHECK(config.broker_permission == 4);
  CHECK_FALSE(config.long_polling_enable);
  CHECK(config.short_polling_time_mills == 500);
  CHECK(config.register_name_server_period == 20000);
  CHECK(config.flush_consumer_offset_interval == 1000);
  CHECK(config.channel_expired_timeout == 60000);
  CHECK(config.max_msgs_num_batch == 16);
  CHECK(config.enable_property_filter);
  CHECK(config.trace_topic_enable);
  CHECK(config.broker_role == BrokerRole::kSyncMaster);
  CHECK(config.store.store_path_root_dir == "/data/rmq");
  CHECK(config.store.flush_disk_type == FlushDiskType::kSyncFlush);
  CHECK(config.store.max_message_size == 1024);
}

TEST_CASE("an explicit brokerAddr wins over brokerIP1:listenPort") {
  TempDir dir;
  BrokerConfig config;
  REQUIRE(LoadBrokerConfig(Write(dir, "brokerAddr=inproc://b1\nbrokerIP1=10.0.0.9\n"), &config).ok());
  CHECK(config.broker_addr == "inproc://b1");
  CHECK(config.store.store_host == "10.0.0.9:10911");
}

TEST_CASE("an IPv6 brokerIP1 makes a bracketed address, given with or without brackets") {
  TempDir dir;
  for (const char* ip : {"::1", "[::1]"}) {
    INFO(ip);
    BrokerConfig config;
    REQUIRE(LoadBrokerConfig(Write(dir, std::string("brokerIP1=") + ip + "\nlistenPort=10912\n"),
                             &config)
                .ok());
    CHECK(config.broker_addr == "[::1]:10912");
    CHECK(config.store.store_host == "[::1]:10912");
  }
}

TEST_CASE("LoadBrokerConfig errors name the key and the line") {
  TempDir dir;
  // Each load starts from the defaults.
  auto load = [&](const std::string& text) {
    BrokerConfig config;
    return LoadBrokerConfig(Write(dir, text), &config);
  };

  absl::Status unknown = load("brokerName=a\nbrokerNmae=b\n");
  CHECK(unknown.code() == absl::StatusCode::kInvalidArgument);
  CHECK_THAT(Message(unknown), Catch::Contains(":2: unknown key 'brokerNmae'") &&
                                   Catch::Contains("did you mean 'brokerName'"));

  absl::Status slave = load("brokerRole=SLAVE\n");
  CHECK(slave.code() == absl::StatusCode::kInvalidArgument);
  CHECK_THAT(Message(slave), Catch::Contains("brokerRole") && Catch::Contains("replication"));

  absl::Status role = load("brokerRole=LEADER\n");
  CHECK_THAT(Message(role), Catch::Contains("ASYNC_MASTER, SYNC_MASTER or SLAVE"));

  absl::Status port = load("listenPort=70000\n");
  CHECK_THAT(Message(port), Catch::Contains("listenPort") && Catch::Contains("1..65535"));

  absl::Status number = load("defaultTopicQueueNums=many\n");
  CHECK_THAT(Message(number), Catch::Contains("defaultTopicQueueNums"));

  // Values that parse but cannot work are checked after the whole file; their
  // errors still point at the line that set the key (the last, if repeated).
  const std::pair<const char*, const char*> cannot_work[] = {
      {"brokerName=a\nbrokerIP1=not-an-ip\n", ".conf:2: brokerIP1 'not-an-ip'"},
      {"# queues\ndefaultTopicQueueNums=0\n", ".conf:2: defaultTopicQueueNums must be positive"},
      {"mappedFileSizeConsumeQueue=30\n", ".conf:1: mappedFileSizeConsumeQueue 30"},
      {"\n\nnamesrvAddr=localhost\n", ".conf:3: namesrvAddr 'localhost'"},
      {"brokerPermission=6\nbrokerPermission=9\n", ".conf:2: brokerPermission 9"},
      {"deleteWhen=04;25\n", ".conf:1: deleteWhen '04;25': '25' is not an hour"},
      {"brokerId=1\n", ".conf:1: brokerId 1 with brokerRole ASYNC_MASTER"},
  };
  for (const auto& [text, expected] : cannot_work) {
    INFO(text);
    absl::Status s = load(text);
    CHECK(s.code() == absl::StatusCode::kInvalidArgument);
    CHECK_THAT(Message(s), Catch::Contains(expected));
  }

  absl::Status missing = [&] { BrokerConfig config; return LoadBrokerConfig(dir.Sub("nope.conf"), &config); }();
  CHECK_FALSE(missing.ok());
  CHECK_THAT(Message(missing), Catch::Contains("nope.conf"));
}

TEST_CASE("LoadBrokerConfig leaves an unset address for the program to fill in") {
  TempDir dir;
  BrokerConfig config;
  REQUIRE(LoadBrokerConfig(Write(dir, "brokerName=x\n"), &config).ok());
  CHECK(config.broker_addr.empty());
}

TEST_CASE("Broker::Create rejects configs it cannot run") {
  TempDir dir;
  auto base = [&] {
    BrokerConfig config;
    config.broker_addr = "inproc://create-test";
    config.store.store_path_root_dir = dir.path();
    return config;
  };
  auto error = [](const BrokerConfig& config) {
    auto broker = Broker::Create(config);
    REQUIRE_FALSE(broker.ok());
    CHECK(broker.status().code() == absl::StatusCode::kInvalidArgument);
    return std::string(broker.status().message());
  };

  CHECK(Broker::Create(base()).ok());

  BrokerConfig no_name = base();
  no_name.broker_name = "";
  CHECK_THAT(error(no_name), Catch::Contains("brokerName is empty"));

  BrokerConfig no_addr = base();
  no_addr.broker_addr = "";
  CHECK_THAT(error(no_addr), Catch::Contains("broker address is empty"));

  BrokerConfig bad_addr = base();
  bad_addr.broker_addr = "broker-a";
  CHECK_THAT(error(bad_addr), Catch::Contains("'broker-a' is neither inproc://NAME nor host:port"));

  BrokerConfig empty_inproc = base();
  empty_inproc.broker_addr = "inproc://";
  CHECK_THAT(error(empty_inproc), Catch::Contains("no name after inproc://"));

  BrokerConfig bad_port = base();
  bad_port.broker_addr = "127.0.0.1:0";
  CHECK_THAT(error(bad_port), Catch::Contains("127.0.0.1:0"));

  BrokerConfig slave = base();
  slave.broker_role = BrokerRole::kSlave;
  CHECK_THAT(error(slave), Catch::Contains("SLAVE"));

  BrokerConfig slave_id = base();
  slave_id.broker_id = 1;
  CHECK_THAT(error(slave_id), Catch::Contains("a master's brokerId is 0"));

  BrokerConfig bad_store = base();
  bad_store.store.mapped_file_size_commit_log = 100;
  CHECK_THAT(error(bad_store), Catch::Contains("mappedFileSizeCommitLog"));

  BrokerConfig no_store_dir = base();
  no_store_dir.store.store_path_root_dir = "";
  CHECK_THAT(error(no_store_dir), Catch::Contains("storePathRootDir"));

  BrokerConfig bad_perm = base();
  bad_perm.broker_permission = 9;
  CHECK_THAT(error(bad_perm), Catch::Contains("brokerPermission 9"));

  BrokerConfig bad_interval = base();
  bad_interval.flush_consumer_offset_interval = 0;
  CHECK_THAT(error(bad_interval), Catch::Contains("flushConsumerOffsetInterval"));
}

TEST_CASE("name server addresses split on ';' and the period is clamped as RocketMQ does") {
  CHECK(internal::SplitNameServerAddresses("a:1; b:2;;") == std::vector<std::string>{"a:1", "b:2"});
  CHECK(internal::SplitNameServerAddresses("").empty());
  BrokerConfig config;
  config.register_name_server_period = 1000;
  CHECK(internal::EffectiveRegisterPeriodMillis(config) == 10000);
  config.register_name_server_period = 90000;
  CHECK(internal::EffectiveRegisterPeriodMillis(config) == 60000);
  config.register_name_server_period = 30000;
  CHECK(internal::EffectiveRegisterPeriodMillis(config) == 30000);
}

}  // namespace
}  // namespace rmq
