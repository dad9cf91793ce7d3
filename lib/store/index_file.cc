// Copyright 2026 The rmq Authors. Licensed under the Apache License, Version 2.0.

#include "store/index_file.h"

#include <sys/mman.h>
#include <sys/stat.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <limits>
#include <utility>

#include "common/big_endian.h"
#include "common/status_macros.h"
#include "common/str_cat.h"

namespace rmq::internal {
namespace {

// Header field positions.
constexpr int64_t kBeginTimestampPos = 0;
constexpr int64_t kEndTimestampPos = 8;
constexpr int64_t kBeginPhyOffsetPos = 16;
constexpr int64_t kEndPhyOffsetPos = 24;
constexpr int64_t kHashSlotCountPos = 32;
constexpr int64_t kIndexCountPos = 36;

// Item field positions.
constexpr int64_t kItemHashPos = 0;
constexpr int64_t kItemPhyOffsetPos = 4;
constexpr int64_t kItemTimeDiffPos = 12;
constexpr int64_t kItemPrevPos = 16;

constexpr uint32_t kReplacementChar = 0xFFFD;

inline uint32_t HashUnit(uint32_t h, uint32_t unit) { return 31 * h + unit; }

// 31^k for k = 0..8 (mod 2^32), so eight ASCII bytes fold in at once:
// h' = h*31^8 + c0*31^7 + ... + c7*31^0. The products are independent, so
// the CPU overlaps them instead of waiting on a chain of eight multiplies.
constexpr std::array<uint32_t, 9> kPowersOf31 = [] {
  std::array<uint32_t, 9> powers{};
  powers[0] = 1;
  for (size_t k = 1; k < powers.size(); ++k) powers[k] = powers[k - 1] * 31;
  return powers;
}();

// Whether the eight bytes at `p` are all ASCII.
inline bool EightAscii(const unsigned char* p) {
  uint64_t word;
  std::memcpy(&word, p, sizeof word);
  return (word & 0x8080808080808080ULL) == 0;
}

template <size_t... K>
inline uint32_t HashAsciiBlock(uint32_t h, const unsigned char* p, std::index_sequence<K...>) {
  constexpr size_t kLast = sizeof...(K) - 1;
  return h * kPowersOf31[sizeof...(K)] + ((p[K] * kPowersOf31[kLast - K]) + ...);
}

inline uint32_t HashEightAscii(uint32_t h, const unsigned char* p) {
  return HashAsciiBlock(h, p, std::make_index_sequence<8>());
}

}  // namespace

int32_t JavaStringHashAppend(int32_t h32, std::string_view utf8) {
  // Unsigned arithmetic: Java's int overflow wraps, C++'s signed one is UB.
  uint32_t h = static_cast<uint32_t>(h32);
  const auto* p = reinterpret_cast<const unsigned char*>(utf8.data());
  const size_t n = utf8.size();
  size_t i = 0;
  while (i < n) {
    if (i + 8 <= n && EightAscii(p + i)) {  // Keys and topics are usually ASCII.
      h = HashEightAscii(h, p + i);
      i += 8;
      continue;
    }
    const uint32_t c = p[i];
    if (c < 0x80) {
      h = HashUnit(h, c);
      ++i;
      continue;
    }
    // Decode one sequence. Malformed input becomes one U+FFFD per "maximal
    // subpart" (the longest valid prefix of a sequence, or one bad byte), as
    // Java's UTF-8 decoder does, with Java's one exception: an encoded
    // surrogate (ED A0..BF ..) counts as a valid prefix, then one U+FFFD.
    size_t len;
    uint32_t cp;
    uint32_t lo = 0x80, hi = 0xBF;  // Allowed range of the next byte.
    if (c >= 0xC2 && c <= 0xDF) {
      len = 2;
      cp = c & 0x1F;
    } else if (c >= 0xE0 && c <= 0xEF) {
      len = 3;
      cp = c & 0x0F;
      if (c == 0xE0) lo = 0xA0;  // Overlong.
    } else if (c >= 0xF0 && c <= 0xF4) {
      len = 4;
      cp = c & 0x07;
      if (c == 0xF0) lo = 0x90;  // Overlong.
      if (c == 0xF4) hi = 0x8F;  // Past U+10FFFF.
    } else {
      h = HashUnit(h, kReplacementChar);
      ++i;
      continue;
    }
    size_t j = 1;
    for (; j < len && i + j < n; ++j) {
      const uint32_t b = p[i + j];
      if (b < lo || b > hi) break;
      cp = (cp << 6) | (b & 0x3F);
      lo = 0x80;
      hi = 0xBF;
    }
    i += j;
    if (j < len || (cp >= 0xD800 && cp <= 0xDFFF)) {
      h = HashUnit(h, kReplacementChar);
    } else if (cp >= 0x10000) {  // A surrogate pair in UTF-16.
      cp -= 0x10000;
      h = HashUnit(h, 0xD800 + (cp >> 10));
      h = HashUnit(h, 0xDC00 + (cp & 0x3FF));
    } else {
      h = HashUnit(h, cp);
    }
  }
  return static_cast<int32_t>(h);
}

int32_t IndexTopicHash(std::string_view topic) {
  return JavaStringHashAppend(JavaStringHashAppend(0, topic), "#");
}

int32_t IndexKeyHash(std::string_view topic, std::string_view key) {
  return IndexKeyHashFrom(IndexTopicHash(topic), key);
}

int32_t IndexKeyHashFrom(int32_t topic_hash, std::string_view key) {
  const int32_t h = JavaStringHashAppend(topic_hash, key);
  // Math.abs, and Integer.MIN_VALUE (whose abs is itself) maps to 0.
  if (h == std::numeric_limits<int32_t>::min()) return 0;
  return h < 0 ? -h : h;
}

IndexFile::IndexFile(std::shared_ptr<MappedFile> file, int32_t hash_slot_num, int32_t index_num)
    : file_(std::move(file)),
      hash_slot_num_(hash_slot_num),
      index_num_(index_num),
      data_(file_->data()) {}

absl::StatusOr<std::shared_ptr<IndexFile>> IndexFile::Create(const std::string& path,
                                                             int32_t hash_slot_num,
                                                             int32_t index_num,
                                                             int64_t end_phy_offset,
                                                             int64_t end_timestamp) {
  struct stat st;
  if (::stat(path.c_str(), &st) == 0) {
    // MappedFile would reuse it; a new file must start empty.
    return absl::AlreadyExistsError(StrCat("index file ", path, " already exists"));
  }
  absl::StatusOr<std::shared_ptr<MappedFile>> mapped =
      MappedFile::OpenNamed(path, FileSize(hash_slot_num, index_num));
  if (!mapped.ok()) return mapped.status();
  std::shared_ptr<IndexFile> file(new IndexFile(*std::move(mapped), hash_slot_num, index_num));
  if (end_phy_offset > 0) {
    file->StoreBeginPhyOffset(end_phy_offset);
    file->StoreEndPhyOffset(end_phy_offset);
  }
  if (end_timestamp > 0) {
    file->StoreBeginTimestamp(end_timestamp);
    file->StoreEndTimestamp(end_timestamp);
  }
  file->StoreHashSlotCount(0);
  // RocketMQ leaves 0 here until the first item (and reads 0 as 1); writing 1
  // is equivalent and makes a fresh file self-describing.
  file->StoreIndexCount(1);
  return file;
}

absl::StatusOr<std::shared_ptr<IndexFile>> IndexFile::Open(const std::string& path,
                                                           int32_t hash_slot_num,
                                                           int32_t index_num) {
  const int64_t expected = FileSize(hash_slot_num, index_num);
  struct stat st;
  if (::stat(path.c_str(), &st) != 0) {
    return absl::NotFoundError(
        StrCat("cannot stat index file ", path, ": ", std::strerror(errno)));
  }
  if (st.st_size != expected) {
    return absl::DataLossError(StrCat(
        "index file ", path, " has ", st.st_size, " bytes, expected ", expected,
        " for maxHashSlotNum=", hash_slot_num, " maxIndexNum=", index_num,
        "; restore the settings it was written with, or remove the file (its keys can "
        "then no longer be queried)"));
  }
  absl::StatusOr<std::shared_ptr<MappedFile>> mapped = MappedFile::OpenNamed(path, expected);
  if (!mapped.ok()) return mapped.status();
  std::shared_ptr<IndexFile> file(new IndexFile(*std::move(mapped), hash_slot_num, index_num));
  file->LoadHeader();
  return file;
}

void IndexFile::LoadHeader() {
  begin_timestamp_.store(GetBig64(data_ + kBeginTimestampPos), std::memory_order_relaxed);
  end_timestamp_.store(GetBig64(data_ + kEndTimestampPos), std::memory_order_relaxed);
  begin_phy_offset_.store(GetBig64(data_ + kBeginPhyOffsetPos), std::memory_order_relaxed);
  end_phy_offset_.store(GetBig64(data_ + kEndPhyOffsetPos), std::memory_order_relaxed);
  hash_slot_count_.store(GetBig32(data_ + kHashSlotCountPos), std::memory_order_relaxed);
  int32_t count = GetBig32(data_ + kIndexCountPos);
  index_count_.store(count <= 0 ? 1 : count, std::memory_order_release);
}

// Header setters write the file and the mirror readers use.
void IndexFile::StoreBeginTimestamp(int64_t v) {
  PutBig64(data_ + kBeginTimestampPos, v);
  begin_timestamp_.store(v, std::memory_order_relaxed);
}
void IndexFile::StoreEndTimestamp(int64_t v) {
  PutBig64(data_ + kEndTimestampPos, v);
  end_timestamp_.store(v, std::memory_order_relaxed);
}
void IndexFile::StoreBeginPhyOffset(int64_t v) {
  PutBig64(data_ + kBeginPhyOffsetPos, v);
  begin_phy_offset_.store(v, std::memory_order_relaxed);
}
void IndexFile::StoreEndPhyOffset(int64_t v) {
  PutBig64(data_ + kEndPhyOffsetPos, v);
  end_phy_offset_.store(v, std::memory_order_relaxed);
}
void IndexFile::StoreHashSlotCount(int32_t v) {
  PutBig32(data_ + kHashSlotCountPos, v);
  hash_slot_count_.store(v, std::memory_order_relaxed);
}
void IndexFile::StoreIndexCount(int32_t v) {
  PutBig32(data_ + kIndexCountPos, v);
  // Release: whoever sees the new count sees the items and header before it.
  index_count_.store(v, std::memory_order_release);
}

int32_t IndexFile::LoadSlot(int64_t slot, std::memory_order order) const {
  // Slots are 4-aligned (header 40 bytes, mapping page-aligned), as
  // atomic_ref requires; the value stays big-endian in memory.
  auto* p = reinterpret_cast<int32_t*>(data_ + kHeaderSize + slot * kSlotSize);
  return ByteSwapIfLittle(std::atomic_ref<int32_t>(*p).load(order));
}

void IndexFile::StoreSlot(int64_t slot, int32_t value) {
  auto* p = reinterpret_cast<int32_t*>(data_ + kHeaderSize + slot * kSlotSize);
  std::atomic_ref<int32_t>(*p).store(ByteSwapIfLittle(value), std::memory_order_release);
}

char* IndexFile::ItemAt(int64_t index) const {
  return data_ + ItemsOffset(hash_slot_num_) + index * kItemSize;
}

bool IndexFile::PutKey(int32_t key_hash, int64_t phy_offset, int64_t store_timestamp) {
  const int32_t count = index_count_.load(std::memory_order_relaxed);
  if (count >= index_num_) return false;
  if (key_hash < 0) key_hash = 0;  // IndexKeyHash never returns one; stay in bounds anyway.
  const int64_t slot = key_hash % hash_slot_num_;
  int32_t prev = LoadSlot(slot, std::memory_order_relaxed);
  // A valid slot points below indexCount; anything else is left over from a
  // torn file and must not become part of a chain.
  if (prev <= 0 || prev >= count) prev = 0;

  // Unlike RocketMQ, the begin timestamp is set before the first item's
  // timeDiff is taken, so that item's time reads back exactly (RocketMQ
  // measures it from the previous file's end). The format is unchanged.
  if (count <= 1) {
    StoreBeginTimestamp(store_timestamp);
    StoreBeginPhyOffset(phy_offset);
  }
  const int64_t begin = begin_timestamp();
  int64_t diff = 0;
  if (begin > 0 && !__builtin_sub_overflow(store_timestamp, begin, &diff)) {
    diff /= 1000;
    if (diff < 0) diff = 0;
    if (diff > std::numeric_limits<int32_t>::max()) diff = std::numeric_limits<int32_t>::max();
  } else {
    diff = 0;
  }

  char* item = ItemAt(count);
  PutBig32(item + kItemHashPos, key_hash);
  PutBig64(item + kItemPhyOffsetPos, phy_offset);
  PutBig32(item + kItemTimeDiffPos, static_cast<int32_t>(diff));
  PutBig32(item + kItemPrevPos, prev);
  // Publish the item to readers walking this slot.
  StoreSlot(slot, count);

  if (prev == 0) StoreHashSlotCount(hash_slot_count() + 1);
  StoreEndPhyOffset(phy_offset);
  StoreEndTimestamp(store_timestamp);
  StoreIndexCount(count + 1);
  return true;
}

bool IndexFile::IsTimeMatched(int64_t begin, int64_t end) const {
  const int64_t file_begin = begin_timestamp();
  const int64_t file_end = end_timestamp();
  return (begin < file_begin && end > file_end) || (begin >= file_begin && begin <= file_end) ||
         (end >= file_begin && end <= file_end);
}

void IndexFile::SelectPhyOffsets(int32_t key_hash, int32_t max_num, int64_t begin, int64_t end,
                                 std::vector<int64_t>* out) const {
  if (key_hash < 0 || max_num <= 0) return;
  // Slot first, then the count: the count published after the slot can only
  // be larger, so the newest item passes IsReadableItem.
  int32_t i = LoadSlot(key_hash % hash_slot_num_, std::memory_order_acquire);
  const int32_t count = index_count();
  const int64_t file_begin = begin_timestamp();
  while (IsReadableItem(i, count) && out->size() < static_cast<size_t>(max_num)) {
    const char* item = ItemAt(i);
    const int32_t hash = GetBig32(item + kItemHashPos);
    const int64_t phy_offset = GetBig64(item + kItemPhyOffsetPos);
    const int32_t diff = GetBig32(item + kItemTimeDiffPos);
    const int32_t prev = GetBig32(item + kItemPrevPos);
    if (diff < 0) break;  // Corrupt.
    // Wrapping add: a corrupt begin timestamp must not be undefined behaviour.
    const auto time = static_cast<int64_t>(static_cast<uint64_t>(file_begin) +
                                           static_cast<uint64_t>(diff) * 1000);
    if (hash == key_hash && time >= begin && time <= end) out->push_back(phy_offset);
    // Chains run newest to oldest: nothing older can be in range. Items only
    // ever point to earlier items, so requiring prev < i also ends any cycle
    // a corrupt file could contain.
    if (time < begin || prev >= i) break;
    i = prev;
  }
}

bool IndexFile::Contains(int32_t key_hash, int64_t phy_offset) const {
  if (key_hash < 0) return false;
  int32_t i = LoadSlot(key_hash % hash_slot_num_, std::memory_order_acquire);
  const int32_t count = index_count();
  while (IsReadableItem(i, count)) {
    const char* item = ItemAt(i);
    const int64_t offset = GetBig64(item + kItemPhyOffsetPos);
    if (offset < phy_offset) break;  // Items are in commit log order.
    if (offset == phy_offset && GetBig32(item + kItemHashPos) == key_hash) return true;
    const int32_t prev = GetBig32(item + kItemPrevPos);
    if (prev >= i) break;
    i = prev;
  }
  return false;
}

IndexFile::FlushRanges IndexFile::RangesToFlush(int32_t hash_slot_num, int32_t flushed,
                                                int32_t count) {
  const int64_t slots_end = ItemsOffset(hash_slot_num);
  return {slots_end, slots_end + int64_t{flushed} * kItemSize,
          slots_end + int64_t{count} * kItemSize};
}

absl::Status IndexFile::Flush() {
  const int32_t count = index_count();
  const int32_t flushed = flushed_count_.load(std::memory_order_relaxed);
  if (count == flushed) return absl::OkStatus();
  const FlushRanges ranges = RangesToFlush(hash_slot_num_, flushed, count);
  RMQ_RETURN_IF_ERROR(file_->Sync(0, ranges.slots_end));
  RMQ_RETURN_IF_ERROR(file_->Sync(ranges.items_begin, ranges.items_end - ranges.items_begin));
  flushed_count_.store(count, std::memory_order_release);
  return absl::OkStatus();
}

}  // namespace rmq::internal
