// Copyright 2026 The rmq Authors. Licensed under the Apache License, Version 2.0.
//
// rmq-admin as a user runs it, against an EmbeddedCluster served over TCP on
// loopback: every command, its --json document, and its errors.

#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "nlohmann/json.hpp"
#include "rmq/cluster.h"
#include "support/messaging.h"
#include "support/run_command.h"

namespace rmq::testing {
namespace {

using Json = nlohmann::json;

class AdminFixture {
 public:
  AdminFixture() {
    EmbeddedClusterOptions options;
    options.store_dir = dir_.Sub("store");
    UseTestSizedStore(&options.broker.store);
    options.listen_tcp = true;
    auto cluster = EmbeddedCluster::Start(options);
    INFO(cluster.status().ToString());
    REQUIRE(cluster.ok());
    cluster_ = *std::move(cluster);
    admin_ = BinFromEnv("RMQ_ADMIN_BIN") + " -n " + cluster_->namesrv_address() + " ";
  }

  // rmq-admin ARGS; stderr merged.
  CommandRun Admin(const std::string& args) { return RunCommand(admin_ + args); }
  // rmq-admin ARGS --json, which must succeed; its document.
  Json AdminJson(const std::string& args) {
    CommandRun run = RunCommand(admin_ + args + " --json", /*merge_stderr=*/false);
    INFO(args << "\n" << run.out);
    REQUIRE(run.exit_code == 0);
    Json doc = Json::parse(run.out, nullptr, /*allow_exceptions=*/false);
    REQUIRE_FALSE(doc.is_discarded());
    return doc;
  }

  EmbeddedCluster& cluster() { return *cluster_; }
  PushConsumerConfig ConsumerConfig(const std::string& group) {
    PushConsumerConfig config;
    config.namesrv_addr = cluster_->namesrv_address();
    config.group_name = group;
    config.instance_name = "admin-test-consumer";
    config.persist_consumer_offset_interval = 200;  // ms: progress reaches the broker soon
    return config;
  }

