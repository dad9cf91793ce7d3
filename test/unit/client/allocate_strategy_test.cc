// Copyright 2026 The rmq Authors. Licensed under the Apache License, Version 2.0.
//
// Where the expected shares come from: Apache RocketMQ itself. A scratch Java
// program ran the real classes of org.apache.rocketmq:rocketmq-client:4.9.8
// (AllocateMessageQueueAveragely, ...AveragelyByCircle, ...ConsistentHash,
// ...ByConfig, ...ByMachineRoom, on OpenJDK 17) over exactly the inputs built
// below and printed, for every consumer id, the indexes into the queue list of
// the queues allocate() returned, in its order; those tables are pasted here.
// It printed "THROWS IllegalArgumentException" for an empty current id, queue
// list or id list, which rmq turns into InvalidArgument.
//
// The consistent-hash tables were also recomputed independently in python3:
// hash(s) = int.from_bytes(hashlib.md5(s.encode()).digest()[:4], "big"); the
// ring maps hash(f"{cid}-{i}") to cid for i in range(vnodes), consumers in list
// order (a repeated cid continues at i = its points so far); a queue goes to
// the owner of the first ring key >= hash("MessageQueue [topic=T, brokerName=B,
// queueId=N]") (bisect_left), wrapping to the smallest. Both agreed on every
// table.

#include "rmq/allocate_strategy.h"

#include <algorithm>
#include <catch2/catch.hpp>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"

namespace {

using rmq::AllocateMessageQueueAveragely;
using rmq::AllocateMessageQueueAveragelyByCircle;
using rmq::AllocateMessageQueueByConfig;
using rmq::AllocateMessageQueueByMachineRoom;
using rmq::AllocateMessageQueueConsistentHash;
using rmq::AllocateMessageQueueStrategy;
using rmq::MessageQueue;

// Queues of `topic`: for each (broker, count), queue ids 0..count-1. Built in
// sorted order, as RebalanceImpl passes them.
std::vector<MessageQueue> Queues(const std::string& topic,
                                 std::vector<std::pair<std::string, int>> brokers) {
  std::vector<MessageQueue> queues;
  for (const auto& [broker, count] : brokers) {
    for (int id = 0; id < count; ++id) queues.emplace_back(topic, broker, id);
  }
  return queues;
}

// "cid-0" .. "cid-<n-1>" (sorted for n <= 10).
std::vector<std::string> Cids(int n) {
  std::vector<std::string> cids;
  for (int i = 0; i < n; ++i) cids.push_back("cid-" + std::to_string(i));
  return cids;
}

// The queues at `indexes` of `queues`, in that order.
std::vector<MessageQueue> Pick(const std::vector<MessageQueue>& queues,
                               const std::vector<int>& indexes) {
  std::vector<MessageQueue> picked;
  for (int i : indexes) picked.push_back(queues.at(static_cast<size_t>(i)));
  return picked;
}

// Each consumer's share as RocketMQ computed it (indexes into the queues).
using Shares = std::map<std::string, std::vector<int>>;

// Checks that each consumer of `cids` gets exactly RocketMQ's share.
void CheckShares(const AllocateMessageQueueStrategy& strategy,
                 const std::vector<MessageQueue>& queues, const std::vector<std::string>& cids,
                 const Shares& expected) {
  for (const auto& [cid, indexes] : expected) {
    INFO(strategy.name() << " share of " << cid);
    auto share = strategy.Allocate("group", cid, queues, cids);
    REQUIRE(share.ok());
    CHECK(*share == Pick(queues, indexes));
  }
}

// Checks that the shares of all of `cids` together cover every queue once.
void CheckCoversEveryQueueOnce(const AllocateMessageQueueStrategy& strategy,
                               const std::vector<MessageQueue>& queues,
                               const std::vector<std::string>& cids) {
  std::map<MessageQueue, int> owners;
  for (const std::string& cid : cids) {
    auto share = strategy.Allocate("group", cid, queues, cids);
    REQUIRE(share.ok());
    for (const MessageQueue& queue : *share) ++owners[queue];
  }
  INFO(strategy.name() << " with " << queues.size() << " queues, " << cids.size()
                       << " consumers");
  CHECK(owners.size() == queues.size());
  for (const auto& [queue, count] : owners) {
    INFO(queue.ToString());
    CHECK(count == 1);
  }
}

const std::vector<MessageQueue> kQueues8 = Queues("TopicTest", {{"broker-a", 4}, {"broker-b", 4}});
const std::vector<MessageQueue> kQueues3 = Queues("TopicTest", {{"broker-a", 3}});
const std::vector<MessageQueue> kQueues10 = Queues("TopicTest", {{"broker-a", 5}, {"broker-b", 5}});
const std::vector<MessageQueue> kQueues16 = Queues("OrderTopic", {{"broker-a", 8}, {"broker-b", 8}});
const std::vector<std::string> kHostCids = {"10.0.0.1@4001", "10.0.0.2@4002", "10.0.0.3@4003"};

}  // namespace

