// Copyright 2026 The rmq Authors. Licensed under the Apache License, Version 2.0.
//
// Typed command headers and their ext-fields codec.
//
// A header lists its fields once, in a static Fields(self, visitor) template,
// under RocketMQ's field names. The same list encodes the header into
// ExtFields (for the wire) and decodes it back. A plain member is required
// (RocketMQ's @CFNotNull): decoding fails if it is missing. A std::optional
// member is nullable: absent when nullopt.
//
//   struct GetMaxOffsetRequestHeader : Header<GetMaxOffsetRequestHeader> {
//     static constexpr std::string_view kName = "GetMaxOffsetRequestHeader";
//     std::string topic;
//     int32_t queue_id = 0;
//     template <typename Self, typename V>
//     static void Fields(Self& h, V& v) { v("topic", h.topic); v("queueId", h.queue_id); }
//   };

#ifndef RMQ_REMOTING_HEADER_CODEC_H_
#define RMQ_REMOTING_HEADER_CODEC_H_

#include <algorithm>
#include <charconv>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include "absl/container/inlined_vector.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "common/str_cat.h"
#include "remoting/remoting_command.h"

namespace rmq::internal {

// Text forms of field values, as Java's toString/parse produce and accept them.
std::string FieldText(int32_t value);
std::string FieldText(int64_t value);
std::string FieldText(bool value);
// False if `text` is not a value of the type (only an integer can fail: any
// text is a Java boolean, as Boolean.parseBoolean reads it).
bool ParseField(std::string_view text, int32_t* value);
bool ParseField(std::string_view text, int64_t* value);
bool ParseField(std::string_view text, bool* value);
inline bool ParseField(std::string_view text, std::string* value) {
  value->assign(text);
  return true;
}
// Why ParseField refused `text` for an integer of `bytes` bytes.
std::string NotAnIntegerWhy(std::string_view text, size_t bytes);

// Writes fields into ExtFields.
class HeaderFieldWriter {
 public:
  explicit HeaderFieldWriter(ExtFields* out) : out_(out) {}

  void operator()(std::string_view name, const std::string& value) {
    out_->insert_or_assign(std::string(name), value);
  }
  template <typename T>
  void operator()(std::string_view name, const T& value) {
    out_->insert_or_assign(std::string(name), FieldText(value));
  }
  template <typename T>
  void operator()(std::string_view name, const std::optional<T>& value) {
    if (value.has_value()) (*this)(name, *value);
  }

 private:
  ExtFields* out_;
};

// Hands the fields of one header to a HeaderFieldSink as Fields() visits
// them (a header whose Fields() lists its names in name order), a number's
// text formatted into room kept here for the call.
class HeaderFieldForwarder {
 public:
  explicit HeaderFieldForwarder(HeaderFieldSink& sink) : sink_(sink) {}

  void operator()(std::string_view name, const std::string& value) {
    sink_.Field(name, value, /*lasting=*/true);
  }
  void operator()(std::string_view name, bool value) {
    sink_.Field(name, value ? std::string_view("true") : std::string_view("false"), true);
  }
  template <typename T>
    requires std::is_integral_v<T>
  void operator()(std::string_view name, T value) {
    const auto [end, ec] = std::to_chars(number_, number_ + sizeof(number_), value);
    (void)ec;  // Room for any 64-bit integer.
    sink_.Field(name, std::string_view(number_, static_cast<size_t>(end - number_)), false);
  }
  template <typename T>
  void operator()(std::string_view name, const std::optional<T>& value) {
    if (value.has_value()) (*this)(name, *value);
  }

 private:
  HeaderFieldSink& sink_;
  char number_[24];
};

// Records the fields of one header as Fields() visits them, by place, so
// that they can be handed to a HeaderFieldSink in another order; numbers
// are formatted into room kept here. A header with more than kPlaces fields
// is not visited (Header::Visit leaves it to Encode).
class HeaderFieldRecorder {
 public:
  static constexpr size_t kPlaces = 24;

  void operator()(std::string_view name, const std::string& value) {
    Record(name, value, /*lasting=*/true);
  }
  void operator()(std::string_view name, bool value) {
    Record(name, value ? std::string_view("true") : std::string_view("false"), true);
  }
  template <typename T>
    requires std::is_integral_v<T>
  void operator()(std::string_view name, T value) {
    char* const text = numbers_[place_];
    const auto [end, ec] = std::to_chars(text, text + kNumberBytes, value);
    (void)ec;  // kNumberBytes hold any 64-bit integer.
    Record(name, std::string_view(text, static_cast<size_t>(end - text)), false);
  }
  template <typename T>
  void operator()(std::string_view name, const std::optional<T>& value) {
    if (value.has_value()) {
      (*this)(name, *value);
    } else {
      fields_[place_++].present = false;
    }
  }

