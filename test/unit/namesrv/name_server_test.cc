// Copyright 2026 The rmq Authors. Licensed under the Apache License, Version 2.0.
//
// NameServer driven as brokers and clients drive it: remoting commands sent
// through the in-process transport to its handler, JSON bodies as RocketMQ
// writes them, and time moved by a VirtualClock for the periodic scan.

#include "rmq/namesrv.h"

#include <zlib.h>

#include <catch2/catch.hpp>
#include <memory>
#include <string>
#include <utility>

#include "remoting/client_transport.h"
#include "remoting/inproc_transport.h"
#include "remoting/protocol_bodies.h"
#include "remoting/protocol_headers.h"
#include "remoting/request_code.h"
#include "rmq/clock.h"

namespace rmq::internal {
namespace {

namespace rc = request_code;
namespace rsp = response_code;

constexpr char kAddress[] = "inproc://namesrv-test";

// A REGISTER_BROKER body as a RocketMQ 4.9 broker sends it (fastjson field
// order, a field rmq does not know).
constexpr char kRocketMqBody[] =
    R"({"filterServerList":[],"topicConfigSerializeWrapper":{"dataVersion":{"counter":2,)"
    R"("timestamp":1700000000000},"topicConfigTable":{"TopicTest":{"order":false,"perm":6,)"
    R"("readQueueNums":4,"topicFilterType":"SINGLE_TAG","topicName":"TopicTest",)"
    R"("topicSysFlag":0,"writeQueueNums":4}}}})";

// RocketMQ's UtilAll.crc32: zlib's CRC-32 with the top bit dropped.
int32_t JavaCrc32(const std::string& bytes) {
  uLong crc = crc32(0L, reinterpret_cast<const Bytef*>(bytes.data()),
                    static_cast<uInt>(bytes.size()));
  return static_cast<int32_t>(crc & 0x7FFFFFFFu);
}

std::string RegisterBody(const std::string& topic, int32_t queues, int64_t counter) {
  RegisterBrokerBody body;
  TopicConfig config;
  config.topic_name = topic;
  config.read_queue_nums = queues;
  config.write_queue_nums = queues;
  body.topic_config_serialize_wrapper.topic_config_table[topic] = config;
  body.topic_config_serialize_wrapper.data_version = {1700000000000, counter};
  return ToJson(body);
}

struct Fixture {
  explicit Fixture(bool start = true) {
    NamesrvConfig config;
    auto created = NameServer::Create(config, clock);
    REQUIRE(created.ok());
    ns = std::move(*created);
    if (start) REQUIRE(ns->Start().ok());
    auto bound = InprocServer::Bind("namesrv-test", ns->handler());
    REQUIRE(bound.ok());
    server = std::move(*bound);
    broker = NewClientTransport("broker-a", nullptr, clock);
    client = NewClientTransport("client", nullptr, clock);
  }

  RemotingCommand Invoke(Transport& transport, RemotingCommand request) {
    auto response = transport.InvokeSync(kAddress, std::move(request), absl::Seconds(3));
    REQUIRE(response.ok());
    return std::move(*response);
  }

  RemotingCommand Register(const std::string& addr, const std::string& name, int64_t id,
                           std::string body, bool with_crc = true) {
    auto header = std::make_unique<RegisterBrokerRequestHeader>();
    header->cluster_name = "DefaultCluster";
    header->broker_addr = addr;
    header->broker_name = name;
    header->broker_id = id;
    header->ha_server_addr = addr + "-ha";
    header->compressed = false;
    if (with_crc) header->body_crc32 = JavaCrc32(body);
    RemotingCommand request = RemotingCommand::Request(rc::kRegisterBroker, std::move(header));
    request.body = Payload(std::move(body));
    return Invoke(*broker, std::move(request));
  }

  RemotingCommand GetRoute(const std::string& topic) {
    auto header = std::make_unique<GetRouteInfoRequestHeader>();
    header->topic = topic;
    return Invoke(*client, RemotingCommand::Request(rc::kGetRouteInfoByTopic, std::move(header)));
  }

