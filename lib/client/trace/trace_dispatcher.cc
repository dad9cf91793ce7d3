// Copyright 2026 The rmq Authors. Licensed under the Apache License, Version 2.0.

#include "client/trace/trace_dispatcher.h"

#include <algorithm>
#include <atomic>
#include <set>
#include <utility>

#include "absl/strings/str_join.h"
#include "common/str_cat.h"
#include "common/this_thread.h"
#include "rmq/producer.h"
#include "spdlog/spdlog.h"

namespace rmq::internal {
namespace {

// Each trace producer gets its own client instance (as RocketMQ's, named
// PID_CLIENT_INNER_TRACE_PRODUCER), so it never meets the traced client's
// groups there.
std::string NextTraceInstanceName() {
  static std::atomic<uint64_t> next{0};
  return StrCat(kTraceInstanceName, "_", next.fetch_add(1, std::memory_order_relaxed));
}

}  // namespace

absl::StatusOr<std::unique_ptr<TraceDispatcher>> TraceDispatcher::Start(
    const ClientConfig& client, std::string_view group, std::string_view trace_topic,
    Options options) {
  ProducerConfig config;
  static_cast<ClientConfig&>(config) = client;
  if (!config.clock) config.clock = SystemClock::Default();
  config.instance_name = NextTraceInstanceName();
  config.group_name = StrCat(kTraceProducerGroupPrefix, "-", group);
  config.enable_msg_trace = false;  // The trace producer is not traced.
  auto producer = std::make_unique<Producer>(config);
  if (absl::Status s = producer->Start(); !s.ok()) {
    return absl::Status(s.code(), StrCat("enableMsgTrace: trace producer of group '", group,
                                               "' did not start: ", s.message()));
  }
  std::unique_ptr<TraceDispatcher> d(new TraceDispatcher(
      config.clock, trace_topic.empty() ? std::string(kDefaultTraceTopic) : std::string(trace_topic),
      options, std::move(producer),
      HostAddress::Parse(StrCat(client.client_ip, ":0"))
          .value_or(HostAddress::Ipv4(127, 0, 0, 1, 0))));
  {
    absl::MutexLock lock(&d->mu_);
    TraceDispatcher* self = d.get();
    d->timer_ = d->clock_->ScheduleAfter(options.flush_interval, [self] { self->OnTimer(); });
  }
  d->worker_ = std::jthread([self = d.get()] { self->Run(); });
  return d;
}

TraceDispatcher::TraceDispatcher(std::shared_ptr<Clock> clock, std::string trace_topic,
                                 Options options, std::unique_ptr<Producer> producer,
                                 const HostAddress& ip)
    : clock_(std::move(clock)),
      trace_topic_(std::move(trace_topic)),
      options_(options),
      producer_(std::move(producer)),
      ids_(*clock_, ip) {}

TraceDispatcher::~TraceDispatcher() { Shutdown(); }

bool TraceDispatcher::Append(TraceContext ctx) {
  absl::MutexLock lock(&mu_);
  if (stopping_ || queue_.size() >= options_.queue_capacity) {
    if (dropped_++ % 1000 == 0) {
      spdlog::warn("message trace: {} trace contexts dropped so far ({})", dropped_,
                   stopping_ ? "dispatcher stopped" : "queue full");
    }
    return false;
  }
  queue_.push_back(std::move(ctx));
  return true;
}

void TraceDispatcher::OnTimer() {
  absl::MutexLock lock(&mu_);
  if (stopping_) return;
  flush_requested_ = true;
  timer_ = clock_->ScheduleAfter(options_.flush_interval, [this] { OnTimer(); });
}

void TraceDispatcher::Run() {
  NameThisThread("rmq-trace");
  while (true) {
    std::vector<TraceContext> batch;
    {
      absl::MutexLock lock(&mu_);
      auto ready = [this]() ABSL_SHARED_LOCKS_REQUIRED(mu_) {
        return stopping_ || queue_.size() >= options_.batch_size ||
               (flush_requested_ && !queue_.empty());
      };
      mu_.Await(absl::Condition(&ready));
      if (queue_.empty()) {
        if (stopping_) return;
        continue;
      }
      size_t n = std::min(queue_.size(), options_.batch_size);
      batch.reserve(n);
      for (size_t i = 0; i < n; ++i) {
        batch.push_back(std::move(queue_.front()));
        queue_.pop_front();
      }
      if (queue_.empty()) flush_requested_ = false;
    }
    SendBatch(std::move(batch));
  }
}

void TraceDispatcher::SendBatch(std::vector<TraceContext> batch) {
  std::string body;
  std::set<std::string> keys;
  for (const TraceContext& ctx : batch) {
    TraceTransferBean bean = EncodeTraceContext(ctx);
    if (bean.data.empty()) continue;
    if (!body.empty() && body.size() + bean.data.size() > options_.max_msg_size) {
      SendOne(std::move(body), std::vector<std::string>(keys.begin(), keys.end()));
      body.clear();
      keys.clear();
    }
    body += bean.data;
    keys.insert(bean.keys.begin(), bean.keys.end());
  }
  if (!body.empty()) SendOne(std::move(body), std::vector<std::string>(keys.begin(), keys.end()));
  absl::MutexLock lock(&mu_);
  dispatched_ += static_cast<int64_t>(batch.size());
}

void TraceDispatcher::SendOne(std::string body, const std::vector<std::string>& keys) {
  Message msg(trace_topic_, std::move(body));
  msg.set_keys(absl::StrJoin(keys, " "));  // MessageConst.KEY_SEPARATOR
  absl::StatusOr<SendResult> sent = producer_->Send(msg);
  if (!sent.ok()) {
    spdlog::warn("message trace: sending to {} failed: {}", trace_topic_, sent.status().ToString());
    return;
  }
  absl::MutexLock lock(&mu_);
  ++messages_sent_;
}

void TraceDispatcher::Shutdown() {
  absl::MutexLock lifecycle(&lifecycle_mu_);
  if (shut_down_) return;
  shut_down_ = true;
  Clock::TimerId timer;
  {
    absl::MutexLock lock(&mu_);
    stopping_ = true;
    timer = timer_;
  }
  clock_->Cancel(timer);  // Outside mu_: the timer's callback takes it.
  if (worker_.joinable()) worker_.join();  // It sends what is queued first.
  producer_->Shutdown();
}

int64_t TraceDispatcher::dropped() const {
  absl::MutexLock lock(&mu_);
  return dropped_;
}

int64_t TraceDispatcher::dispatched() const {
  absl::MutexLock lock(&mu_);
  return dispatched_;
}

int64_t TraceDispatcher::messages_sent() const {
  absl::MutexLock lock(&mu_);
  return messages_sent_;
}

}  // namespace rmq::internal
