// Copyright 2026 The rmq Authors. Licensed under the Apache License, Version 2.0.
//
// The heap's size as the benchmarks report it (heap growth, heap held).

#ifndef RMQ_TOOLS_BENCH_HEAP_H_
#define RMQ_TOOLS_BENCH_HEAP_H_

#include <malloc.h>

#include <cstddef>
#include <cstdint>

// gperftools' C interface, present when the program links tcmalloc (meson's
// tcmalloc option); weak, so that without it the address is null.
extern "C" int MallocExtension_GetNumericProperty(const char* property, size_t* value)
    __attribute__((weak));

namespace rmq::bench {

// Bytes allocated and not yet freed: tcmalloc's count when it is the
// allocator (glibc's mallinfo2 would see none of its heap), else glibc's,
// from its arenas and from mmap (large blocks, such as a big vector's, are
// mapped directly).
inline int64_t HeapInUseBytes() {
  size_t bytes = 0;
  if (MallocExtension_GetNumericProperty != nullptr &&
      MallocExtension_GetNumericProperty("generic.current_allocated_bytes", &bytes) != 0) {
    return static_cast<int64_t>(bytes);
  }
  const struct mallinfo2 info = mallinfo2();
  return static_cast<int64_t>(info.uordblks + info.hblkhd);
}

}  // namespace rmq::bench

#endif  // RMQ_TOOLS_BENCH_HEAP_H_
