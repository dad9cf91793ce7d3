// Copyright 2026 The rmq Authors. Licensed under the Apache License, Version 2.0.
//
// NameServer (include/rmq/namesrv.h): the route tables, the request handler
// over them, and the periodic scan for silent brokers on the clock.

#include <memory>
#include <utility>

#include "absl/synchronization/mutex.h"
#include "common/periodic_timer.h"
#include "common/str_cat.h"
#include "namesrv/default_request_processor.h"
#include "namesrv/route_info_manager.h"
#include "rmq/namesrv.h"
#include "spdlog/spdlog.h"

namespace rmq {
namespace {

using internal::DefaultRequestProcessor;
using internal::PeriodicTimer;
using internal::RouteInfoManager;
using internal::StrCat;

class NameServerImpl final : public NameServer {
 public:
  NameServerImpl(const NamesrvConfig& config, std::shared_ptr<Clock> clock)
      : config_(config),
        clock_(std::move(clock)),
        routes_(clock_, config.broker_channel_expired_time),
        processor_(&routes_),
        scan_timer_(*clock_, absl::Milliseconds(config.scan_not_active_broker_interval),
                    [this] { ScanNotActiveBrokers(); }) {}

  ~NameServerImpl() override { Shutdown(); }

  absl::Status Start() override {
    absl::MutexLock lock(&mu_);
    if (shut_down_) return absl::FailedPreconditionError("name server: Start after Shutdown");
    if (started_) return absl::FailedPreconditionError("name server: already started");
    started_ = true;
    scan_timer_.Start();
    spdlog::info("namesrv: started; scanning for brokers silent over {} ms every {} ms",
                 config_.broker_channel_expired_time, config_.scan_not_active_broker_interval);
    return absl::OkStatus();
  }

  void Shutdown() override {
    {
      absl::MutexLock lock(&mu_);
      if (shut_down_) return;
      shut_down_ = true;
    }
    // Outside mu_: Stop waits for a scan in progress.
    scan_timer_.Stop();
  }

  int ScanNotActiveBrokers() override { return routes_.ScanNotActiveBrokers(); }

  internal::RequestHandler* handler() override { return &processor_; }

 private:
  const NamesrvConfig config_;
  const std::shared_ptr<Clock> clock_;
  RouteInfoManager routes_;
  DefaultRequestProcessor processor_;
  PeriodicTimer scan_timer_;

  absl::Mutex mu_;
  bool started_ ABSL_GUARDED_BY(mu_) = false;
  bool shut_down_ ABSL_GUARDED_BY(mu_) = false;
};

}  // namespace

absl::StatusOr<std::unique_ptr<NameServer>> NameServer::Create(const NamesrvConfig& config,
                                                               std::shared_ptr<Clock> clock) {
  if (config.scan_not_active_broker_interval <= 0) {
    return absl::InvalidArgumentError(
        StrCat("scanNotActiveBrokerInterval must be a positive number of ms, got ",
               config.scan_not_active_broker_interval));
  }
  if (config.broker_channel_expired_time <= 0) {
    return absl::InvalidArgumentError(
        StrCat("brokerChannelExpiredTime must be a positive number of ms, got ",
               config.broker_channel_expired_time));
  }
  if (clock == nullptr) clock = SystemClock::Default();
  return std::unique_ptr<NameServer>(new NameServerImpl(config, std::move(clock)));
}

}  // namespace rmq
