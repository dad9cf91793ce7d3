// Copyright 2026 The rmq Authors. Licensed under the Apache License, Version 2.0.
//
// RocketMQ 4.x remoting request and response codes (RequestCode.java,
// ResponseCode.java): the numbers on the wire. Only the codes rmq implements
// or answers are listed; docs/protocol.md lists them with their headers.

#ifndef RMQ_REMOTING_REQUEST_CODE_H_
#define RMQ_REMOTING_REQUEST_CODE_H_

#include <cstdint>
#include <string>

namespace rmq::internal {

namespace request_code {
inline constexpr int32_t kSendMessage = 10;
inline constexpr int32_t kPullMessage = 11;
inline constexpr int32_t kQueryMessage = 12;
inline constexpr int32_t kQueryConsumerOffset = 14;
inline constexpr int32_t kUpdateConsumerOffset = 15;
inline constexpr int32_t kUpdateAndCreateTopic = 17;
inline constexpr int32_t kGetAllTopicConfig = 21;
inline constexpr int32_t kGetBrokerRuntimeInfo = 28;
inline constexpr int32_t kSearchOffsetByTimestamp = 29;
inline constexpr int32_t kGetMaxOffset = 30;
inline constexpr int32_t kGetMinOffset = 31;
inline constexpr int32_t kGetEarliestMsgStoreTime = 32;
inline constexpr int32_t kViewMessageById = 33;
inline constexpr int32_t kHeartBeat = 34;
inline constexpr int32_t kUnregisterClient = 35;
inline constexpr int32_t kConsumerSendMsgBack = 36;
inline constexpr int32_t kEndTransaction = 37;
inline constexpr int32_t kGetConsumerListByGroup = 38;
inline constexpr int32_t kCheckTransactionState = 39;
inline constexpr int32_t kNotifyConsumerIdsChanged = 40;
inline constexpr int32_t kLockBatchMq = 41;
inline constexpr int32_t kUnlockBatchMq = 42;
inline constexpr int32_t kGetAllConsumerOffset = 43;
inline constexpr int32_t kGetAllDelayOffset = 45;
inline constexpr int32_t kCheckClientConfig = 46;
inline constexpr int32_t kRegisterBroker = 103;
inline constexpr int32_t kUnregisterBroker = 104;
inline constexpr int32_t kGetRouteInfoByTopic = 105;
inline constexpr int32_t kGetBrokerClusterInfo = 106;
inline constexpr int32_t kUpdateAndCreateSubscriptionGroup = 200;
inline constexpr int32_t kGetAllSubscriptionGroupConfig = 201;
inline constexpr int32_t kGetTopicStatsInfo = 202;
inline constexpr int32_t kGetConsumerConnectionList = 203;
inline constexpr int32_t kGetAllTopicListFromNameServer = 206;
inline constexpr int32_t kDeleteSubscriptionGroup = 207;
inline constexpr int32_t kGetConsumeStats = 208;
inline constexpr int32_t kDeleteTopicInBroker = 215;
inline constexpr int32_t kDeleteTopicInNamesrv = 216;
inline constexpr int32_t kResetConsumerClientOffset = 220;
inline constexpr int32_t kInvokeBrokerToResetOffset = 222;
inline constexpr int32_t kGetConsumerRunningInfo = 307;
inline constexpr int32_t kSendMessageV2 = 310;
inline constexpr int32_t kSendBatchMessage = 320;
}  // namespace request_code

namespace response_code {
inline constexpr int32_t kSuccess = 0;
inline constexpr int32_t kSystemError = 1;
inline constexpr int32_t kSystemBusy = 2;
inline constexpr int32_t kRequestCodeNotSupported = 3;
inline constexpr int32_t kFlushDiskTimeout = 10;
inline constexpr int32_t kSlaveNotAvailable = 11;
inline constexpr int32_t kFlushSlaveTimeout = 12;
inline constexpr int32_t kMessageIllegal = 13;
inline constexpr int32_t kServiceNotAvailable = 14;
inline constexpr int32_t kVersionNotSupported = 15;
inline constexpr int32_t kNoPermission = 16;
inline constexpr int32_t kTopicNotExist = 17;
inline constexpr int32_t kTopicExistAlready = 18;
inline constexpr int32_t kPullNotFound = 19;
inline constexpr int32_t kPullRetryImmediately = 20;
inline constexpr int32_t kPullOffsetMoved = 21;
inline constexpr int32_t kQueryNotFound = 22;
inline constexpr int32_t kSubscriptionParseFailed = 23;
inline constexpr int32_t kSubscriptionNotExist = 24;
inline constexpr int32_t kSubscriptionNotLatest = 25;
inline constexpr int32_t kSubscriptionGroupNotExist = 26;
inline constexpr int32_t kInvalidParameter = 29;
inline constexpr int32_t kTransactionShouldCommit = 200;
inline constexpr int32_t kTransactionShouldRollback = 201;
inline constexpr int32_t kTransactionStateUnknow = 202;
inline constexpr int32_t kConsumerNotOnline = 206;
inline constexpr int32_t kConsumeMsgTimeout = 207;
}  // namespace response_code

// "SEND_MESSAGE", "PULL_MESSAGE", … for logs; the number for unlisted codes.
std::string RequestCodeName(int32_t code);

}  // namespace rmq::internal

#endif  // RMQ_REMOTING_REQUEST_CODE_H_
