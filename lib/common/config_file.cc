// Copyright 2026 The rmq Authors. Licensed under the Apache License, Version 2.0.

#include "common/config_file.h"

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstdio>
#include <limits>
#include <map>
#include <memory>
#include <optional>
#include <vector>

#include "absl/strings/escaping.h"
#include "fmt/format.h"

namespace rmq::internal {
namespace {

// Java's Properties treats space, tab and form feed as whitespace.
bool IsPropertiesSpace(char c) { return c == ' ' || c == '\t' || c == '\f'; }

std::string_view TrimLeft(std::string_view s) {
  size_t i = 0;
  while (i < s.size() && IsPropertiesSpace(s[i])) ++i;
  return s.substr(i);
}

std::string_view TrimRight(std::string_view s) {
  size_t n = s.size();
  while (n > 0 && IsPropertiesSpace(s[n - 1])) --n;
  return s.substr(0, n);
}

// "broker.conf:12" or, without a source, "line 12".
std::string Where(std::string_view source, int line) {
  if (source.empty()) return fmt::format("line {}", line);
  return fmt::format("{}:{}", source, line);
}

// A value as it appears in an error message: escaped so control characters
// are visible, and cut short so a huge value does not swamp the message.
std::string Quote(std::string_view value) {
  constexpr size_t kMax = 120;
  std::string_view shown = value.substr(0, kMax);
  std::string out = absl::CHexEscape(absl::string_view(shown.data(), shown.size()));
  if (value.size() > kMax) out += "...";
  return out;
}

char Lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

// Case-insensitive edit distance, or nullopt once it exceeds `limit`.
std::optional<size_t> EditDistance(std::string_view a, std::string_view b, size_t limit) {
  const size_t diff = a.size() > b.size() ? a.size() - b.size() : b.size() - a.size();
  if (diff > limit) return std::nullopt;
  std::vector<size_t> prev(b.size() + 1), cur(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) prev[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    cur[0] = i;
    size_t row_min = cur[0];
    for (size_t j = 1; j <= b.size(); ++j) {
      const size_t subst = prev[j - 1] + (Lower(a[i - 1]) == Lower(b[j - 1]) ? 0 : 1);
      cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, subst});
      row_min = std::min(row_min, cur[j]);
    }
    if (row_min > limit) return std::nullopt;
    std::swap(prev, cur);
  }
  if (prev[b.size()] > limit) return std::nullopt;
  return prev[b.size()];
}

template <typename Int>
std::string ParseInteger(std::string_view value, Int* field) {
  std::string_view digits = value;
  // std::from_chars takes '-' but not '+'; Java's parseInt takes either.
  if (!digits.empty() && digits.front() == '+') {
    digits.remove_prefix(1);
    if (!digits.empty() && digits.front() == '-') return "not an integer";
  }
  Int parsed{};
  auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), parsed);
  if (ec == std::errc::result_out_of_range) {
    return fmt::format("out of range for a {}-bit integer ({} to {})", sizeof(Int) * 8,
                       std::numeric_limits<Int>::min(), std::numeric_limits<Int>::max());
  }
  if (ec != std::errc() || end != digits.data() + digits.size()) return "not an integer";
  *field = parsed;
  return "";
}

absl::StatusOr<std::vector<ConfigEntry>> Parse(std::string_view text, std::string_view source) {
  std::vector<ConfigEntry> entries;
  std::map<std::string, size_t, std::less<>> index;  // key -> position in entries
  int line_no = 0;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t eol = text.find('\n', pos);
    if (eol == std::string_view::npos) eol = text.size();
    std::string_view line = text.substr(pos, eol - pos);
    pos = eol + 1;
    ++line_no;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);  // CRLF files

    line = TrimLeft(line);
    if (line.empty() || line.front() == '#' || line.front() == '!') continue;

    size_t key_end = 0;
    while (key_end < line.size() && line[key_end] != '=' && line[key_end] != ':' &&
           !IsPropertiesSpace(line[key_end])) {
      ++key_end;
    }
    if (key_end == 0) {
      return absl::InvalidArgumentError(fmt::format(
          "{}: no key before '{}'; expected 'key=value'", Where(source, line_no), line.front()));
    }
    std::string_view key = line.substr(0, key_end);
    std::string_view rest = TrimLeft(line.substr(key_end));
    if (!rest.empty() && (rest.front() == '=' || rest.front() == ':')) rest.remove_prefix(1);
    std::string_view value = TrimRight(TrimLeft(rest));
    // Java would join the next line; we do not implement continuations, and
    // silently keeping the backslash would change the value.
    if (!value.empty() && value.back() == '\\') {
      return absl::InvalidArgumentError(
          fmt::format("{}: value of '{}' ends with '\\': continuation lines are not supported",
                      Where(source, line_no), Quote(key)));
    }

    auto it = index.find(key);
    if (it != index.end()) {
      ConfigEntry& earlier = entries[it->second];
      earlier.value.assign(value);
      earlier.line = line_no;
    } else {
      index.emplace(std::string(key), entries.size());
      entries.push_back(ConfigEntry{std::string(key), std::string(value), line_no});
    }
  }
  return entries;
}

}  // namespace

