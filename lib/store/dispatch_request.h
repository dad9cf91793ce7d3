// Copyright 2026 The rmq Authors. Licensed under the Apache License, Version 2.0.

#ifndef RMQ_STORE_DISPATCH_REQUEST_H_
#define RMQ_STORE_DISPATCH_REQUEST_H_

#include <cstdint>
#include <string_view>

namespace rmq::internal {

// What the dispatcher learns from one commit log record and hands to the
// consume queue and the index. The views point into the mapped record and
// are valid only during the dispatch call.
struct DispatchRequest {
  std::string_view topic;
  int32_t queue_id = 0;
  int64_t commit_log_offset = 0;
  int32_t msg_size = 0;
  int64_t tags_code = 0;
  int64_t store_timestamp = 0;
  int64_t consume_queue_offset = 0;
  std::string_view keys;      // KEYS property, space separated; may be empty
  std::string_view uniq_key;  // UNIQ_KEY property; may be empty
  std::string_view properties;  // All properties, encoded as stored
  int32_t sys_flag = 0;
  int64_t prepared_transaction_offset = 0;
};

}  // namespace rmq::internal

#endif  // RMQ_STORE_DISPATCH_REQUEST_H_
