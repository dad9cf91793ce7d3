// Copyright 2026 The rmq Authors. Licensed under the Apache License, Version 2.0.
//
// One TCP connection carrying RocketMQ remoting frames (frame_codec.h), the
// part the server (tcp_server.h) and the client (tcp_client_transport.h)
// share. Both ends of a remoting connection send requests and answer them,
// so a TcpConnection does both: it is the Channel a server hands its handler,
// and the connection a client transport sends its requests through.
//
// Threads. Every socket and timer operation runs on one io thread (IoLoop);
// requests and responses are queued from any thread under the connection's
// mutex and the io thread is kicked to write them. Handlers run on the io
// thread only if they never block (the owner, Listener, hands the others to
// a HandlerPool); frames queued on the io thread while it parses what one
// read brought need no kick: they go out in one write after the parse.
//
// Reading. Frames are parsed out of a 64 KiB read buffer (many small frames
// per read call) and decoded in place, their bodies sharing the buffer; a
// frame larger than the buffer is read straight into its own string. A
// frame that fails to decode closes the connection (logged at warn with the
// peer's address): the stream can no longer be trusted.
//
// Writing. Each queued frame is its encoded head plus the body's chunks,
// kept alive by the queued Payload; all frames queued while a write is in
// flight go out in the next gather write. Bodies are never copied. A frame
// sent when no write is in flight is written by the sending thread itself,
// with whatever is queued ahead of it (a non-blocking sendmsg under the
// mutex), so a lone request or answer wakes no io thread; what the socket
// does not take stays queued for the io thread. Answers made on the io
// thread while it parses one read's frames are queued and leave in one
// write after the parse. A request that may wait (WritePolicy::kBatch: an
// async send) and comes within batch_window of the last such request
// written directly is queued for the io thread instead, so that a stream of
// requests leaves in a few gather writes, not one sendmsg each (a sendmsg
// costs more in the kernel than the rest of a send); a request someone
// waits for (kNow) is written at once, taking the queue along.
//
// Requests this side sends wait in a table keyed by opaque; a response with
// that opaque completes them, once (PendingRequests). The responses one read
// brings are matched together, under one lock, after that read's frames are
// parsed, and complete in the order they came. The connection's one
// timer serves their deadlines and also closes the connection when idle;
// timeouts use real (steady) time.
//
// Backpressure. With max_inflight_requests set, the connection stops
// reading once that many of the peer's requests are unanswered and resumes
// when they drain, so a peer that floods requests is slowed by TCP, and
// nothing is dropped.

#ifndef RMQ_REMOTING_TCP_CONNECTION_H_
#define RMQ_REMOTING_TCP_CONNECTION_H_

#include <array>
#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/container/inlined_vector.h"
#include "absl/functional/any_invocable.h"
#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "asio.hpp"
#include "remoting/frame_codec.h"
#include "remoting/io_loop.h"
#include "remoting/pending_requests.h"
#include "remoting/transport.h"

namespace rmq::internal {

// How a request of ours leaves when no write is in flight.
enum class WritePolicy : uint8_t {
  // Written by the calling thread at once: someone waits for the answer (a
  // sync request) or the request is the only one in a while.
  kNow,
  // May be queued for the io thread's next gather write when another
  // request was written directly less than batch_window ago (async sends
  // streaming out); it then leaves as soon as the io thread runs.
  kBatch,
};

struct TcpConnectionOptions {
  FrameLimits limits;
  // Closes the connection after this long with no frame read or written and
  // nothing in flight (0: never). Counting whole frames rather than bytes
  // also closes a peer that trickles a frame it never completes.
  absl::Duration idle_timeout = absl::Seconds(120);
  // Stops reading while this many of the peer's requests are unanswered
  // (0: no limit).
  size_t max_inflight_requests = 0;
  // The header type of requests this side starts.
  SerializeType request_type = SerializeType::kRocketmq;
  // Whether requests this side starts switch to the type of the last request
  // the peer sent (a server calling a client back speaks the client's type).
  bool adopt_peer_type = false;
  // A connection still connecting after this long fails.
  absl::Duration connect_timeout = absl::Seconds(3);
  // Decodes the headers of the requests it knows straight from their frames
  // (DecodeFrame); null: every request's fields go to ext_fields.
  TypedHeaderDecoder typed_header = nullptr;
  // The same for the responses it recognises (by code and fields); null:
  // every response's fields go to ext_fields.
  TypedHeaderDecoder typed_response = nullptr;
  // A kBatch request within this long after the last direct write is queued
  // for the io thread (0: every request is written directly when it can be).
  absl::Duration batch_window = absl::ZeroDuration();
};

class TcpConnection final : public Channel, public std::enable_shared_from_this<TcpConnection> {
 public:
  using Steady = std::chrono::steady_clock;

