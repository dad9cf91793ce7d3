// Copyright 2026 The rmq Authors. Licensed under the Apache License, Version 2.0.
//
// A fake name server and fake brokers, bound under fresh inproc:// names, for
// the producer tests: the name server answers GET_ROUTEINFO_BY_TOPIC from
// routes the test sets; each broker records every send (header and body as
// received) and answers as the test says: success by default, an error code,
// or not at all (the test answers later, or the request times out on the
// VirtualClock).

#ifndef RMQ_TEST_UNIT_CLIENT_PRODUCER_TEST_CLUSTER_H_
#define RMQ_TEST_UNIT_CLIENT_PRODUCER_TEST_CLUSTER_H_

#include <unistd.h>

#include <atomic>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include <catch2/catch.hpp>

#include "absl/synchronization/mutex.h"
#include "common/big_endian.h"
#include "common/msg_id.h"
#include "common/properties_codec.h"
#include "remoting/inproc_transport.h"
#include "remoting/protocol_bodies.h"
#include "remoting/protocol_headers.h"
#include "remoting/request_code.h"
#include "rmq/clock.h"
#include "rmq/producer.h"

namespace rmq::testing {

namespace rc = internal::response_code;
namespace rq = internal::request_code;
using internal::RemotingCommand;

inline std::string UniqueName(const std::string& prefix) {
  static std::atomic<int> counter{0};
  return prefix + "-" + std::to_string(::getpid()) + "-" + std::to_string(counter.fetch_add(1));
}

// Waits for a condition another thread brings about (no clock involved).
template <typename Pred>
void SpinUntil(Pred pred) {
  while (!pred()) std::this_thread::yield();
}

inline RemotingCommand Success() { return RemotingCommand::Response(rc::kSuccess); }

class FakeNameServer final : public internal::RequestHandler {
 public:
  void SetRoute(const std::string& topic, internal::TopicRouteData route) {
    absl::MutexLock lock(&mu_);
    routes_[topic] = std::move(route);
  }
  int route_requests(const std::string& topic) {
    absl::MutexLock lock(&mu_);
    return requests_[topic];
  }

  void HandleRequest(const std::shared_ptr<internal::Channel>&, RemotingCommand&& request,
                     internal::Responder responder) override {
    if (request.code != rq::kGetRouteInfoByTopic) {
      responder.Respond(Success());
      return;
    }
    auto header = request.DecodeHeader<internal::GetRouteInfoRequestHeader>();
    REQUIRE(header.ok());
    const std::string topic = (*header)->topic;
    absl::MutexLock lock(&mu_);
    ++requests_[topic];
    auto it = routes_.find(topic);
    if (it == routes_.end()) {
      responder.Respond(RemotingCommand::Response(rc::kTopicNotExist, "No topic route info in name server for the topic: " + topic));
      return;
    }
    RemotingCommand response = Success();
    response.body = internal::Payload(internal::ToJson(it->second));
    responder.Respond(std::move(response));
  }

 private:
  absl::Mutex mu_;
  std::map<std::string, internal::TopicRouteData> routes_ ABSL_GUARDED_BY(mu_);
  std::map<std::string, int> requests_ ABSL_GUARDED_BY(mu_);
};

// A send as a fake broker received it.
struct ReceivedSend {
  int32_t code = 0;
  bool v2_header = false;  // The typed header was SendMessageRequestHeaderV2.
  internal::SendMessageRequestHeader header;
  std::string body;
  Message::Properties properties;  // header.properties decoded.
  bool oneway = false;
};

class FakeBroker final : public internal::RequestHandler {
 public:
  // What to answer a send: a response, or nullopt to hold it (Release answers later).
  using Policy = std::function<std::optional<RemotingCommand>(const ReceivedSend&)>;

  FakeBroker(std::string name, std::string address)
      : name_(std::move(name)), address_(std::move(address)) {}

  const std::string& name() const { return name_; }
  const std::string& address() const { return address_; }

