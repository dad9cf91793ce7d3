// Copyright 2026 The rmq Authors. Licensed under the Apache License, Version 2.0.

#ifndef RMQ_COMMON_STATUS_MACROS_H_
#define RMQ_COMMON_STATUS_MACROS_H_

#include "absl/status/status.h"

// Returns the status of `expr` from the enclosing function if it is not OK.
#define RMQ_RETURN_IF_ERROR(expr)                     \
  do {                                                \
    ::absl::Status rmq_status_ = (expr);              \
    if (!rmq_status_.ok()) return rmq_status_;        \
  } while (false)

#endif  // RMQ_COMMON_STATUS_MACROS_H_
