// Copyright 2026 The rmq Authors. Licensed under the Apache License, Version 2.0.
//
// tools/bench_heap.h: the heap size the benchmarks report follows what the
// program allocates, with the allocator its programs link (tcmalloc when
// meson's tcmalloc option found it, this test is linked the same way; else
// glibc, whose large blocks are mapped outside its arenas).

#include "tools/bench_heap.h"

#include <cstdint>
#include <cstring>
#include <memory>

#include <catch2/catch.hpp>

namespace rmq::bench {
namespace {

#if defined(__SANITIZE_ADDRESS__)
constexpr bool kSanitized = true;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
constexpr bool kSanitized = true;
#else
constexpr bool kSanitized = false;
#endif
#else
constexpr bool kSanitized = false;
#endif

TEST_CASE("HeapInUseBytes grows by a large block while it is held and falls back after") {
  if (kSanitized) {
    WARN("ASan's allocator reports no heap figures: nothing to check");
    return;
  }
  constexpr int64_t kBlock = 16 << 20;  // glibc maps a block this large directly.
  const int64_t before = HeapInUseBytes();
  auto block = std::make_unique<char[]>(static_cast<size_t>(kBlock));
  std::memset(block.get(), 1, static_cast<size_t>(kBlock));
  const int64_t held = HeapInUseBytes();
  CHECK(held - before >= kBlock);
  block.reset();
  CHECK(HeapInUseBytes() - before < kBlock / 4);
}

}  // namespace
}  // namespace rmq::bench