 private:
  TempDir dir_;
  std::unique_ptr<EmbeddedCluster> cluster_;
  std::string admin_;
};

TEST_CASE("rmq-admin: topics, sending and finding messages", "[admin]") {
  AdminFixture f;
  Json created = f.AdminJson("updateTopic -t Orders -c DefaultCluster -r 2 -w 2");
  CHECK(created["writeQueueNums"] == 2);
  CHECK(f.AdminJson("topicList").get<std::vector<std::string>>() ==
        std::vector<std::string>{"BenchmarkTest", "DefaultCluster", "DefaultCluster_REPLY_TOPIC",
                                 "OFFSET_MOVED_EVENT", "Orders", "SCHEDULE_TOPIC_XXXX",
                                 "SELF_TEST_TOPIC", "TBW102", "broker-a"});
  Json route = f.AdminJson("topicRoute -t Orders");
  REQUIRE(route["queueDatas"].size() == 1);
  CHECK(route["queueDatas"][0]["writeQueueNums"] == 2);

  Json sent = f.AdminJson("sendMessage -t Orders -p hello -k order-1 -c TagA -b broker-a -i 1");
  CHECK(sent["sendStatus"] == "SEND_OK");
  CHECK(sent["queueId"] == 1);
  f.AdminJson("sendMessage -t Orders -p world -k order-2 -c TagB -b broker-a -i 1");
  f.cluster().broker().store()->WaitForDispatch();

  Json status = f.AdminJson("topicStatus -t Orders");
  REQUIRE(status.size() == 2);
  CHECK(status[1]["queueId"] == 1);
  CHECK(status[1]["maxOffset"] == 2);
  CHECK(status[1]["lastUpdateTimestamp"].get<int64_t>() > 0);
  CHECK(status[0]["maxOffset"] == 0);
  CHECK_THAT(f.Admin("topicStatus -t Orders").out,
             Catch::Contains("#Broker Name  #QID  #Min Offset  #Max Offset  #Last Updated"));

  Json by_key = f.AdminJson("queryMsgByKey -t Orders -k order-2");
  REQUIRE(by_key.size() == 1);
  CHECK(by_key[0]["body"] == "world");
  Json by_id = f.AdminJson("queryMsgById -i " + sent["offsetMsgId"].get<std::string>());
  CHECK(by_id["body"] == "hello");
  CHECK(by_id["tags"] == "TagA");
  CHECK(by_id["keys"] == "order-1");
  CHECK(by_id["msgId"] == sent["msgId"]);
  // The msgId sendMessage prints is a UNIQ_KEY: found with its topic, and
  // without one a clear error saying what to give.
  const std::string uniq_key = sent["msgId"].get<std::string>();
  Json by_uniq_key = f.AdminJson("queryMsgById -i " + uniq_key + " -t Orders");
  CHECK(by_uniq_key["body"] == "hello");
  CHECK(by_uniq_key["offsetMsgId"] == sent["offsetMsgId"]);
  Json by_unique_key_command = f.AdminJson("queryMsgByUniqueKey -i " + uniq_key + " -t Orders");
  CHECK(by_unique_key_command["body"] == "hello");
  CHECK(by_unique_key_command["offsetMsgId"] == sent["offsetMsgId"]);
  CHECK(f.Admin("queryMsgByUniqueKey -i " + uniq_key).exit_code == 2);  // -t is required.
  CommandRun no_topic = f.Admin("queryMsgById -i " + uniq_key);
  CHECK(no_topic.exit_code == 1);
  CHECK_THAT(no_topic.out, Catch::Contains("is not an offset msgId"));
  CHECK_THAT(no_topic.out, Catch::Contains("queryMsgById -i " + uniq_key + " -t TOPIC"));
  CHECK_THAT(no_topic.out, !Catch::Contains("VIEW_MESSAGE_BY_ID"));
  CommandRun unknown = f.Admin("queryMsgById -i 7F00000129AF2E2C6C648B622AFB0000 -t Orders");
  CHECK(unknown.exit_code == 1);
  CHECK_THAT(unknown.out,
             Catch::Contains("no message of topic Orders has msgId (UNIQ_KEY) 7F00000129AF2E2C6C648B622AFB0000"));
  Json by_offset = f.AdminJson("queryMsgByOffset -t Orders -b broker-a -i 1 -o 1");
  CHECK(by_offset["body"] == "world");
  Json consumed = f.AdminJson("consumeMessage -t Orders");
  REQUIRE(consumed.size() == 2);
  CHECK(consumed[0]["body"] == "hello");
  CHECK(consumed[1]["body"] == "world");
  CHECK(f.AdminJson("consumeMessage -t Orders -b broker-a -i 1 -o 1 -c 5").size() == 1);

  SECTION("deleteTopic") {
    f.AdminJson("deleteTopic -t Orders -c DefaultCluster");
    CHECK_FALSE(f.AdminJson("topicList").get<std::set<std::string>>().contains("Orders"));
    CommandRun gone = f.Admin("topicStatus -t Orders");
    CHECK(gone.exit_code == 1);
    CHECK_THAT(gone.out, Catch::Contains("GET_ROUTEINFO_BY_TOPIC"));
  }
}

TEST_CASE("rmq-admin: clusterList and brokerStatus", "[admin]") {
  AdminFixture f;
  f.AdminJson("sendMessage -t TBW102 -p x");
  Json clusters = f.AdminJson("clusterList");
  REQUIRE(clusters.size() == 1);
  CHECK(clusters[0]["cluster"] == "DefaultCluster");
  CHECK(clusters[0]["brokerName"] == "broker-a");
  CHECK(clusters[0]["addr"] == f.cluster().broker_address());
  CHECK(clusters[0]["runtimeInfo"]["msgPutTotalTodayNow"] == "1");
  CHECK_THAT(f.Admin("clusterList").out, Catch::Contains("#Cluster Name"));
  CHECK(f.AdminJson("clusterList -c DefaultCluster").size() == 1);
  CommandRun no_cluster = f.Admin("clusterList -c NoCluster");
  CHECK(no_cluster.exit_code == 1);
  CHECK(no_cluster.out == "rmq-admin: clusterList: the name server knows no cluster NoCluster; "
                          "its clusters: DefaultCluster\n");
  Json status = f.AdminJson("brokerStatus -b " + f.cluster().broker_address());
  CHECK(status[f.cluster().broker_address()]["brokerVersionDesc"] == "V4_9_4");
  CommandRun no_target = f.Admin("brokerStatus");
  CHECK(no_target.exit_code == 2);  // a bad command line
  CHECK_THAT(no_target.out, Catch::Contains("give a broker address (-b) or a cluster (-c)"));
}

TEST_CASE("rmq-admin: groups, progress, connections and resetting offsets", "[admin]") {
  AdminFixture f;
  f.AdminJson("updateTopic -t Jobs -c DefaultCluster -r 1 -w 1");
  Json group = f.AdminJson("updateSubGroup -g Workers -c DefaultCluster -r 3");
  CHECK(group["retryMaxTimes"] == 3);
  for (int i = 0; i < 3; ++i) f.AdminJson("sendMessage -t Jobs -p job" + std::to_string(i));

  {
    Inbox inbox;
    PushConsumer consumer(f.ConsumerConfig("Workers"));
    REQUIRE(consumer.Subscribe("Jobs", "*").ok());
    consumer.RegisterMessageListener(inbox.Listener());
    REQUIRE(consumer.Start().ok());
    REQUIRE(inbox.WaitFor(3));
    Json connection = f.AdminJson("consumerConnection -g Workers");
    REQUIRE(connection["connectionSet"].size() == 1);
    CHECK_THAT(connection["connectionSet"][0]["clientId"].get<std::string>(),
               Catch::Contains("admin-test-consumer"));
    CHECK(connection["subscriptionTable"].contains("Jobs"));

    // The broker resets offsets it has: wait for the member's first commit.
    bool committed = false;
    for (int i = 0; i < 300 && !committed; ++i) {
      Json progress = f.AdminJson("consumerProgress -g Workers -t Jobs");
      committed = progress["queues"].size() == 1 && progress["queues"][0]["consumerOffset"] == 3;
      if (!committed) absl::SleepFor(absl::Milliseconds(100));
    }
    REQUIRE(committed);
    // A member online: the broker tells it, and it consumes again from there.
    Json reset = f.AdminJson("resetOffsetByTime -g Workers -t Jobs -s 0");
    REQUIRE(reset.size() == 1);
    CHECK(reset[0]["offset"] == 0);
    REQUIRE(inbox.WaitFor(6));
    consumer.Shutdown();  // commits its offsets
  }
  Json progress = f.AdminJson("consumerProgress -g Workers -t Jobs");
  REQUIRE(progress["queues"].size() == 1);
  CHECK(progress["queues"][0]["consumerOffset"] == 3);
  CHECK(progress["diffTotal"] == 0);

  CommandRun typo = f.Admin("consumerProgress -g Wrokers");
  CHECK(typo.exit_code == 1);
  CHECK_THAT(typo.out, Catch::Contains("consumer group Wrokers has no consume stats on any broker"));
  CommandRun other_topic = f.Admin("consumerProgress -g Workers -t NoSuchTopic");
  CHECK(other_topic.exit_code == 1);
  CHECK_THAT(other_topic.out, Catch::Contains("for topic NoSuchTopic"));

  CommandRun offline = f.Admin("consumerConnection -g Workers");
  CHECK(offline.exit_code == 1);
  CHECK_THAT(offline.out, Catch::Contains("not online"));

  // No member online: rmq-admin commits the offsets for the time itself.
  Json offline_reset = f.AdminJson("resetOffsetByTime -g Workers -t Jobs -s 0");
  REQUIRE(offline_reset.size() == 1);
  CHECK(offline_reset[0]["offset"] == 0);
  Json after = f.AdminJson("consumerProgress -g Workers");
  CHECK(after["queues"][0]["consumerOffset"] == 0);
  CHECK(after["diffTotal"] == 3);
  // A time after every message: the last one's offset (as RocketMQ 4.9's
  // search by time); -1: the end of the queue.
  CHECK(f.AdminJson("resetOffsetByTime -g Workers -t Jobs -s now")[0]["offset"] == 2);
  CHECK(f.AdminJson("resetOffsetByTime -g Workers -t Jobs -s -1")[0]["offset"] == 3);
  // A date (a leap day) before every message: the first offset.
  CHECK(f.AdminJson("resetOffsetByTime -g Workers -t Jobs -s 2000-02-29#23:59:59:999")[0]["offset"] ==
        0);
  f.AdminJson("resetOffsetByTime -g Workers -t Jobs -s -1");
  CHECK(f.AdminJson("consumerProgress -g Workers")["diffTotal"] == 0);
}

TEST_CASE("rmq-admin: every command-line error exits 2 with CLI11's message", "[admin]") {
  // No server is needed: each is refused before connecting.
  const std::string admin = BinFromEnv("RMQ_ADMIN_BIN") + " -n 127.0.0.1:1 ";
  struct Case {
    std::string args;
    std::string says;
  };
  for (const Case& c : std::vector<Case>{
           {"", "A subcommand is required"},
           {"updateTopic -c DefaultCluster -t", "--topic: 1 required TEXT missing"},
           {"updateTopic -t T -c DefaultCluster -r abc", "--readQueueNums: 'abc' is not a number"},
           {"updateTopic -t T -c DefaultCluster -r 2000",
            "--readQueueNums: 2000 is not in the range 1 to 1024"},
           {"updateTopic -t T -c DefaultCluster --bogus", "not expected: --bogus"},
           {"updateTopic -t T", "give a broker address (-b) or a cluster (-c)"},
           {"updateSubGroup -g G", "give a broker address (-b) or a cluster (-c)"},
           {"sendMessage -t T -p x -b broker-a", "give both -b (broker name) and -i (queue id)"},
           {"queryMsgByOffset -t T -b broker-a -i x -o 0", "--queueId"},
           {"consumeMessage -t T -o -5", "--offset: -5 is less than 0"},
           {"queryMsgByOffset -t T -b broker-a -i 0 -o -1", "--offset: -1 is less than 0"},
           // A time is checked, not normalized into another one.
           {"resetOffsetByTime -g G -t T -s 2026-13-45#99:00:00:000",
            "--timestamp: '2026-13-45#99:00:00:000': month 13 is not 1 to 12"},
           {"resetOffsetByTime -g G -t T -s 2026-02-29#00:00:00:000",
            "day 29 is not 1 to 28 in 2026-02"},
           {"resetOffsetByTime -g G -t T -s 2026-04-31#00:00:00:000", "day 31 is not 1 to 30"},
           {"resetOffsetByTime -g G -t T -s 2026-01-01#24:00:00:000", "hour 24 is not 0 to 23"},
           {"resetOffsetByTime -g G -t T -s 2026-01-01#00:60:00:000", "minute 60 is not 0 to 59"},
           {"resetOffsetByTime -g G -t T -s 2026-01-01#00:00:60:000", "second 60 is not 0 to 59"},
           {"resetOffsetByTime -g G -t T -s 2026-01-01#00:00:00:1000",
            "millisecond 1000 is not 0 to 999"},
           {"resetOffsetByTime -g G -t T -s 2026-01-01#00:00:00", "is neither milliseconds"},
           {"resetOffsetByTime -g G -t T -s 2026-01-01#-1:00:00:000", "is neither milliseconds"},
           {"resetOffsetByTime -g G -t T -s yesterday",
            "--timestamp: 'yesterday' is neither milliseconds since the epoch"},
           {"resetOffsetByTime -g G -t T -s -5", "'-5' is no time"}}) {
    CommandRun run = RunCommand(admin + c.args);
    INFO(c.args << "\n" << run.out);
    CHECK(run.exit_code == 2);
    CHECK_THAT(run.out, Catch::Contains(c.says));
  }
  CommandRun help = RunCommand(admin + "updateTopic --help");
  CHECK(help.exit_code == 0);
  CHECK_THAT(help.out, Catch::Contains("--readQueueNums"));
}

TEST_CASE("rmq-admin: bad command lines and unreachable servers", "[admin]") {
  CommandRun no_namesrv = RunCommand("env -u NAMESRV_ADDR " + BinFromEnv("RMQ_ADMIN_BIN") +
                                     " topicList");
  CHECK(no_namesrv.exit_code == 2);
  CHECK_THAT(no_namesrv.out, Catch::Contains("-n host:port"));
  CommandRun unreachable = RunCommand(BinFromEnv("RMQ_ADMIN_BIN") + " topicList -n 127.0.0.1:1");
  CHECK(unreachable.exit_code == 1);
  CHECK_THAT(unreachable.out,
             Catch::StartsWith("rmq-admin: topicList: GET_ALL_TOPIC_LIST_FROM_NAMESERVER to "
                               "127.0.0.1:1: cannot connect"));
  CommandRun bad_port = RunCommand(BinFromEnv("RMQ_ADMIN_BIN") + " topicList -n 127.0.0.1:99999");
  CHECK(bad_port.exit_code == 1);
  CHECK(bad_port.out ==
        "rmq-admin: topicList: GET_ALL_TOPIC_LIST_FROM_NAMESERVER to 127.0.0.1:99999: port 99999 "
        "is out of range (1-65535)\n");
  // A broker that is not there: the request named once.
  CommandRun no_broker =
      RunCommand(BinFromEnv("RMQ_ADMIN_BIN") + " brokerStatus -n 127.0.0.1:1 -b 127.0.0.1:1");
  CHECK(no_broker.exit_code == 1);
  CHECK_THAT(no_broker.out, Catch::StartsWith("rmq-admin: brokerStatus: GET_BROKER_RUNTIME_INFO to "
                                              "127.0.0.1:1: cannot connect"));
  CHECK(no_broker.out.find("GET_BROKER_RUNTIME_INFO") ==
        no_broker.out.rfind("GET_BROKER_RUNTIME_INFO"));
}

}  // namespace
}  // namespace rmq::testing
