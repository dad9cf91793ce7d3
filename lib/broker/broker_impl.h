// Copyright 2026 The rmq Authors. Licensed under the Apache License, Version 2.0.
//
// BrokerImpl: the Broker of rmq/broker.h. It owns the store, the config
// managers, the client tables, the long-polling service and the name server
// registrar, and answers remoting requests by handing each to its processor
// (by request code) on the caller's thread.
//
// Lifecycle: Create (validates) → Start (opens the store, loads
// config/*.json, starts the periodic tasks, registers) → Shutdown (refuses
// new requests and waits for those in progress, answers held pulls,
// unregisters, saves consumer offsets, closes the store). Requests outside
// Start..Shutdown get SERVICE_NOT_AVAILABLE.

#ifndef RMQ_BROKER_BROKER_IMPL_H_
#define RMQ_BROKER_BROKER_IMPL_H_

#include <atomic>
#include <memory>

#include "absl/synchronization/mutex.h"
#include "broker/admin_processor.h"
#include "broker/broker_context.h"
#include "broker/broker_stats.h"
#include "broker/client_manage_processor.h"
#include "broker/consumer_admin_processor.h"
#include "broker/queue_lock_processor.h"
#include "broker/rebalance_lock_manager.h"
#include "broker/consumer_manage_processor.h"
#include "broker/consumer_send_msg_back_processor.h"
#include "broker/end_transaction_processor.h"
#include "broker/name_server_registrar.h"
#include "broker/pull_message_processor.h"
#include "broker/pull_request_hold_service.h"
#include "broker/query_message_processor.h"
#include "broker/send_message_processor.h"
#include "broker/stats_processor.h"
#include "broker/transactional_message_service.h"
#include "common/periodic_timer.h"
#include "remoting/transport.h"
#include "rmq/broker.h"

namespace rmq::internal {

class BrokerImpl final : public Broker, public RequestHandler {
 public:
  BrokerImpl(const BrokerConfig& config, std::shared_ptr<Clock> clock);
  ~BrokerImpl() override;

  // Broker
  absl::Status Start() override;
  void Shutdown() override;
  absl::Status CreateTopic(std::string_view topic, int32_t queue_nums, int32_t perm) override;
  absl::Status RegisterWithNameServers() override;
  const BrokerConfig& config() const override { return config_; }
  MessageStore* store() override { return store_.get(); }
  RequestHandler* handler() override { return this; }

  // RequestHandler
  void HandleRequest(const std::shared_ptr<Channel>& channel, RemotingCommand&& request,
                     Responder responder) override;
  void OnChannelClosed(const std::shared_ptr<Channel>& channel) override;
  // Sends, when nothing makes them wait: the store flushes asynchronously
  // and no slave must confirm (ASYNC_FLUSH on an ASYNC_MASTER or a slave).
  bool AnswersWithoutBlocking(const RemotingCommand& request) const override;

  // Held pulls now (for tests and stats).
  size_t held_pull_count() const { return holds_ ? holds_->held_count() : 0; }
  // The compiled SQL92 subscriptions (for tests and stats).
  const ConsumerFilterManager& filters() const { return filters_; }

 private:
  enum State : int { kCreated, kRunning, kStopping, kStopped };

  void Dispatch(const std::shared_ptr<Channel>& channel, RemotingCommand&& request,
                Responder& responder);
  void LeaveRequest();
  absl::Status CheckRunning() const;

  const BrokerConfig config_;
  const std::shared_ptr<Clock> clock_;

  std::atomic<int> state_{kCreated};
  std::atomic<int> in_flight_{0};  // Requests inside HandleRequest.
  absl::Mutex lifecycle_mu_;       // Serializes Start and Shutdown.
  absl::Mutex drain_mu_;
  absl::CondVar drained_;

  std::unique_ptr<MessageStore> store_;
  std::unique_ptr<TopicConfigManager> topics_;
  std::unique_ptr<SubscriptionGroupManager> groups_;
  std::unique_ptr<ConsumerOffsetManager> offsets_;
  ConsumerFilterManager filters_;
  std::unique_ptr<ConsumerManager> consumers_;
  std::unique_ptr<ProducerManager> producers_;
  std::unique_ptr<NameServerRegistrar> registrar_;
  std::shared_ptr<PullRequestHoldService> holds_;
  BrokerStats stats_;
  BrokerContext ctx_;
  TransactionalMessageService transactions_;

  SendMessageProcessor send_;
  PullMessageProcessor pull_;
  ConsumerManageProcessor consumer_manage_;
  ClientManageProcessor client_manage_;
  AdminProcessor admin_;
  QueryMessageProcessor query_;
  StatsProcessor stats_processor_;
  ConsumerAdminProcessor consumer_admin_;
  ConsumerSendMsgBackProcessor send_back_;
  EndTransactionProcessor end_transaction_;
  RebalanceLockManager rebalance_locks_;
  QueueLockProcessor queue_locks_;

  std::unique_ptr<PeriodicTimer> offset_persist_timer_;
  std::unique_ptr<PeriodicTimer> client_scan_timer_;
  std::unique_ptr<PeriodicTimer> stats_sample_timer_;
  std::unique_ptr<PeriodicTimer> transaction_check_timer_;
};

}  // namespace rmq::internal

#endif  // RMQ_BROKER_BROKER_IMPL_H_
