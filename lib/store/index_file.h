// Copyright 2026 The rmq Authors. Licensed under the Apache License, Version 2.0.
//
// IndexFile: one file of the message key index, in RocketMQ's IndexFile
// format, so files are interchangeable with a Java broker's. All integers
// are big-endian.
//
//   header (40 bytes):
//     beginTimestamp i64   store time (ms) of the first item
//     endTimestamp   i64   store time (ms) of the newest item
//     beginPhyOffset i64   commit log offset of the first item
//     endPhyOffset   i64   commit log offset of the newest item
//     hashSlotCount  i32   slots in use (informational)
//     indexCount     i32   next free item number; starts at 1
//   hashSlotNum slots (4 bytes each): number of the newest item whose key
//     hash falls in the slot (keyHash % hashSlotNum), 0 = empty
//   indexNum items (20 bytes each; item 0 is never used):
//     keyHash i32   |String.hashCode("topic#key")|, 0 for Integer.MIN_VALUE
//     phyOffset i64 commit log offset of the message
//     timeDiff i32  (storeTimestamp - beginTimestamp) / 1000, seconds
//     prevIndex i32 the previous item of the same slot, 0 ends the chain
//
// File size is exactly 40 + hashSlotNum*4 + indexNum*20; a file is full when
// indexCount reaches indexNum. A new file starts with begin/end fields equal
// to the previous file's end fields, as RocketMQ does.
//
// Concurrency: one writer (the dispatcher) calls PutKey; any number of
// readers may query meanwhile without a lock. The writer fills an item before
// it publishes the item's number into its slot (release), and readers load
// slots with acquire, so an item reached through a slot is complete. Header
// fields are mirrored in atomics for readers.

#ifndef RMQ_STORE_INDEX_FILE_H_
#define RMQ_STORE_INDEX_FILE_H_

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "store/mapped_file.h"

namespace rmq::internal {

// Java's String.hashCode() continued over `utf8`: h = 31*h + c for every
// UTF-16 code unit of the string Java decodes from these bytes (malformed
// sequences become U+FFFD, as `new String(bytes, UTF_8)` does). Start with 0.
int32_t JavaStringHashAppend(int32_t h, std::string_view utf8);

// RocketMQ's index key hash of "topic#key", without building that string.
int32_t IndexKeyHash(std::string_view topic, std::string_view key);
// The same in two steps, for the keys of one message: the hash state after
// "topic#", then each key's hash from it.
int32_t IndexTopicHash(std::string_view topic);
int32_t IndexKeyHashFrom(int32_t topic_hash, std::string_view key);

class IndexFile {
 public:
  static constexpr int64_t kHeaderSize = 40;
  static constexpr int64_t kSlotSize = 4;
  static constexpr int64_t kItemSize = 20;

  // Where item 0 begins: after the header and the slots.
  static int64_t ItemsOffset(int32_t hash_slot_num) {
    return kHeaderSize + int64_t{hash_slot_num} * kSlotSize;
  }
  static int64_t FileSize(int32_t hash_slot_num, int32_t index_num) {
    return ItemsOffset(hash_slot_num) + int64_t{index_num} * kItemSize;
  }

  // Creates a new file at `path` (which must not exist) whose begin and end
  // fields start at the previous file's `end_phy_offset` / `end_timestamp`
  // (0: none).
  static absl::StatusOr<std::shared_ptr<IndexFile>> Create(const std::string& path,
                                                           int32_t hash_slot_num,
                                                           int32_t index_num,
                                                           int64_t end_phy_offset,
                                                           int64_t end_timestamp);

  // Opens an existing file of exactly FileSize(hash_slot_num, index_num)
  // bytes and reads its header.
  static absl::StatusOr<std::shared_ptr<IndexFile>> Open(const std::string& path,
                                                         int32_t hash_slot_num,
                                                         int32_t index_num);

  IndexFile(const IndexFile&) = delete;
  IndexFile& operator=(const IndexFile&) = delete;

  const std::string& path() const { return file_->path(); }
  int32_t hash_slot_num() const { return hash_slot_num_; }
  int32_t index_num() const { return index_num_; }

