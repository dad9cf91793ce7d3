// Copyright 2026 The rmq Authors. Licensed under the Apache License, Version 2.0.

#include "namesrv/default_request_processor.h"

#include <string>
#include <string_view>
#include <utility>

#include "common/crc32.h"
#include "common/str_cat.h"
#include "remoting/protocol_bodies.h"
#include "remoting/protocol_headers.h"
#include "remoting/request_code.h"
#include "spdlog/spdlog.h"

namespace rmq::internal {
namespace {

RemotingCommand Success(std::unique_ptr<CommandHeader> header = nullptr) {
  return RemotingCommand::Response(response_code::kSuccess, {}, std::move(header));
}

RemotingCommand JsonResponse(std::string json) {
  RemotingCommand response = Success();
  response.body = Payload(std::move(json));
  return response;
}

RemotingCommand InvalidRequest(const RemotingCommand& request, std::string_view why) {
  return RemotingCommand::Response(response_code::kInvalidParameter,
                                   StrCat(RequestCodeName(request.code), ": ", why));
}

// The request header as H. A request made in this process may carry a typed
// header of another type with the same fields (DeleteTopicRequestHeader for
// DELETE_TOPIC_IN_NAMESRV): its fields are read through their wire names.
template <typename H>
absl::StatusOr<H*> DecodeRequestHeader(RemotingCommand& request) {
  if (request.header != nullptr && dynamic_cast<H*>(request.header.get()) == nullptr) {
    request.EncodeHeaderFields();
    request.header.reset();
  }
  return request.DecodeHeader<H>();
}

}  // namespace

void DefaultRequestProcessor::HandleRequest(const std::shared_ptr<Channel>& channel,
                                            RemotingCommand&& request, Responder responder) {
  responder.Respond(Process(channel, request));
}

void DefaultRequestProcessor::OnChannelClosed(const std::shared_ptr<Channel>& channel) {
  routes_->OnChannelClosed(channel);
}

RemotingCommand DefaultRequestProcessor::Process(const std::shared_ptr<Channel>& channel,
                                                 RemotingCommand& request) {
  switch (request.code) {
    case request_code::kRegisterBroker:
      return RegisterBroker(channel, request);
    case request_code::kUnregisterBroker:
      return UnregisterBroker(request);
    case request_code::kGetRouteInfoByTopic:
      return GetRouteInfoByTopic(request);
    case request_code::kGetBrokerClusterInfo:
      return GetBrokerClusterInfo();
    case request_code::kGetAllTopicListFromNameServer:
      return GetAllTopicList();
    case request_code::kDeleteTopicInNamesrv:
      return DeleteTopic(request);
    default:
      return RemotingCommand::Response(
          response_code::kRequestCodeNotSupported,
          StrCat("request code ", request.code, " (", RequestCodeName(request.code),
                 ") is not supported by the name server"));
  }
}

RemotingCommand DefaultRequestProcessor::RegisterBroker(const std::shared_ptr<Channel>& channel,
                                                        RemotingCommand& request) {
  auto header = DecodeRequestHeader<RegisterBrokerRequestHeader>(request);
  if (!header.ok()) return InvalidRequest(request, StdView(header.status().message()));
  const RegisterBrokerRequestHeader& h = **header;
  if (h.broker_addr.empty() || h.broker_name.empty() || h.cluster_name.empty()) {
    return InvalidRequest(request, StrCat("brokerAddr '", h.broker_addr, "', brokerName '",
                                          h.broker_name, "' and clusterName '", h.cluster_name,
                                          "' must all be non-empty"));
  }
  if (h.broker_id < 0) {
    return InvalidRequest(request, StrCat("broker ", h.broker_addr, " has a negative brokerId ",
                                          h.broker_id));
  }

  const std::string body = request.body.ToString();
  // Brokers send the CRC of the body they encoded; 0 means none (old brokers).
  if (h.body_crc32 != 0) {
    const int32_t crc = Crc32(body);
    if (crc != h.body_crc32) {
      spdlog::warn("namesrv: REGISTER_BROKER from {}: body crc32 {} but header bodyCrc32 {}",
                   h.broker_addr, crc, h.body_crc32);
      return RemotingCommand::Response(
          response_code::kSystemError,
          StrCat("crc32 not match: REGISTER_BROKER from ", h.broker_addr, " says bodyCrc32 ",
                 h.body_crc32, " but its ", body.size(), "-byte body has ", crc));
    }
  }
  if (h.compressed.value_or(false)) {
    return InvalidRequest(request,
                          StrCat("broker ", h.broker_addr,
                                 " sent a compressed body; this name server does not support "
                                 "compressed bodies: set compressedRegister=false on the broker"));
  }

  RegisterBrokerBody register_body;  // No body: no topics, DataVersion 0/0 (as RocketMQ).
  if (!body.empty()) {
    auto decoded = FromJson<RegisterBrokerBody>(body, "RegisterBrokerBody");
    if (!decoded.ok()) {
      return InvalidRequest(request, StrCat("broker ", h.broker_addr, ": ",
                                            StdView(decoded.status().message())));
    }
    register_body = std::move(*decoded);
  }

  RegisterBrokerResult result = routes_->RegisterBroker(
      h.cluster_name, h.broker_addr, h.broker_name, h.broker_id, h.ha_server_addr,
      register_body.topic_config_serialize_wrapper, channel);

  auto response_header = std::make_unique<RegisterBrokerResponseHeader>();
  if (!result.ha_server_addr.empty()) response_header->ha_server_addr = result.ha_server_addr;
  if (!result.master_addr.empty()) response_header->master_addr = result.master_addr;
  return Success(std::move(response_header));
}

RemotingCommand DefaultRequestProcessor::UnregisterBroker(RemotingCommand& request) {
  auto header = DecodeRequestHeader<UnregisterBrokerRequestHeader>(request);
  if (!header.ok()) return InvalidRequest(request, StdView(header.status().message()));
  const UnregisterBrokerRequestHeader& h = **header;
  routes_->UnregisterBroker(h.cluster_name, h.broker_addr, h.broker_name, h.broker_id);
  return Success();
}

RemotingCommand DefaultRequestProcessor::GetRouteInfoByTopic(RemotingCommand& request) {
  auto header = DecodeRequestHeader<GetRouteInfoRequestHeader>(request);
  if (!header.ok()) return InvalidRequest(request, StdView(header.status().message()));
  const std::string& topic = (*header)->topic;
  auto route = routes_->PickupTopicRouteData(topic);
  if (!route.ok()) {
    // Clients match this code (and RocketMQ's remark) to tell "no such topic"
    // from a failure.
    return RemotingCommand::Response(
        response_code::kTopicNotExist,
        StrCat("No topic route info in name server for the topic: ", topic));
  }
  return JsonResponse(ToJson(*route));
}

RemotingCommand DefaultRequestProcessor::GetBrokerClusterInfo() {
  return JsonResponse(ToJson(routes_->GetAllClusterInfo()));
}

RemotingCommand DefaultRequestProcessor::GetAllTopicList() {
  return JsonResponse(ToJson(routes_->GetAllTopicList()));
}

RemotingCommand DefaultRequestProcessor::DeleteTopic(RemotingCommand& request) {
  auto header = DecodeRequestHeader<DeleteTopicFromNamesrvRequestHeader>(request);
  if (!header.ok()) return InvalidRequest(request, StdView(header.status().message()));
  const DeleteTopicFromNamesrvRequestHeader& h = **header;
  if (h.cluster_name.has_value() && !h.cluster_name->empty()) {
    routes_->DeleteTopic(h.topic, *h.cluster_name);
  } else {
    routes_->DeleteTopic(h.topic);
  }
  return Success();
}

}  // namespace rmq::internal
