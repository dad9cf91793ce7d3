// Copyright 2026 The rmq Authors. Licensed under the Apache License, Version 2.0.
//
// TraceDispatcher: sends a client's trace records in the background, as
// RocketMQ's AsyncTraceDispatcher.
//
// Append() never blocks and never fails a send: it puts the context on a
// bounded queue (2048) or, when that is full, drops it and counts it (a
// warning is logged for the first drop and every 1000th). One worker thread
// per traced producer or consumer takes the queue in batches of up to 100
// contexts when a batch is full, every 500 ms of the client's Clock (a timer
// on it, so a VirtualClock drives it in tests), and at Shutdown, which sends
// everything still queued. A batch becomes trace messages of at most 128 KB
// to the trace topic, each indexed (KEYS) by the msgIds and keys of the
// messages it traces, so a trace is found by querying the trace topic by
// msgId. The records go through a producer of the dispatcher's own
// ("_INNER_TRACE_PRODUCER-<group>" on its own client instance), which is
// not traced.

#ifndef RMQ_CLIENT_TRACE_TRACE_DISPATCHER_H_
#define RMQ_CLIENT_TRACE_TRACE_DISPATCHER_H_

#include <cstdint>
#include <deque>
#include <memory>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "client/trace/trace_data.h"
#include "common/msg_id.h"
#include "rmq/client_config.h"
#include "rmq/clock.h"

namespace rmq {
class Producer;
}

namespace rmq::internal {

class TraceDispatcher {
 public:
  struct Options {
    size_t queue_capacity = 2048;  // AsyncTraceDispatcher's queueSize
    size_t batch_size = 100;       // batchSize
    absl::Duration flush_interval = absl::Milliseconds(500);
    size_t max_msg_size = 128000;  // maxMsgSize, bytes of one trace message's body
  };

  // Starts the dispatcher of the client `client` (its name server and clock)
  // for `group`, sending to `trace_topic` ("" = RMQ_SYS_TRACE_TOPIC).
  static absl::StatusOr<std::unique_ptr<TraceDispatcher>> Start(const ClientConfig& client,
                                                                std::string_view group,
                                                                std::string_view trace_topic,
                                                                Options options);
  static absl::StatusOr<std::unique_ptr<TraceDispatcher>> Start(const ClientConfig& client,
                                                                std::string_view group,
                                                                std::string_view trace_topic) {
    return Start(client, group, trace_topic, Options());
  }
  ~TraceDispatcher();  // Shutdown()
  TraceDispatcher(const TraceDispatcher&) = delete;
  TraceDispatcher& operator=(const TraceDispatcher&) = delete;

  // Queues `ctx`; false (and counted) if the queue is full or stopped.
  bool Append(TraceContext ctx);
  // Sends everything queued, then stops the worker and the trace producer.
  // Appends after it are dropped. Idempotent.
  void Shutdown();

  const std::string& trace_topic() const { return trace_topic_; }
  Clock& clock() const { return *clock_; }
  int64_t dropped() const;
  // Contexts handed to the trace producer (sent or failed), and trace messages sent.
  int64_t dispatched() const;
  int64_t messages_sent() const;
  // A new request id tying a SubBefore to its SubAfter (a UNIQ_KEY-style id).
  std::string NewRequestId() { return ids_.Next(); }

 private:
  TraceDispatcher(std::shared_ptr<Clock> clock, std::string trace_topic, Options options,
                  std::unique_ptr<Producer> producer, const HostAddress& ip);
  void Run();
  void OnTimer();
  void SendBatch(std::vector<TraceContext> batch);
  void SendOne(std::string body, const std::vector<std::string>& keys);

  const std::shared_ptr<Clock> clock_;
  const std::string trace_topic_;
  const Options options_;
  std::unique_ptr<Producer> producer_;
  UniqKeyGenerator ids_;

  mutable absl::Mutex mu_;
  std::deque<TraceContext> queue_ ABSL_GUARDED_BY(mu_);
  bool flush_requested_ ABSL_GUARDED_BY(mu_) = false;
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  Clock::TimerId timer_ ABSL_GUARDED_BY(mu_) = 0;
  int64_t dropped_ ABSL_GUARDED_BY(mu_) = 0;
  int64_t dispatched_ ABSL_GUARDED_BY(mu_) = 0;
  int64_t messages_sent_ ABSL_GUARDED_BY(mu_) = 0;

  absl::Mutex lifecycle_mu_;
  bool shut_down_ ABSL_GUARDED_BY(lifecycle_mu_) = false;
  std::jthread worker_;
};

}  // namespace rmq::internal

#endif  // RMQ_CLIENT_TRACE_TRACE_DISPATCHER_H_
