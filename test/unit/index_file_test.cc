// Copyright 2026 The rmq Authors. Licensed under the Apache License, Version 2.0.

#include "store/index_file.h"

#include <sys/stat.h>

#include <catch2/catch.hpp>
#include <climits>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <random>
#include <string>
#include <vector>

#include "common/big_endian.h"

namespace rmq::internal {
namespace {

constexpr int32_t kSlots = 8;
constexpr int32_t kItems = 16;
constexpr int64_t kT0 = 1767225600000;  // 2026-01-01T00:00:00Z
constexpr int64_t kAll = INT64_MAX;

class TempDir {
 public:
  TempDir() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "index_file_test.XXXXXX").string();
    REQUIRE(::mkdtemp(tmpl.data()) != nullptr);
    path_ = tmpl;
  }
  ~TempDir() { std::filesystem::remove_all(path_); }
  std::string File(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

std::string ReadAll(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

void WriteAt(const std::string& path, int64_t pos, const std::string& bytes) {
  std::fstream f(path, std::ios::binary | std::ios::in | std::ios::out);
  f.seekp(pos);
  f.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

std::string Big32(int32_t v) {
  std::string s(4, '\0');
  PutBig32(s.data(), v);
  return s;
}

std::string FromHex(const std::string& hex) {
  std::string out;
  for (size_t i = 0; i + 1 < hex.size(); i += 2) {
    out.push_back(static_cast<char>(std::stoi(hex.substr(i, 2), nullptr, 16)));
  }
  return out;
}

std::vector<int64_t> Select(const IndexFile& file, int32_t hash, int32_t max_num = 100,
                            int64_t begin = 0, int64_t end = kAll) {
  std::vector<int64_t> out;
  file.SelectPhyOffsets(hash, max_num, begin, end, &out);
  return out;
}

std::shared_ptr<IndexFile> MustCreate(const std::string& path, int64_t end_phy = 0,
                                      int64_t end_ts = 0) {
  auto file = IndexFile::Create(path, kSlots, kItems, end_phy, end_ts);
  REQUIRE(file.ok());
  return *file;
}

}  // namespace

TEST_CASE("JavaStringHashAppend matches Java's String.hashCode of the decoded bytes") {
  // Expected values from OpenJDK 17: new String(bytes, UTF_8).hashCode().
  struct Case {
    const char* hex;
    int32_t hash;
  };
  const Case cases[] = {
      {"", 0},
      {"546f70696341236b657931", 641858179},  // "TopicA#key1"
      {"5423c3a9", 82042},                    // "T#é"
      {"5423e4b8ade69687", 3182473},          // "T#中文"
      {"5423f09f9880", 4308978},              // "T#😀" (surrogate pair)
      {"706f6c7967656e656c7562726963616e7473", INT32_MIN},  // "polygenelubricants"
      // Malformed UTF-8 becomes U+FFFD as Java's decoder replaces it.
      {"80", 65533},
      {"61c3", 68540},
      {"e08080", 65074269},
      {"eda080", 65533},  // Encoded surrogate: one U+FFFD for three bytes.
      {"eda041", 2031588},
      {"eda0", 65533},
      {"edbfbf41", 2031588},
      {"ed9fbf", 55295},
      {"f09f9861", 2031620},
      {"f4908080", 2017367872},
      {"f5808080", 2017367872},
      {"c0af", 2097056},
      {"ff", 65533},
      {"e282e282ac", 2039887},
      {"61f09f", 68540},
      {"61e0a0", 68540},
      {"f0908080", 1770496},
      {"f3bfbfbf", 1801248},
      {"efbfbf", 65535},
      {"e080", 2097056},
      {"e08041", 65008801},
      {"c241", 2031588},
      {"41c2c2a9", 2094157},
  };
  for (const Case& c : cases) {
    INFO("bytes " << c.hex);
    CHECK(JavaStringHashAppend(0, FromHex(c.hex)) == c.hash);
  }
  // Continuing equals hashing the concatenation (for well-formed pieces).
  CHECK(JavaStringHashAppend(JavaStringHashAppend(0, "TopicA#"), "key1") == 641858179);
}

TEST_CASE("JavaStringHashAppend folds ASCII eight bytes at a time with the same result") {
  // Reference: one UTF-16 unit at a time, for strings of ASCII and 'é'
  // (C3 A9, the unit 0xE9) placed so that every block alignment is crossed.
  auto reference = [](uint32_t h, const std::vector<uint32_t>& units) {
    for (uint32_t unit : units) h = 31 * h + unit;
    return static_cast<int32_t>(h);
  };
  for (size_t length = 0; length <= 40; ++length) {
    for (size_t accent = 0; accent <= length; accent += 3) {
      std::string utf8;
      std::vector<uint32_t> units;
      for (size_t i = 0; i < length; ++i) {
        if (i == accent && i % 2 == 1) {
          utf8 += "\xc3\xa9";
          units.push_back(0xE9);
        } else {
          char c = static_cast<char>('!' + (i * 7) % 90);
          utf8 += c;
          units.push_back(static_cast<unsigned char>(c));
        }
      }
      INFO("utf8 " << utf8);
      CHECK(JavaStringHashAppend(0, utf8) == reference(0, units));
      CHECK(JavaStringHashAppend(12345, utf8) == reference(12345, units));
    }
  }
}

TEST_CASE("IndexKeyHash is |hashCode(topic#key)|, with Integer.MIN_VALUE as 0") {
  CHECK(IndexKeyHash("TopicA", "key1") == 641858179);
  // "topic#Aa".hashCode() == -957350892 == "topic#BB".hashCode().
  CHECK(IndexKeyHash("topic", "Aa") == 957350892);
  CHECK(IndexKeyHash("topic", "BB") == 957350892);
  // "polygenelubrie#nts".hashCode() == Integer.MIN_VALUE.
  CHECK(IndexKeyHash("polygenelubrie", "nts") == 0);
  // In two steps, one topic state for several keys: the same values.
  const int32_t topic = IndexTopicHash("topic");
  CHECK(IndexKeyHashFrom(topic, "Aa") == 957350892);
  CHECK(IndexKeyHashFrom(topic, "BB") == 957350892);
  CHECK(IndexKeyHashFrom(IndexTopicHash("TopicA"), "key1") == 641858179);
  CHECK(IndexKeyHashFrom(IndexTopicHash("polygenelubrie"), "nts") == 0);
}

TEST_CASE("IndexFile writes RocketMQ's layout") {
  TempDir dir;
  const std::string path = dir.File("20260101000000000");
  auto file = MustCreate(path);
  struct stat st;
  REQUIRE(::stat(path.c_str(), &st) == 0);
  CHECK(st.st_size == 40 + kSlots * 4 + kItems * 20);
  CHECK(IndexFile::FileSize(5000000, 20000000) == 420000040);

  REQUIRE(file->PutKey(13, 1000, kT0));          // slot 5
  REQUIRE(file->PutKey(5, 2000, kT0 + 2999));    // slot 5 again: chained
  REQUIRE(file->PutKey(2, 3000, kT0 + 61000));   // slot 2
  REQUIRE(file->Flush().ok());

  const std::string bytes = ReadAll(path);
  REQUIRE(bytes.size() == 392);
  const char* p = bytes.data();
  CHECK(GetBig64(p + 0) == kT0);
  CHECK(GetBig64(p + 8) == kT0 + 61000);
  CHECK(GetBig64(p + 16) == 1000);
  CHECK(GetBig64(p + 24) == 3000);
  CHECK(GetBig32(p + 32) == 2);  // Slots in use.
  CHECK(GetBig32(p + 36) == 4);  // Next item.
  CHECK(GetBig32(p + 40 + 5 * 4) == 2);
  CHECK(GetBig32(p + 40 + 2 * 4) == 3);
  const char* items = p + 40 + kSlots * 4;
  CHECK(std::string(items, 20) == std::string(20, '\0'));  // Item 0 unused.
  CHECK(GetBig32(items + 20 + 0) == 13);
  CHECK(GetBig64(items + 20 + 4) == 1000);
  CHECK(GetBig32(items + 20 + 12) == 0);
  CHECK(GetBig32(items + 20 + 16) == 0);
  CHECK(GetBig32(items + 40 + 0) == 5);
  CHECK(GetBig64(items + 40 + 4) == 2000);
  CHECK(GetBig32(items + 40 + 12) == 2);  // Seconds, truncated.
  CHECK(GetBig32(items + 40 + 16) == 1);  // Previous item of slot 5.
  CHECK(GetBig32(items + 60 + 12) == 61);
}

TEST_CASE("IndexFile flushes the header, every slot and the items written since the last flush") {
  const int64_t items = IndexFile::ItemsOffset(kSlots);
  CHECK(items == 40 + kSlots * 4);
  const IndexFile::FlushRanges first = IndexFile::RangesToFlush(kSlots, 0, 1);
  CHECK(first.slots_end == items);
  CHECK(first.items_begin == items);
  CHECK(first.items_end == items + 20);

  // Flushes at random points cover every item PutKey wrote, each once: the
  // ranges follow one another with no gap, and each holds the items written
  // since the one before.
  TempDir dir;
  auto file = MustCreate(dir.File("20260101000000000"));
  std::mt19937 rng(7);
  int64_t covered_to = items;  // Item 0 (unused) is in the first range.
  int64_t offset = 1000;
  while (!file->IsFull()) {
    const int burst = std::uniform_int_distribution<int>(1, 4)(rng);
    for (int i = 0; i < burst && !file->IsFull(); ++i) {
      REQUIRE(file->PutKey(static_cast<int32_t>(offset), offset, kT0));
      offset += 100;
    }
    const int32_t flushed = file->flushed_index_count();
    const int32_t count = file->index_count();
    const IndexFile::FlushRanges r = IndexFile::RangesToFlush(kSlots, flushed, count);
    CHECK(r.slots_end == items);
    CHECK(r.items_begin == covered_to);
    // The newest item, just written, ends the range.
    CHECK(r.items_end == items + int64_t{count} * 20);
    CHECK(r.items_end - r.items_begin == int64_t{count - flushed} * 20);
    REQUIRE(file->Flush().ok());
    CHECK(file->flushed_index_count() == count);
    covered_to = r.items_end;
  }
  CHECK(covered_to == IndexFile::FileSize(kSlots, kItems));
  // Nothing new: nothing to write.
  REQUIRE(file->Flush().ok());
  CHECK(file->flushed_index_count() == kItems);
}

TEST_CASE("IndexFile starts where the previous file ended") {
  TempDir dir;
  const std::string path = dir.File("20260101000000000");
  auto file = MustCreate(path, 4096, kT0);
  CHECK(file->begin_phy_offset() == 4096);
  CHECK(file->end_phy_offset() == 4096);
  CHECK(file->begin_timestamp() == kT0);
  CHECK(file->end_timestamp() == kT0);
  CHECK(file->index_count() == 1);
  REQUIRE(file->Flush().ok());
  const std::string bytes = ReadAll(path);
  CHECK(GetBig64(bytes.data() + 16) == 4096);
  CHECK(GetBig32(bytes.data() + 36) == 1);

  // The first item resets the begin fields; its time reads back exactly.
  REQUIRE(file->PutKey(7, 5000, kT0 + 10500));
  CHECK(file->begin_timestamp() == kT0 + 10500);
  CHECK(file->begin_phy_offset() == 5000);
  CHECK(Select(*file, 7, 10, kT0 + 10500, kT0 + 10500) == std::vector<int64_t>{5000});

  CHECK_FALSE(IndexFile::Create(path, kSlots, kItems, 0, 0).ok());  // Exists.
}

TEST_CASE("IndexFile walks slot chains newest first, filtering by hash and time") {
  TempDir dir;
  auto file = MustCreate(dir.File("20260101000000000"));
  // Hashes 3, 11 and 19 share slot 3; 4 is elsewhere.
  REQUIRE(file->PutKey(3, 100, kT0));
  REQUIRE(file->PutKey(11, 200, kT0 + 1000));
  REQUIRE(file->PutKey(3, 300, kT0 + 2000));
  REQUIRE(file->PutKey(4, 400, kT0 + 3000));
  REQUIRE(file->PutKey(19, 500, kT0 + 4000));
  REQUIRE(file->PutKey(3, 600, kT0 + 5000));

  CHECK(Select(*file, 3) == std::vector<int64_t>{600, 300, 100});
  CHECK(Select(*file, 11) == std::vector<int64_t>{200});
  CHECK(Select(*file, 19) == std::vector<int64_t>{500});
  CHECK(Select(*file, 4) == std::vector<int64_t>{400});
  CHECK(Select(*file, 27).empty());  // Same slot, no such hash.
  CHECK(Select(*file, 5).empty());   // Empty slot.
  CHECK(Select(*file, 3, 2) == std::vector<int64_t>{600, 300});
  CHECK(Select(*file, 3, 0).empty());
  CHECK(Select(*file, 3, 10, kT0 + 1000, kT0 + 4000) == std::vector<int64_t>{300});
  CHECK(Select(*file, 3, 10, kT0 + 2000, kT0 + 2000) == std::vector<int64_t>{300});
  CHECK(Select(*file, 3, 10, kT0 + 6000, kAll).empty());

  // Appends to what the caller already has and stops at max_num in total.
  std::vector<int64_t> out = {1};
  file->SelectPhyOffsets(3, 3, 0, kAll, &out);
  CHECK(out == std::vector<int64_t>{1, 600, 300});

  CHECK(file->Contains(3, 300));
  CHECK(file->Contains(19, 500));
  CHECK_FALSE(file->Contains(3, 200));
  CHECK_FALSE(file->Contains(11, 300));

  CHECK(file->IsTimeMatched(kT0 - 10, kT0 + 10));
  CHECK(file->IsTimeMatched(kT0 + 4000, kT0 + 9000));
  CHECK(file->IsTimeMatched(0, kAll));
  CHECK_FALSE(file->IsTimeMatched(kT0 + 5001, kAll));
  CHECK_FALSE(file->IsTimeMatched(0, kT0 - 1));
}

TEST_CASE("IndexFile times have one-second granularity from the begin timestamp") {
  TempDir dir;
  auto file = MustCreate(dir.File("20260101000000000"));
  REQUIRE(file->PutKey(1, 10, kT0));
  REQUIRE(file->PutKey(1, 20, kT0 + 1999));  // Reads back as kT0 + 1000.
  CHECK(Select(*file, 1, 10, kT0 + 1000, kT0 + 1000) == std::vector<int64_t>{20});
  CHECK(Select(*file, 1, 10, kT0 + 1500, kAll).empty());
  // Earlier than the first item: stored as 0 seconds.
  REQUIRE(file->PutKey(1, 30, kT0 - 5000));
  CHECK(Select(*file, 1, 1, kT0, kT0) == std::vector<int64_t>{30});
}

TEST_CASE("IndexFile is full after indexNum - 1 items") {
  TempDir dir;
  auto file = MustCreate(dir.File("20260101000000000"));
  for (int i = 1; i < kItems; ++i) {
    CHECK_FALSE(file->IsFull());
    REQUIRE(file->PutKey(i, i * 100, kT0 + i * 1000));
  }
  CHECK(file->IsFull());
  CHECK_FALSE(file->PutKey(99, 99, kT0));
  CHECK(file->index_count() == kItems);
  CHECK(Select(*file, 9) == std::vector<int64_t>{900});
  CHECK(Select(*file, 1) == std::vector<int64_t>{100});
}

TEST_CASE("IndexFile reopens with its header and chains") {
  TempDir dir;
  const std::string path = dir.File("20260101000000000");
  {
    auto file = MustCreate(path);
    REQUIRE(file->PutKey(3, 100, kT0));
    REQUIRE(file->PutKey(11, 200, kT0 + 1000));
    REQUIRE(file->PutKey(3, 300, kT0 + 2000));
  }
  auto reopened = IndexFile::Open(path, kSlots, kItems);
  REQUIRE(reopened.ok());
  IndexFile& file = **reopened;
  CHECK(file.begin_timestamp() == kT0);
  CHECK(file.end_timestamp() == kT0 + 2000);
  CHECK(file.begin_phy_offset() == 100);
  CHECK(file.end_phy_offset() == 300);
  CHECK(file.index_count() == 4);
  CHECK(file.hash_slot_count() == 1);
  CHECK(Select(file, 3) == std::vector<int64_t>{300, 100});
  REQUIRE(file.PutKey(3, 400, kT0 + 3000));
  CHECK(Select(file, 3) == std::vector<int64_t>{400, 300, 100});

  auto wrong = IndexFile::Open(path, kSlots, kItems + 1);
  REQUIRE(absl::IsDataLoss(wrong.status()));
  CHECK(wrong.status().message().find(path) != std::string_view::npos);
  CHECK(absl::IsNotFound(IndexFile::Open(dir.File("20260101000000001"), kSlots, kItems).status()));
}

TEST_CASE("IndexFile survives a corrupt header, slots and chains") {
  TempDir dir;
  const std::string path = dir.File("20260101000000000");
  {
    auto file = MustCreate(path);
    for (int i = 1; i < 6; ++i) REQUIRE(file->PutKey(3, i * 100, kT0 + i * 1000));
  }
  const int64_t items = 40 + kSlots * 4;

  SECTION("indexCount beyond capacity") {
    WriteAt(path, 36, Big32(1000000));
    WriteAt(path, 40 + 3 * 4, Big32(kItems + 5));  // Slot past the items.
    auto file = IndexFile::Open(path, kSlots, kItems);
    REQUIRE(file.ok());
    CHECK(Select(**file, 3).empty());
    CHECK((*file)->IsFull());
    CHECK_FALSE((*file)->PutKey(3, 1, kT0));
  }
  SECTION("slot past indexCount, negative slot") {
    WriteAt(path, 40 + 3 * 4, Big32(12));
    WriteAt(path, 40 + 4 * 4, Big32(-7));
    auto file = IndexFile::Open(path, kSlots, kItems);
    REQUIRE(file.ok());
    CHECK(Select(**file, 3).empty());
    CHECK(Select(**file, 4).empty());
    // A new item does not chain to the bad slot value.
    REQUIRE((*file)->PutKey(3, 900, kT0 + 9000));
    CHECK(Select(**file, 3) == std::vector<int64_t>{900});
  }
  SECTION("chain cycle and forward pointers") {
    WriteAt(path, items + 2 * 20 + 16, Big32(5));  // Item 2 points forward to 5.
    WriteAt(path, items + 4 * 20 + 16, Big32(4));  // Item 4 points to itself.
    auto file = IndexFile::Open(path, kSlots, kItems);
    REQUIRE(file.ok());
    CHECK(Select(**file, 3) == std::vector<int64_t>{500, 400});
    CHECK_FALSE((*file)->Contains(3, 100));
  }
  SECTION("negative time diff ends the walk") {
    WriteAt(path, items + 4 * 20 + 12, Big32(-1));
    auto file = IndexFile::Open(path, kSlots, kItems);
    REQUIRE(file.ok());
    CHECK(Select(**file, 3) == std::vector<int64_t>{500});
  }
  SECTION("zero or negative indexCount reads as an empty file") {
    WriteAt(path, 36, Big32(-3));
    auto file = IndexFile::Open(path, kSlots, kItems);
    REQUIRE(file.ok());
    CHECK((*file)->index_count() == 1);
  }
}

TEST_CASE("IndexFile never crashes on random bytes") {
  TempDir dir;
  const std::string path = dir.File("20260101000000000");
  { MustCreate(path); }
  std::mt19937_64 rng(42);
  const int64_t size = IndexFile::FileSize(kSlots, kItems);
  for (int round = 0; round < 200; ++round) {
    std::string bytes(static_cast<size_t>(size), '\0');
    // Mostly small values, so that chains are often plausible.
    for (size_t i = 0; i < bytes.size(); ++i) {
      uint64_t r = rng();
      bytes[i] = static_cast<char>(r % 4 == 0 ? r >> 8 : (i % 4 == 3 ? (r >> 8) % 20 : 0));
    }
    WriteAt(path, 0, bytes);
    auto file = IndexFile::Open(path, kSlots, kItems);
    REQUIRE(file.ok());
    for (int32_t hash = 0; hash < 40; ++hash) {
      std::vector<int64_t> out;
      (*file)->SelectPhyOffsets(hash, 1000, INT64_MIN, INT64_MAX, &out);
      CHECK(out.size() <= static_cast<size_t>(kItems));
      (*file)->Contains(hash, static_cast<int64_t>(rng() % 1000));
    }
    std::vector<int64_t> out;
    (*file)->SelectPhyOffsets(INT32_MAX, 10, 0, kAll, &out);
    for (int i = 0; i < kItems && (*file)->PutKey(static_cast<int32_t>(rng() % 64), i, kT0); ++i) {
    }
  }
}

}  // namespace rmq::internal
