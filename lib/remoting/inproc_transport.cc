// Copyright 2026 The rmq Authors. Licensed under the Apache License, Version 2.0.

#include "remoting/inproc_transport.h"

#include <algorithm>
#include <atomic>
#include <utility>
#include <vector>

#include "absl/base/call_once.h"
#include "absl/cleanup/cleanup.h"
#include "common/str_cat.h"
#include "remoting/request_code.h"

namespace rmq::internal {

// One side of in-process calls: a handler, reachable while `open`.
struct InprocEndpoint {
  std::string address;
  RequestHandler* handler = nullptr;
  std::atomic<bool> open{true};
  std::atomic<int> calls_inside{0};
  absl::Mutex mu;
  absl::CondVar drained;

  // Counts a call in; false if the endpoint is closed.
  bool Enter() {
    calls_inside.fetch_add(1);
    if (open.load()) return true;
    Leave();
    return false;
  }
  void Leave() {
    if (calls_inside.fetch_sub(1) == 1 && !open.load()) {
      absl::MutexLock lock(&mu);
      drained.SignalAll();
    }
  }
  // Closes and waits for the calls inside the handler to return.
  void CloseAndDrain() {
    open.store(false);
    absl::MutexLock lock(&mu);
    while (calls_inside.load() != 0) drained.Wait(&mu);
  }
};

namespace {

// The process-wide table of bound servers.
class Registry {
 public:
  static Registry& Get() {
    static Registry* registry = new Registry;
    return *registry;
  }
  absl::Status Add(const std::shared_ptr<InprocEndpoint>& endpoint) {
    absl::MutexLock lock(&mu_);
    if (!by_address_.emplace(endpoint->address, endpoint).second) {
      return absl::AlreadyExistsError(StrCat(endpoint->address, " is already bound in this process"));
    }
    return absl::OkStatus();
  }
  void Remove(const std::shared_ptr<InprocEndpoint>& endpoint) {
    absl::MutexLock lock(&mu_);
    auto it = by_address_.find(endpoint->address);
    if (it != by_address_.end() && it->second == endpoint) by_address_.erase(it);
  }
  std::shared_ptr<InprocEndpoint> Find(const std::string& address) {
    absl::MutexLock lock(&mu_);
    auto it = by_address_.find(address);
    return it == by_address_.end() ? nullptr : it->second;
  }

 private:
  absl::Mutex mu_;
  absl::flat_hash_map<std::string, std::shared_ptr<InprocEndpoint>> by_address_ ABSL_GUARDED_BY(mu_);
};

}  // namespace

// Named, not anonymous: PendingCall is a field of InprocChannel, which
// inproc_transport.h declares (a unity build would warn otherwise).
namespace inproc_calls {

// A request in flight: completed once, by the response, the timeout or the
// client's shutdown. An asynchronous call hands the outcome to its callback;
// a synchronous one (made without a callback) keeps it for the caller, who
// takes it with Take, so a response is moved once into the call and once out.
class PendingCall {
 public:
  PendingCall() = default;  // Synchronous.
  explicit PendingCall(ResponseCallback done) : done_(std::move(done)) {}

  void Respond(RemotingCommand&& response) { Finish(&response, absl::OkStatus()); }
  void Fail(absl::Status status) { Finish(nullptr, std::move(status)); }

  bool completed() {
    absl::MutexLock lock(&mu_);
    return completed_;
  }

  // A synchronous call's outcome, once completed (waits until then).
  absl::StatusOr<RemotingCommand> Take() {
    absl::MutexLock lock(&mu_);
    mu_.Await(absl::Condition(&completed_));
    return std::move(outcome_);
  }

  // Whether a synchronous call has its outcome; then nobody writes it any
  // more, and TakeAnswered takes it without the lock.
  bool answered() const { return answered_.load(std::memory_order_acquire); }
  absl::StatusOr<RemotingCommand> TakeAnswered() ABSL_NO_THREAD_SAFETY_ANALYSIS {
    return std::move(outcome_);
  }

