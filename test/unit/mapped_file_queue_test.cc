// Copyright 2026 The rmq Authors. Licensed under the Apache License, Version 2.0.
//
// MappedFileQueue: a log of equal-size segments in one directory.

#include <catch2/catch.hpp>
#include <fcntl.h>
#include <linux/fiemap.h>
#include <linux/fs.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "store/mapped_file_queue.h"
#include "support/temp_dir.h"

namespace rmq::internal {
namespace {

namespace fs = std::filesystem;

constexpr int64_t kSize = 4096;

std::string SegmentPath(const std::string& dir, int64_t offset) {
  return dir + "/" + MappedFile::FileNameForOffset(offset);
}

// Appends `bytes` at the queue's end the way a log writer does: the segment
// for the end offset, then the bytes, then the wrote position. Bytes must
// not cross a segment end.
void Append(MappedFileQueue& queue, std::string_view bytes) {
  int64_t end = queue.MaxOffset();
  auto file = queue.SegmentForAppend(end);
  REQUIRE(file.ok());
  int64_t pos = end - (*file)->from_offset();
  REQUIRE(pos + static_cast<int64_t>(bytes.size()) <= kSize);
  std::memcpy((*file)->data() + pos, bytes.data(), bytes.size());
  (*file)->set_wrote_position(pos + static_cast<int64_t>(bytes.size()));
}

// Creates `count` segments on disk, each filled with the letter 'a' + index.
void MakeSegments(const std::string& dir, int64_t first_offset, int count) {
  fs::create_directories(dir);
  for (int i = 0; i < count; ++i) {
    std::ofstream out(SegmentPath(dir, first_offset + i * kSize), std::ios::binary);
    out << std::string(kSize, static_cast<char>('a' + i));
  }
}

// `count` segments made by MakeSegments from `first_offset`, in a
// temporary directory, and a queue that loaded them.
class SegmentsOnDisk {
 public:
  SegmentsOnDisk(int64_t first_offset, int count) : log_(dir_.Sub("log")) {
    MakeSegments(log_, first_offset, count);
    queue_ = std::make_unique<MappedFileQueue>(log_, kSize);
    REQUIRE(queue_->Load().ok());
  }
  const std::string& log() const { return log_; }
  MappedFileQueue& queue() { return *queue_; }

