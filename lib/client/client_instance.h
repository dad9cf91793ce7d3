// Copyright 2026 The rmq Authors. Licensed under the Apache License, Version 2.0.
//
// ClientInstance (RocketMQ's MQClientInstance): the client runtime shared by
// every producer and consumer of a process that use the same name server,
// instance name and clock. It owns the transport, caches topic routes and
// broker addresses, and runs the periodic tasks on the Clock:
//
//   route refresh      every pollNameServerInterval (30 s) and on demand
//   heartbeats         every heartbeatBrokerInterval (30 s), at registration
//   offset commits     every persistConsumerOffsetInterval (5 s)
//   rebalance          every 20 s, and at once when a broker says a group changed
//
// Periodic tasks run on the clock's timer thread (with a VirtualClock, on the
// thread that advances it), so a test sees their effects when Advance returns.

#ifndef RMQ_CLIENT_CLIENT_INSTANCE_H_
#define RMQ_CLIENT_CLIENT_INSTANCE_H_

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "client/topic_publish_info.h"
#include "common/periodic_timer.h"
#include "remoting/protocol_bodies.h"
#include "remoting/protocol_headers.h"
#include "remoting/transport.h"
#include "rmq/client_config.h"
#include "rmq/message.h"
#include "rmq/message_queue.h"

