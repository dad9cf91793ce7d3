// Copyright 2026 The rmq Authors. Licensed under the Apache License, Version 2.0.

#include "broker/message_builder.h"

#include <algorithm>
#include <array>
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

namespace {
// MessageConst.PROPERTY_CLUSTER: the broker stamps its cluster on every message.
constexpr std::string_view kPropertyCluster = "CLUSTER";
constexpr size_t kMaxRewrittenProperties = 32;
}  // namespace

bool RewriteSendProperties(std::string_view encoded, std::string_view cluster, bool drop_delay,
                           std::string* out, SendPropertyFlags* flags) {
  struct Property {
    std::string_view name;
    std::string_view value;
    bool keep = true;
  };
  // Every property read (to spot a repeated name), plus the CLUSTER added.
  std::array<Property, kMaxRewrittenProperties + 1> props;
  size_t count = 0;
  *flags = SendPropertyFlags();
  size_t pos = 0;
  while (pos < encoded.size()) {
    const size_t sep = encoded.find(kNameValueSeparator, pos);
    const size_t end = encoded.find(kPropertySeparator, pos);
    // Strict shape only: "name\x01value\x02" with a non-empty name.
    if (sep == std::string_view::npos || end == std::string_view::npos || sep == pos || end < sep) {
      return false;
    }
    Property p{encoded.substr(pos, sep - pos), encoded.substr(sep + 1, end - sep - 1)};
    if (p.value.find(kNameValueSeparator) != std::string_view::npos ||
        count == kMaxRewrittenProperties) {
      return false;
    }
    for (size_t i = 0; i < count; ++i) {
      if (props[i].name == p.name) return false;
    }
    if (p.name == property::kWaitStoreMsgOk) {
      flags->wait_store_msg_ok = ParseJavaBoolean(p.value);
      p.keep = !flags->wait_store_msg_ok;
    } else if (p.name == property::kTransactionPrepared) {
      flags->transaction_prepared = ParseJavaBoolean(p.value);
    } else if (p.name == kPropertyCluster || (drop_delay && p.name == property::kDelayTimeLevel)) {
      p.keep = false;
    }
    props[count++] = p;
    pos = end + 1;
  }
  props[count++] = Property{kPropertyCluster, cluster};
  // Sorted by name, as Message::Properties encodes: a record stores the same
  // bytes whichever path wrote it.
  std::sort(props.begin(), props.begin() + static_cast<std::ptrdiff_t>(count),
            [](const Property& a, const Property& b) { return a.name < b.name; });
  out->clear();
  for (size_t i = 0; i < count; ++i) {
    if (!props[i].keep) continue;
    out->append(props[i].name);
    out->push_back(kNameValueSeparator);
    out->append(props[i].value);
    out->push_back(kPropertySeparator);
  }
  return true;
}

}  // namespace rmq::internal
