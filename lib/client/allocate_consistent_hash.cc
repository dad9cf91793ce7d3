// Copyright 2026 The rmq Authors. Licensed under the Apache License, Version 2.0.

#include "client/allocate_consistent_hash.h"

#include <openssl/evp.h>

#include <unordered_map>

#include "absl/status/status.h"
#include "common/str_cat.h"

namespace rmq::internal {

absl::StatusOr<uint32_t> Md5PrefixHash(std::string_view key) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int digest_size = 0;
  if (EVP_Digest(key.data(), key.size(), digest, &digest_size, EVP_md5(), nullptr) != 1 ||
      digest_size < 4) {
    return absl::InternalError(
        "libcrypto could not compute the MD5 digest that consistent-hash allocation needs "
        "(is it restricted to FIPS algorithms?)");
  }
  return (uint32_t{digest[0]} << 24) | (uint32_t{digest[1]} << 16) | (uint32_t{digest[2]} << 8) |
         uint32_t{digest[3]};
}

absl::StatusOr<ConsistentHashRouter> ConsistentHashRouter::Create(
    std::span<const std::string> nodes, int points_per_node) {
  if (points_per_node < 0) {
    return absl::InvalidArgumentError(
        StrCat("consistent hash: virtual node count ", points_per_node, " is negative"));
  }
  ConsistentHashRouter router;
  // Points each node holds on the ring right now: a later point with the same
  // hash replaces an earlier one and takes it from its node, which RocketMQ's
  // recount of the ring (getExistingReplicas) sees too.
  std::unordered_map<std::string_view, int> points_held;
  for (const std::string& node : nodes) {
    const int first_replica = points_held[node];
    for (int i = 0; i < points_per_node; ++i) {
      absl::StatusOr<uint32_t> point = Md5PrefixHash(StrCat(node, "-", first_replica + i));
      if (!point.ok()) return point.status();
      auto [it, inserted] = router.ring_.try_emplace(*point, node);
      if (!inserted) {
        --points_held[it->second];
        it->second = node;
      }
      ++points_held[node];
    }
  }
  return router;
}

absl::StatusOr<std::optional<std::string_view>> ConsistentHashRouter::Route(
    std::string_view object_key) const {
  if (ring_.empty()) return std::optional<std::string_view>();
  absl::StatusOr<uint32_t> hash = Md5PrefixHash(object_key);
  if (!hash.ok()) return hash.status();
  auto owner = ring_.lower_bound(*hash);
  if (owner == ring_.end()) owner = ring_.begin();
  return std::optional<std::string_view>(owner->second);
}

}  // namespace rmq::internal