  // Makes a synchronous call that was answered while its handler ran (so no
  // timer and no channel ever saw it) ready for the next one. Only its
  // sole owner may call this, so no lock is needed.
  void Reset() ABSL_NO_THREAD_SAFETY_ANALYSIS {
    completed_ = false;
    answered_.store(false, std::memory_order_relaxed);
  }

  // Arms the timeout unless the call has completed already. `describe`
  // names the call in the timeout's error; it runs only if the call is
  // still unanswered (most calls are answered inside the handler).
  template <typename Describe>
  void ArmTimeout(const std::shared_ptr<PendingCall>& self, Clock& clock, absl::Duration timeout,
                  Describe describe) {
    absl::MutexLock lock(&mu_);
    if (completed_) return;
    std::string what = describe();
    clock_ = &clock;
    std::weak_ptr<PendingCall> weak = self;
    timer_ = clock.ScheduleAfter(timeout, [weak, what = std::move(what), timeout] {
      if (auto call = weak.lock()) {
        call->FailByTimer(absl::DeadlineExceededError(
            StrCat(what, ": no response within ", absl::FormatDuration(timeout))));
      }
    });
  }

 private:
  // The response if `response` is set, else `error`.
  void Finish(RemotingCommand* response, absl::Status error) {
    ResponseCallback done;
    Clock* clock = nullptr;
    Clock::TimerId timer = 0;
    {
      absl::MutexLock lock(&mu_);
      if (completed_) return;
      completed_ = true;
      clock = clock_;
      timer = timer_;
      clock_ = nullptr;
      if (done_) {
        done = std::move(done_);
      } else {
        if (response != nullptr) {
          outcome_ = std::move(*response);
        } else {
          outcome_ = std::move(error);
        }
        answered_.store(true, std::memory_order_release);
      }
    }
    if (clock != nullptr) clock->Cancel(timer);
    if (done) {
      if (response != nullptr) {
        std::move(done)(std::move(*response));
      } else {
        std::move(done)(std::move(error));
      }
    }
  }

  // As Fail, but running inside the timer: the timer must not cancel itself.
  void FailByTimer(absl::Status status) {
    {
      absl::MutexLock lock(&mu_);
      clock_ = nullptr;
    }
    Fail(std::move(status));
  }

  absl::Mutex mu_;
  bool completed_ ABSL_GUARDED_BY(mu_) = false;
  ResponseCallback done_ ABSL_GUARDED_BY(mu_);
  absl::StatusOr<RemotingCommand> outcome_ ABSL_GUARDED_BY(mu_);  // Synchronous calls only.
  std::atomic<bool> answered_{false};  // Set once outcome_ is.
  Clock* clock_ ABSL_GUARDED_BY(mu_) = nullptr;
  Clock::TimerId timer_ ABSL_GUARDED_BY(mu_) = 0;
};

}  // namespace inproc_calls

using inproc_calls::PendingCall;

namespace {

// This thread's synchronous call object, reused from call to call: a sync
// call answered inside its handler (every send to an in-process broker)
// then allocates nothing. Null while one is in use or after one was kept by
// a handler (a new one is made then).
thread_local std::shared_ptr<PendingCall> tl_sync_call;

std::string Describe(int32_t request_code, std::string_view address) {
  return StrCat(RequestCodeName(request_code), " to ", address);
}

}  // namespace

// One direction of an in-process connection: calls through it run `remote`'s
// handler, which is handed the reverse direction (calls back to `local`).
class InprocChannel final : public Channel, public std::enable_shared_from_this<InprocChannel> {
 public:
  InprocChannel(std::shared_ptr<InprocEndpoint> remote, std::shared_ptr<InprocEndpoint> local,
                std::shared_ptr<Clock> clock)
      : remote_(std::move(remote)), local_(std::move(local)), clock_(std::move(clock)) {}

  const std::string& remote_address() const override { return remote_->address; }
  // An in-process peer has no host (the broker stamps 127.0.0.1:0 as a
  // send's born host): known without parsing the address on every send.
  std::optional<HostAddress> remote_host() const override { return std::nullopt; }
  bool active() const override { return remote_->open.load(); }

