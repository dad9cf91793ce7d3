// Copyright 2026 The rmq Authors. Licensed under the Apache License, Version 2.0.
//
// A scripted name server + broker in this process, for client tests that
// look at the requests a consumer sends: it routes every topic to itself (one
// queue), lists one client id as the group's only member, records heartbeats,
// CHECK_CLIENT_CONFIG bodies and pulls, and holds pulls (as a broker does
// when there is nothing new) until destroyed.

#ifndef RMQ_TEST_UNIT_CLIENT_SCRIPTED_BROKER_H_
#define RMQ_TEST_UNIT_CLIENT_SCRIPTED_BROKER_H_

#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <catch2/catch.hpp>

#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "remoting/inproc_transport.h"
#include "remoting/protocol_bodies.h"
#include "remoting/protocol_headers.h"
#include "remoting/request_code.h"
#include "rmq/consumer.h"

namespace rmq::internal {

class ScriptedBroker final : public RequestHandler {
 public:
  ScriptedBroker(std::string name, std::string client_id)
      : name_(std::move(name)), client_id_(std::move(client_id)) {}

  std::string address() const { return "inproc://" + name_; }

  // How CHECK_CLIENT_CONFIG is answered (SUCCESS by default).
  void set_check_answer(int32_t code, std::string remark) {
    absl::MutexLock lock(&mu_);
    check_code_ = code;
    check_remark_ = std::move(remark);
  }

  void HandleRequest(const std::shared_ptr<Channel>& channel, RemotingCommand&& request,
                     Responder responder) override {
    (void)channel;
    switch (request.code) {
      case request_code::kGetRouteInfoByTopic: {
        TopicRouteData route;
        route.queue_datas.push_back({.broker_name = "scripted", .read_queue_nums = 1,
                                     .write_queue_nums = 1, .perm = 6, .topic_sys_flag = 0});
        BrokerData broker;
        broker.cluster = "c";
        broker.broker_name = "scripted";
        broker.broker_addrs[0] = address();
        route.broker_datas.push_back(broker);
        auto response = RemotingCommand::Response(response_code::kSuccess);
        response.body = Payload(ToJson(route));
        responder.Respond(std::move(response));
        return;
      }
      case request_code::kGetConsumerListByGroup: {
        ConsumerIdList ids;
        ids.consumer_id_list.push_back(client_id_);
        auto response = RemotingCommand::Response(response_code::kSuccess);
        response.body = Payload(ToJson(ids));
        responder.Respond(std::move(response));
        return;
      }
      case request_code::kQueryConsumerOffset: {
        auto header = std::make_unique<OffsetResponseHeader>();
        header->offset = 0;
        responder.Respond(RemotingCommand::Response(response_code::kSuccess, "", std::move(header)));
        return;
      }
      case request_code::kHeartBeat: {
        auto heartbeat = FromJson<HeartbeatData>(request.body.ToString(), "heartbeat");
        REQUIRE(heartbeat.ok());
        absl::MutexLock lock(&mu_);
        heartbeats_.push_back(*std::move(heartbeat));
        responder.Respond(RemotingCommand::Response(response_code::kSuccess));
        return;
      }
      case request_code::kCheckClientConfig: {
        auto body = FromJson<CheckClientRequestBody>(request.body.ToString(), "check");
        REQUIRE(body.ok());
        absl::MutexLock lock(&mu_);
        checks_.push_back(*std::move(body));
        responder.Respond(RemotingCommand::Response(check_code_, check_remark_));
        return;
      }
      case request_code::kPullMessage: {
        auto header = request.DecodeHeader<PullMessageRequestHeader>();
        REQUIRE(header.ok());
        absl::MutexLock lock(&mu_);
        pulls_.push_back(**header);
        held_.push_back(std::move(responder));
        return;
      }
      default:
        responder.Respond(RemotingCommand::Response(response_code::kSuccess));
    }
  }

  // The first pull of `topic`, waiting for it up to a guard of real time.
  std::optional<PullMessageRequestHeader> FirstPullOf(const std::string& topic) {
    absl::MutexLock lock(&mu_);
    auto find = [&]() ABSL_SHARED_LOCKS_REQUIRED(mu_) -> const PullMessageRequestHeader* {
      for (const auto& p : pulls_) {
        if (p.topic == topic) return &p;
      }
      return nullptr;
    };
    auto seen = [&]() ABSL_SHARED_LOCKS_REQUIRED(mu_) { return find() != nullptr; };
    mu_.AwaitWithTimeout(absl::Condition(&seen), absl::Seconds(20));
    const PullMessageRequestHeader* p = find();
    if (p == nullptr) return std::nullopt;
    return *p;
  }

  std::vector<HeartbeatData> heartbeats() {
    absl::MutexLock lock(&mu_);
    return heartbeats_;
  }
  std::vector<CheckClientRequestBody> checks() {
    absl::MutexLock lock(&mu_);
    return checks_;
  }
  size_t pull_count() {
    absl::MutexLock lock(&mu_);
    return pulls_.size();
  }

 private:
  const std::string name_;
  const std::string client_id_;
  absl::Mutex mu_;
  int32_t check_code_ ABSL_GUARDED_BY(mu_) = response_code::kSuccess;
  std::string check_remark_ ABSL_GUARDED_BY(mu_);
  std::vector<HeartbeatData> heartbeats_ ABSL_GUARDED_BY(mu_);
  std::vector<CheckClientRequestBody> checks_ ABSL_GUARDED_BY(mu_);
  std::vector<PullMessageRequestHeader> pulls_ ABSL_GUARDED_BY(mu_);
  std::vector<Responder> held_ ABSL_GUARDED_BY(mu_);
};

inline PushConsumerConfig ScriptedConsumerConfig(const std::string& instance,
                                                 const std::string& address,
                                                 const std::string& offsets_dir) {
  PushConsumerConfig config;
  config.group_name = "ScriptedGroup";
  config.instance_name = instance;
  config.namesrv_addr = address;
  config.local_offset_store_dir = offsets_dir;
  return config;
}

}  // namespace rmq::internal

#endif  // RMQ_TEST_UNIT_CLIENT_SCRIPTED_BROKER_H_
