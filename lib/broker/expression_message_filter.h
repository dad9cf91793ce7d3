// Copyright 2026 The rmq Authors. Licensed under the Apache License, Version 2.0.
//
// The store's MessageFilter for a SQL92 subscription (RocketMQ's
// ExpressionMessageFilter, without the consume queue bit maps RocketMQ can
// build with enableCalcFilterBitMap): every consume queue unit passes its
// tagsCode check, and the stored record's properties decide
// (isMatchedByCommitLog). The properties are read in place from the record
// the store already holds (EncodedPropertySource): nothing is decoded into a
// message, the body is never touched and nothing is allocated per message.
//
// A record that does not parse, and an evaluation that is not TRUE (FALSE,
// null for a missing property, or a failed conversion), do not match. The
// store skips what does not match as it skips other tags: the pull's next
// offset moves past it (NO_MATCHED_MESSAGE when nothing matched).

#ifndef RMQ_BROKER_EXPRESSION_MESSAGE_FILTER_H_
#define RMQ_BROKER_EXPRESSION_MESSAGE_FILTER_H_

#include <memory>

#include "broker/consumer_filter_manager.h"
#include "rmq/store.h"

namespace rmq::internal {

// A filter evaluating `filter`'s compiled expression (which must have
// compiled) on each record; it keeps `filter` alive.
std::unique_ptr<MessageFilter> NewSqlMessageFilter(std::shared_ptr<const ConsumerFilter> filter);

}  // namespace rmq::internal

#endif  // RMQ_BROKER_EXPRESSION_MESSAGE_FILTER_H_
