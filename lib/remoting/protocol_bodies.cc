// Copyright 2026 The rmq Authors. Licensed under the Apache License, Version 2.0.

#include "remoting/protocol_bodies.h"

#include <charconv>
#include <cmath>
#include <cstdint>
#include <limits>
#include <type_traits>
#include <utility>

#include "common/str_cat.h"
#include "nlohmann/json.hpp"
#include "common/fastjson.h"

namespace rmq::internal {
namespace {

using Json = nlohmann::json;

template <typename T>
struct IsVectorOrSet : std::false_type {};
template <typename T>
struct IsVectorOrSet<std::vector<T>> : std::true_type {};
template <typename T, typename Less>
struct IsVectorOrSet<std::set<T, Less>> : std::true_type {};

template <typename T>
struct IsMap : std::false_type {};
template <typename K, typename V>
struct IsMap<std::map<K, V>> : std::true_type {};

template <typename T>
struct IsOptional : std::false_type {};
template <typename T>
struct IsOptional<std::optional<T>> : std::true_type {};

// ---- Encoding -----------------------------------------------------------------

template <typename T>
Json Encode(const T& value);

struct JsonWriter {
  Json* out;
  template <typename T>
  void operator()(const char* name, const T& value) {
    if constexpr (IsOptional<T>::value) {
      if (value.has_value()) (*out)[name] = Encode(*value);  // fastjson omits nulls
    } else {
      (*out)[name] = Encode(value);
    }
  }
};

// A map key as an object key: a queue is written bare, as fastjson does.
template <typename K>
std::string KeyText(const K& key) {
  if constexpr (std::is_same_v<K, std::string>) {
    if (!key.empty() && key[0] == kBareKeyMarker) return "\uFFFD" + key.substr(1);  // see fastjson.h
    return key;
  } else if constexpr (std::is_same_v<K, MessageQueue>) {
    return kBareKeyMarker + Encode(key).dump(-1, ' ', false, Json::error_handler_t::replace);
  } else {
    return std::to_string(key);
  }
}

template <typename T>
Json Encode(const T& value) {
  if constexpr (std::is_same_v<T, std::string> || std::is_arithmetic_v<T>) {
    return Json(value);
  } else if constexpr (IsVectorOrSet<T>::value) {
    Json array = Json::array();
    for (const auto& item : value) array.push_back(Encode(item));
    return array;
  } else if constexpr (IsMap<T>::value) {
    Json object = Json::object();
    for (const auto& [key, item] : value) object[KeyText(key)] = Encode(item);
    return object;
  } else if constexpr (std::is_same_v<T, MessageQueue>) {
    Json object = Json::object();
    JsonWriter writer{&object};
    MessageQueueData::Fields(value, writer);
    return object;
  } else {
    Json object = Json::object();
    JsonWriter writer{&object};
    T::Fields(value, writer);
    return object;
  }
}

// ---- Decoding -----------------------------------------------------------------

// Decodes into `out`; on a type mismatch records the first error with its path.
class JsonReader {
 public:
  absl::Status status;

  template <typename T>
  void Decode(const Json& json, const std::string& path, T* out) {
    if (!status.ok()) return;
    if constexpr (std::is_same_v<T, bool>) {
      if (!json.is_boolean()) return Fail(path, "a boolean");
      *out = json.get<bool>();
    } else if constexpr (std::is_floating_point_v<T>) {
      // 1e999 parses as infinity, which JSON cannot write back.
      if (!json.is_number() || !std::isfinite(json.get<double>())) {
        return Fail(path, "a finite number");
      }
      *out = json.get<T>();
    } else if constexpr (std::is_integral_v<T>) {
      if (!json.is_number_integer()) return Fail(path, "an integer");
      // get<T>() would truncate silently: 4294967297 is not an int 1.
      const bool fits = json.is_number_unsigned() ? std::in_range<T>(json.get<uint64_t>())
                                                  : std::in_range<T>(json.get<int64_t>());
      if (!fits) {
        return Fail(path, sizeof(T) == 4 ? "a 32-bit integer" : "a 64-bit integer");
      }
      *out = json.get<T>();
    } else if constexpr (std::is_same_v<T, std::string>) {
      if (!json.is_string()) return Fail(path, "a string");
      *out = json.get<std::string>();
    } else if constexpr (IsOptional<T>::value) {
      if (json.is_null()) {
        out->reset();
      } else {
        Decode(json, path, &out->emplace());
      }
    } else if constexpr (IsVectorOrSet<T>::value) {
      if (json.is_null()) return;
      if (!json.is_array()) return Fail(path, "an array");
      out->clear();
      size_t i = 0;
      for (const Json& item : json) {
        typename T::value_type element{};
        Decode(item, StrCat(path, "[", i++, "]"), &element);
        if constexpr (IsVectorOrSet<T>::value && requires { out->push_back(element); }) {
          out->push_back(std::move(element));
        } else {
          out->insert(std::move(element));
        }
      }
    } else if constexpr (IsMap<T>::value) {
      if (json.is_null()) return;
      if (!json.is_object()) return Fail(path, "an object");
      out->clear();
      for (const auto& [key_text, item] : json.items()) {
        typename T::key_type key{};
        if constexpr (std::is_same_v<typename T::key_type, MessageQueue>) {
          // A queue key: an object, made a string by NormalizeFastjson.
          Json key_json = Json::parse(key_text, nullptr, /*allow_exceptions=*/false);
          if (key_json.is_discarded()) return Fail(StrCat(path, ".", key_text), "a queue key");
          Decode(key_json, StrCat(path, ".", key_text), &key);
        } else if (!ParseKey(key_text, &key)) {
          return Fail(StrCat(path, ".", key_text), "an integer key");
        }
        Decode(item, StrCat(path, ".", key_text), &(*out)[key]);
      }
    } else {
      if (!json.is_object()) return Fail(path, "an object");
      FieldReader reader{this, &json, &path};
      if constexpr (std::is_same_v<T, MessageQueue>) {
        MessageQueueData::Fields(*out, reader);
      } else {
        T::Fields(*out, reader);
      }
    }
  }

