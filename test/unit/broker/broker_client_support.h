// Copyright 2026 The rmq Authors. Licensed under the Apache License, Version 2.0.
//
// A consumer client for broker tests: its own transport (so the broker sees
// its own channel), heartbeats, and a record of what the broker sends it.

#ifndef RMQ_TEST_UNIT_BROKER_BROKER_CLIENT_SUPPORT_H_
#define RMQ_TEST_UNIT_BROKER_BROKER_CLIENT_SUPPORT_H_

#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "unit/broker/broker_fixture.h"

namespace rmq::testing {

// A client's side: records the requests the broker sends back.
class RecordingHandler : public internal::RequestHandler {
 public:
  void HandleRequest(const std::shared_ptr<internal::Channel>&, RemotingCommand&& request,
                     internal::Responder responder) override {
    std::string group;
    if (auto h = request.DecodeHeader<internal::NotifyConsumerIdsChangedRequestHeader>(); h.ok()) {
      group = (*h)->consumer_group;
    }
    {
      absl::MutexLock lock(&mu_);
      received_.push_back({request.code, group});
      bodies_.push_back({request.code, request.body.ToString()});
    }
    responder.Respond(RemotingCommand::Response(rc::kSuccess));
  }
  // The body of the last request with `code`, if any came.
  std::optional<std::string> LastBody(int32_t code) {
    absl::MutexLock lock(&mu_);
    for (auto it = bodies_.rbegin(); it != bodies_.rend(); ++it) {
      if (it->first == code) return it->second;
    }
    return std::nullopt;
  }
  // Notifications for `group` so far.
  int Notifications(const std::string& group) {
    absl::MutexLock lock(&mu_);
    int n = 0;
    for (const auto& [code, g] : received_) n += code == rq::kNotifyConsumerIdsChanged && g == group;
    return n;
  }

 private:
  absl::Mutex mu_;
  std::vector<std::pair<int32_t, std::string>> received_;  // (code, group)
  std::vector<std::pair<int32_t, std::string>> bodies_;    // (code, body)
};

// A client: its own transport (so the broker sees its own channel).
struct Client {
  Client(BrokerFixture& f, const std::string& id)
      : fixture(f),
        client_id(id),
        transport(internal::NewClientTransport(UniqueName(id), &handler, f.clock_ptr())) {}
  ~Client() { transport->Shutdown(); }

  RemotingCommand Call(RemotingCommand request) {
    auto r = transport->InvokeSync(fixture.config().broker_addr, std::move(request), absl::Seconds(3));
    REQUIRE(r.ok());
    return *std::move(r);
  }
  RemotingCommand Heartbeat(const std::string& group, const std::vector<std::string>& topics) {
    internal::HeartbeatData hb;
    hb.client_id = client_id;
    internal::ConsumerData consumer;
    consumer.group_name = group;
    for (const std::string& topic : topics) {
      internal::SubscriptionData sub;
      sub.topic = topic;
      consumer.subscription_data_set.push_back(sub);
    }
    hb.consumer_data_set.push_back(consumer);
    internal::ProducerData producer;
    producer.group_name = "PG";
    hb.producer_data_set.push_back(producer);
    return Call(BrokerFixture::HeartbeatRequest(hb));
  }
  void Unregister(const std::string& group) {
    auto header = std::make_unique<internal::UnregisterClientRequestHeader>();
    header->client_id = client_id;
    header->consumer_group = group;
    header->producer_group = "PG";
    REQUIRE(Call(RemotingCommand::Request(rq::kUnregisterClient, std::move(header))).code ==
            rc::kSuccess);
  }

  BrokerFixture& fixture;
  std::string client_id;
  RecordingHandler handler;
  std::unique_ptr<internal::Transport> transport;
};

}  // namespace rmq::testing

#endif  // RMQ_TEST_UNIT_BROKER_BROKER_CLIENT_SUPPORT_H_
