// Copyright 2026 The rmq Authors. Licensed under the Apache License, Version 2.0.
//
// The hash ring behind AllocateMessageQueueConsistentHash, reproducing
// RocketMQ's ConsistentHashRouter with its default MD5Hash bit for bit:
//
//   hash(s)      = first 4 bytes of MD5(UTF-8 bytes of s), big-endian, unsigned
//   ring         = { hash("<node>-<r>") -> node }, r counting the node's points
//   route(key)   = node of the first ring point >= hash(key), else of the first
//
// Points are added node by node in the order given. Two points with the same
// hash keep the later one, and a node listed twice continues its numbering
// ("<node>-10", ... after "<node>-9") from the points it still holds — both
// as RocketMQ's TreeMap-based router does.

#ifndef RMQ_CLIENT_ALLOCATE_CONSISTENT_HASH_H_
#define RMQ_CLIENT_ALLOCATE_CONSISTENT_HASH_H_

#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"

namespace rmq::internal {

// RocketMQ's MD5Hash: the first four bytes of the MD5 digest of `key`, read
// big-endian. Fails only if libcrypto cannot compute MD5 (a FIPS-only build).
absl::StatusOr<uint32_t> Md5PrefixHash(std::string_view key);

class ConsistentHashRouter {
 public:
  // A ring with `points_per_node` (>= 0) points for each of `nodes`. The
  // router views the node names: `nodes` must outlive it.
  static absl::StatusOr<ConsistentHashRouter> Create(std::span<const std::string> nodes,
                                                     int points_per_node);

  // The node that owns `object_key`, or nullopt if the ring has no points.
  absl::StatusOr<std::optional<std::string_view>> Route(std::string_view object_key) const;

  // Number of points on the ring.
  size_t size() const { return ring_.size(); }

 private:
  ConsistentHashRouter() = default;

  std::map<uint32_t, std::string_view> ring_;
};

}  // namespace rmq::internal

#endif  // RMQ_CLIENT_ALLOCATE_CONSISTENT_HASH_H_
