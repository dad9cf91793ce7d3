// Copyright 2026 The rmq Authors. Licensed under the Apache License, Version 2.0.
//
// RemotingCommand: one request or response of RocketMQ's remoting protocol,
// the unit every Transport carries.
//
// On the wire (TCP) a command is a frame: code, opaque (matches a response to
// its request), flag (response / oneway bits), language, version, remark, a
// string map of header fields ("extFields") and a body. In this process the
// same command travels without being encoded: its header is a typed struct
// (command_header.h) and its body a Payload that borrows the bytes it
// carries, so an in-process send or pull copies no message bytes.

#ifndef RMQ_REMOTING_REMOTING_COMMAND_H_
#define RMQ_REMOTING_REMOTING_COMMAND_H_

#include <cstdint>
#include <algorithm>
#include <initializer_list>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <typeinfo>
#include <utility>
#include <vector>

#include "absl/container/inlined_vector.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace rmq::internal {

// One header field as a received frame carries it: views into the frame.
struct WireField {
  std::string_view name;
  std::string_view text;
};
// A frame's header fields in the order they came (a dozen for a request).
using WireFields = absl::InlinedVector<WireField, 16>;

// Header fields as the wire carries them: RocketMQ field name → text value,
// kept sorted by name (the order frames are encoded in). A request header
// has a dozen short fields, so they live in one flat vector, not a node per
// field: decoding a frame's fields costs one allocation plus the values too
// long for a string's inline storage. The subset of std::map's interface
// rmq uses; lookups take string_view.
class ExtFields {
 public:
  using value_type = std::pair<std::string, std::string>;
  using iterator = std::vector<value_type>::iterator;
  using const_iterator = std::vector<value_type>::const_iterator;

  ExtFields() = default;
  // As std::map: of equal keys, the first counts.
  ExtFields(std::initializer_list<value_type> fields) {
    for (const value_type& field : fields) emplace(field.first, field.second);
  }

  iterator begin() { return fields_.begin(); }
  iterator end() { return fields_.end(); }
  const_iterator begin() const { return fields_.begin(); }
  const_iterator end() const { return fields_.end(); }
  bool empty() const { return fields_.empty(); }
  size_t size() const { return fields_.size(); }
  void clear() { fields_.clear(); }
  void reserve(size_t n) { fields_.reserve(n); }

  iterator find(std::string_view key) {
    auto it = LowerBound(key);
    return it != fields_.end() && it->first == key ? it : fields_.end();
  }
  const_iterator find(std::string_view key) const {
    return const_cast<ExtFields*>(this)->find(key);
  }
  bool contains(std::string_view key) const { return find(key) != end(); }
  size_t count(std::string_view key) const { return contains(key) ? 1 : 0; }
  // std::out_of_range if absent, as std::map::at.
  const std::string& at(std::string_view key) const;
  std::string& at(std::string_view key) {
    return const_cast<std::string&>(static_cast<const ExtFields*>(this)->at(key));
  }
  std::string& operator[](std::string_view key) { return emplace(std::string(key), {}).first->second; }

  // Adds the field unless `key` is present; the bool says whether it did.
  std::pair<iterator, bool> emplace(std::string key, std::string value) {
    auto it = LowerBound(key);
    if (it != fields_.end() && it->first == key) return {it, false};
    return {fields_.emplace(it, std::move(key), std::move(value)), true};
  }
  template <typename V>
  std::pair<iterator, bool> insert_or_assign(std::string key, V&& value) {
    auto it = LowerBound(key);
    if (it != fields_.end() && it->first == key) {
      it->second = std::forward<V>(value);
      return {it, false};
    }
    return {fields_.emplace(it, std::move(key), std::string(std::forward<V>(value))), true};
  }
  // Replaces every field with `wire`, the fields of a received header in
  // the order the peer sent them: a Java peer sends its HashMap's order. Of
  // a repeated name the last counts, as Java's HashMap.put keeps it.
  void AssignFromWire(std::span<const WireField> wire);
  size_t erase(std::string_view key) {
    auto it = find(key);
    if (it == fields_.end()) return 0;
    fields_.erase(it);
    return 1;
  }

  friend bool operator==(const ExtFields& a, const ExtFields& b) { return a.fields_ == b.fields_; }

 private:
  iterator LowerBound(std::string_view key) {
    return std::lower_bound(fields_.begin(), fields_.end(), key,
                            [](const value_type& field, std::string_view k) { return field.first < k; });
  }

  std::vector<value_type> fields_;
};

// Receives a typed header's fields one at a time (CommandHeader::Visit).
class HeaderFieldSink {
 public:
  // `name` is a literal; `text` lasts as long as the header if `lasting`
  // (a string member), else only during the call (a number's text).
  virtual void Field(std::string_view name, std::string_view text, bool lasting) = 0;

 protected:
  ~HeaderFieldSink() = default;
};

// A typed request or response header (command_header.h defines them).
class CommandHeader {
 public:
  virtual ~CommandHeader() = default;
  // Writes every present field into `fields`, under RocketMQ's names.
  virtual void Encode(ExtFields* fields) const = 0;
  // Hands every present field to `sink`, under RocketMQ's names, with the
  // text Encode would write, best in name order (as a frame carries them;
  // Header<> does), building no map (a frame encoder's hot path), and
  // returns true; or
  // returns false having called nothing, and the caller uses Encode (this
  // default).
  virtual bool Visit(HeaderFieldSink& sink) const {
    (void)sink;
    return false;
  }
};

