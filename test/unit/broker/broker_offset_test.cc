// Copyright 2026 The rmq Authors. Licensed under the Apache License, Version 2.0.

#include <sys/stat.h>

#include <fstream>
#include <sstream>
#include <string>

#include <catch2/catch.hpp>

#include "broker/consumer_offset_manager.h"
#include "unit/broker/broker_fixture.h"

namespace rmq::testing {
namespace {

using internal::OffsetResponseHeader;

RemotingCommand QueryOffset(BrokerFixture& f, const std::string& group, const std::string& topic,
                            int32_t queue_id) {
  auto header = std::make_unique<internal::QueryConsumerOffsetRequestHeader>();
  header->consumer_group = group;
  header->topic = topic;
  header->queue_id = queue_id;
  return f.Call(RemotingCommand::Request(rq::kQueryConsumerOffset, std::move(header)));
}

void UpdateOffset(BrokerFixture& f, const std::string& group, const std::string& topic,
                  int32_t queue_id, int64_t offset) {
  auto header = std::make_unique<internal::UpdateConsumerOffsetRequestHeader>();
  header->consumer_group = group;
  header->topic = topic;
  header->queue_id = queue_id;
  header->commit_offset = offset;
  REQUIRE(f.Call(RemotingCommand::Request(rq::kUpdateConsumerOffset, std::move(header))).code ==
          rc::kSuccess);
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

TEST_CASE("committed offsets are answered per group, topic and queue") {
  BrokerFixture f;
  UpdateOffset(f, "G1", "T", 0, 12);
  UpdateOffset(f, "G1", "T", 1, 5);
  UpdateOffset(f, "G2", "T", 0, 3);
  RemotingCommand r = QueryOffset(f, "G1", "T", 1);
  REQUIRE(r.code == rc::kSuccess);
  CHECK(ResponseHeader<OffsetResponseHeader>(r).offset == 5);
  RemotingCommand g2 = QueryOffset(f, "G2", "T", 0);
  CHECK(ResponseHeader<OffsetResponseHeader>(g2).offset == 3);
}

TEST_CASE("an uncommitted offset is 0 while the queue still starts at 0, else QUERY_NOT_FOUND") {
  BrokerFixture f;
  REQUIRE(f.broker().CreateTopic("Q", 1).ok());
  // A queue that was never written: the group starts at 0.
  RemotingCommand empty = QueryOffset(f, "New", "Q", 0);
  REQUIRE(empty.code == rc::kSuccess);
  CHECK(ResponseHeader<OffsetResponseHeader>(empty).offset == 0);
  // A young queue whose first message is still at hand: 0 as well.
  REQUIRE(f.Send(Message("Q", "first")).code == rc::kSuccess);
  f.broker().store()->WaitForDispatch();
  RemotingCommand young = QueryOffset(f, "New", "Q", 0);
  REQUIRE(young.code == rc::kSuccess);
  CHECK(ResponseHeader<OffsetResponseHeader>(young).offset == 0);
  // Once the queue's first messages are gone the client decides (ConsumeFromWhere).
  for (int i = 0; i < 150; ++i) REQUIRE(f.Send(Message("Q", std::string(1024, 'x'))).code == rc::kSuccess);
  f.broker().store()->WaitForDispatch();
  REQUIRE(f.broker().store()->DeleteExpiredFiles(/*force=*/true) > 0);
  REQUIRE(f.broker().store()->GetMinOffsetInQueue("Q", 0) > 0);
  RemotingCommand gone = QueryOffset(f, "New", "Q", 0);
  CHECK(gone.code == rc::kQueryNotFound);
}

TEST_CASE("offsets are saved every flushConsumerOffsetInterval and at shutdown, and reloaded") {
  BrokerFixture f([](BrokerConfig& c) { c.flush_consumer_offset_interval = 5000; });
  const std::string path = f.dir().Sub("config/consumerOffset.json");
  UpdateOffset(f, "G", "T", 0, 12);
  UpdateOffset(f, "G", "T", 1, 5);
  f.clock().Advance(absl::Milliseconds(4999));
  CHECK(ReadFile(path).find("12") == std::string::npos);
  f.clock().Advance(absl::Milliseconds(1));
  CHECK(ReadFile(path) == R"({"offsetTable":{"T@G":{"0":12,"1":5}}})");

  UpdateOffset(f, "G", "T", 0, 20);
  f.StopBroker();  // Saves at shutdown, before the next period.
  CHECK(ReadFile(path) == R"({"offsetTable":{"T@G":{"0":20,"1":5}}})");

  f.StartBroker();
  RemotingCommand r = QueryOffset(f, "G", "T", 0);
  REQUIRE(r.code == rc::kSuccess);
  CHECK(ResponseHeader<OffsetResponseHeader>(r).offset == 20);
}

TEST_CASE("RocketMQ's own consumerOffset.json, with bare queue ids, loads") {
  auto table = internal::ConsumerOffsetManager::Decode(
      R"({"offsetTable":{"TopicTest@please_rename_unique_group_name_4":{0:250,1:249},
          "%RETRY%g@g":{0:0}}})",
      "consumerOffset.json");
  INFO(table.status().ToString());
  REQUIRE(table.ok());
  CHECK(table->at("TopicTest@please_rename_unique_group_name_4").at(1) == 249);
  CHECK(table->at("%RETRY%g@g").at(0) == 0);

  auto bad = internal::ConsumerOffsetManager::Decode(R"({"offsetTable":{"nogroup":{"0":1}}})", "f");
  CHECK_FALSE(bad.ok());
  CHECK_THAT(std::string(bad.status().message()), Catch::Contains("topic@group"));
}

TEST_CASE("a damaged consumerOffset.json falls back to its backup") {
  TempDir dir;
  {
    internal::ConsumerOffsetManager offsets(dir.path());
    offsets.CommitOffset("c", "G", "T", 0, 1);
    REQUIRE(offsets.Persist(true).ok());
    offsets.CommitOffset("c", "G", "T", 0, 2);
    REQUIRE(offsets.Persist(true).ok());  // The first version is now the .bak.
  }
  std::ofstream(dir.Sub("config/consumerOffset.json"), std::ios::trunc) << "{not json";
  internal::ConsumerOffsetManager reloaded(dir.path());
  REQUIRE(reloaded.Load().ok());
  CHECK(reloaded.QueryOffset("G", "T", 0) == 1);
}

// The file's inode: a rewrite (temporary file renamed over it) changes it.
ino_t InodeOf(const std::string& path) {
  struct stat st {};
  REQUIRE(::stat(path.c_str(), &st) == 0);
  return st.st_ino;
}

TEST_CASE("consumerOffset.json is rewritten only when an offset changed") {
  TempDir dir;
  internal::ConsumerOffsetManager offsets(dir.path());
  offsets.CommitOffset("c", "G", "T", 0, 5);
  REQUIRE(offsets.Persist(false).ok());
  const ino_t first = InodeOf(offsets.file_path());
  // A consumer's periodic commit of a queue that did not move.
  offsets.CommitOffset("c", "G", "T", 0, 5);
  REQUIRE(offsets.Persist(false).ok());
  CHECK(InodeOf(offsets.file_path()) == first);
  offsets.CommitOffset("c", "G", "T", 0, 6);
  REQUIRE(offsets.Persist(false).ok());
  CHECK(InodeOf(offsets.file_path()) != first);
}

}  // namespace
}  // namespace rmq::testing
