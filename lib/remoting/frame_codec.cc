// Copyright 2026 The rmq Authors. Licensed under the Apache License, Version 2.0.

#include "remoting/frame_codec.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <iterator>
#include <limits>
#include <memory>
#include <type_traits>
#include <utility>
#include <vector>

#include "absl/container/inlined_vector.h"
#include "absl/status/status.h"
#include "common/big_endian.h"
#include "common/str_cat.h"
#include "nlohmann/json.hpp"

namespace rmq::internal {
namespace {

using Json = nlohmann::json;

// RocketMQ 4.9.x's LanguageCode: the JSON header carries the name, the
// ROCKETMQ header the code. (5.x adds NODE_JS 13, which a 4.9 peer cannot
// decode; rmq reads it, like any code or name not listed, as OTHER.)
struct Language {
  std::string_view name;
  uint8_t code;
};
constexpr Language kLanguages[] = {
    {"JAVA", 0}, {"CPP", 1},  {"DOTNET", 2}, {"PYTHON", 3}, {"DELPHI", 4}, {"ERLANG", 5},
    {"RUBY", 6}, {"OTHER", 7}, {"HTTP", 8},  {"GO", 9},     {"PHP", 10},   {"OMS", 11},
    {"RUST", 12},
};
constexpr uint8_t kOtherCode = 7;
constexpr std::string_view kOtherName = "OTHER";

// A name the peer knows, so that a Java peer never meets an enum name it
// cannot map (fastjson would leave its language null).
std::string_view KnownLanguageName(std::string_view name) {
  for (const Language& language : kLanguages) {
    if (language.name == name) return language.name;
  }
  return kOtherName;
}

uint8_t LanguageCodeOf(std::string_view name) {
  for (const Language& language : kLanguages) {
    if (language.name == name) return language.code;
  }
  return kOtherCode;
}

std::string_view LanguageNameOf(uint8_t code) {
  for (const Language& language : kLanguages) {
    if (language.code == code) return language.name;
  }
  return kOtherName;
}

// A typed header's fields, sorted by name, gathered without a map: names
// are literals and string fields are borrowed from the header, which
// outlives the encoding; a number's text is copied into a buffer kept here.
// Headers (header_codec.h) hand their fields over already sorted, which is
// checked as they come; others are sorted here. A header without Visit is
// encoded into a map kept here.
class TypedFields final : public HeaderFieldSink {
 public:
  // No member initializers: the inline entries cost nothing to create.
  struct Entry {
    std::string_view name;
    std::string_view text;  // Into the header, texts_, spilled_ or fallback_.
    size_t visited;         // Place in visiting order.
  };

  explicit TypedFields(const CommandHeader* header) {
    if (header == nullptr) return;
    if (!header->Visit(*this)) {
      entries_.clear();
      header->Encode(&fallback_);
      for (const auto& [name, text] : fallback_) entries_.push_back({name, text, 0});
      return;  // Already sorted.
    }
    if (!sorted_) InsertionSort(entries_.data(), entries_.size());
  }

  void Field(std::string_view name, std::string_view text, bool lasting) override {
    // Equal names stay in visiting order: sorted still.
    if (!entries_.empty() && name < entries_.back().name) sorted_ = false;
    entries_.push_back({name, lasting ? text : Keep(text), entries_.size()});
  }

  const absl::InlinedVector<Entry, 16>& entries() const { return entries_; }

 private:
  // Room for the numbers of a large header (at most 20 characters each).
  static constexpr size_t kTextBytes = 512;

  // A copy of `text` that lives as long as this object.
  std::string_view Keep(std::string_view text) {
    if (text.size() <= kTextBytes - texts_used_) {
      char* at = texts_ + texts_used_;
      std::memcpy(at, text.data(), text.size());
      texts_used_ += text.size();
      return {at, text.size()};
    }
    return *spilled_.emplace_back(std::make_unique<std::string>(text));
  }

  // By name, then (stable) by visiting order.
  static bool Before(const Entry& a, const Entry& b) {
    if (a.name != b.name) return a.name < b.name;
    return a.visited < b.visited;
  }
  // A header has a dozen fields: an insertion sort needs no buffer.
  static void InsertionSort(Entry* entries, size_t count) {
    for (size_t i = 1; i < count; ++i) {
      const Entry entry = entries[i];
      size_t j = i;
      for (; j > 0 && Before(entry, entries[j - 1]); --j) entries[j] = entries[j - 1];
      entries[j] = entry;
    }
  }

