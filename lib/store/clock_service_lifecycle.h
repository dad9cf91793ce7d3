// Copyright 2026 The rmq Authors. Licensed under the Apache License, Version 2.0.
//
// The start and stop steps shared by the store's services whose work runs on
// Clock timers and whose progress is saved to a file now and then
// (ScheduleMessageService: delayOffset.json; TimerMessageService:
// timercheck.json).

#ifndef RMQ_STORE_CLOCK_SERVICE_LIFECYCLE_H_
#define RMQ_STORE_CLOCK_SERVICE_LIFECYCLE_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "common/periodic_timer.h"
#include "rmq/clock.h"

namespace rmq::internal {

// A put back into the store that failed (disk full, store shutting down),
// or a delay-level unit that could not be read, is tried again after this
// long, from the same message: nothing is skipped (RocketMQ's
// DELAY_FOR_A_PERIOD).
inline constexpr int64_t kPutBackRetryAfterMs = 10 * 1000;

// A started PeriodicTimer calling `persist` every `interval`; a failed save
// is logged as "saving <what>: <why>" and tried again at the next period.
std::unique_ptr<PeriodicTimer> StartPeriodicPersist(Clock& clock, absl::Duration interval,
                                                    std::function<absl::Status()> persist,
                                                    std::string what);

// The rest of a service's Stop once it has, under `mu`, cleared its running
// flag and taken the ids of its `pending` timers: stops the periodic save,
// cancels the timers (outside `mu`: Cancel waits for a timer already
// running, which takes `mu`), waits until no run is in flight
// (`*runs_in_flight`, guarded by `mu`, is 0) so the last run's progress is
// recorded, then saves once more. After it, no timer touches the service.
void FinishStop(Clock& clock, std::unique_ptr<PeriodicTimer>& persist_timer,
                std::span<const Clock::TimerId> pending, absl::Mutex& mu,
                const int* runs_in_flight, const std::function<absl::Status()>& persist,
                std::string_view what);

}  // namespace rmq::internal

#endif  // RMQ_STORE_CLOCK_SERVICE_LIFECYCLE_H_