  void SetPolicy(Policy policy) {
    absl::MutexLock lock(&mu_);
    policy_ = std::move(policy);
  }
  // Answers every send with `code` (and no header).
  void AnswerWith(int32_t code, std::string remark = "injected") {
    SetPolicy([code, remark](const ReceivedSend&) -> std::optional<RemotingCommand> {
      return RemotingCommand::Response(code, remark);
    });
  }
  void HoldAll() {
    SetPolicy([](const ReceivedSend&) -> std::optional<RemotingCommand> { return std::nullopt; });
  }
  // Runs inside the handler, before the answer (e.g. to move the clock).
  void SetOnSend(std::function<void()> fn) {
    absl::MutexLock lock(&mu_);
    on_send_ = std::move(fn);
  }

  size_t send_count() {
    absl::MutexLock lock(&mu_);
    return sends_.size();
  }
  std::vector<ReceivedSend> sends() {
    absl::MutexLock lock(&mu_);
    return sends_;
  }
  // Blocks until `n` sends have arrived.
  void WaitForSends(size_t n) {
    absl::MutexLock lock(&mu_);
    while (sends_.size() < n) arrived_.Wait(&mu_);
  }
  size_t held_count() {
    absl::MutexLock lock(&mu_);
    return held_.size();
  }
  // Answers the oldest held send with `response` (a success if null).
  void ReleaseOldest(std::optional<RemotingCommand> response = std::nullopt) {
    internal::Responder responder;
    ReceivedSend send;
    {
      absl::MutexLock lock(&mu_);
      REQUIRE(!held_.empty());
      responder = std::move(held_.front().first);
      send = std::move(held_.front().second);
      held_.erase(held_.begin());
    }
    responder.Respond(response.has_value() ? std::move(*response) : Stored(send));
  }

  void HandleRequest(const std::shared_ptr<internal::Channel>&, RemotingCommand&& request,
                     internal::Responder responder) override {
    if (request.code != rq::kSendMessage && request.code != rq::kSendBatchMessage &&
        request.code != rq::kSendMessageV2) {
      responder.Respond(Success());
      return;
    }
    ReceivedSend send;
    send.code = request.code;
    send.oneway = request.is_oneway();
    if (auto* v2 = dynamic_cast<internal::SendMessageRequestHeaderV2*>(request.header.get())) {
      send.v2_header = true;
      send.header = v2->v1;
    } else {
      auto header = request.DecodeHeader<internal::SendMessageRequestHeader>();
      REQUIRE(header.ok());
      send.header = **header;
    }
    send.body = request.body.ToString();
    if (send.header.properties.has_value()) {
      REQUIRE(internal::DecodeProperties(*send.header.properties, &send.properties).ok());
    }
    Policy policy;
    std::function<void()> on_send;
    {
      absl::MutexLock lock(&mu_);
      sends_.push_back(send);
      arrived_.SignalAll();
      policy = policy_;
      on_send = on_send_;
    }
    if (on_send) on_send();
    std::optional<RemotingCommand> response =
        policy ? policy(send) : std::optional<RemotingCommand>(Stored(send));
    if (!response.has_value()) {
      absl::MutexLock lock(&mu_);
      held_.emplace_back(std::move(responder), std::move(send));
      return;
    }
    responder.Respond(std::move(*response));
  }

  // A success answer as a broker gives it: offset msgIds (one per batch
  // entry, comma-separated) and the next offset of the queue.
  RemotingCommand Stored(const ReceivedSend& send) {
    size_t entries = 1;
    if (send.header.batch.value_or(false)) {
      entries = 0;
      for (size_t pos = 0; pos + 4 <= send.body.size(); ++entries) {
        pos += static_cast<size_t>(internal::GetBig32(send.body.data() + pos));
      }
    }
    auto header = std::make_unique<internal::SendMessageResponseHeader>();
    absl::MutexLock lock(&mu_);
    for (size_t i = 0; i < entries; ++i) {
      if (i > 0) header->msg_id += ",";
      header->msg_id += internal::CreateOffsetMsgId(HostAddress::Ipv4(10, 0, 0, 1, 10911),
                                                    commit_offset_);
      commit_offset_ += 100;
    }
    header->queue_id = send.header.queue_id;
    header->queue_offset = queue_offsets_[send.header.queue_id];
    queue_offsets_[send.header.queue_id] += static_cast<int64_t>(entries);
    return RemotingCommand::Response(rc::kSuccess, {}, std::move(header));
  }

