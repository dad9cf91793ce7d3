// Copyright 2026 The rmq Authors. Licensed under the Apache License, Version 2.0.
//
// Queue allocation strategies: how the consumers of one group split the
// queues of a topic among themselves.
//
// Every consumer of a group runs the same strategy on the same inputs (all
// queues of the topic, all consumer ids of the group) and keeps only its own
// share, so the group agrees on an assignment without talking to each other.
// That only works if every member sees the inputs in the same order: like
// RocketMQ's RebalanceImpl, the caller sorts the queues (MessageQueue's
// operator<=>) and the consumer ids (byte-wise) before calling Allocate, and
// the strategies sort nothing themselves.
//
// Each strategy gives exactly the result Apache RocketMQ 4.9's class of the
// same name gives for the same inputs, including its order, so rmq consumers
// and Java consumers can share a group.
//
// Strategies are immutable after construction; Allocate may be called from
// several threads at once.

#ifndef RMQ_ALLOCATE_STRATEGY_H_
#define RMQ_ALLOCATE_STRATEGY_H_

#include <functional>
#include <set>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "rmq/message_queue.h"

namespace rmq {

class AllocateMessageQueueStrategy {
 public:
  virtual ~AllocateMessageQueueStrategy();

  // RocketMQ's name for the strategy ("AVG", "AVG_BY_CIRCLE", ...).
  virtual std::string_view name() const = 0;

  // The queues `current_cid` should consume, given every queue of the topic
  // (`all_queues`) and every consumer id of `consumer_group` (`all_cids`),
  // both sorted by the caller. The result keeps the order of `all_queues`.
  //
  // Unless a strategy says otherwise:
  //  - an empty `current_cid`, `all_queues` or `all_cids` is an
  //    InvalidArgument error (RocketMQ throws; its rebalance then keeps the
  //    current assignment for this round rather than dropping every queue);
  //  - a `current_cid` missing from `all_cids` (the group's membership moved
  //    on since this consumer last heard of it) gives an empty result and a
  //    log line, not an error.
  virtual absl::StatusOr<std::vector<MessageQueue>> Allocate(
      std::string_view consumer_group, std::string_view current_cid,
      std::span<const MessageQueue> all_queues, std::span<const std::string> all_cids) const = 0;
};

// "AVG": contiguous blocks. With Q queues and C consumers, each consumer gets
// Q / C consecutive queues and the first Q % C consumers one more; with more
// consumers than queues, the consumers past the Q-th get nothing. For 8 queues
// and 3 consumers: {0,1,2} {3,4,5} {6,7}. RocketMQ's default.
class AllocateMessageQueueAveragely final : public AllocateMessageQueueStrategy {
 public:
  std::string_view name() const override { return "AVG"; }
  absl::StatusOr<std::vector<MessageQueue>> Allocate(
      std::string_view consumer_group, std::string_view current_cid,
      std::span<const MessageQueue> all_queues,
      std::span<const std::string> all_cids) const override;
};

// "AVG_BY_CIRCLE": round robin. Consumer i gets queues i, i + C, i + 2C, ...
// For 8 queues and 3 consumers: {0,3,6} {1,4,7} {2,5}. Spreads one broker's
// queues over more consumers than "AVG" does.
class AllocateMessageQueueAveragelyByCircle final : public AllocateMessageQueueStrategy {
 public:
  std::string_view name() const override { return "AVG_BY_CIRCLE"; }
  absl::StatusOr<std::vector<MessageQueue>> Allocate(
      std::string_view consumer_group, std::string_view current_cid,
      std::span<const MessageQueue> all_queues,
      std::span<const std::string> all_cids) const override;
};

// "CONSISTENT_HASH": a hash ring, so a consumer joining or leaving moves only
// the queues next to its points on the ring. Each consumer id `cid` is placed
// at `virtual_node_count` points, the hashes of "cid-0", "cid-1", ...; a queue
// goes to the first point at or after the hash of MessageQueue::ToString(),
// wrapping around. The hash of a string is the first four bytes of its MD5
// digest as a big-endian unsigned number (RocketMQ's ConsistentHashRouter with
// its default MD5Hash). Shares can be very uneven with few queues.
class AllocateMessageQueueConsistentHash final : public AllocateMessageQueueStrategy {
 public:
  // RocketMQ's default of 10 points per consumer. A count of 0 leaves the ring
  // empty and allocates nothing; a negative count makes Allocate fail with
  // InvalidArgument (RocketMQ's constructor throws).
  explicit AllocateMessageQueueConsistentHash(int virtual_node_count = 10)
      : virtual_node_count_(virtual_node_count) {}

  std::string_view name() const override { return "CONSISTENT_HASH"; }
  absl::StatusOr<std::vector<MessageQueue>> Allocate(
      std::string_view consumer_group, std::string_view current_cid,
      std::span<const MessageQueue> all_queues,
      std::span<const std::string> all_cids) const override;

  int virtual_node_count() const { return virtual_node_count_; }

 private:
  int virtual_node_count_;
};

// "CONFIG": a fixed list of queues, whatever the inputs. As in RocketMQ, no
// input is checked, so every consumer that uses it gets the same queues: meant
// for a group with one consumer, or one whose consumers are each configured
// with a different list.
class AllocateMessageQueueByConfig final : public AllocateMessageQueueStrategy {
 public:
  explicit AllocateMessageQueueByConfig(std::vector<MessageQueue> queues)
      : queues_(std::move(queues)) {}

  std::string_view name() const override { return "CONFIG"; }
  // Returns the configured queues, in the order given to the constructor.
  absl::StatusOr<std::vector<MessageQueue>> Allocate(
      std::string_view consumer_group, std::string_view current_cid,
      std::span<const MessageQueue> all_queues,
      std::span<const std::string> all_cids) const override;

  const std::vector<MessageQueue>& queues() const { return queues_; }

 private:
  std::vector<MessageQueue> queues_;
};

// "MACHINE_ROOM": only the queues of brokers in the given machine rooms
// (IDCs), split among all consumers. A broker's room is the part of its name
// before '@' ("hz@broker-a" is in room "hz"); a name that does not split into
// exactly two parts at '@' (RocketMQ's String.split, which ignores trailing
// '@'s: "hz@broker-a@" counts, "broker-a" and "hz@x@y" do not) is in no room.
// With E eligible queues and C consumers, consumer i gets the block
// [i * (E / C), (i + 1) * (E / C)) and, if i < E % C, also the eligible queue
// i + (E / C) * C.
class AllocateMessageQueueByMachineRoom final : public AllocateMessageQueueStrategy {
 public:
  // `consumer_idcs`: the rooms whose brokers this group consumes from.
  explicit AllocateMessageQueueByMachineRoom(std::set<std::string, std::less<>> consumer_idcs)
      : consumer_idcs_(std::move(consumer_idcs)) {}

  std::string_view name() const override { return "MACHINE_ROOM"; }
  absl::StatusOr<std::vector<MessageQueue>> Allocate(
      std::string_view consumer_group, std::string_view current_cid,
      std::span<const MessageQueue> all_queues,
      std::span<const std::string> all_cids) const override;

  const std::set<std::string, std::less<>>& consumer_idcs() const { return consumer_idcs_; }

 private:
  std::set<std::string, std::less<>> consumer_idcs_;
};

}  // namespace rmq

#endif  // RMQ_ALLOCATE_STRATEGY_H_
