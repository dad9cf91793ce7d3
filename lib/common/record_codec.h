// Copyright 2026 The rmq Authors. Licensed under the Apache License, Version 2.0.
//
// The commit log record: RocketMQ 4.x's stored message layout (MessageDecoder,
// MESSAGE_MAGIC_CODE v1). All integers big-endian.
//
//   offset size  field
//        0    4  TOTALSIZE            bytes of the whole record
//        4    4  MAGICCODE            0xDAA320A7 (message) or 0xCBD43194 (blank)
//        8    4  BODYCRC              Crc32(body), 31 bits
//       12    4  QUEUEID
//       16    4  FLAG
//       20    8  QUEUEOFFSET          position in the consume queue
//       28    8  PHYSICALOFFSET       position of this record in the commit log
//       36    4  SYSFLAG              sysflag:: bits
//       40    8  BORNTIMESTAMP        ms
//       48  8|20 BORNHOST             IPv4: 4-byte address + 4-byte port; IPv6: 16 + 4
//        .    8  STORETIMESTAMP       ms
//        .  8|20 STOREHOST
//        .    4  RECONSUMETIMES
//        .    8  PREPARED_TRANSACTION_OFFSET
//        .    4  BODY length, then the body
//        .    1  TOPIC length, then the topic
//        .    2  PROPERTIES length, then the properties (properties_codec.h)
//
// A segment whose remaining space cannot hold the next record plus 8 bytes is
// closed by a BLANK record: TOTALSIZE = remaining bytes, MAGICCODE = blank,
// the rest undefined.

#ifndef RMQ_COMMON_RECORD_CODEC_H_
#define RMQ_COMMON_RECORD_CODEC_H_

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

#include "absl/status/statusor.h"
#include "common/properties_codec.h"
#include "rmq/message.h"
#include "rmq/store.h"

namespace rmq::internal {

inline constexpr int32_t kMessageMagicCode = static_cast<int32_t>(0xDAA320A7);  // -626843481
inline constexpr int32_t kBlankMagicCode = static_cast<int32_t>(0xCBD43194);    // -875286124
inline constexpr int32_t kEndFileMinBlankLength = 4 + 4;

// Fixed positions (valid whatever the host address widths).
inline constexpr size_t kTotalSizePos = 0;
inline constexpr size_t kMagicCodePos = 4;
inline constexpr size_t kBodyCrcPos = 8;
inline constexpr size_t kQueueIdPos = 12;
inline constexpr size_t kFlagPos = 16;
inline constexpr size_t kQueueOffsetPos = 20;
inline constexpr size_t kPhysicalOffsetPos = 28;
inline constexpr size_t kSysFlagPos = 36;
inline constexpr size_t kBornTimestampPos = 40;
inline constexpr size_t kBornHostPos = 48;

inline constexpr int kMaxTopicLength = 127;     // One length byte, Java's signed byte.
inline constexpr int kMaxPropertiesLength = 32767;  // Two length bytes, Java's signed short.

// A host field: IPv4 or IPv6 address, then the port.
inline constexpr size_t kHostV4Size = 4 + 4;
inline constexpr size_t kHostV6Size = 16 + 4;
constexpr size_t BornHostSize(int32_t sys_flag) {
  return (sys_flag & sysflag::kBornHostV6) != 0 ? kHostV6Size : kHostV4Size;
}
constexpr size_t StoreHostSize(int32_t sys_flag) {
  return (sys_flag & sysflag::kStoreHostV6) != 0 ? kHostV6Size : kHostV4Size;
}

// Positions that depend on the sys flag's IPv6 bits. Inline: every append
// and every record read asks, several times.
struct RecordLayout {
  size_t store_timestamp_pos;
  size_t store_host_pos;
  size_t reconsume_times_pos;
  size_t prepared_transaction_offset_pos;
  size_t body_length_pos;