  // Hands the field at `place` (in visiting order), if present, to `sink`.
  void Replay(size_t place, HeaderFieldSink& sink) const {
    const Recorded& field = fields_[place];
    if (field.present) sink.Field(field.name, field.text, field.lasting);
  }

 private:
  static constexpr size_t kNumberBytes = 24;
  struct Recorded {
    std::string_view name;
    std::string_view text;
    bool lasting;
    bool present;
  };
  void Record(std::string_view name, std::string_view text, bool lasting) {
    fields_[place_++] = {name, text, lasting, true};
  }

  // No initializers: a header fills the places it has, the rest go unread.
  Recorded fields_[kPlaces];
  char numbers_[kPlaces][kNumberBytes];
  size_t place_ = 0;
};

// InvalidArgument "<header>: field <field> <why>".
absl::Status HeaderFieldError(std::string_view header_name, std::string_view field,
                              std::string_view why);

// Reads a header's fields, in the order Fields() lists them, from `lookup`:
// a callable (std::string_view name, size_t place) -> const std::string*
// or const std::string_view* (nullptr if absent), where `place` counts the
// fields visited before this one. Remembers the first error.
template <typename Lookup>
class HeaderFieldReader {
 public:
  HeaderFieldReader(Lookup lookup, std::string_view header_name)
      : lookup_(std::move(lookup)), header_name_(header_name) {}

  template <typename T>
  void operator()(std::string_view name, T& value) {
    const auto* text = lookup_(name, place_++);
    if (text == nullptr) {
      Fail(name, "is missing");
      return;
    }
    Parse(name, *text, &value);
  }
  template <typename T>
  void operator()(std::string_view name, std::optional<T>& value) {
    const auto* text = lookup_(name, place_++);
    if (text == nullptr) {
      value.reset();
      return;
    }
    Parse(name, *text, &value.emplace());
  }

  const absl::Status& status() const { return status_; }

 private:
  template <typename T>
  void Parse(std::string_view name, std::string_view text, T* value) {
    if (!ParseField(text, value)) Fail(name, NotAnIntegerWhy(text, sizeof(T)));
  }
  void Fail(std::string_view field, std::string_view why) {
    if (status_.ok()) status_ = HeaderFieldError(header_name_, field, why);
  }

  Lookup lookup_;
  std::string_view header_name_;
  size_t place_ = 0;
  absl::Status status_;
};

// Collects a header's field names (literals) in the order Fields() lists them.
class HeaderFieldNamer {
 public:
  template <typename T>
  void operator()(std::string_view name, const T&) {
    names_.push_back(name);
  }

  std::vector<std::string_view> names() && { return std::move(names_); }

 private:
  std::vector<std::string_view> names_;
};

// Base of every typed header: Encode and Decode from Derived::Fields.
template <typename Derived>
class Header : public CommandHeader {
 public:
  void Encode(ExtFields* fields) const final {
    HeaderFieldWriter writer(fields);
    Derived::Fields(static_cast<const Derived&>(*this), writer);
  }
  // Hands the fields over sorted by name, the order a frame carries them
  // in, so that the encoder need not sort them (for every request sent):
  // as Fields() visits them if it lists them so, else recorded and
  // replayed in order. A header of the second kind with more fields than
  // the recorder has places (none has) is left to Encode.
  bool Visit(HeaderFieldSink& sink) const final {
    if (ListedInNameOrder()) {
      HeaderFieldForwarder forwarder(sink);
      Derived::Fields(static_cast<const Derived&>(*this), forwarder);
      return true;
    }
    if (FieldNames().size() > HeaderFieldRecorder::kPlaces) return false;
    HeaderFieldRecorder recorder;
    Derived::Fields(static_cast<const Derived&>(*this), recorder);
    for (const NamedPlace& field : SortedNames()) recorder.Replay(field.place, sink);
    return true;
  }

  static absl::StatusOr<Derived> Decode(const ExtFields& fields) {
    return Decoded([&fields](Derived* out) { return DecodeInto(fields, out); });
  }
  // As Decode, into `out` (a header made beforehand, by make_unique say:
  // the fields need not be moved again). Writes every field (an absent
  // optional one is reset); after an error `out` is partly written.
  static absl::Status DecodeInto(const ExtFields& fields, Derived* out) {
    return DecodeWith(
        [&fields](std::string_view name, size_t) -> const std::string* {
          auto it = fields.find(name);
          return it == fields.end() ? nullptr : &it->second;
        },
        out);
  }

