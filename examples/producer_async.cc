// Copyright 2026 The rmq Authors. Licensed under the Apache License, Version 2.0.
//
// producer_async: sending without waiting for each answer, for throughput
// where latency matters (RocketMQ's send with a SendCallback). Two forms:
//   1. SendAsync(msg, callback): the callback gets the result on an rmq
//      thread, exactly once (retries on another broker happen before it).
//   2. SendAsync(msg) returns a std::future, for code that prefers to wait
//      for results later, in its own order.
//
// Prints one line per result and a summary per form:
//   form=callback status=SEND_OK msgId=... queue=N queueOffset=N
//   form=callback sent=8 ok=8

#include <cstdio>
#include <future>
#include <string>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "example_support.h"
#include "rmq/producer.h"

using rmq_examples::Expect;
using rmq_examples::Ok;

namespace {

constexpr int kMessages = 8;

void PrintResult(const char* form, const rmq::SendResult& result) {
  std::printf("form=%s status=%s msgId=%s queue=%d queueOffset=%lld\n", form,
              std::string(rmq::SendStatusName(result.send_status)).c_str(), result.msg_id.c_str(),
              result.message_queue.queue_id, static_cast<long long>(result.queue_offset));
}

rmq::Message OrderMessage(int i) {
  return rmq::Message("AsyncTopic", "TagA", "ORDER" + std::to_string(i),
                      "order #" + std::to_string(i));
}

}  // namespace

int main() {
  auto cluster = rmq_examples::TemporaryCluster::Start("AsyncTopic", 4);
  if (!cluster) return 1;
  rmq::ProducerConfig config;
  config.group_name = "AsyncProducers";
  config.namesrv_addr = cluster->namesrv_address();
  config.retry_times_when_send_async_failed = 2;  // RocketMQ's default, shown for the name.
  rmq::Producer producer(config);
  if (!Ok(producer.Start(), "producer start")) return 1;

  // 1. Callback form. Callbacks run on rmq's threads, concurrently: guard
  //    what they share, and keep them short (don't block in them).
  absl::Mutex mu;
  int answered = 0;
  int callback_ok = 0;
  for (int i = 0; i < kMessages; ++i) {
    producer.SendAsync(OrderMessage(i), [&](absl::StatusOr<rmq::SendResult> result) {
      absl::MutexLock lock(&mu);
      ++answered;
      if (!Ok(result, "async send")) return;
      PrintResult("callback", *result);
      ++callback_ok;
    });
  }
  {
    // Wait for every callback (30 s real time at most, only against hanging).
    absl::MutexLock lock(&mu);
    auto all_answered = [&]() ABSL_SHARED_LOCKS_REQUIRED(mu) { return answered == kMessages; };
    mu.AwaitWithTimeout(absl::Condition(&all_answered), absl::Seconds(30));
    std::printf("form=callback sent=%d ok=%d\n", kMessages, callback_ok);
  }

  // 2. Future form: start every send, then collect the results in order.
  std::vector<std::future<absl::StatusOr<rmq::SendResult>>> pending;
  for (int i = kMessages; i < 2 * kMessages; ++i) {
    pending.push_back(producer.SendAsync(OrderMessage(i)));
  }
  int future_ok = 0;
  for (auto& future : pending) {
    absl::StatusOr<rmq::SendResult> result = future.get();
    if (!Ok(result, "async send")) continue;
    PrintResult("future", *result);
    ++future_ok;
  }
  std::printf("form=future sent=%d ok=%d\n", kMessages, future_ok);

  // Shutdown waits for sends still in flight; none are left here.
  producer.Shutdown();
  absl::MutexLock lock(&mu);
  bool passed = Expect(callback_ok == kMessages, "every callback got a SendResult") &&
                Expect(future_ok == kMessages, "every future held a SendResult");
  return passed ? 0 : 1;
}
