// Copyright 2026 The rmq Authors. Licensed under the Apache License, Version 2.0.

#include "store/store_files.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <map>
#include <tuple>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/numbers.h"
#include "common/big_endian.h"
#include "common/properties_codec.h"
#include "common/status_macros.h"
#include "common/str_cat.h"
#include "rmq/store.h"
#include "store/dispatcher.h"
#include "rmq/message.h"

namespace rmq::internal {
namespace {

namespace fs = std::filesystem;

constexpr size_t kMaxProblems = 50;
constexpr int kUnitSize = 20;
constexpr int32_t kBlankUnitSize = 0x7FFFFFFF;

bool AllZero(std::string_view bytes) {
  return std::all_of(bytes.begin(), bytes.end(), [](char c) { return c == 0; });
}

bool ParseOffsetName(const std::string& name, int64_t* offset) {
  return name.size() == 20 && absl::SimpleAtoi(name, offset) && *offset >= 0;
}

}  // namespace

absl::StatusOr<std::unique_ptr<ReadOnlyFile>> ReadOnlyFile::Open(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return absl::NotFoundError(StrCat("cannot open ", path, ": ", std::strerror(errno)));
  struct stat st;
  if (::fstat(fd, &st) != 0) {
    int err = errno;
    ::close(fd);
    return absl::InternalError(StrCat("cannot stat ", path, ": ", std::strerror(err)));
  }
  size_t size = static_cast<size_t>(st.st_size);
  const char* data = "";
  if (size > 0) {
    void* mapped = ::mmap(nullptr, size, PROT_READ, MAP_SHARED, fd, 0);
    if (mapped == MAP_FAILED) {
      int err = errno;
      ::close(fd);
      return absl::InternalError(StrCat("cannot mmap ", path, ": ", std::strerror(err)));
    }
    data = static_cast<const char*>(mapped);
  }
  ::close(fd);  // The mapping stays valid.
  return std::unique_ptr<ReadOnlyFile>(new ReadOnlyFile(path, data, size));
}

ReadOnlyFile::~ReadOnlyFile() {
  if (size_ > 0) ::munmap(const_cast<char*>(data_), size_);
}

absl::StatusOr<std::vector<Segment>> OpenSegments(const std::string& dir) {
  std::vector<Segment> segments;
  std::error_code ec;
  if (!fs::exists(dir, ec)) return segments;
  std::vector<std::string> names;
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    if (entry.is_regular_file()) names.push_back(entry.path().filename().string());
  }
  if (ec) return absl::InternalError(StrCat("cannot list ", dir, ": ", ec.message()));
  std::sort(names.begin(), names.end());
  for (const std::string& name : names) {
    Segment segment;
    if (!ParseOffsetName(name, &segment.from_offset)) {
      return absl::InvalidArgumentError(StrCat(dir, "/", name, " is not a segment (20-digit name)"));
    }
    auto file = ReadOnlyFile::Open(StrCat(dir, "/", name));
    if (!file.ok()) return file.status();
    segment.file = *std::move(file);
    segments.push_back(std::move(segment));
  }
  return segments;
}

void WalkCommitLog(const std::vector<Segment>& segments, int64_t from_offset,
                   const std::function<bool(const LogEvent&)>& visit) {
  for (size_t i = 0; i < segments.size(); ++i) {
    const Segment& segment = segments[i];
    std::string_view data = segment.file->bytes();
    if (segment.from_offset + static_cast<int64_t>(data.size()) <= from_offset) continue;
    // Records go on in the next segment if it starts with one. An all-zero
    // next segment is one created ahead (preallocated) and not yet written,
    // as a crash leaves it: the log simply ends in this one.
    const bool continued = i + 1 < segments.size() &&
                           !AllZero(segments[i + 1].file->bytes().substr(0, kEndFileMinBlankLength));
    size_t pos = 0;
    while (pos < data.size()) {
      LogEvent event;
      event.offset = segment.from_offset + static_cast<int64_t>(pos);
      auto kind = ParseRecord(data.substr(pos), /*check_crc=*/true, &event.view);
      if (kind.ok() && *kind == RecordKind::kMessage && event.view.physical_offset != event.offset) {
        kind = absl::DataLossError(StrCat("record claims physical offset ", event.view.physical_offset));
      }
      if (!kind.ok()) {
        event.kind = LogEvent::kCorrupt;
        event.problem = StrCat(segment.file->path(), " offset ", event.offset, ": ",
                               StdView(kind.status().message()));
        if (!visit(event)) return;
        break;
      }
      if (*kind == RecordKind::kBlank) break;
      if (*kind == RecordKind::kEnd) {
        if (!AllZero(data.substr(pos))) {
          event.kind = LogEvent::kTornTail;
          event.problem = StrCat(segment.file->path(), " offset ", event.offset,
                                 ": non-zero bytes after the last record (torn write)");
          if (!visit(event)) return;
        } else if (continued && pos > 0) {
          event.kind = LogEvent::kCorrupt;
          event.problem = StrCat(segment.file->path(), " ends at offset ", event.offset,
                                 " without a BLANK record, but the next segment holds records");
          if (!visit(event)) return;
        }
        break;
      }
      if (event.offset >= from_offset && !visit(event)) return;
      pos += static_cast<size_t>(event.view.total_size);
    }
  }
}

