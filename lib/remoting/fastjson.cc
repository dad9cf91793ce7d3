// Copyright 2026 The rmq Authors. Licensed under the Apache License, Version 2.0.

#include "remoting/fastjson.h"

namespace rmq::internal {
namespace {

bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

}  // namespace

std::string NormalizeFastjson(std::string_view text) {
  std::string out;
  out.reserve(text.size() + 16);
  const size_t n = text.size();
  bool in_string = false;
  // The last character outside strings that is not whitespace: a key can only
  // start right after '{' or ','.
  char last = 0;
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
    if ((last == '{' || last == ',') && (c == '-' || IsDigit(c))) {
      size_t digits = c == '-' ? i + 1 : i;
      size_t end = digits;
      while (end < n && IsDigit(text[end])) ++end;
      size_t colon = end;
      while (colon < n && IsSpace(text[colon])) ++colon;
      // Only a number followed by ':' is a key; in an array ([1,2]) it is a value.
      if (end > digits && colon < n && text[colon] == ':') {
        out.push_back('"');
        out.append(text.substr(i, end - i));
        out.push_back('"');
        i = end - 1;
        last = '"';
        continue;
      }
    }
    out.push_back(c);
    if (!IsSpace(c)) last = c;
  }
  return out;
}

}  // namespace rmq::internal