  absl::InlinedVector<Entry, 16> entries_;
  bool sorted_ = true;
  char texts_[kTextBytes];
  size_t texts_used_ = 0;
  std::vector<std::unique_ptr<std::string>> spilled_;  // Texts past texts_.
  ExtFields fallback_;
};

// Calls fn(key, value) for the union of `fields` and `typed` in key order; a
// key in both takes the typed header's value, as Java's makeCustomHeaderToNet
// overwrites extFields with the header's fields. A repeated typed name
// (which no header has) is written as often as it is visited.
template <typename Fn>
void ForEachField(const ExtFields& fields, const TypedFields& typed_fields, Fn fn) {
  const auto& typed = typed_fields.entries();
  auto f = fields.begin();
  auto t = typed.begin();
  while (f != fields.end() || t != typed.end()) {
    if (t == typed.end() || (f != fields.end() && std::string_view(f->first) < t->name)) {
      fn(std::string_view(f->first), std::string_view(f->second));
      ++f;
    } else {
      if (f != fields.end() && std::string_view(f->first) == t->name) ++f;
      fn(t->name, t->text);
      ++t;
    }
  }
}

// ---- Decoding -----------------------------------------------------------------

// DecodeFrame's decoders of typed headers, for requests and for responses.
struct TypedDecoders {
  TypedHeaderDecoder request = nullptr;
  TypedHeaderDecoder response = nullptr;
};

// Puts a received command's header fields into its typed header, if its
// decoder (for a request or for a response) makes one, else into its
// ext_fields.
void TakeFields(std::span<const WireField> fields, const TypedDecoders& typed,
                RemotingCommand* command) {
  const TypedHeaderDecoder decoder = command->is_response() ? typed.response : typed.request;
  if (decoder != nullptr) {
    if (std::unique_ptr<CommandHeader> header = decoder(command->code, fields)) {
      command->header = std::move(header);
      return;
    }
  }
  command->ext_fields.AssignFromWire(fields);
}

// ---- Encoding -----------------------------------------------------------------

// RocketMQSerializable's layout. Code and version are Java shorts on this
// wire: values beyond int16 are truncated exactly as Java truncates them.
// The size is known before a byte is written, so the header is written into
// room made once (appending field by field grew the buffer many times).
// The ROCKETMQ header's pieces, shared by its two writers below.
// code, language, version, opaque, flag, remark length, ext fields length.
constexpr size_t kRocketmqFixedBytes = 2 + 1 + 2 + 4 + 4 + 4 + 4;

template <typename T>
char* PutAt(char* p, T value) {
  PutBig<T>(p, value);
  return p + sizeof(T);
}

char* PutBytesAt(char* p, std::string_view bytes) {
  // Most field names and values are a few bytes (V2's names one): copied
  // here, as a memcpy call would cost more than the copy.
  if (bytes.size() <= 8) {
    for (char c : bytes) *p++ = c;
    return p;
  }
  std::memcpy(p, bytes.data(), bytes.size());
  return p + bytes.size();
}

// Writes everything before the ext fields' length (remark included).
char* PutRocketmqFixed(char* p, const RemotingCommand& command) {
  p = PutAt<int16_t>(p, static_cast<int16_t>(command.code));
  p = PutAt<uint8_t>(p, LanguageCodeOf(command.language));
  p = PutAt<int16_t>(p, static_cast<int16_t>(command.version));
  p = PutAt<int32_t>(p, command.opaque);
  p = PutAt<int32_t>(p, command.flag);
  p = PutAt<int32_t>(p, static_cast<int32_t>(command.remark.size()));
  return PutBytesAt(p, command.remark);
}

// A key length is 16 bits here. No header field name comes near that; a
// longer key cannot be written, as it would corrupt the entries after it.
bool RocketmqWritable(std::string_view key) {
  return key.size() <= std::numeric_limits<uint16_t>::max();
}

size_t RocketmqFieldBytes(std::string_view key, std::string_view value) {
  return 2 + key.size() + 4 + value.size();
}

char* PutRocketmqField(char* p, std::string_view key, std::string_view value) {
  p = PutAt<uint16_t>(p, static_cast<uint16_t>(key.size()));
  p = PutBytesAt(p, key);
  p = PutAt<int32_t>(p, static_cast<int32_t>(value.size()));
  return PutBytesAt(p, value);
}

class RocketmqHeader {
 public:
  RocketmqHeader(const RemotingCommand& command, const TypedFields& typed)
      : command_(command), typed_(typed) {}