TEST_CASE("strategies carry RocketMQ's names", "[allocate]") {
  CHECK(AllocateMessageQueueAveragely().name() == "AVG");
  CHECK(AllocateMessageQueueAveragelyByCircle().name() == "AVG_BY_CIRCLE");
  CHECK(AllocateMessageQueueConsistentHash().name() == "CONSISTENT_HASH");
  CHECK(AllocateMessageQueueByConfig({}).name() == "CONFIG");
  CHECK(AllocateMessageQueueByMachineRoom({}).name() == "MACHINE_ROOM");
  CHECK(AllocateMessageQueueConsistentHash().virtual_node_count() == 10);
}

TEST_CASE("AVG gives contiguous blocks, the first ones one larger", "[allocate]") {
  const AllocateMessageQueueAveragely avg;
  SECTION("8 queues, 3 consumers") {
    CheckShares(avg, kQueues8, Cids(3),
                {{"cid-0", {0, 1, 2}}, {"cid-1", {3, 4, 5}}, {"cid-2", {6, 7}}});
  }
  SECTION("3 queues, 8 consumers") {
    CheckShares(avg, kQueues3, Cids(8),
                {{"cid-0", {0}}, {"cid-1", {1}}, {"cid-2", {2}}, {"cid-3", {}}, {"cid-4", {}},
                 {"cid-5", {}}, {"cid-6", {}}, {"cid-7", {}}});
  }
  SECTION("one consumer") {
    CheckShares(avg, kQueues8, Cids(1), {{"cid-0", {0, 1, 2, 3, 4, 5, 6, 7}}});
  }
  SECTION("uneven splits") {
    CheckShares(avg, kQueues10, Cids(4),
                {{"cid-0", {0, 1, 2}}, {"cid-1", {3, 4, 5}}, {"cid-2", {6, 7}}, {"cid-3", {8, 9}}});
    CheckShares(avg, kQueues16, Cids(5),
                {{"cid-0", {0, 1, 2, 3}},
                 {"cid-1", {4, 5, 6}},
                 {"cid-2", {7, 8, 9}},
                 {"cid-3", {10, 11, 12}},
                 {"cid-4", {13, 14, 15}}});
  }
  SECTION("a repeated consumer id takes its first position") {
    const std::vector<std::string> cids = {"cid-0", "cid-0", "cid-1"};
    CheckShares(avg, kQueues8, cids, {{"cid-0", {0, 1, 2}}, {"cid-1", {6, 7}}});
  }
  SECTION("every queue once") {
    CheckCoversEveryQueueOnce(avg, kQueues8, Cids(3));
    CheckCoversEveryQueueOnce(avg, kQueues3, Cids(8));
    CheckCoversEveryQueueOnce(avg, kQueues8, Cids(1));
    CheckCoversEveryQueueOnce(avg, kQueues10, Cids(4));
    CheckCoversEveryQueueOnce(avg, kQueues16, Cids(5));
    CheckCoversEveryQueueOnce(avg, kQueues8, Cids(8));
  }
}

