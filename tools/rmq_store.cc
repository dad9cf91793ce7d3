// Copyright 2026 The rmq Authors. Licensed under the Apache License, Version 2.0.
//
// rmq-store: offline inspection of a store directory. Read-only: it never
// recovers, truncates or locks, so it shows a store exactly as it is.
//
//   rmq-store verify DIR     check every record and consume queue unit
//   rmq-store dump DIR [--topic T [--queue Q]] [--from OFFSET] [--count N]
//
// Exit status: 0 fine, 1 problems found, 2 a bad command line or no store.

#include <cstdio>
#include <string>

#include "CLI/CLI.hpp"
#include "cli_checks.h"
#include "common/msg_id.h"
#include "common/record_codec.h"
#include "common/str_cat.h"
#include "rmq/message.h"
#include "store/store_files.h"

namespace rmq::internal {
namespace {

// Bytes as printable text: non-printable bytes as \xNN, at most `limit` bytes.
std::string Printable(std::string_view bytes, size_t limit) {
  std::string out;
  for (size_t i = 0; i < bytes.size() && i < limit; ++i) {
    unsigned char c = static_cast<unsigned char>(bytes[i]);
    if (c >= 0x20 && c < 0x7f && c != '\\') {
      out.push_back(static_cast<char>(c));
    } else {
      out += StrCat("\\x", fmt::format("{:02x}", c));
    }
  }
  if (bytes.size() > limit) out += "...";
  return out;
}

void PrintRecord(int64_t offset, std::string_view record) {
  auto msg = DecodeRecord(record);
  if (!msg.ok()) {
    std::printf("offset=%lld corrupt: %s\n", static_cast<long long>(offset),
                std::string(msg.status().message()).c_str());
    return;
  }
  std::string props;
  for (const auto& [key, value] : msg->properties()) props += StrCat(props.empty() ? "" : ",", key, "=", Printable(value, 64));
  std::printf("offset=%lld size=%d topic=%s queueId=%d queueOffset=%lld storeTime=%lld bornTime=%lld "
              "bornHost=%s storeHost=%s msgId=%s sysFlag=%d reconsumeTimes=%d properties={%s} body=\"%s\"\n",
              static_cast<long long>(offset), msg->store_size, msg->topic().c_str(), msg->queue_id,
              static_cast<long long>(msg->queue_offset), static_cast<long long>(msg->store_timestamp),
              static_cast<long long>(msg->born_timestamp), msg->born_host.ToString().c_str(),
              msg->store_host.ToString().c_str(), msg->OffsetMsgId().c_str(), msg->sys_flag,
              msg->reconsume_times, props.c_str(), Printable(msg->body(), 128).c_str());
}

int Verify(const std::string& dir) {
  auto report = VerifyStore(dir, "");  // Checks the directory first (CheckStoreDirectory).
  if (!report.ok()) {
    std::fprintf(stderr, "rmq-store: %s\n", std::string(report.status().message()).c_str());
    // No store there is a usage error (2); a store it cannot walk (a segment
    // missing or of the wrong size, a stray file among the segments) is a
    // problem found (1). Asked only on failure: the check runs once.
    return CheckStoreDirectory(dir, "").ok() ? 1 : 2;
  }
  for (const std::string& problem : report->problems) std::fprintf(stderr, "problem: %s\n", problem.c_str());
  if (report->valid_end >= 0) {
    std::fprintf(stderr,
                 "the log is sound up to commit log offset %lld, its first corrupt record; a "
                 "recovery that scans that far ends the log there\n",
                 static_cast<long long>(report->valid_end));
  }
  std::printf("%lld queue units checked, %lld queue errors\n",
              static_cast<long long>(report->queue_units), static_cast<long long>(report->queue_errors));
  std::printf("%lld messages, %lld bytes, %lld corrupt\n", static_cast<long long>(report->messages),
              static_cast<long long>(report->bytes), static_cast<long long>(report->corrupt));
  return report->ok() ? 0 : 1;
}

int Dump(const std::string& dir, const std::string& topic, int queue, int64_t from, int64_t count) {
  if (absl::Status store = CheckStoreDirectory(dir, ""); !store.ok()) {
    std::fprintf(stderr, "rmq-store: %s\n", std::string(store.message()).c_str());
    return 2;
  }
  auto segments = OpenSegments(dir + "/commitlog");
  if (!segments.ok()) {
    std::fprintf(stderr, "rmq-store: %s\n", std::string(segments.status().message()).c_str());
    return 2;
  }
  int64_t printed = 0;
  // Without a topic, --from is a commit log offset; with one, a queue offset
  // (records are then picked from the log by their queue fields).
  int64_t log_from = topic.empty() ? from : 0;
  WalkCommitLog(*segments, log_from, [&](const LogEvent& event) {
    if (event.kind != LogEvent::kRecord) {
      std::printf("offset=%lld %s\n", static_cast<long long>(event.offset), event.problem.c_str());
      return true;
    }
    const RecordView& v = event.view;
    if (!topic.empty()) {
      if (v.topic != topic || (queue >= 0 && v.queue_id != queue) || v.queue_offset < from) return true;
    }
    // BORNHOST sits at a fixed position, so it locates the record's start.
    const char* start = v.born_host.data() - kBornHostPos;
    PrintRecord(event.offset, std::string_view(start, static_cast<size_t>(v.total_size)));
    return ++printed < count;
  });
  return 0;
}

}  // namespace
}  // namespace rmq::internal

int main(int argc, char** argv) {
  CLI::App app{"rmq-store: inspect an rmq (RocketMQ-format) store directory, read-only"};
  app.require_subcommand(1);
  std::string dir;
  auto* verify = app.add_subcommand("verify", "check every record and every consume queue unit");
  verify->add_option("DIR", dir, "store root directory (storePathRootDir)")->required();
  std::string topic;
  int queue = -1;
  int64_t from = 0;
  int64_t count = INT64_MAX;
  auto* dump = app.add_subcommand("dump", "print records readably");
  dump->add_option("DIR", dir, "store root directory")->required();
  auto* topic_option =
      dump->add_option("--topic", topic, "only this topic (then --from is a queue offset)");
  // Without --topic a queue id picks nothing out: refused, not ignored.
  dump->add_option("--queue", queue, "only this queue id (with --topic)")
      ->check(rmq::tools::IntegerIn(0, INT32_MAX))
      ->needs(topic_option);
  dump->add_option("--from", from, "start offset: commit log offset, or queue offset with --topic")
      ->check(rmq::tools::IntegerIn(0));
  dump->add_option("--count", count, "print at most this many records (at least 1)")
      ->check(rmq::tools::IntegerIn(1));
  if (auto exit_code = rmq::tools::ParseCommandLine(app, argc, argv)) return *exit_code;
  if (verify->parsed()) return rmq::internal::Verify(dir);
  return rmq::internal::Dump(dir, topic, queue, from, count);
}