  TopicRouteData Route(const std::string& topic) {
    RemotingCommand response = GetRoute(topic);
    REQUIRE(response.code == rsp::kSuccess);
    auto route = FromJson<TopicRouteData>(response.body.ToString(), "route");
    REQUIRE(route.ok());
    return *route;
  }

  std::shared_ptr<VirtualClock> clock = std::make_shared<VirtualClock>();
  std::unique_ptr<NameServer> ns;
  std::unique_ptr<InprocServer> server;
  std::unique_ptr<Transport> broker;
  std::unique_ptr<Transport> client;
};

TEST_CASE("a registered broker's topics are routed") {
  Fixture f;
  RemotingCommand registered = f.Register("10.0.0.1:10911", "broker-a", 0, kRocketMqBody);
  CHECK(registered.code == rsp::kSuccess);
  auto result = registered.DecodeHeader<RegisterBrokerResponseHeader>();
  REQUIRE(result.ok());
  CHECK_FALSE((*result)->master_addr.has_value());

  TopicRouteData route = f.Route("TopicTest");
  REQUIRE(route.queue_datas.size() == 1);
  CHECK(route.queue_datas[0].broker_name == "broker-a");
  CHECK(route.queue_datas[0].read_queue_nums == 4);
  CHECK(route.queue_datas[0].write_queue_nums == 4);
  CHECK(route.queue_datas[0].perm == 6);
  REQUIRE(route.broker_datas.size() == 1);
  CHECK(route.broker_datas[0].cluster == "DefaultCluster");
  CHECK(route.broker_datas[0].broker_addrs ==
        std::map<int64_t, std::string>{{0, "10.0.0.1:10911"}});
}

TEST_CASE("an unknown topic answers TOPIC_NOT_EXIST with RocketMQ's remark") {
  Fixture f;
  RemotingCommand response = f.GetRoute("Nowhere");
  CHECK(response.code == rsp::kTopicNotExist);
  CHECK(response.remark == "No topic route info in name server for the topic: Nowhere");
}

TEST_CASE("a slave's registration answer names its master") {
  Fixture f;
  f.Register("10.0.0.1:10911", "broker-a", 0, RegisterBody("TopicA", 4, 1));
  RemotingCommand response = f.Register("10.0.0.2:10911", "broker-a", 1, RegisterBody("x", 1, 1));
  REQUIRE(response.code == rsp::kSuccess);
  auto header = response.DecodeHeader<RegisterBrokerResponseHeader>();
  REQUIRE(header.ok());
  CHECK((*header)->master_addr == "10.0.0.1:10911");
  CHECK((*header)->ha_server_addr == "10.0.0.1:10911-ha");
  CHECK(f.Route("TopicA").broker_datas[0].broker_addrs.size() == 2);
}

TEST_CASE("a registration without a body is accepted with no topics") {
  Fixture f;
  RemotingCommand response = f.Register("10.0.0.1:10911", "broker-a", 0, "", /*with_crc=*/false);
  CHECK(response.code == rsp::kSuccess);
  RemotingCommand info = f.Invoke(*f.client, RemotingCommand::Request(rc::kGetBrokerClusterInfo));
  auto cluster = FromJson<ClusterInfo>(info.body.ToString(), "cluster info");
  REQUIRE(cluster.ok());
  CHECK(cluster->broker_addr_table.count("broker-a") == 1);
}

TEST_CASE("cluster info and topic list decode to what was registered") {
  Fixture f;
  f.Register("10.0.0.1:10911", "broker-a", 0, RegisterBody("TopicA", 4, 1));
  f.Register("10.0.0.2:10911", "broker-b", 0, RegisterBody("TopicB", 8, 1));

  RemotingCommand info = f.Invoke(*f.client, RemotingCommand::Request(rc::kGetBrokerClusterInfo));
  REQUIRE(info.code == rsp::kSuccess);
  auto cluster = FromJson<ClusterInfo>(info.body.ToString(), "cluster info");
  REQUIRE(cluster.ok());
  CHECK(cluster->cluster_addr_table ==
        std::map<std::string, std::set<std::string>>{{"DefaultCluster", {"broker-a", "broker-b"}}});
  CHECK(cluster->broker_addr_table["broker-b"].MasterAddress() == "10.0.0.2:10911");

  RemotingCommand topics =
      f.Invoke(*f.client, RemotingCommand::Request(rc::kGetAllTopicListFromNameServer));
  REQUIRE(topics.code == rsp::kSuccess);
  auto list = FromJson<TopicList>(topics.body.ToString(), "topic list");
  REQUIRE(list.ok());
  CHECK(list->topic_list == std::set<std::string>{"TopicA", "TopicB"});
}

TEST_CASE("unregistering removes the broker's routes") {
  Fixture f;
  f.Register("10.0.0.1:10911", "broker-a", 0, RegisterBody("TopicA", 4, 1));
  auto header = std::make_unique<UnregisterBrokerRequestHeader>();
  header->cluster_name = "DefaultCluster";
  header->broker_addr = "10.0.0.1:10911";
  header->broker_name = "broker-a";
  header->broker_id = 0;
  RemotingCommand response =
      f.Invoke(*f.broker, RemotingCommand::Request(rc::kUnregisterBroker, std::move(header)));
  CHECK(response.code == rsp::kSuccess);
  CHECK(f.GetRoute("TopicA").code == rsp::kTopicNotExist);
}

TEST_CASE("DELETE_TOPIC_IN_NAMESRV forgets the topic, whichever header type carries it") {
  Fixture f;
  f.Register("10.0.0.1:10911", "broker-a", 0, RegisterBody("TopicA", 4, 1));
  f.Register("10.0.0.2:10911", "broker-b", 0, RegisterBody("TopicB", 4, 1));

  SECTION("the namesrv header, from the wire's fields") {
    RemotingCommand request = RemotingCommand::Request(rc::kDeleteTopicInNamesrv);
    request.ext_fields["topic"] = "TopicA";
    CHECK(f.Invoke(*f.client, std::move(request)).code == rsp::kSuccess);
  }
  SECTION("the broker's DeleteTopicRequestHeader, typed, in this process") {
    auto header = std::make_unique<DeleteTopicRequestHeader>();
    header->topic = "TopicA";
    RemotingCommand request =
        RemotingCommand::Request(rc::kDeleteTopicInNamesrv, std::move(header));
    CHECK(f.Invoke(*f.client, std::move(request)).code == rsp::kSuccess);
  }
  CHECK(f.GetRoute("TopicA").code == rsp::kTopicNotExist);
  CHECK(f.GetRoute("TopicB").code == rsp::kSuccess);
}

TEST_CASE("a body whose CRC does not match its header is refused") {
  Fixture f;
  auto header = std::make_unique<RegisterBrokerRequestHeader>();
  header->cluster_name = "DefaultCluster";
  header->broker_addr = "10.0.0.1:10911";
  header->broker_name = "broker-a";
  header->body_crc32 = JavaCrc32(kRocketMqBody) ^ 0x5;
  RemotingCommand request = RemotingCommand::Request(rc::kRegisterBroker, std::move(header));
  request.body = Payload(std::string(kRocketMqBody));
  RemotingCommand response = f.Invoke(*f.broker, std::move(request));
  CHECK(response.code == rsp::kSystemError);
  CHECK_THAT(response.remark, Catch::StartsWith("crc32 not match"));
  CHECK(f.GetRoute("TopicTest").code == rsp::kTopicNotExist);
}

TEST_CASE("a compressed registration is refused with a remark that says so") {
  Fixture f;
  auto header = std::make_unique<RegisterBrokerRequestHeader>();
  header->cluster_name = "DefaultCluster";
  header->broker_addr = "10.0.0.1:10911";
  header->broker_name = "broker-a";
  header->compressed = true;
  RemotingCommand request = RemotingCommand::Request(rc::kRegisterBroker, std::move(header));
  request.body = Payload(std::string("\x78\x9c\x03\x00", 4));
  RemotingCommand response = f.Invoke(*f.broker, std::move(request));
  CHECK(response.code == rsp::kInvalidParameter);
  CHECK_THAT(response.remark, Catch::Contains("compressed bodies"));
  CHECK_THAT(response.remark, Catch::Contains("compressedRegister=false"));
}

TEST_CASE("malformed requests get a remark, not a crash") {
  Fixture f;
  SECTION("a header with no fields") {
    RemotingCommand response = f.Invoke(*f.broker, RemotingCommand::Request(rc::kRegisterBroker));
    CHECK(response.code == rsp::kInvalidParameter);
    CHECK_THAT(response.remark, Catch::Contains("REGISTER_BROKER") && Catch::Contains("missing"));
  }
  SECTION("a field that is not a number") {
    RemotingCommand request = RemotingCommand::Request(rc::kRegisterBroker);
    request.ext_fields = {{"brokerName", "broker-a"}, {"brokerAddr", "10.0.0.1:10911"},
                          {"clusterName", "c"},       {"haServerAddr", ""},
                          {"brokerId", "zero"},       {"bodyCrc32", "0"}};
    RemotingCommand response = f.Invoke(*f.broker, std::move(request));
    CHECK(response.code == rsp::kInvalidParameter);
    CHECK_THAT(response.remark, Catch::Contains("brokerId"));
  }
  SECTION("an empty broker name") {
    RemotingCommand response = f.Register("10.0.0.1:10911", "", 0, RegisterBody("T", 1, 1));
    CHECK(response.code == rsp::kInvalidParameter);
    CHECK_THAT(response.remark, Catch::Contains("brokerName ''"));
  }
  SECTION("a body that is not JSON") {
    RemotingCommand response = f.Register("10.0.0.1:10911", "broker-a", 0, "{not json");
    CHECK(response.code == rsp::kInvalidParameter);
    CHECK_THAT(response.remark, Catch::Contains("RegisterBrokerBody") && Catch::Contains("JSON"));
  }
  SECTION("a body with a field of the wrong type") {
    RemotingCommand response = f.Register(
        "10.0.0.1:10911", "broker-a", 0,
        R"({"topicConfigSerializeWrapper":{"dataVersion":{"counter":"two"}}})");
    CHECK(response.code == rsp::kInvalidParameter);
    CHECK_THAT(response.remark, Catch::Contains("counter"));
  }
  SECTION("a route request without a topic") {
    RemotingCommand response =
        f.Invoke(*f.client, RemotingCommand::Request(rc::kGetRouteInfoByTopic));
    CHECK(response.code == rsp::kInvalidParameter);
    CHECK_THAT(response.remark, Catch::Contains("topic"));
  }
  SECTION("an unregister without fields") {
    RemotingCommand response =
        f.Invoke(*f.broker, RemotingCommand::Request(rc::kUnregisterBroker));
    CHECK(response.code == rsp::kInvalidParameter);
  }
  // Nothing was registered by any of them.
  RemotingCommand info = f.Invoke(*f.client, RemotingCommand::Request(rc::kGetBrokerClusterInfo));
  auto cluster = FromJson<ClusterInfo>(info.body.ToString(), "cluster info");
  REQUIRE(cluster.ok());
  CHECK(cluster->broker_addr_table.empty());
}

TEST_CASE("other request codes are not supported, and the remark names the code") {
  Fixture f;
  RemotingCommand response = f.Invoke(*f.client, RemotingCommand::Request(rc::kSendMessage));
  CHECK(response.code == rsp::kRequestCodeNotSupported);
  CHECK_THAT(response.remark, Catch::Contains("10") && Catch::Contains("SEND_MESSAGE"));

  response = f.Invoke(*f.client, RemotingCommand::Request(9999));
  CHECK(response.code == rsp::kRequestCodeNotSupported);
  CHECK_THAT(response.remark, Catch::Contains("9999"));
}

TEST_CASE("the periodic scan evicts a silent broker after 120 s, not before") {
  Fixture f;
  f.Register("10.0.0.1:10911", "broker-a", 0, RegisterBody("TopicA", 4, 1));
  f.Register("10.0.0.2:10911", "broker-b", 0, RegisterBody("TopicB", 4, 1));

  // broker-b re-registers every 30 s, as brokers do; broker-a falls silent.
  for (int i = 0; i < 4; ++i) {
    f.clock->Advance(absl::Seconds(30));
    f.Register("10.0.0.2:10911", "broker-b", 0, RegisterBody("TopicB", 4, 1));
  }
  // 120 s: the scan at 120 s finds broker-a silent exactly 120 s, not more.
  CHECK(f.GetRoute("TopicA").code == rsp::kSuccess);

  f.clock->Advance(absl::Seconds(10));  // The scan at 130 s.
  CHECK(f.GetRoute("TopicA").code == rsp::kTopicNotExist);
  CHECK(f.GetRoute("TopicB").code == rsp::kSuccess);
}

TEST_CASE("no scan runs before Start or after Shutdown") {
  Fixture f(/*start=*/false);
  f.Register("10.0.0.1:10911", "broker-a", 0, RegisterBody("TopicA", 4, 1));
  f.clock->Advance(absl::Seconds(200));
  CHECK(f.GetRoute("TopicA").code == rsp::kSuccess);

  REQUIRE(f.ns->Start().ok());
  CHECK(absl::IsFailedPrecondition(f.ns->Start()));
  f.ns->Shutdown();
  f.clock->Advance(absl::Seconds(200));
  CHECK(f.GetRoute("TopicA").code == rsp::kSuccess);  // Requests are still answered.
  CHECK(absl::IsFailedPrecondition(f.ns->Start()));

  // An explicit scan still works.
  CHECK(f.ns->ScanNotActiveBrokers() == 1);
  CHECK(f.GetRoute("TopicA").code == rsp::kTopicNotExist);
}

TEST_CASE("a broker whose connection closes is removed at once") {
  Fixture f;
  f.Register("10.0.0.1:10911", "broker-a", 0, RegisterBody("TopicA", 4, 1));
  // A client's connection closing removes nothing.
  CHECK(f.GetRoute("TopicA").code == rsp::kSuccess);
  f.client->Shutdown();
  auto other = NewClientTransport("other", nullptr, f.clock);
  RemotingCommand request = RemotingCommand::Request(rc::kGetRouteInfoByTopic,
                                                     std::make_unique<GetRouteInfoRequestHeader>());
  static_cast<GetRouteInfoRequestHeader*>(request.header.get())->topic = "TopicA";
  auto route = other->InvokeSync(kAddress, std::move(request), absl::Seconds(3));
  REQUIRE(route.ok());
  CHECK(route->code == rsp::kSuccess);

  f.broker->Shutdown();
  request = RemotingCommand::Request(rc::kGetRouteInfoByTopic,
                                     std::make_unique<GetRouteInfoRequestHeader>());
  static_cast<GetRouteInfoRequestHeader*>(request.header.get())->topic = "TopicA";
  route = other->InvokeSync(kAddress, std::move(request), absl::Seconds(3));
  REQUIRE(route.ok());
  CHECK(route->code == rsp::kTopicNotExist);
}

TEST_CASE("Create refuses periods that are not positive") {
  NamesrvConfig config;
  config.scan_not_active_broker_interval = 0;
  auto created = NameServer::Create(config, std::make_shared<VirtualClock>());
  REQUIRE(absl::IsInvalidArgument(created.status()));
  CHECK_THAT(std::string(created.status().message()),
             Catch::Contains("scanNotActiveBrokerInterval"));

  config = NamesrvConfig();
  config.broker_channel_expired_time = -1;
  created = NameServer::Create(config, std::make_shared<VirtualClock>());
  CHECK(absl::IsInvalidArgument(created.status()));
}

TEST_CASE("a name server on the system clock starts and shuts down") {
  auto created = NameServer::Create(NamesrvConfig());
  REQUIRE(created.ok());
  REQUIRE((*created)->Start().ok());
  (*created)->Shutdown();
  (*created)->Shutdown();  // Idempotent.
}

}  // namespace
}  // namespace rmq::internal
