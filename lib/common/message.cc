// Copyright 2026 The rmq Authors. Licensed under the Apache License, Version 2.0.

#include "rmq/message.h"

#include <arpa/inet.h>

#include <algorithm>
#include <charconv>
#include <cstring>
#include <stdexcept>
#include <string>
#include <utility>

#include "common/msg_id.h"
#include "common/properties_codec.h"
#include "fmt/format.h"

namespace rmq {

Message::Message(std::string topic, std::string body)
    : topic_(std::move(topic)), body_(std::move(body)) {}

// As in RocketMQ, empty tags or keys leave the property unset rather than
// storing an empty value.
Message::Message(std::string topic, std::string tags, std::string body)
    : Message(std::move(topic), std::move(body)) {
  if (!tags.empty()) set_tags(std::move(tags));
}

Message::Message(std::string topic, std::string tags, std::string keys, std::string body)
    : Message(std::move(topic), std::move(tags), std::move(body)) {
  if (!keys.empty()) set_keys(std::move(keys));
}

int Message::delay_time_level() const {
  std::string_view text = GetProperty(property::kDelayTimeLevel);
  int level = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), level);
  // A value another client wrote that is not a plain integer means "no delay"
  // rather than an error: the message can still be delivered.
  if (ec != std::errc() || end != text.data() + text.size()) return 0;
  return level;
}

void Message::set_delay_time_level(int level) {
  PutProperty(property::kDelayTimeLevel, std::to_string(level));
}

// Java's Boolean.parseBoolean semantics on a present value (only "true", in
// any case, is true) so that rmq and RocketMQ read the same property the same
// way; an absent property means the default, true.
bool Message::wait_store_msg_ok() const {
  auto it = properties_.find(property::kWaitStoreMsgOk);
  return it == properties_.end() || internal::ParseJavaBoolean(it->second);
}

void Message::set_wait_store_msg_ok(bool wait) {
  PutProperty(property::kWaitStoreMsgOk, wait ? "true" : "false");
}

MessageProperties::MessageProperties(std::initializer_list<value_type> items) {
  items_.reserve(items.size());
  for (const auto& [name, value] : items) insert_or_assign(name, value);
}

MessageProperties::iterator MessageProperties::LowerBound(std::string_view name) {
  return std::lower_bound(items_.begin(), items_.end(), name,
                          [](const value_type& item, std::string_view n) { return item.first < n; });
}

MessageProperties::iterator MessageProperties::find(std::string_view name) {
  // A message has a handful of properties, mostly of different lengths: a
  // scan that compares lengths first touches the bytes of about one name,
  // where a binary search compares bytes at every step.
  constexpr size_t kScanAtMost = 16;
  if (items_.size() <= kScanAtMost) {
    return std::find_if(items_.begin(), items_.end(), [name](const value_type& item) {
      return item.first.size() == name.size() && item.first == name;
    });
  }
  auto it = LowerBound(name);
  return it != items_.end() && it->first == name ? it : items_.end();
}

MessageProperties::const_iterator MessageProperties::find(std::string_view name) const {
  return const_cast<MessageProperties*>(this)->find(name);
}

const std::string& MessageProperties::at(std::string_view name) const {
  auto it = find(name);
  if (it == end()) throw std::out_of_range(fmt::format("message property '{}' is not set", name));
  return it->second;
}

std::pair<MessageProperties::iterator, bool> MessageProperties::emplace(std::string_view name,
                                                                        std::string value) {
  auto it = LowerBound(name);
  if (it != items_.end() && it->first == name) return {it, false};
  return {items_.emplace(it, std::string(name), std::move(value)), true};
}

std::pair<MessageProperties::iterator, bool> MessageProperties::insert_or_assign(
    std::string_view name, std::string value) {
  auto [it, added] = emplace(name, std::string());
  it->second = std::move(value);
  return {it, added};
}

size_t MessageProperties::erase(std::string_view name) {
  auto it = find(name);
  if (it == items_.end()) return 0;
  items_.erase(it);
  return 1;
}

std::string_view Message::GetProperty(std::string_view name) const {
  auto it = properties_.find(name);
  if (it == properties_.end()) return {};
  return it->second;
}

bool Message::HasProperty(std::string_view name) const { return properties_.contains(name); }

void Message::PutProperty(std::string_view name, std::string value) {
  properties_.insert_or_assign(name, std::move(value));
}

void Message::ClearProperty(std::string_view name) { properties_.erase(name); }

std::string HostAddress::ToString() const {
  if (!ipv6) return fmt::format("{}.{}.{}.{}:{}", ip[0], ip[1], ip[2], ip[3], port);
  char text[INET6_ADDRSTRLEN];
  if (inet_ntop(AF_INET6, ip.data(), text, sizeof(text)) == nullptr) {
    // Cannot happen for a 16-byte address and a large enough buffer.
    return fmt::format("[?]:{}", port);
  }
  return fmt::format("[{}]:{}", text, port);
}

std::optional<HostAddress> HostAddress::Parse(std::string_view text) {
  size_t colon = text.rfind(':');
  if (colon == std::string_view::npos) return std::nullopt;
  std::string_view host = text.substr(0, colon);
  std::string_view port_text = text.substr(colon + 1);

  HostAddress addr;
  int32_t port = 0;
  auto [end, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
  if (port_text.empty() || ec != std::errc() || end != port_text.data() + port_text.size() ||
      port < 0 || port > 65535) {
    return std::nullopt;
  }
  addr.port = port;

  // inet_pton wants a NUL-terminated string; addresses are short.
  char buf[INET6_ADDRSTRLEN + 1];
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
    if (host.size() >= sizeof(buf)) return std::nullopt;
    std::memcpy(buf, host.data(), host.size());
    buf[host.size()] = '\0';
    if (inet_pton(AF_INET6, buf, addr.ip.data()) != 1) return std::nullopt;
    addr.ipv6 = true;
    return addr;
  }
  if (host.size() >= sizeof(buf)) return std::nullopt;
  std::memcpy(buf, host.data(), host.size());
  buf[host.size()] = '\0';
  if (inet_pton(AF_INET, buf, addr.ip.data()) != 1) return std::nullopt;
  return addr;
}

HostAddress HostAddress::Ipv4(uint8_t a, uint8_t b, uint8_t c, uint8_t d, int32_t port) {
  HostAddress addr;
  addr.ip[0] = a;
  addr.ip[1] = b;
  addr.ip[2] = c;
  addr.ip[3] = d;
  addr.port = port;
  return addr;
}

std::string MessageExt::OffsetMsgId() const {
  return internal::CreateOffsetMsgId(store_host, commit_log_offset);
}

}  // namespace rmq