 private:
  const std::string name_;
  const std::string address_;
  absl::Mutex mu_;
  absl::CondVar arrived_;
  Policy policy_ ABSL_GUARDED_BY(mu_);
  std::function<void()> on_send_ ABSL_GUARDED_BY(mu_);
  std::vector<ReceivedSend> sends_ ABSL_GUARDED_BY(mu_);
  std::vector<std::pair<internal::Responder, ReceivedSend>> held_ ABSL_GUARDED_BY(mu_);
  int64_t commit_offset_ ABSL_GUARDED_BY(mu_) = 0;
  std::map<int32_t, int64_t> queue_offsets_ ABSL_GUARDED_BY(mu_);
};

// A fake name server and brokers "broker-a", "broker-b", … on a VirtualClock.
class ProducerTestCluster {
 public:
  explicit ProducerTestCluster(int brokers = 2) : clock_(std::make_shared<VirtualClock>()) {
    auto ns = internal::InprocServer::Bind(UniqueName("namesrv"), &namesrv_);
    REQUIRE(ns.ok());
    namesrv_server_ = *std::move(ns);
    for (int i = 0; i < brokers; ++i) {
      std::string name = std::string("broker-") + static_cast<char>('a' + i);
      std::string bind_name = UniqueName(name);
      auto broker = std::make_unique<FakeBroker>(name, std::string(internal::kInprocScheme) + bind_name);
      auto server = internal::InprocServer::Bind(bind_name, broker.get());
      REQUIRE(server.ok());
      brokers_.push_back(std::move(broker));
      servers_.push_back(*std::move(server));
    }
  }
  ~ProducerTestCluster() {
    servers_.clear();
    namesrv_server_.reset();
  }

  // `topic` with `queues` write queues on each broker (or on those listed).
  void AddTopic(const std::string& topic, int32_t queues = 4,
                std::vector<size_t> on_brokers = {}) {
    if (on_brokers.empty()) {
      for (size_t i = 0; i < brokers_.size(); ++i) on_brokers.push_back(i);
    }
    internal::TopicRouteData route;
    for (size_t i : on_brokers) {
      internal::QueueData qd;
      qd.broker_name = brokers_[i]->name();
      qd.read_queue_nums = queues;
      qd.write_queue_nums = queues;
      qd.perm = internal::perm::kRead | internal::perm::kWrite;
      route.queue_datas.push_back(qd);
      internal::BrokerData bd;
      bd.cluster = "DefaultCluster";
      bd.broker_name = brokers_[i]->name();
      bd.broker_addrs[internal::kMasterId] = brokers_[i]->address();
      route.broker_datas.push_back(bd);
    }
    namesrv_.SetRoute(topic, route);
  }

  ProducerConfig Config(const std::string& group = "PG_Test") const {
    ProducerConfig config;
    config.group_name = group;
    config.namesrv_addr = namesrv_server_->address();
    config.clock = clock_;
    return config;
  }

  FakeNameServer& namesrv() { return namesrv_; }
  FakeBroker& broker(size_t i) { return *brokers_[i]; }
  FakeBroker* broker_named(const std::string& name) {
    for (auto& b : brokers_) {
      if (b->name() == name) return b.get();
    }
    return nullptr;
  }
  internal::InprocServer& server(size_t i) { return *servers_[i]; }
  VirtualClock& clock() { return *clock_; }

 private:
  std::shared_ptr<VirtualClock> clock_;
  FakeNameServer namesrv_;
  std::unique_ptr<internal::InprocServer> namesrv_server_;
  std::vector<std::unique_ptr<FakeBroker>> brokers_;
  std::vector<std::unique_ptr<internal::InprocServer>> servers_;
};

// A started producer; fails the test if it does not start.
inline std::unique_ptr<Producer> StartedProducer(ProducerConfig config) {
  auto producer = std::make_unique<Producer>(std::move(config));
  absl::Status started = producer->Start();
  INFO(started.ToString());
  REQUIRE(started.ok());
  return producer;
}

}  // namespace rmq::testing

#endif  // RMQ_TEST_UNIT_CLIENT_PRODUCER_TEST_CLUSTER_H_
