// Copyright 2026 The rmq Authors. Licensed under the Apache License, Version 2.0.

#include "remoting/tcp_connection.h"

#include <sys/socket.h>
#include <sys/uio.h>

#include <algorithm>
#include <atomic>
#include <cstring>
#include <functional>
#include <utility>

#include "common/str_cat.h"
#include "remoting/request_code.h"
#include "spdlog/spdlog.h"

namespace rmq::internal {
namespace {

constexpr size_t kReadBufferSize = 64 * 1024;

// Opaques are unique in the process, as RocketMQ's static requestId counter:
// a response can never be matched to a request it does not answer.
int32_t NextOpaque() {
  static std::atomic<uint32_t> next{1};
  return static_cast<int32_t>(next.fetch_add(1, std::memory_order_relaxed));
}

// The head buffer this thread encodes its next frame into: a buffer of a
// written frame, handed back by Enqueue, so that a head is not allocated by
// one thread and freed by another for every frame (which makes the two
// contend in malloc), and taking one costs no lock.
std::string& ThisThreadsSpareHead() {
  thread_local std::string head;
  return head;
}

// Whether `head` holds no allocation of its own (a moved-from string).
bool Unallocated(const std::string& head) { return head.capacity() <= std::string().capacity(); }

// `d` as a steady-clock duration; longer than a year counts as a year (an
// infinite timeout must not overflow the deadline).
TcpConnection::Steady::duration ToSteady(absl::Duration d) {
  d = std::clamp(d, absl::ZeroDuration(), absl::Hours(24 * 365));
  return std::chrono::duration_cast<TcpConnection::Steady::duration>(absl::ToChronoNanoseconds(d));
}

}  // namespace

// ---- TcpConnection -------------------------------------------------------------------------

class TcpConnection::InflightToken {
 public:
  // `answer` shares the connection's ownership.
  explicit InflightToken(std::shared_ptr<const AnswerPath> answer) : answer_(std::move(answer)) {}
  InflightToken(InflightToken&&) noexcept = default;
  InflightToken& operator=(InflightToken&&) = delete;
  ~InflightToken() {
    if (answer_ != nullptr) answer_->connection->ReleaseInflight();
  }
  void Respond(RemotingCommand response) const {
    answer_->connection->SendResponse(std::move(response), answer_->type);
  }