 private:
  testing::TempDir dir_;
  std::string log_;
  std::unique_ptr<MappedFileQueue> queue_;
};

std::vector<std::string> FilesIn(const std::string& dir) {
  std::vector<std::string> names;
  for (const auto& entry : fs::directory_iterator(dir)) names.push_back(entry.path().filename());
  std::sort(names.begin(), names.end());
  return names;
}

TEST_CASE("an empty queue") {
  testing::TempDir dir;
  MappedFileQueue queue(dir.Sub("log"), kSize);
  REQUIRE(queue.Load().ok());  // Creates the directory.
  CHECK(fs::is_directory(dir.Sub("log")));
  CHECK(queue.empty());
  CHECK(queue.MinOffset() == 0);
  CHECK(queue.MaxOffset() == 0);
  CHECK(queue.First() == nullptr);
  CHECK(queue.Last() == nullptr);
  CHECK(queue.FindByOffset(0) == nullptr);
  CHECK(queue.DeleteFront([](const MappedFile&) { return true; }, 10) == 0);
}

TEST_CASE("Load opens contiguous segments as fully written") {
  SegmentsOnDisk disk(3 * kSize, 3);
  MappedFileQueue& queue = disk.queue();
  auto segments = queue.Segments();
  REQUIRE(segments.size() == 3);
  for (int i = 0; i < 3; ++i) {
    CHECK(segments[i]->from_offset() == (3 + i) * kSize);
    CHECK(segments[i]->wrote_position() == kSize);
    CHECK(segments[i]->flushed_position() == kSize);
    CHECK(segments[i]->Read(0, 1) == std::string(1, static_cast<char>('a' + i)));
  }
  CHECK(queue.MinOffset() == 3 * kSize);
  CHECK(queue.MaxOffset() == 6 * kSize);
  CHECK(queue.FlushedOffset() == 6 * kSize);
  CHECK(queue.First() == segments.front());
  CHECK(queue.Last() == segments.back());
}

TEST_CASE("MarkNotDurable: the next flush covers every loaded segment again") {
  SegmentsOnDisk disk(0, 3);
  MappedFileQueue& queue = disk.queue();
  REQUIRE(queue.FlushedOffset() == 3 * kSize);
  queue.MarkNotDurable();
  for (const auto& segment : queue.Segments()) CHECK(segment->flushed_position() == 0);
  auto flushed = queue.Flush(0);
  REQUIRE(flushed.ok());
  CHECK(*flushed == 3 * kSize);
  for (const auto& segment : queue.Segments()) CHECK(segment->flushed_position() == kSize);
}

TEST_CASE("Load reports a missing middle segment") {
  testing::TempDir dir;
  std::string log = dir.Sub("log");
  MakeSegments(log, 0, 3);
  fs::remove(SegmentPath(log, kSize));
  MappedFileQueue queue(log, kSize);
  absl::Status s = queue.Load();
  REQUIRE_FALSE(s.ok());
  CHECK(s.code() == absl::StatusCode::kDataLoss);
  CHECK_THAT(std::string(s.message()), Catch::Contains(MappedFile::FileNameForOffset(2 * kSize)));
  CHECK(queue.empty());
}

TEST_CASE("Load reports a segment of the wrong size") {
  testing::TempDir dir;
  std::string log = dir.Sub("log");
  MakeSegments(log, 0, 2);
  fs::resize_file(SegmentPath(log, kSize), kSize / 2);
  MappedFileQueue queue(log, kSize);
  absl::Status s = queue.Load();
  CHECK(s.code() == absl::StatusCode::kDataLoss);
}

TEST_CASE("SegmentForAppend creates the next segment when the last is full") {
  auto preparation = GENERATE(MappedFileQueue::Preparation::kNone,
                              MappedFileQueue::Preparation::kPreallocate,
                              MappedFileQueue::Preparation::kPreallocateAndWriteZeros);
  INFO("preparation " << static_cast<int>(preparation));
  testing::TempDir dir;
  std::string log = dir.Sub("log");
  MappedFileQueue queue(log, kSize, preparation);
  REQUIRE(queue.Load().ok());

  auto first = queue.SegmentForAppend(0);
  REQUIRE(first.ok());
  CHECK((*first)->from_offset() == 0);
  CHECK(fs::exists(SegmentPath(log, 0)));
  // Inside the last segment: the same one.
  auto same = queue.SegmentForAppend(kSize - 1);
  REQUIRE(same.ok());
  CHECK(*same == *first);

  Append(queue, std::string(kSize, 'x'));  // Fills segment 0.
  CHECK(queue.MaxOffset() == kSize);
  Append(queue, "next");
  auto segments = queue.Segments();
  REQUIRE(segments.size() == 2);
  CHECK(segments[1]->from_offset() == kSize);
  CHECK(fs::exists(SegmentPath(log, kSize)));
  CHECK(queue.MaxOffset() == kSize + 4);
  CHECK(segments[1]->Read(0, 4) == "next");

  Append(queue, std::string(kSize - 4, 'y'));
  Append(queue, "third");
  REQUIRE(queue.Segments().size() == 3);
  CHECK(queue.Last()->from_offset() == 2 * kSize);

  // Not at the end (a hole, or behind the last segment): an error.
  CHECK_FALSE(queue.SegmentForAppend(4 * kSize).ok());
  CHECK_FALSE(queue.SegmentForAppend(10 * kSize + 5).ok());
  CHECK(queue.Segments().size() == 3);
}

// Whether any extent of [0, size) of `path` is still "unwritten" (allocated
// by fallocate, never written), after waiting for writeback already under
// way (but starting none). Empty when the filesystem cannot tell (FIEMAP).
std::optional<bool> HasUnwrittenExtents(const std::string& path, int64_t size) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return std::nullopt;
  ::sync_file_range(fd, 0, size, SYNC_FILE_RANGE_WAIT_BEFORE);
  constexpr int kMaxExtents = 256;
  std::vector<char> buffer(sizeof(fiemap) + kMaxExtents * sizeof(fiemap_extent));
  auto* map = reinterpret_cast<fiemap*>(buffer.data());
  map->fm_start = 0;
  map->fm_length = static_cast<uint64_t>(size);
  map->fm_extent_count = kMaxExtents;
  bool ok = ::ioctl(fd, FS_IOC_FIEMAP, map) == 0 && map->fm_mapped_extents > 0;
  ::close(fd);
  if (!ok) return std::nullopt;
  for (uint32_t i = 0; i < map->fm_mapped_extents; ++i) {
    if (map->fm_extents[i].fe_flags & FIEMAP_EXTENT_UNWRITTEN) return true;
  }
  return false;
}

TEST_CASE("with kPreallocateAndWriteZeros the pages ahead of the writer are written before it gets there") {
  // Two warm-ahead spans, so the warmed part is a real prefix of the segment.
  constexpr int64_t kBig = 2 * MappedFileQueue::kWarmAheadBytes;
  testing::TempDir dir;
  std::string log = dir.Sub("log");
  MappedFileQueue queue(log, kBig, MappedFileQueue::Preparation::kPreallocateAndWriteZeros);
  REQUIRE(queue.Load().ok());
  // A preallocated segment is handed out once its first span is warmed.
  auto file = queue.SegmentForAppend(0);
  REQUIRE(file.ok());
  std::optional<bool> unwritten =
      HasUnwrittenExtents(SegmentPath(log, 0), MappedFileQueue::kWarmAheadBytes);
  if (!unwritten.has_value()) {
    WARN("the filesystem under " << log << " does not report extents; nothing to check");
    return;
  }
  CHECK_FALSE(*unwritten);
  // The zeros written read back as zeros.
  CHECK(std::string_view((*file)->data(), 4096) == std::string(4096, '\0'));
}

TEST_CASE("SegmentForAppend on an empty queue starts at the segment holding the offset") {
  auto preparation = GENERATE(MappedFileQueue::Preparation::kNone,
                              MappedFileQueue::Preparation::kPreallocate,
                              MappedFileQueue::Preparation::kPreallocateAndWriteZeros);
  INFO("preparation " << static_cast<int>(preparation));
  testing::TempDir dir;
  MappedFileQueue queue(dir.Sub("log"), kSize, preparation);
  REQUIRE(queue.Load().ok());
  auto file = queue.SegmentForAppend(5 * kSize + 100);
  REQUIRE(file.ok());
  CHECK((*file)->from_offset() == 5 * kSize);
  CHECK(queue.MinOffset() == 5 * kSize);
}

TEST_CASE("segments appended survive reload") {
  testing::TempDir dir;
  std::string log = dir.Sub("log");
  {
    MappedFileQueue queue(log, kSize, MappedFileQueue::Preparation::kPreallocate);
    REQUIRE(queue.Load().ok());
    Append(queue, std::string(kSize, 'p'));
    Append(queue, "qq");
    auto flushed = queue.Flush(0);
    REQUIRE(flushed.ok());
    CHECK(*flushed == kSize + 2);
    CHECK(queue.FlushedOffset() == kSize + 2);
  }
  MappedFileQueue queue(log, kSize);
  REQUIRE(queue.Load().ok());
  // Preallocation may have left the next, empty segment behind: it must
  // still be contiguous, and the written ones must hold the data.
  auto segments = queue.Segments();
  REQUIRE(segments.size() >= 2);
  REQUIRE(segments.size() <= 3);
  CHECK(segments[0]->Read(0, kSize) == std::string(kSize, 'p'));
  CHECK(segments[1]->Read(0, 2) == "qq");
}

TEST_CASE("FindByOffset maps an offset to its segment") {
  SegmentsOnDisk disk(2 * kSize, 3);
  MappedFileQueue& queue = disk.queue();
  CHECK(queue.FindByOffset(0) == nullptr);
  CHECK(queue.FindByOffset(2 * kSize - 1) == nullptr);
  CHECK(queue.FindByOffset(2 * kSize)->from_offset() == 2 * kSize);
  CHECK(queue.FindByOffset(3 * kSize - 1)->from_offset() == 2 * kSize);
  CHECK(queue.FindByOffset(3 * kSize)->from_offset() == 3 * kSize);
  CHECK(queue.FindByOffset(5 * kSize - 1)->from_offset() == 4 * kSize);
  CHECK(queue.FindByOffset(5 * kSize) == nullptr);

  // After deleting the front, lookups are relative to the new first segment.
  REQUIRE(queue.DeleteFront([](const MappedFile&) { return true; }, 1) == 1);
  CHECK(queue.FindByOffset(2 * kSize) == nullptr);
  CHECK(queue.FindByOffset(3 * kSize)->from_offset() == 3 * kSize);
  CHECK(queue.FindByOffset(4 * kSize + 9)->from_offset() == 4 * kSize);
}

TEST_CASE("TruncateTo across segments deletes later ones and zeroes the tail") {
  SegmentsOnDisk disk(0, 4);
  const std::string& log = disk.log();
  MappedFileQueue& queue = disk.queue();

  const int64_t end = kSize + 1000;
  REQUIRE(queue.TruncateTo(end).ok());
  auto segments = queue.Segments();
  REQUIRE(segments.size() == 2);
  CHECK(queue.MaxOffset() == end);
  CHECK(segments[0]->wrote_position() == kSize);
  CHECK(segments[1]->wrote_position() == 1000);
  CHECK(segments[1]->Read(0, 1000) == std::string(1000, 'b'));
  std::string_view tail(segments[1]->data() + 1000, kSize - 1000);
  CHECK(tail.find_first_not_of('\0') == std::string_view::npos);
  CHECK(FilesIn(log) == std::vector<std::string>{MappedFile::FileNameForOffset(0),
                                                 MappedFile::FileNameForOffset(kSize)});

  // Appends go on from the new end.
  Append(queue, "zz");
  CHECK(queue.MaxOffset() == end + 2);
  CHECK(queue.FindByOffset(end)->Read(1000, 2) == "zz");

  // On reload the truncated bytes stay zero.
  MappedFileQueue reloaded(log, kSize);
  REQUIRE(reloaded.Load().ok());
  REQUIRE(reloaded.Segments().size() == 2);
  std::string_view data(reloaded.Last()->data(), kSize);
  CHECK(data.substr(0, 1000) == std::string(1000, 'b'));
  CHECK(data.substr(1002).find_first_not_of('\0') == std::string_view::npos);
}

TEST_CASE("TruncateTo a segment boundary keeps that segment, empty") {
  SegmentsOnDisk disk(0, 3);
  const std::string& log = disk.log();
  MappedFileQueue& queue = disk.queue();
  REQUIRE(queue.TruncateTo(kSize).ok());
  CHECK(queue.MaxOffset() == kSize);
  CHECK(queue.Segments().size() <= 2);
  CHECK(queue.FindByOffset(0)->Read(0, kSize) == std::string(kSize, 'a'));
  CHECK_FALSE(fs::exists(SegmentPath(log, 2 * kSize)));
  Append(queue, "c2");
  CHECK(queue.FindByOffset(kSize)->Read(0, 2) == "c2");
}

TEST_CASE("TruncateTo below the first segment empties the queue") {
  SegmentsOnDisk disk(2 * kSize, 2);
  const std::string& log = disk.log();
  MappedFileQueue& queue = disk.queue();
  REQUIRE(queue.TruncateTo(kSize).ok());
  CHECK(queue.empty());
  CHECK(FilesIn(log).empty());
}

TEST_CASE("DeleteFront removes expired segments from the front, never the last") {
  SegmentsOnDisk disk(0, 4);
  const std::string& log = disk.log();
  MappedFileQueue& queue = disk.queue();
  auto all = [](const MappedFile&) { return true; };

  SECTION("max_files bounds one pass") {
    CHECK(queue.DeleteFront(all, 2) == 2);
    CHECK(queue.MinOffset() == 2 * kSize);
    CHECK_FALSE(fs::exists(SegmentPath(log, 0)));
    CHECK_FALSE(fs::exists(SegmentPath(log, kSize)));
  }
  SECTION("stops at the first segment that is not expired") {
    auto not_second = [](const MappedFile& f) { return f.from_offset() != kSize; };
    CHECK(queue.DeleteFront(not_second, 10) == 1);
    CHECK(queue.MinOffset() == kSize);
    CHECK(queue.Segments().size() == 3);
  }
  SECTION("everything expired: the last one stays") {
    CHECK(queue.DeleteFront(all, 100) == 3);
    REQUIRE(queue.Segments().size() == 1);
    CHECK(queue.MinOffset() == 3 * kSize);
    CHECK(queue.MaxOffset() == 4 * kSize);
    CHECK(queue.DeleteFront(all, 100) == 0);
    CHECK(FilesIn(log) == std::vector<std::string>{MappedFile::FileNameForOffset(3 * kSize)});
  }
}

TEST_CASE("a deleted segment stays readable by a reader holding it") {
  SegmentsOnDisk disk(0, 2);
  const std::string& log = disk.log();
  MappedFileQueue& queue = disk.queue();
  std::shared_ptr<MappedFile> held = queue.FindByOffset(0);
  REQUIRE(queue.DeleteFront([](const MappedFile&) { return true; }, 10) == 1);
  CHECK_FALSE(fs::exists(SegmentPath(log, 0)));
  CHECK(queue.FindByOffset(0) == nullptr);
  CHECK(held->Read(0, kSize) == std::string(kSize, 'a'));
}

TEST_CASE("a cursor keeps the segment it found for the reads that follow in it") {
  SegmentsOnDisk disk(0, 3);
  MappedFileQueue& queue = disk.queue();
  MappedFileQueue::Cursor cursor;
  const MappedFile* first = queue.Seek(10, &cursor);
  REQUIRE(first != nullptr);
  CHECK(first->from_offset() == 0);
  CHECK(cursor.keep_alive.get() == first);
  CHECK(queue.Seek(kSize - 1, &cursor) == first);
  const MappedFile* second = queue.Seek(kSize, &cursor);
  REQUIRE(second != nullptr);
  CHECK(second->from_offset() == kSize);
  CHECK(cursor.keep_alive.get() == second);
  CHECK(queue.Seek(0, &cursor) == first);  // Back: looked up again.
  CHECK(queue.Seek(3 * kSize, &cursor) == nullptr);
  CHECK(queue.Seek(-1, &cursor) == nullptr);

  // What the cursor holds stays mapped after cleanup deletes it, and is
  // still what the cursor reads from (the queue itself no longer has it).
  CHECK(queue.Seek(0, &cursor) == first);
  REQUIRE(queue.DeleteFront([](const MappedFile& f) { return f.from_offset() == 0; }, 1) == 1);
  CHECK(queue.FindByOffset(5) == nullptr);
  CHECK(queue.Seek(5, &cursor) == first);
  CHECK(cursor.file->Read(0, 4) == "aaaa");
  CHECK(queue.Seek(kSize + 5, &cursor)->from_offset() == kSize);

  // A cursor used with another queue is not taken for one of this one's
  // segments, though its segment covers the offset.
  SegmentsOnDisk other(0, 1);
  MappedFileQueue::Cursor foreign;
  REQUIRE(other.queue().Seek(5, &foreign) != nullptr);
  CHECK(queue.Seek(5, &foreign) == nullptr);  // This queue has no segment there any more.
  REQUIRE(other.queue().Seek(5, &foreign) != nullptr);
  CHECK(queue.Seek(kSize + 5, &foreign)->from_offset() == kSize);
}

TEST_CASE("DestroyAll removes every segment file") {
  SegmentsOnDisk disk(0, 3);
  const std::string& log = disk.log();
  MappedFileQueue& queue = disk.queue();
  queue.DestroyAll();
  CHECK(queue.empty());
  CHECK(FilesIn(log).empty());
}

TEST_CASE("Flush with least_pages stops at a segment with too few pending pages") {
  testing::TempDir dir;
  MappedFileQueue queue(dir.Sub("log"), 4 * kSize);
  REQUIRE(queue.Load().ok());
  auto file = queue.SegmentForAppend(0);
  REQUIRE(file.ok());
  (*file)->set_wrote_position(kSize + 10);  // One whole page pending.
  CHECK(*queue.Flush(2) == 0);
  const int64_t reached = *queue.Flush(1);  // At least the whole page.
  CHECK(reached >= kSize);
  CHECK(reached <= kSize + 10);
  CHECK(queue.FlushedOffset() == reached);
  CHECK(*queue.Flush(0) == kSize + 10);
  CHECK(queue.FlushedOffset() == kSize + 10);

  // A full segment is flushed whatever least_pages asks; the next one by
  // its own pending pages.
  (*file)->set_wrote_position(4 * kSize);
  auto second = queue.SegmentForAppend(4 * kSize);
  REQUIRE(second.ok());
  (*second)->set_wrote_position(3 * kSize + 5);
  const int64_t partial = *queue.Flush(2);
  CHECK(partial >= 7 * kSize);
  CHECK(partial <= 7 * kSize + 5);
  CHECK((*file)->flushed_position() == 4 * kSize);
  CHECK(*queue.Flush(0) == 7 * kSize + 5);
}

}  // namespace
}  // namespace rmq::internal