  void InvokeAsync(RemotingCommand request, absl::Duration timeout, ResponseCallback done) override {
    Call(std::move(request), timeout, std::move(done));
  }
  void InvokeOneway(RemotingCommand request) override {
    request.flag |= RemotingCommand::kOnewayFlag;
    Call(std::move(request), absl::ZeroDuration(), [](absl::StatusOr<RemotingCommand>) {});
  }

  // Runs `request` in the remote handler; `done` gets the response.
  void Call(RemotingCommand request, absl::Duration timeout, ResponseCallback done) {
    const int32_t code = request.code;
    if (!remote_->Enter()) {
      std::move(done)(absl::UnavailableError(
          StrCat(Describe(code, remote_->address), ": ", remote_->address, " is not reachable")));
      return;
    }
    if (remote_->handler == nullptr) {
      remote_->Leave();
      std::move(done)(absl::UnavailableError(
          StrCat(Describe(code, remote_->address), ": nothing answers requests there")));
      return;
    }
    const bool oneway = request.is_oneway();
    const int32_t opaque = request.opaque;
    auto call = std::make_shared<PendingCall>(std::move(done));
    remote_->handler->HandleRequest(Reverse(), std::move(request),
                                    Responder(opaque, oneway, Sink(call)));
    remote_->Leave();
    if (oneway) {
      call->Respond(RemotingCommand::Response(response_code::kSuccess));
    } else {
      call->ArmTimeout(call, *clock_, timeout, [&] { return Describe(code, remote_->address); });
      Track(call);
    }
  }

  // Completes every call still waiting for an answer through this channel
  // with `status` (the client shut down: it stops waiting, as on a closed
  // connection).
  void FailPending(const absl::Status& status) {
    std::vector<std::weak_ptr<PendingCall>> pending;
    {
      absl::MutexLock lock(&mu_);
      pending.swap(pending_);
    }
    for (const auto& weak : pending) {
      if (auto call = weak.lock()) call->Fail(status);
    }
  }

  // A synchronous call: as Call, but the caller's thread waits for the
  // answer, which comes back without passing through a callback. An answer
  // given inside the handler (the common case) arms no timer, takes no
  // lock of this channel and reuses this thread's call object.
  absl::StatusOr<RemotingCommand> CallSync(RemotingCommand&& request, absl::Duration timeout) {
    const int32_t code = request.code;
    if (!remote_->Enter()) {
      return absl::UnavailableError(
          StrCat(Describe(code, remote_->address), ": ", remote_->address, " is not reachable"));
    }
    if (remote_->handler == nullptr) {
      remote_->Leave();
      return absl::UnavailableError(
          StrCat(Describe(code, remote_->address), ": nothing answers requests there"));
    }
    std::shared_ptr<PendingCall> call = std::move(tl_sync_call);
    if (call == nullptr) call = std::make_shared<PendingCall>();
    const int32_t opaque = request.opaque;
    remote_->handler->HandleRequest(Reverse(), std::move(request),
                                    Responder(opaque, /*oneway=*/false, Sink(call)));
    remote_->Leave();
    if (call->answered()) {
      // Once the outcome is taken: if nobody else holds the call (the
      // handler answered and let the responder go), keep it for this
      // thread's next call. The fence pairs with the release of the last
      // other owner's reference.
      absl::Cleanup recycle = [&call] {
        if (call.use_count() == 1) {
          std::atomic_thread_fence(std::memory_order_acquire);
          call->Reset();
          tl_sync_call = std::move(call);
        }
      };
      return call->TakeAnswered();
    }
    // The handler kept the responder (a held pull): wait, as an async call
    // would, for its answer, the timeout or the client's shutdown. This call
    // object stays with the responder; the next call makes a new one.
    call->ArmTimeout(call, *clock_, timeout, [&] { return Describe(code, remote_->address); });
    Track(call);
    return call->Take();
  }