std::vector<QueueDir> ListConsumeQueues(const std::string& root) {
  std::vector<QueueDir> queues;
  std::error_code ec;
  std::string dir = root + "/consumequeue";
  if (!fs::exists(dir, ec)) return queues;
  for (const auto& topic : fs::directory_iterator(dir, ec)) {
    if (!topic.is_directory()) continue;
    for (const auto& queue : fs::directory_iterator(topic.path(), ec)) {
      int32_t id = 0;
      if (!queue.is_directory() || !absl::SimpleAtoi(queue.path().filename().string(), &id)) continue;
      queues.push_back(QueueDir{topic.path().filename().string(), id, queue.path().string()});
    }
  }
  std::sort(queues.begin(), queues.end(), [](const QueueDir& a, const QueueDir& b) {
    return std::tie(a.topic, a.queue_id) < std::tie(b.topic, b.queue_id);
  });
  return queues;
}

namespace {

// Whether the directory holds any file (a segment, or something else that
// OpenSegments will name).
bool HoldsFiles(const std::string& dir) {
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    if (entry.is_regular_file()) return true;
  }
  return false;
}

// Whether some consume queue holds a unit (a file that does not start with
// an unwritten, all-zero unit).
bool QueuesHoldUnits(const std::string& root) {
  for (const QueueDir& queue : ListConsumeQueues(root)) {
    auto files = OpenSegments(queue.path);
    if (!files.ok()) return true;  // Something is there; VerifyStore names it.
    for (const Segment& segment : *files) {
      if (!AllZero(segment.file->bytes().substr(0, kUnitSize))) return true;
    }
  }
  return false;
}

}  // namespace

absl::Status CheckStoreDirectory(const std::string& root, const std::string& commit_log_dir) {
  std::error_code ec;
  if (!fs::is_directory(root, ec)) {
    return absl::NotFoundError(StrCat("store directory ", root, " does not exist"));
  }
  const std::string log_dir = commit_log_dir.empty() ? root + "/commitlog" : commit_log_dir;
  // Without these checks a wrong directory reads as an empty store: "0
  // messages, 0 corrupt", which looks like success.
  if (!fs::is_directory(log_dir, ec)) {
    return absl::NotFoundError(StrCat("no commit log in ", log_dir, ": not a store directory?"));
  }
  if (!HoldsFiles(log_dir) && QueuesHoldUnits(root)) {
    return absl::FailedPreconditionError(
        StrCat("no commit log segment in ", log_dir, " while the consume queues in ", root,
               "/consumequeue hold units: are the commit log files missing?"));
  }
  return absl::OkStatus();
}

namespace {

// What the log says a queue unit must be.
struct ExpectedUnit {
  int64_t commit_log_offset;
  int32_t size;
  int64_t tags_code;
  bool seen_in_queue;
};

void AddProblem(VerifyReport* report, std::string problem) {
  if (report->problems.size() < kMaxProblems) report->problems.push_back(std::move(problem));
}

}  // namespace

