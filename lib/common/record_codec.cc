// Copyright 2026 The rmq Authors. Licensed under the Apache License, Version 2.0.

#include "common/record_codec.h"

#include <bit>
#include <cstring>

#include "common/big_endian.h"
#include "common/crc32.h"
#include "common/message_access.h"
#include "common/properties_codec.h"
#include "common/status_macros.h"
#include "fmt/format.h"

namespace rmq::internal {
namespace {

// Bytes after BODYLENGTH's position that every record has even when body,
// topic and properties are empty: the three length fields.
constexpr size_t kLengthFieldsSize = 4 + 1 + 2;
// The smallest possible message record (IPv4 hosts, all variable parts empty);
// a record claiming less cannot be a message whatever its sys flag says.
constexpr int64_t kMinRecordSize = 84 + kLengthFieldsSize;


// Writes `host` with the width the sys flag chose (`ipv6`), whatever
// host.ipv6 says: the record's layout must follow its SYSFLAG.
void EncodeHostAs(const HostAddress& host, bool ipv6, char* dst) {
  const size_t ip_len = ipv6 ? 16 : 4;
  std::memcpy(dst, host.ip.data(), ip_len);
  PutBig32(dst + ip_len, host.port);
}

// Builds the DataLoss errors of ParseRecord: "record (PHYSICALOFFSET field
// 1234): <what>", the offset identifying the record when it can be read.
class Corruption {
 public:
  explicit Corruption(std::string_view data) {
    if (data.size() >= kPhysicalOffsetPos + 8) {
      physical_offset_ = GetBig64(data.data() + kPhysicalOffsetPos);
      known_ = true;
    }
  }

  template <typename... Args>
  absl::Status operator()(fmt::format_string<Args...> what, Args&&... args) const {
    std::string reason = fmt::format(what, std::forward<Args>(args)...);
    if (!known_) return absl::DataLossError(fmt::format("corrupt record: {}", reason));
    return absl::DataLossError(
        fmt::format("corrupt record (PHYSICALOFFSET field {}): {}", physical_offset_, reason));
  }

