// Copyright 2026 The rmq Authors. Licensed under the Apache License, Version 2.0.

#include "broker/broker_config.h"

#include <algorithm>
#include <charconv>

#include "absl/strings/str_split.h"
#include "common/config_file.h"
#include "common/status_macros.h"
#include "common/host_port.h"
#include "common/str_cat.h"
#include "remoting/inproc_transport.h"
#include "store/store_config.h"

namespace rmq {
namespace {

// Which of the address keys a file set: they decide broker_addr and the store host.
struct AddressKeys {
  bool broker_addr = false;
  bool broker_ip1 = false;
  bool listen_port = false;
};

void BindBrokerConfig(internal::ConfigBinder* b, BrokerConfig* c, AddressKeys* seen) {
  b->Bind("brokerClusterName", &c->broker_cluster_name);
  b->Bind("brokerName", &c->broker_name);
  b->Bind("brokerId", &c->broker_id);
  b->Bind("brokerAddr", [c, seen](std::string_view v) {
    c->broker_addr.assign(v);
    seen->broker_addr = true;
    return std::string();
  });
  b->Bind("brokerIP1", [c, seen](std::string_view v) {
    c->broker_ip1.assign(v);
    seen->broker_ip1 = true;
    return std::string();
  });
  b->Bind("listenPort", [c, seen](std::string_view v) -> std::string {
    int32_t port = 0;
    auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), port);
    if (ec != std::errc() || end != v.data() + v.size() || port <= 0 || port > 65535) {
      return "expected a TCP port 1..65535";
    }
    c->listen_port = port;
    seen->listen_port = true;
    return "";
  });
  b->Bind("namesrvAddr", &c->namesrv_addr);
  b->Bind("autoCreateTopicEnable", &c->auto_create_topic_enable);
  b->Bind("defaultTopicQueueNums", &c->default_topic_queue_nums);
  b->Bind("autoCreateSubscriptionGroup", &c->auto_create_subscription_group);
  b->Bind("brokerPermission", &c->broker_permission);
  b->Bind("longPollingEnable", &c->long_polling_enable);
  b->Bind("shortPollingTimeMills", &c->short_polling_time_mills);
  b->Bind("registerNameServerPeriod", &c->register_name_server_period);
  b->Bind("flushConsumerOffsetInterval", &c->flush_consumer_offset_interval);
  b->Bind("channelExpiredTimeout", &c->channel_expired_timeout);
  b->Bind("maxMsgsNumBatch", &c->max_msgs_num_batch);
  b->Bind("enablePropertyFilter", &c->enable_property_filter);
  b->Bind("rocketmq.broker.rebalance.lockMaxLiveTime", &c->rebalance_lock_max_live_time);
  b->Bind("traceTopicEnable", &c->trace_topic_enable);
  b->Bind("msgTraceTopicName", &c->msg_trace_topic_name);
  b->Bind("transactionTimeOut", &c->transaction_timeout);
  b->Bind("transactionCheckMax", &c->transaction_check_max);
  b->Bind("transactionCheckInterval", &c->transaction_check_interval);
  b->Bind("rejectTransactionMessage", &c->reject_transaction_message);
  b->Bind("brokerRole", [c](std::string_view v) -> std::string {
    if (v == "ASYNC_MASTER") {
      c->broker_role = BrokerRole::kAsyncMaster;
    } else if (v == "SYNC_MASTER") {
      c->broker_role = BrokerRole::kSyncMaster;
    } else if (v == "SLAVE") {
      return "rmq has no master/slave replication yet, so a broker cannot be a SLAVE; "
             "use ASYNC_MASTER or SYNC_MASTER";
    } else {
      return "expected ASYNC_MASTER, SYNC_MASTER or SLAVE";
    }
    return "";
  });
  internal::BindMessageStoreConfig(b, &c->store);
}

absl::Status Positive(std::string_view key, int64_t value) {
  if (value > 0) return absl::OkStatus();
  return absl::InvalidArgumentError(internal::StrCat(key, " must be positive, not ", value));
}

// "host:port" with a non-empty host and a port 1..65535.
bool IsHostPort(std::string_view address) {
  size_t colon = address.rfind(':');
  if (colon == std::string_view::npos || colon == 0) return false;
  std::string_view port_text = address.substr(colon + 1);
  int port = 0;
  auto [end, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
  return ec == std::errc() && end == port_text.data() + port_text.size() && port > 0 &&
         port <= 65535;
}

}  // namespace

absl::Status LoadBrokerConfig(const std::string& path, BrokerConfig* config) {
  internal::ConfigBinder binder;
  AddressKeys seen;
  BindBrokerConfig(&binder, config, &seen);
  absl::StatusOr<std::vector<internal::ConfigEntry>> entries = internal::ReadConfigFile(path);
  if (!entries.ok()) return entries.status();
  RMQ_RETURN_IF_ERROR(binder.Apply(*entries, path));
  if (seen.broker_ip1 || seen.listen_port) {
    // As RocketMQ: the broker is reached at brokerIP1:listenPort, and that is
    // the store host of every message it stores.
    std::string ip = config->broker_ip1.empty() ? "127.0.0.1" : config->broker_ip1;
    std::string address = internal::JoinHostPort(ip, static_cast<uint32_t>(config->listen_port));
    if (!HostAddress::Parse(address)) {
      return internal::AtConfigLine(
          absl::InvalidArgumentError(internal::StrCat(
              "brokerIP1 '", config->broker_ip1, "' is not an IPv4 or IPv6 address")),
          *entries, path);
    }
    config->store.store_host = address;
    if (!seen.broker_addr) config->broker_addr = address;
  }
  // The address may still be given by the program (e.g. from the port it
  // listens on), so only a malformed one is an error here.
  return internal::AtConfigLine(
      internal::ValidateBrokerConfig(*config, /*require_address=*/false), *entries, path);
}