absl::StatusOr<VerifyReport> VerifyStore(const std::string& root, const std::string& commit_log_dir) {
  VerifyReport report;
  RMQ_RETURN_IF_ERROR(CheckStoreDirectory(root, commit_log_dir));
  auto segments = OpenSegments(commit_log_dir.empty() ? root + "/commitlog" : commit_log_dir);
  if (!segments.ok()) return segments.status();
  for (size_t i = 1; i < segments->size(); ++i) {
    const Segment& prev = (*segments)[i - 1];
    if ((*segments)[i].from_offset != prev.from_offset + static_cast<int64_t>(prev.file->bytes().size())) {
      report.corrupt++;
      AddProblem(&report, StrCat((*segments)[i].file->path(), " does not follow ", prev.file->path()));
    }
  }
  // The last segment has no successor to check it against: it must have the
  // size of the one before it, or Open refuses it. (0 bytes is a segment
  // created just before a crash and not yet allocated: Open takes it as new.)
  if (segments->size() >= 2) {
    const ReadOnlyFile& last = *segments->back().file;
    const size_t want = (*segments)[segments->size() - 2].file->bytes().size();
    if (!last.bytes().empty() && last.bytes().size() != want) {
      report.corrupt++;
      AddProblem(&report, StrCat(last.path(), " has ", last.bytes().size(), " bytes, the segment before it ", want));
    }
  }
  const int64_t log_min = segments->empty() ? 0 : segments->front().from_offset;
  // SCHEDULE_TOPIC_XXXX units carry due times computed with the levels of
  // messageDelayLevel: its default here.
  static const DelayLevels levels = *DelayLevels::Parse(MessageStoreConfig().message_delay_level);

  // (topic, queue) -> queue offset -> expected unit.
  std::map<std::pair<std::string, int32_t>, absl::flat_hash_map<int64_t, ExpectedUnit>> expected;
  WalkCommitLog(*segments, 0, [&](const LogEvent& event) {
    if (event.kind != LogEvent::kRecord) {
      report.corrupt++;
      if (report.valid_end < 0) report.valid_end = event.offset;
      AddProblem(&report, event.problem);
      return true;
    }
    const RecordView& v = event.view;
    report.messages++;
    report.bytes += v.total_size;
    int32_t tx = sysflag::TransactionValue(v.sys_flag);
    if (tx == sysflag::kTransactionPreparedType || tx == sysflag::kTransactionRollbackType) return true;
    auto& units = expected[{std::string(v.topic), v.queue_id}];
    auto [it, inserted] = units.emplace(
        v.queue_offset,
        ExpectedUnit{event.offset, v.total_size,
                     UnitTagsCode(v.topic, v.properties, v.store_timestamp, levels), false});
    if (!inserted) {
      report.queue_errors++;
      AddProblem(&report, StrCat("commit log offsets ", it->second.commit_log_offset, " and ",
                                 event.offset, " both hold ", v.topic, "/", v.queue_id,
                                 " queue offset ", v.queue_offset, " (duplicate)"));
    }
    return true;
  });

  for (const QueueDir& queue : ListConsumeQueues(root)) {
    auto files = OpenSegments(queue.path);
    if (!files.ok()) return files.status();
    auto found = expected.find({queue.topic, queue.queue_id});
    // Units past the valid end: one problem for the queue, from the first.
    int64_t past_end = 0;
    int64_t first_past_end = 0;
    for (const Segment& segment : *files) {
      std::string_view data = segment.file->bytes();
      for (size_t pos = 0; pos + kUnitSize <= data.size(); pos += kUnitSize) {
        int64_t phy = GetBig64(data.data() + pos);
        int32_t size = GetBig32(data.data() + pos + 8);
        int64_t tags = GetBig64(data.data() + pos + 12);
        if (phy == 0 && size == 0 && tags == 0) break;  // End of the written units.
        if (size == kBlankUnitSize) continue;
        report.queue_units++;
        int64_t queue_offset = (segment.from_offset + static_cast<int64_t>(pos)) / kUnitSize;
        if (phy < log_min) continue;  // Points into deleted segments: expired, not wrong.
        ExpectedUnit* want = nullptr;
        if (found != expected.end()) {
          auto it = found->second.find(queue_offset);
          if (it != found->second.end()) want = &it->second;
        }
        if (want == nullptr && report.valid_end >= 0 && phy >= report.valid_end) {
          report.queue_errors++;
          if (past_end++ == 0) first_past_end = queue_offset;
          continue;
        }
        if (want == nullptr || want->commit_log_offset != phy || want->size != size ||
            want->tags_code != tags) {
          report.queue_errors++;
          AddProblem(&report, StrCat("consume queue ", queue.topic, "/", queue.queue_id,
                                     " offset ", queue_offset, " -> (", phy, ", ", size, ", ", tags,
                                     ") does not match the commit log"));
          continue;
        }
        want->seen_in_queue = true;
      }
    }
    if (past_end > 0) {
      AddProblem(&report, StrCat("consume queue ", queue.topic, "/", queue.queue_id, ": ", past_end,
                                 " units from queue offset ", first_past_end,
                                 " point past the first corrupt record, at commit log offset ",
                                 report.valid_end, ", at no record"));
    }
  }
  for (const auto& [key, units] : expected) {
    for (const auto& [queue_offset, unit] : units) {
      if (unit.seen_in_queue) continue;
      report.queue_errors++;
      AddProblem(&report, StrCat("message at commit log offset ", unit.commit_log_offset, " (",
                                 key.first, "/", key.second, " queue offset ", queue_offset,
                                 ") is missing from its consume queue"));
    }
  }
  return report;
}

}  // namespace rmq::internal
