// Copyright 2026 The rmq Authors. Licensed under the Apache License, Version 2.0.

#include "remoting/response_wait.h"

#include <chrono>
#include <thread>

namespace rmq::internal {
namespace {

using Steady = std::chrono::steady_clock;

// Tells the CPU this is a spin loop (x86 PAUSE, Arm YIELD): it yields its
// pipeline to the sibling hyperthread and leaves the loop without a stall.
inline void CpuRelax() {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#elif defined(__aarch64__)
  asm volatile("yield");
#endif
}

}  // namespace

bool ResponseSpinPolicy::BeginWait() {
  const int others = waiting_.fetch_add(1, std::memory_order_relaxed);
  return enabled_ && others == 0 && recent_wait() <= kSpinBudget;
}

void ResponseSpinPolicy::EndWait(absl::Duration waited) {
  waiting_.fetch_sub(1, std::memory_order_relaxed);
  // Callers on several threads may interleave here: a lost update only
  // delays the average by one sample.
  const int64_t sample = absl::ToInt64Nanoseconds(waited);
  const int64_t average = recent_wait_ns_.load(std::memory_order_relaxed);
  recent_wait_ns_.store(average + (sample - average) / 8, std::memory_order_relaxed);
}

ResponseSpinPolicy& ResponseSpinPolicy::ForProcess() {
  static ResponseSpinPolicy policy(std::thread::hardware_concurrency());
  return policy;
}

void WaitForResponse(const absl::Notification& done, ResponseSpinPolicy& policy) {
  const Steady::time_point start = Steady::now();
  if (policy.BeginWait()) {
    const Steady::time_point until =
        start + std::chrono::nanoseconds(absl::ToInt64Nanoseconds(ResponseSpinPolicy::kSpinBudget));
    // Until the answer comes, the budget runs out, or another wait begins.
    while (!done.HasBeenNotified() && policy.StillAlone() && Steady::now() < until) CpuRelax();
  }
  done.WaitForNotification();
  policy.EndWait(absl::FromChrono(Steady::now() - start));
}

}  // namespace rmq::internal
