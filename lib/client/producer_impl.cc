// Copyright 2026 The rmq Authors. Licensed under the Apache License, Version 2.0.

#include "client/producer_impl.h"

#include <utility>

#include "client/batch_encoder.h"
#include "client/send_validators.h"
#include "client/trace/trace_hooks.h"
#include "common/status_macros.h"
#include "common/str_cat.h"
#include "remoting/inproc_transport.h"
#include "spdlog/spdlog.h"

namespace rmq::internal {
namespace {

// How long a thread reuses a topic's route before asking the client
// instance again (clock time). Route changes arrive from the name server
// every pollNameServerInterval (30 s) anyway; a failed send refreshes at once.
constexpr int64_t kRouteCacheMs = 1000;

std::atomic<uint64_t> next_producer_id{1};

// The last route this thread used. One entry: a thread typically sends to
// one topic at a time, and a miss only costs a lookup in the client instance.
struct RouteCache {
  uint64_t producer_id = 0;
  uint64_t epoch = 0;
  int64_t expires_ms = 0;
  std::string topic;
  std::shared_ptr<const ProducerImpl::PublishRoute> route;
};
thread_local RouteCache tl_route_cache;

}  // namespace

std::string JoinBrokers(const std::vector<std::string>& brokers) {
  std::string out;
  for (const std::string& broker : brokers) {
    if (!out.empty()) out += ", ";
    out += broker;
  }
  return out.empty() ? std::string("none") : out;
}

ProducerImpl::ProducerImpl(ProducerConfig config)
    : config_(std::move(config)), id_(next_producer_id.fetch_add(1)) {}

ProducerImpl::~ProducerImpl() { Shutdown(); }

// ---- Lifecycle ---------------------------------------------------------------

absl::Status ProducerImpl::Start() {
  absl::MutexLock lifecycle(&lifecycle_mu_);
  switch (state_.load()) {
    case State::kCreated:
      break;
    case State::kRunning:
      return absl::FailedPreconditionError(
          StrCat("producer group '", config_.group_name, "' is already started"));
    case State::kShuttingDown:
    case State::kShutdown:
      return absl::FailedPreconditionError(
          StrCat("producer group '", config_.group_name,
                 "' was shut down; a producer cannot be restarted, create a new one"));
  }
  RMQ_RETURN_IF_ERROR(CheckProducerConfig(config_));
  if (config_.enable_msg_trace && !trace_) {
    auto trace = TraceDispatcher::Start(config_, config_.group_name, config_.customized_trace_topic);
    if (!trace.ok()) return trace.status();
    trace_ = std::move(*trace);
  }
  auto instance = ClientInstance::GetOrCreate(config_);
  if (!instance.ok()) return instance.status();
  clock_ = (*instance)->shared_clock();
  std::optional<HostAddress> ip = HostAddress::Parse(StrCat(config_.client_ip, ":0"));
  ids_ = std::make_unique<UniqKeyGenerator>(*clock_, ip.value_or(HostAddress::Ipv4(127, 0, 0, 1, 0)));
  fault_ = std::make_unique<FaultStrategy>(config_.send_latency_fault_enable, *clock_);
  // Before registering: a check may arrive as soon as the group is known.
  if (transaction_listener_) check_executor_ = std::make_unique<SendExecutor>(1);
  RMQ_RETURN_IF_ERROR((*instance)->RegisterProducer(this));
  instance_ = std::move(*instance);
  if (transaction_listener_) {
    // The brokers must know this producer before it sends anything: one that
    // replaces a crashed member of its group answers the checks of the
    // transactions that member left open. RocketMQ's producer learns the
    // brokers from createTopicKey's route at start and heartbeats them.
    if (absl::Status s = instance_->UpdateTopicRoute(config_.create_topic_key); s.ok()) {
      instance_->SendHeartbeatToAllBrokers();
    } else {
      spdlog::info("producer group {}: no route of {} yet ({}); brokers learn of this producer "
                   "with its first send",
                   config_.group_name, config_.create_topic_key, s.ToString());
    }
  }
  {
    absl::MutexLock lock(&in_flight_->mu);
    in_flight_->accepting = true;
  }
  state_.store(State::kRunning, std::memory_order_release);
  return absl::OkStatus();
}

void ProducerImpl::Shutdown() {
  absl::MutexLock lifecycle(&lifecycle_mu_);
  // Before Start there is nothing to stop (and Start stays possible, as in
  // RocketMQ); after Shutdown there is nothing left.
  if (state_.load() != State::kRunning) return;
  state_.store(State::kShuttingDown);
  {
    absl::MutexLock lock(&in_flight_->mu);
    in_flight_->accepting = false;
    in_flight_->mu.Await(absl::Condition(in_flight_.get(), &InFlight::Drained));
  }
  SendExecutor* executor;
  {
    absl::MutexLock lock(&executor_mu_);
    executor = executor_.get();
  }
  if (executor != nullptr) executor->Stop();
  if (check_executor_) check_executor_->Stop();  // Checks already received are answered.
  instance_->UnregisterProducer(this);
  // After the async sends: their Pub records are queued; these go out now.
  if (trace_) trace_->Shutdown();
  state_.store(State::kShutdown);
}

absl::Status ProducerImpl::CheckRunning() const {
  switch (state_.load(std::memory_order_acquire)) {
    case State::kRunning:
      return absl::OkStatus();
    case State::kCreated:
      return absl::FailedPreconditionError(
          StrCat("producer group '", config_.group_name, "' is not started: call Start() first"));
    default:
      return absl::FailedPreconditionError(
          StrCat("producer group '", config_.group_name, "' is shut down"));
  }
}

// ---- Routes ------------------------------------------------------------------

bool ProducerImpl::RouteKnown(const std::string& topic, int64_t now_ms) {
  const RouteCache& cache = tl_route_cache;
  if (cache.producer_id == id_ && cache.epoch == route_epoch_.load(std::memory_order_acquire) &&
      now_ms < cache.expires_ms && cache.topic == topic) {
    return true;
  }
  return instance_->HasPublishInfo(topic);
}

absl::StatusOr<const std::shared_ptr<const ProducerImpl::PublishRoute>*> ProducerImpl::CachedRoute(
    const std::string& topic, int64_t now_ms) {
  RouteCache& cache = tl_route_cache;
  const uint64_t epoch = route_epoch_.load(std::memory_order_acquire);
  if (cache.producer_id == id_ && cache.epoch == epoch && now_ms < cache.expires_ms &&
      cache.topic == topic) {
    return &cache.route;
  }
  auto route = LookupRoute(topic);
  if (!route.ok()) return route.status();
  cache.producer_id = id_;
  cache.epoch = epoch;
  cache.expires_ms = now_ms + kRouteCacheMs;
  cache.topic = topic;
  cache.route = std::move(*route);
  return &cache.route;
}

absl::StatusOr<std::shared_ptr<const ProducerImpl::PublishRoute>> ProducerImpl::LookupRoute(
    const std::string& topic) {
  auto info = instance_->GetPublishInfo(topic, config_.create_topic_key,
                                        config_.default_topic_queue_nums);
  if (!info.ok()) {
    return absl::Status(info.status().code(),
                        StrCat("no route to topic '", topic, "' (name server ",
                               config_.namesrv_addr, "): ", StdView(info.status().message())));
  }
  if (!(*info)->ok()) {
    return absl::NotFoundError(StrCat("topic '", topic, "' has no writable queue on a broker ",
                                      "with a live master (name server ", config_.namesrv_addr, ")"));
  }
  {
    absl::ReaderMutexLock lock(&routes_mu_);
    auto it = routes_.find(topic);
    if (it != routes_.end() && it->second->info == *info) return it->second;
  }
  auto route = std::make_shared<PublishRoute>();
  route->info = *info;
  const std::string* last_broker = nullptr;
  for (const MessageQueue& mq : route->info->queues()) {
    // Queues come grouped by broker: look each broker up once.
    if (last_broker != nullptr && *last_broker == mq.broker_name) {
      route->queue_addrs.push_back(route->queue_addrs.back());
    } else {
      route->queue_addrs.push_back(instance_->FindBrokerAddressInPublish(mq.broker_name));
    }
    last_broker = &mq.broker_name;
  }
  absl::MutexLock lock(&routes_mu_);
  routes_[topic] = route;
  return route;
}

std::shared_ptr<const ProducerImpl::PublishRoute> ProducerImpl::RefreshRoute(const std::string& topic) {
  route_epoch_.fetch_add(1, std::memory_order_acq_rel);
  if (!instance_->UpdateTopicRoute(topic).ok()) return nullptr;
  auto route = LookupRoute(topic);
  return route.ok() ? *route : nullptr;
}

std::string ProducerImpl::BrokerAddress(const std::string& broker, const std::string& topic) {
  std::string addr = instance_->FindBrokerAddressInPublish(broker);
  if (addr.empty()) {
    // Not learned yet: the topic's route names it (sendKernelImpl).
    (void)instance_->GetPublishInfo(topic, config_.create_topic_key, config_.default_topic_queue_nums);
    addr = instance_->FindBrokerAddressInPublish(broker);
  }
  return addr;
}

absl::StatusOr<std::vector<MessageQueue>> ProducerImpl::FetchPublishMessageQueues(
    std::string_view topic) {
  RMQ_RETURN_IF_ERROR(CheckRunning());
  std::string name(topic);
  if (absl::Status updated = instance_->UpdateTopicRoute(name); !updated.ok()) {
    return absl::Status(updated.code(), StrCat("cannot find the queues of topic '", name,
                                               "': ", StdView(updated.message())));
  }
  auto info = instance_->GetPublishInfo(name);
  if (!info.ok()) return info.status();
  return (*info)->queues();
}

// ---- Sync sends ----------------------------------------------------------------

absl::StatusOr<SendResult> ProducerImpl::Send(const Message& msg) {
  RMQ_RETURN_IF_ERROR(CheckRunning());
  RMQ_RETURN_IF_ERROR(CheckMessage(msg, config_.max_message_size));
  const int64_t begin_ms = clock_->NowMillis();
  auto route = CachedRoute(msg.topic(), begin_ms);
  if (!route.ok()) return route.status();
  PreparedSend send;
  // The UNIQ_KEY's time is the send's: the clock is read once.
  RMQ_RETURN_IF_ERROR(send.PrepareMessage(msg, config_, *ids_, begin_ms));
  return SendDefault(send, (*route)->get(), begin_ms);
}

absl::StatusOr<SendResult> ProducerImpl::SendDefault(const PreparedSend& send,
                                                     const PublishRoute* route, int64_t begin_ms) {
  const std::string& topic = send.topic();
  const int64_t timeout = config_.send_msg_timeout;
  const int times_total = 1 + config_.retry_times_when_send_failed;
  std::shared_ptr<const PublishRoute> refreshed;  // Keeps a refreshed route alive.
  std::string last_broker;
  std::vector<std::string> tried;  // Filled on failures only.
  absl::Status last_error;
  std::optional<SendResult> stored;  // Stored, but not SEND_OK, when retrying on such.
  bool timed_out = false;
  // Every path returns this one object: the attempt's answer is parsed
  // straight into what the caller receives (a SendResult is five strings,
  // each move of it ~140 instructions on the hot path).
  absl::StatusOr<SendResult> result;
  int times = 0;
  for (; times < times_total; ++times) {
    const MessageQueue& mq = fault_->SelectOneMessageQueue(*route->info, last_broker);
    const int64_t start_ms = times == 0 ? begin_ms : clock_->NowMillis();
    const int64_t cost = start_ms - begin_ms;
    if (cost >= timeout) {
      timed_out = true;
      break;
    }
    const std::string* addr = &route->queue_addrs[static_cast<size_t>(&mq - route->info->queues().data())];
    std::string learned;
    if (addr->empty()) {
      learned = BrokerAddress(mq.broker_name, topic);
      addr = &learned;
    }
    int32_t broker_code = -1;
    if (addr->empty()) {
      result = absl::NotFoundError(StrCat("broker '", mq.broker_name, "' has no known master address"));
    } else {
      SendKernel(send, mq, *addr, timeout - cost, start_ms, &broker_code, &result);
    }
    if (fault_->enabled()) {
      fault_->UpdateFaultItem(mq.broker_name, clock_->NowMillis() - start_ms, !result.ok());
    }
    if (result.ok()) {
      if (result->send_status == SendStatus::kSendOk ||
          !config_.retry_another_broker_when_not_store_ok) {
        return result;
      }
      // Stored, but not as safely as asked: try another broker, and return
      // this result if no attempt does better.
      stored = std::move(*result);
      last_broker = mq.broker_name;
      tried.push_back(mq.broker_name);
      continue;
    }
    last_error = result.status();
    last_broker = mq.broker_name;
    tried.push_back(mq.broker_name);
    if (broker_code >= 0 && !IsRetryableSendCode(broker_code)) {
      if (stored.has_value()) {
        result = std::move(*stored);
      } else {
        result = absl::Status(last_error.code(),
                              StrCat("send to topic '", topic, "' failed on ", mq.broker_name,
                                     " (brokers tried: ", JoinBrokers(tried),
                                     "): ", StdView(last_error.message())));
      }
      return result;
    }
    // The route may be stale (a broker gone, queues moved): ask again.
    if (auto fresh = RefreshRoute(topic); fresh != nullptr && fresh->info->ok()) {
      refreshed = std::move(fresh);
      route = refreshed.get();
    }
  }
  if (stored.has_value()) {
    result = std::move(*stored);
    return result;
  }
  const int64_t elapsed = clock_->NowMillis() - begin_ms;
  if (timed_out) {
    result = absl::DeadlineExceededError(StrCat(
        "send to topic '", topic, "' timed out: sendMsgTimeout ", timeout, " ms spent after ",
        times, " attempt(s) (brokers tried: ", JoinBrokers(tried), ")",
        last_error.ok() ? std::string() : StrCat("; last error: ", StdView(last_error.message()))));
    return result;
  }
  result = absl::Status(last_error.code(),
                        StrCat("send to topic '", topic, "' failed after ", times, " attempt(s) in ",
                               elapsed, " ms (brokers tried: ", JoinBrokers(tried),
                               "): ", StdView(last_error.message())));
  return result;
}

void ProducerImpl::SendKernel(const PreparedSend& send, const MessageQueue& mq,
                              const std::string& addr, int64_t timeout_ms, int64_t born_ms,
                              int32_t* broker_code, absl::StatusOr<SendResult>* result) {
  // The request is done with when the call returns: an in-process broker
  // handles it on this thread, during the call (it borrows the body too);
  // over TCP it becomes a frame before the call waits. So it borrows this
  // thread's header.
  const LentSendHeader lent(/*wanted=*/true);
  absl::StatusOr<RemotingCommand> response = instance_->transport().InvokeSync(
      addr, send.BuildRequest(mq, config_, born_ms, send.BodyFor(addr, nullptr), lent.get()),
      absl::Milliseconds(timeout_ms));
  if (!response.ok()) {
    *result = response.status();
    return;
  }
  ParseSendResponse(*response, send, mq, addr, broker_code, result);
}

absl::StatusOr<SendResult> ProducerImpl::SendToQueue(const PreparedSend& send,
                                                     const MessageQueue& mq,
                                                     const std::string& addr, int64_t begin_ms) {
  const int64_t cost = clock_->NowMillis() - begin_ms;
  if (cost >= config_.send_msg_timeout) {
    return absl::DeadlineExceededError(StrCat("send to ", mq.ToString(), " timed out: sendMsgTimeout ",
                                              config_.send_msg_timeout, " ms spent before sending"));
  }
  if (addr.empty()) {
    return absl::NotFoundError(StrCat("cannot send to ", mq.ToString(), ": broker '",
                                      mq.broker_name, "' has no known master address"));
  }
  int32_t broker_code = -1;
  absl::StatusOr<SendResult> result;
  SendKernel(send, mq, addr, config_.send_msg_timeout - cost, clock_->NowMillis(), &broker_code,
             &result);
  if (!result.ok()) {
    return absl::Status(result.status().code(), StrCat("send to ", mq.ToString(), " failed: ",
                                                       StdView(result.status().message())));
  }
  return result;
}

absl::StatusOr<SendResult> ProducerImpl::Send(const Message& msg, const MessageQueue& queue) {
  RMQ_RETURN_IF_ERROR(CheckRunning());
  RMQ_RETURN_IF_ERROR(CheckMessage(msg, config_.max_message_size));
  if (msg.topic() != queue.topic) {
    return absl::InvalidArgumentError(StrCat("the message's topic '", msg.topic(),
                                             "' is not the topic of ", queue.ToString()));
  }
  const int64_t begin_ms = clock_->NowMillis();
  PreparedSend send;
  RMQ_RETURN_IF_ERROR(send.PrepareMessage(msg, config_, *ids_, begin_ms));
  return SendToQueue(send, queue, BrokerAddress(queue.broker_name, msg.topic()), begin_ms);
}

absl::StatusOr<SendResult> ProducerImpl::Send(const Message& msg,
                                              const MessageQueueSelector& selector,
                                              std::string_view arg) {
  RMQ_RETURN_IF_ERROR(CheckRunning());
  RMQ_RETURN_IF_ERROR(CheckMessage(msg, config_.max_message_size));
  const int64_t begin_ms = clock_->NowMillis();
  auto cached = CachedRoute(msg.topic(), begin_ms);
  if (!cached.ok()) return cached.status();
  // The selector is user code: hold the route ourselves.
  const std::shared_ptr<const PublishRoute> route = **cached;
  const std::vector<MessageQueue>& queues = route->info->queues();
  size_t index;
  try {
    index = selector.Select(queues, msg, arg);
  } catch (...) {
    return absl::InternalError(StrCat("the queue selector threw for topic '", msg.topic(), "'"));
  }
  if (index >= queues.size()) {
    return absl::InvalidArgumentError(StrCat("the queue selector chose queue ", index, " of the ",
                                             queues.size(), " queues of topic '", msg.topic(), "'"));
  }
  const MessageQueue& mq = queues[index];
  std::string addr = route->queue_addrs[index];
  if (addr.empty()) addr = BrokerAddress(mq.broker_name, msg.topic());
  PreparedSend send;
  RMQ_RETURN_IF_ERROR(send.PrepareMessage(msg, config_, *ids_, begin_ms));
  return SendToQueue(send, mq, addr, begin_ms);
}

absl::Status ProducerImpl::SendOneway(const Message& msg) {
  RMQ_RETURN_IF_ERROR(CheckRunning());
  RMQ_RETURN_IF_ERROR(CheckMessage(msg, config_.max_message_size));
  const int64_t begin_ms = clock_->NowMillis();
  auto cached = CachedRoute(msg.topic(), begin_ms);
  if (!cached.ok()) return cached.status();
  const PublishRoute& route = ***cached;
  PreparedSend send;
  RMQ_RETURN_IF_ERROR(send.PrepareMessage(msg, config_, *ids_, begin_ms));
  const MessageQueue& mq = fault_->SelectOneMessageQueue(*route.info, {});
  std::string addr = route.queue_addrs[static_cast<size_t>(&mq - route.info->queues().data())];
  if (addr.empty()) addr = BrokerAddress(mq.broker_name, msg.topic());
  absl::Status status =
      addr.empty()
          ? absl::NotFoundError(StrCat("broker '", mq.broker_name, "' has no known master address"))
          : instance_->transport().InvokeOneway(
                addr, send.BuildRequest(mq, config_, begin_ms, send.BodyFor(addr, nullptr)));
  if (fault_->enabled()) {
    fault_->UpdateFaultItem(mq.broker_name, clock_->NowMillis() - begin_ms, !status.ok());
  }
  if (!status.ok()) {
    route_epoch_.fetch_add(1, std::memory_order_acq_rel);
    return absl::Status(status.code(), StrCat("oneway send to topic '", msg.topic(), "' on ",
                                              mq.broker_name, " failed: ", StdView(status.message())));
  }
  if (trace_) TraceSendOneway(*trace_, config_.group_name, msg, begin_ms, send.MsgId(), addr);
  return absl::OkStatus();
}

// ---- Batches -------------------------------------------------------------------

namespace {

absl::Status CheckBatch(std::span<const Message> msgs, int32_t max_message_size) {
  RMQ_RETURN_IF_ERROR(CheckBatchRules(msgs));
  for (size_t i = 0; i < msgs.size(); ++i) {
    if (absl::Status s = CheckMessage(msgs[i], max_message_size); !s.ok()) {
      return absl::InvalidArgumentError(StrCat("batch message ", i, ": ", StdView(s.message())));
    }
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<SendResult> ProducerImpl::SendBatch(std::span<const Message> msgs) {
  RMQ_RETURN_IF_ERROR(CheckRunning());
  RMQ_RETURN_IF_ERROR(CheckBatch(msgs, config_.max_message_size));
  const int64_t begin_ms = clock_->NowMillis();
  auto route = CachedRoute(msgs.front().topic(), begin_ms);
  if (!route.ok()) return route.status();
  PreparedSend send;
  RMQ_RETURN_IF_ERROR(send.PrepareBatch(msgs, config_, *ids_));
  return SendDefault(send, (*route)->get(), begin_ms);
}

absl::StatusOr<SendResult> ProducerImpl::SendBatch(std::span<const Message> msgs,
                                                   const MessageQueue& queue) {
  RMQ_RETURN_IF_ERROR(CheckRunning());
  RMQ_RETURN_IF_ERROR(CheckBatch(msgs, config_.max_message_size));
  if (msgs.front().topic() != queue.topic) {
    return absl::InvalidArgumentError(StrCat("the batch's topic '", msgs.front().topic(),
                                             "' is not the topic of ", queue.ToString()));
  }
  const int64_t begin_ms = clock_->NowMillis();
  PreparedSend send;
  RMQ_RETURN_IF_ERROR(send.PrepareBatch(msgs, config_, *ids_));
  return SendToQueue(send, queue, BrokerAddress(queue.broker_name, queue.topic), begin_ms);
}

}  // namespace rmq::internal
