// Copyright 2026 The rmq Authors. Licensed under the Apache License, Version 2.0.

#include "common/fastjson.h"

#include <vector>

#include "absl/strings/ascii.h"

namespace rmq::internal {
namespace {

bool IsJsonSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

size_t SkipSpace(std::string_view text, size_t i) {
  while (i < text.size() && IsJsonSpace(text[i])) ++i;
  return i;
}

// The index one past the object that starts at text[begin] ('{'), braces
// inside strings ignored; text.size() if it never closes.
size_t ObjectEnd(std::string_view text, size_t begin) {
  int depth = 0;
  bool in_string = false;
  for (size_t i = begin; i < text.size(); ++i) {
    const char c = text[i];
    if (in_string) {
      if (c == '\\') {
        ++i;
      } else if (c == '"') {
        in_string = false;
      }
    } else if (c == '"') {
      in_string = true;
    } else if (c == '{') {
      ++depth;
    } else if (c == '}' && --depth == 0) {
      return i + 1;
    }
  }
  return text.size();
}

// Appends `raw` as the content of a JSON string (quotes and backslashes
// escaped; the text of a key object has no control characters outside its
// own strings, where they are already escaped).
void AppendQuoted(std::string_view raw, std::string* out) {
  out->push_back('"');
  for (char c : raw) {
    if (c == '"' || c == '\\') out->push_back('\\');
    out->push_back(c);
  }
  out->push_back('"');
}

void Write(const nlohmann::json& value, std::string* out) {
  if (value.is_object()) {
    out->push_back('{');
    bool first = true;
    for (const auto& [key, item] : value.items()) {
      if (!first) out->push_back(',');
      first = false;
      if (!key.empty() && key[0] == kBareKeyMarker) {
        out->append(key, 1);
      } else {
        out->append(nlohmann::json(key).dump(-1, ' ', false,
                                             nlohmann::json::error_handler_t::replace));
      }
      out->push_back(':');
      Write(item, out);
    }
    out->push_back('}');
  } else if (value.is_array()) {
    out->push_back('[');
    bool first = true;
    for (const auto& item : value) {
      if (!first) out->push_back(',');
      first = false;
      Write(item, out);
    }
    out->push_back(']');
  } else {
    out->append(value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
  }
}

}  // namespace

std::string NormalizeFastjson(std::string_view text) {
  std::string out;
  out.reserve(text.size() + 16);
  const size_t n = text.size();
  bool in_string = false;
  // The last character outside strings that is not whitespace, and the open
  // containers: a key can only start right after '{' or an object's ','.
  char last = 0;
  std::vector<char> open;
  for (size_t i = 0; i < n; ++i) {
    const char c = text[i];
    if (in_string) {
      out.push_back(c);
      if (c == '\\' && i + 1 < n) {
        out.push_back(text[++i]);  // an escaped quote does not end the string
      } else if (c == '"') {
        in_string = false;
        last = '"';
      }
      continue;
    }
    if (c == '"') {
      in_string = true;
      out.push_back(c);
      continue;
    }
    const bool key_position = last == '{' || (last == ',' && !open.empty() && open.back() == '{');
    if (key_position && (c == '-' || absl::ascii_isdigit(c))) {
      size_t digits = c == '-' ? i + 1 : i;
      size_t end = digits;
      while (end < n && absl::ascii_isdigit(text[end])) ++end;
      const size_t colon = SkipSpace(text, end);
      if (end > digits && colon < n && text[colon] == ':') {
        AppendQuoted(text.substr(i, end - i), &out);
        i = end - 1;
        last = '"';
        continue;
      }
    }
    if (key_position && c == '{') {
      const size_t end = ObjectEnd(text, i);
      const size_t colon = SkipSpace(text, end);
      if (colon < n && text[colon] == ':') {
        AppendQuoted(text.substr(i, end - i), &out);
        i = end - 1;
        last = '"';
        continue;
      }
    }
    if (c == '{' || c == '[') open.push_back(c);
    if ((c == '}' || c == ']') && !open.empty()) open.pop_back();
    out.push_back(c);
    if (!IsJsonSpace(c)) last = c;
  }
  return out;
}

std::string WriteFastjson(const nlohmann::json& value) {
  std::string out;
  Write(value, &out);
  return out;
}

}  // namespace rmq::internal