  // What the owner does with what arrives. Called on the io thread.
  class Listener {
   public:
    virtual ~Listener() = default;
    // A request from the peer; `responder` writes the answer on `connection`
    // in the request's serialize type. Hand it to a HandlerPool, don't block.
    virtual void OnRequest(const std::shared_ptr<TcpConnection>& connection,
                           RemotingCommand request, Responder responder) = 0;
    // The connection closed (once); `reason` says why.
    virtual void OnClosed(const std::shared_ptr<TcpConnection>& connection,
                          const absl::Status& reason) = 0;
  };

  // `listener` (not owned) must outlive the io thread's work.
  TcpConnection(std::shared_ptr<asio::io_context> io, std::string remote_address,
                TcpConnectionOptions options, Listener* listener);
  ~TcpConnection() override;

  // Starts an accepted connection. Io thread.
  void Start(asio::ip::tcp::socket socket);
  // Connects to `host`:`port` (resolving names), then starts. Frames queued
  // meanwhile are written once connected. Any thread.
  void Connect(std::string host, uint16_t port);
  // Closes with `reason` (logged at debug). Any thread; no-op once closed.
  void Close(absl::Status reason);

  // Channel.
  const std::string& remote_address() const override { return remote_address_; }
  // Parsed once: a broker stamps it on every message the peer sends.
  std::optional<HostAddress> remote_host() const override { return remote_host_; }
  bool active() const override;
  // Connected and not closed (a connecting connection is active, not connected).
  bool connected() const;
  // Writes started on the socket so far: direct writes and gather writes
  // (tests check that frames share writes).
  size_t socket_writes() const;
  // `done` runs once: on the io thread with the response, a timeout or the
  // connection's end; on the caller's thread if already closed.
  void InvokeAsync(RemotingCommand request, absl::Duration timeout,
                   ResponseCallback done) override;
  // As above, leaving as `policy` says (the Channel's InvokeAsync: kNow).
  void InvokeAsync(RemotingCommand request, absl::Duration timeout, ResponseCallback done,
                   WritePolicy policy);
  void InvokeOneway(RemotingCommand request) override;
  // As InvokeOneway; `written` learns when the frame has reached the socket
  // (OK) or why it never will (the connection's close reason, Unavailable).
  // Returns the close reason, not calling `written`, if already closed.
  absl::Status SendOneway(RemotingCommand request,
                          absl::AnyInvocable<void(absl::Status) &&> written);

 private:
  struct OutFrame {
    std::string head;
    Payload body;  // Keeps the body's chunks alive until written.
    absl::AnyInvocable<void(absl::Status) &&> written;  // Usually empty.
    size_t sent = 0;  // Bytes of it a direct write already sent (first frame only).
  };
  // The `written` callbacks of frames a direct write sent whole, run once
  // the mutex is released (usually none: only oneway frames have one).
  using WrittenCallbacks = absl::InlinedVector<absl::AnyInvocable<void(absl::Status) &&>, 1>;
  // Where an answer goes: this connection, in the request's header type.
  struct AnswerPath {
    TcpConnection* connection;
    SerializeType type;
  };
  // Counts one of the peer's requests in flight until destroyed, and sends
  // its answer (it lives in the request's Responder sink).
  class InflightToken;

