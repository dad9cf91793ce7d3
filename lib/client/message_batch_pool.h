// Copyright 2026 The rmq Authors. Licensed under the Apache License, Version 2.0.
//
// MessageBatchPool: the message vectors of consumed pull results, kept for
// the next pulls to decode into. A pulled message's topic, body and
// properties are strings on the heap; decoding into a message consumed
// before assigns into them, so at a steady message size a pull allocates
// nothing, and the consume threads free nothing (a block freed on another
// thread than the one that allocated it is glibc's most expensive case).

#ifndef RMQ_CLIENT_MESSAGE_BATCH_POOL_H_
#define RMQ_CLIENT_MESSAGE_BATCH_POOL_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "rmq/message.h"

namespace rmq::internal {

class MessageBatchPool : public std::enable_shared_from_this<MessageBatchPool> {
 public:
  // Keeps vectors holding at most `max_messages` messages and `max_bytes`
  // of string capacity in all (so a burst of large messages does not stay
  // allocated). The default matches what one queue's flow control lets be
  // in flight (pullThresholdForQueue 1000).
  static std::shared_ptr<MessageBatchPool> Create(size_t max_messages = 1024,
                                                  size_t max_bytes = 1024 * 1024);

  // A push consumer's pool: as large as what flow control lets be cached
  // for a topic of four queues (RocketMQ's defaultTopicQueueNums), that is
  // 4 x `pull_threshold_for_queue` messages, and at most 8 MiB of strings.
  // When the listeners lag that many messages are in flight; as they drain,
  // their vectors come back faster than pulls take them, and a smaller pool
  // would drop them (freed on the consume threads) only for the next burst
  // to allocate them again on the pull thread: two thirds of the pulled
  // messages of a full-speed run with a 1,024-message pool.
  static std::shared_ptr<MessageBatchPool> ForFlowControl(int32_t pull_threshold_for_queue);

  // A vector of consumed messages to decode into (empty if none is kept).
  std::vector<MessageExt> Take();

  // Shares `msgs`; when the last owner lets go (a consume thread, after the
  // listener), the vector comes back to this pool if it still exists.
  std::shared_ptr<std::vector<MessageExt>> Share(std::vector<MessageExt> msgs);

  // Keeps `msgs` for a later Take, if the pool has room for it.
  void Recycle(std::vector<MessageExt>&& msgs);

  // Vectors kept now (for tests).
  size_t kept();

 private:
  struct Kept {
    std::vector<MessageExt> msgs;
    size_t bytes;
  };
  MessageBatchPool(size_t max_messages, size_t max_bytes)
      : max_messages_(max_messages), max_bytes_(max_bytes) {}

  const size_t max_messages_;
  const size_t max_bytes_;
  absl::Mutex mu_;
  std::vector<Kept> free_ ABSL_GUARDED_BY(mu_);
  size_t kept_messages_ ABSL_GUARDED_BY(mu_) = 0;
  size_t kept_bytes_ ABSL_GUARDED_BY(mu_) = 0;
};

}  // namespace rmq::internal

#endif  // RMQ_CLIENT_MESSAGE_BATCH_POOL_H_
