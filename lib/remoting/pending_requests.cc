// Copyright 2026 The rmq Authors. Licensed under the Apache License, Version 2.0.

#include "remoting/pending_requests.h"

#include <algorithm>
#include <functional>
#include <utility>

namespace rmq::internal {

void PendingRequests::Add(int32_t opaque, Request request) {
  deadlines_.push_back({request.deadline, opaque});
  std::push_heap(deadlines_.begin(), deadlines_.end(), std::greater<>());
  requests_.emplace(opaque, std::move(request));
  // Answered requests leave their deadlines behind; rebuild once they
  // outnumber the live ones.
  if (deadlines_.size() > 1024 && deadlines_.size() > 2 * requests_.size()) {
    deadlines_.clear();
    for (const auto& [id, live] : requests_) deadlines_.push_back({live.deadline, id});
    std::make_heap(deadlines_.begin(), deadlines_.end(), std::greater<>());
  }
}

std::optional<PendingRequests::Request> PendingRequests::Take(int32_t opaque) {
  auto it = requests_.find(opaque);
  if (it == requests_.end()) return std::nullopt;
  std::optional<Request> request(std::move(it->second));
  requests_.erase(it);
  return request;
}

void PendingRequests::TakeExpired(Steady::time_point now, std::vector<Request>* out) {
  while (!deadlines_.empty() && deadlines_.front().at <= now) {
    const Deadline due = deadlines_.front();
    std::pop_heap(deadlines_.begin(), deadlines_.end(), std::greater<>());
    deadlines_.pop_back();
    auto it = requests_.find(due.opaque);
    if (it == requests_.end() || it->second.deadline != due.at) continue;  // Answered.
    out->push_back(std::move(it->second));
    requests_.erase(it);
  }
}

void PendingRequests::TakeAll(std::vector<Request>* out) {
  for (auto& [opaque, request] : requests_) out->push_back(std::move(request));
  requests_.clear();
  deadlines_.clear();
}

PendingRequests::Steady::time_point PendingRequests::next_deadline() const {
  return deadlines_.empty() ? Steady::time_point::max() : deadlines_.front().at;
}

}  // namespace rmq::internal
