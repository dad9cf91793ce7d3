// Copyright 2026 The rmq Authors. Licensed under the Apache License, Version 2.0.
//
// The requests a connection waits to hear back about (tcp_connection.h).

#ifndef RMQ_REMOTING_PENDING_REQUESTS_H_
#define RMQ_REMOTING_PENDING_REQUESTS_H_

#include <chrono>
#include <cstdint>
#include <optional>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/time/time.h"
#include "remoting/transport.h"

namespace rmq::internal {

// The requests a connection has sent and waits to hear back about, by
// opaque, with their deadlines in a min-heap. Entries of answered requests
// stay in the heap until they reach its top or the heap is rebuilt, so an
// answer costs one hash lookup. Not thread-safe: the connection's mutex
// guards it.
class PendingRequests {
 public:
  using Steady = std::chrono::steady_clock;
  struct Request {
    ResponseCallback done;
    Steady::time_point deadline;
    int32_t code = 0;
    absl::Duration timeout;
  };

  void Add(int32_t opaque, Request request);
  // The request `opaque` answers, if it still waits.
  std::optional<Request> Take(int32_t opaque);
  // Moves the requests due at `now` to `out`.
  void TakeExpired(Steady::time_point now, std::vector<Request>* out);
  // Moves every request to `out`.
  void TakeAll(std::vector<Request>* out);
  // The earliest deadline (perhaps of an answered request), or max().
  Steady::time_point next_deadline() const;
  bool empty() const { return requests_.empty(); }

 private:
  struct Deadline {
    Steady::time_point at;
    int32_t opaque;
    bool operator>(const Deadline& o) const { return at > o.at; }
  };
  absl::flat_hash_map<int32_t, Request> requests_;
  std::vector<Deadline> deadlines_;
};

}  // namespace rmq::internal

#endif  // RMQ_REMOTING_PENDING_REQUESTS_H_
