// Copyright 2026 The rmq Authors. Licensed under the Apache License, Version 2.0.

#include "broker/message_builder.h"

#include <algorithm>
#include <utility>
#include <vector>

#include "common/properties_codec.h"

namespace rmq::internal {

MessageExt& ThreadMessage() {
  thread_local MessageExt msg;
  msg.queue_id = 0;
  msg.store_size = 0;
  msg.queue_offset = 0;
  msg.sys_flag = 0;
  msg.born_timestamp = 0;
  msg.born_host = HostAddress();
  msg.store_timestamp = 0;
  msg.store_host = HostAddress();
  msg.commit_log_offset = 0;
  msg.body_crc = 0;
  msg.reconsume_times = 0;
  msg.prepared_transaction_offset = 0;
  msg.set_flag(0);
  return msg;
}

// Message offers its strings read-only or by replacement; replacing would
// free and allocate a buffer per send. The object itself is not const, so
// writing through the reference is well defined, and assign() reuses the
// buffer's capacity.
void AssignTopic(MessageExt& msg, std::string_view topic) {
  const_cast<std::string&>(msg.topic()).assign(topic);
}

void AssignBody(MessageExt& msg, std::string_view body) {
  const_cast<std::string&>(msg.body()).assign(body);
}

absl::Status AssignProperties(std::string_view encoded, Message::Properties* props,
                              std::string_view keep) {
  thread_local std::vector<std::pair<std::string_view, std::string_view>> items;
  items.clear();
  size_t pos = 0;
  while (pos < encoded.size()) {
    size_t end = encoded.find(kPropertySeparator, pos);
    if (end == std::string_view::npos) end = encoded.size();
    std::string_view item = encoded.substr(pos, end - pos);
    pos = end + 1;
    if (item.empty()) continue;
    size_t sep = item.find(kNameValueSeparator);
    if (sep == std::string_view::npos || sep == 0) {
      // Malformed: let the reference decoder say where and why.
      absl::Status status = DecodeProperties(encoded, props);
      props->clear();
      return status.ok() ? absl::InvalidArgumentError("malformed message properties") : status;
    }
    items.emplace_back(item.substr(0, sep), item.substr(sep + 1));
  }
  auto listed = [](std::string_view name) {
    return std::any_of(items.begin(), items.end(), [name](const auto& i) { return i.first == name; });
  };
  for (auto it = props->begin(); it != props->end();) {
    if ((!keep.empty() && it->first == keep) || listed(it->first)) {
      ++it;
    } else {
      it = props->erase(it);
    }
  }
  for (const auto& [name, value] : items) {
    auto it = props->find(name);
    if (it != props->end()) {
      it->second.assign(value);
    } else {
      props->emplace(std::string(name), std::string(value));
    }
  }
  return absl::OkStatus();
}

}  // namespace rmq::internal