  // Calls add(data, size) for the bytes of `frames` not yet written, in
  // order (a direct write may have sent the first frame's beginning), until
  // add returns false.
  template <typename Add>
  static void ForEachUnsentPart(const std::vector<OutFrame>& frames, Add add) {
    for (const OutFrame& frame : frames) {
      size_t skip = frame.sent;
      auto part = [&](std::string_view bytes) {
        if (bytes.empty()) return true;
        if (skip >= bytes.size()) {
          skip -= bytes.size();
          return true;
        }
        const bool more = add(bytes.data() + skip, bytes.size() - skip);
        skip = 0;
        return more;
      };
      if (!part(frame.head)) return;
      for (std::string_view chunk : frame.body.chunks()) {
        if (!part(chunk)) return;
      }
    }
  }

  // Queues an encoded frame (and, for a request, what waits for its answer,
  // under `opaque`) and kicks the io thread, or writes it at once (see the
  // file comment; `now` is the time a kBatch frame is sent). False, leaving
  // both unmoved, if closed.
  bool Enqueue(OutFrame& frame, PendingRequests::Request* request, int32_t opaque,
               WritePolicy policy = WritePolicy::kNow, Steady::time_point now = {});
  // Keeps a written frame's head for a later frame to encode into: a head
  // is allocated once, not per request (and not freed on the io thread after
  // the sending thread allocated it, which makes the two contend in malloc).
  // Enqueue hands one back to the thread that queues a frame.
  void RecycleHeadLocked(std::string& head) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Whether a `policy` frame sent at `now` waits for the io thread's write.
  bool BatchLocked(WritePolicy policy, Steady::time_point now) const
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // A request of ours, encoded in the header type the peer last used.
  OutFrame EncodeRequest(RemotingCommand& request);
  // `command` as a frame in `type`, its head in this thread's spare buffer.
  static OutFrame Encode(RemotingCommand& command, SerializeType type);
  // Why the connection closed (OK while open).
  absl::Status CloseReason();
  void KickLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Writes queue_ on the calling thread, without blocking, as far as the
  // socket takes it, and drops the frames sent whole (their `written`
  // callbacks go to `written`).
  void WriteQueueNowLocked(WrittenCallbacks* written) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void SendResponse(RemotingCommand response, SerializeType type);
  void ReleaseInflight();

  // Io thread.
  void StartConnect(const std::string& host, uint16_t port);
  void OnConnect(const asio::error_code& ec);
  void OnKick();
  void StartWrite();
  void OnWritten(const asio::error_code& ec);
  void ReadMore();
  void OnRead(const asio::error_code& ec, size_t n);
  void OnBigFrameRead(const asio::error_code& ec);
  void ParseFrames();
  void ParseFramesBatch();
  // Dispatches a decoded request or keeps a response for
  // CompleteResponses; false (the connection closed) if it did not decode.
  bool HandleFrame(absl::StatusOr<RemotingCommand> command);
  // Ends io_parsing_ and completes the requests the responses kept since
  // answer, taking them from pending_ under one lock.
  void CompleteResponses();
  // Makes room past read_end_ for the next read (see read_storage_).
  void MakeReadRoom();
  // Replaces the read block by a fresh one holding the `keep` bytes from
  // read_begin_ on.
  void NewReadBlock(size_t keep);
  // Whether a decoded body still points into the read block.
  bool ReadBlockShared() const;
  // Hands a request to the listener; true if reading is paused now.
  bool DispatchRequest(RemotingCommand request);
  void OnTimer(const asio::error_code& ec);
  void Rearm();
  Steady::time_point NextWakeLocked() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void CloseOnIo(absl::Status reason);
  void Malformed(const absl::Status& reason);
  std::string Describe(int32_t code) const;

