// Copyright 2026 The rmq Authors. Licensed under the Apache License, Version 2.0.

#ifndef RMQ_COMMON_TAG_HASH_H_
#define RMQ_COMMON_TAG_HASH_H_

#include <cstdint>
#include <string_view>

namespace rmq::internal {

// The tagsCode stored in a consume queue unit for a message's TAGS: Java's
// String.hashCode() of the tag (computed over UTF-16 code units, so non-ASCII
// tags hash as they do in RocketMQ), sign-extended. "" hashes to 0.
int64_t TagsStringToTagsCode(std::string_view tags);

}  // namespace rmq::internal

#endif  // RMQ_COMMON_TAG_HASH_H_
