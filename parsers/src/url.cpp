#include "tinhop/parsers/url.hpp"

#include <boost/url/parse.hpp>
#include <boost/url/url.hpp>

#include <array>
#include <cctype>
#include <string_view>

namespace tinhop {
namespace {

bool is_hex(char c) {
  return std::isxdigit(static_cast<unsigned char>(c)) != 0;
}

// Characters a URI reference may hold literally (RFC 3986 unreserved and reserved).
constexpr std::array<bool, 256> allowed_in_uri_table = [] {
  std::array<bool, 256> table{};
  for (int c = 'a'; c <= 'z'; ++c) table[static_cast<std::size_t>(c)] = true;
  for (int c = 'A'; c <= 'Z'; ++c) table[static_cast<std::size_t>(c)] = true;
  for (int c = '0'; c <= '9'; ++c) table[static_cast<std::size_t>(c)] = true;
  for (const char c : std::string_view("-._~:/?#[]@!$&'()*+,;=")) table[static_cast<unsigned char>(c)] = true;
  return table;
}();

bool allowed_in_uri(unsigned char c) {
  return allowed_in_uri_table[c];
}

std::string_view trim(std::string_view text) {
  const auto space = [](char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f'; };
  while (!text.empty() && space(text.front())) text.remove_prefix(1);
  while (!text.empty() && space(text.back())) text.remove_suffix(1);
  return text;
}

}  // namespace

std::string iri_to_uri(std::string_view iri) {
  static constexpr char digits[] = "0123456789ABCDEF";
  iri = trim(iri);
  // Most links need no change: copy the clean prefix at once, then work byte by byte.
  std::size_t clean = 0;
  while (clean < iri.size() && allowed_in_uri(static_cast<unsigned char>(iri[clean]))) ++clean;
  std::string out(iri.substr(0, clean));
  if (clean == iri.size()) return out;
  out.reserve(iri.size() + 16);
  for (std::size_t i = clean; i < iri.size(); ++i) {
    const auto c = static_cast<unsigned char>(iri[i]);
    if (c == '\n' || c == '\r') {
      // A link wrapped across lines: the break and the indentation around it are layout.
      while (!out.empty() && (out.back() == ' ' || out.back() == '\t')) out.pop_back();
      while (i + 1 < iri.size() &&
             (iri[i + 1] == ' ' || iri[i + 1] == '\t' || iri[i + 1] == '\n' || iri[i + 1] == '\r'))
        ++i;
      continue;
    }
    if (c == '\t') continue;
    if (c == '%' && i + 2 < iri.size() && is_hex(iri[i + 1]) && is_hex(iri[i + 2])) {
      out.push_back('%');
      continue;
    }
    if (allowed_in_uri(c)) {
      out.push_back(static_cast<char>(c));
    } else {
      out.push_back('%');
      out.push_back(digits[c >> 4]);
      out.push_back(digits[c & 0xF]);
    }
  }
  return out;
}

bool is_absolute_url(std::string_view text) {
  const std::string uri = iri_to_uri(text);
  return boost::urls::parse_uri(uri).has_value();
}

std::optional<std::string> resolve_url(std::string_view base, std::string_view reference) {
  const std::string ref_text = iri_to_uri(reference);
  const auto absolute = boost::urls::parse_uri(ref_text);
  if (absolute) return ref_text;
  const std::string base_text = iri_to_uri(base);
  const auto base_url = boost::urls::parse_uri(base_text);
  const auto ref = boost::urls::parse_uri_reference(ref_text);
  if (!base_url || !ref) return std::nullopt;
  boost::urls::url result;
  if (!boost::urls::resolve(*base_url, *ref, result)) return std::nullopt;
  return std::string(result.buffer());
}

}  // namespace tinhop
