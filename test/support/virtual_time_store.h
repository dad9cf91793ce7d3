// Copyright 2026 The rmq Authors. Licensed under the Apache License, Version 2.0.
//
// A store on a VirtualClock in a temporary directory, for Catch tests of
// what happens as time passes (delayed and timer messages).

#ifndef RMQ_TEST_SUPPORT_VIRTUAL_TIME_STORE_H_
#define RMQ_TEST_SUPPORT_VIRTUAL_TIME_STORE_H_

#include <catch2/catch.hpp>

#include <memory>

#include "absl/time/time.h"
#include "rmq/clock.h"
#include "rmq/store.h"
#include "store/default_message_store.h"
#include "support/store_fixtures.h"
#include "support/temp_dir.h"

namespace rmq::testing {

struct VirtualTimeStore {
  TempDir dir;
  std::shared_ptr<VirtualClock> clock = std::make_shared<VirtualClock>();
  MessageStoreConfig config = SmallStoreConfig(dir.path());
  std::unique_ptr<internal::DefaultMessageStore> store;

  VirtualTimeStore() {
    config.clean_resource_interval = 24 * 3600 * 1000;  // No cleanup while time moves.
    Open();
  }

  // (Re)opens the store over `dir` with `config`.
  void Open() {
    auto opened = internal::DefaultMessageStore::Open(config, clock);
    INFO(opened.status().ToString());
    REQUIRE(opened.ok());
    store = *std::move(opened);
  }

  // Moves time by `d` with every dispatch done before and after, so the
  // store's services have seen what was put and what they put back is readable.
  void Advance(absl::Duration d) {
    store->WaitForDispatch();
    clock->Advance(d);
    store->WaitForDispatch();
  }
};

}  // namespace rmq::testing

#endif  // RMQ_TEST_SUPPORT_VIRTUAL_TIME_STORE_H_