TEST_CASE("AVG_BY_CIRCLE deals queues round robin", "[allocate]") {
  const AllocateMessageQueueAveragelyByCircle circle;
  SECTION("8 queues, 3 consumers") {
    CheckShares(circle, kQueues8, Cids(3),
                {{"cid-0", {0, 3, 6}}, {"cid-1", {1, 4, 7}}, {"cid-2", {2, 5}}});
  }
  SECTION("3 queues, 8 consumers") {
    CheckShares(circle, kQueues3, Cids(8),
                {{"cid-0", {0}}, {"cid-1", {1}}, {"cid-2", {2}}, {"cid-3", {}}, {"cid-4", {}},
                 {"cid-5", {}}, {"cid-6", {}}, {"cid-7", {}}});
  }
  SECTION("one consumer") {
    CheckShares(circle, kQueues8, Cids(1), {{"cid-0", {0, 1, 2, 3, 4, 5, 6, 7}}});
  }
  SECTION("uneven splits") {
    CheckShares(circle, kQueues10, Cids(4),
                {{"cid-0", {0, 4, 8}}, {"cid-1", {1, 5, 9}}, {"cid-2", {2, 6}}, {"cid-3", {3, 7}}});
    CheckShares(circle, kQueues16, Cids(5),
                {{"cid-0", {0, 5, 10, 15}},
                 {"cid-1", {1, 6, 11}},
                 {"cid-2", {2, 7, 12}},
                 {"cid-3", {3, 8, 13}},
                 {"cid-4", {4, 9, 14}}});
    CheckShares(circle, kQueues8, kHostCids,
                {{"10.0.0.1@4001", {0, 3, 6}}, {"10.0.0.2@4002", {1, 4, 7}},
                 {"10.0.0.3@4003", {2, 5}}});
  }
  SECTION("a repeated consumer id takes its first position") {
    const std::vector<std::string> cids = {"cid-0", "cid-0", "cid-1"};
    CheckShares(circle, kQueues8, cids, {{"cid-0", {0, 3, 6}}, {"cid-1", {2, 5}}});
  }
  SECTION("every queue once") {
    CheckCoversEveryQueueOnce(circle, kQueues8, Cids(3));
    CheckCoversEveryQueueOnce(circle, kQueues3, Cids(8));
    CheckCoversEveryQueueOnce(circle, kQueues8, Cids(1));
    CheckCoversEveryQueueOnce(circle, kQueues10, Cids(4));
    CheckCoversEveryQueueOnce(circle, kQueues16, Cids(5));
  }
}