namespace internal {

std::string_view BrokerRoleName(BrokerRole role) {
  switch (role) {
    case BrokerRole::kAsyncMaster: return "ASYNC_MASTER";
    case BrokerRole::kSyncMaster: return "SYNC_MASTER";
    case BrokerRole::kSlave: return "SLAVE";
  }
  return "UNKNOWN";
}

std::vector<std::string> SplitNameServerAddresses(std::string_view namesrv_addr) {
  std::vector<std::string> out;
  for (absl::string_view part : absl::StrSplit(AbslView(namesrv_addr), ';', absl::SkipWhitespace())) {
    std::string_view trimmed = StdView(part);
    while (!trimmed.empty() && trimmed.front() == ' ') trimmed.remove_prefix(1);
    while (!trimmed.empty() && trimmed.back() == ' ') trimmed.remove_suffix(1);
    out.emplace_back(trimmed);
  }
  return out;
}

int64_t EffectiveRegisterPeriodMillis(const BrokerConfig& config) {
  return std::clamp<int64_t>(config.register_name_server_period, 10000, 60000);
}

namespace {

// Everything but the broker's own address.
absl::Status ValidateSettings(const BrokerConfig& c) {
  if (c.broker_name.empty()) {
    return absl::InvalidArgumentError("brokerName is empty: every broker needs a name");
  }
  if (c.broker_cluster_name.empty()) {
    return absl::InvalidArgumentError("brokerClusterName is empty");
  }
  if (c.broker_role == BrokerRole::kSlave) {
    return absl::InvalidArgumentError(
        "brokerRole SLAVE: rmq has no master/slave replication yet; use ASYNC_MASTER or "
        "SYNC_MASTER");
  }
  if (c.broker_id != 0) {
    return absl::InvalidArgumentError(StrCat("brokerId ", c.broker_id, " with brokerRole ",
                                             BrokerRoleName(c.broker_role),
                                             ": a master's brokerId is 0"));
  }
  for (const std::string& addr : SplitNameServerAddresses(c.namesrv_addr)) {
    if (!IsInprocAddress(addr) && !IsHostPort(addr)) {
      return absl::InvalidArgumentError(StrCat("namesrvAddr '", c.namesrv_addr, "': '", addr,
                                               "' is neither inproc://NAME nor host:port"));
    }
  }
  RMQ_RETURN_IF_ERROR(Positive("defaultTopicQueueNums", c.default_topic_queue_nums));
  if (c.broker_permission < 0 || c.broker_permission > 7) {
    return absl::InvalidArgumentError(StrCat("brokerPermission ", c.broker_permission,
                                             " is not a permission (4 read | 2 write | 1 inherit)"));
  }
  RMQ_RETURN_IF_ERROR(Positive("shortPollingTimeMills", c.short_polling_time_mills));
  RMQ_RETURN_IF_ERROR(Positive("registerNameServerPeriod", c.register_name_server_period));
  RMQ_RETURN_IF_ERROR(Positive("flushConsumerOffsetInterval", c.flush_consumer_offset_interval));
  RMQ_RETURN_IF_ERROR(Positive("channelExpiredTimeout", c.channel_expired_timeout));
  RMQ_RETURN_IF_ERROR(Positive("maxMsgsNumBatch", c.max_msgs_num_batch));
  RMQ_RETURN_IF_ERROR(Positive("transactionTimeOut", c.transaction_timeout));
  RMQ_RETURN_IF_ERROR(Positive("transactionCheckMax", c.transaction_check_max));
  RMQ_RETURN_IF_ERROR(Positive("transactionCheckInterval", c.transaction_check_interval));
  RMQ_RETURN_IF_ERROR(
      Positive("rocketmq.broker.rebalance.lockMaxLiveTime", c.rebalance_lock_max_live_time));
  if (c.trace_topic_enable && c.msg_trace_topic_name.empty()) {
    return absl::InvalidArgumentError("traceTopicEnable is true but msgTraceTopicName is empty");
  }
  return ValidateMessageStoreConfig(c.store);
}

}  // namespace

absl::Status ValidateBrokerConfig(const BrokerConfig& c, bool require_address) {
  if (c.broker_addr.empty()) {
    if (require_address) {
      return absl::InvalidArgumentError(
          "broker address is empty: set broker_addr to inproc://NAME or host:port (in "
          "broker.conf: brokerAddr, or brokerIP1 and listenPort)");
    }
  } else if (IsInprocAddress(c.broker_addr)) {
    if (c.broker_addr.size() == kInprocScheme.size()) {
      return absl::InvalidArgumentError(
          StrCat("broker address '", c.broker_addr, "' has no name after inproc://"));
    }
  } else if (!IsHostPort(c.broker_addr)) {
    return absl::InvalidArgumentError(StrCat("broker address '", c.broker_addr,
                                             "' is neither inproc://NAME nor host:port"));
  }
  return ValidateSettings(c);
}

}  // namespace internal
}  // namespace rmq
