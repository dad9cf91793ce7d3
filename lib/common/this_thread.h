// Copyright 2026 The rmq Authors. Licensed under the Apache License, Version 2.0.
//
// Settings a thread applies to itself when it starts.
//
// Every long-lived thread rmq starts names itself, so that `top -H`, `perf`
// and a debugger's stack dump of an application that embeds rmq say which
// threads are rmq's and what each does.
//
// Threads whose work can wait (writing dirty pages back under async flush,
// preparing the next segment, the periodic consume queue and index flush)
// lower their priority, so that on a small machine they yield the CPU to the
// threads a message passes through: the kernel side of an msync of thousands
// of pages runs for milliseconds, and at normal priority every putter,
// dispatcher and consumer that wakes meanwhile waits for it.

#ifndef RMQ_LIB_COMMON_THIS_THREAD_H_
#define RMQ_LIB_COMMON_THIS_THREAD_H_

#include <pthread.h>
#include <sched.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>

#include <string>
#include <string_view>

namespace rmq::internal {

// Linux keeps at most 15 bytes of a thread's name: longer names are cut.
inline void NameThisThread(std::string_view name) {
  std::string cut(name.substr(0, 15));
  ::pthread_setname_np(::pthread_self(), cut.c_str());
}

// How much background threads lower their priority: ten nice levels below
// the thread that started them (at most 19), so an application run under
// `nice` keeps its order of threads. Not SCHED_IDLE: such a thread can be
// kept off the CPU indefinitely on a busy machine while it holds a page lock
// a putter needs.
inline constexpr int kBackgroundNiceIncrement = 10;
inline constexpr int kLowestNice = 19;

// On Linux a nice value belongs to the thread, not the process, and a new
// thread starts with its creator's. Failure (a sandbox that forbids it)
// only costs latency, so it is ignored.
inline void MakeThisThreadBackground() {
  const auto tid = static_cast<id_t>(::gettid());
  errno = 0;
  const int nice = ::getpriority(PRIO_PROCESS, tid);  // -1 is a valid value.
  if (errno != 0) return;
  const int lowered = nice + kBackgroundNiceIncrement;
  (void)::setpriority(PRIO_PROCESS, tid, lowered < kLowestNice ? lowered : kLowestNice);
}

// The time slice asked for by the threads a message passes through (the
// dispatcher, pull and consume threads, the I/O threads). Linux 6.12's EEVDF
// scheduler lets a thread ask for a slice shorter than the default 3 ms
// (sched_attr.sched_runtime of a SCHED_OTHER thread), and a thread woken with
// a short slice preempts the thread that woke it within that slice instead
// of waiting for the waker's whole slice. On the 2-core test machine a
// dispatcher woken by a busy producer waited 3 ms this way. Older kernels
// ignore the field.
inline constexpr uint64_t kShortSliceNanos = 100'000;

// Field layout of the kernel's struct sched_attr (glibc has no wrapper).
struct SchedAttr {
  uint32_t size = sizeof(SchedAttr);
  uint32_t sched_policy = SCHED_OTHER;
  uint64_t sched_flags = 0;
  int32_t sched_nice = 0;
  uint32_t sched_priority = 0;
  uint64_t sched_runtime = 0;
  uint64_t sched_deadline = 0;
  uint64_t sched_period = 0;
};

// Keeps the thread's nice value. Failure only costs latency: ignored.
inline void RequestShortSlice() {
  SchedAttr attr;
  attr.sched_nice = ::getpriority(PRIO_PROCESS, static_cast<id_t>(::gettid()));
  attr.sched_runtime = kShortSliceNanos;
  (void)::syscall(SYS_sched_setattr, 0, &attr, 0);
}

}  // namespace rmq::internal

#endif  // RMQ_LIB_COMMON_THIS_THREAD_H_
