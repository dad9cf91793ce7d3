// Copyright 2026 The rmq Authors. Licensed under the Apache License, Version 2.0.
//
// Fills the MessageExt the store is handed for a send. A producer thread
// reuses one MessageExt (per thread) from send to send, overwriting its
// strings and property values in place, so that a steady stream of sends with
// the same property names allocates nothing here once warm.

#ifndef RMQ_BROKER_MESSAGE_BUILDER_H_
#define RMQ_BROKER_MESSAGE_BUILDER_H_

#include <string_view>

#include "absl/status/status.h"
#include "common/properties_codec.h"
#include "rmq/message.h"

namespace rmq::internal {

// This thread's MessageExt for a send, with its numeric fields reset; the
// caller sets the topic, body, flag and properties it needs (every send sets
// all of them). Valid until the next call on this thread.
MessageExt& ThreadMessage();

void AssignTopic(MessageExt& msg, std::string_view topic);
void AssignBody(MessageExt& msg, std::string_view body);

// Makes `props` hold exactly the properties of `encoded` (properties_codec.h
// format, a repeated name keeping its last value), reusing the entries of
// names it already holds; an entry named `keep` is left for the caller to
// overwrite. On a malformed encoding returns the error DecodeProperties
// gives and leaves `props` empty.
absl::Status AssignProperties(std::string_view encoded, Message::Properties* props,
                              std::string_view keep = {});

// What RewriteSendProperties read on the way.
struct SendPropertyFlags {
  bool wait_store_msg_ok = true;     // WAIT (absent: true)
  bool transaction_prepared = false; // TRAN_MSG
  bool may_park = false;             // DELAY kept, or a TIMER_ property (EncodedMessage::may_park)
};

// The properties a send stores, rewritten from the producer's encoding in
// one pass, without a map: WAIT dropped when true (the default, not worth
// storing, as RocketMQ does), DELAY dropped when `drop_delay` (a message
// going to its dead-letter queue), CLUSTER set to `cluster` (replacing any);
// sorted by name, the bytes the general path stores.
// What it returns true for is well formed (EncodedMessage::properties_checked).
// Returns false, leaving `out` unspecified, for anything unusual: a
// malformed encoding, a repeated name, more than 32 properties. The caller
// then takes the general path (AssignProperties), which reports or resolves
// those exactly as RocketMQ's decoder does.
bool RewriteSendProperties(std::string_view encoded, std::string_view cluster, bool drop_delay,
                           std::string* out, SendPropertyFlags* flags);

}  // namespace rmq::internal

#endif  // RMQ_BROKER_MESSAGE_BUILDER_H_
