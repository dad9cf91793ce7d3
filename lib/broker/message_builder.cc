// Copyright 2026 The rmq Authors. Licensed under the Apache License, Version 2.0.

#include "broker/message_builder.h"

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstring>
#include <limits>
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
constexpr size_t kMaxRewrittenProperties = 32;
}  // namespace

bool RewriteSendProperties(std::string_view encoded, std::string_view cluster, bool drop_delay,
                           std::string* out, SendPropertyFlags* flags) {
  // A property read, as offsets into `encoded`: a trivial type, so the array
  // below costs nothing to set up (one of string_views was initialized whole
  // on every send).
  struct Property {
    uint32_t name_at;
    uint32_t name_size;
    uint32_t value_at;
    uint32_t value_size;
    bool keep;
  };
  if (encoded.size() > std::numeric_limits<uint32_t>::max()) return false;
  const auto name_of = [encoded](const Property& p) { return encoded.substr(p.name_at, p.name_size); };
  std::array<Property, kMaxRewrittenProperties> props;
  size_t count = 0;
  size_t size = property::kCluster.size() + cluster.size() + 2;  // Of the rewrite; CLUSTER is added.
  *flags = SendPropertyFlags();
  // Names in ascending order (as producers encode them) are unique and need
  // no sort: the usual case costs one comparison a property.
  bool ascending = true;
  size_t pos = 0;
  while (pos < encoded.size()) {
    const size_t sep = encoded.find(kNameValueSeparator, pos);
    const size_t end = encoded.find(kPropertySeparator, pos);
    // Strict shape only: "name\x01value\x02" with a non-empty name.
    if (sep == std::string_view::npos || end == std::string_view::npos || sep == pos || end < sep) {
      return false;
    }
    const std::string_view name = encoded.substr(pos, sep - pos);
    const std::string_view value = encoded.substr(sep + 1, end - sep - 1);
    if (value.find(kNameValueSeparator) != std::string_view::npos ||
        count == kMaxRewrittenProperties) {
      return false;
    }
    if (ascending && count > 0 && !PropertyNameLess(name_of(props[count - 1]), name)) {
      ascending = false;
    }
    if (!ascending) {
      for (size_t i = 0; i < count; ++i) {
        if (name_of(props[i]) == name) return false;
      }
    }
    bool keep = true;
    if (name == property::kWaitStoreMsgOk) {
      flags->wait_store_msg_ok = ParseJavaBoolean(value);
      keep = !flags->wait_store_msg_ok;
    } else if (name == property::kTransactionPrepared) {
      flags->transaction_prepared = ParseJavaBoolean(value);
    } else if (name == property::kCluster || (drop_delay && name == property::kDelayTimeLevel)) {
      keep = false;
    } else if (name == property::kDelayTimeLevel || name.starts_with(property::kTimerPrefix)) {
      flags->may_park = true;
    }
    props[count++] = Property{static_cast<uint32_t>(pos), static_cast<uint32_t>(name.size()),
                              static_cast<uint32_t>(sep + 1), static_cast<uint32_t>(value.size()),
                              keep};
    if (keep) size += name.size() + value.size() + 2;
    pos = end + 1;
  }
  // Sorted by name, as Message::Properties encodes: a record stores the same
  // bytes whichever path wrote it. CLUSTER goes in at its place on the way out.
  if (!ascending) {
    std::sort(props.begin(), props.begin() + static_cast<std::ptrdiff_t>(count),
              [&name_of](const Property& a, const Property& b) { return name_of(a) < name_of(b); });
  }
  out->resize(size);
  char* p = out->data();
  const auto write = [&p](std::string_view name, std::string_view value) {
    std::memcpy(p, name.data(), name.size());
    p += name.size();
    *p++ = kNameValueSeparator;
    std::memcpy(p, value.data(), value.size());
    p += value.size();
    *p++ = kPropertySeparator;
  };
  bool cluster_written = false;
  for (size_t i = 0; i < count; ++i) {
    if (!props[i].keep) continue;
    const std::string_view name = name_of(props[i]);
    if (!cluster_written && property::kCluster < name) {
      write(property::kCluster, cluster);
      cluster_written = true;
    }
    write(name, encoded.substr(props[i].value_at, props[i].value_size));
  }
  if (!cluster_written) write(property::kCluster, cluster);
  return true;
}

}  // namespace rmq::internal