 private:
  struct FieldReader {
    JsonReader* reader;
    const Json* object;
    const std::string* path;
    template <typename T>
    void operator()(const char* name, T& value) {
      auto it = object->find(name);
      // Missing or null (fastjson omits nulls, other writers spell them out):
      // keep the default.
      if (it == object->end() || it->is_null()) return;
      reader->Decode(*it, path->empty() ? std::string(name) : StrCat(*path, ".", name), &value);
    }
  };

  template <typename K>
  static bool ParseKey(const std::string& text, K* key) {
    if constexpr (std::is_same_v<K, std::string>) {
      *key = text;
      return true;
    } else {
      auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), *key);
      return ec == std::errc() && ptr == text.data() + text.size();
    }
  }

  void Fail(const std::string& path, std::string_view expected) {
    status = absl::InvalidArgumentError(
        StrCat(path.empty() ? "the document" : path, " should be ", expected));
  }
};

}  // namespace

std::string BrokerData::MasterAddress() const {
  auto it = broker_addrs.find(kMasterId);
  return it == broker_addrs.end() ? std::string() : it->second;
}

template <typename T>
std::string ToJson(const T& value) {
  // Strings from the wire may hold any bytes; Java would have decoded them to
  // U+FFFD, as WriteFastjson does.
  return WriteFastjson(Encode(value));
}

template <typename T>
absl::StatusOr<T> FromJson(std::string_view json, std::string_view what) {
  const std::string normalized = NormalizeFastjson(json);  // fastjson.h: {0:"a"} keys
  Json parsed = Json::parse(normalized, nullptr, /*allow_exceptions=*/false);
  if (parsed.is_discarded()) {
    return absl::InvalidArgumentError(StrCat(what, ": not valid JSON (", json.size(), " bytes)"));
  }
  T value{};
  JsonReader reader;
  reader.Decode(parsed, "", &value);
  if (!reader.status.ok()) {
    return absl::InvalidArgumentError(StrCat(what, ": ", StdView(reader.status.message())));
  }
  return value;
}

#define RMQ_JSON_BODY(T)                        \
  template std::string ToJson<T>(const T&);     \
  template absl::StatusOr<T> FromJson<T>(std::string_view, std::string_view);

RMQ_JSON_BODY(TopicConfig)
RMQ_JSON_BODY(DataVersion)
RMQ_JSON_BODY(TopicConfigSerializeWrapper)
RMQ_JSON_BODY(RegisterBrokerBody)
RMQ_JSON_BODY(QueueData)
RMQ_JSON_BODY(BrokerData)
RMQ_JSON_BODY(TopicRouteData)
RMQ_JSON_BODY(ClusterInfo)
RMQ_JSON_BODY(TopicList)
RMQ_JSON_BODY(SubscriptionData)
RMQ_JSON_BODY(ProducerData)
RMQ_JSON_BODY(ConsumerData)
RMQ_JSON_BODY(HeartbeatData)
RMQ_JSON_BODY(CheckClientRequestBody)
RMQ_JSON_BODY(ConsumerIdList)
RMQ_JSON_BODY(LockBatchRequestBody)
RMQ_JSON_BODY(LockBatchResponseBody)
RMQ_JSON_BODY(UnlockBatchRequestBody)
RMQ_JSON_BODY(SubscriptionGroupConfig)
RMQ_JSON_BODY(SubscriptionGroupWrapper)
RMQ_JSON_BODY(TopicStatsTable)
RMQ_JSON_BODY(ConsumeStats)
RMQ_JSON_BODY(KVTable)
RMQ_JSON_BODY(ConsumerConnection)
RMQ_JSON_BODY(ResetOffsetBody)

#undef RMQ_JSON_BODY

}  // namespace rmq::internal