  // As Decode of the ExtFields that `wire` makes (ExtFields::AssignFromWire),
  // without making them: a received frame's fields straight into the header.
  // Of a repeated name the last counts; unknown names are ignored.
  static absl::StatusOr<Derived> DecodeWire(std::span<const WireField> wire) {
    return Decoded([wire](Derived* out) { return DecodeWireInto(wire, out); });
  }
  // As DecodeWire, into `out` (see DecodeInto).
  static absl::Status DecodeWireInto(std::span<const WireField> wire, Derived* out) {
    // Each of the header's fields takes the last wire field of its name.
    absl::InlinedVector<const std::string_view*, 16> taken(FieldNames().size(), nullptr);
    const std::vector<NamedPlace>& sorted = SortedNames();
    // Frames usually carry the fields in name order (rmq's encoder writes
    // them so; a Java HashMap keeps one-letter V2 names so), so each name
    // is looked for after the last one found in that order first: one
    // comparison a field instead of a search of every name.
    size_t next = 0;
    for (const WireField& field : wire) {
      std::optional<size_t> place;
      for (size_t i = next; i < sorted.size(); ++i) {
        if (SameName(sorted[i].name, field.name)) {
          place = sorted[i].place;
          next = i + 1;
          break;
        }
      }
      if (!place.has_value()) place = PlaceOf(field.name);
      if (place.has_value()) taken[*place] = &field.text;
    }
    return DecodeWith([&taken](std::string_view, size_t place) { return taken[place]; }, out);
  }

 private:
  template <typename Lookup>
  static absl::Status DecodeWith(Lookup lookup, Derived* out) {
    HeaderFieldReader<Lookup> reader(std::move(lookup), Derived::kName);
    Derived::Fields(*out, reader);
    return reader.status();
  }
  // A new header that `decode_into` fills, or its error.
  template <typename DecodeIntoFn>
  static absl::StatusOr<Derived> Decoded(DecodeIntoFn decode_into) {
    absl::StatusOr<Derived> header(absl::in_place);
    if (absl::Status status = decode_into(&*header); !status.ok()) return status;
    return header;
  }
  // Whether Derived::Fields lists its names in name order (a..m of V2, a
  // send answer's), so that Visit need not reorder them.
  static bool ListedInNameOrder() {
    static const bool in_order = std::is_sorted(FieldNames().begin(), FieldNames().end());
    return in_order;
  }
  // A field name and where it stands in Derived::Fields.
  struct NamedPlace {
    std::string_view name;
    uint8_t place;
  };
  // a == b, the first bytes compared inline: names differ there or in
  // length most of the time, and a one-letter V2 name needs no memcmp call.
  static bool SameName(std::string_view a, std::string_view b) {
    return a.size() == b.size() && (a.empty() || (a[0] == b[0] && a.substr(1) == b.substr(1)));
  }
  // Derived::Fields' names sorted, each with its place (visiting order),
  // equal names in visiting order; worked out once. Empty if there are too
  // many fields to record (Visit then leaves the header to Encode, and
  // decoding searches every name).
  static const std::vector<NamedPlace>& SortedNames() {
    static const std::vector<NamedPlace> sorted = [] {
      const std::vector<std::string_view>& names = FieldNames();
      std::vector<NamedPlace> named;
      if (names.size() > HeaderFieldRecorder::kPlaces) return named;
      for (size_t place = 0; place < names.size(); ++place) {
        named.push_back({names[place], static_cast<uint8_t>(place)});
      }
      std::stable_sort(named.begin(), named.end(),
                       [](const NamedPlace& a, const NamedPlace& b) { return a.name < b.name; });
      return named;
    }();
    return sorted;
  }
  // Where the field `name` stands in Derived::Fields; nullopt if it is none of them.
  static std::optional<size_t> PlaceOf(std::string_view name) {
    const std::vector<std::string_view>& names = FieldNames();
    for (size_t place = 0; place < names.size(); ++place) {
      if (names[place] == name) return place;
    }
    return std::nullopt;
  }
  // Derived::Fields' names in its order, collected once (not walked again
  // for every field a frame carries).
  static const std::vector<std::string_view>& FieldNames() {
    static const std::vector<std::string_view> names = [] {
      const Derived prototype;
      HeaderFieldNamer namer;
      Derived::Fields(prototype, namer);
      return std::move(namer).names();
    }();
    return names;
  }
};

}  // namespace rmq::internal

#endif  // RMQ_REMOTING_HEADER_CODEC_H_
