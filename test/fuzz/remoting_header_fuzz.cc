// Copyright 2026 The rmq Authors. Licensed under the Apache License, Version 2.0.
//
// Header decoding on arbitrary ext fields: a remoting frame's extFields come
// straight from the peer, so every typed header's Decode must take any
// name/value strings without crashing. The input is "name=value" lines. A
// header that decodes must re-encode to fields it was given (no invented
// names, strings unchanged), and decode again to the same encoding.

#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <tuple>

#include "remoting/header_codec.h"
#include "remoting/protocol_headers.h"
#include "remoting/remoting_command.h"

using namespace rmq::internal;

namespace {

using AllHeaders =
    std::tuple<SendMessageRequestHeader, SendMessageResponseHeader, PullMessageRequestHeader,
               PullMessageResponseHeader, QueryConsumerOffsetRequestHeader, OffsetResponseHeader,
               UpdateConsumerOffsetRequestHeader, QueueRequestHeader, SearchOffsetRequestHeader,
               GetEarliestMsgStoretimeResponseHeader, GetConsumerListByGroupRequestHeader,
               UnregisterClientRequestHeader, ConsumerSendMsgBackRequestHeader,
               ViewMessageRequestHeader, QueryMessageRequestHeader, QueryMessageResponseHeader,
               NotifyConsumerIdsChangedRequestHeader, CreateTopicRequestHeader,
               DeleteTopicRequestHeader, GetRouteInfoRequestHeader, RegisterBrokerRequestHeader,
               RegisterBrokerResponseHeader, UnregisterBrokerRequestHeader,
               DeleteTopicFromNamesrvRequestHeader, SendMessageRequestHeaderV2,
               GetTopicStatsInfoRequestHeader, GetConsumeStatsRequestHeader,
               GetConsumerConnectionListRequestHeader, ResetOffsetRequestHeader,
               DeleteSubscriptionGroupRequestHeader, GetConsumerRunningInfoRequestHeader,
               EndTransactionRequestHeader, CheckTransactionStateRequestHeader>;

// "k=v" per line; a line without '=' is a name with an empty value; the last
// occurrence of a name wins (as a JSON object's would).
ExtFields ParseLines(std::string_view in) {
  ExtFields fields;
  while (!in.empty()) {
    size_t end = in.find('\n');
    std::string_view line = in.substr(0, end);
    in = end == std::string_view::npos ? std::string_view() : in.substr(end + 1);
    size_t eq = line.find('=');
    if (eq == std::string_view::npos) {
      fields.insert_or_assign(std::string(line), std::string());
    } else {
      fields.insert_or_assign(std::string(line.substr(0, eq)), std::string(line.substr(eq + 1)));
    }
  }
  return fields;
}

template <typename H>
void Check(const ExtFields& fields) {
  absl::StatusOr<H> decoded = H::Decode(fields);
  if (!decoded.ok()) {
    if (decoded.status().code() != absl::StatusCode::kInvalidArgument) std::abort();
    if (decoded.status().message().find(std::string(H::kName)) != 0) std::abort();
  } else {
    ExtFields encoded;
    decoded->Encode(&encoded);
    for (const auto& [name, value] : encoded) {
      auto it = fields.find(name);
      if (it == fields.end()) std::abort();  // a field that was not sent
    }
    absl::StatusOr<H> again = H::Decode(encoded);
    if (!again.ok()) std::abort();
    ExtFields encoded_again;
    again->Encode(&encoded_again);
    if (encoded_again != encoded) std::abort();
  }

  // The same through a command, as a server decodes a request off the wire.
  RemotingCommand command;
  command.ext_fields = fields;
  absl::StatusOr<H*> typed = command.DecodeHeader<H>();
  if (typed.ok() != decoded.ok()) std::abort();
  if (typed.ok()) {
    command.EncodeHeaderFields();
    if (command.ext_fields.size() < fields.size()) std::abort();
  }
}

template <typename... H>
void CheckAll(const ExtFields& fields, std::tuple<H...>*) {
  (Check<H>(fields), ...);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string copy(reinterpret_cast<const char*>(data), size);
  const ExtFields fields = ParseLines(copy);
  CheckAll(fields, static_cast<AllHeaders*>(nullptr));
  return 0;
}
