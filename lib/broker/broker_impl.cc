// Copyright 2026 The rmq Authors. Licensed under the Apache License, Version 2.0.

#include "broker/broker_impl.h"

#include <utility>

#include "broker/broker_config.h"
#include "broker/processor_util.h"
#include "common/str_cat.h"
#include "spdlog/spdlog.h"

namespace rmq {

absl::StatusOr<std::unique_ptr<Broker>> Broker::Create(const BrokerConfig& config,
                                                       std::shared_ptr<Clock> clock) {
  if (absl::Status s = internal::ValidateBrokerConfig(config); !s.ok()) {
    return absl::InvalidArgumentError(
        internal::StrCat("broker ", config.broker_name, ": ", internal::StdView(s.message())));
  }
  if (!clock) clock = SystemClock::Default();
  return std::unique_ptr<Broker>(new internal::BrokerImpl(config, std::move(clock)));
}

namespace internal {
namespace {

namespace rc = response_code;
namespace rq = request_code;

// ClientHousekeepingService: how often silent clients are looked for.
constexpr absl::Duration kClientScanInterval = absl::Seconds(10);
// PullRequestHoldService's periodic check under long polling.
constexpr absl::Duration kLongPollingCheckInterval = absl::Seconds(5);

}  // namespace

BrokerImpl::BrokerImpl(const BrokerConfig& config, std::shared_ptr<Clock> clock)
    : config_(config),
      clock_(std::move(clock)),
      transactions_(ctx_),
      send_(ctx_),
      pull_(ctx_),
      consumer_manage_(ctx_),
      client_manage_(ctx_),
      admin_(ctx_),
      query_(ctx_),
      stats_processor_(ctx_),
      consumer_admin_(ctx_),
      send_back_(ctx_),
      end_transaction_(ctx_),
      rebalance_locks_(*clock_, config_.rebalance_lock_max_live_time),
      queue_locks_(rebalance_locks_) {
  topics_ = std::make_unique<TopicConfigManager>(config_, *clock_, [this] {
    if (registrar_) registrar_->RegisterAllAsync();
  });
  groups_ = std::make_unique<SubscriptionGroupManager>(config_, *clock_);
  offsets_ = std::make_unique<ConsumerOffsetManager>(config_.store.store_path_root_dir);
  SubscriptionListener compile_filters;
  if (config_.enable_property_filter) {
    // Heartbeats keep the compiled SQL92 subscriptions current.
    compile_filters = [this](std::string_view group,
                             const std::vector<const SubscriptionData*>& subscriptions) {
      filters_.SyncGroup(group, subscriptions);
    };
  }
  consumers_ = std::make_unique<ConsumerManager>(
      *clock_, config_.channel_expired_timeout,
      [this](std::string_view group) {
        auto found = groups_->Find(group);
        return !found || found->notify_consumer_ids_changed_enable;
      },
      std::move(compile_filters));
  producers_ = std::make_unique<ProducerManager>(*clock_, config_.channel_expired_timeout);
  registrar_ = std::make_unique<NameServerRegistrar>(config_, clock_, [this] {
    return topics_->BuildSerializeWrapper();
  });
  ctx_.config = &config_;
  ctx_.clock = clock_;
  ctx_.topics = topics_.get();
  ctx_.groups = groups_.get();
  ctx_.offsets = offsets_.get();
  ctx_.consumers = consumers_.get();
  ctx_.filters = &filters_;
  ctx_.producers = producers_.get();
  ctx_.stats = &stats_;
  ctx_.transactions = &transactions_;
}

BrokerImpl::~BrokerImpl() { Shutdown(); }

absl::Status BrokerImpl::Start() {
  absl::MutexLock lifecycle(&lifecycle_mu_);
  if (state_.load() != kCreated) {
    return absl::FailedPreconditionError(
        StrCat("broker ", config_.broker_name, " was already started; create a new one"));
  }
  auto store = MessageStore::Open(config_.store, clock_);
  if (!store.ok()) {
    return absl::Status(store.status().code(),
                        StrCat("broker ", config_.broker_name, ": opening the store at ",
                               config_.store.store_path_root_dir, ": ",
                               StdView(store.status().message())));
  }
  for (absl::Status s : {topics_->Load(), groups_->Load(), offsets_->Load()}) {
    if (!s.ok()) {
      return absl::Status(s.code(), StrCat("broker ", config_.broker_name,
                                           ": loading its configs: ", StdView(s.message())));
    }
  }
  store_ = *std::move(store);
  ctx_.store = store_.get();
  ctx_.boot_timestamp_ms = clock_->NowMillis();

  holds_ = PullRequestHoldService::Create(
      clock_, store_.get(), config_.long_polling_enable,
      config_.long_polling_enable ? kLongPollingCheckInterval
                                  : absl::Milliseconds(config_.short_polling_time_mills),
      [this](std::unique_ptr<HeldPull> held) {
        pull_.Process(std::move(held->channel), std::move(held->request),
                      std::move(held->responder), /*allow_suspend=*/false);
      });
  if (config_.long_polling_enable) {
    // The listener keeps the service alive for as long as the store may call it.
    store_->SetMessageArrivingListener(
        [holds = holds_](std::span<const MessageStore::ArrivedMessage> arrived) {
          holds->NotifyMessagesArriving(arrived);
        });
  }
  pull_.set_hold_service(holds_);

  offset_persist_timer_ = std::make_unique<PeriodicTimer>(
      *clock_, absl::Milliseconds(config_.flush_consumer_offset_interval), [this] {
        // On the timer's thread: a write without fsync costs microseconds.
        if (absl::Status s = offsets_->Persist(/*sync=*/false); !s.ok()) {
          spdlog::error("broker {}: saving consumer offsets failed: {}", config_.broker_name,
                        s.ToString());
        }
      });
  offset_persist_timer_->Start();
  client_scan_timer_ = std::make_unique<PeriodicTimer>(*clock_, kClientScanInterval, [this] {
    consumers_->ScanNotActiveChannels();
    producers_->ScanNotActiveChannels();
  });
  client_scan_timer_->Start();
  stats_.Sample(clock_->NowMillis(), store_->Stats().put_count);
  stats_sample_timer_ = std::make_unique<PeriodicTimer>(
      *clock_, absl::Milliseconds(BrokerStats::kSampleIntervalMs),
      [this] { stats_.Sample(clock_->NowMillis(), store_->Stats().put_count); });
  stats_sample_timer_->Start();
  transaction_check_timer_ = std::make_unique<PeriodicTimer>(
      *clock_, absl::Milliseconds(config_.transaction_check_interval),
      [this] { transactions_.Check(); });
  transaction_check_timer_->Start();

  state_.store(kRunning);
  registrar_->Start();
  spdlog::info("broker {} ({}) started at {} over store {}", config_.broker_name,
               config_.broker_cluster_name, config_.broker_addr, config_.store.store_path_root_dir);
  return absl::OkStatus();
}

void BrokerImpl::Shutdown() {
  absl::MutexLock lifecycle(&lifecycle_mu_);
  int state = state_.load();
  if (state == kCreated) {
    state_.store(kStopped);
    return;
  }
  if (state != kRunning) return;
  // 1. Stop accepting requests and wait for those already inside.
  state_.store(kStopping);
  {
    absl::MutexLock lock(&drain_mu_);
    while (in_flight_.load() != 0) drained_.Wait(&drain_mu_);
  }
  // 2. Answer every held pull (the store is still open for their last read).
  holds_->Shutdown();
  // 3. Leave the name servers, stop the periodic tasks.
  registrar_->Stop();
  offset_persist_timer_.reset();
  client_scan_timer_.reset();
  stats_sample_timer_.reset();
  transaction_check_timer_.reset();
  // 4. Save consumer offsets, durably.
  if (absl::Status s = offsets_->Persist(/*sync=*/true); !s.ok()) {
    spdlog::error("broker {}: saving consumer offsets at shutdown failed: {}", config_.broker_name,
                  s.ToString());
  }
  // 5. Close the store.
  store_->SetMessageArrivingListener(nullptr);
  ctx_.store = nullptr;
  store_.reset();
  state_.store(kStopped);
  spdlog::info("broker {} shut down", config_.broker_name);
}

absl::Status BrokerImpl::CheckRunning() const {
  if (state_.load() == kRunning) return absl::OkStatus();
  return absl::FailedPreconditionError(
      StrCat("broker ", config_.broker_name, " is not running (call Start, and not after Shutdown)"));
}

absl::Status BrokerImpl::CreateTopic(std::string_view topic, int32_t queue_nums, int32_t perm) {
  if (absl::Status s = CheckRunning(); !s.ok()) return s;
  TopicConfig config;
  config.topic_name.assign(topic);
  config.read_queue_nums = queue_nums;
  config.write_queue_nums = queue_nums;
  config.perm = perm;
  if (absl::Status s = admin_.CreateTopic(config); !s.ok()) return s;
  // The topic is routable when this returns: register now and wait, rather
  // than only through the asynchronous registration every topic change
  // starts (which over TCP lands a little later).
  return registrar_->RegisterAll();
}

absl::Status BrokerImpl::RegisterWithNameServers() {
  if (absl::Status s = CheckRunning(); !s.ok()) return s;
  return registrar_->RegisterAll();
}

void BrokerImpl::LeaveRequest() {
  if (in_flight_.fetch_sub(1) == 1 && state_.load() != kRunning) {
    absl::MutexLock lock(&drain_mu_);
    drained_.SignalAll();
  }
}

void BrokerImpl::HandleRequest(const std::shared_ptr<Channel>& channel, RemotingCommand&& request,
                               Responder responder) {
  // Counted in before the state is read, and Shutdown changes the state
  // before it waits for the count (both sequentially consistent): a request
  // either sees the broker stopping or is waited for.
  in_flight_.fetch_add(1);
  if (state_.load() != kRunning) {
    LeaveRequest();
    responder.Respond(Reply(rc::kServiceNotAvailable,
                            StrCat("broker ", config_.broker_name, " is ",
                                   state_.load() == kCreated ? "not started yet" : "shut down")));
    return;
  }
  Dispatch(channel, std::move(request), responder);
  LeaveRequest();
}

bool BrokerImpl::AnswersWithoutBlocking(const RemotingCommand& request) const {
  switch (request.code) {
    case rq::kSendMessage:
    case rq::kSendMessageV2:
    case rq::kSendBatchMessage:
      return config_.store.flush_disk_type == FlushDiskType::kAsyncFlush &&
             config_.broker_role != BrokerRole::kSyncMaster;
    default:
      return false;
  }
}

void BrokerImpl::Dispatch(const std::shared_ptr<Channel>& channel, RemotingCommand&& request,
                          Responder& responder) {
  switch (request.code) {
    case rq::kSendMessage:
    case rq::kSendMessageV2:
    case rq::kSendBatchMessage:
      responder.Respond(send_.Process(*channel, request));
      return;
    case rq::kEndTransaction:
      responder.Respond(end_transaction_.Process(request));
      return;
    case rq::kConsumerSendMsgBack:
      responder.Respond(send_back_.Process(request));
      return;
    case rq::kLockBatchMq:
      responder.Respond(queue_locks_.LockBatch(request));
      return;
    case rq::kUnlockBatchMq:
      responder.Respond(queue_locks_.UnlockBatch(request));
      return;
    case rq::kPullMessage:
      pull_.Process(channel, std::move(request), std::move(responder), /*allow_suspend=*/true);
      return;
    case rq::kQueryConsumerOffset:
      responder.Respond(consumer_manage_.QueryConsumerOffset(request));
      return;
    case rq::kUpdateConsumerOffset:
      responder.Respond(consumer_manage_.UpdateConsumerOffset(*channel, request));
      return;
    case rq::kGetConsumerListByGroup:
      responder.Respond(consumer_manage_.GetConsumerListByGroup(request));
      return;
    case rq::kHeartBeat:
      responder.Respond(client_manage_.HeartBeat(channel, request));
      return;
    case rq::kUnregisterClient:
      responder.Respond(client_manage_.UnregisterClient(channel, request));
      return;
    case rq::kCheckClientConfig:
      responder.Respond(client_manage_.CheckClientConfig(request));
      return;
    case rq::kGetMaxOffset:
    case rq::kGetMinOffset:
    case rq::kSearchOffsetByTimestamp:
    case rq::kGetEarliestMsgStoreTime:
    case rq::kUpdateAndCreateTopic:
    case rq::kDeleteTopicInBroker:
    case rq::kGetAllTopicConfig:
    case rq::kUpdateAndCreateSubscriptionGroup:
    case rq::kGetAllSubscriptionGroupConfig:
    case rq::kDeleteSubscriptionGroup:
    case rq::kGetAllConsumerOffset:
    case rq::kGetAllDelayOffset:
      responder.Respond(admin_.Process(request));
      return;
    case rq::kViewMessageById:
      responder.Respond(query_.ViewMessageById(request));
      return;
    case rq::kQueryMessage:
      responder.Respond(query_.QueryMessage(request));
      return;
    case rq::kGetTopicStatsInfo:
    case rq::kGetBrokerRuntimeInfo:
    case rq::kGetConsumeStats:
      responder.Respond(stats_processor_.Process(request));
      return;
    case rq::kGetConsumerConnectionList:
      responder.Respond(consumer_admin_.GetConsumerConnectionList(request));
      return;
    case rq::kInvokeBrokerToResetOffset:
      responder.Respond(consumer_admin_.ResetOffset(request));
      return;
    case rq::kGetConsumerRunningInfo:
      consumer_admin_.GetConsumerRunningInfo(request, std::move(responder));
      return;
    default:
      responder.Respond(Reply(rc::kRequestCodeNotSupported,
                              StrCat(" request type ", request.code, " (",
                                     RequestCodeName(request.code), ") not supported")));
      return;
  }
}

void BrokerImpl::OnChannelClosed(const std::shared_ptr<Channel>& channel) {
  consumers_->OnChannelClosed(channel);
  producers_->OnChannelClosed(channel);
}

}  // namespace internal
}  // namespace rmq