  static constexpr RecordLayout ForSysFlag(int32_t sys_flag) {
    RecordLayout l{};
    l.store_timestamp_pos = kBornHostPos + BornHostSize(sys_flag);
    l.store_host_pos = l.store_timestamp_pos + 8;
    l.reconsume_times_pos = l.store_host_pos + StoreHostSize(sys_flag);
    l.prepared_transaction_offset_pos = l.reconsume_times_pos + 4;
    l.body_length_pos = l.prepared_transaction_offset_pos + 8;
    return l;
  }
};

// Bytes of a record with these field sizes.
size_t RecordSize(int32_t sys_flag, size_t body_size, size_t topic_size, size_t properties_size);

// Writes a complete record for `msg` at `dst` (RecordSize(...) bytes), using
// `encoded_properties` as the PROPERTIES field and `body_crc` as BODYCRC. The
// fields the store assigns (QUEUEOFFSET, PHYSICALOFFSET, STORETIMESTAMP) are
// taken from `msg` and may be patched later with PatchStoreFields. The caller
// has checked the topic and properties lengths. Allocates nothing.
void EncodeRecord(const MessageExt& msg, std::string_view encoded_properties, int32_t body_crc,
                  char* dst);

// Writes a record of `msg` stored by `store_host` at `dst` (RecordSize(...)
// bytes) with `sys_flag` (msg.sys_flag with the hosts' IPv6 bits set). The
// fields the store assigns are zero, to be patched with PatchStoreFields.
// The caller has checked the topic and properties lengths.
void EncodeRecord(const EncodedMessage& msg, int32_t sys_flag, const HostAddress& store_host,
                  int32_t body_crc, char* dst);

// Checks that `encoded` is a sequence of "name\x01value\x02" pairs with
// non-empty names (what DecodeProperties accepts); InvalidArgument naming
// the byte where it is not.
absl::Status ValidateEncodedProperties(std::string_view encoded);

// Rewrites the store-assigned fields of an encoded record in place.
void PatchStoreFields(char* record, int64_t queue_offset, int64_t physical_offset,
                      int64_t store_timestamp);

// A validated view of one stored record's fields, without copies.
struct RecordView {
  int32_t total_size = 0;
  int32_t body_crc = 0;
  int32_t queue_id = 0;
  int32_t flag = 0;
  int64_t queue_offset = 0;
  int64_t physical_offset = 0;
  int32_t sys_flag = 0;
  int64_t born_timestamp = 0;
  int64_t store_timestamp = 0;
  int32_t reconsume_times = 0;
  int64_t prepared_transaction_offset = 0;
  std::string_view born_host;   // 8 or 20 raw bytes
  std::string_view store_host;  // 8 or 20 raw bytes
  std::string_view body;
  std::string_view topic;
  std::string_view properties;  // encoded
};

// What ParseRecord found at a position of a commit log segment.
enum class RecordKind { kMessage, kBlank, kEnd };

// Parses the record at the start of `data` (which may extend past it).
// kEnd means zero bytes (TOTALSIZE 0: never written). A BLANK yields kBlank
// with view->total_size set. Errors (bad magic, size out of range, fields
// overrunning the record or `data`, CRC mismatch when `check_crc`) are
// DataLoss with the reason.
absl::StatusOr<RecordKind> ParseRecord(std::string_view data, bool check_crc, RecordView* view);

// Decodes a full record (ParseRecord with CRC check) into a MessageExt.
absl::StatusOr<MessageExt> DecodeRecord(std::string_view record);

// Fills `msg` from a record ParseRecord already found to be a message (what
// a consumer does with a pull response: RocketMQ's clients do not re-check
// the CRC the broker's store checked). Every field of `msg` is replaced, its
// properties by the record's plus `extra` (sorted by name; they win over the
// record's). The strings `msg` holds are assigned, not replaced, so decoding
// into a message decoded before reuses their capacity. DataLoss if the
// encoded properties are malformed.
absl::Status DecodeRecordView(const RecordView& view, MessageExt* msg,
                              std::span<const PropertyView> extra = {});

// Raw host bytes (8 or 20) to a HostAddress, and back.
HostAddress DecodeHost(std::string_view raw);
void EncodeHost(const HostAddress& host, char* dst);  // 8 or 20 bytes per host.ipv6

}  // namespace rmq::internal

#endif  // RMQ_COMMON_RECORD_CODEC_H_
