// Copyright 2026 The rmq Authors. Licensed under the Apache License, Version 2.0.
//
// A broker over a temporary store, bound under a unique inproc:// name and
// driven as a client would drive it: through an inproc client transport,
// with RocketMQ's request headers. Time is a VirtualClock.

#ifndef RMQ_TEST_UNIT_BROKER_BROKER_FIXTURE_H_
#define RMQ_TEST_UNIT_BROKER_BROKER_FIXTURE_H_

#include <atomic>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <catch2/catch.hpp>

#include "absl/synchronization/notification.h"
#include "common/big_endian.h"
#include "common/properties_codec.h"
#include "remoting/client_transport.h"
#include "remoting/inproc_transport.h"
#include "remoting/protocol_bodies.h"
#include "remoting/protocol_headers.h"
#include "remoting/request_code.h"
#include "rmq/broker.h"
#include "support/store_fixtures.h"
#include "support/temp_dir.h"

namespace rmq::testing {

namespace rc = internal::response_code;
namespace rq = internal::request_code;
using internal::RemotingCommand;

inline std::string UniqueName(const std::string& prefix) {
  static std::atomic<int> counter{0};
  return prefix + "-" + std::to_string(::getpid()) + "-" + std::to_string(counter.fetch_add(1));
}

// A small broker config over `dir`, reachable at a fresh inproc:// name.
inline BrokerConfig TestBrokerConfig(const std::string& dir) {
  BrokerConfig config;
  config.broker_name = "broker-a";
  config.broker_addr = "inproc://" + UniqueName("broker");
  config.store = SmallStoreConfig(dir);
  return config;
}

// Collects the response of an asynchronous request.
struct Pending {
  absl::Notification done;
  absl::StatusOr<RemotingCommand> result = absl::UnknownError("no response yet");
};

class BrokerFixture {
 public:
  explicit BrokerFixture(std::function<void(BrokerConfig&)> adjust = nullptr)
      : clock_(std::make_shared<VirtualClock>()) {
    config_ = TestBrokerConfig(dir_.path());
    if (adjust) adjust(config_);
    StartBroker();
    client_ = internal::NewClientTransport(UniqueName("client"), nullptr, clock_);
  }
  ~BrokerFixture() {
    if (client_) client_->Shutdown();
    server_.reset();
    if (broker_) broker_->Shutdown();
  }

  // Creates and starts the broker (again, after StopBroker: same store dir).
  void StartBroker() {
    auto broker = Broker::Create(config_, clock_);
    REQUIRE(broker.ok());
    broker_ = *std::move(broker);
    absl::Status started = broker_->Start();
    INFO(started.ToString());
    REQUIRE(started.ok());
    auto server = internal::InprocServer::Bind(
        config_.broker_addr.substr(internal::kInprocScheme.size()), broker_->handler());
    REQUIRE(server.ok());
    server_ = *std::move(server);
  }
  void StopBroker() {
    server_.reset();
    broker_->Shutdown();
    broker_.reset();
  }

  RemotingCommand Call(RemotingCommand request) {
    auto response = client_->InvokeSync(config_.broker_addr, std::move(request), absl::Seconds(30));
    INFO(response.status().ToString());
    REQUIRE(response.ok());
    return *std::move(response);
  }
  std::shared_ptr<Pending> CallAsync(RemotingCommand request) {
    auto pending = std::make_shared<Pending>();
    client_->InvokeAsync(config_.broker_addr, std::move(request), absl::Seconds(60),
                         [pending](absl::StatusOr<RemotingCommand> result) {
                           pending->result = std::move(result);
                           pending->done.Notify();
                         });
    return pending;
  }

  // SEND_MESSAGE of `msg` to queue `queue_id` (its properties encoded in the header).
  static RemotingCommand SendRequest(const Message& msg, int32_t queue_id,
                                     int32_t code = rq::kSendMessage) {
    auto header = std::make_unique<internal::SendMessageRequestHeader>();
    header->producer_group = "PG";
    header->topic = msg.topic();
    header->queue_id = queue_id;
    header->born_timestamp = 1700000000000;
    header->flag = msg.flag();
    header->properties = internal::EncodeProperties(msg.properties());
    RemotingCommand request = RemotingCommand::Request(code, std::move(header));
    request.body = internal::Payload(msg.body());
    return request;
  }
  RemotingCommand Send(const Message& msg, int32_t queue_id = 0) {
    return Call(SendRequest(msg, queue_id));
  }

  static RemotingCommand PullRequest(const std::string& group, const std::string& topic,
                                     int32_t queue_id, int64_t offset, int32_t max = 32,
                                     std::optional<std::string> subscription = "*",
                                     int32_t extra_flags = 0, int64_t suspend_ms = 15000) {
    auto header = std::make_unique<internal::PullMessageRequestHeader>();
    header->consumer_group = group;
    header->topic = topic;
    header->queue_id = queue_id;
    header->queue_offset = offset;
    header->max_msg_nums = max;
    header->sys_flag = extra_flags;
    if (subscription) {
      header->sys_flag |= internal::pull_sysflag::kSubscription;
      header->subscription = subscription;
    }
    header->suspend_timeout_millis = suspend_ms;
    return RemotingCommand::Request(rq::kPullMessage, std::move(header));
  }
  RemotingCommand Pull(const std::string& group, const std::string& topic, int32_t queue_id,
                       int64_t offset, int32_t max = 32, std::optional<std::string> sub = "*") {
    broker_->store()->WaitForDispatch();
    return Call(PullRequest(group, topic, queue_id, offset, max, std::move(sub)));
  }

  static RemotingCommand HeartbeatRequest(const internal::HeartbeatData& data) {
    RemotingCommand request = RemotingCommand::Request(rq::kHeartBeat);
    request.body = internal::Payload(internal::ToJson(data));
    return request;
  }

  Broker& broker() { return *broker_; }
  BrokerConfig& config() { return config_; }
  VirtualClock& clock() { return *clock_; }
  std::shared_ptr<VirtualClock> clock_ptr() { return clock_; }
  internal::Transport& client() { return *client_; }
  const TempDir& dir() const { return dir_; }

 private:
  TempDir dir_;
  std::shared_ptr<VirtualClock> clock_;
  BrokerConfig config_;
  std::unique_ptr<Broker> broker_;
  std::unique_ptr<internal::InprocServer> server_;
  std::unique_ptr<internal::Transport> client_;
};

// The typed response header of type H.
template <typename H>
H ResponseHeader(RemotingCommand& response) {
  auto header = response.DecodeHeader<H>();
  INFO(header.status().ToString());
  REQUIRE(header.ok());
  return **header;
}

// The messages of a pull (or query) body: stored records back to back.
inline std::vector<MessageExt> DecodeRecords(const internal::Payload& body) {
  std::string bytes = body.ToString();
  std::vector<MessageExt> out;
  size_t pos = 0;
  while (pos + 4 <= bytes.size()) {
    auto size = static_cast<size_t>(internal::GetBig32(bytes.data() + pos));
    REQUIRE(size > 0);
    REQUIRE(pos + size <= bytes.size());
    auto msg = DecodeMessage(std::string_view(bytes).substr(pos, size));
    INFO(msg.status().ToString());
    REQUIRE(msg.ok());
    out.push_back(*std::move(msg));
    pos += size;
  }
  REQUIRE(pos == bytes.size());
  return out;
}

}  // namespace rmq::testing

#endif  // RMQ_TEST_UNIT_BROKER_BROKER_FIXTURE_H_
