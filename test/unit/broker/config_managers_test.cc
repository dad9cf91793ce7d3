// Copyright 2026 The rmq Authors. Licensed under the Apache License, Version 2.0.
//
// The broker's config tables on their own: topics.json, subscriptionGroup.json
// and the persister under them.

#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <catch2/catch.hpp>

#include "common/config_persister.h"
#include "broker/message_batch_codec.h"
#include "broker/subscription_group_manager.h"
#include "broker/topic_config_manager.h"
#include "rmq/broker.h"
#include "support/temp_dir.h"

namespace rmq::internal {
namespace {

using testing::TempDir;

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

BrokerConfig Config(const TempDir& dir) {
  BrokerConfig config;
  config.broker_cluster_name = "C1";
  config.broker_name = "b1";
  config.store.store_path_root_dir = dir.path();
  return config;
}

TEST_CASE("the topic table starts with RocketMQ's system topics") {
  TempDir dir;
  BrokerConfig config = Config(dir);
  config.default_topic_queue_nums = 6;
  VirtualClock clock;
  TopicConfigManager topics(config, clock, nullptr);
  auto tbw = topics.Find("TBW102");
  REQUIRE(tbw.has_value());
  CHECK(tbw->write_queue_nums == 6);
  CHECK(tbw->perm == 7);  // inherit | read | write
  CHECK(topics.Find("SELF_TEST_TOPIC")->write_queue_nums == 1);
  CHECK(topics.Find("BenchmarkTest")->write_queue_nums == 1024);
  CHECK(topics.Find("C1")->perm == 7);
  CHECK(topics.Find("b1")->write_queue_nums == 1);
  CHECK(topics.Find("OFFSET_MOVED_EVENT")->write_queue_nums == 1);
  CHECK(topics.Find("SCHEDULE_TOPIC_XXXX")->write_queue_nums == 18);
  CHECK(topics.Find("C1_REPLY_TOPIC").has_value());
  CHECK_FALSE(topics.Find("RMQ_SYS_TRACE_TOPIC").has_value());
  CHECK(topics.IsSystemTopic("b1"));
  CHECK(topics.IsSystemTopic("RMQ_SYS_TRANS_HALF_TOPIC"));
  CHECK_FALSE(topics.IsSystemTopic("Orders"));

  BrokerConfig no_auto = Config(dir);
  no_auto.auto_create_topic_enable = false;
  no_auto.trace_topic_enable = true;
  TopicConfigManager strict(no_auto, clock, nullptr);
  CHECK_FALSE(strict.Find("TBW102").has_value());
  CHECK(strict.Find("RMQ_SYS_TRACE_TOPIC").has_value());
}

TEST_CASE("a topic is created from a default topic only if it may be inherited") {
  TempDir dir;
  BrokerConfig config = Config(dir);
  VirtualClock clock;
  int changes = 0;
  TopicConfigManager topics(config, clock, [&] { ++changes; });

  auto created = topics.CreateTopicInSendMessageMethod("A", "TBW102", "client", 2, 0);
  REQUIRE(created.has_value());
  CHECK(created->write_queue_nums == 2);
  CHECK(created->perm == 6);
  CHECK(changes == 1);
  // Existing: returned as is, nothing changes.
  CHECK(topics.CreateTopicInSendMessageMethod("A", "TBW102", "client", 8, 0)->write_queue_nums == 2);
  CHECK(changes == 1);
  // A default topic without the inherit bit, or none, creates nothing.
  CHECK_FALSE(topics.CreateTopicInSendMessageMethod("B", "SELF_TEST_TOPIC", "c", 2, 0).has_value());
  CHECK_FALSE(topics.CreateTopicInSendMessageMethod("B", "NoSuchDefault", "c", 2, 0).has_value());
  CHECK(changes == 1);

  auto retry = topics.CreateTopicInSendMessageBackMethod("%RETRY%G", 1, 6, 0);
  CHECK(retry.write_queue_nums == 1);
  CHECK(changes == 2);
}

TEST_CASE("topics.json is RocketMQ's TopicConfigSerializeWrapper and reloads") {
  TempDir dir;
  BrokerConfig config = Config(dir);
  VirtualClock clock;
  {
    TopicConfigManager topics(config, clock, nullptr);
    TopicConfig t;
    t.topic_name = "Orders";
    t.read_queue_nums = 3;
    t.write_queue_nums = 3;
    t.order = true;
    REQUIRE(topics.UpdateTopicConfig(t).ok());
    std::string json = ReadFile(topics.file_path());
    CHECK_THAT(json, Catch::Contains("\"topicConfigTable\"") && Catch::Contains("\"dataVersion\"") &&
                         Catch::Contains("\"Orders\""));
    REQUIRE(topics.DeleteTopicConfig("BenchmarkTest"));
  }
  TopicConfigManager reloaded(config, clock, nullptr);
  REQUIRE(reloaded.Load().ok());
  CHECK(reloaded.Find("Orders")->order);
  CHECK(reloaded.Find("Orders")->write_queue_nums == 3);
  CHECK(reloaded.data_version().counter == 2);
  // The built-in topics come back (RocketMQ builds them before loading the file).
  CHECK(reloaded.Find("BenchmarkTest").has_value());
}

// A send that finds a topic another send is creating is acknowledged at
// once; if topics.json did not have the topic yet, a crash right then would
// keep that message and lose its topic (the broker restarts without it, the
// name servers route no one to it). So a topic must be visible only once
// persisted.
TEST_CASE("a created topic is in topics.json before Lookup finds it") {
  TempDir dir;
  BrokerConfig config = Config(dir);
  VirtualClock clock;
  TopicConfigManager topics(config, clock, nullptr);
  constexpr int kTopics = 30;
  auto name = [](int i) { return "New" + std::to_string(i); };
  std::atomic<int> seen{0};
  std::vector<std::string> missing;
  std::thread watcher([&] {
    for (int i = 0; i < kTopics; ++i) {
      const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
      while (!topics.Lookup(name(i)).has_value() && std::chrono::steady_clock::now() < deadline) {
        std::this_thread::yield();
      }
      // What a crash right now would leave.
      if (ReadFile(topics.file_path()).find("\"" + name(i) + "\"") == std::string::npos) {
        missing.push_back(name(i));
      }
      seen = i + 1;
    }
  });
  for (int i = 0; i < kTopics; ++i) {
    // One at a time, each while the watcher waits for it.
    switch (i % 3) {
      case 0:
        CHECK(topics.CreateTopicInSendMessageMethod(name(i), "TBW102", "client", 4, 0).has_value());
        break;
      case 1:
        topics.CreateTopicInSendMessageBackMethod(name(i), 1, 6, 0);
        break;
      default: {
        TopicConfig t;
        t.topic_name = name(i);
        CHECK(topics.UpdateTopicConfig(t).ok());
      }
    }
    while (seen.load() <= i) std::this_thread::yield();
  }
  watcher.join();
  INFO("visible before persisted: " << missing.size() << " of " << kTopics);
  CHECK(missing.empty());
}

TEST_CASE("a corrupt topics.json without a backup stops the load with the file's name") {
  TempDir dir;
  BrokerConfig config = Config(dir);
  VirtualClock clock;
  std::filesystem::create_directories(dir.Sub("config"));
  std::ofstream(dir.Sub("config/topics.json")) << "{\"topicConfigTable\": 5}";
  TopicConfigManager topics(config, clock, nullptr);
  absl::Status s = topics.Load();
  CHECK(s.code() == absl::StatusCode::kDataLoss);
  CHECK_THAT(std::string(s.message()), Catch::Contains("topics.json"));
}

TEST_CASE("subscription groups are created on demand only while allowed") {
  TempDir dir;
  BrokerConfig config = Config(dir);
  VirtualClock clock;
  SubscriptionGroupManager groups(config, clock);
  auto g = groups.FindOrCreate("G");
  REQUIRE(g.has_value());
  CHECK(g->consume_enable);
  CHECK(g->retry_queue_nums == 1);
  CHECK(g->retry_max_times == 16);
  CHECK(g->notify_consumer_ids_changed_enable);
  CHECK_THAT(ReadFile(groups.file_path()), Catch::Contains("\"subscriptionGroupTable\""));

  BrokerConfig strict_config = Config(dir);
  strict_config.auto_create_subscription_group = false;
  SubscriptionGroupManager strict(strict_config, clock);
  CHECK_FALSE(strict.FindOrCreate("H").has_value());
  CHECK(strict.FindOrCreate("CID_RMQ_SYS_TRANS").has_value());  // System groups always.
  CHECK(strict.FindOrCreate("TOOLS_CONSUMER").has_value());
}

TEST_CASE("PersistConfigFile keeps the previous content as .bak") {
  TempDir dir;
  const std::string path = dir.Sub("config/x.json");
  REQUIRE(PersistConfigFile(path, "one").ok());
  REQUIRE(PersistConfigFile(path, "two").ok());
  CHECK(ReadFile(path) == "two");
  CHECK(ReadFile(path + ".bak") == "one");
  CHECK_FALSE(std::filesystem::exists(path + ".tmp"));

  std::string seen;
  auto loaded = LoadConfigFile(path, [&](std::string_view text) {
    seen = std::string(text);
    return text == "two" ? absl::InvalidArgumentError("rejected") : absl::OkStatus();
  });
  REQUIRE(loaded.ok());
  CHECK(*loaded);
  CHECK(seen == "one");  // The file was rejected, the backup used.

  auto none = LoadConfigFile(dir.Sub("config/none.json"), [](std::string_view) {
    return absl::OkStatus();
  });
  REQUIRE(none.ok());
  CHECK_FALSE(*none);
}

TEST_CASE("batch bodies decode as MessageDecoder.encodeMessages wrote them") {
  Message a("T", "TagA", "first");
  a.set_flag(3);
  Message b("T", "");
  std::string body;
  EncodeBatchEntry(a, &body);
  EncodeBatchEntry(b, &body);
  std::vector<BatchEntry> entries;
  REQUIRE(DecodeMessageBatch(body, &entries).ok());
  REQUIRE(entries.size() == 2);
  CHECK(entries[0].flag == 3);
  CHECK(entries[0].body == "first");
  CHECK(entries[0].properties == std::string("TAGS\x01TagA\x02", 10));
  CHECK(entries[1].body.empty());
  CHECK(entries[1].properties.empty());

  CHECK_FALSE(DecodeMessageBatch(body.substr(0, 10), &entries).ok());
  std::string bad_body_len = body;
  bad_body_len[19] = 100;  // Body length past the entry.
  CHECK_THAT(std::string(DecodeMessageBatch(bad_body_len, &entries).message()),
             Catch::Contains("message 0"));
  std::string trailing = body + "x";
  CHECK_THAT(std::string(DecodeMessageBatch(trailing, &entries).message()),
             Catch::Contains("message 2"));
}

}  // namespace
}  // namespace rmq::internal
