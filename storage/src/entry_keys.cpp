// The pure keys of a stored entry, the same for every backend.
#include "entry_keys.hpp"

#include <cstring>

#include "tinhop/parsers/text.hpp"

namespace tinhop::storage {
namespace {

// Plain text indexed for full-text search after the title: the opening of the summary (or
// of the content when there is none), about the lead sentence. Readers search for words of
// headlines and leads; FTS5 work grows with every indexed token and was two thirds of the
// cost of storing an item when 600 characters were indexed.
constexpr std::size_t kSearchTextBytes = 400;
// HTML read for a fingerprint; the fingerprint only looks at the opening syllables anyway.
constexpr std::size_t kFingerprintHtmlBytes = 16 * 1024;

std::string cut_utf8(std::string text, std::size_t max_bytes) {
  if (text.size() <= max_bytes) return text;
  std::size_t end = max_bytes;
  while (end > 0 && (static_cast<unsigned char>(text[end]) & 0xC0U) == 0x80U) --end;
  text.resize(end);
  return text;
}

std::string_view head(const std::optional<std::string>& html, std::size_t bytes) {
  if (!html) return {};
  return std::string_view(*html).substr(0, bytes);
}

// Most summaries are plain text already: only markup or entities need the HTML reader.
std::string plain_text(std::string_view html) {
  if (html.find_first_of("<&") == std::string_view::npos) return std::string(html);
  return strip_html_to_text(html);
}

// Change detection runs for every entry of every poll, over the whole text: eight bytes
// per step (a multiply-xorshift chain) instead of stable_hash's one. Not an identity key:
// a collision only delays noticing an edit until the next one.
void mix(std::uint64_t& h, std::string_view part) {
  constexpr std::uint64_t kMul = 0x9fb21c651e98df25ULL;
  std::size_t i = 0;
  for (; i + 8 <= part.size(); i += 8) {
    std::uint64_t word = 0;
    std::memcpy(&word, part.data() + i, 8);
    h = (h ^ word) * kMul;
    h ^= h >> 29;
  }
  std::uint64_t tail = 0;
  if (i < part.size()) std::memcpy(&tail, part.data() + i, part.size() - i);
  h = (h ^ tail ^ (static_cast<std::uint64_t>(part.size()) << 56)) * kMul;
  h ^= h >> 32;
}
void mix_optional(std::uint64_t& h, const std::optional<std::string>& part) {
  mix(h, part ? std::string_view(*part) : std::string_view("\x01"));
}

}  // namespace

std::uint64_t content_hash(const Item& item, bool with_content) {
  std::uint64_t h = 0x51ed270b27a5c1d3ULL;
  mix_optional(h, item.title);
  mix_optional(h, item.link);
  mix_optional(h, item.summary);
  mix_optional(h, with_content ? item.content : std::nullopt);
  mix_optional(h, item.thumbnail);
  mix_optional(h, item.comments);
  mix(h, std::to_string(item.published ? item.published->time_since_epoch().count() : -1));
  mix(h, std::to_string(item.updated ? item.updated->time_since_epoch().count() : -1));
  for (const auto& c : item.categories) mix(h, c);
  for (const auto& a : item.authors) mix_optional(h, a.name);
  for (const auto& e : item.enclosures) mix(h, e.url);
  return h;
}

Prepared prepare(const Item& item, const ItemIdentity& identity, const LinkOptions& links, bool follows) {
  Prepared p;
  p.content_hash = static_cast<std::int64_t>(content_hash(item, !follows));
  std::optional<std::string> canonical = identity.canonical_link;
  if (!canonical && item.link) canonical = canonical_link(*item.link, links);
  // A real hash of 0 would only lose a cross-source link match.
  if (canonical) p.link_hash = static_cast<std::int64_t>(stable_hash(*canonical, 2));
  const std::string summary_text = plain_text(head(item.summary, kFingerprintHtmlBytes));
  const std::string content_text = plain_text(head(item.content, kFingerprintHtmlBytes));
  p.fingerprint = fingerprint(item.title.value_or(""), summary_text, content_text);
  // The FTS triggers read the summary when search_text is empty.
  p.search_text = cut_utf8(summary_text.empty() ? content_text : summary_text, kSearchTextBytes);
  if (item.summary && std::string_view(*item.summary).substr(0, p.search_text.size()) == p.search_text) {
    p.search_text.clear();
  }
  return p;
}

}  // namespace tinhop::storage
