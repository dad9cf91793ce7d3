// Copyright 2026 The rmq Authors. Licensed under the Apache License, Version 2.0.

#include "broker/consumer_filter_manager.h"

#include "common/str_cat.h"
#include "spdlog/spdlog.h"

namespace rmq::internal {

absl::StatusOr<SqlExpression> CompileFilterExpression(std::string_view type,
                                                      std::string_view expression) {
  if (type != "SQL92") {
    return absl::InvalidArgumentError(
        StrCat("expression type '", type, "' is not supported; use TAG or SQL92"));
  }
  return CompileSql(expression);
}

std::shared_ptr<const ConsumerFilter> ConsumerFilterManager::Compile(const SubscriptionData& sub) {
  auto filter = std::make_shared<ConsumerFilter>();
  filter->expression_type = sub.expression_type;
  filter->expression = sub.sub_string;
  filter->sub_version = sub.sub_version;
  filter->compiled = CompileFilterExpression(sub.expression_type, sub.sub_string);
  compilations_.fetch_add(1, std::memory_order_relaxed);
  return filter;
}

std::shared_ptr<const ConsumerFilter> ConsumerFilterManager::Resolve(std::string_view group,
                                                                     const SubscriptionData& sub) {
  if (auto cached = Find(group, sub.topic); cached != nullptr && Same(*cached, sub)) return cached;
  // Compiled without the lock: an expression may be long, and pulls of other
  // groups should not wait for it.
  std::shared_ptr<const ConsumerFilter> fresh = Compile(sub);
  absl::MutexLock lock(&mu_);
  std::shared_ptr<const ConsumerFilter>& slot = groups_[AbslView(group)][sub.topic];
  if (slot == nullptr || slot->sub_version <= sub.sub_version) {
    slot = fresh;
  } else if (Same(*slot, sub)) {
    return slot;  // Another pull got there first.
  }
  // Else the cache holds a newer version of the subscription: this pull
  // filters with its own (older) one, uncached.
  return fresh;
}

void ConsumerFilterManager::SyncGroup(std::string_view group,
                                      const std::vector<const SubscriptionData*>& subscriptions) {
  std::vector<const SubscriptionData*> to_compile;
  {
    absl::MutexLock lock(&mu_);
    auto it = groups_.find(AbslView(group));
    if (it != groups_.end()) {
      // Forget what the group no longer subscribes to (or now by tag).
      absl::erase_if(it->second, [&](const auto& entry) {
        for (const SubscriptionData* sub : subscriptions) {
          if (sub->topic == entry.first && !IsTagType(sub->expression_type)) return false;
        }
        return true;
      });
      if (it->second.empty()) groups_.erase(it);
    }
    for (const SubscriptionData* sub : subscriptions) {
      if (IsTagType(sub->expression_type)) continue;
      auto group_it = groups_.find(AbslView(group));
      if (group_it != groups_.end()) {
        auto topic_it = group_it->second.find(sub->topic);
        if (topic_it != group_it->second.end() && Same(*topic_it->second, *sub)) continue;
      }
      to_compile.push_back(sub);
    }
  }
  for (const SubscriptionData* sub : to_compile) {
    std::shared_ptr<const ConsumerFilter> fresh = Compile(*sub);
    if (!fresh->compiled.ok()) {
      spdlog::warn("group {} subscribes to {} with a {} expression that does not compile: {}",
                   group, sub->topic, sub->expression_type, fresh->compiled.status().ToString());
    }
    absl::MutexLock lock(&mu_);
    std::shared_ptr<const ConsumerFilter>& slot = groups_[AbslView(group)][sub->topic];
    if (slot == nullptr || slot->sub_version <= sub->sub_version) slot = std::move(fresh);
  }
}

std::shared_ptr<const ConsumerFilter> ConsumerFilterManager::Find(std::string_view group,
                                                                  std::string_view topic) const {
  absl::ReaderMutexLock lock(&mu_);
  auto it = groups_.find(AbslView(group));
  if (it == groups_.end()) return nullptr;
  auto topic_it = it->second.find(AbslView(topic));
  return topic_it == it->second.end() ? nullptr : topic_it->second;
}

size_t ConsumerFilterManager::size() const {
  absl::ReaderMutexLock lock(&mu_);
  size_t n = 0;
  for (const auto& [group, topics] : groups_) n += topics.size();
  return n;
}

}  // namespace rmq::internal
