// Copyright 2026 The rmq Authors. Licensed under the Apache License, Version 2.0.
//
// The arithmetic of each strategy follows RocketMQ 4.9's class of the same
// name step by step (including its int arithmetic where a share can come out
// empty), because consumers of one group — Java or rmq — must compute the
// same split.

#include "rmq/allocate_strategy.h"

#include <algorithm>
#include <cstdint>
#include <optional>

#include "absl/status/status.h"
#include "client/allocate_consistent_hash.h"
#include "common/str_cat.h"
#include "fmt/format.h"
#include "spdlog/spdlog.h"

namespace rmq {

namespace {

using internal::StrCat;

// RocketMQ's AbstractAllocateMessageQueueStrategy.check, returning the
// position of `current_cid` in `all_cids` (its first, as List.indexOf).
// Input no rebalance should produce is an error; a consumer the group no
// longer lists is nullopt, and its share is empty.
absl::StatusOr<std::optional<size_t>> FindCurrentConsumer(
    std::string_view consumer_group, std::string_view current_cid,
    std::span<const MessageQueue> all_queues, std::span<const std::string> all_cids) {
  if (current_cid.empty()) {
    return absl::InvalidArgumentError(
        StrCat("consumer group ", consumer_group, ": the current consumer id is empty"));
  }
  if (all_queues.empty()) {
    return absl::InvalidArgumentError(StrCat("consumer group ", consumer_group,
                                             ": no message queues to allocate to consumer ",
                                             current_cid));
  }
  if (all_cids.empty()) {
    return absl::InvalidArgumentError(StrCat("consumer group ", consumer_group,
                                             ": the list of consumer ids is empty, so consumer ",
                                             current_cid, " cannot be placed in it"));
  }
  auto it = std::find(all_cids.begin(), all_cids.end(), current_cid);
  if (it == all_cids.end()) {
    // Normal for a moment while membership changes; RocketMQ logs it too.
    spdlog::info("consumer group {}: consumer {} is not among the group's consumers [{}]; "
                 "it gets no queues this round",
                 consumer_group, current_cid, fmt::join(all_cids, ", "));
    return std::optional<size_t>();
  }
  return std::optional<size_t>(static_cast<size_t>(it - all_cids.begin()));
}

// RocketMQ splits a broker name at '@' with Java's String.split, which drops
// trailing empty parts: the name has a room iff it splits into exactly two
// parts, and the room is the first. "hz@b" -> "hz", "hz@b@" -> "hz",
// "@b" -> "", while "b", "hz@", "hz@x@y" have none.
std::optional<std::string_view> MachineRoomOf(std::string_view broker_name) {
  const size_t last_kept = broker_name.find_last_not_of('@');
  if (last_kept == std::string_view::npos) return std::nullopt;
  const std::string_view trimmed = broker_name.substr(0, last_kept + 1);
  const size_t at = trimmed.find('@');
  if (at == std::string_view::npos || trimmed.find('@', at + 1) != std::string_view::npos) {
    return std::nullopt;
  }
  return trimmed.substr(0, at);
}

}  // namespace

AllocateMessageQueueStrategy::~AllocateMessageQueueStrategy() = default;

absl::StatusOr<std::vector<MessageQueue>> AllocateMessageQueueAveragely::Allocate(
    std::string_view consumer_group, std::string_view current_cid,
    std::span<const MessageQueue> all_queues, std::span<const std::string> all_cids) const {
  absl::StatusOr<std::optional<size_t>> current =
      FindCurrentConsumer(consumer_group, current_cid, all_queues, all_cids);
  if (!current.ok()) return current.status();
  std::vector<MessageQueue> share;
  if (!current->has_value()) return share;

  // Signed, as in RocketMQ: with more consumers than queues the last
  // consumers' start lies past the end and their range goes negative.
  const int64_t index = static_cast<int64_t>(**current);
  const int64_t queue_count = static_cast<int64_t>(all_queues.size());
  const int64_t consumer_count = static_cast<int64_t>(all_cids.size());
  const int64_t remainder = queue_count % consumer_count;
  const bool gets_extra = remainder > 0 && index < remainder;
  const int64_t block_size = queue_count <= consumer_count ? 1
                             : gets_extra ? queue_count / consumer_count + 1
                                          : queue_count / consumer_count;
  const int64_t start = gets_extra ? index * block_size : index * block_size + remainder;
  const int64_t count = std::min(block_size, queue_count - start);
  for (int64_t i = 0; i < count; ++i) share.push_back(all_queues[static_cast<size_t>(start + i)]);
  return share;
}

absl::StatusOr<std::vector<MessageQueue>> AllocateMessageQueueAveragelyByCircle::Allocate(
    std::string_view consumer_group, std::string_view current_cid,
    std::span<const MessageQueue> all_queues, std::span<const std::string> all_cids) const {
  absl::StatusOr<std::optional<size_t>> current =
      FindCurrentConsumer(consumer_group, current_cid, all_queues, all_cids);
  if (!current.ok()) return current.status();
  std::vector<MessageQueue> share;
  if (!current->has_value()) return share;

  for (size_t i = **current; i < all_queues.size(); i += all_cids.size()) {
    share.push_back(all_queues[i]);
  }
  return share;
}

absl::StatusOr<std::vector<MessageQueue>> AllocateMessageQueueConsistentHash::Allocate(
    std::string_view consumer_group, std::string_view current_cid,
    std::span<const MessageQueue> all_queues, std::span<const std::string> all_cids) const {
  if (virtual_node_count_ < 0) {
    return absl::InvalidArgumentError(StrCat("consumer group ", consumer_group,
                                             ": consistent hash allocation with virtual node count ",
                                             virtual_node_count_, "; it must be 0 or more"));
  }
  absl::StatusOr<std::optional<size_t>> current =
      FindCurrentConsumer(consumer_group, current_cid, all_queues, all_cids);
  if (!current.ok()) return current.status();
  std::vector<MessageQueue> share;
  if (!current->has_value()) return share;

  absl::StatusOr<internal::ConsistentHashRouter> router =
      internal::ConsistentHashRouter::Create(all_cids, virtual_node_count_);
  if (!router.ok()) return router.status();
  for (const MessageQueue& queue : all_queues) {
    absl::StatusOr<std::optional<std::string_view>> owner = router->Route(queue.ToString());
    if (!owner.ok()) return owner.status();
    if (*owner == current_cid) share.push_back(queue);
  }
  return share;
}

absl::StatusOr<std::vector<MessageQueue>> AllocateMessageQueueByConfig::Allocate(
    std::string_view /*consumer_group*/, std::string_view /*current_cid*/,
    std::span<const MessageQueue> /*all_queues*/,
    std::span<const std::string> /*all_cids*/) const {
  return queues_;
}

absl::StatusOr<std::vector<MessageQueue>> AllocateMessageQueueByMachineRoom::Allocate(
    std::string_view consumer_group, std::string_view current_cid,
    std::span<const MessageQueue> all_queues, std::span<const std::string> all_cids) const {
  absl::StatusOr<std::optional<size_t>> current =
      FindCurrentConsumer(consumer_group, current_cid, all_queues, all_cids);
  if (!current.ok()) return current.status();
  std::vector<MessageQueue> share;
  if (!current->has_value()) return share;

  std::vector<const MessageQueue*> eligible;
  for (const MessageQueue& queue : all_queues) {
    std::optional<std::string_view> room = MachineRoomOf(queue.broker_name);
    if (room.has_value() && consumer_idcs_.contains(*room)) eligible.push_back(&queue);
  }

  const size_t index = **current;
  const size_t consumer_count = all_cids.size();
  const size_t block_size = eligible.size() / consumer_count;
  const size_t remainder = eligible.size() % consumer_count;
  for (size_t i = index * block_size; i < (index + 1) * block_size; ++i) {
    share.push_back(*eligible[i]);
  }
  // The E % C queues left after the blocks go one each to the first consumers.
  if (index < remainder) share.push_back(*eligible[index + block_size * consumer_count]);
  return share;
}

}  // namespace rmq
