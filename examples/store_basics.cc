// Copyright 2026 The rmq Authors. Licensed under the Apache License, Version 2.0.
//
// store_basics: the MessageStore API on its own. Appends 1,000 messages to
// a topic's four queues, reads every queue back, finds one message by key and
// one by msgId, and prints what it did. No server to start.
//
//   store_basics [STORE_DIR]      (default: a fresh temporary directory)

#include <stdlib.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <string>

#include "rmq/store.h"

int main(int argc, char** argv) {
  std::string dir;
  bool temporary = argc < 2;
  if (temporary) {
    std::string templ = std::filesystem::temp_directory_path().string() + "/rmq-store-basics-XXXXXX";
    if (::mkdtemp(templ.data()) == nullptr) return 1;
    dir = templ;
  } else {
    dir = argv[1];
  }

  rmq::MessageStoreConfig config;
  config.store_path_root_dir = dir;
  config.mapped_file_size_commit_log = 64 << 20;  // Small segments for a demo.
  auto store = rmq::MessageStore::Open(config);
  if (!store.ok()) {
    std::fprintf(stderr, "open failed: %s\n", store.status().ToString().c_str());
    return 1;
  }

  constexpr int kMessages = 1000;
  constexpr int kQueues = 4;
  std::string first_msg_id;
  auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < kMessages; ++i) {
    rmq::MessageExt msg("QuickstartTopic", i % 2 ? "TagA" : "TagB", "order-" + std::to_string(i),
                        "hello rmq #" + std::to_string(i));
    msg.queue_id = i % kQueues;
    auto put = (*store)->Put(msg);
    if (!put.ok()) {
      std::fprintf(stderr, "put %d failed: %s\n", i, put.status().ToString().c_str());
      return 1;
    }
    if (i == 0) first_msg_id = put->offset_msg_id();
  }
  double put_us = std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - start).count();
  (*store)->WaitForDispatch();

  int read = 0;
  int tag_a = 0;
  auto only_tag_a = rmq::MessageFilter::ForTags("TagA");
  for (int q = 0; q < kQueues; ++q) {
    for (int64_t offset = 0; offset < (*store)->GetMaxOffsetInQueue("QuickstartTopic", q);) {
      rmq::GetMessageResult got = (*store)->Get("QuickstartTopic", q, offset, 32, nullptr);
      if (got.status != rmq::GetStatus::kFound) break;
      read += static_cast<int>(got.message_count());
      offset = got.next_begin_offset;
    }
    for (int64_t offset = 0; offset < (*store)->GetMaxOffsetInQueue("QuickstartTopic", q);) {
      rmq::GetMessageResult got = (*store)->Get("QuickstartTopic", q, offset, 32, only_tag_a.get());
      tag_a += static_cast<int>(got.message_count());
      if (got.next_begin_offset <= offset) break;
      offset = got.next_begin_offset;
    }
  }
  auto by_key = (*store)->QueryMessage("QuickstartTopic", "order-42", 1, 0, INT64_MAX);
  auto by_id = (*store)->ViewMessageById(first_msg_id);

  std::printf("store: %s\n", dir.c_str());
  std::printf("sent=%d read=%d tagA=%d avg_put_us=%.2f\n", kMessages, read, tag_a, put_us / kMessages);
  std::printf("by key order-42: %s\n", by_key.empty() ? "(not found)" : by_key[0].body().c_str());
  std::printf("by msgId %s: %s\n", first_msg_id.c_str(), by_id.ok() ? by_id->body().c_str() : "(not found)");
  bool ok = read == kMessages && tag_a == kMessages / 2 && !by_key.empty() && by_id.ok();
  store->reset();
  if (temporary) std::filesystem::remove_all(dir);
  std::printf("%s\n", ok ? "OK" : "FAILED");
  return ok ? 0 : 1;
}