  size_t size() const {
    size_t size = kRocketmqFixedBytes + command_.remark.size();
    ForEachField(command_.ext_fields, typed_, [&size](std::string_view key, std::string_view value) {
      if (RocketmqWritable(key)) size += RocketmqFieldBytes(key, value);
    });
    return size;
  }

  // Writes size() bytes at `p`; a key too long to write is left out.
  void WriteTo(char* p) const {
    p = PutRocketmqFixed(p, command_);
    char* const ext_length_at = p;
    p += 4;  // Written below, once the fields are.
    ForEachField(command_.ext_fields, typed_, [&p](std::string_view key, std::string_view value) {
      if (RocketmqWritable(key)) p = PutRocketmqField(p, key, value);
    });
    PutBig<int32_t>(ext_length_at, static_cast<int32_t>(p - ext_length_at - 4));
  }

 private:
  const RemotingCommand& command_;
  const TypedFields& typed_;
};

// A ROCKETMQ header written straight from a typed header's fields as it
// visits them, for a command with no ext fields of its own, when the fields
// come sorted by name (as Header<> hands them over): no field list is
// gathered or sorted (that cost as much as the rest of a send's encoding).
// Any field out of order, or a name too long for its 16-bit length, and
// the caller encodes the command the general way instead.
class SortedRocketmqWriter final : public HeaderFieldSink {
 public:
  // Writes after the frame prefix at the end of `out`.
  explicit SortedRocketmqWriter(std::string* out)
      : out_(out), start_(out->size()), at_(start_ + kFramePrefixSize) {}

  // Appends the header of `command` (whose ext_fields are empty) after the
  // frame prefix's room; false, with `out` as it was, if it cannot.
  bool Write(const RemotingCommand& command) {
    // Most heads fit this, so a fresh buffer is allocated once.
    constexpr size_t kTypicalHeadBytes = 512;
    Room(std::max(kTypicalHeadBytes, kRocketmqFixedBytes + command.remark.size()));
    at_ = static_cast<size_t>(PutRocketmqFixed(out_->data() + at_, command) - out_->data());
    const size_t ext_length_at = at_;
    at_ += 4;
    if (!command.header->Visit(*this) || !ok_) {
      out_->resize(start_);
      return false;
    }
    out_->resize(at_);
    PutBig<int32_t>(out_->data() + ext_length_at,
                    static_cast<int32_t>(at_ - ext_length_at - 4));
    return true;
  }

  void Field(std::string_view name, std::string_view text, bool lasting) override {
    (void)lasting;  // Copied now.
    // Equal names are written in visiting order, as the general way does.
    // A first byte past the last name's (unsigned, as strings compare)
    // settles the order without a string comparison: most of a send
    // header's names.
    const bool after =
        last_name_.empty() ||
        (!name.empty() && static_cast<unsigned char>(name[0]) >
                              static_cast<unsigned char>(last_name_[0])) ||
        name >= last_name_;
    if (!ok_ || !after || !RocketmqWritable(name)) {
      ok_ = false;
      return;
    }
    last_name_ = name;
    Room(RocketmqFieldBytes(name, text));
    at_ = static_cast<size_t>(PutRocketmqField(out_->data() + at_, name, text) - out_->data());
  }

 private:
  // Makes `n` bytes of room at at_, using what the buffer has allocated
  // (a reused head buffer has room for a head like the last).
  void Room(size_t n) {
    if (out_->size() < at_ + n) {
      out_->resize(std::max({at_ + n, 2 * out_->size(), out_->capacity()}));
    }
  }