 private:
  // The channel the remote handler sees: calls through it come back here.
  // Made once, then only read: a call takes no lock for it.
  const std::shared_ptr<Channel>& Reverse() {
    absl::call_once(reverse_once_, [this] {
      reverse_ = std::make_shared<InprocChannel>(local_, remote_, clock_);
    });
    return reverse_;
  }

  // The responder's sink of `call`: the response goes straight into it.
  static Responder::Sink Sink(const std::shared_ptr<PendingCall>& call) {
    return [call](RemotingCommand&& response) { call->Respond(std::move(response)); };
  }

  std::shared_ptr<InprocEndpoint> remote_;
  std::shared_ptr<InprocEndpoint> local_;
  std::shared_ptr<Clock> clock_;
  absl::Mutex mu_;
  // Not an owning cycle: the reverse channel's own reverse is created anew.
  absl::once_flag reverse_once_;
  std::shared_ptr<Channel> reverse_;  // Set once, by Reverse.
  // Calls that were still unanswered when their handler returned. A call is
  // owned by its Responder; entries of answered calls expire and are pruned.
  std::vector<std::weak_ptr<PendingCall>> pending_ ABSL_GUARDED_BY(mu_);
  size_t prune_at_ ABSL_GUARDED_BY(mu_) = 64;

  void Track(const std::shared_ptr<PendingCall>& call) {
    if (call->completed()) return;
    absl::MutexLock lock(&mu_);
    if (pending_.size() >= prune_at_) {
      std::erase_if(pending_, [](const std::weak_ptr<PendingCall>& w) { return w.expired(); });
      prune_at_ = std::max<size_t>(64, 2 * pending_.size());
    }
    pending_.push_back(call);
  }

