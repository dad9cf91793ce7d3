// Copyright 2026 The rmq Authors. Licensed under the Apache License, Version 2.0.
//
// ConsumerFilterManager: the compiled SQL92 filters of consumer groups, one
// per (group, topic) (RocketMQ's ConsumerFilterManager, without its bloom
// filter bit maps). A subscription's expression is compiled once, when it
// first reaches the broker, and every pull of the group reuses it:
//
//  - a heartbeat (SyncGroup, from ConsumerManager) compiles a new or changed
//    non-TAG subscription and forgets the topics the group no longer
//    subscribes to; a group left with no member (SyncGroup with none) is
//    forgotten whole;
//  - a pull (Resolve) takes the entry with the same type and expression, or
//    compiles the one it carries (with FLAG_SUBSCRIPTION, or a heartbeat's
//    that is not cached yet) and caches it unless the cache holds a newer
//    version (subVersion) of the subscription.
//
// A compile error is cached too, so a bad expression is not compiled again
// on every pull of it. Entries are immutable and shared: a pull (a held one
// too) keeps the filter it resolved alive after the entry is replaced.
//
// Entries of a group that pulls with its own subscriptions but never sends a
// heartbeat stay until the broker stops: one per (group, topic).

#ifndef RMQ_BROKER_CONSUMER_FILTER_MANAGER_H_
#define RMQ_BROKER_CONSUMER_FILTER_MANAGER_H_

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "filter/sql_expression.h"
#include "remoting/protocol_bodies.h"

namespace rmq::internal {

// "TAG", or no type at all (RocketMQ's ExpressionType.isTagType).
inline bool IsTagType(std::string_view type) { return type.empty() || type == "TAG"; }

// Compiles a non-TAG expression: SQL92 with CompileSql; any other type is
// InvalidArgument (RocketMQ knows no other).
absl::StatusOr<SqlExpression> CompileFilterExpression(std::string_view type,
                                                      std::string_view expression);

// One subscription's compiled filter.
struct ConsumerFilter {
  std::string expression_type;
  std::string expression;
  int64_t sub_version = 0;
  absl::StatusOr<SqlExpression> compiled;  // Or why it does not compile.
};

class ConsumerFilterManager {
 public:
  // The filter of `group`'s non-TAG subscription `sub` (see above). The
  // caller checks the filter's `compiled` for a compile error.
  std::shared_ptr<const ConsumerFilter> Resolve(std::string_view group,
                                                const SubscriptionData& sub);

  // A heartbeat of `group`: `subscriptions` are all its subscriptions now.
  // Compiles what is new or changed (TAG ones need nothing), drops the rest.
  void SyncGroup(std::string_view group, const std::vector<const SubscriptionData*>& subscriptions);

  // The cached filter of `group`'s subscription to `topic`, or null.
  std::shared_ptr<const ConsumerFilter> Find(std::string_view group, std::string_view topic) const;

  // Expressions compiled so far (a stat, and how tests see the cache work).
  int64_t compilations() const { return compilations_.load(std::memory_order_relaxed); }
  // Entries cached now.
  size_t size() const;

 private:
  // group → topic → filter.
  using TopicFilters = absl::flat_hash_map<std::string, std::shared_ptr<const ConsumerFilter>>;

  std::shared_ptr<const ConsumerFilter> Compile(const SubscriptionData& sub);
  // Whether `cached` already is `sub`'s filter.
  static bool Same(const ConsumerFilter& cached, const SubscriptionData& sub) {
    return cached.expression_type == sub.expression_type && cached.expression == sub.sub_string;
  }

  mutable absl::Mutex mu_;
  absl::flat_hash_map<std::string, TopicFilters> groups_ ABSL_GUARDED_BY(mu_);
  std::atomic<int64_t> compilations_{0};
};

}  // namespace rmq::internal

#endif  // RMQ_BROKER_CONSUMER_FILTER_MANAGER_H_