  std::string* const out_;
  const size_t start_;
  size_t at_;
  std::string_view last_name_;
  bool ok_ = true;
};

// The object fastjson writes: keys in name order (its default), null fields
// (remark, a command's absent extFields) left out. Java writes extFields,
// possibly {}, whenever the command has a custom header; so does this.
void AppendJsonHeader(const RemotingCommand& command, const TypedFields& typed, std::string* out) {
  Json header = Json::object();
  header["code"] = command.code;
  if (command.header != nullptr || !command.ext_fields.empty()) {
    Json& ext = header["extFields"] = Json::object();
    ForEachField(command.ext_fields, typed, [&ext](std::string_view key, std::string_view value) {
      ext[std::string(key)] = std::string(value);
    });
  }
  header["flag"] = command.flag;
  header["language"] = KnownLanguageName(command.language);
  header["opaque"] = command.opaque;
  if (!command.remark.empty()) header["remark"] = command.remark;
  header["serializeTypeCurrentRPC"] = "JSON";
  header["version"] = command.version;
  // Strings may hold any bytes (a remark relayed from a ROCKETMQ frame);
  // Java would have decoded bad UTF-8 to U+FFFD, and dump() would throw.
  out->append(header.dump(-1, ' ', /*ensure_ascii=*/false, Json::error_handler_t::replace));
}

// ---- Decoding: ROCKETMQ ---------------------------------------------------------

absl::Status RocketmqError(const auto&... parts) {
  return absl::InvalidArgumentError(StrCat("ROCKETMQ header: ", parts...));
}

// Reads the binary header front to back; every read is checked against the
// header's end before it happens, and every length before it is used.
class RocketmqReader {
 public:
  explicit RocketmqReader(std::string_view header) : header_(header) {}

  // `what` and `suffix` name the field (two parts so that naming a length
  // field costs nothing unless it is reported).
  template <typename T>
  absl::Status Fixed(std::string_view what, T* value, std::string_view suffix = {}) {
    if (header_.size() - pos_ < sizeof(T)) {
      return RocketmqError(what, suffix, " at byte ", pos_, " needs ", sizeof(T),
                           " bytes, header ends at byte ", header_.size());
    }
    *value = GetBig<T>(header_.data() + pos_);
    pos_ += sizeof(T);
    return absl::OkStatus();
  }

  // A length field of type T and that many bytes.
  template <typename T>
  absl::Status Sized(std::string_view what, std::string_view* bytes) {
    if (TrySized<T>(bytes)) return absl::OkStatus();
    return SizedError<T>(what);
  }

  // Sized without the error: false, with nothing read, where Sized fails.
  // A frame's ext fields are read with this, no Status made per field.
  template <typename T>
  bool TrySized(std::string_view* bytes) {
    if (header_.size() - pos_ < sizeof(T)) return false;
    const T length = GetBig<T>(header_.data() + pos_);
    if constexpr (std::is_signed_v<T>) {
      if (length < 0) return false;
    }
    const size_t at = pos_ + sizeof(T);
    if (static_cast<uint64_t>(length) > header_.size() - at) return false;
    *bytes = header_.substr(at, static_cast<size_t>(length));
    pos_ = at + static_cast<size_t>(length);
    return true;
  }

  // Why the Sized field `what` at pos() cannot be read (TrySized failed).
  template <typename T>
  absl::Status SizedError(std::string_view what) {
    const size_t length_at = pos_;
    T length = 0;
    if (absl::Status s = Fixed(what, &length, " length"); !s.ok()) return s;
    if constexpr (std::is_signed_v<T>) {
      if (length < 0) {
        return RocketmqError(what, " length ", length, " at byte ", length_at, " is negative");
      }
    }
    return RocketmqError(what, " length ", length, " at byte ", length_at,
                         " runs past header end (", header_.size(), " bytes)");
  }

  size_t pos() const { return pos_; }
  size_t left() const { return header_.size() - pos_; }

