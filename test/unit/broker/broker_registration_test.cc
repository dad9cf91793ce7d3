// Copyright 2026 The rmq Authors. Licensed under the Apache License, Version 2.0.

#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "absl/synchronization/mutex.h"
#include "common/crc32.h"
#include "unit/broker/broker_fixture.h"

namespace rmq::testing {
namespace {

// A name server that records what brokers tell it.
class FakeNameServer : public internal::RequestHandler {
 public:
  struct Registration {
    internal::RegisterBrokerRequestHeader header;
    internal::RegisterBrokerBody body;
    bool crc_ok = false;
  };

  void HandleRequest(const std::shared_ptr<internal::Channel>&, RemotingCommand&& request,
                     internal::Responder responder) override {
    absl::MutexLock lock(&mu_);
    if (request.code == rq::kRegisterBroker) {
      auto header = request.DecodeHeader<internal::RegisterBrokerRequestHeader>();
      REQUIRE(header.ok());
      std::string json = request.body.ToString();
      auto body = internal::FromJson<internal::RegisterBrokerBody>(json, "register body");
      REQUIRE(body.ok());
      registrations_.push_back({**header, *body, internal::Crc32(json) == (*header)->body_crc32});
    } else if (request.code == rq::kUnregisterBroker) {
      auto header = request.DecodeHeader<internal::UnregisterBrokerRequestHeader>();
      REQUIRE(header.ok());
      unregistered_.push_back((*header)->broker_addr);
    }
    responder.Respond(RemotingCommand::Response(rc::kSuccess));
  }

  std::vector<Registration> registrations() {
    absl::MutexLock lock(&mu_);
    return registrations_;
  }
  std::vector<std::string> unregistered() {
    absl::MutexLock lock(&mu_);
    return unregistered_;
  }

 private:
  absl::Mutex mu_;
  std::vector<Registration> registrations_;
  std::vector<std::string> unregistered_;
};

struct NameServers {
  NameServers() {
    for (int i = 0; i < 2; ++i) {
      auto bound = internal::InprocServer::Bind(UniqueName("namesrv"), &fakes[i]);
      REQUIRE(bound.ok());
      servers[i] = *std::move(bound);
    }
  }
  std::string Addresses() const { return servers[0]->address() + ";" + servers[1]->address(); }

  FakeNameServer fakes[2];
  std::unique_ptr<internal::InprocServer> servers[2];
};

TEST_CASE("the broker registers at start, every 30 s and after topic changes; unregisters at shutdown") {
  NameServers ns;
  BrokerFixture f([&](BrokerConfig& c) {
    c.namesrv_addr = ns.Addresses();
    c.broker_cluster_name = "ClusterR";
  });
  for (FakeNameServer& fake : ns.fakes) {
    auto regs = fake.registrations();
    REQUIRE(regs.size() == 1);
    const auto& r = regs[0];
    CHECK(r.header.broker_name == "broker-a");
    CHECK(r.header.broker_addr == f.config().broker_addr);
    CHECK(r.header.cluster_name == "ClusterR");
    CHECK(r.header.broker_id == 0);
    CHECK(r.crc_ok);
    const auto& table = r.body.topic_config_serialize_wrapper.topic_config_table;
    CHECK(table.contains("TBW102"));
    CHECK(table.contains("ClusterR"));
    CHECK(table.contains("broker-a"));
  }

  f.clock().Advance(absl::Seconds(29));
  CHECK(ns.fakes[0].registrations().size() == 1);
  f.clock().Advance(absl::Seconds(1));
  CHECK(ns.fakes[0].registrations().size() == 2);
  CHECK(ns.fakes[1].registrations().size() == 2);
  f.clock().Advance(absl::Seconds(60));
  CHECK(ns.fakes[0].registrations().size() == 4);

  // A new topic is registered at once, with a newer data version: Broker::
  // CreateTopic registers and waits (so the route exists when it returns),
  // besides the asynchronous registration every topic change starts.
  REQUIRE(f.broker().CreateTopic("Fresh", 3).ok());
  auto regs = ns.fakes[0].registrations();
  REQUIRE(regs.size() == 6);
  const auto& latest = regs.back().body.topic_config_serialize_wrapper;
  REQUIRE(latest.topic_config_table.contains("Fresh"));
  CHECK(latest.topic_config_table.at("Fresh").write_queue_nums == 3);
  CHECK(latest.data_version.counter >
        regs[3].body.topic_config_serialize_wrapper.data_version.counter);
  // And so is a topic created by a send.
  REQUIRE(f.Send(Message("AutoCreated", "x")).code == rc::kSuccess);
  CHECK(ns.fakes[0].registrations().back().body.topic_config_serialize_wrapper.topic_config_table
            .contains("AutoCreated"));

  REQUIRE(f.broker().RegisterWithNameServers().ok());
  CHECK(ns.fakes[1].registrations().size() == 8);

  f.broker().Shutdown();
  CHECK(ns.fakes[0].unregistered() == std::vector<std::string>{f.config().broker_addr});
  CHECK(ns.fakes[1].unregistered() == std::vector<std::string>{f.config().broker_addr});
  // No more registrations after shutdown.
  f.clock().Advance(absl::Seconds(60));
  CHECK(ns.fakes[0].registrations().size() == 8);
}

TEST_CASE("an unreachable name server is not fatal") {
  NameServers ns;
  BrokerFixture f([&](BrokerConfig& c) {
    c.namesrv_addr = "inproc://" + UniqueName("nobody") + ";" + ns.servers[1]->address();
  });
  CHECK(ns.fakes[1].registrations().size() == 1);
  absl::Status s = f.broker().RegisterWithNameServers();
  CHECK(s.code() == absl::StatusCode::kUnavailable);
  CHECK(ns.fakes[1].registrations().size() == 2);  // The reachable one still got it.
  REQUIRE(f.Send(Message("T", "still works")).code == rc::kSuccess);
}

TEST_CASE("a broker that may not be written registers its topics with its own permission") {
  NameServers ns;
  BrokerFixture f([&](BrokerConfig& c) {
    c.namesrv_addr = ns.servers[0]->address();
    c.broker_permission = 4;
  });
  auto regs = ns.fakes[0].registrations();
  REQUIRE(regs.size() == 1);
  for (const auto& [name, topic] : regs[0].body.topic_config_serialize_wrapper.topic_config_table) {
    INFO(name);
    CHECK(topic.perm == 4);
  }
}

}  // namespace
}  // namespace rmq::testing