  const std::shared_ptr<asio::io_context> io_;
  const std::string remote_address_;
  const std::optional<HostAddress> remote_host_;
  const TcpConnectionOptions options_;
  Listener* const listener_;
  const Steady::duration batch_window_;  // options_.batch_window.
  const std::array<AnswerPath, 2> answer_paths_;  // JSON, ROCKETMQ.

  mutable absl::Mutex mu_;
  bool closed_ ABSL_GUARDED_BY(mu_) = false;
  bool connected_ ABSL_GUARDED_BY(mu_) = false;
  bool kick_posted_ ABSL_GUARDED_BY(mu_) = false;
  // The socket's descriptor while connected (-1 once closed): a thread that
  // finds nothing queued or being written writes its frame itself, under
  // mu_, rather than waking the io thread.
  int fd_ ABSL_GUARDED_BY(mu_) = -1;
  bool write_busy_ ABSL_GUARDED_BY(mu_) = false;     // An async write is in flight.
  bool wrote_directly_ ABSL_GUARDED_BY(mu_) = false;  // Since the timer last looked.
  // When a kBatch request was last written directly (BatchLocked). It
  // starts a whole window back, so the first one is written at once; the
  // steady clock's zero is the machine's boot, which may be less than a
  // window ago.
  Steady::time_point last_direct_batchable_ ABSL_GUARDED_BY(mu_);
  size_t socket_writes_ ABSL_GUARDED_BY(mu_) = 0;  // socket_writes().
  bool io_parsing_ ABSL_GUARDED_BY(mu_) = false;     // The io thread is in ParseFrames.
  std::vector<OutFrame> queue_ ABSL_GUARDED_BY(mu_);
  std::vector<std::string> spare_heads_ ABSL_GUARDED_BY(mu_);  // RecycleHeadLocked.
  PendingRequests pending_ ABSL_GUARDED_BY(mu_);
  Steady::time_point timer_at_ ABSL_GUARDED_BY(mu_) = Steady::time_point::max();
  size_t inflight_ ABSL_GUARDED_BY(mu_) = 0;
  bool paused_ ABSL_GUARDED_BY(mu_) = false;
  // The header type of our requests (the peer's, with adopt_peer_type).
  std::atomic<SerializeType> request_type_;
  std::atomic<bool> open_{true};  // !closed_, read without the mutex (active()).
  Steady::time_point connect_deadline_ ABSL_GUARDED_BY(mu_) = Steady::time_point::max();
  absl::Status close_reason_ ABSL_GUARDED_BY(mu_);

  // Io thread only.
  asio::ip::tcp::socket socket_;
  asio::ip::tcp::resolver resolver_;
  asio::steady_timer timer_;
  Steady::time_point last_activity_;
  bool writing_ = false;
  std::vector<OutFrame> writing_frames_;
  std::vector<asio::const_buffer> buffers_;
  bool reading_ = false;
  bool parsing_ = false;  // In ParseFrames: frames queued now are written after it.
  bool io_closed_ = false;  // closed_, which only this thread sets.
  // paused_ as the last request dispatched left it: parsing stops there.
  bool io_paused_ = false;
  // Responses parsed from the current read, and the requests they answer.
  std::vector<RemotingCommand> responses_;
  std::vector<std::optional<PendingRequests::Request>> answered_;
  // The read buffer, a block shared with the bodies decoded from it (frames
  // are decoded in place). Reading goes on into its free end; it is reused
  // from the start once no body holds it, else a fresh one takes over.
  std::shared_ptr<const void> read_storage_;
  char* read_data_ = nullptr;  // read_storage_'s bytes.
  size_t read_begin_ = 0;
  size_t read_end_ = 0;
  std::optional<uint32_t> frame_length_;  // Of the frame being read, once known.
  std::string big_frame_;                 // A frame larger than read_buf_.
};

}  // namespace rmq::internal

#endif  // RMQ_REMOTING_TCP_CONNECTION_H_
