// Copyright 2026 The rmq Authors. Licensed under the Apache License, Version 2.0.

#include "store/clock_service_lifecycle.h"

#include <utility>

#include "common/str_cat.h"
#include "spdlog/spdlog.h"

namespace rmq::internal {

std::unique_ptr<PeriodicTimer> StartPeriodicPersist(Clock& clock, absl::Duration interval,
                                                    std::function<absl::Status()> persist,
                                                    std::string what) {
  auto timer = std::make_unique<PeriodicTimer>(
      clock, interval, [persist = std::move(persist), what = std::move(what)] {
        if (absl::Status saved = persist(); !saved.ok()) {
          spdlog::error("saving {}: {}", what, StdView(saved.message()));
        }
      });
  timer->Start();
  return timer;
}

void FinishStop(Clock& clock, std::unique_ptr<PeriodicTimer>& persist_timer,
                std::span<const Clock::TimerId> pending, absl::Mutex& mu,
                const int* runs_in_flight, const std::function<absl::Status()>& persist,
                std::string_view what) {
  persist_timer.reset();
  for (Clock::TimerId id : pending) clock.Cancel(id);
  {
    absl::MutexLock lock(&mu);
    mu.Await(absl::Condition(+[](const int* in_flight) { return *in_flight == 0; },
                             runs_in_flight));
  }
  if (absl::Status saved = persist(); !saved.ok()) {
    spdlog::error("saving {} at shutdown: {}", what, StdView(saved.message()));
  }
}

}  // namespace rmq::internal
