// Copyright 2026 The rmq Authors. Licensed under the Apache License, Version 2.0.
//
// Big-endian (network order) reads and writes of fixed-width integers: every
// RocketMQ on-disk and on-wire integer is big-endian.

#ifndef RMQ_COMMON_BIG_ENDIAN_H_
#define RMQ_COMMON_BIG_ENDIAN_H_

#include <bit>
#include <cstdint>
#include <cstring>

namespace rmq::internal {

template <typename T>
inline T ByteSwapIfLittle(T v) {
  if constexpr (std::endian::native == std::endian::little) {
    if constexpr (sizeof(T) == 2) return static_cast<T>(__builtin_bswap16(static_cast<uint16_t>(v)));
    if constexpr (sizeof(T) == 4) return static_cast<T>(__builtin_bswap32(static_cast<uint32_t>(v)));
    if constexpr (sizeof(T) == 8) return static_cast<T>(__builtin_bswap64(static_cast<uint64_t>(v)));
  }
  return v;
}

template <typename T>
inline void PutBig(void* dst, T v) {
  static_assert(sizeof(T) == 1 || sizeof(T) == 2 || sizeof(T) == 4 || sizeof(T) == 8);
  if constexpr (sizeof(T) > 1) v = ByteSwapIfLittle(v);
  std::memcpy(dst, &v, sizeof(T));
}

template <typename T>
inline T GetBig(const void* src) {
  static_assert(sizeof(T) == 1 || sizeof(T) == 2 || sizeof(T) == 4 || sizeof(T) == 8);
  T v;
  std::memcpy(&v, src, sizeof(T));
  if constexpr (sizeof(T) > 1) v = ByteSwapIfLittle(v);
  return v;
}

inline void PutBig32(void* dst, int32_t v) { PutBig<int32_t>(dst, v); }
inline void PutBig64(void* dst, int64_t v) { PutBig<int64_t>(dst, v); }
inline int32_t GetBig32(const void* src) { return GetBig<int32_t>(src); }
inline int64_t GetBig64(const void* src) { return GetBig<int64_t>(src); }

}  // namespace rmq::internal

#endif  // RMQ_COMMON_BIG_ENDIAN_H_
