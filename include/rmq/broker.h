// Copyright 2026 The rmq Authors. Licensed under the Apache License, Version 2.0.
//
// Broker: RocketMQ's broker role over a MessageStore. It keeps topic and
// consumer-group configs, stores sent messages, answers pulls (holding a pull
// up to 15 s until a message arrives: long polling), tracks consumer offsets
// (config/consumerOffset.json, persisted every 5 s and at shutdown) and the
// clients of each group (from heartbeats, expired after 120 s), and registers
// itself with its name servers every 30 s.
//
// A Broker answers RocketMQ remoting requests; serve it in this process
// (EmbeddedCluster, FakeCluster bind it under its inproc:// address) or over TCP.

#ifndef RMQ_BROKER_H_
#define RMQ_BROKER_H_

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "rmq/clock.h"
#include "rmq/store.h"

namespace rmq {

namespace internal {
class RequestHandler;
}

// The broker's place in a master/slave group (brokerRole). rmq has no
// replication yet: a SLAVE is refused at load and at Create.
enum class BrokerRole { kAsyncMaster, kSyncMaster, kSlave };

// RocketMQ's BrokerConfig names and defaults (the keys of broker.conf), plus
// the store's settings.
struct BrokerConfig {
  std::string broker_cluster_name = "DefaultCluster";  // brokerClusterName
  std::string broker_name = "broker-a";                // brokerName
  int64_t broker_id = 0;                               // brokerId: 0 is the master
  // The address clients use to reach this broker: "inproc://NAME" in this
  // process, "host:port" over TCP. Registered with the name servers.
  std::string broker_addr;
  // brokerIP1 and listenPort: in broker.conf they give the TCP address
  // ("brokerIP1:listenPort") used as broker_addr when brokerAddr is not set,
  // and the store host written into every message.
  std::string broker_ip1;
  int32_t listen_port = 10911;
  std::string namesrv_addr;  // namesrvAddr: "addr1;addr2"; "" = register nowhere
  bool auto_create_topic_enable = true;             // autoCreateTopicEnable
  int32_t default_topic_queue_nums = 4;             // defaultTopicQueueNums
  bool auto_create_subscription_group = true;       // autoCreateSubscriptionGroup
  int32_t broker_permission = 6;                    // brokerPermission: read | write
  bool long_polling_enable = true;                  // longPollingEnable
  int64_t short_polling_time_mills = 1000;          // shortPollingTimeMills
  int32_t register_name_server_period = 30000;      // registerNameServerPeriod, ms
  int32_t flush_consumer_offset_interval = 5000;    // flushConsumerOffsetInterval, ms
  int64_t channel_expired_timeout = 120000;         // channelExpiredTimeout, ms (clients)
  int32_t max_msgs_num_batch = 64;                  // maxMsgsNumBatch (per pull)
  // enablePropertyFilter: serve SQL92 subscriptions (MessageSelector::BySql),
  // filtering each message by its properties. Off, as in RocketMQ: pulls and
  // CHECK_CLIENT_CONFIG of such a subscription get SYSTEM_ERROR.
  bool enable_property_filter = false;
  // How long an orderly consumer's queue lock lasts without renewal, ms
  // (RocketMQ's JVM property rocketmq.broker.rebalance.lockMaxLiveTime; the
  // same key in broker.conf here).
  int64_t rebalance_lock_max_live_time = 60000;
  bool trace_topic_enable = false;                  // traceTopicEnable
  std::string msg_trace_topic_name = "RMQ_SYS_TRACE_TOPIC";  // msgTraceTopicName
  // Transactions: a half message with no outcome is checked with its producer
  // group once older than transactionTimeOut, on a pass every
  // transactionCheckInterval; after transactionCheckMax checks it is
  // discarded to TRANS_CHECK_MAX_TIME_TOPIC.
  int64_t transaction_timeout = 6000;          // transactionTimeOut, ms
  int32_t transaction_check_max = 15;          // transactionCheckMax
  int64_t transaction_check_interval = 60000;  // transactionCheckInterval, ms
  bool reject_transaction_message = false;     // rejectTransactionMessage
  BrokerRole broker_role = BrokerRole::kAsyncMaster;  // brokerRole
  MessageStoreConfig store;                         // storePathRootDir, flushDiskType, …
};

// Reads a broker.conf (broker and store keys) into `config`, starting from its
// current values. Unknown keys, bad values and values that cannot work
// together (brokerId 1 on a master) are InvalidArgument errors that name the
// file, line and key.
absl::Status LoadBrokerConfig(const std::string& path, BrokerConfig* config);

class Broker {
 public:
  // A broker over the store at config.store.store_path_root_dir. Its periodic
  // tasks (registration, offset persistence, client expiry, long-poll
  // timeouts) run on `clock` (default: the system clock). Nothing is opened
  // until Start.
  static absl::StatusOr<std::unique_ptr<Broker>> Create(const BrokerConfig& config,
                                                        std::shared_ptr<Clock> clock = nullptr);
  virtual ~Broker() = default;  // Shuts down.

  // Opens the store and the configs in <storePathRootDir>/config/, registers
  // with the name servers and starts the periodic tasks.
  virtual absl::Status Start() = 0;
  // Unregisters from the name servers, answers held pulls, persists consumer
  // offsets and closes the store. Idempotent.
  virtual void Shutdown() = 0;

  // Creates or updates a topic with `queue_nums` read and write queues and
  // permission `perm` (6 = read|write), and re-registers with the name
  // servers before it returns (so clients find the topic's route at once).
  virtual absl::Status CreateTopic(std::string_view topic, int32_t queue_nums,
                                   int32_t perm = 6) = 0;

  // Registers with every name server now (as the 30 s task does).
  virtual absl::Status RegisterWithNameServers() = 0;

  virtual const BrokerConfig& config() const = 0;
  // The store (valid between Start and Shutdown).
  virtual MessageStore* store() = 0;
  // The remoting request handler, to serve this broker on a transport.
  virtual internal::RequestHandler* handler() = 0;
};

}  // namespace rmq

#endif  // RMQ_BROKER_H_