 private:
  std::shared_ptr<const AnswerPath> answer_;
};

TcpConnection::TcpConnection(std::shared_ptr<asio::io_context> io, std::string remote_address,
                             TcpConnectionOptions options, Listener* listener)
    : io_(std::move(io)),
      remote_address_(std::move(remote_address)),
      remote_host_(HostAddress::Parse(remote_address_)),
      options_(options),
      listener_(listener),
      batch_window_(ToSteady(options.batch_window)),
      answer_paths_{{{this, SerializeType::kJson}, {this, SerializeType::kRocketmq}}},
      request_type_(options.request_type),
      socket_(*io_),
      resolver_(*io_),
      timer_(*io_) {
  absl::MutexLock lock(&mu_);
  last_direct_batchable_ = Steady::now() - batch_window_;
}

TcpConnection::~TcpConnection() = default;

bool TcpConnection::active() const { return open_.load(std::memory_order_acquire); }

bool TcpConnection::connected() const {
  absl::MutexLock lock(&mu_);
  return connected_ && !closed_;
}

size_t TcpConnection::socket_writes() const {
  absl::MutexLock lock(&mu_);
  return socket_writes_;
}

std::string TcpConnection::Describe(int32_t code) const {
  return StrCat(RequestCodeName(code), " to ", remote_address_);
}

// ---- Lifecycle (io thread unless said otherwise) ----------------------------------------------

void TcpConnection::Start(asio::ip::tcp::socket socket) {
  socket_ = std::move(socket);
  asio::error_code ignored;
  socket_.set_option(asio::ip::tcp::no_delay(true), ignored);
  {
    absl::MutexLock lock(&mu_);
    connected_ = true;
    fd_ = socket_.native_handle();
  }
  last_activity_ = Steady::now();
  NewReadBlock(0);
  Rearm();
  ParseFrames();
}

void TcpConnection::Connect(std::string host, uint16_t port) {  // Any thread.
  absl::MutexLock lock(&mu_);
  if (closed_) return;
  connect_deadline_ = Steady::now() + ToSteady(options_.connect_timeout);
  asio::post(*io_, [self = shared_from_this(), host = std::move(host), port] {
    self->StartConnect(host, port);
  });
}

void TcpConnection::StartConnect(const std::string& host, uint16_t port) {
  {
    absl::MutexLock lock(&mu_);
    if (closed_) return;
  }
  Rearm();  // The connect deadline.
  asio::error_code ec;
  asio::ip::address ip = asio::ip::make_address(host, ec);
  if (!ec) {
    socket_.async_connect({ip, port}, [self = shared_from_this()](const asio::error_code& error) {
      self->OnConnect(error);
    });
    return;
  }
  resolver_.async_resolve(
      host, std::to_string(port),
      [self = shared_from_this()](const asio::error_code& error,
                                  const asio::ip::tcp::resolver::results_type& results) {
        if (error) {
          self->CloseOnIo(absl::UnavailableError(StrCat("cannot resolve: ", error.message())));
          return;
        }
        asio::async_connect(self->socket_, results,
                            [self](const asio::error_code& e, const asio::ip::tcp::endpoint&) {
                              self->OnConnect(e);
                            });
      });
}

void TcpConnection::OnConnect(const asio::error_code& ec) {
  if (ec) {
    CloseOnIo(absl::UnavailableError(StrCat("cannot connect: ", ec.message())));
    return;
  }
  {
    absl::MutexLock lock(&mu_);
    if (closed_) return;
    connected_ = true;
    connect_deadline_ = Steady::time_point::max();
  }
  asio::error_code ignored;
  socket_.set_option(asio::ip::tcp::no_delay(true), ignored);
  {
    absl::MutexLock lock(&mu_);
    fd_ = socket_.native_handle();
  }
  last_activity_ = Steady::now();
  NewReadBlock(0);
  StartWrite();
  Rearm();
  ParseFrames();
}

void TcpConnection::Close(absl::Status reason) {  // Any thread.
  absl::MutexLock lock(&mu_);
  if (closed_) return;
  // Posted under the lock: whoever stops the io thread after closing every
  // connection knows this runs before the thread runs out of work.
  asio::post(*io_, [self = shared_from_this(), reason = std::move(reason)] {
    self->CloseOnIo(reason);
  });
}

void TcpConnection::Malformed(const absl::Status& reason) {
  spdlog::warn("remoting: closing the connection with {}: bad frame: {}", remote_address_,
               StdView(reason.message()));
  CloseOnIo(absl::UnavailableError(StrCat("bad frame: ", StdView(reason.message()))));
}

void TcpConnection::CloseOnIo(absl::Status reason) {
  // Answers read before whatever closes the connection still count.
  CompleteResponses();
  std::vector<PendingRequests::Request> pending;
  std::vector<OutFrame> queued;
  {
    absl::MutexLock lock(&mu_);
    if (closed_) return;
    closed_ = true;
    open_.store(false, std::memory_order_release);
    io_closed_ = true;
    connected_ = false;
    fd_ = -1;  // No direct write from now on: the socket closes below.
    close_reason_ = reason;
    pending_.TakeAll(&pending);
    queued.swap(queue_);
  }
  spdlog::debug("remoting: connection with {} closed: {}", remote_address_,
                StdView(reason.message()));
  // Outstanding operations complete with operation_aborted and let go of
  // this connection.
  asio::error_code ignored;
  socket_.shutdown(asio::ip::tcp::socket::shutdown_both, ignored);
  socket_.close(ignored);
  resolver_.cancel();
  timer_.cancel();
  for (OutFrame& frame : queued) {
    if (frame.written) std::move(frame.written)(reason);
  }
  for (PendingRequests::Request& call : pending) {
    std::move(call.done)(
        absl::UnavailableError(StrCat(Describe(call.code), ": ", StdView(reason.message()))));
  }
  listener_->OnClosed(shared_from_this(), reason);
}

// ---- Sending ---------------------------------------------------------------------------------

bool TcpConnection::Enqueue(OutFrame& frame, PendingRequests::Request* request, int32_t opaque,
                            WritePolicy policy, Steady::time_point now) {
  WrittenCallbacks written;
  {
    absl::MutexLock lock(&mu_);
    if (closed_) return false;
    // A request due before the timer fires needs the io thread to re-arm it.
    bool rearm = false;
    if (request != nullptr) {
      rearm = request->deadline < timer_at_;
      pending_.Add(opaque, std::move(*request));
    }
    queue_.push_back(std::move(frame));
    std::string& spare = ThisThreadsSpareHead();
    if (!spare_heads_.empty() && Unallocated(spare)) {
      spare = std::move(spare_heads_.back());
      spare_heads_.pop_back();
    }
    // While the io thread parses what a read brought, the write after the
    // parse takes this frame along with the other answers.
    if (io_parsing_) {
      if (rearm || !io_->get_executor().running_in_this_thread()) KickLocked();
      return true;
    }
    // No write in flight: this thread writes the queue (this frame and any
    // batched ones ahead of it), with no wake-up of the io thread unless
    // the socket does not take it all.
    if (connected_ && fd_ >= 0 && !write_busy_ && !BatchLocked(policy, now)) {
      if (policy == WritePolicy::kBatch) last_direct_batchable_ = now;
      WriteQueueNowLocked(&written);
      if (queue_.empty()) {
        wrote_directly_ = true;
        if (rearm) KickLocked();  // Only to re-arm the timer.
      } else {
        KickLocked();
      }
    } else {
      KickLocked();
    }
  }
  for (auto& done : written) std::move(done)(absl::OkStatus());
  return true;
}

bool TcpConnection::BatchLocked(WritePolicy policy, Steady::time_point now) const {
  return policy == WritePolicy::kBatch &&
         now - last_direct_batchable_ < batch_window_;
}

void TcpConnection::WriteQueueNowLocked(WrittenCallbacks* written) {
  // A bounded gather write; frames past it stay queued for the io thread.
  constexpr size_t kMaxParts = 64;
  iovec parts[kMaxParts];
  size_t count = 0;
  ForEachUnsentPart(queue_, [&](const char* data, size_t size) {
    if (count == kMaxParts) return false;
    parts[count++] = {const_cast<char*>(data), size};
    return true;
  });
  msghdr message{};
  message.msg_iov = parts;
  message.msg_iovlen = count;
  ++socket_writes_;
  const ssize_t n = ::sendmsg(fd_, &message, MSG_DONTWAIT | MSG_NOSIGNAL);
  // Would block, or failed: the io thread's write sends the rest (and
  // reports a failure, closing the connection).
  size_t left = n > 0 ? static_cast<size_t>(n) : 0;
  size_t done = 0;
  for (; done < queue_.size(); ++done) {
    OutFrame& frame = queue_[done];
    const size_t unsent = frame.head.size() + frame.body.size() - frame.sent;
    if (left < unsent) {
      frame.sent += left;
      break;
    }
    left -= unsent;
    if (frame.written) written->push_back(std::move(frame.written));
    RecycleHeadLocked(frame.head);
  }
  queue_.erase(queue_.begin(), queue_.begin() + static_cast<ptrdiff_t>(done));
}

void TcpConnection::RecycleHeadLocked(std::string& head) {
  // Enough for the frames of a few gather writes; a head grown large (a
  // batch's JSON header) is not worth keeping.
  constexpr size_t kMaxSpareHeads = 256;
  constexpr size_t kMaxKeptCapacity = 4096;
  if (spare_heads_.size() >= kMaxSpareHeads || head.capacity() > kMaxKeptCapacity) return;
  head.clear();
  spare_heads_.push_back(std::move(head));
}

void TcpConnection::KickLocked() {
  if (kick_posted_) return;
  kick_posted_ = true;
  asio::post(*io_, [self = shared_from_this()] { self->OnKick(); });
}

void TcpConnection::InvokeAsync(RemotingCommand request, absl::Duration timeout,
                                ResponseCallback done) {
  InvokeAsync(std::move(request), timeout, std::move(done), WritePolicy::kNow);
}

void TcpConnection::InvokeAsync(RemotingCommand request, absl::Duration timeout,
                                ResponseCallback done, WritePolicy policy) {
  const int32_t opaque = NextOpaque();
  const int32_t code = request.code;
  request.opaque = opaque;
  request.flag &= ~(RemotingCommand::kResponseFlag | RemotingCommand::kOnewayFlag);
  OutFrame frame = EncodeRequest(request);
  const Steady::time_point now = Steady::now();
  PendingRequests::Request pending{std::move(done), now + ToSteady(timeout), code, timeout};
  if (!Enqueue(frame, &pending, opaque, policy, now)) {
    std::move(pending.done)(
        absl::UnavailableError(StrCat(Describe(code), ": ", StdView(CloseReason().message()))));
  }
}

void TcpConnection::InvokeOneway(RemotingCommand request) {
  (void)SendOneway(std::move(request), nullptr);
}

absl::Status TcpConnection::SendOneway(RemotingCommand request,
                                       absl::AnyInvocable<void(absl::Status) &&> written) {
  request.opaque = NextOpaque();
  request.flag = (request.flag & ~RemotingCommand::kResponseFlag) | RemotingCommand::kOnewayFlag;
  OutFrame frame = EncodeRequest(request);
  frame.written = std::move(written);
  if (Enqueue(frame, nullptr, 0)) return absl::OkStatus();
  return CloseReason();
}

TcpConnection::OutFrame TcpConnection::EncodeRequest(RemotingCommand& request) {
  return Encode(request, request_type_.load(std::memory_order_relaxed));
}

TcpConnection::OutFrame TcpConnection::Encode(RemotingCommand& command, SerializeType type) {
  OutFrame frame;
  frame.head = std::move(ThisThreadsSpareHead());
  frame.head.clear();
  EncodeFrameHead(command, type, &frame.head);
  frame.body = std::move(command.body);
  return frame;
}

absl::Status TcpConnection::CloseReason() {
  absl::MutexLock lock(&mu_);
  return close_reason_;
}

void TcpConnection::SendResponse(RemotingCommand response, SerializeType type) {
  OutFrame frame = Encode(response, type);
  if (!Enqueue(frame, nullptr, 0)) {
    spdlog::debug("remoting: response (opaque {}) to {} dropped: the connection is closed",
                  response.opaque, remote_address_);
  }
}

void TcpConnection::OnKick() {
  {
    absl::MutexLock lock(&mu_);
    kick_posted_ = false;
  }
  StartWrite();
  Rearm();  // A new request may be due before the timer.
}

void TcpConnection::StartWrite() {
  if (writing_) return;
  {
    absl::MutexLock lock(&mu_);
    if (closed_ || !connected_ || queue_.empty()) return;
    // The emptied batch's storage becomes the next queue: no reallocation.
    writing_frames_.swap(queue_);
    write_busy_ = true;
    ++socket_writes_;
  }
  buffers_.clear();
  ForEachUnsentPart(writing_frames_, [this](const char* data, size_t size) {
    buffers_.push_back(asio::buffer(data, size));
    return true;
  });
  writing_ = true;
  asio::async_write(socket_, buffers_,
                    [self = shared_from_this()](const asio::error_code& ec, size_t) {
                      self->OnWritten(ec);
                    });
}

void TcpConnection::OnWritten(const asio::error_code& ec) {
  writing_ = false;
  {
    absl::MutexLock lock(&mu_);
    write_busy_ = false;
    for (OutFrame& frame : writing_frames_) RecycleHeadLocked(frame.head);
  }
  if (ec) CloseOnIo(absl::UnavailableError(StrCat("write failed: ", ec.message())));
  const absl::Status status = ec ? CloseReason() : absl::OkStatus();
  for (OutFrame& frame : writing_frames_) {
    if (frame.written) std::move(frame.written)(status);
  }
  writing_frames_.clear();
  if (ec) return;
  last_activity_ = Steady::now();
  StartWrite();
}

// ---- Receiving -------------------------------------------------------------------------------

void TcpConnection::ReadMore() {
  if (reading_) return;
  {
    absl::MutexLock lock(&mu_);
    if (closed_ || paused_) return;
  }
  MakeReadRoom();
  reading_ = true;
  socket_.async_read_some(
      asio::buffer(read_data_ + read_end_, kReadBufferSize - read_end_),
      [self = shared_from_this()](const asio::error_code& ec, size_t n) { self->OnRead(ec, n); });
}

void TcpConnection::NewReadBlock(size_t keep) {
  std::shared_ptr<char[]> block(new char[kReadBufferSize]);
  if (keep > 0) std::memcpy(block.get(), read_data_ + read_begin_, keep);
  read_data_ = block.get();
  read_storage_ = std::move(block);
  read_begin_ = 0;
  read_end_ = keep;
}

bool TcpConnection::ReadBlockShared() const {
  if (read_storage_.use_count() > 1) return true;
  // The bodies that held it were released, perhaps on other threads: what
  // they read happens before this thread writes the block again.
  std::atomic_thread_fence(std::memory_order_acquire);
  return false;
}

void TcpConnection::MakeReadRoom() {
  // Bytes past read_end_ are no body's: a shared block is read on into
  // while a good part of it is left.
  constexpr size_t kMinRoom = kReadBufferSize / 4;
  const size_t left = read_end_ - read_begin_;  // The start of a frame.
  if (!ReadBlockShared()) {
    if (read_begin_ > 0) std::memmove(read_data_, read_data_ + read_begin_, left);
    read_begin_ = 0;
    read_end_ = left;
  } else if (kReadBufferSize - read_end_ < kMinRoom) {
    NewReadBlock(left);
  }
}

void TcpConnection::OnRead(const asio::error_code& ec, size_t n) {
  reading_ = false;
  if (ec) {
    CloseOnIo(absl::UnavailableError(ec == asio::error::eof
                                         ? std::string("connection closed by the peer")
                                         : StrCat("read failed: ", ec.message())));
    return;
  }
  read_end_ += n;
  ParseFrames();
}

void TcpConnection::OnBigFrameRead(const asio::error_code& ec) {
  reading_ = false;
  std::string frame = std::move(big_frame_);
  big_frame_ = std::string();
  if (ec) {
    CloseOnIo(absl::UnavailableError(ec == asio::error::eof
                                         ? std::string("connection closed by the peer mid-frame")
                                         : StrCat("read failed: ", ec.message())));
    return;
  }
  frame_length_.reset();
  last_activity_ = Steady::now();
  if (HandleFrame(DecodeFrame(std::move(frame), options_.limits, options_.typed_header,
                              options_.typed_response))) {
    CompleteResponses();  // ParseFrames does not if reading is paused.
    ParseFrames();
  }
}

void TcpConnection::ParseFrames() {
  // A read in flight calls back here when it completes.
  if (reading_ || parsing_) return;
  {
    absl::MutexLock lock(&mu_);
    if (closed_ || paused_) return;
    io_parsing_ = true;
  }
  io_paused_ = false;
  parsing_ = true;
  ParseFramesBatch();
  parsing_ = false;
  CompleteResponses();  // Also ends io_parsing_.
  // One write for every answer (and request) queued while parsing.
  StartWrite();
}

void TcpConnection::ParseFramesBatch() {
  bool framed = false;
  // Only this thread closes the connection and pauses reading (a pause
  // lifted meanwhile by another thread posts ParseFrames again), so the
  // frames of one read are parsed without taking the mutex each.
  while (!io_closed_) {
    size_t available = read_end_ - read_begin_;
    if (!frame_length_.has_value()) {
      if (available < 4) break;
      auto length =
          DecodeFrameLength(std::string_view(read_data_ + read_begin_, 4), options_.limits);
      if (!length.ok()) {
        Malformed(length.status());
        return;
      }
      read_begin_ += 4;
      available -= 4;
      frame_length_ = *length;
    }
    const size_t length = *frame_length_;
    if (available >= length) {
      // Decoded in place: a body points into the block.
      const std::string_view frame(read_data_ + read_begin_, length);
      read_begin_ += length;
      frame_length_.reset();
      if (!framed) {
        // Whole frames count as activity (a peer trickling one does not);
        // one clock read serves the frames of a read.
        framed = true;
        last_activity_ = Steady::now();
      }
      if (!HandleFrame(DecodeFrame(frame, read_storage_, options_.limits, options_.typed_header,
                                   options_.typed_response))) {
        return;
      }
      if (io_paused_) return;
      continue;
    }
    if (length > kReadBufferSize) {
      // Larger than the buffer: read the rest straight into its own string.
      big_frame_.reserve(length);
      big_frame_.assign(read_data_ + read_begin_, available);
      big_frame_.resize(length);
      // Consumed, not rewound: bodies may still point into the block.
      read_begin_ = read_end_;
      reading_ = true;
      asio::async_read(socket_, asio::buffer(big_frame_.data() + available, length - available),
                       [self = shared_from_this()](const asio::error_code& ec, size_t) {
                         self->OnBigFrameRead(ec);
                       });
      return;
    }
    break;
  }
  if (!io_closed_) ReadMore();
}

bool TcpConnection::HandleFrame(absl::StatusOr<RemotingCommand> command) {
  if (!command.ok()) {
    Malformed(command.status());
    return false;
  }
  if (!command->is_response()) {
    io_paused_ = DispatchRequest(*std::move(command));
    return true;
  }
  // Matched with their requests together, under one lock, once the frames
  // of this read are parsed (CompleteResponses).
  responses_.push_back(*std::move(command));
  return true;
}

void TcpConnection::CompleteResponses() {
  {
    absl::MutexLock lock(&mu_);
    io_parsing_ = false;
    if (responses_.empty()) return;
    answered_.clear();
    for (const RemotingCommand& response : responses_) {
      answered_.push_back(pending_.Take(response.opaque));
    }
  }
  for (size_t i = 0; i < responses_.size(); ++i) {
    if (answered_[i].has_value()) {
      std::move(answered_[i]->done)(std::move(responses_[i]));
    } else {
      // Its request timed out (or the peer invented the opaque): nobody waits.
      spdlog::debug(
          "remoting: response from {} with opaque {} answers no waiting request; dropped",
          remote_address_, responses_[i].opaque);
    }
  }
  responses_.clear();
  answered_.clear();
}

bool TcpConnection::DispatchRequest(RemotingCommand request) {
  const SerializeType type = request.serialize_type;
  bool paused;
  {
    absl::MutexLock lock(&mu_);
    ++inflight_;
    if (options_.adopt_peer_type) request_type_.store(type, std::memory_order_relaxed);
    if (options_.max_inflight_requests != 0 && inflight_ >= options_.max_inflight_requests) {
      paused_ = true;  // Reading resumes in ReleaseInflight.
    }
    paused = paused_;
  }
  // The token alone, one pointer pair, fits the sink's inline storage: no
  // allocation per request.
  const AnswerPath* answer = &answer_paths_[type == SerializeType::kJson ? 0 : 1];
  Responder responder(request.opaque, request.is_oneway(),
                      [token = InflightToken(std::shared_ptr<const AnswerPath>(
                           shared_from_this(), answer))](RemotingCommand response) {
                        token.Respond(std::move(response));
                      });
  listener_->OnRequest(shared_from_this(), std::move(request), std::move(responder));
  return paused;
}

void TcpConnection::ReleaseInflight() {  // Any thread.
  absl::MutexLock lock(&mu_);
  --inflight_;
  if (paused_ && inflight_ < options_.max_inflight_requests) {
    paused_ = false;
    if (!closed_) asio::post(*io_, [self = shared_from_this()] { self->ParseFrames(); });
  }
}

// ---- Timer: request deadlines, connect timeout, idleness ---------------------------------------

TcpConnection::Steady::time_point TcpConnection::NextWakeLocked() const {
  Steady::time_point next = pending_.next_deadline();
  if (!connected_) return std::min(next, connect_deadline_);
  if (options_.idle_timeout > absl::ZeroDuration()) {
    next = std::min(next, last_activity_ + ToSteady(options_.idle_timeout));
  }
  return next;
}

void TcpConnection::Rearm() {
  Steady::time_point next;
  {
    absl::MutexLock lock(&mu_);
    if (closed_) return;
    next = NextWakeLocked();
    // A later wake-up than the armed one needs nothing: the timer fires
    // early, finds nothing due and re-arms (activity moves the idle deadline
    // on every frame; re-arming each time would cost more).
    if (next >= timer_at_) return;
    timer_at_ = next;
  }
  timer_.expires_at(next);
  timer_.async_wait([self = shared_from_this()](const asio::error_code& ec) { self->OnTimer(ec); });
}

void TcpConnection::OnTimer(const asio::error_code& ec) {
  if (ec == asio::error::operation_aborted) return;
  const Steady::time_point now = Steady::now();
  std::vector<PendingRequests::Request> expired;
  bool connect_timed_out = false;
  bool idle = false;
  {
    absl::MutexLock lock(&mu_);
    if (closed_) return;
    timer_at_ = Steady::time_point::max();
    pending_.TakeExpired(now, &expired);
    if (!connected_) {
      connect_timed_out = now >= connect_deadline_;
    } else if (options_.idle_timeout > absl::ZeroDuration()) {
      if (inflight_ != 0 || !pending_.empty() || !queue_.empty() || writing_ || wrote_directly_) {
        wrote_directly_ = false;
        last_activity_ = now;  // Busy is not idle.
      } else {
        idle = now - last_activity_ >= ToSteady(options_.idle_timeout);
      }
    }
  }
  for (PendingRequests::Request& call : expired) {
    std::move(call.done)(absl::DeadlineExceededError(
        StrCat(Describe(call.code), ": no response within ", absl::FormatDuration(call.timeout),
               " (request code ", call.code, ")")));
  }
  if (connect_timed_out) {
    CloseOnIo(absl::UnavailableError(StrCat("cannot connect: no connection within ",
                                            absl::FormatDuration(options_.connect_timeout))));
    return;
  }
  if (idle) {
    spdlog::info("remoting: closing the connection with {}: no frame for {}", remote_address_,
                 absl::FormatDuration(options_.idle_timeout));
    CloseOnIo(absl::UnavailableError(
        StrCat("closed after ", absl::FormatDuration(options_.idle_timeout), " without a frame")));
    return;
  }
  Rearm();
}

}  // namespace rmq::internal
