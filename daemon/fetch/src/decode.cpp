#include "decode.hpp"

#include <zlib.h>

#include <algorithm>
#include <cctype>
#include <vector>

namespace tinhop::fetch::detail {
namespace {

std::string lower_trimmed(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

// window_bits: 15+32 detects gzip or zlib headers; -15 is raw deflate.
Decoded inflate_into(const std::string& in, std::string& out, int window_bits, std::size_t max_decoded) {
  z_stream zs{};
  if (inflateInit2(&zs, window_bits) != Z_OK) return {DecodeStatus::corrupt, "zlib init failed"};
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  zs.avail_in = static_cast<uInt>(in.size());
  out.clear();
  char chunk[64 * 1024];
  int rc = Z_OK;
  Decoded result;
  while (true) {
    zs.next_out = reinterpret_cast<Bytef*>(chunk);
    zs.avail_out = sizeof chunk;
    rc = inflate(&zs, Z_NO_FLUSH);
    const std::size_t produced = sizeof chunk - zs.avail_out;
    if (out.size() + produced > max_decoded) {
      result = {DecodeStatus::too_large, "decoded body exceeds " + std::to_string(max_decoded) + " bytes"};
      break;
    }
    out.append(chunk, produced);
    if (rc == Z_STREAM_END) {
      // Concatenated gzip members are legal (RFC 1952 section 2.2): keep going.
      if (zs.avail_in > 0 && window_bits > 0 && inflateReset(&zs) == Z_OK) continue;
      break;
    }
    if (rc == Z_BUF_ERROR && zs.avail_in == 0) {
      result = {DecodeStatus::corrupt, "compressed body ends early"};
      break;
    }
    if (rc != Z_OK) {
      result = {DecodeStatus::corrupt, zs.msg ? zs.msg : "invalid compressed data"};
      break;
    }
  }
  inflateEnd(&zs);
  return result;
}

Decoded decode_one(const std::string& coding, std::string& body, std::size_t max_decoded) {
  if (coding.empty() || coding == "identity") return {};
  std::string out;
  Decoded d;
  if (coding == "gzip" || coding == "x-gzip") {
    d = inflate_into(body, out, 15 + 32, max_decoded);
  } else if (coding == "deflate") {
    // RFC 9110 says zlib-wrapped; some servers send raw deflate, so try both.
    d = inflate_into(body, out, 15, max_decoded);
    if (d.status == DecodeStatus::corrupt) d = inflate_into(body, out, -15, max_decoded);
  } else {
    return {DecodeStatus::unknown, "unsupported Content-Encoding '" + coding + "'"};
  }
  if (d.status == DecodeStatus::ok) body = std::move(out);
  return d;
}

}  // namespace

Decoded decode_body(std::string_view content_encoding, std::string& body, std::size_t max_decoded) {
  std::vector<std::string> codings;
  std::size_t start = 0;
  while (start <= content_encoding.size()) {
    const std::size_t comma = std::min(content_encoding.find(',', start), content_encoding.size());
    codings.push_back(lower_trimmed(content_encoding.substr(start, comma - start)));
    start = comma + 1;
  }
  for (auto it = codings.rbegin(); it != codings.rend(); ++it) {
    if (Decoded d = decode_one(*it, body, max_decoded); d.status != DecodeStatus::ok) return d;
  }
  if (body.size() > max_decoded) {
    return {DecodeStatus::too_large, "body exceeds " + std::to_string(max_decoded) + " bytes"};
  }
  return {};
}

}  // namespace tinhop::fetch::detail