  friend class InprocTransport;
};

bool IsInprocAddress(std::string_view address) { return address.starts_with(kInprocScheme); }

absl::StatusOr<std::unique_ptr<InprocServer>> InprocServer::Bind(std::string_view name,
                                                                 RequestHandler* handler) {
  if (name.empty()) return absl::InvalidArgumentError("inproc server name is empty");
  auto endpoint = std::make_shared<InprocEndpoint>();
  endpoint->address = StrCat(kInprocScheme, name);
  endpoint->handler = handler;
  if (absl::Status added = Registry::Get().Add(endpoint); !added.ok()) return added;
  return std::unique_ptr<InprocServer>(new InprocServer(std::move(endpoint)));
}

InprocServer::InprocServer(std::shared_ptr<InprocEndpoint> endpoint)
    : endpoint_(std::move(endpoint)) {}

InprocServer::~InprocServer() {
  Registry::Get().Remove(endpoint_);
  endpoint_->CloseAndDrain();
}

const std::string& InprocServer::address() const { return endpoint_->address; }

void InprocServer::SetReachable(bool reachable) {
  if (reachable) {
    endpoint_->open.store(true);
  } else {
    endpoint_->CloseAndDrain();
  }
}

namespace {

// What a thread last resolved (see InprocTransport::Resolve).
struct RememberedRoute {
  uint64_t transport_id = 0;  // 0: nothing.
  uint64_t generation = 0;
  std::string address;
  InprocChannel* channel = nullptr;
};
thread_local RememberedRoute tl_route;

uint64_t NextTransportId() {
  static std::atomic<uint64_t> next{1};
  return next.fetch_add(1, std::memory_order_relaxed);
}

}  // namespace

InprocTransport::InprocTransport(std::string_view name, RequestHandler* handler,
                                 std::shared_ptr<Clock> clock)
    : id_(NextTransportId()), clock_(std::move(clock)), self_(std::make_shared<InprocEndpoint>()) {
  self_->address = StrCat(kInprocScheme, "client/", name);
  self_->handler = handler;
}

InprocTransport::~InprocTransport() { Shutdown(); }

absl::StatusOr<InprocChannel*> InprocTransport::Resolve(const std::string& address) {
  const RememberedRoute& last = tl_route;
  // A closed endpoint may have been replaced by a new server under the same
  // name: that takes the full lookup.
  if (last.transport_id == id_ && last.generation == generation_.load(std::memory_order_acquire) &&
      last.address == address && last.channel->active()) {
    return last.channel;
  }
  return ResolveAndRemember(address);
}

absl::StatusOr<InprocChannel*> InprocTransport::ResolveAndRemember(const std::string& address) {
  auto remember = [&](uint64_t generation, InprocChannel* channel) {
    RememberedRoute& last = tl_route;
    last.transport_id = id_;
    last.generation = generation;
    last.address = address;
    last.channel = channel;
    return channel;
  };
  {
    absl::ReaderMutexLock lock(&mu_);
    if (shut_down_) return absl::FailedPreconditionError("the client transport is shut down");
    auto it = routes_.find(address);
    if (it != routes_.end() && it->second.server->open.load()) {
      return remember(generation_.load(std::memory_order_relaxed), it->second.channel.get());
    }
  }
  if (!IsInprocAddress(address)) {
    return absl::InvalidArgumentError("the address is not an inproc:// address");
  }
  std::shared_ptr<InprocEndpoint> server = Registry::Get().Find(address);
  if (server == nullptr) {
    return absl::UnavailableError("no server is bound under that name");
  }
  absl::MutexLock lock(&mu_);
  if (shut_down_) return absl::FailedPreconditionError("the client transport is shut down");
  Route& route = routes_[address];
  if (route.server != server) {
    if (route.channel != nullptr) retired_.push_back(std::move(route.channel));
    route.server = server;
    route.channel = std::make_shared<InprocChannel>(server, self_, clock_);
    generation_.fetch_add(1, std::memory_order_release);
  }
  return remember(generation_.load(std::memory_order_relaxed), route.channel.get());
}

void InprocTransport::InvokeAsync(const std::string& address, RemotingCommand request,
                                  absl::Duration timeout, ResponseCallback done) {
  auto route = Resolve(address);
  if (!route.ok()) {
    std::move(done)(RequestFailure(request.code, address, route.status()));
    return;
  }
  (*route)->Call(std::move(request), timeout, std::move(done));
}

absl::StatusOr<RemotingCommand> InprocTransport::InvokeSync(const std::string& address,
                                                            RemotingCommand request,
                                                            absl::Duration timeout) {
  return CallSync(address, std::move(request), timeout);
}

absl::StatusOr<RemotingCommand> InprocTransport::CallSync(const std::string& address,
                                                          RemotingCommand&& request,
                                                          absl::Duration timeout) {
  auto route = Resolve(address);
  if (!route.ok()) return RequestFailure(request.code, address, route.status());
  return (*route)->CallSync(std::move(request), timeout);
}

absl::Status InprocTransport::InvokeOneway(const std::string& address, RemotingCommand request) {
  auto route = Resolve(address);
  if (!route.ok()) return RequestFailure(request.code, address, route.status());
  absl::Status status;
  request.flag |= RemotingCommand::kOnewayFlag;
  (*route)->Call(std::move(request), absl::ZeroDuration(),
                       [&status](absl::StatusOr<RemotingCommand> result) {
                         if (!result.ok()) status = result.status();
                       });
  return status;
}

void InprocTransport::Shutdown() {
  absl::flat_hash_map<std::string, Route> routes;
  {
    absl::MutexLock lock(&mu_);
    if (shut_down_) return;
    shut_down_ = true;
    generation_.fetch_add(1, std::memory_order_release);
    routes.swap(routes_);
    // A caller may still be inside a channel it resolved before this.
    for (const auto& [address, route] : routes) retired_.push_back(route.channel);
  }
  self_->CloseAndDrain();
  // Calls still waiting for a server's answer end now, as transport.h promises.
  for (auto& [address, route] : routes) {
    route.channel->FailPending(absl::UnavailableError(
        StrCat(address, ": the client transport shut down before the answer came")));
  }
  // Tell each server this client's channel is gone, as a closed connection would.
  for (auto& [address, route] : routes) {
    if (!route.server->Enter()) continue;
    if (route.server->handler != nullptr) {
      route.server->handler->OnChannelClosed(route.channel->Reverse());
    }
    route.server->Leave();
  }
}

}  // namespace rmq::internal