TEST_CASE("CONSISTENT_HASH routes queues on RocketMQ's MD5 ring", "[allocate]") {
  const AllocateMessageQueueConsistentHash ring;  // 10 virtual nodes
  SECTION("8 queues, 3 consumers") {
    CheckShares(ring, kQueues8, Cids(3),
                {{"cid-0", {1, 4, 7}}, {"cid-1", {0, 3, 5, 6}}, {"cid-2", {2}}});
  }
  SECTION("3 queues, 8 consumers") {
    CheckShares(ring, kQueues3, Cids(8),
                {{"cid-0", {}}, {"cid-1", {}}, {"cid-2", {}}, {"cid-3", {}}, {"cid-4", {1, 2}},
                 {"cid-5", {}}, {"cid-6", {}}, {"cid-7", {0}}});
  }
  SECTION("one consumer") {
    CheckShares(ring, kQueues8, Cids(1), {{"cid-0", {0, 1, 2, 3, 4, 5, 6, 7}}});
  }
  SECTION("uneven splits") {
    CheckShares(ring, kQueues10, Cids(4),
                {{"cid-0", {1, 5}}, {"cid-1", {0, 6, 9}}, {"cid-2", {2}}, {"cid-3", {3, 4, 7, 8}}});
    CheckShares(ring, kQueues16, Cids(5),
                {{"cid-0", {3, 5, 7, 11, 12, 13, 15}},
                 {"cid-1", {8, 9, 14}},
                 {"cid-2", {4, 6}},
                 {"cid-3", {2}},
                 {"cid-4", {0, 1, 10}}});
    CheckShares(ring, kQueues8, kHostCids,
                {{"10.0.0.1@4001", {6, 7}}, {"10.0.0.2@4002", {1, 2, 3}},
                 {"10.0.0.3@4003", {0, 4, 5}}});
  }
  SECTION("other virtual node counts") {
    CheckShares(AllocateMessageQueueConsistentHash(3), kQueues8, Cids(3),
                {{"cid-0", {1, 3, 4, 6, 7}}, {"cid-1", {0, 2, 5}}, {"cid-2", {}}});
    CheckShares(AllocateMessageQueueConsistentHash(1), kQueues16, Cids(5),
                {{"cid-0", {4, 13}},
                 {"cid-1", {0, 1, 3, 5, 6, 7, 8, 9, 11, 12, 14}},
                 {"cid-2", {}},
                 {"cid-3", {2, 10}},
                 {"cid-4", {15}}});
    // No points on the ring: nobody gets anything.
    CheckShares(AllocateMessageQueueConsistentHash(0), kQueues8, Cids(3),
                {{"cid-0", {}}, {"cid-1", {}}, {"cid-2", {}}});
  }
  SECTION("a repeated consumer id adds points cid-10 .. cid-19") {
    const std::vector<std::string> cids = {"cid-0", "cid-0", "cid-1"};
    CheckShares(ring, kQueues8, cids, {{"cid-0", {1, 2, 4, 7}}, {"cid-1", {0, 3, 5, 6}}});
  }
  SECTION("every queue once") {
    CheckCoversEveryQueueOnce(ring, kQueues8, Cids(3));
    CheckCoversEveryQueueOnce(ring, kQueues3, Cids(8));
    CheckCoversEveryQueueOnce(ring, kQueues8, Cids(1));
    CheckCoversEveryQueueOnce(ring, kQueues10, Cids(4));
    CheckCoversEveryQueueOnce(ring, kQueues16, Cids(5));
    CheckCoversEveryQueueOnce(ring, kQueues8, kHostCids);
  }
  SECTION("a negative virtual node count is refused") {
    auto share = AllocateMessageQueueConsistentHash(-1).Allocate("group", "cid-0", kQueues8, Cids(3));
    CHECK(share.status().code() == absl::StatusCode::kInvalidArgument);
  }
}

TEST_CASE("a consumer the group does not list gets nothing", "[allocate]") {
  const AllocateMessageQueueAveragely avg;
  const AllocateMessageQueueAveragelyByCircle circle;
  const AllocateMessageQueueConsistentHash ring;
  const AllocateMessageQueueByMachineRoom room({"hz"});
  const std::vector<MessageQueue> room_queues = Queues("TopicTest", {{"hz@broker-a", 4}});
  for (const AllocateMessageQueueStrategy* strategy :
       std::vector<const AllocateMessageQueueStrategy*>{&avg, &circle, &ring}) {
    INFO(strategy->name());
    auto share = strategy->Allocate("group", "cid-9", kQueues8, Cids(3));
    REQUIRE(share.ok());
    CHECK(share->empty());
  }
  auto share = room.Allocate("group", "cid-9", room_queues, Cids(3));
  REQUIRE(share.ok());
  CHECK(share->empty());
}