// `header` as an H, or null: a typeid comparison for a header that is
// exactly an H (an in-process peer's typed header, on every send), which
// costs a fraction of the dynamic_cast (a walk of the class hierarchy) that
// answers every other case, with the same result.
template <typename H>
H* HeaderAs(CommandHeader* header) {
  if (header == nullptr) return nullptr;
  if (typeid(*header) == typeid(H)) return static_cast<H*>(header);
  return dynamic_cast<H*>(header);
}

// Deletes a command's header, unless the command only borrows it: a request
// to an in-process server whose handler reads the header during the call
// only (a send), made with a header its sender reuses from call to call.
// Converts from std::default_delete, so a std::unique_ptr<H> becomes a
// command's (owned) header as before.
class HeaderDeleter {
 public:
  HeaderDeleter() = default;
  template <typename H>
  HeaderDeleter(std::default_delete<H>) {}  // NOLINT(google-explicit-constructor): owned
  static HeaderDeleter Borrowed() {
    HeaderDeleter deleter;
    deleter.owned_ = false;
    return deleter;
  }
  void operator()(CommandHeader* header) const {
    if (owned_) delete header;
  }

 private:
  bool owned_ = true;
};
using HeaderPtr = std::unique_ptr<CommandHeader, HeaderDeleter>;

// The body of a command: zero or more chunks of bytes. A body received from
// the network owns one chunk; a body built in this process may borrow chunks
// (a producer's message body, records in the store's mapped segments), kept
// valid by `keep_alive` or, for a borrowed request body, by the caller until
// the request completes.
class Payload {
 public:
  using Chunks = absl::InlinedVector<std::string_view, 1>;

  Payload() = default;
  // Owns `bytes`.
  explicit Payload(std::string bytes);
  // Borrows `bytes`: they must outlive every use of this payload.
  static Payload Borrow(std::string_view bytes);
  // Borrows `chunks`, kept valid by `keep_alive`.
  static Payload Shared(Chunks chunks, std::shared_ptr<const void> keep_alive);

  const Chunks& chunks() const { return chunks_; }
  size_t size() const;
  bool empty() const { return size() == 0; }
  // The chunks concatenated (copies unless there is exactly one chunk).
  std::string ToString() const;

 private:
  Chunks chunks_;
  std::shared_ptr<const void> keep_alive_;
};

// How a command's header is serialized on the wire (RocketMQ's SerializeType).
// A server answers in the type of the request.
enum class SerializeType : uint8_t { kJson = 0, kRocketmq = 1 };

class RemotingCommand {
 public:
  // Flag bits (RemotingCommand.RPC_TYPE, RPC_ONEWAY).
  static constexpr int32_t kResponseFlag = 0x1;
  static constexpr int32_t kOnewayFlag = 0x2;
  // The protocol version rmq announces (MQVersion.Version.V4_9_4's ordinal).
  static constexpr int32_t kVersion = 401;

  RemotingCommand() = default;
  RemotingCommand(RemotingCommand&&) = default;
  RemotingCommand& operator=(RemotingCommand&&) = default;

  static RemotingCommand Request(int32_t code, std::unique_ptr<CommandHeader> header = nullptr);
  static RemotingCommand Response(int32_t code, std::string remark = {},
                                  std::unique_ptr<CommandHeader> header = nullptr);

  int32_t code = 0;
  std::string language = "CPP";
  int32_t version = kVersion;
  int32_t opaque = 0;
  int32_t flag = 0;
  SerializeType serialize_type = SerializeType::kJson;  // As received (TCP only).
  std::string remark;
  ExtFields ext_fields;  // Header fields not (yet) decoded into `header`.
  HeaderPtr header;  // Owned, or borrowed (HeaderDeleter).
  Payload body;

  bool is_response() const { return (flag & kResponseFlag) != 0; }
  bool is_oneway() const { return (flag & kOnewayFlag) != 0; }

  // The header as type H: the typed header if it is one, else decoded from
  // ext_fields (and kept). InvalidArgument names the missing or bad field.
  // A typed header of another type is not read: a frame's fields that a
  // decoder made into one (a broker's send request, a client's send answer)
  // are not in ext_fields, so H should be the type that decoder makes.
  template <typename H>
  absl::StatusOr<H*> DecodeHeader() {
    if (auto* typed = HeaderAs<H>(header.get())) return typed;
    auto decoded = H::Decode(ext_fields);
    if (!decoded.ok()) return decoded.status();
    header = std::make_unique<H>(std::move(*decoded));
    return static_cast<H*>(header.get());
  }

  // Writes the typed header, if any, into ext_fields (before encoding a frame).
  void EncodeHeaderFields();
};

// The error a non-success response stands for: "<what>: <remark> (code N)".
// Maps RocketMQ's response codes to the nearest absl::StatusCode.
absl::Status ResponseToStatus(const RemotingCommand& response, std::string_view what);

}  // namespace rmq::internal

#endif  // RMQ_REMOTING_REMOTING_COMMAND_H_
