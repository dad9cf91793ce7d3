// Copyright 2026 The rmq Authors. Licensed under the Apache License, Version 2.0.
//
// rmq-bench tcp: Producer sends to a running server over TCP (rmq-server, or
// a real Apache RocketMQ broker: the same client code), P producer threads,
// N messages in all, S-byte bodies. The P Producers share one client
// instance (one connection) unless --clients separate: rmq's default config
// does the same for the producers of one process (one instance per process
// and name server); Java's 4.9 client gives each producer its own.
//
//   sync    each thread sends one message at a time; latency is Send's time
//   async   each thread keeps sends in flight, at most --window outstanding
//           in all; latency is from SendAsync to its callback
//   oneway  SendOneway in a loop; throughput only
//
// Baseline, measured in the same run: a raw TCP echo over loopback (an echo
// server on 127.0.0.1:0 in this process, blocking sockets, TCP_NODELAY), P
// client threads ping-ponging frames as large as a send request of this size
// (P connections whatever --clients says: it is a round trip's floor).
// Its round trip is the floor of a synchronous send: ratio_p50 = send p50 /
// echo p50.

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cerrno>
#include <cstring>
#include <limits>
#include <memory>
#include <semaphore>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/synchronization/mutex.h"
#include "bench.h"
#include "bench_stats.h"
#include "client/send_request.h"
#include "common/msg_id.h"
#include "remoting/frame_codec.h"
#include "remoting/request_code.h"
#include "rmq/clock.h"
#include "rmq/producer.h"
#include "spdlog/spdlog.h"

