// Copyright 2026 The rmq Authors. Licensed under the Apache License, Version 2.0.
//
// The kill test's checks after each kill (see kill_test.cc).

#include <algorithm>
#include <string>

#include "crash/kill_test.h"
#include "store/default_message_store.h"
#include "store/store_files.h"

namespace rmq::crash {
namespace {

// Reads the queues past what earlier rounds left (from 0 if `full`: then
// earlier messages must be unchanged), checks the new messages (this round's
// survivors) are genuine and adds them to the model. Returns them by put seq.
std::map<int, std::vector<Entry>> ScanQueues(internal::DefaultMessageStore& store, const Options& opt,
                                             int round, const ChildLog& log, bool full, Model& model,
                                             Failure& fail) {
  std::map<int, std::vector<Entry>> fresh;
  for (int t = 0; t < static_cast<int>(kTopics.size()); ++t) {
    for (int q = 0; q < kQueues; ++q) {
      const std::string_view topic = kTopics[static_cast<size_t>(t)];
      std::vector<Entry>& known = model.queues[{t, q}];
      const int64_t old_size = static_cast<int64_t>(known.size());
      const int64_t max = store.GetMaxOffsetInQueue(topic, q);
      if (store.GetMinOffsetInQueue(topic, q) != 0) fail("{}/{} min offset {} != 0", topic, q, store.GetMinOffsetInQueue(topic, q));
      if (max < old_size) fail("{}/{} max offset {} < {} messages known from earlier rounds", topic, q, max, old_size);
      for (int64_t offset = full ? 0 : std::min(old_size, max); offset < max;) {
        GetMessageResult got = store.Get(topic, q, offset, 32, nullptr);
        if (got.status != GetStatus::kFound || got.message_count() == 0) {
          fail("{}/{} Get at queue offset {} (max {}): {}", topic, q, offset, max, GetStatusName(got.status));
          return fresh;
        }
        for (size_t k = 0; k < got.message_count(); ++k, ++offset) {
          if (got.queue_offset(k) != offset) {
            fail("{}/{} Get returned queue offset {} where {} was expected (gap)", topic, q, got.queue_offset(k), offset);
            return fresh;
          }
          auto msg = DecodeMessage(got.record(k));
          if (!msg.ok()) {
            fail("{}/{} queue offset {}: record does not decode: {}", topic, q, offset, msg.status().ToString());
            continue;
          }
          if (msg->queue_offset != offset || msg->topic() != topic || msg->queue_id != q) {
            fail("{}/{} queue offset {} points at a record of {}/{} queue offset {}", topic, q, offset,
                 msg->topic(), msg->queue_id, msg->queue_offset);
          }
          if (offset < old_size) {
            const Entry& e = known[static_cast<size_t>(offset)];
            if (e.commit_log_offset != msg->commit_log_offset || e.hash != ContentHash(*msg)) {
              fail("{}/{} queue offset {}: {} at commit log offset {} changed (now at {}, hash {})", topic, q,
                   offset, UniqKey(e.id), e.commit_log_offset, msg->commit_log_offset,
                   e.hash == ContentHash(*msg) ? "same" : "differs");
            }
            continue;
          }
          auto id = ParseUniqKey(msg->GetProperty(property::kUniqKey));
          if (!id || id->round != round || id->seq > log.last_intent || id->seq < 0) {
            fail("{}/{} queue offset {}: message '{}' was never put in this round (last put seq {})", topic, q,
                 offset, msg->GetProperty(property::kUniqKey), log.last_intent);
            continue;
          }
          PutSpec spec = MakePut(opt.seed, round, id->seq);
          if (id->index >= static_cast<int>(spec.msgs.size())) {
            fail("{}: no such message in its put", UniqKey(*id));
            continue;
          }
          std::string diff = DiffMessage(spec.msgs[static_cast<size_t>(id->index)], *msg);
          if (!diff.empty()) fail("{}/{} queue offset {} ({}): {}", topic, q, offset, UniqKey(*id), diff);
          if (model.ids.contains(*id)) fail("{} is stored twice (again at {}/{} queue offset {})", UniqKey(*id), topic, q, offset);
          Entry e{*id, msg->commit_log_offset, msg->store_size, ContentHash(*msg)};
          model.Add({t, q}, e);
          fresh[id->seq].push_back(e);
        }
      }
    }
  }
  return fresh;
}

// Checks the acknowledged puts and batch atomicity against the scan.
void CheckPuts(internal::DefaultMessageStore& store, const Options& opt, int round, const ChildLog& log,
               const std::map<int, std::vector<Entry>>& fresh, Model& model, Totals& totals, Failure& fail) {
  for (const auto& [seq, found] : fresh) {
    PutSpec spec = MakePut(opt.seed, round, seq);
    if (found.size() != spec.msgs.size()) {
      fail("put seq {} ({} messages, batch={}) is partly stored: {} of its messages found", seq,
           spec.msgs.size(), spec.batch, found.size());
    }
    // A batch is contiguous in the log (one segment) and in its queue.
    for (size_t i = 1; i < found.size(); ++i) {
      if (found[i].commit_log_offset != found[i - 1].commit_log_offset + found[i - 1].size ||
          found[i].id.index != found[i - 1].id.index + 1) {
        fail("batch seq {}: message {} is not right after message {} in the log", seq, found[i].id.index,
             found[i - 1].id.index);
      }
    }
    if (!log.acks.contains(seq)) totals.unacked_present += static_cast<int64_t>(found.size());
  }
  for (const auto& [seq, ack] : log.acks) {
    PutSpec spec = MakePut(opt.seed, round, seq);
    totals.acked += ack.count;
    if (ack.hash != PutHash(spec)) fail("put seq {}: the child sent other content than regenerated here", seq);
    int64_t offset = ack.wrote_offset;
    bool intact = true;
    for (int i = 0; i < ack.count && intact; ++i) {
      auto msg = store.LookMessageByOffset(offset);
      if (!msg.ok()) {
        fail("acknowledged put seq {} message {}: LookMessageByOffset({}) failed: {}", seq, i, offset,
             msg.status().ToString());
        intact = false;
        break;
      }
      std::string diff = DiffMessage(spec.msgs[static_cast<size_t>(i)], *msg);
      if (!diff.empty() || msg->queue_offset != ack.queue_offset + i || msg->commit_log_offset != offset) {
        fail("acknowledged put seq {} message {} at commit log offset {}: {} (queue offset {}, acked {})", seq, i,
             offset, diff.empty() ? "offsets differ" : diff, msg->queue_offset, ack.queue_offset + i);
        intact = false;
      }
      // And the consume queue leads to the same record.
      const auto& known = model.queues[{spec.topic, spec.queue_id}];
      size_t qo = static_cast<size_t>(ack.queue_offset + i);
      if (qo >= known.size() || known[qo].commit_log_offset != offset || known[qo].id != MessageId{round, seq, i}) {
        fail("acknowledged put seq {} message {}: not in its consume queue at offset {}", seq, i, qo);
        intact = false;
      }
      offset += msg->store_size;
    }
    if (intact && offset - ack.wrote_offset != ack.wrote_bytes) {
      fail("put seq {}: records take {} bytes, the put reported {}", seq, offset - ack.wrote_offset, ack.wrote_bytes);
      intact = false;
    }
    if (intact) totals.verified += ack.count;
    // The index finds it by its unique key, once (re-dispatch must not duplicate).
    if (intact && seq % 4 == 0) {
      const MessageExt& first = spec.msgs[0];
      auto hits = store.QueryMessage(first.topic(), first.GetProperty(property::kUniqKey), 8, 0, INT64_MAX);
      if (hits.size() != 1 || hits[0].commit_log_offset != ack.wrote_offset) {
        fail("QueryMessage({}) found {} messages, want exactly the one at {}", first.GetProperty(property::kUniqKey),
             hits.size(), ack.wrote_offset);
      }
    }
  }
}

}  // namespace

// The log as the kill left it (read-only, before recovery): a record torn by
// the kill may follow the acknowledged data, but nothing within it is damaged.
void CheckCrashedLog(const Options& opt, const ChildLog& log, const Model& model, Failure& fail) {
  int64_t acked_end = model.end;
  for (const auto& [seq, ack] : log.acks) acked_end = std::max(acked_end, ack.wrote_offset + ack.wrote_bytes);
  auto segments = internal::OpenSegments(opt.dir + "/commitlog");
  if (!segments.ok()) {
    fail("cannot read the crashed commit log: {}", segments.status().ToString());
    return;
  }
  int64_t valid_end = 0;
  internal::WalkCommitLog(*segments, model.end, [&](const internal::LogEvent& event) {
    if (event.kind == internal::LogEvent::kRecord) {
      valid_end = event.offset + event.view.total_size;
    } else if (event.offset < acked_end) {
      fail("crashed log damaged inside acknowledged data (ending at {}): {}", acked_end, event.problem);
    }
    return true;
  });
  if (valid_end < acked_end && acked_end > model.end) {
    fail("crashed log: valid records end at {}, before the acknowledged end {}", valid_end, acked_end);
  }
}

// Reopens the store after the kill and checks it; then appends one message
// and closes it, and checks the files offline.
void VerifyRound(const Options& opt, int round, const ChildLog& log, bool full, Model& model, Totals& totals,
                 Failure& fail) {
  const Clock::time_point t0 = Clock::now();
  auto opened = internal::DefaultMessageStore::Open(CrashConfig(opt.dir, opt.flush), nullptr);
  if (!opened.ok()) {
    fail("reopen failed: {}", opened.status().ToString());
    return;
  }
  internal::DefaultMessageStore& store = **opened;
  const internal::OpenReport& report = store.open_report();
  if (opt.verbose) {
    std::printf("round %d: abnormal=%d scan_start=%lld end=%lld truncated=%lld %s\n", round, report.abnormal,
                static_cast<long long>(report.recovery.scan_start), static_cast<long long>(report.recovery.end_offset),
                static_cast<long long>(report.recovery.truncated_bytes), report.recovery.truncation_reason.c_str());
  }
  // The abort file exists from the child's Open until its close removes it
  // (killed while closing, either is right).
  if (log.ready && !log.closing && !report.abnormal) fail("the child was killed while open, but reopen saw no abort file");
  if (log.closed && report.abnormal) fail("the child closed cleanly, but reopen found the abort file");

  const Clock::time_point t1 = Clock::now();
  auto fresh = ScanQueues(store, opt, round, log, full, model, fail);
  CheckPuts(store, opt, round, log, fresh, model, totals, fail);
  const Clock::time_point t2 = Clock::now();

  // Appends go on where the queue ends.
  PutSpec probe = MakePut(opt.seed, round, kProbeSeq);
  const std::string_view topic = kTopics[static_cast<size_t>(probe.topic)];
  int64_t max = store.GetMaxOffsetInQueue(topic, probe.queue_id);
  auto put = store.Put(probe.msgs[0]);
  if (!put.ok() || put->status != PutStatus::kPutOk) {
    fail("put after recovery failed: {}", put.ok() ? std::string(PutStatusName(put->status)) : put.status().ToString());
  } else {
    if (put->queue_offset != max) fail("put after recovery got queue offset {}, the queue ended at {}", put->queue_offset, max);
    if (static_cast<int64_t>(model.queues[{probe.topic, probe.queue_id}].size()) == put->queue_offset) {
      model.Add({probe.topic, probe.queue_id},
                Entry{MessageId{round, kProbeSeq, 0}, put->wrote_offset, put->wrote_bytes, ContentHash(probe.msgs[0])});
    }
  }
  const Clock::time_point t3 = Clock::now();
  opened->reset();  // Clean close: flushes, writes the checkpoint, removes the abort file.
  const Clock::time_point t4 = Clock::now();

  auto verify = internal::VerifyStore(opt.dir, "");
  if (!verify.ok()) {
    fail("VerifyStore: {}", verify.status().ToString());
    return;
  }
  if (verify->corrupt != 0 || verify->queue_errors != 0 || verify->messages != model.messages) {
    fail("VerifyStore after close: {} messages (expected {}), {} corrupt, {} queue errors", verify->messages,
         model.messages, verify->corrupt, verify->queue_errors);
    for (const std::string& p : verify->problems) std::fprintf(stderr, "  problem: %s\n", p.c_str());
  }
  if (opt.verbose) {
    auto ms = [](Clock::duration d) { return std::chrono::duration<double, std::milli>(d).count(); };
    std::printf("round %d: open %.1f ms, checks %.1f ms, put %.1f ms, close %.1f ms, verify %.1f ms\n", round,
                ms(t1 - t0), ms(t2 - t1), ms(t3 - t2), ms(t4 - t3), ms(Clock::now() - t4));
  }
}

}  // namespace rmq::crash
