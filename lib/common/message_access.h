// Copyright 2026 The rmq Authors. Licensed under the Apache License, Version 2.0.
//
// The library's access to a message's storage, for decoding into a message
// decoded before: assigning into its strings keeps their capacity, where the
// public setters (which take new strings) would free and allocate again.

#ifndef RMQ_COMMON_MESSAGE_ACCESS_H_
#define RMQ_COMMON_MESSAGE_ACCESS_H_

#include <string>
#include <vector>

#include "rmq/message.h"

namespace rmq::internal {

class MessageAccess {
 public:
  static std::string& topic(Message& msg) { return msg.topic_; }
  static std::string& body(Message& msg) { return msg.body_; }
  // The sorted items; whoever writes them keeps them sorted by name, unique.
  static std::vector<MessageProperties::value_type>& items(MessageProperties& props) {
    return props.items_;
  }
};

}  // namespace rmq::internal

#endif  // RMQ_COMMON_MESSAGE_ACCESS_H_
