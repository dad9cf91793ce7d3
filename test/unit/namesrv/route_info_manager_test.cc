// Copyright 2026 The rmq Authors. Licensed under the Apache License, Version 2.0.
//
// RouteInfoManager against RocketMQ 4.9's RouteInfoManager semantics: what a
// registration writes, when a re-registration is skipped, how masters and
// slaves share a broker name, and how a broker leaves (unregister, expiry,
// closed channel) taking its broker name, cluster and topics with it.

#include "namesrv/route_info_manager.h"

#include <catch2/catch.hpp>
#include <memory>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "rmq/clock.h"

namespace rmq::internal {
namespace {

// A channel that only has an identity and an address.
class FakeChannel final : public Channel {
 public:
  explicit FakeChannel(std::string address) : address_(std::move(address)) {}
  const std::string& remote_address() const override { return address_; }
  bool active() const override { return true; }
  void InvokeAsync(RemotingCommand, absl::Duration, ResponseCallback done) override {
    std::move(done)(absl::UnavailableError("fake channel"));
  }
  void InvokeOneway(RemotingCommand) override {}

 private:
  std::string address_;
};

TopicConfig Topic(const std::string& name, int32_t queues, int32_t perm = 6) {
  TopicConfig config;
  config.topic_name = name;
  config.read_queue_nums = queues;
  config.write_queue_nums = queues;
  config.perm = perm;
  return config;
}

TopicConfigSerializeWrapper Topics(std::vector<TopicConfig> configs, int64_t counter) {
  TopicConfigSerializeWrapper wrapper;
  for (TopicConfig& config : configs) {
    std::string name = config.topic_name;
    wrapper.topic_config_table[name] = std::move(config);
  }
  wrapper.data_version.timestamp = 1700000000000;
  wrapper.data_version.counter = counter;
  return wrapper;
}

QueueData Queues(const std::string& broker_name, int32_t queues, int32_t perm = 6) {
  QueueData data;
  data.broker_name = broker_name;
  data.read_queue_nums = queues;
  data.write_queue_nums = queues;
  data.perm = perm;
  return data;
}

struct Fixture {
  std::shared_ptr<VirtualClock> clock = std::make_shared<VirtualClock>();
  RouteInfoManager routes{clock, 120000};

