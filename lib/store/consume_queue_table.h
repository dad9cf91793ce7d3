// Copyright 2026 The rmq Authors. Licensed under the Apache License, Version 2.0.
//
// ConsumeQueueTable: every consume queue of the store, by (topic, queue id),
// under <root>/consumequeue/<topic>/<queueId>/.

#ifndef RMQ_STORE_CONSUME_QUEUE_TABLE_H_
#define RMQ_STORE_CONSUME_QUEUE_TABLE_H_

#include <cstdint>
#include <memory>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "store/consume_queue.h"
#include "store/topic_queue_key.h"

namespace rmq::internal {

class ConsumeQueueTable {
 public:
  ConsumeQueueTable(std::string dir, int32_t file_size);

  // Opens every queue directory found. A directory whose name is not a
  // queue id is an error naming it.
  absl::Status Load();

  std::shared_ptr<ConsumeQueue> Find(std::string_view topic, int32_t queue_id) const;
  // Creates a queue's directories without syncing them (the dispatcher
  // calls it): SyncNewNames does, before anything vouches for the queue's
  // units.
  absl::StatusOr<std::shared_ptr<ConsumeQueue>> FindOrCreate(std::string_view topic,
                                                             int32_t queue_id);
  // Syncs the directories FindOrCreate added entries to since the last
  // call, so that new queues survive a power loss. (Each queue syncs the
  // names of its new segments when it is flushed.)
  absl::Status SyncNewNames();
  // After a crash, before the first flush: every queue found by Load may
  // hold units and names the dead process never synced (a kill, then a
  // power loss before the kernel wrote them back). The next flush and
  // SyncNewNames cover them all, before the checkpoint vouches for them.
  void MarkNotDurable();
  std::vector<std::shared_ptr<ConsumeQueue>> All() const;

  // The furthest commit log end any queue has indexed.
  int64_t MaxCommitLogEnd() const;

 private:
  const std::string dir_;
  const int32_t file_size_;
  mutable absl::Mutex mu_;
  TopicQueueMap<std::shared_ptr<ConsumeQueue>> queues_ ABSL_GUARDED_BY(mu_);
  absl::Mutex unsynced_mu_;
  std::set<std::string> unsynced_dirs_ ABSL_GUARDED_BY(unsynced_mu_);
};

}  // namespace rmq::internal

#endif  // RMQ_STORE_CONSUME_QUEUE_TABLE_H_