absl::StatusOr<std::vector<ConfigEntry>> ParseConfigText(std::string_view text) {
  return Parse(text, "");
}

absl::StatusOr<std::vector<ConfigEntry>> ParseConfigText(std::string_view text,
                                                         std::string_view source) {
  return Parse(text, source.empty() ? std::string_view("<config>") : source);
}

void ConfigBinder::Bind(std::string key, int32_t* field) {
  setters_[std::move(key)] = [field](std::string_view v) { return ParseInteger(v, field); };
}

void ConfigBinder::Bind(std::string key, int64_t* field) {
  setters_[std::move(key)] = [field](std::string_view v) { return ParseInteger(v, field); };
}

void ConfigBinder::Bind(std::string key, bool* field) {
  setters_[std::move(key)] = [field](std::string_view v) -> std::string {
    auto equals = [v](std::string_view word) {
      return v.size() == word.size() && std::equal(v.begin(), v.end(), word.begin(),
                                                   [](char a, char b) { return Lower(a) == b; });
    };
    if (equals("true")) {
      *field = true;
    } else if (equals("false")) {
      *field = false;
    } else {
      return "expected true or false";
    }
    return "";
  };
}

void ConfigBinder::Bind(std::string key, std::string* field) {
  setters_[std::move(key)] = [field](std::string_view v) {
    field->assign(v);
    return std::string();
  };
}

void ConfigBinder::Bind(std::string key, std::function<std::string(std::string_view)> parse) {
  setters_[std::move(key)] = std::move(parse);
}

bool ConfigBinder::Knows(std::string_view key) const { return setters_.contains(key); }

absl::Status ConfigBinder::Apply(const std::vector<ConfigEntry>& entries,
                                 std::string_view source) const {
  for (const ConfigEntry& entry : entries) {
    auto it = setters_.find(entry.key);
    if (it == setters_.end()) {
      // Suggest the closest known key: a typo should not cost a search.
      constexpr size_t kLimit = 2;
      std::string_view best;
      size_t best_distance = kLimit + 1;
      if (entry.key.size() <= 200) {
        for (const auto& [known, setter] : setters_) {
          auto d = EditDistance(entry.key, known, kLimit);
          if (d && *d < best_distance) {
            best_distance = *d;
            best = known;
          }
        }
      }
      std::string hint = best.empty() ? "" : fmt::format(" (did you mean '{}'?)", best);
      return absl::InvalidArgumentError(fmt::format(
          "{}: unknown key '{}'{}", Where(source, entry.line), Quote(entry.key), hint));
    }
    std::string error = it->second(entry.value);
    if (!error.empty()) {
      return absl::InvalidArgumentError(fmt::format("{}: bad value '{}' for {}: {}",
                                                    Where(source, entry.line),
                                                    Quote(entry.value), entry.key, error));
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<std::vector<ConfigEntry>> ReadConfigFile(const std::string& path) {
  std::unique_ptr<std::FILE, int (*)(std::FILE*)> file(std::fopen(path.c_str(), "rb"),
                                                       &std::fclose);
  if (file == nullptr) {
    return absl::ErrnoToStatus(errno, fmt::format("cannot open config file '{}'", path));
  }
  std::string text;
  char buf[8192];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof(buf), file.get())) > 0) text.append(buf, n);
  if (std::ferror(file.get())) {
    return absl::ErrnoToStatus(errno, fmt::format("cannot read config file '{}'", path));
  }
  return ParseConfigText(text, path);
}

absl::Status ConfigBinder::ApplyFile(const std::string& path) const {
  absl::StatusOr<std::vector<ConfigEntry>> entries = ReadConfigFile(path);
  if (!entries.ok()) return entries.status();
  return Apply(*entries, path);
}

absl::Status AtConfigLine(absl::Status error, const std::vector<ConfigEntry>& entries,
                          std::string_view source) {
  if (error.ok()) return error;
  std::string_view message(error.message().data(), error.message().size());
  // The key is the message's first word: up to a space, a quote or a colon.
  std::string_view key = message.substr(0, message.find_first_of(" ':"));
  for (auto it = entries.rbegin(); it != entries.rend(); ++it) {
    if (it->key == key) {
      return absl::Status(error.code(),
                          fmt::format("{}: {}", Where(source, it->line), message));
    }
  }
  return error;
}

}  // namespace rmq::internal