namespace rmq::bench {
namespace {

// The config of the benchmark's producer `p`.
ProducerConfig BenchProducerConfig(const TcpBenchOptions& o, int p) {
  ProducerConfig config;
  config.group_name = absl::StrCat("BenchTcpProducers", p);
  config.namesrv_addr = o.namesrv;
  // Producers of one instance name share its client instance: one
  // connection to the broker, one io thread.
  config.instance_name = o.clients == "shared" ? absl::StrCat("bench-tcp-", ::getpid())
                                               : absl::StrCat("bench-tcp-", ::getpid(), "-", p);
  // No compression: the bench measures the transport.
  config.compress_msg_body_over_howmuch = std::numeric_limits<int32_t>::max();
  return config;
}

// The size of a SEND_MESSAGE_V2 frame carrying a body of o.size bytes, as
// rmq's producer sends it (binary header, typical field values).
absl::StatusOr<size_t> SendFrameSize(const TcpBenchOptions& o) {
  // The request the first producer builds for one of the benchmark's messages.
  SystemClock clock;
  internal::UniqKeyGenerator ids(clock, HostAddress::Ipv4(127, 0, 0, 1, 0));
  const ProducerConfig config = BenchProducerConfig(o, 0);
  internal::PreparedSend send;
  const Message msg(o.topic, std::string(static_cast<size_t>(o.size), 'x'));
  if (absl::Status prepared = send.PrepareMessage(msg, config, ids); !prepared.ok()) {
    return prepared;
  }
  internal::RemotingCommand request =
      send.BuildRequest(MessageQueue{o.topic, "broker-a", 1}, config, clock.NowMillis(),
                        internal::Payload::Borrow(send.body()));
  request.opaque = 123456;
  std::string head;
  internal::EncodeFrameHead(request, internal::SerializeType::kRocketmq, &head);
  return head.size() + send.body().size();
}

// ---- Baseline: TCP echo over loopback ----------------------------------------

bool ReadFull(int fd, char* p, size_t n) {
  while (n > 0) {
    ssize_t r = ::read(fd, p, n);
    if (r <= 0) return false;
    p += r;
    n -= static_cast<size_t>(r);
  }
  return true;
}

bool WriteFull(int fd, const char* p, size_t n) {
  while (n > 0) {
    ssize_t r = ::write(fd, p, n);
    if (r <= 0) return false;
    p += r;
    n -= static_cast<size_t>(r);
  }
  return true;
}

void NoDelay(int fd) {
  int one = 1;
  ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
}

// Reads length-prefixed frames and writes each back, until EOF.
void EchoConnection(int fd) {
  std::string frame;
  while (true) {
    uint32_t be_length = 0;
    if (!ReadFull(fd, reinterpret_cast<char*>(&be_length), 4)) break;
    const uint32_t length = ntohl(be_length);
    frame.resize(4 + length);
    std::memcpy(frame.data(), &be_length, 4);
    if (!ReadFull(fd, frame.data() + 4, length)) break;
    if (!WriteFull(fd, frame.data(), frame.size())) break;
  }
  ::close(fd);
}

struct EchoOutcome {
  Percentiles rtt;
  double msgs_per_s = 0;
};

absl::StatusOr<EchoOutcome> RunEcho(int clients, int64_t round_trips, size_t frame_size) {
  int listener = ::socket(AF_INET, SOCK_STREAM, 0);
  if (listener < 0) return absl::InternalError("echo: socket failed");
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  socklen_t len = sizeof(addr);
  if (::bind(listener, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0 ||
      ::listen(listener, 128) != 0 ||
      ::getsockname(listener, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    ::close(listener);
    return absl::InternalError(absl::StrCat("echo: cannot listen on 127.0.0.1: ", strerror(errno)));
  }
  std::vector<std::thread> servers;
  std::thread acceptor([&] {
    for (int i = 0; i < clients; ++i) {
      int fd = ::accept(listener, nullptr, nullptr);
      if (fd < 0) break;
      NoDelay(fd);
      servers.emplace_back(EchoConnection, fd);
    }
  });

  const int64_t per_client = std::max<int64_t>(1, round_trips / clients);
  std::vector<std::vector<int64_t>> samples(static_cast<size_t>(clients));
  std::atomic<int> failures{0};
  const int64_t start = NowNs();
  std::vector<std::thread> threads;
  for (int c = 0; c < clients; ++c) {
    threads.emplace_back([&, c] {
      int fd = ::socket(AF_INET, SOCK_STREAM, 0);
      if (fd < 0 || ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
        failures.fetch_add(1);
        if (fd >= 0) ::close(fd);
        return;
      }
      NoDelay(fd);
      std::string frame(std::max<size_t>(frame_size, 8), 'x');
      const uint32_t be_length = htonl(static_cast<uint32_t>(frame.size() - 4));
      std::memcpy(frame.data(), &be_length, 4);
      std::string back(frame.size(), '\0');
      auto& mine = samples[static_cast<size_t>(c)];
      mine.reserve(static_cast<size_t>(per_client));
      for (int64_t i = 0; i < per_client; ++i) {
        const int64_t t0 = NowNs();
        if (!WriteFull(fd, frame.data(), frame.size()) || !ReadFull(fd, back.data(), back.size())) {
          failures.fetch_add(1);
          break;
        }
        mine.push_back(NowNs() - t0);
      }
      ::close(fd);
    });
  }
  for (auto& t : threads) t.join();
  const double seconds = static_cast<double>(NowNs() - start) / 1e9;
  ::shutdown(listener, SHUT_RDWR);
  acceptor.join();
  ::close(listener);
  for (auto& t : servers) t.join();
  if (failures.load() > 0) return absl::InternalError("echo: a connection failed");
  EchoOutcome out;
  out.rtt = MergedPercentiles(samples);
  out.msgs_per_s = static_cast<double>(per_client * clients) / seconds;
  return out;
}

// ---- rmq's Producer over TCP ------------------------------------------------

struct SendOutcome {
  int64_t attempted = 0;
  int64_t completed = 0;  // sends that succeeded (oneway: handed to the socket)
  int64_t errors = 0;
  double seconds = 0;
  Percentiles latency;
  std::string first_error;
};

absl::StatusOr<SendOutcome> RunSends(const TcpBenchOptions& o) {
  std::vector<std::unique_ptr<Producer>> producers;
  for (int p = 0; p < o.producers; ++p) {
    producers.push_back(std::make_unique<Producer>(BenchProducerConfig(o, p)));
    if (auto s = producers.back()->Start(); !s.ok()) return s;
    // One synchronous send first: learns the route (and lets a broker with
    // autoCreateTopicEnable create the topic) before the clock starts.
    auto warm = producers.back()->Send(Message(o.topic, "warmup", "warmup"));
    if (!warm.ok()) return warm.status();
  }

  const int64_t per_producer = std::max<int64_t>(1, o.count / o.producers);
  SendOutcome out;
  out.attempted = per_producer * o.producers;
  std::vector<std::vector<int64_t>> samples(static_cast<size_t>(o.producers));
  std::atomic<int64_t> completed{0}, errors{0};
  absl::Mutex error_mu;
  std::string first_error;
  auto note_error = [&](const absl::Status& s) {
    errors.fetch_add(1, std::memory_order_relaxed);
    absl::MutexLock lock(&error_mu);
    if (first_error.empty()) first_error = s.ToString();
  };
  std::counting_semaphore<> window(std::max(1, o.window));
  absl::Mutex samples_mu;  // async: callbacks run on rmq's threads

  const int64_t start = NowNs();
  std::vector<std::thread> threads;
  for (int p = 0; p < o.producers; ++p) {
    threads.emplace_back([&, p] {
      Producer& producer = *producers[static_cast<size_t>(p)];
      auto& mine = samples[static_cast<size_t>(p)];
      mine.reserve(static_cast<size_t>(per_producer));
      const std::string body(static_cast<size_t>(o.size), 'x');
      for (int64_t i = 0; i < per_producer; ++i) {
        if (o.mode == "sync") {
          const int64_t t0 = NowNs();
          auto sent = producer.Send(Message(o.topic, body));
          mine.push_back(NowNs() - t0);
          if (sent.ok()) {
            completed.fetch_add(1, std::memory_order_relaxed);
          } else {
            note_error(sent.status());
          }
        } else if (o.mode == "async") {
          window.acquire();
          const int64_t t0 = NowNs();
          producer.SendAsync(Message(o.topic, body), [&, t0, p](absl::StatusOr<SendResult> sent) {
            const int64_t elapsed = NowNs() - t0;
            if (sent.ok()) {
              {
                absl::MutexLock lock(&samples_mu);
                samples[static_cast<size_t>(p)].push_back(elapsed);
              }
              completed.fetch_add(1, std::memory_order_relaxed);
            } else {
              note_error(sent.status());
            }
            window.release();
          });
        } else {
          absl::Status s = producer.SendOneway(Message(o.topic, body));
          if (s.ok()) {
            completed.fetch_add(1, std::memory_order_relaxed);
          } else {
            note_error(s);
          }
        }
        if (p == 0 && (i + 1) % std::max<int64_t>(1, per_producer / 10) == 0) {
          std::fprintf(stderr, "tcp %s: %lld of %lld sent by thread 0\n", o.mode.c_str(),
                       static_cast<long long>(i + 1), static_cast<long long>(per_producer));
        }
      }
    });
  }
  for (auto& t : threads) t.join();
  if (o.mode == "async") {
    // Every outstanding send holds a window slot: taking all of them back
    // means every callback ran.
    for (int i = 0; i < std::max(1, o.window); ++i) window.acquire();
    for (int i = 0; i < std::max(1, o.window); ++i) window.release();
  }
  out.seconds = static_cast<double>(NowNs() - start) / 1e9;
  for (auto& producer : producers) producer->Shutdown();
  out.completed = completed.load();
  out.errors = errors.load();
  {
    absl::MutexLock lock(&samples_mu);
    out.latency = MergedPercentiles(samples);
  }
  absl::MutexLock lock(&error_mu);
  out.first_error = first_error;
  return out;
}

// One round: the echo baseline, then rmq's sends, and their figures.
struct TcpRound {
  EchoOutcome echo;
  SendOutcome sends;
  double msgs_per_s = 0;
  double ratio_p50 = 0;  // sync: send p50 / echo p50
};

absl::StatusOr<TcpRound> RunTcpRound(const TcpBenchOptions& options, size_t frame_size) {
  const int64_t echo_round_trips = options.echo_count > 0 ? options.echo_count
                                                          : std::min<int64_t>(options.count, 20000);
  std::fprintf(stderr, "baseline: TCP echo of %zu-byte frames, %d client(s), %lld round trips...\n",
               frame_size, options.producers, static_cast<long long>(echo_round_trips));
  TcpRound round;
  auto echo = RunEcho(options.producers, echo_round_trips, frame_size);
  if (!echo.ok()) return echo.status();
  round.echo = *echo;
  std::fprintf(stderr, "baseline: echo rtt p50 %.1f us p99 %.1f us (%.0f round trips/s)\n",
               echo->rtt.p50_us, echo->rtt.p99_us, echo->msgs_per_s);

  std::fprintf(stderr, "tcp %s: %d producer(s) -> %s, %lld messages of %lld bytes\n",
               options.mode.c_str(), options.producers, options.namesrv.c_str(),
               static_cast<long long>(options.count), static_cast<long long>(options.size));
  auto sends = RunSends(options);
  if (!sends.ok()) return sends.status();
  round.sends = *std::move(sends);
  if (round.sends.errors > 0) {
    std::fprintf(stderr, "tcp %s: %lld sends failed, first: %s\n", options.mode.c_str(),
                 static_cast<long long>(round.sends.errors), round.sends.first_error.c_str());
  }
  round.msgs_per_s = round.sends.seconds > 0
                         ? static_cast<double>(round.sends.completed) / round.sends.seconds
                         : 0;
  round.ratio_p50 =
      round.echo.rtt.p50_us > 0 ? round.sends.latency.p50_us / round.echo.rtt.p50_us : 0.0;
  return round;
}

// One figure of every round, in round order.
template <typename Of>
std::vector<double> Figures(const std::vector<TcpRound>& rounds, Of of) {
  std::vector<double> values;
  for (const TcpRound& r : rounds) values.push_back(of(r));
  return values;
}

}  // namespace

int RunTcpBench(const TcpBenchOptions& options) {
  spdlog::set_level(spdlog::level::warn);
  const absl::StatusOr<size_t> frame = SendFrameSize(options);
  if (!frame.ok()) {
    std::fprintf(stderr, "rmq-bench tcp: %s\n", frame.status().ToString().c_str());
    return 1;
  }
  const size_t frame_size = *frame;
  std::vector<TcpRound> rounds;
  int64_t errors = 0;                // over all rounds
  int64_t completed = -1;            // the fewest of any round
  bool all_completed = true;
  for (int r = 1; r <= options.rounds; ++r) {
    auto round = RunTcpRound(options, frame_size);
    if (!round.ok()) {
      std::fprintf(stderr, "rmq-bench tcp: %s\n", round.status().ToString().c_str());
      return 1;
    }
    if (options.rounds > 1) {
      std::fprintf(stderr, "round %d of %d: %.0f msgs/s p50 %.1f us, echo p50 %.1f us\n", r,
                   options.rounds, round->msgs_per_s, round->sends.latency.p50_us,
                   round->echo.rtt.p50_us);
    }
    errors += round->sends.errors;
    completed = completed < 0 ? round->sends.completed : std::min(completed, round->sends.completed);
    all_completed = all_completed && round->sends.completed == round->sends.attempted;
    rounds.push_back(*std::move(round));
  }
  // With several rounds every figure is the median of the rounds', and
  // ratio_p50 the median of each round's own (its sends against its echo).
  const auto median = [&rounds](auto of) { return Median(Figures(rounds, of)); };
  const auto rate = [](const TcpRound& r) { return r.msgs_per_s; };
  const auto ratio = [](const TcpRound& r) { return r.ratio_p50; };
  std::string line = absl::StrCat(
      "bench=tcp mode=", options.mode, " producers=", options.producers,
      " clients=", options.clients, " size=", options.size, " rounds=", options.rounds,
      " count=", rounds.back().sends.attempted, " completed=", completed,
      " errors=", errors,
      " seconds=", absl::StrFormat("%.3f", median([](const TcpRound& r) { return r.sends.seconds; })),
      " msgs_per_sec=", absl::StrFormat("%.0f", median(rate)));
  if (options.mode != "oneway") {
    absl::StrAppend(
        &line, " p50_us=",
        absl::StrFormat("%.1f", median([](const TcpRound& r) { return r.sends.latency.p50_us; })),
        " p99_us=",
        absl::StrFormat("%.1f", median([](const TcpRound& r) { return r.sends.latency.p99_us; })));
  }
  absl::StrAppend(
      &line, " frame_bytes=", frame_size, " echo_p50_us=",
      absl::StrFormat("%.1f", median([](const TcpRound& r) { return r.echo.rtt.p50_us; })),
      " echo_p99_us=",
      absl::StrFormat("%.1f", median([](const TcpRound& r) { return r.echo.rtt.p99_us; })),
      " echo_round_trips_per_sec=",
      absl::StrFormat("%.0f", median([](const TcpRound& r) { return r.echo.msgs_per_s; })));
  if (options.mode == "sync") {
    absl::StrAppend(&line, " ratio_p50=", absl::StrFormat("%.3f", median(ratio)));
  }
  absl::StrAppend(&line, " msgs_per_sec_rounds=", JoinFixed(Figures(rounds, rate), 0));
  if (options.mode == "sync") {
    absl::StrAppend(&line, " ratio_p50_rounds=", JoinFixed(Figures(rounds, ratio), 3));
  }
  std::printf("%s\n", line.c_str());
  return errors == 0 && all_completed ? 0 : 1;
}

}  // namespace rmq::bench