namespace rmq::internal {

class PullMessageService;

// What the instance needs from a consumer.
class ConsumerInner {
 public:
  virtual ~ConsumerInner() = default;
  virtual const std::string& group() const = 0;
  // The consumer's entry in heartbeats (model, subscriptions, …).
  virtual ConsumerData BuildConsumerData() const = 0;
  virtual std::vector<std::string> SubscribedTopics() const = 0;
  // The readable queues of a subscribed topic changed (route refresh).
  virtual void OnSubscribeQueuesChanged(const std::string& topic,
                                        const std::vector<MessageQueue>& queues) = 0;
  virtual void DoRebalance() = 0;
  virtual void PersistConsumerOffsets() = 0;
  // RESET_CONSUMER_CLIENT_OFFSET (an admin's resetOffsetByTime): consume the
  // topic's queues from these offsets. Only push consumers act on it, as in
  // RocketMQ; pull consumers choose their offsets themselves.
  virtual void ResetOffset(const std::string& topic,
                           const std::map<MessageQueue, int64_t>& offsets) {
    (void)topic;
    (void)offsets;
  }
};

// What the instance needs from a producer.
class ProducerInner {
 public:
  virtual ~ProducerInner() = default;
  virtual const std::string& group() const = 0;
  // CHECK_TRANSACTION_STATE from the broker at the other end of `channel`,
  // about the half message `msg`. Must not block (it runs on a transport
  // thread). Producers without a transaction listener ignore it.
  virtual void CheckTransactionState(const std::shared_ptr<Channel>& channel, MessageExt msg,
                                     const CheckTransactionStateRequestHeader& header);
};

class ClientInstance final : public RequestHandler,
                             public std::enable_shared_from_this<ClientInstance> {
 public:
  // The instance for `config` (created on first use). InvalidArgument if the
  // name server address is empty.
  static absl::StatusOr<std::shared_ptr<ClientInstance>> GetOrCreate(const ClientConfig& config);
  ~ClientInstance() override;

  const std::string& client_id() const { return client_id_; }
  const ClientConfig& config() const { return config_; }
  Clock& clock() { return *clock_; }
  const std::shared_ptr<Clock>& shared_clock() { return clock_; }
  Transport& transport() { return *transport_; }
  PullMessageService& pull_service() { return *pull_service_; }

  // Producers and consumers join and leave; a group can be registered once
  // per instance (AlreadyExists otherwise). Registration sends a heartbeat.
  absl::Status RegisterProducer(ProducerInner* producer);
  void UnregisterProducer(ProducerInner* producer);
  absl::Status RegisterConsumer(ConsumerInner* consumer);
  void UnregisterConsumer(ConsumerInner* consumer);

  // ---- Routes
  // Fetches `topic`'s route from the name server and updates the caches.
  // NotFound if the name server has no route for it.
  absl::Status UpdateTopicRoute(const std::string& topic);
  // Where producers may send `topic`: the cached route, fetched if absent; if
  // the topic has no route and `default_topic` is given, the default topic's
  // brokers (they create the topic on the first send). NotFound if neither.
  absl::StatusOr<std::shared_ptr<const TopicPublishInfo>> GetPublishInfo(
      const std::string& topic, const std::string& default_topic = {},
      int32_t default_queue_nums = 4);
  // Whether GetPublishInfo(topic) would answer from the cache, without
  // asking a name server.
  bool HasPublishInfo(const std::string& topic);
  // The readable queues of `topic`, fetching the route if needed.
  absl::StatusOr<std::vector<MessageQueue>> GetSubscribeQueues(const std::string& topic);
  // The master address of `broker_name`, or "" if unknown.
  std::string FindBrokerAddressInPublish(const std::string& broker_name);
  // An address of `broker_name` for pulls and offsets (the master if known).
  std::string FindBrokerAddressInSubscribe(const std::string& broker_name);
  // Some broker serving `topic`, for group-wide questions; "" if none.
  std::string FindBrokerAddressByTopic(const std::string& topic);

  // ---- Group-wide requests
  // The client ids of `group`'s members, as the broker of `topic` knows them.
  absl::StatusOr<std::vector<std::string>> FindConsumerIdList(const std::string& topic,
                                                              const std::string& group);

  // Heartbeats every known broker now.
  void SendHeartbeatToAllBrokers();
  // Runs every consumer's rebalance soon (on the timer thread).
  void RebalanceSoon();
  void RebalanceNow();

  // RequestHandler: requests brokers send back (NOTIFY_CONSUMER_IDS_CHANGED, …).
  void HandleRequest(const std::shared_ptr<Channel>& channel, RemotingCommand&& request,
                     Responder responder) override;

 private:
  ClientInstance(ClientConfig config, std::string key);
  void Start();
  void Stop();
  bool HasMembersLocked() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // RESET_CONSUMER_CLIENT_OFFSET: hands the offsets to the group's consumer.
  void ResetOffset(RemotingCommand& request);
  // CHECK_TRANSACTION_STATE: hands the half message to its group's producer.
  void CheckTransactionState(const std::shared_ptr<Channel>& channel, RemotingCommand& request);
  void RefreshAllRoutes();
  void PersistAllConsumerOffsets();
  // Applies a route fetched for `topic` (or for the default topic on its behalf).
  void ApplyRoute(const std::string& topic, const TopicRouteData& route, bool changed);
  absl::StatusOr<TopicRouteData> FetchRoute(const std::string& topic);
  std::vector<std::string> NameServerAddresses() const;

  const ClientConfig config_;
  const std::string key_;
  const std::string client_id_;
  std::shared_ptr<Clock> clock_;
  std::unique_ptr<Transport> transport_;
  std::unique_ptr<PullMessageService> pull_service_;

  absl::Mutex mu_;
  bool started_ ABSL_GUARDED_BY(mu_) = false;
  absl::flat_hash_map<std::string, ProducerInner*> producers_ ABSL_GUARDED_BY(mu_);
  absl::flat_hash_map<std::string, ConsumerInner*> consumers_ ABSL_GUARDED_BY(mu_);
  absl::flat_hash_map<std::string, TopicRouteData> routes_ ABSL_GUARDED_BY(mu_);
  absl::flat_hash_map<std::string, std::shared_ptr<const TopicPublishInfo>> publish_info_
      ABSL_GUARDED_BY(mu_);
  // brokerName → (brokerId → address), merged from every route seen.
  absl::flat_hash_map<std::string, std::map<int64_t, std::string>> broker_addrs_
      ABSL_GUARDED_BY(mu_);
  // Serializes rebalances (timer, notification, start).
  absl::Mutex rebalance_mu_;

  std::unique_ptr<PeriodicTimer> route_timer_;
  std::unique_ptr<PeriodicTimer> heartbeat_timer_;
  std::unique_ptr<PeriodicTimer> persist_timer_;
  std::unique_ptr<PeriodicTimer> rebalance_timer_;
};

}  // namespace rmq::internal

#endif  // RMQ_CLIENT_CLIENT_INSTANCE_H_