  int64_t begin_timestamp() const { return begin_timestamp_.load(std::memory_order_relaxed); }
  int64_t end_timestamp() const { return end_timestamp_.load(std::memory_order_relaxed); }
  int64_t begin_phy_offset() const { return begin_phy_offset_.load(std::memory_order_relaxed); }
  int64_t end_phy_offset() const { return end_phy_offset_.load(std::memory_order_relaxed); }
  int32_t hash_slot_count() const { return hash_slot_count_.load(std::memory_order_relaxed); }
  int32_t index_count() const { return index_count_.load(std::memory_order_acquire); }

  bool IsFull() const { return index_count() >= index_num_; }

  // Adds an item (writer only). False if the file is full.
  bool PutKey(int32_t key_hash, int64_t phy_offset, int64_t store_timestamp);

  // Whether [begin, end] overlaps the file's [beginTimestamp, endTimestamp].
  bool IsTimeMatched(int64_t begin, int64_t end) const;

  // Appends to `out`, newest first, the offsets of items with `key_hash`
  // stored within [begin, end] (at second granularity, as RocketMQ), until
  // `out` holds `max_num`. Different keys may share a hash: the caller checks
  // the messages' keys. A corrupt chain ends the walk; it never crashes.
  void SelectPhyOffsets(int32_t key_hash, int32_t max_num, int64_t begin, int64_t end,
                        std::vector<int64_t>* out) const;

  // Whether an item (key_hash, phy_offset) exists (the re-dispatch check).
  bool Contains(int32_t key_hash, int64_t phy_offset) const;

  // Writes the file to disk if items were added since the last Flush (any
  // thread; concurrent PutKey calls are picked up by the next Flush).
  absl::Status Flush();

  // The bytes Flush writes out when items [0, flushed) were flushed before
  // and `count` exist now: [0, slots_end) is the header and every slot
  // (PutKey changes slots anywhere), [items_begin, items_end) the items
  // written since. Written items never change, and the rest of the file is
  // zeros nothing wrote yet, which msync would only walk.
  struct FlushRanges {
    int64_t slots_end;
    int64_t items_begin;
    int64_t items_end;
  };
  static FlushRanges RangesToFlush(int32_t hash_slot_num, int32_t flushed, int32_t count);

  // index_count() as of the last successful Flush (0: never flushed).
  int32_t flushed_index_count() const { return flushed_count_.load(std::memory_order_acquire); }

  // Removes the file from the directory now; readers still holding this
  // object keep its mapping until they let go.
  void Unlink() { file_->Unlink(); }

 private:
  IndexFile(std::shared_ptr<MappedFile> file, int32_t hash_slot_num, int32_t index_num);

  void LoadHeader();
  void StoreBeginTimestamp(int64_t v);
  void StoreEndTimestamp(int64_t v);
  void StoreBeginPhyOffset(int64_t v);
  void StoreEndPhyOffset(int64_t v);
  void StoreHashSlotCount(int32_t v);
  void StoreIndexCount(int32_t v);

  int32_t LoadSlot(int64_t slot, std::memory_order order) const;
  void StoreSlot(int64_t slot, int32_t value);
  char* ItemAt(int64_t index) const;
  // Whether a walk may visit item `i` given the indexCount it loaded: within
  // [1, count] and within the file even if a corrupt header claims more.
  bool IsReadableItem(int64_t i, int32_t count) const { return i >= 1 && i <= count && i < index_num_; }

  const std::shared_ptr<MappedFile> file_;
  const int32_t hash_slot_num_;
  const int32_t index_num_;
  char* const data_;

  std::atomic<int64_t> begin_timestamp_{0};
  std::atomic<int64_t> end_timestamp_{0};
  std::atomic<int64_t> begin_phy_offset_{0};
  std::atomic<int64_t> end_phy_offset_{0};
  std::atomic<int32_t> hash_slot_count_{0};
  std::atomic<int32_t> index_count_{1};
  std::atomic<int32_t> flushed_count_{0};
};

}  // namespace rmq::internal

#endif  // RMQ_STORE_INDEX_FILE_H_
