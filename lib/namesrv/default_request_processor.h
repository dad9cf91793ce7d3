// Copyright 2026 The rmq Authors. Licensed under the Apache License, Version 2.0.
//
// The name server's RequestHandler (RocketMQ's DefaultRequestProcessor): it
// decodes each request, asks the RouteInfoManager and answers at once.
//
//   REGISTER_BROKER                     RegisterBrokerRequestHeader + RegisterBrokerBody
//   UNREGISTER_BROKER                   UnRegisterBrokerRequestHeader
//   GET_ROUTEINFO_BY_TOPIC              → TopicRouteData, or TOPIC_NOT_EXIST
//   GET_BROKER_CLUSTER_INFO             → ClusterInfo
//   GET_ALL_TOPIC_LIST_FROM_NAMESERVER  → TopicList
//   DELETE_TOPIC_IN_NAMESRV             DeleteTopicFromNamesrvRequestHeader
//
// Any other code gets REQUEST_CODE_NOT_SUPPORTED. A request whose header or
// body cannot be decoded gets INVALID_PARAMETER with a remark saying what was
// wrong; a body whose CRC does not match its header gets SYSTEM_ERROR, as in
// RocketMQ. The KV config requests (PUT_KV_CONFIG, ORDER_TOPIC_CONFIG) are not
// kept, so routes never carry an orderTopicConf.

#ifndef RMQ_NAMESRV_DEFAULT_REQUEST_PROCESSOR_H_
#define RMQ_NAMESRV_DEFAULT_REQUEST_PROCESSOR_H_

#include <memory>

#include "namesrv/route_info_manager.h"
#include "remoting/transport.h"

namespace rmq::internal {

class DefaultRequestProcessor final : public RequestHandler {
 public:
  // `routes` is not owned and must outlive this processor.
  explicit DefaultRequestProcessor(RouteInfoManager* routes) : routes_(routes) {}

  void HandleRequest(const std::shared_ptr<Channel>& channel, RemotingCommand&& request,
                     Responder responder) override;
  // A broker's connection has closed: forget that broker now rather than
  // after the expiry (RocketMQ's onChannelDestroy).
  void OnChannelClosed(const std::shared_ptr<Channel>& channel) override;

 private:
  RemotingCommand Process(const std::shared_ptr<Channel>& channel, RemotingCommand& request);
  RemotingCommand RegisterBroker(const std::shared_ptr<Channel>& channel,
                                 RemotingCommand& request);
  RemotingCommand UnregisterBroker(RemotingCommand& request);
  RemotingCommand GetRouteInfoByTopic(RemotingCommand& request);
  RemotingCommand GetBrokerClusterInfo();
  RemotingCommand GetAllTopicList();
  RemotingCommand DeleteTopic(RemotingCommand& request);

  RouteInfoManager* const routes_;
};

}  // namespace rmq::internal

#endif  // RMQ_NAMESRV_DEFAULT_REQUEST_PROCESSOR_H_