 private:
  bool known_ = false;
  int64_t physical_offset_ = 0;
};

}  // namespace

size_t RecordSize(int32_t sys_flag, size_t body_size, size_t topic_size,
                  size_t properties_size) {
  return RecordLayout::ForSysFlag(sys_flag).body_length_pos + kLengthFieldsSize + body_size +
         topic_size + properties_size;
}

namespace {

// Every field of a record, whichever form the message came in.
struct RecordFields {
  std::string_view topic;
  std::string_view body;
  std::string_view properties;
  int32_t body_crc = 0;
  int32_t queue_id = 0;
  int32_t flag = 0;
  int64_t queue_offset = 0;
  int64_t physical_offset = 0;
  int32_t sys_flag = 0;
  int64_t born_timestamp = 0;
  const HostAddress* born_host = nullptr;
  int64_t store_timestamp = 0;
  const HostAddress* store_host = nullptr;
  int32_t reconsume_times = 0;
  int64_t prepared_transaction_offset = 0;
};

void WriteRecord(const RecordFields& f, char* dst) {
  const RecordLayout l = RecordLayout::ForSysFlag(f.sys_flag);
  const size_t total = RecordSize(f.sys_flag, f.body.size(), f.topic.size(), f.properties.size());

  PutBig32(dst + kTotalSizePos, static_cast<int32_t>(total));
  PutBig32(dst + kMagicCodePos, kMessageMagicCode);
  PutBig32(dst + kBodyCrcPos, f.body_crc);
  PutBig32(dst + kQueueIdPos, f.queue_id);
  PutBig32(dst + kFlagPos, f.flag);
  PutBig64(dst + kQueueOffsetPos, f.queue_offset);
  PutBig64(dst + kPhysicalOffsetPos, f.physical_offset);
  PutBig32(dst + kSysFlagPos, f.sys_flag);
  PutBig64(dst + kBornTimestampPos, f.born_timestamp);
  EncodeHostAs(*f.born_host, (f.sys_flag & sysflag::kBornHostV6) != 0, dst + kBornHostPos);
  PutBig64(dst + l.store_timestamp_pos, f.store_timestamp);
  EncodeHostAs(*f.store_host, (f.sys_flag & sysflag::kStoreHostV6) != 0, dst + l.store_host_pos);
  PutBig32(dst + l.reconsume_times_pos, f.reconsume_times);
  PutBig64(dst + l.prepared_transaction_offset_pos, f.prepared_transaction_offset);

  char* p = dst + l.body_length_pos;
  PutBig32(p, static_cast<int32_t>(f.body.size()));
  p += 4;
  if (!f.body.empty()) std::memcpy(p, f.body.data(), f.body.size());
  p += f.body.size();
  *p++ = static_cast<char>(static_cast<uint8_t>(f.topic.size()));
  std::memcpy(p, f.topic.data(), f.topic.size());
  p += f.topic.size();
  PutBig<uint16_t>(p, static_cast<uint16_t>(f.properties.size()));
  p += 2;
  if (!f.properties.empty()) std::memcpy(p, f.properties.data(), f.properties.size());
}

}  // namespace

void EncodeRecord(const MessageExt& msg, std::string_view encoded_properties, int32_t body_crc,
                  char* dst) {
  RecordFields f;
  f.topic = msg.topic();
  f.body = msg.body();
  f.properties = encoded_properties;
  f.body_crc = body_crc;
  f.queue_id = msg.queue_id;
  f.flag = msg.flag();
  f.queue_offset = msg.queue_offset;
  f.physical_offset = msg.commit_log_offset;
  f.sys_flag = msg.sys_flag;
  f.born_timestamp = msg.born_timestamp;
  f.born_host = &msg.born_host;
  f.store_timestamp = msg.store_timestamp;
  f.store_host = &msg.store_host;
  f.reconsume_times = msg.reconsume_times;
  f.prepared_transaction_offset = msg.prepared_transaction_offset;
  WriteRecord(f, dst);
}

void EncodeRecord(const EncodedMessage& msg, int32_t sys_flag, const HostAddress& store_host,
                  int32_t body_crc, char* dst) {
  RecordFields f;
  f.topic = msg.topic;
  f.body = msg.body;
  f.properties = msg.properties;
  f.body_crc = body_crc;
  f.queue_id = msg.queue_id;
  f.flag = msg.flag;
  f.sys_flag = sys_flag;
  f.born_timestamp = msg.born_timestamp;
  f.born_host = &msg.born_host;
  f.store_host = &store_host;
  f.reconsume_times = msg.reconsume_times;
  f.prepared_transaction_offset = msg.prepared_transaction_offset;
  WriteRecord(f, dst);
}

namespace {

// The position of the first byte at or after `i` below 3 (either separator,
// or a NUL, which the caller passes over), or s.size(). Reads 8 bytes at a
// time: names and values hold no such byte, so most words are skipped whole.
size_t NextLowByte(std::string_view s, size_t i) {
  if constexpr (std::endian::native == std::endian::little) {
    constexpr uint64_t kOnes = 0x0101010101010101;
    constexpr uint64_t kHighs = 0x8080808080808080;
    for (; i + 8 <= s.size(); i += 8) {
      uint64_t word;
      std::memcpy(&word, s.data() + i, 8);
      // The lowest set bit marks the first byte below 3 exactly (bits above
      // it may be borrows' false positives).
      const uint64_t low = (word - 3 * kOnes) & ~word & kHighs;
      if (low != 0) return i + static_cast<size_t>(std::countr_zero(low) / 8);
    }
  }
  while (i < s.size() && static_cast<unsigned char>(s[i]) >= 3) ++i;
  return i;
}

}  // namespace

absl::Status ValidateEncodedProperties(std::string_view encoded) {
  // One pass over the bytes: every put of the broker's send path runs this.
  size_t name_start = 0;
  size_t value_start = std::string_view::npos;  // npos: reading a name
  for (size_t i = NextLowByte(encoded, 0); i < encoded.size(); i = NextLowByte(encoded, i + 1)) {
    const char c = encoded[i];
    if (c == kNameValueSeparator) {
      if (value_start != std::string_view::npos) {
        return absl::InvalidArgumentError(fmt::format(
            "encoded properties: the value of '{}' (byte {}) holds a name/value separator",
            encoded.substr(name_start, value_start - 1 - name_start), value_start));
      }
      if (i == name_start) {
        return absl::InvalidArgumentError(
            fmt::format("encoded properties: empty property name at byte {}", name_start));
      }
      value_start = i + 1;
    } else if (c == kPropertySeparator) {
      if (value_start == std::string_view::npos) {
        return absl::InvalidArgumentError(fmt::format(
            "encoded properties: the property at byte {} has no name/value separator",
            name_start));
      }
      name_start = i + 1;
      value_start = std::string_view::npos;
    }
  }
  if (value_start != std::string_view::npos) {
    return absl::InvalidArgumentError(fmt::format(
        "encoded properties: the value of '{}' (byte {}) is not ended by a property separator",
        encoded.substr(name_start, value_start - 1 - name_start), value_start));
  }
  if (name_start != encoded.size()) {
    return absl::InvalidArgumentError(fmt::format(
        "encoded properties: the property at byte {} has no name/value separator", name_start));
  }
  return absl::OkStatus();
}

void PatchStoreFields(char* record, int64_t queue_offset, int64_t physical_offset,
                      int64_t store_timestamp) {
  const int32_t sys_flag = GetBig32(record + kSysFlagPos);
  PutBig64(record + kQueueOffsetPos, queue_offset);
  PutBig64(record + kPhysicalOffsetPos, physical_offset);
  PutBig64(record + RecordLayout::ForSysFlag(sys_flag).store_timestamp_pos, store_timestamp);
}

absl::StatusOr<RecordKind> ParseRecord(std::string_view data, bool check_crc, RecordView* view) {
  *view = RecordView{};
  const Corruption corrupt(data);
  const char* d = data.data();
  const auto readable = static_cast<int64_t>(data.size());

  // Fewer than 4 bytes: only zeros (never written) make sense here.
  if (readable < 4) {
    for (char c : data) {
      if (c != 0) return corrupt("only {} bytes left, too few for a record size", readable);
    }
    return RecordKind::kEnd;
  }
  const int64_t total = GetBig32(d + kTotalSizePos);
  if (total == 0) return RecordKind::kEnd;
  if (readable < 8) {
    return corrupt("record size {} but only {} bytes readable, too few for its magic code",
                   total, readable);
  }
  const int32_t magic = GetBig32(d + kMagicCodePos);
  if (magic == kBlankMagicCode) {
    // A blank's contents after the magic code are undefined; only its size
    // matters, and it may reach past what the caller mapped.
    if (total < kEndFileMinBlankLength) {
      return corrupt("blank record size {} is below the minimum {}", total,
                     kEndFileMinBlankLength);
    }
    view->total_size = static_cast<int32_t>(total);
    return RecordKind::kBlank;
  }
  if (magic != kMessageMagicCode) {
    return corrupt("bad magic code {:#010x} (expected message {:#010x} or blank {:#010x})",
                   static_cast<uint32_t>(magic), static_cast<uint32_t>(kMessageMagicCode),
                   static_cast<uint32_t>(kBlankMagicCode));
  }
  if (total < kMinRecordSize) {
    return corrupt("record size {} is below the minimum message size {}", total,
                   kMinRecordSize);
  }
  if (total > readable) {
    return corrupt("record size {} overruns the {} readable bytes", total, readable);
  }
  // From here every fixed field up to BODYLENGTH of an IPv4 record is
  // readable; the sys flag may widen the hosts, so check again.
  const int32_t sys_flag = GetBig32(d + kSysFlagPos);
  const RecordLayout l = RecordLayout::ForSysFlag(sys_flag);
  const auto min_size = static_cast<int64_t>(l.body_length_pos + kLengthFieldsSize);
  if (total < min_size) {
    return corrupt("record size {} is below the minimum {} for sys flag {:#x}", total, min_size,
                   sys_flag);
  }

  int64_t pos = static_cast<int64_t>(l.body_length_pos);
  const int64_t body_len = GetBig32(d + pos);
  pos += 4;
  // The topic and properties length fields (3 bytes) must still fit after it.
  if (body_len < 0 || pos + body_len + 3 > total) {
    return corrupt("body length {} overruns record size {}", body_len, total);
  }
  const int64_t body_pos = pos;
  pos += body_len;

  const auto topic_len_byte = static_cast<int8_t>(d[pos]);  // Java reads a signed byte
  pos += 1;
  if (topic_len_byte < 0) {
    return corrupt("topic length {} is negative (over {})", static_cast<int>(topic_len_byte),
                   kMaxTopicLength);
  }
  const int64_t topic_len = topic_len_byte;
  if (pos + topic_len + 2 > total) {
    return corrupt("topic length {} overruns record size {}", topic_len, total);
  }
  const int64_t topic_pos = pos;
  pos += topic_len;

  const int64_t props_len = GetBig<uint16_t>(d + pos);
  pos += 2;
  if (props_len > kMaxPropertiesLength) {
    return corrupt("properties length {} exceeds the maximum {}", props_len,
                   kMaxPropertiesLength);
  }
  if (pos + props_len != total) {
    return corrupt("properties length {} ends the record at {} but record size is {}", props_len,
                   pos + props_len, total);
  }

  view->total_size = static_cast<int32_t>(total);
  view->body_crc = GetBig32(d + kBodyCrcPos);
  view->queue_id = GetBig32(d + kQueueIdPos);
  view->flag = GetBig32(d + kFlagPos);
  view->queue_offset = GetBig64(d + kQueueOffsetPos);
  view->physical_offset = GetBig64(d + kPhysicalOffsetPos);
  view->sys_flag = sys_flag;
  view->born_timestamp = GetBig64(d + kBornTimestampPos);
  view->store_timestamp = GetBig64(d + l.store_timestamp_pos);
  view->reconsume_times = GetBig32(d + l.reconsume_times_pos);
  view->prepared_transaction_offset = GetBig64(d + l.prepared_transaction_offset_pos);
  view->born_host = data.substr(kBornHostPos, BornHostSize(sys_flag));
  view->store_host = data.substr(l.store_host_pos, StoreHostSize(sys_flag));
  view->body = data.substr(static_cast<size_t>(body_pos), static_cast<size_t>(body_len));
  view->topic = data.substr(static_cast<size_t>(topic_pos), static_cast<size_t>(topic_len));
  view->properties = data.substr(static_cast<size_t>(pos), static_cast<size_t>(props_len));

  if (check_crc) {
    const int32_t crc = Crc32(view->body);
    if (crc != view->body_crc) {
      const int32_t stored = view->body_crc;
      *view = RecordView{};
      return corrupt("body CRC {} does not match the stored BODYCRC {}", crc, stored);
    }
  }
  return RecordKind::kMessage;
}

absl::StatusOr<MessageExt> DecodeRecord(std::string_view record) {
  RecordView view;
  absl::StatusOr<RecordKind> kind = ParseRecord(record, /*check_crc=*/true, &view);
  if (!kind.ok()) return kind.status();
  // A caller decodes where an index said a message is; finding the end of
  // the written data or a segment's closing blank there means the index and
  // the log disagree.
  if (*kind == RecordKind::kEnd) {
    return absl::DataLossError("expected a message record but found unwritten space (size 0)");
  }
  if (*kind == RecordKind::kBlank) {
    return absl::DataLossError(fmt::format(
        "expected a message record but found a blank record of {} bytes", view.total_size));
  }

  MessageExt msg;
  RMQ_RETURN_IF_ERROR(DecodeRecordView(view, &msg));
  return msg;
}

absl::Status DecodeRecordView(const RecordView& view, MessageExt* msg,
                              std::span<const PropertyView> extra) {
  absl::Status props = DecodePropertiesWith(view.properties, extra, &msg->mutable_properties());
  if (!props.ok()) {
    return absl::DataLossError(fmt::format("corrupt record (PHYSICALOFFSET field {}): {}",
                                           view.physical_offset,
                                           std::string_view(props.message().data(),
                                                            props.message().size())));
  }
  MessageAccess::topic(*msg).assign(view.topic);
  // The body is returned as stored; a compressed one (sysflag::kCompressed)
  // is for the consumer to inflate, as RocketMQ's clients do.
  MessageAccess::body(*msg).assign(view.body);
  msg->set_flag(view.flag);
  msg->queue_id = view.queue_id;
  msg->store_size = view.total_size;
  msg->queue_offset = view.queue_offset;
  msg->sys_flag = view.sys_flag;
  msg->born_timestamp = view.born_timestamp;
  msg->born_host = DecodeHost(view.born_host);
  msg->store_timestamp = view.store_timestamp;
  msg->store_host = DecodeHost(view.store_host);
  msg->commit_log_offset = view.physical_offset;
  msg->body_crc = view.body_crc;
  msg->reconsume_times = view.reconsume_times;
  msg->prepared_transaction_offset = view.prepared_transaction_offset;
  return absl::OkStatus();
}

HostAddress DecodeHost(std::string_view raw) {
  HostAddress host;
  if (raw.size() != kHostV4Size && raw.size() != kHostV6Size) return host;  // not a host field
  const size_t ip_len = raw.size() - 4;
  host.ipv6 = ip_len == 16;
  std::memcpy(host.ip.data(), raw.data(), ip_len);
  host.port = GetBig32(raw.data() + ip_len);
  return host;
}

void EncodeHost(const HostAddress& host, char* dst) { EncodeHostAs(host, host.ipv6, dst); }

}  // namespace rmq::internal