 private:
  std::string_view header_;
  size_t pos_ = 0;
};

absl::Status DecodeRocketmqHeader(std::string_view header, const TypedDecoders& typed,
                                  RemotingCommand* command) {
  RocketmqReader in(header);
  int16_t code = 0;
  uint8_t language = 0;
  int16_t version = 0;
  std::string_view remark;
  absl::Status s = in.Fixed("code", &code);
  if (s.ok()) s = in.Fixed("language", &language);
  if (s.ok()) s = in.Fixed("version", &version);
  if (s.ok()) s = in.Fixed("opaque", &command->opaque);
  if (s.ok()) s = in.Fixed("flag", &command->flag);
  if (s.ok()) s = in.Sized<int32_t>("remark", &remark);
  if (!s.ok()) return s;
  command->code = code;  // Java's readShort: sign-extended
  command->language = LanguageNameOf(language);
  command->version = version;
  command->remark.assign(remark);

  // The ext fields fill the rest of the header exactly: a Java 4.9.4+ peer
  // reads the body from where the ext fields end, so a frame with bytes in
  // between would be misread there too.
  const size_t ext_length_at = in.pos();
  int32_t ext_length = 0;
  if (s = in.Fixed("ext fields length", &ext_length); !s.ok()) return s;
  if (ext_length < 0 || static_cast<uint64_t>(ext_length) != in.left()) {
    return RocketmqError("ext fields length ", ext_length, " at byte ", ext_length_at,
                         " does not match the ", in.left(), " bytes left in the header");
  }
  WireFields fields;
  while (in.left() > 0) {
    WireField& field = fields.emplace_back();
    if (!in.TrySized<uint16_t>(&field.name)) return in.SizedError<uint16_t>("ext field key");
    if (!in.TrySized<int32_t>(&field.text)) return in.SizedError<int32_t>("ext field value");
  }
  TakeFields(fields, typed, command);
  return absl::OkStatus();
}

// ---- Decoding: JSON -------------------------------------------------------------

absl::Status JsonError(const auto&... parts) {
  return absl::InvalidArgumentError(StrCat("JSON header: ", parts...));
}

// A 32-bit integer member; `present` says whether it was there (null counts
// as absent, as fastjson leaves a null field at its default).
absl::Status JsonInt32(const Json& object, const char* name, int32_t* value, bool* present) {
  *present = false;
  auto it = object.find(name);
  if (it == object.end() || it->is_null()) return absl::OkStatus();
  bool fits = false;
  if (it->is_number_integer() && !it->is_number_unsigned()) {
    const int64_t v = it->get<int64_t>();
    fits = v >= std::numeric_limits<int32_t>::min() && v <= std::numeric_limits<int32_t>::max();
    if (fits) *value = static_cast<int32_t>(v);
  } else if (it->is_number_unsigned()) {
    const uint64_t v = it->get<uint64_t>();
    fits = v <= static_cast<uint64_t>(std::numeric_limits<int32_t>::max());
    if (fits) *value = static_cast<int32_t>(v);
  }
  if (!fits) return JsonError(name, " should be a 32-bit integer, not ", it->type_name());
  *present = true;
  return absl::OkStatus();
}

absl::Status JsonString(const Json& object, const char* name, std::string* value) {
  auto it = object.find(name);
  if (it == object.end() || it->is_null()) return absl::OkStatus();
  if (!it->is_string()) return JsonError(name, " should be a string, not ", it->type_name());
  *value = it->get<std::string>();
  return absl::OkStatus();
}

// The text Java holds for an extFields value that is not a string. Java
// clients send strings; ali-ons sends a header's numbers and booleans as JSON
// numbers and booleans, which fastjson turns into their text ("4",
// "1700000000000", "false").
absl::Status NonStringText(const std::string& key, const Json& value, std::string* text) {
  switch (value.type()) {
    case Json::value_t::number_integer:
      *text = std::to_string(value.get<int64_t>());
      return absl::OkStatus();
    case Json::value_t::number_unsigned:
      *text = std::to_string(value.get<uint64_t>());
      return absl::OkStatus();
    case Json::value_t::number_float: {
      // JavaScript has only doubles; an integral one is written as an integer
      // (the form Java's Integer/Long.parseLong accept).
      const double d = value.get<double>();
      if (std::trunc(d) == d && d >= -9.2e18 && d <= 9.2e18) {
        *text = std::to_string(static_cast<int64_t>(d));
      } else {
        *text = value.dump();
      }
      return absl::OkStatus();
    }
    case Json::value_t::boolean:
      *text = value.get<bool>() ? "true" : "false";
      return absl::OkStatus();
    default:
      return JsonError("extFields.", key, " should be a string, number or boolean, not ",
                       value.type_name());
  }
}

// An extFields value as the text Java would hold: a view of a string value,
// else of `owned`, set to the value's text.
absl::Status ExtFieldText(const std::string& key, const Json& value, std::string_view* text,
                          std::string* owned) {
  if (value.is_string()) {
    *text = value.get_ref<const std::string&>();
    return absl::OkStatus();
  }
  absl::Status converted = NonStringText(key, value, owned);
  *text = *owned;
  return converted;
}

absl::Status DecodeJsonHeader(std::string_view header, const TypedDecoders& typed,
                              RemotingCommand* command) {
  Json parsed;
  try {
    parsed = Json::parse(header.begin(), header.end());
  } catch (const Json::parse_error& e) {
    // e.byte counts from 1; 0 would mean "before any input".
    const size_t at = e.byte > 0 ? e.byte - 1 : 0;
    return JsonError("not valid JSON: syntax error at byte ", at, " of ", header.size());
  } catch (const Json::exception& e) {
    // A number too large for a double (out_of_range 406).
    return JsonError("not valid JSON: ", e.what());
  }
  if (!parsed.is_object()) return JsonError("should be an object, not ", parsed.type_name());

  bool present = false;
  absl::Status s = JsonInt32(parsed, "code", &command->code, &present);
  if (!s.ok()) return s;
  if (!present) return JsonError("code is missing");
  // Absent fields keep the defaults a Java peer's RemotingCommand has.
  command->version = 0;
  command->opaque = 0;
  command->flag = 0;
  command->language = "JAVA";
  if (s = JsonInt32(parsed, "flag", &command->flag, &present); !s.ok()) return s;
  if (s = JsonInt32(parsed, "opaque", &command->opaque, &present); !s.ok()) return s;
  if (s = JsonInt32(parsed, "version", &command->version, &present); !s.ok()) return s;
  if (s = JsonString(parsed, "remark", &command->remark); !s.ok()) return s;
  if (s = JsonString(parsed, "language", &command->language); !s.ok()) return s;
  command->language = KnownLanguageName(command->language);

  auto ext = parsed.find("extFields");
  if (ext != parsed.end() && !ext->is_null()) {
    if (!ext->is_object()) return JsonError("extFields should be an object, not ", ext->type_name());
    WireFields fields;
    // The texts of numbers and booleans; never reallocated, so the views
    // into them stay valid.
    std::vector<std::string> owned(ext->size());
    for (const auto& [key, value] : ext->items()) {
      // A null value is an absent field to Java (its map.get returns null).
      if (value.is_null()) continue;
      WireField& field = fields.emplace_back();
      field.name = key;
      if (s = ExtFieldText(key, value, &field.text, &owned[fields.size() - 1]); !s.ok()) return s;
    }
    TakeFields(fields, typed, command);
  }
  return absl::OkStatus();
}

}  // namespace

void EncodeFrameHead(const RemotingCommand& command, SerializeType type, std::string* out) {
  const size_t start = out->size();
  const bool written = type == SerializeType::kRocketmq && command.header != nullptr &&
                       command.ext_fields.empty() && SortedRocketmqWriter(out).Write(command);
  if (!written) {
    const TypedFields typed(command.header.get());
    if (type == SerializeType::kRocketmq) {
      const RocketmqHeader header(command, typed);
      out->resize(start + kFramePrefixSize + header.size());
      header.WriteTo(out->data() + start + kFramePrefixSize);
    } else {
      out->append(kFramePrefixSize, '\0');  // patched once the header's size is known
      AppendJsonHeader(command, typed, out);
    }
  }
  // A header of 16 MiB or more does not fit the 24-bit field; its frame is
  // also over every peer's frame limit (16 MiB), so the peer refuses it by
  // its length before it could misread the header.
  const size_t header_size = out->size() - start - kFramePrefixSize;
  const uint64_t length = 4 + header_size + command.body.size();
  PutBig<uint32_t>(out->data() + start, static_cast<uint32_t>(length));
  PutBig<uint32_t>(out->data() + start + 4,
                   (static_cast<uint32_t>(type) << 24) | (header_size & 0xFFFFFF));
}

std::string EncodeFrame(const RemotingCommand& command, SerializeType type) {
  std::string frame;
  EncodeFrameHead(command, type, &frame);
  frame.reserve(frame.size() + command.body.size());
  for (std::string_view chunk : command.body.chunks()) frame.append(chunk);
  return frame;
}

absl::StatusOr<uint32_t> DecodeFrameLength(std::string_view prefix, const FrameLimits& limits) {
  if (prefix.size() < 4) {
    return absl::InvalidArgumentError(
        StrCat("remoting frame: length field needs 4 bytes, got ", prefix.size()));
  }
  const uint32_t length = GetBig<uint32_t>(prefix.data());
  if (length < 4) {
    return absl::InvalidArgumentError(
        StrCat("remoting frame: length ", length, " is below 4 (the header length field alone)"));
  }
  if (length > limits.max_frame_size) {
    return absl::InvalidArgumentError(
        StrCat("remoting frame: length ", length, " exceeds limit ", limits.max_frame_size));
  }
  return length;
}

namespace {

// Decodes `frame`; make_body(body_at) makes the body of a frame that has
// one, from the bytes at body_at on (the header is decoded by then).
template <typename MakeBody>
absl::StatusOr<RemotingCommand> DecodeFrameWith(std::string_view frame, const FrameLimits& limits,
                                                const TypedDecoders& typed, MakeBody make_body) {
  if (frame.size() < 4) {
    return absl::InvalidArgumentError(StrCat("remoting frame: ", frame.size(),
                                             " bytes, too short for the header length field"));
  }
  if (frame.size() > limits.max_frame_size) {
    return absl::InvalidArgumentError(StrCat("remoting frame: length ", frame.size(),
                                             " exceeds limit ", limits.max_frame_size));
  }
  const uint32_t header_info = GetBig<uint32_t>(frame.data());
  const uint32_t type = header_info >> 24;
  const uint32_t header_size = header_info & 0xFFFFFF;
  if (type > static_cast<uint32_t>(SerializeType::kRocketmq)) {
    return absl::InvalidArgumentError(
        StrCat("remoting frame: unknown serialize type ", type, " (0 JSON, 1 ROCKETMQ)"));
  }
  if (header_size > limits.max_header_size) {
    return absl::InvalidArgumentError(StrCat("remoting frame: header length ", header_size,
                                             " exceeds limit ", limits.max_header_size));
  }
  if (header_size > frame.size() - 4) {
    return absl::InvalidArgumentError(StrCat("remoting frame: header length ", header_size,
                                             " runs past frame end (", frame.size() - 4,
                                             " bytes after the header length field)"));
  }

  RemotingCommand command;
  command.serialize_type = static_cast<SerializeType>(type);
  const std::string_view header(frame.data() + 4, header_size);
  absl::Status decoded = command.serialize_type == SerializeType::kRocketmq
                             ? DecodeRocketmqHeader(header, typed, &command)
                             : DecodeJsonHeader(header, typed, &command);
  if (!decoded.ok()) return decoded;

  const size_t body_at = 4 + header_size;
  if (body_at < frame.size()) command.body = make_body(body_at);
  return command;
}

}  // namespace

absl::StatusOr<RemotingCommand> DecodeFrame(std::string frame, const FrameLimits& limits,
                                            TypedHeaderDecoder typed_header,
                                            TypedHeaderDecoder typed_response) {
  const std::string_view bytes = frame;
  return DecodeFrameWith(bytes, limits, {typed_header, typed_response}, [&frame](size_t body_at) {
    // The body stays where it arrived: the frame string moves (no byte copy
    // for a heap-allocated string) into shared storage the Payload points
    // into. Nothing reads `bytes` after this.
    auto owned = std::make_shared<const std::string>(std::move(frame));
    Payload::Chunks chunks{std::string_view(*owned).substr(body_at)};
    return Payload::Shared(std::move(chunks), std::move(owned));
  });
}

absl::StatusOr<RemotingCommand> DecodeFrame(std::string_view frame,
                                            const std::shared_ptr<const void>& storage,
                                            const FrameLimits& limits,
                                            TypedHeaderDecoder typed_header,
                                            TypedHeaderDecoder typed_response) {
  return DecodeFrameWith(frame, limits, {typed_header, typed_response}, [&](size_t body_at) {
    return Payload::Shared({frame.substr(body_at)}, storage);
  });
}

}  // namespace rmq::internal