TEST_CASE("input RocketMQ rejects is InvalidArgument", "[allocate]") {
  const AllocateMessageQueueAveragely avg;
  const AllocateMessageQueueAveragelyByCircle circle;
  const AllocateMessageQueueConsistentHash ring;
  const AllocateMessageQueueByMachineRoom room({"hz"});
  const std::vector<MessageQueue> no_queues;
  const std::vector<std::string> no_cids;
  for (const AllocateMessageQueueStrategy* strategy :
       std::vector<const AllocateMessageQueueStrategy*>{&avg, &circle, &ring, &room}) {
    INFO(strategy->name());
    auto empty_cid = strategy->Allocate("group", "", kQueues8, Cids(3));
    CHECK(empty_cid.status().code() == absl::StatusCode::kInvalidArgument);
    auto empty_queues = strategy->Allocate("group", "cid-0", no_queues, Cids(3));
    CHECK(empty_queues.status().code() == absl::StatusCode::kInvalidArgument);
    auto empty_cids = strategy->Allocate("group", "cid-0", kQueues8, no_cids);
    CHECK(empty_cids.status().code() == absl::StatusCode::kInvalidArgument);
  }
}

TEST_CASE("CONFIG returns its fixed queues whatever it is asked", "[allocate]") {
  const AllocateMessageQueueByConfig by_config({kQueues8[5], kQueues8[1]});
  const std::vector<MessageQueue> expected = {kQueues8[5], kQueues8[1]};
  // RocketMQ checks nothing here: even an unknown or empty consumer id gets them.
  for (const char* cid : {"cid-0", "cid-1", "cid-2", "cid-9", ""}) {
    INFO("consumer '" << cid << "'");
    auto share = by_config.Allocate("group", cid, kQueues8, Cids(3));
    REQUIRE(share.ok());
    CHECK(*share == expected);
  }
  CHECK(by_config.queues() == expected);
}

TEST_CASE("MACHINE_ROOM splits the queues of the chosen rooms", "[allocate]") {
  // Sorted as RebalanceImpl sorts them. Eligible for {hz, sh}: 5-8 (hz@broker-a),
  // 9 (trailing '@' ignored, as Java's split does), 11-13 (sh@broker-b); never
  // 3-4 (no room) or 10 (three parts).
  const std::vector<MessageQueue> queues = Queues("TopicTest", {{"@broker-f", 1},      // 0
                                                                {"bj@broker-c", 2},    // 1-2
                                                                {"broker-plain", 2},   // 3-4
                                                                {"hz@broker-a", 4},    // 5-8
                                                                {"hz@broker-e@", 1},   // 9
                                                                {"hz@x@y", 1},         // 10
                                                                {"sh@broker-b", 3}});  // 11-13
  REQUIRE(std::is_sorted(queues.begin(), queues.end()));
  const AllocateMessageQueueByMachineRoom hz_sh({"hz", "sh"});
  SECTION("3 consumers: blocks of 2, the 2 left over to the first two") {
    CheckShares(hz_sh, queues, Cids(3),
                {{"cid-0", {5, 6, 12}}, {"cid-1", {7, 8, 13}}, {"cid-2", {9, 11}}});
  }
  SECTION("4 consumers: even blocks") {
    CheckShares(hz_sh, queues, Cids(4),
                {{"cid-0", {5, 6}}, {"cid-1", {7, 8}}, {"cid-2", {9, 11}}, {"cid-3", {12, 13}}});
  }
  SECTION("more consumers than eligible queues") {
    const std::vector<std::string> cids = {"cid-0", "cid-1", "cid-2", "cid-3", "cid-4",
                                           "cid-5", "cid-6", "cid-7", "cid-8", "cid-9"};
    CheckShares(hz_sh, queues, cids,
                {{"cid-0", {5}}, {"cid-1", {6}}, {"cid-2", {7}}, {"cid-3", {8}}, {"cid-4", {9}},
                 {"cid-5", {11}}, {"cid-6", {12}}, {"cid-7", {13}}, {"cid-8", {}}, {"cid-9", {}}});
  }
  SECTION("the empty room of '@broker-f'") {
    CheckShares(AllocateMessageQueueByMachineRoom({"", "bj"}), queues, Cids(2),
                {{"cid-0", {0, 2}}, {"cid-1", {1}}});
  }
  SECTION("no broker in the room") {
    CheckShares(AllocateMessageQueueByMachineRoom({"gz"}), queues, Cids(2),
                {{"cid-0", {}}, {"cid-1", {}}});
  }
}
