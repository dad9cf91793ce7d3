// Copyright 2026 The rmq Authors. Licensed under the Apache License, Version 2.0.
//
// Runs a libFuzzer target without libFuzzer (g++, or clang without the fuzz
// option): every file of the corpus directories (or files) named on the
// command line, then a fixed number of deterministic mutations of them. It is
// no substitute for coverage-guided fuzzing, but it keeps every target built
// and exercised on each test run, identically every time.

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <utility>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);

namespace {

constexpr int kMutations = 20000;

class XorShift {
 public:
  uint64_t Next() {
    state_ ^= state_ << 13;
    state_ ^= state_ >> 7;
    state_ ^= state_ << 17;
    return state_;
  }
  size_t Below(size_t n) { return n == 0 ? 0 : static_cast<size_t>(Next() % n); }

 private:
  uint64_t state_ = 0x9E3779B97F4A7C15ull;
};

void Run(const std::string& input) {
  LLVMFuzzerTestOneInput(reinterpret_cast<const uint8_t*>(input.data()), input.size());
}

// Bytes that matter to rmq's decoders: separators, length extremes, magics.
constexpr uint8_t kInteresting[] = {0x00, 0x01, 0x02, 0x7F, 0x80, 0xFF, '=', ':', '\n',
                                    '#',  ' ',  0xDA, 0xA3, 0x20, 0xA7, 0xCB, 0xD4, 0x31};

void Mutate(std::string* s, XorShift* rng) {
  const int steps = 1 + static_cast<int>(rng->Below(4));
  for (int i = 0; i < steps; ++i) {
    switch (rng->Below(6)) {
      case 0:  // flip one bit
        if (!s->empty()) (*s)[rng->Below(s->size())] ^= static_cast<char>(1u << rng->Below(8));
        break;
      case 1:  // overwrite a byte with an interesting value
        if (!s->empty()) {
          (*s)[rng->Below(s->size())] =
              static_cast<char>(kInteresting[rng->Below(sizeof(kInteresting))]);
        }
        break;
      case 2:  // truncate
        s->resize(rng->Below(s->size() + 1));
        break;
      case 3:  // insert random bytes
        s->insert(rng->Below(s->size() + 1), std::string(1 + rng->Below(8),
                                                         static_cast<char>(rng->Next())));
        break;
      case 4:  // erase a run
        if (!s->empty()) {
          size_t at = rng->Below(s->size());
          s->erase(at, 1 + rng->Below(s->size() - at));
        }
        break;
      default:  // duplicate a run
        if (!s->empty()) {
          size_t at = rng->Below(s->size());
          s->insert(rng->Below(s->size() + 1), s->substr(at, 1 + rng->Below(16)));
        }
        break;
    }
  }
}

bool ReadFile(const std::filesystem::path& path, std::string* out) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return false;
  out->assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> corpus;
  for (int i = 1; i < argc; ++i) {
    std::filesystem::path arg(argv[i]);
    std::vector<std::filesystem::path> files;
    std::error_code ec;
    if (std::filesystem::is_directory(arg, ec)) {
      for (const auto& entry : std::filesystem::directory_iterator(arg)) {
        if (entry.is_regular_file()) files.push_back(entry.path());
      }
    } else {
      files.push_back(arg);
    }
    std::sort(files.begin(), files.end());  // the same order everywhere
    for (const auto& f : files) {
      std::string data;
      if (!ReadFile(f, &data)) {
        std::fprintf(stderr, "cannot read corpus file %s\n", f.c_str());
        return 2;
      }
      corpus.push_back(std::move(data));
    }
  }
  corpus.emplace_back();  // the empty input is always worth a run

  for (const std::string& input : corpus) Run(input);
  XorShift rng;
  for (int i = 0; i < kMutations; ++i) {
    std::string input = corpus[rng.Below(corpus.size())];
    Mutate(&input, &rng);
    Run(input);
  }
  std::printf("ran %zu corpus inputs and %d mutations\n", corpus.size(), kMutations);
  return 0;
}
