// Copyright 2026 The rmq Authors. Licensed under the Apache License, Version 2.0.
//
// MappedFile: one fixed-size mmap'd segment.

#include <catch2/catch.hpp>

#include <sys/stat.h>
#include <unistd.h>

#include <cctype>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>

#include "store/mapped_file.h"
#include "support/temp_dir.h"

namespace rmq::internal {
namespace {

constexpr int64_t kPage = 4096;
constexpr int64_t kSize = 8 * kPage;

// Writes `bytes` at `pos` through the mapping and publishes them.
void WriteAt(MappedFile& file, int64_t pos, std::string_view bytes) {
  std::memcpy(file.data() + pos, bytes.data(), bytes.size());
  file.set_wrote_position(std::max(file.wrote_position(), pos + static_cast<int64_t>(bytes.size())));
}

std::string ReadFromDisk(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

bool AllZero(std::string_view bytes) {
  return bytes.find_first_not_of('\0') == std::string_view::npos;
}

TEST_CASE("FileNameForOffset is 20 zero-padded digits") {
  CHECK(MappedFile::FileNameForOffset(0) == "00000000000000000000");
  CHECK(MappedFile::FileNameForOffset(1073741824) == "00000000001073741824");
}

TEST_CASE("Open creates a zeroed file of the given size, named by its offset") {
  testing::TempDir dir;
  std::string path = dir.Sub(MappedFile::FileNameForOffset(kSize * 3));
  auto file = MappedFile::Open(path, kSize);
  REQUIRE(file.ok());
  CHECK((*file)->from_offset() == kSize * 3);
  CHECK((*file)->file_size() == kSize);
  CHECK((*file)->wrote_position() == 0);
  CHECK((*file)->flushed_position() == 0);
  CHECK_FALSE((*file)->IsFull());
  CHECK(std::filesystem::file_size(path) == static_cast<uintmax_t>(kSize));
  CHECK(AllZero(std::string_view((*file)->data(), kSize)));
}

// The kernel's flags of the mapping that starts at `data` ("rr": random
// reads advised), from /proc/self/smaps; empty if not found.
std::string VmFlagsOf(const char* data) {
  std::ifstream smaps("/proc/self/smaps");
  std::string line;
  bool in_mapping = false;
  while (std::getline(smaps, line)) {
    const size_t dash = line.find('-');
    if (dash != std::string::npos && dash > 0 && std::isxdigit(static_cast<unsigned char>(line[0])) &&
        line.find(' ') > dash) {
      in_mapping = std::stoull(line.substr(0, dash), nullptr, 16) == reinterpret_cast<uintptr_t>(data);
    } else if (in_mapping && line.rfind("VmFlags:", 0) == 0) {
      return line;
    }
  }
  return "";
}

bool AdvisedRandom(const MappedFile& file) {
  const std::string flags = VmFlagsOf(file.data());
  INFO(flags);
  REQUIRE_FALSE(flags.empty());
  return flags.find(" rr") != std::string::npos;
}

TEST_CASE("a new file touched where written maps its faults page by page; others read ahead") {
  testing::TempDir dir;
  auto fresh = MappedFile::Open(dir.Sub(MappedFile::FileNameForOffset(0)), kSize);
  REQUIRE(fresh.ok());
  CHECK(AdvisedRandom(**fresh));  // kWhereWritten, the default: nothing to read ahead.
  auto named = MappedFile::OpenNamed(dir.Sub("index-like"), kSize);
  REQUIRE(named.ok());
  CHECK(AdvisedRandom(**named));
  auto populated = MappedFile::Open(dir.Sub(MappedFile::FileNameForOffset(kSize)), kSize,
                                    MappedFile::FirstTouch::kPopulatedAhead);
  REQUIRE(populated.ok());
  CHECK_FALSE(AdvisedRandom(**populated));  // The commit log's preparer maps ahead.
  // An existing file has data to read: readahead stays on.
  WriteAt(**fresh, 0, "data");
  fresh->reset();
  auto reopened = MappedFile::Open(dir.Sub(MappedFile::FileNameForOffset(0)), kSize);
  REQUIRE(reopened.ok());
  CHECK_FALSE(AdvisedRandom(**reopened));
}

TEST_CASE("reopen sees the bytes written through the mapping") {
  testing::TempDir dir;
  std::string path = dir.Sub(MappedFile::FileNameForOffset(0));
  {
    auto file = MappedFile::Open(path, kSize);
    REQUIRE(file.ok());
    WriteAt(**file, 100, "hello segment");
    REQUIRE((*file)->Flush(0).ok());
  }
  auto again = MappedFile::Open(path, kSize);
  REQUIRE(again.ok());
  // A reopened file knows nothing of its valid length: its owner sets it.
  CHECK((*again)->wrote_position() == 0);
  CHECK((*again)->Read(100, 13).empty());
  (*again)->set_wrote_position(kSize);
  CHECK((*again)->Read(100, 13) == "hello segment");
}

TEST_CASE("reopening with another size is DataLoss naming the file") {
  testing::TempDir dir;
  std::string path = dir.Sub(MappedFile::FileNameForOffset(0));
  REQUIRE(MappedFile::Open(path, kSize).ok());
  auto wrong = MappedFile::Open(path, kSize * 2);
  REQUIRE_FALSE(wrong.ok());
  CHECK(wrong.status().code() == absl::StatusCode::kDataLoss);
  CHECK_THAT(std::string(wrong.status().message()), Catch::Contains(path));
  // The file was left alone.
  CHECK(std::filesystem::file_size(path) == static_cast<uintmax_t>(kSize));
}

TEST_CASE("a segment name must be exactly 20 decimal digits") {
  testing::TempDir dir;
  for (const char* name : {"0", "0000000000000000000", "000000000000000000000", "abc",
                           "0000000000000000000a", "+0000000000000000001", " 0000000000000000001",
                           "-0000000000000000001", "00000000000000000000.tmp"}) {
    INFO("name '" << name << "'");
    auto file = MappedFile::Open(dir.Sub(name), kSize);
    REQUIRE_FALSE(file.ok());
    CHECK(file.status().code() == absl::StatusCode::kInvalidArgument);
    CHECK_FALSE(std::filesystem::exists(dir.Sub(name)));
  }
  CHECK_FALSE(MappedFile::Open(dir.Sub(MappedFile::FileNameForOffset(0)), 0).ok());
}

TEST_CASE("OpenNamed accepts any name and size") {
  testing::TempDir dir;
  auto file = MappedFile::OpenNamed(dir.Sub("20260101000000000"), 1000);
  REQUIRE(file.ok());
  CHECK((*file)->from_offset() == 0);
  CHECK((*file)->file_size() == 1000);
}

TEST_CASE("Read returns only bytes below the wrote position") {
  testing::TempDir dir;
  auto file = MappedFile::Open(dir.Sub(MappedFile::FileNameForOffset(0)), kSize);
  REQUIRE(file.ok());
  MappedFile& f = **file;
  WriteAt(f, 0, "0123456789");
  CHECK(f.Read(0, 10) == "0123456789");
  CHECK(f.Read(3, 4) == "3456");
  CHECK(f.Read(10, 0).empty());
  CHECK(f.Read(5, 6).empty());   // One byte past the wrote position.
  CHECK(f.Read(-1, 2).empty());
  CHECK(f.Read(0, -1).empty());
  CHECK(f.Read(11, 1).empty());
  f.set_wrote_position(kSize);
  CHECK(f.IsFull());
  CHECK(f.Read(kSize - 1, 1).size() == 1);
  CHECK(f.Read(kSize, 1).empty());
  CHECK(f.Read(kSize - 1, 2).empty());
}

// least_pages > 0 is the periodic flush: it waits for that many whole pages
// and writes whole pages only (not the page still being filled); 0 writes
// everything; a full file is always written completely.
TEST_CASE("Flush waits for least_pages pending pages unless the file is full") {
  testing::TempDir dir;
  auto file = MappedFile::Open(dir.Sub(MappedFile::FileNameForOffset(0)), kSize);
  REQUIRE(file.ok());
  MappedFile& f = **file;
  f.set_wrote_position(3 * kPage + 10);  // Three whole pages pending.

  auto flushed = f.Flush(4);
  REQUIRE(flushed.ok());
  CHECK(*flushed == 0);
  CHECK(f.flushed_position() == 0);

  flushed = f.Flush(3);
  REQUIRE(flushed.ok());
  CHECK(*flushed >= 3 * kPage);
  CHECK(*flushed <= 3 * kPage + 10);
  CHECK(f.flushed_position() == *flushed);

  // least_pages 0: everything.
  CHECK(*f.Flush(0) == 3 * kPage + 10);
  CHECK(f.flushed_position() == 3 * kPage + 10);
  // Nothing pending: no change whatever least_pages is.
  CHECK(*f.Flush(0) == 3 * kPage + 10);
  CHECK(*f.Flush(1) == 3 * kPage + 10);

  // Less than a page more: least_pages 1 waits, 0 flushes.
  f.set_wrote_position(3 * kPage + 100);
  CHECK(*f.Flush(1) == 3 * kPage + 10);
  CHECK(*f.Flush(0) == 3 * kPage + 100);

  // A full file is flushed whatever least_pages asks.
  f.set_wrote_position(kSize);
  CHECK(*f.Flush(100) == kSize);
  CHECK(f.flushed_position() == kSize);
}

TEST_CASE("flushed bytes are in the file") {
  testing::TempDir dir;
  std::string path = dir.Sub(MappedFile::FileNameForOffset(0));
  auto file = MappedFile::Open(path, kSize);
  REQUIRE(file.ok());
  WriteAt(**file, kPage + 7, "on disk");
  REQUIRE((*file)->Flush(0).ok());
  std::string disk = ReadFromDisk(path);
  REQUIRE(disk.size() == static_cast<size_t>(kSize));
  CHECK(disk.substr(kPage + 7, 7) == "on disk");
}

TEST_CASE("a flush longer than one sync step covers every step") {
  testing::TempDir dir;
  constexpr int64_t kStep = MappedFile::kSyncStepBytes;
  const int64_t size = 3 * kStep;
  std::string path = dir.Sub(MappedFile::FileNameForOffset(0));
  auto file = MappedFile::Open(path, size);
  REQUIRE(file.ok());
  // Bytes in each step and across the boundaries between steps; the wrote
  // position ends inside the third step.
  WriteAt(**file, 10, "first");
  WriteAt(**file, kStep - 3, "across");
  WriteAt(**file, 2 * kStep + 100, "third");
  auto flushed = (*file)->Flush(0);
  REQUIRE(flushed.ok());
  CHECK(*flushed == 2 * kStep + 105);
  CHECK((*file)->flushed_position() == 2 * kStep + 105);
  std::string disk = ReadFromDisk(path);
  CHECK(disk.substr(10, 5) == "first");
  CHECK(disk.substr(kStep - 3, 6) == "across");
  CHECK(disk.substr(2 * kStep + 100, 5) == "third");
}

TEST_CASE("Sync takes any range inside the file and names the file for one outside") {
  testing::TempDir dir;
  const int64_t size = 2 * MappedFile::kSyncStepBytes + kPage;
  std::string path = dir.Sub(MappedFile::FileNameForOffset(0));
  auto file = MappedFile::Open(path, size);
  REQUIRE(file.ok());
  std::memcpy((*file)->data() + size - 5, "index", 5);  // Written in place: no wrote position.
  CHECK((*file)->Sync(0, size).ok());
  CHECK((*file)->Sync(kPage + 1, 10).ok());  // Not page aligned.
  CHECK((*file)->flushed_position() == 0);    // Sync leaves the positions alone.
  CHECK(ReadFromDisk(path).substr(static_cast<size_t>(size - 5)) == "index");

  absl::Status past_end = (*file)->Sync(size - 10, 11);
  CHECK(past_end.code() == absl::StatusCode::kOutOfRange);
  CHECK(past_end.message().find(path) != std::string_view::npos);
  CHECK((*file)->Sync(-1, 5).code() == absl::StatusCode::kOutOfRange);
}

TEST_CASE("TruncateFrom zeroes the tail and moves the positions back") {
  testing::TempDir dir;
  std::string path = dir.Sub(MappedFile::FileNameForOffset(0));
  auto file = MappedFile::Open(path, kSize);
  REQUIRE(file.ok());
  MappedFile& f = **file;
  std::string ones(kSize, '\xff');
  WriteAt(f, 0, ones);
  REQUIRE(f.Flush(0).ok());

  // Positions inside a page, on a page boundary, and several pages in.
  for (int64_t pos : {kSize - 1, 5 * kPage + 123, 4 * kPage, kPage + 1, int64_t{100}}) {
    INFO("pos " << pos);
    REQUIRE(f.TruncateFrom(pos).ok());
    CHECK(f.wrote_position() == pos);
    // The zeroed part of pos's page may still have to be written.
    CHECK(f.flushed_position() <= pos);
    CHECK(f.flushed_position() >= pos / kPage * kPage);
    std::string_view mapped(f.data(), kSize);
    CHECK(mapped.substr(0, pos).find_first_not_of('\xff') == std::string_view::npos);
    CHECK(AllZero(mapped.substr(pos)));
    std::string disk = ReadFromDisk(path);
    REQUIRE(disk.size() == static_cast<size_t>(kSize));
    CHECK(disk.substr(0, pos).find_first_not_of('\xff') == std::string::npos);
    CHECK(AllZero(std::string_view(disk).substr(pos)));
  }
}

TEST_CASE("TruncateFrom past a page boundary leaves no stale bytes after reopen") {
  testing::TempDir dir;
  std::string path = dir.Sub(MappedFile::FileNameForOffset(0));
  const int64_t pos = 2 * kPage + 1000;
  {
    auto file = MappedFile::Open(path, kSize);
    REQUIRE(file.ok());
    WriteAt(**file, 0, std::string(kSize, 'x'));
    REQUIRE((*file)->Flush(0).ok());
    REQUIRE((*file)->TruncateFrom(pos).ok());
  }
  auto file = MappedFile::Open(path, kSize);
  REQUIRE(file.ok());
  std::string_view mapped((*file)->data(), kSize);
  CHECK(mapped.substr(0, pos) == std::string(pos, 'x'));
  CHECK(AllZero(mapped.substr(pos)));
  CHECK(std::filesystem::file_size(path) == static_cast<uintmax_t>(kSize));
}

TEST_CASE("TruncateFrom clamps its position to the file") {
  testing::TempDir dir;
  auto file = MappedFile::Open(dir.Sub(MappedFile::FileNameForOffset(0)), kSize);
  REQUIRE(file.ok());
  WriteAt(**file, 0, "abc");
  REQUIRE((*file)->TruncateFrom(kSize + 100).ok());
  CHECK((*file)->wrote_position() == kSize);
  CHECK((*file)->Read(0, 3) == "abc");
  REQUIRE((*file)->TruncateFrom(-5).ok());
  CHECK((*file)->wrote_position() == 0);
  CHECK((*file)->data()[0] == 0);
}

TEST_CASE("Unlink removes the file but a holder can still read the bytes") {
  testing::TempDir dir;
  std::string path = dir.Sub(MappedFile::FileNameForOffset(0));
  auto file = MappedFile::Open(path, kSize);
  REQUIRE(file.ok());
  WriteAt(**file, 0, "still here");
  std::shared_ptr<MappedFile> reader = *file;  // A reader's reference.
  std::string_view view = reader->Read(0, 10);
  (*file)->Unlink();
  file->reset();  // The owner lets go.
  CHECK_FALSE(std::filesystem::exists(path));
  CHECK(view == "still here");
  CHECK(reader->Read(0, 10) == "still here");

  // A new segment of the same name is a different, empty file, and the old
  // holder letting go (unmapping) does not remove it.
  auto fresh = MappedFile::Open(path, kSize);
  REQUIRE(fresh.ok());
  CHECK((*fresh)->data()[0] == 0);
  CHECK(reader->Read(0, 10) == "still here");
  reader.reset();
  CHECK(std::filesystem::exists(path));
}

TEST_CASE("last_store_timestamp survives reopen via the modification time") {
  testing::TempDir dir;
  std::string path = dir.Sub(MappedFile::FileNameForOffset(0));
  const int64_t ms = int64_t{1767225600} * 1000 + 250;
  {
    auto file = MappedFile::Open(path, kSize);
    REQUIRE(file.ok());
    (*file)->set_last_store_timestamp(ms);
    (*file)->PersistLastStoreTimestamp();
  }
  auto file = MappedFile::Open(path, kSize);
  REQUIRE(file.ok());
  CHECK((*file)->last_store_timestamp() == ms);
}

}  // namespace
}  // namespace rmq::internal