  RegisterBrokerResult Register(const std::string& addr, const std::string& name, int64_t id,
                                const TopicConfigSerializeWrapper& topics,
                                const std::shared_ptr<Channel>& channel = nullptr,
                                const std::string& cluster = "DefaultCluster") {
    return routes.RegisterBroker(cluster, addr, name, id, addr + "-ha", topics, channel);
  }
};

TEST_CASE("a channel's remote host is its address parsed; an in-process peer has none") {
  CHECK(FakeChannel("10.0.0.7:53012").remote_host() == HostAddress::Ipv4(10, 0, 0, 7, 53012));
  CHECK(FakeChannel("inproc://client/3").remote_host() == std::nullopt);
  CHECK(FakeChannel("not an address").remote_host() == std::nullopt);
}

TEST_CASE("a master's registration makes routes for its topics") {
  Fixture f;
  RegisterBrokerResult result =
      f.Register("10.0.0.1:10911", "broker-a", 0,
                 Topics({Topic("TopicA", 4), Topic("TopicB", 8)}, 1));
  CHECK(result.master_addr.empty());
  CHECK(result.ha_server_addr.empty());

  auto route = f.routes.PickupTopicRouteData("TopicB");
  REQUIRE(route.ok());
  REQUIRE(route->queue_datas.size() == 1);
  CHECK(route->queue_datas[0] == Queues("broker-a", 8));
  REQUIRE(route->broker_datas.size() == 1);
  CHECK(route->broker_datas[0].cluster == "DefaultCluster");
  CHECK(route->broker_datas[0].broker_name == "broker-a");
  CHECK(route->broker_datas[0].broker_addrs ==
        std::map<int64_t, std::string>{{0, "10.0.0.1:10911"}});
  CHECK_FALSE(route->order_topic_conf.has_value());

  auto missing = f.routes.PickupTopicRouteData("TopicC");
  CHECK(absl::IsNotFound(missing.status()));
}

TEST_CASE("cluster info and topic list reflect every registration") {
  Fixture f;
  f.Register("10.0.0.1:10911", "broker-a", 0, Topics({Topic("TopicA", 4)}, 1));
  f.Register("10.0.0.2:10911", "broker-b", 0, Topics({Topic("TopicB", 4)}, 1), nullptr, "Other");

  ClusterInfo info = f.routes.GetAllClusterInfo();
  CHECK(info.cluster_addr_table ==
        std::map<std::string, std::set<std::string>>{{"DefaultCluster", {"broker-a"}},
                                                     {"Other", {"broker-b"}}});
  REQUIRE(info.broker_addr_table.size() == 2);
  CHECK(info.broker_addr_table["broker-b"].cluster == "Other");
  CHECK(info.broker_addr_table["broker-b"].MasterAddress() == "10.0.0.2:10911");

  CHECK(f.routes.GetAllTopicList().topic_list == std::set<std::string>{"TopicA", "TopicB"});
}

TEST_CASE("an unchanged DataVersion skips the topic table; a new one applies it") {
  Fixture f;
  f.Register("10.0.0.1:10911", "broker-a", 0, Topics({Topic("TopicA", 4)}, 1));
  CHECK_FALSE(f.routes.IsBrokerTopicConfigChanged("10.0.0.1:10911", Topics({}, 1).data_version));
  CHECK(f.routes.IsBrokerTopicConfigChanged("10.0.0.1:10911", Topics({}, 2).data_version));

  // Same version, different table: RocketMQ trusts the version and skips it.
  f.Register("10.0.0.1:10911", "broker-a", 0, Topics({Topic("TopicA", 16), Topic("TopicB", 4)}, 1));
  CHECK(absl::IsNotFound(f.routes.PickupTopicRouteData("TopicB").status()));
  CHECK(f.routes.PickupTopicRouteData("TopicA")->queue_datas[0] == Queues("broker-a", 4));

  // A new version: the broker name's queue data is replaced, new topics added.
  f.Register("10.0.0.1:10911", "broker-a", 0,
             Topics({Topic("TopicA", 16, 4), Topic("TopicB", 4)}, 2));
  CHECK(f.routes.PickupTopicRouteData("TopicA")->queue_datas[0] == Queues("broker-a", 16, 4));
  CHECK(f.routes.PickupTopicRouteData("TopicB").ok());
}

TEST_CASE("unregistering the last broker of a name removes its name, cluster and topics") {
  Fixture f;
  f.Register("10.0.0.1:10911", "broker-a", 0, Topics({Topic("TopicA", 4), Topic("Shared", 4)}, 1));
  f.Register("10.0.0.2:10911", "broker-b", 0, Topics({Topic("Shared", 2)}, 1));

  f.routes.UnregisterBroker("DefaultCluster", "10.0.0.1:10911", "broker-a", 0);

  CHECK(absl::IsNotFound(f.routes.PickupTopicRouteData("TopicA").status()));
  auto shared = f.routes.PickupTopicRouteData("Shared");
  REQUIRE(shared.ok());
  CHECK(shared->queue_datas == std::vector<QueueData>{Queues("broker-b", 2)});
  ClusterInfo info = f.routes.GetAllClusterInfo();
  CHECK(info.broker_addr_table.count("broker-a") == 0);
  CHECK(info.cluster_addr_table["DefaultCluster"] == std::set<std::string>{"broker-b"});
  CHECK(f.routes.GetAllTopicList().topic_list == std::set<std::string>{"Shared"});

  f.routes.UnregisterBroker("DefaultCluster", "10.0.0.2:10911", "broker-b", 0);
  CHECK(f.routes.GetAllClusterInfo().cluster_addr_table.empty());
  CHECK(f.routes.GetAllTopicList().topic_list.empty());
}

TEST_CASE("master and slave share a broker name; the slave learns its master") {
  Fixture f;
  // A slave registering before its master is told nothing.
  RegisterBrokerResult early = f.Register("10.0.0.2:10911", "broker-a", 1, Topics({}, 1));
  CHECK(early.master_addr.empty());

  f.Register("10.0.0.1:10911", "broker-a", 0, Topics({Topic("TopicA", 4)}, 1));
  // The slave's own topics never make routes.
  RegisterBrokerResult slave =
      f.Register("10.0.0.2:10911", "broker-a", 1, Topics({Topic("SlaveOnly", 4)}, 7));
  CHECK(slave.master_addr == "10.0.0.1:10911");
  CHECK(slave.ha_server_addr == "10.0.0.1:10911-ha");
  CHECK(absl::IsNotFound(f.routes.PickupTopicRouteData("SlaveOnly").status()));

  auto route = f.routes.PickupTopicRouteData("TopicA");
  REQUIRE(route.ok());
  REQUIRE(route->broker_datas.size() == 1);
  CHECK(route->broker_datas[0].broker_addrs ==
        std::map<int64_t, std::string>{{0, "10.0.0.1:10911"}, {1, "10.0.0.2:10911"}});

  // The master leaving keeps the broker name (and its queues) for the slave.
  f.routes.UnregisterBroker("DefaultCluster", "10.0.0.1:10911", "broker-a", 0);
  route = f.routes.PickupTopicRouteData("TopicA");
  REQUIRE(route.ok());
  CHECK(route->broker_datas[0].broker_addrs ==
        std::map<int64_t, std::string>{{1, "10.0.0.2:10911"}});
  CHECK(route->broker_datas[0].MasterAddress().empty());
}

TEST_CASE("a slave promoted to master is listed under its new id only") {
  Fixture f;
  f.Register("10.0.0.1:10911", "broker-a", 0, Topics({Topic("TopicA", 4)}, 1));
  f.Register("10.0.0.2:10911", "broker-a", 1, Topics({}, 1));
  f.routes.UnregisterBroker("DefaultCluster", "10.0.0.1:10911", "broker-a", 0);
  f.Register("10.0.0.2:10911", "broker-a", 0, Topics({Topic("TopicA", 4)}, 2));

  auto route = f.routes.PickupTopicRouteData("TopicA");
  REQUIRE(route.ok());
  CHECK(route->broker_datas[0].broker_addrs ==
        std::map<int64_t, std::string>{{0, "10.0.0.2:10911"}});
}

TEST_CASE("a late unregister from an old address does not remove the id's new holder") {
  Fixture f;
  f.Register("10.0.0.1:10911", "broker-a", 0, Topics({Topic("TopicA", 4)}, 1));
  f.Register("10.0.0.3:10911", "broker-a", 0, Topics({Topic("TopicA", 4)}, 1));
  f.routes.UnregisterBroker("DefaultCluster", "10.0.0.1:10911", "broker-a", 0);
  auto route = f.routes.PickupTopicRouteData("TopicA");
  REQUIRE(route.ok());
  CHECK(route->broker_datas[0].MasterAddress() == "10.0.0.3:10911");
}

TEST_CASE("two broker names serve one topic") {
  Fixture f;
  f.Register("10.0.0.1:10911", "broker-a", 0, Topics({Topic("TopicA", 4)}, 1));
  f.Register("10.0.0.2:10911", "broker-b", 0, Topics({Topic("TopicA", 8)}, 1));

  auto route = f.routes.PickupTopicRouteData("TopicA");
  REQUIRE(route.ok());
  CHECK(route->queue_datas == std::vector<QueueData>{Queues("broker-a", 4), Queues("broker-b", 8)});
  REQUIRE(route->broker_datas.size() == 2);
  CHECK(route->broker_datas[0].broker_name == "broker-a");
  CHECK(route->broker_datas[1].broker_name == "broker-b");
}

TEST_CASE("a broker silent for more than 120 s is evicted, not before") {
  Fixture f;
  f.Register("10.0.0.1:10911", "broker-a", 0, Topics({Topic("TopicA", 4), Topic("Shared", 4)}, 1));
  f.Register("10.0.0.2:10911", "broker-b", 0, Topics({Topic("Shared", 4)}, 1), nullptr, "Other");

  f.clock->Advance(absl::Seconds(100));
  // broker-b keeps registering (every 30 s in practice); broker-a falls silent.
  f.Register("10.0.0.2:10911", "broker-b", 0, Topics({Topic("Shared", 4)}, 1), nullptr, "Other");

  f.clock->Advance(absl::Seconds(20));  // broker-a silent exactly 120 s: still alive.
  CHECK(f.routes.ScanNotActiveBrokers() == 0);
  CHECK(f.routes.PickupTopicRouteData("TopicA").ok());

  f.clock->Advance(absl::Milliseconds(1));
  CHECK(f.routes.ScanNotActiveBrokers() == 1);
  CHECK(absl::IsNotFound(f.routes.PickupTopicRouteData("TopicA").status()));
  auto shared = f.routes.PickupTopicRouteData("Shared");
  REQUIRE(shared.ok());
  CHECK(shared->queue_datas == std::vector<QueueData>{Queues("broker-b", 4)});
  ClusterInfo info = f.routes.GetAllClusterInfo();
  CHECK(info.cluster_addr_table.count("DefaultCluster") == 0);
  CHECK(info.broker_addr_table.count("broker-a") == 0);
  CHECK(f.routes.IsBrokerTopicConfigChanged("10.0.0.1:10911", Topics({}, 1).data_version));

  f.clock->Advance(absl::Seconds(101));  // broker-b: 121 s since its last registration.
  CHECK(f.routes.ScanNotActiveBrokers() == 1);
  CHECK(f.routes.GetAllClusterInfo().broker_addr_table.empty());
  CHECK(f.routes.GetAllTopicList().topic_list.empty());
}

TEST_CASE("an evicted slave leaves the master's broker name in place") {
  Fixture f;
  f.Register("10.0.0.2:10911", "broker-a", 1, Topics({}, 1));
  f.clock->Advance(absl::Seconds(60));
  f.Register("10.0.0.1:10911", "broker-a", 0, Topics({Topic("TopicA", 4)}, 1));
  f.clock->Advance(absl::Seconds(61));
  CHECK(f.routes.ScanNotActiveBrokers() == 1);
  auto route = f.routes.PickupTopicRouteData("TopicA");
  REQUIRE(route.ok());
  CHECK(route->broker_datas[0].broker_addrs ==
        std::map<int64_t, std::string>{{0, "10.0.0.1:10911"}});
}

TEST_CASE("a closed channel removes the broker registered through it") {
  Fixture f;
  auto channel_a = std::make_shared<FakeChannel>("10.0.0.1:50001");
  auto channel_b = std::make_shared<FakeChannel>("10.0.0.2:50002");
  f.Register("10.0.0.1:10911", "broker-a", 0, Topics({Topic("TopicA", 4)}, 1), channel_a);
  f.Register("10.0.0.2:10911", "broker-b", 0, Topics({Topic("TopicB", 4)}, 1), channel_b);

  // A client's channel that registered nothing changes nothing.
  f.routes.OnChannelClosed(std::make_shared<FakeChannel>("10.0.0.9:50009"));
  CHECK(f.routes.GetAllClusterInfo().broker_addr_table.size() == 2);

  f.routes.OnChannelClosed(channel_a);
  CHECK(absl::IsNotFound(f.routes.PickupTopicRouteData("TopicA").status()));
  CHECK(f.routes.PickupTopicRouteData("TopicB").ok());
  CHECK(f.routes.GetAllClusterInfo().broker_addr_table.count("broker-a") == 0);
}

TEST_CASE("a broker that re-registered through a new channel survives its old one closing") {
  Fixture f;
  auto old_channel = std::make_shared<FakeChannel>("10.0.0.1:50001");
  auto new_channel = std::make_shared<FakeChannel>("10.0.0.1:50002");
  f.Register("10.0.0.1:10911", "broker-a", 0, Topics({Topic("TopicA", 4)}, 1), old_channel);
  f.Register("10.0.0.1:10911", "broker-a", 0, Topics({Topic("TopicA", 4)}, 1), new_channel);

  f.routes.OnChannelClosed(old_channel);
  CHECK(f.routes.PickupTopicRouteData("TopicA").ok());
  f.routes.OnChannelClosed(new_channel);
  CHECK(absl::IsNotFound(f.routes.PickupTopicRouteData("TopicA").status()));
}

TEST_CASE("the route tables do not keep a broker's channel alive") {
  Fixture f;
  auto channel = std::make_shared<FakeChannel>("10.0.0.1:50001");
  std::weak_ptr<Channel> weak = channel;
  f.Register("10.0.0.1:10911", "broker-a", 0, Topics({Topic("TopicA", 4)}, 1), channel);
  channel.reset();
  CHECK(weak.expired());
  CHECK(f.routes.PickupTopicRouteData("TopicA").ok());
}

TEST_CASE("a closed channel whose address is a broker's removes that broker") {
  // RocketMQ's fallback when no registration came through the channel.
  Fixture f;
  f.Register("10.0.0.1:10911", "broker-a", 0, Topics({Topic("TopicA", 4)}, 1));
  f.routes.OnChannelClosed(std::make_shared<FakeChannel>("10.0.0.1:10911"));
  CHECK(absl::IsNotFound(f.routes.PickupTopicRouteData("TopicA").status()));
}

TEST_CASE("deleting a topic forgets its route; a cluster name limits the deletion") {
  Fixture f;
  f.Register("10.0.0.1:10911", "broker-a", 0, Topics({Topic("TopicA", 4), Topic("TopicB", 4)}, 1));
  f.Register("10.0.0.2:10911", "broker-b", 0, Topics({Topic("TopicB", 4)}, 1), nullptr, "Other");

  f.routes.DeleteTopic("TopicA");
  CHECK(absl::IsNotFound(f.routes.PickupTopicRouteData("TopicA").status()));
  CHECK(f.routes.GetAllTopicList().topic_list == std::set<std::string>{"TopicB"});

  f.routes.DeleteTopic("TopicB", "Other");
  auto route = f.routes.PickupTopicRouteData("TopicB");
  REQUIRE(route.ok());
  CHECK(route->queue_datas == std::vector<QueueData>{Queues("broker-a", 4)});

  f.routes.DeleteTopic("TopicB", "DefaultCluster");
  CHECK(f.routes.GetAllTopicList().topic_list.empty());
  // The brokers themselves stay registered.
  CHECK(f.routes.GetAllClusterInfo().broker_addr_table.size() == 2);

  // The topic comes back with the broker's next DataVersion.
  f.Register("10.0.0.1:10911", "broker-a", 0, Topics({Topic("TopicA", 4)}, 2));
  CHECK(f.routes.PickupTopicRouteData("TopicA").ok());
}

TEST_CASE("registrations, lookups, scans and closes may run on many threads at once") {
  Fixture f;
  auto channel = std::make_shared<FakeChannel>("10.0.0.9:50009");
  {
    std::vector<std::jthread> threads;
    for (int t = 0; t < 4; ++t) {
      threads.emplace_back([&f, &channel, t] {
        const std::string addr = "10.0.0." + std::to_string(t) + ":10911";
        const std::string name = "broker-" + std::to_string(t % 2);
        for (int i = 0; i < 200; ++i) {
          auto topics = Topics({Topic("Shared", 4), Topic("T" + std::to_string(t), 2)}, i);
          f.Register(addr, name, t / 2, topics, channel);
          (void)f.routes.PickupTopicRouteData("Shared");
          (void)f.routes.GetAllClusterInfo();
          (void)f.routes.GetAllTopicList();
          if (i % 50 == 0) f.routes.ScanNotActiveBrokers();
          if (i % 70 == 0) f.routes.OnChannelClosed(channel);
        }
      });
    }
  }
  // Whatever the interleaving left, registering everyone again restores it all.
  for (int t = 0; t < 4; ++t) {
    f.Register("10.0.0." + std::to_string(t) + ":10911", "broker-" + std::to_string(t % 2), t / 2,
               Topics({Topic("Shared", 4)}, 1000));
  }
  auto route = f.routes.PickupTopicRouteData("Shared");
  REQUIRE(route.ok());
  CHECK(route->queue_datas.size() == 2);
  CHECK(f.routes.GetAllClusterInfo().broker_addr_table.size() == 2);
}

}  // namespace
}  // namespace rmq::internal
