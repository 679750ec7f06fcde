#include "tinhop/parsers/text.hpp"

#include <unicode/brkiter.h>
#include <unicode/normalizer2.h>
#include <unicode/uchar.h>
#include <unicode/unistr.h>
#include <unicode/utext.h>
#include <unicode/utf8.h>

#include <algorithm>
#include <array>
#include <bit>
#include <cctype>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <iterator>
#include <memory>
#include <optional>
#include <string_view>
#include <utility>
#include <vector>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif
#if defined(__x86_64__)
#include <immintrin.h>
#endif

#include "text_internal.hpp"
#include "tinhop/parsers/charset.hpp"

namespace tinhop {
namespace {

struct NamedEntity {
  std::string_view name;
  std::string_view value;
};

constexpr NamedEntity named_entities[] = {
#include "html_entities.inc"
};

// The legacy names HTML5 still decodes without a ';' (in text, not before '=' or alnum).
constexpr std::array<std::string_view, 12> legacy_names = {"amp", "lt",  "gt", "quot", "nbsp", "copy",
                                                           "reg", "AMP", "LT", "GT",   "QUOT", "COPY"};

const NamedEntity* find_entity(std::string_view name) {
  const auto* end = std::end(named_entities);
  const auto* it = std::lower_bound(std::begin(named_entities), end, name,
                                    [](const NamedEntity& e, std::string_view n) { return e.name < n; });
  return it != end && it->name == name ? it : nullptr;
}

bool is_alnum(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

bool is_hex(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

// The reference starting at text[0] == '&': its length and replacement, or 0.
std::size_t match_reference(std::string_view text, std::string& out) {
  if (text.size() < 3) return 0;
  if (text[1] == '#') {
    const bool hex = text.size() > 2 && (text[2] == 'x' || text[2] == 'X');
    std::size_t i = hex ? 3 : 2;
    const std::size_t digits_start = i;
    std::uint32_t code = 0;
    while (i < text.size() && (hex ? is_hex(text[i]) : (text[i] >= '0' && text[i] <= '9'))) {
      const char c = text[i];
      const std::uint32_t digit = c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10;
      code = std::min<std::uint32_t>(code * (hex ? 16 : 10) + digit, 0x110000);
      ++i;
    }
    if (i == digits_start) return 0;
    if (i < text.size() && text[i] == ';') ++i;
    append_code_point(out, windows_1252_fixup(code));
    return i;
  }
  std::size_t i = 1;
  while (i < text.size() && i < 40 && is_alnum(text[i])) ++i;
  if (i == 1) return 0;
  const std::string_view name = text.substr(1, i - 1);
  if (i < text.size() && text[i] == ';') {
    // XML's five, most of all references in escaped HTML, before the table's search.
    static constexpr std::array<std::pair<std::string_view, char>, 5> xml_names = {
        {{"lt", '<'}, {"gt", '>'}, {"amp", '&'}, {"quot", '"'}, {"apos", '\''}}};
    for (const auto& [xml_name, character] : xml_names) {
      if (name == xml_name) {
        out.push_back(character);
        return i + 1;
      }
    }
    if (const NamedEntity* entity = find_entity(name)) {
      out.append(entity->value);
      return i + 1;
    }
    return 0;
  }
  for (std::string_view legacy : legacy_names) {
    if (name == legacy) {
      out.append(find_entity(legacy)->value);
      return i;
    }
  }
  return 0;
}

const icu::Normalizer2& nfc_normalizer() {
  UErrorCode status = U_ZERO_ERROR;
  const icu::Normalizer2* normalizer = icu::Normalizer2::getNFCInstance(status);
  // The NFC data is built into libicudata; its absence is a broken installation.
  if (U_FAILURE(status) || normalizer == nullptr) std::abort();
  return *normalizer;
}

// Length of the white-space character at text[i], 0 when there is none.
std::size_t space_at(std::string_view text, std::size_t i) {
  const auto c = static_cast<unsigned char>(text[i]);
  if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v') return 1;
  if (c != 0xC2 && c != 0xE2 && c != 0xE3) return 0;  // the lead bytes of every Unicode space below
  if (i + 1 >= text.size()) return 0;
  const auto second = static_cast<unsigned char>(text[i + 1]);
  if (c == 0xC2) return second == 0xA0 || second == 0x85 ? 2 : 0;  // U+00A0, U+0085
  if (i + 2 >= text.size()) return 0;
  const auto third = static_cast<unsigned char>(text[i + 2]);
  if (c == 0xE3) return second == 0x80 && third == 0x80 ? 3 : 0;  // U+3000
  if (second == 0x80) {
    // U+2000-U+200A, U+2028, U+2029, U+202F
    return third <= 0x8A || third == 0xA8 || third == 0xA9 || third == 0xAF ? 3 : 0;
  }
  return second == 0x81 && third == 0x9F ? 3 : 0;  // U+205F
}

// One bit per BMP code point: set when it is NFC_Quick_Check=Yes with combining class 0,
// so that a text made only of such characters is NFC whatever their order. Built once from
// ICU's data; immutable afterwards.
using SafeTable = std::array<std::uint64_t, 1024>;

const SafeTable& nfc_safe_table() {
  static const SafeTable table = [] {
    SafeTable bits{};
    for (UChar32 c = 0; c < 0x10000; ++c) {
      if (u_getIntPropertyValue(c, UCHAR_NFC_QUICK_CHECK) == UNORM_YES && u_getCombiningClass(c) == 0) {
        bits[static_cast<std::size_t>(c) >> 6U] |= std::uint64_t{1} << (static_cast<unsigned>(c) & 63U);
      }
    }
    return bits;
  }();
  return table;
}

// Latin text with combining marks (NFD feeds, windows-1258's tone marks) composed without
// ICU's general machinery, from tables ICU fills once: the canonical decomposition of
// every Latin letter, the combining class of every mark in U+0300-U+036F, and the
// primary composites of a Latin letter with such a mark. Same result as ICU's NFC for the
// text it accepts; it refuses (and ICU decides) anything outside those ranges.
class LatinComposer {
 public:
  // NFC of `text` into `out`; false when the text holds a character the tables do not cover.
  bool compose(std::string_view text, std::string& out) const;

  static const LatinComposer& instance() {
    static const LatinComposer composer;
    return composer;
  }

 private:
  static constexpr char32_t first_mark = 0x300;
  static constexpr char32_t mark_count = 0x70;
  static constexpr std::size_t max_cluster = 8;  // longer runs of marks (rare) go to ICU

  struct Decomposition {
    char32_t base = 0;
    std::uint8_t marks = 0;  // how many of `mark` hold marks; unsupported when > 3
    std::array<char32_t, 3> mark{};
  };
  struct Composite {
    std::uint8_t mark;  // offset from first_mark
    char32_t composite;
  };

  LatinComposer();

  // Index into the per-letter tables: U+0000-U+024F, then U+1E00-U+1EFF; -1 elsewhere.
  static int letter_index(char32_t c) {
    if (c < 0x250) return static_cast<int>(c);
    if (c >= 0x1E00 && c < 0x1F00) return static_cast<int>(c - 0x1E00 + 0x250);
    return -1;
  }
  static bool is_mark(char32_t c) { return c >= first_mark && c < first_mark + mark_count; }
  // The composite of `base` and `mark`, 0 when none, U+FFFF when the tables cannot tell.
  char32_t composite(char32_t base, char32_t mark) const;

  static constexpr std::size_t letters = 0x250 + 0x100;
  std::array<Decomposition, letters> decompositions_{};
  std::array<std::uint16_t, letters + 1> composites_from_{};  // index into composites_
  std::vector<Composite> composites_;
  std::array<std::uint8_t, mark_count> combining_class_{};  // 0: not a mark handled here
};

LatinComposer::LatinComposer() {
  UErrorCode status = U_ZERO_ERROR;
  const icu::Normalizer2* nfd = icu::Normalizer2::getNFDInstance(status);
  const icu::Normalizer2& nfc = nfc_normalizer();
  if (U_FAILURE(status) || nfd == nullptr) std::abort();
  for (char32_t mark = first_mark; mark < first_mark + mark_count; ++mark) {
    // Marks that are not NFC themselves (U+0340, U+0341, U+0343, U+0344) are left to ICU.
    if (u_getIntPropertyValue(static_cast<UChar32>(mark), UCHAR_NFC_QUICK_CHECK) != UNORM_NO)
      combining_class_[mark - first_mark] = u_getCombiningClass(static_cast<UChar32>(mark));
  }
  for (const auto& [from, to] : {std::pair<char32_t, char32_t>{0, 0x250}, {0x1E00, 0x1F00}}) {
    for (char32_t c = from; c < to; ++c) {
      const auto index = static_cast<std::size_t>(letter_index(c));
      composites_from_[index] = static_cast<std::uint16_t>(composites_.size());
      icu::UnicodeString parts;
      Decomposition& d = decompositions_[index];
      d.base = c;
      if (nfd->getDecomposition(static_cast<UChar32>(c), parts)) {
        d.base = static_cast<char32_t>(parts.char32At(0));
        d.marks = 0;
        for (int32_t at = parts.moveIndex32(0, 1); at < parts.length(); at = parts.moveIndex32(at, 1)) {
          const auto mark = static_cast<char32_t>(parts.char32At(at));
          if (d.marks == 3 || !is_mark(mark) || combining_class_[mark - first_mark] == 0) {
            d.marks = 4;
            break;
          }
          d.mark[d.marks++] = mark;
        }
        if (letter_index(d.base) < 0) d.marks = 4;
      }
      for (char32_t mark = first_mark; mark < first_mark + mark_count; ++mark) {
        if (combining_class_[mark - first_mark] == 0) continue;
        const UChar32 made = nfc.composePair(static_cast<UChar32>(c), static_cast<UChar32>(mark));
        if (made < 0) continue;
        // A composite the tables cannot go on from is marked so: ICU decides such text.
        const char32_t stored =
            letter_index(static_cast<char32_t>(made)) < 0 ? 0xFFFF : static_cast<char32_t>(made);
        composites_.push_back({static_cast<std::uint8_t>(mark - first_mark), stored});
      }
    }
  }
  composites_from_[letters] = static_cast<std::uint16_t>(composites_.size());
}

char32_t LatinComposer::composite(char32_t base, char32_t mark) const {
  const int index = letter_index(base);
  if (index < 0) return 0xFFFF;
  const auto begin = composites_.begin() + composites_from_[static_cast<std::size_t>(index)];
  const auto end = composites_.begin() + composites_from_[static_cast<std::size_t>(index) + 1];
  for (auto it = begin; it != end; ++it) {
    if (it->mark == mark - first_mark) return it->composite;
  }
  return 0;
}

namespace {

// The composed bytes of the clusters (a starter and the marks after it, up to 8 bytes) a
// thread composed lately. Decomposed Vietnamese text repeats a few hundred clusters, and
// composing one takes a decomposition, a sort and a table search per mark; the cache
// holds what that gave for the same bytes, so its answer is the same.
class ClusterCache {
 public:
  std::optional<std::string_view> find(std::string_view cluster) const {
    if (cluster.size() > sizeof(std::uint64_t)) return std::nullopt;
    const std::uint64_t key = key_of(cluster);
    const Entry& entry = entries_[slot_of(key)];
    if (entry.key_length != cluster.size() || entry.key != key) return std::nullopt;
    return std::string_view(entry.composed.data(), entry.composed_length);
  }

  void store(std::string_view cluster, std::string_view composed) {
    if (cluster.size() > sizeof(std::uint64_t) || composed.size() > Entry{}.composed.size()) return;
    const std::uint64_t key = key_of(cluster);
    Entry& entry = entries_[slot_of(key)];
    entry.key = key;
    entry.key_length = static_cast<std::uint8_t>(cluster.size());
    entry.composed_length = static_cast<std::uint8_t>(composed.size());
    std::memcpy(entry.composed.data(), composed.data(), composed.size());
  }

 private:
  struct Entry {
    std::uint64_t key = 0;
    std::uint8_t key_length = 0;  // 0: empty (a cluster has at least one mark's 2 bytes)
    std::uint8_t composed_length = 0;
    std::array<char, 22> composed{};
  };
  static constexpr unsigned slot_bits = 10;

  static std::uint64_t key_of(std::string_view cluster) {
    std::uint64_t key = 0;
    std::memcpy(&key, cluster.data(), cluster.size());
    return key;
  }
  static std::size_t slot_of(std::uint64_t key) {
    return static_cast<std::size_t>((key * 0x9E3779B97F4A7C15ULL) >> (64U - slot_bits));
  }

  std::array<Entry, std::size_t{1} << slot_bits> entries_{};
};

ClusterCache& cluster_cache() {
  thread_local ClusterCache cache;
  return cache;
}

}  // namespace

bool LatinComposer::compose(std::string_view text, std::string& out) const {
  const SafeTable& safe = nfc_safe_table();
  out.clear();
  out.reserve(text.size());
  const auto* p = reinterpret_cast<const unsigned char*>(text.data());
  const auto* const end = p + text.size();
  const unsigned char* copied = p;         // text before it is in `out`, composed
  const unsigned char* starter = nullptr;  // the last starter read, when marks may follow it
  const unsigned char* marks_begin = nullptr;
  std::array<char32_t, max_cluster + 3> marks{};
  std::size_t mark_total = 0;
  // Every character here is a BMP scalar value already read from valid UTF-8 (U+0000 too).
  const auto append = [&out](char32_t c) {
    std::array<char, 3> bytes{};
    std::size_t length = 1;
    if (c < 0x80) {
      bytes[0] = static_cast<char>(c);
    } else if (c < 0x800) {
      bytes = {static_cast<char>(0xC0U | (c >> 6U)), static_cast<char>(0x80U | (c & 0x3FU))};
      length = 2;
    } else {
      bytes = {static_cast<char>(0xE0U | (c >> 12U)), static_cast<char>(0x80U | ((c >> 6U) & 0x3FU)),
               static_cast<char>(0x80U | (c & 0x3FU))};
      length = 3;
    }
    out.append(bytes.data(), length);
  };
  const auto decode = [](const unsigned char* at) -> char32_t {
    if (*at < 0x80) return *at;
    if (*at < 0xE0) return ((*at & 0x1FU) << 6U) | (at[1] & 0x3FU);
    return ((*at & 0x0FU) << 12U) | ((at[1] & 0x3FU) << 6U) | (at[2] & 0x3FU);
  };
  // Writes the starter and the marks read after it, composed, in place of their bytes,
  // which end at `cluster_end`.
  ClusterCache& cache = cluster_cache();
  const auto compose_cluster = [&](const unsigned char* cluster_end) -> bool {
    const unsigned char* cluster_begin = starter != nullptr ? starter : marks_begin;
    out.append(reinterpret_cast<const char*>(copied), static_cast<std::size_t>(cluster_begin - copied));
    const std::string_view cluster(reinterpret_cast<const char*>(cluster_begin),
                                   static_cast<std::size_t>(cluster_end - cluster_begin));
    const std::size_t cluster_marks = mark_total;
    copied = cluster_end;
    mark_total = 0;
    if (const auto known = cache.find(cluster)) {
      out.append(*known);
      return true;
    }
    const std::size_t composed_from = out.size();
    std::array<char32_t, max_cluster + 3> all{};
    std::size_t count = 0;
    char32_t current = 0;
    if (starter != nullptr) {
      const int index = letter_index(decode(starter));
      if (index < 0) return false;  // a mark on a letter of another script: ICU knows it
      const Decomposition& d = decompositions_[static_cast<std::size_t>(index)];
      if (d.marks > 3) return false;
      current = d.base;
      for (std::size_t i = 0; i < d.marks; ++i) all[count++] = d.mark[i];
    }
    for (std::size_t i = 0; i < cluster_marks; ++i) all[count++] = marks[i];
    // Canonical order: a stable sort by combining class.
    const auto ccc = [&](char32_t mark) { return combining_class_[mark - first_mark]; };
    for (std::size_t i = 1; i < count; ++i) {
      for (std::size_t j = i; j > 0 && ccc(all[j - 1]) > ccc(all[j]); --j) std::swap(all[j - 1], all[j]);
    }
    // Canonical composition: a mark joins the letter unless a kept mark of the same or a
    // higher class stands between them (kept marks are in class order: the last is highest).
    std::size_t kept = 0;
    for (std::size_t i = 0; i < count; ++i) {
      const char32_t mark = all[i];
      if (starter != nullptr && (kept == 0 || ccc(all[kept - 1]) < ccc(mark))) {
        const char32_t made = composite(current, mark);
        if (made == 0xFFFF) return false;
        if (made != 0) {
          current = made;
          continue;
        }
      }
      all[kept++] = mark;
    }
    if (starter != nullptr) append(current);
    for (std::size_t i = 0; i < kept; ++i) append(all[i]);
    cache.store(cluster, std::string_view(out).substr(composed_from));
    return true;
  };
  while (p < end) {
    if (*p < 0x80) {
      if (mark_total != 0 && !compose_cluster(p)) return false;
      // ASCII runs a word at a time; the run's last character may take marks.
      while (end - p >= 8) {
        std::uint64_t word = 0;
        std::memcpy(&word, p, 8);
        const std::uint64_t high = word & 0x8080808080808080ULL;
        if (high != 0) {
          p += static_cast<unsigned>(__builtin_ctzll(high)) >> 3U;
          break;
        }
        p += 8;
      }
      while (p < end && *p < 0x80) ++p;
      starter = p - 1;
      continue;
    }
    if (*p >= 0xF0) return false;  // supplementary planes: ICU
    const unsigned length = *p < 0xE0 ? 2 : 3;
    const char32_t c = decode(p);
    if (is_mark(c)) {
      if (combining_class_[c - first_mark] == 0 || mark_total == max_cluster) return false;
      if (mark_total == 0) marks_begin = p;
      marks[mark_total++] = c;
      p += length;
      continue;
    }
    if ((safe[c >> 6U] & (std::uint64_t{1} << (c & 63U))) == 0) return false;
    if (mark_total != 0 && !compose_cluster(p)) return false;
    starter = p;
    p += length;
  }
  if (mark_total != 0 && !compose_cluster(end)) return false;
  out.append(reinterpret_cast<const char*>(copied), static_cast<std::size_t>(end - copied));
  return true;
}

#if defined(__SSE2__)
// Proves 16-byte blocks from `p` (a character boundary) while they hold only characters
// both well-formed and, with KeepNfc, NFC in any order: ASCII, U+0080-U+02FF (lead bytes
// C2-CB) and U+1E00-U+1EFF (E1 B8-BB), every character of Vietnamese text. Without
// KeepNfc (once a text is known to need ICU) any two-byte character and the three-byte
// ones whose lead byte puts no bound on the next (E1-EC, EE-EF) pass too, so decomposed
// text is still read 16 bytes at a time. The lead bytes of one block are carried into
// the next, so no block waits for the one before it to be decided. Returns where proof
// stopped, a character boundary: the caller reads on from there one character at a time.
template <bool KeepNfc>
const unsigned char* skip_blocks(const unsigned char* p, const unsigned char* end) {
  // Signed comparisons: 0x80-0xBF are -128..-65, 0xC2 is -62, 0xCB -53, 0xDF -33, 0xE1 -31,
  // 0xED -19, 0xEF -17.
  __m128i lead2_before = _mm_setzero_si128();
  __m128i lead3_before = _mm_setzero_si128();
  while (end - p >= 16) {
    const __m128i bytes = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
    const __m128i ascii = _mm_cmpgt_epi8(bytes, _mm_set1_epi8(-1));
    const __m128i continuation = _mm_cmplt_epi8(bytes, _mm_set1_epi8(-64));
    const __m128i lead2 = _mm_and_si128(_mm_cmpgt_epi8(bytes, _mm_set1_epi8(-63)),
                                        _mm_cmplt_epi8(bytes, _mm_set1_epi8(KeepNfc ? -52 : -32)));
    const __m128i lead3 =
        KeepNfc ? _mm_cmpeq_epi8(bytes, _mm_set1_epi8(static_cast<char>(0xE1)))
                : _mm_andnot_si128(_mm_cmpeq_epi8(bytes, _mm_set1_epi8(static_cast<char>(0xED))),
                                   _mm_and_si128(_mm_cmpgt_epi8(bytes, _mm_set1_epi8(-32)),
                                                 _mm_cmplt_epi8(bytes, _mm_set1_epi8(-16))));
    const __m128i allowed = _mm_or_si128(_mm_or_si128(ascii, continuation), _mm_or_si128(lead2, lead3));
    if (_mm_movemask_epi8(allowed) != 0xFFFF) break;
    // Each continuation byte must be exactly where a lead byte before it asks for one.
    const __m128i after_lead3 = _mm_or_si128(_mm_slli_si128(lead3, 1), _mm_srli_si128(lead3_before, 15));
    const __m128i expected = _mm_or_si128(
        _mm_or_si128(_mm_slli_si128(lead2, 1), _mm_srli_si128(lead2_before, 15)),
        _mm_or_si128(after_lead3, _mm_or_si128(_mm_slli_si128(lead3, 2), _mm_srli_si128(lead3_before, 14))));
    if (_mm_movemask_epi8(continuation) != _mm_movemask_epi8(expected)) break;
    if constexpr (KeepNfc) {
      const __m128i second_b8_bb =
          _mm_and_si128(_mm_cmpgt_epi8(bytes, _mm_set1_epi8(-73)), _mm_cmplt_epi8(bytes, _mm_set1_epi8(-68)));
      if ((_mm_movemask_epi8(after_lead3) & ~_mm_movemask_epi8(second_b8_bb)) != 0) break;
    }
    lead2_before = lead2;
    lead3_before = lead3;
    p += 16;
  }
  // A character the last proved block opened is not proved whole: step back to its lead.
  const int open2 = _mm_movemask_epi8(lead2_before);
  const int open3 = _mm_movemask_epi8(lead3_before);
  if ((open3 & 0x4000) != 0) return p - 2;
  if (((open2 | open3) & 0x8000) != 0) return p - 1;
  return p;
}
#endif

#if defined(__x86_64__)
// The blocks of skip_blocks, 32 bytes at a time, for processors with AVX2 (chosen at run
// time: the build's baseline is SSE2). Its lanes are 16 bytes, so the lead bytes are moved
// into the next byte across them with alignr over the lane pair that straddles them.
template <int Bytes>
__attribute__((target("avx2"))) __m256i shift_in(__m256i now, __m256i before) {
  return _mm256_alignr_epi8(now, _mm256_permute2x128_si256(before, now, 0x21), 16 - Bytes);
}

template <bool KeepNfc>
__attribute__((target("avx2"))) const unsigned char* skip_blocks_avx2(const unsigned char* p,
                                                                      const unsigned char* end) {
  __m256i lead2_before = _mm256_setzero_si256();
  __m256i lead3_before = _mm256_setzero_si256();
  while (end - p >= 32) {
    const __m256i bytes = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p));
    const __m256i ascii = _mm256_cmpgt_epi8(bytes, _mm256_set1_epi8(-1));
    const __m256i continuation = _mm256_cmpgt_epi8(_mm256_set1_epi8(-64), bytes);
    const __m256i lead2 = _mm256_and_si256(_mm256_cmpgt_epi8(bytes, _mm256_set1_epi8(-63)),
                                           _mm256_cmpgt_epi8(_mm256_set1_epi8(KeepNfc ? -52 : -32), bytes));
    const __m256i lead3 =
        KeepNfc ? _mm256_cmpeq_epi8(bytes, _mm256_set1_epi8(static_cast<char>(0xE1)))
                : _mm256_andnot_si256(_mm256_cmpeq_epi8(bytes, _mm256_set1_epi8(static_cast<char>(0xED))),
                                      _mm256_and_si256(_mm256_cmpgt_epi8(bytes, _mm256_set1_epi8(-32)),
                                                       _mm256_cmpgt_epi8(_mm256_set1_epi8(-16), bytes)));
    const __m256i allowed =
        _mm256_or_si256(_mm256_or_si256(ascii, continuation), _mm256_or_si256(lead2, lead3));
    if (_mm256_movemask_epi8(allowed) != -1) break;
    const __m256i after_lead3 = shift_in<1>(lead3, lead3_before);
    const __m256i expected = _mm256_or_si256(_mm256_or_si256(shift_in<1>(lead2, lead2_before), after_lead3),
                                             shift_in<2>(lead3, lead3_before));
    if (_mm256_movemask_epi8(continuation) != _mm256_movemask_epi8(expected)) break;
    if constexpr (KeepNfc) {
      const __m256i second_b8_bb = _mm256_and_si256(_mm256_cmpgt_epi8(bytes, _mm256_set1_epi8(-73)),
                                                    _mm256_cmpgt_epi8(_mm256_set1_epi8(-68), bytes));
      if ((_mm256_movemask_epi8(after_lead3) & ~_mm256_movemask_epi8(second_b8_bb)) != 0) break;
    }
    lead2_before = lead2;
    lead3_before = lead3;
    p += 32;
  }
  const auto open2 = static_cast<unsigned>(_mm256_movemask_epi8(lead2_before));
  const auto open3 = static_cast<unsigned>(_mm256_movemask_epi8(lead3_before));
  if ((open3 & 0x40000000U) != 0) return p - 2;
  if (((open2 | open3) & 0x80000000U) != 0) return p - 1;
  return p;
}
#endif

#if defined(__SSE2__)
// The longest run of proved blocks from `p`: AVX2's 32 bytes at a time where the processor
// has it, then SSE2's 16 for what is left (a shorter tail, or the first half of a refused
// block).
template <bool KeepNfc>
const unsigned char* prove_blocks(const unsigned char* p, const unsigned char* end) {
#if defined(__x86_64__)
  static const bool avx2 = __builtin_cpu_supports("avx2") != 0;
  if (avx2) p = skip_blocks_avx2<KeepNfc>(p, end);
#endif
  return skip_blocks<KeepNfc>(p, end);
}
#endif

}  // namespace

Utf8Scan scan_utf8(std::string_view text) {
  const SafeTable& safe = nfc_safe_table();
  Utf8Scan scan;
  const auto* p = reinterpret_cast<const unsigned char*>(text.data());
  const auto* const end = p + text.size();
#if defined(__SSE2__)
  const unsigned char* scalar_until = p;  // after a refused block, its characters one by one
#endif
  while (p < end) {
#if defined(__SSE2__)
    if (p >= scalar_until && end - p >= 16) {
      const unsigned char* proved = scan.nfc ? prove_blocks<true>(p, end) : prove_blocks<false>(p, end);
      if (proved != p) {
        p = proved;
        continue;
      }
      scalar_until = p + 16;
    }
#endif
    // ASCII (markup, and the spaces and digits between letters) is skipped a word at a
    // time, landing directly on the next multi-byte sequence.
    if (end - p >= 8) {
      std::uint64_t word = 0;
      std::memcpy(&word, p, 8);
      const std::uint64_t high = word & 0x8080808080808080ULL;
      if (high == 0) {
        p += 8;
        continue;
      }
      p += static_cast<unsigned>(__builtin_ctzll(high)) >> 3U;
    } else if (*p < 0x80) {
      ++p;
      continue;
    }
    const unsigned c = *p;
    const std::ptrdiff_t left = end - p;
    if (c < 0xE0) {
      if (c < 0xC2 || left < 2 || (p[1] & 0xC0U) != 0x80U) return {false, false};
      // U+0080-U+02FF are all precomposed or spacing (lead bytes C2-CB): no table needed.
      if (c >= 0xCC) {
        const std::uint32_t code = ((c & 0x1FU) << 6U) | (p[1] & 0x3FU);
        scan.nfc = scan.nfc && (safe[code >> 6U] & (std::uint64_t{1} << (code & 63U))) != 0;
      }
      p += 2;
    } else if (c < 0xF0) {
      if (left < 3 || (p[1] & 0xC0U) != 0x80U || (p[2] & 0xC0U) != 0x80U) return {false, false};
      if ((c == 0xE0 && p[1] < 0xA0) || (c == 0xED && p[1] > 0x9F)) return {false, false};
      // U+1E00-U+1EFF (Vietnamese precomposed letters, lead E1 B8-BB) are all safe.
      if (c != 0xE1 || p[1] < 0xB8 || p[1] > 0xBB) {
        const std::uint32_t code = ((c & 0x0FU) << 12U) | ((p[1] & 0x3FU) << 6U) | (p[2] & 0x3FU);
        scan.nfc = scan.nfc && (safe[code >> 6U] & (std::uint64_t{1} << (code & 63U))) != 0;
      }
      p += 3;
    } else {
      if (c > 0xF4 || left < 4 || (p[1] & 0xC0U) != 0x80U || (p[2] & 0xC0U) != 0x80U ||
          (p[3] & 0xC0U) != 0x80U) {
        return {false, false};
      }
      if ((c == 0xF0 && p[1] < 0x90) || (c == 0xF4 && p[1] > 0x8F)) return {false, false};
      scan.nfc = false;  // supplementary planes: rare, left to ICU
      p += 4;
    }
  }
  return scan;
}

bool is_ascii(std::string_view bytes) {
  std::size_t at = 0;
  for (; at + 8 <= bytes.size(); at += 8) {
    std::uint64_t word = 0;
    std::memcpy(&word, bytes.data() + at, 8);
    if ((word & 0x8080808080808080ULL) != 0) return false;
  }
  for (; at < bytes.size(); ++at) {
    if (static_cast<unsigned char>(bytes[at]) >= 0x80) return false;
  }
  return true;
}

void append_code_point(std::string& out, std::uint32_t code) {
  if (code == 0 || code > 0x10FFFF || (code >= 0xD800 && code <= 0xDFFF)) code = 0xFFFD;
  if (code < 0x80) {
    out.push_back(static_cast<char>(code));
  } else if (code < 0x800) {
    out.push_back(static_cast<char>(0xC0 | (code >> 6)));
    out.push_back(static_cast<char>(0x80 | (code & 0x3F)));
  } else if (code < 0x10000) {
    out.push_back(static_cast<char>(0xE0 | (code >> 12)));
    out.push_back(static_cast<char>(0x80 | ((code >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (code & 0x3F)));
  } else {
    out.push_back(static_cast<char>(0xF0 | (code >> 18)));
    out.push_back(static_cast<char>(0x80 | ((code >> 12) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | ((code >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (code & 0x3F)));
  }
}

std::uint32_t windows_1252_fixup(std::uint32_t code) {
  // HTML5: references to C1 controls mean the windows-1252 character at that byte.
  static constexpr std::array<std::uint16_t, 32> c1 = {
      0x20AC, 0x81,   0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160,
      0x2039, 0x0152, 0x8D,   0x017D, 0x8F,   0x90,   0x2018, 0x2019, 0x201C, 0x201D, 0x2022,
      0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0x9D,   0x017E, 0x0178};
  return code >= 0x80 && code <= 0x9F ? c1[code - 0x80] : code;
}

std::string to_nfc(std::string_view utf8) {
  if (!scan_utf8(utf8).valid) {
    // Through UTF-16, which replaces ill-formed sequences with U+FFFD.
    UErrorCode status = U_ZERO_ERROR;
    const icu::UnicodeString wide =
        icu::UnicodeString::fromUTF8(icu::StringPiece(utf8.data(), static_cast<int32_t>(utf8.size())));
    std::string out;
    nfc_normalizer().normalize(wide, status).toUTF8String(out);
    return out;
  }
  std::string out(utf8);
  nfc_in_place(out);
  return out;
}

bool nfc_in_place(std::string& utf8) {
  const Utf8Scan scan = scan_utf8(utf8);
  if (!scan.valid) {
    utf8 = to_nfc(utf8);
    return false;
  }
  if (scan.nfc) return true;
  if (std::string composed; LatinComposer::instance().compose(utf8, composed)) {
    utf8.swap(composed);
    return true;
  }
  const icu::Normalizer2& normalizer = nfc_normalizer();
  UErrorCode status = U_ZERO_ERROR;
  const icu::StringPiece piece(utf8.data(), static_cast<int32_t>(utf8.size()));
  if (normalizer.isNormalizedUTF8(piece, status) && U_SUCCESS(status)) return true;
  status = U_ZERO_ERROR;
  std::string out;
  icu::StringByteSink<std::string> sink(&out, static_cast<int32_t>(utf8.size()));
  normalizer.normalizeUTF8(0, piece, sink, nullptr, status);
  if (U_SUCCESS(status)) utf8.swap(out);
  return true;
}

std::string decode_entities(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  std::size_t done = 0;
  for (std::size_t amp = text.find('&'); amp != std::string_view::npos; amp = text.find('&', amp + 1)) {
    out.append(text.substr(done, amp - done));
    const std::size_t used = match_reference(text.substr(amp), out);
    if (used == 0) {
      out.push_back('&');
      done = amp + 1;
    } else {
      done = amp + used;
      amp = done - 1;
    }
  }
  out.append(text.substr(done));
  return out;
}

bool has_entities(std::string_view text) {
  std::string scratch;
  for (std::size_t amp = text.find('&'); amp != std::string_view::npos; amp = text.find('&', amp + 1)) {
    if (match_reference(text.substr(amp), scratch) != 0) return true;
  }
  return false;
}

namespace {

// Line breaks and ASCII white space are layout; U+00A0, U+202F, U+2009 and the like were
// typed on purpose ("10\u00A0km") and are text.
bool is_layout_space(std::string_view space) {
  return space.size() == 1 || space == "\u0085" || space == "\u2028" || space == "\u2029";
}

// Each stretch of layout space becomes one ' ' and each stretch of typed spaces its first
// character: "X\u00A0\u00A0 \n Y" gives "X\u00A0 Y".
void append_collapsed_run(std::string& out, std::string_view run) {
  std::optional<bool> previous_layout;
  for (std::size_t k = 0; k < run.size();) {
    const std::size_t width = space_at(run, k);
    if (width == 0) {  // a control character inside the run, dropped
      ++k;
      continue;
    }
    const std::string_view space = run.substr(k, width);
    const bool layout = is_layout_space(space);
    if (previous_layout != layout) {
      if (layout) {
        out.push_back(' ');
      } else {
        out.append(space);
      }
    }
    previous_layout = layout;
    k += space.size();
  }
}

// Bytes that can neither start a white-space character nor be a control.
bool plain_byte(unsigned char c) {
  return c > 0x20 && c != 0x7F && c != 0xC2 && c != 0xE2 && c != 0xE3;
}

// True when collapsing would change nothing: no white space but single ' ' between other
// characters, no controls. Most titles are like that.
bool collapsed_at(std::string_view text, std::size_t i) {
  const auto c = static_cast<unsigned char>(text[i]);
  if (plain_byte(c)) return true;
  if (c == ' ' && text[i + 1] != ' ') return true;  // not the last byte: that is no ' '
  return c >= 0xC2 && space_at(text, i) == 0;
}

bool already_collapsed(std::string_view text) {
  if (text.empty()) return true;
  if (text.front() == ' ' || text.back() == ' ') return false;
  std::size_t i = 0;
#if defined(__SSE2__)
  // Sixteen bytes at a time (and the one after them, for two spaces in a row): only the
  // bytes that are not plain, or a space before a space, are looked at one by one.
  for (; i + 17 <= text.size(); i += 16) {
    const auto* p = reinterpret_cast<const __m128i*>(text.data() + i);
    const __m128i bytes = _mm_loadu_si128(p);
    const __m128i next = _mm_loadu_si128(reinterpret_cast<const __m128i*>(text.data() + i + 1));
    const __m128i space = _mm_cmpeq_epi8(bytes, _mm_set1_epi8(' '));
    const __m128i up_to_space = _mm_cmpeq_epi8(_mm_min_epu8(bytes, _mm_set1_epi8(0x20)), bytes);
    const __m128i lead =
        _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(bytes, _mm_set1_epi8(static_cast<char>(0xC2))),
                                  _mm_cmpeq_epi8(bytes, _mm_set1_epi8(static_cast<char>(0xE2)))),
                     _mm_or_si128(_mm_cmpeq_epi8(bytes, _mm_set1_epi8(static_cast<char>(0xE3))),
                                  _mm_cmpeq_epi8(bytes, _mm_set1_epi8(0x7F))));
    const __m128i look = _mm_or_si128(_mm_or_si128(_mm_andnot_si128(space, up_to_space), lead),
                                      _mm_and_si128(space, _mm_cmpeq_epi8(next, _mm_set1_epi8(' '))));
    for (auto mask = static_cast<unsigned>(_mm_movemask_epi8(look)); mask != 0; mask &= mask - 1) {
      if (!collapsed_at(text, i + static_cast<std::size_t>(std::countr_zero(mask)))) return false;
    }
  }
#endif
  for (; i < text.size(); ++i) {
    if (!collapsed_at(text, i)) return false;
  }
  return true;
}

}  // namespace

std::string collapse_whitespace(std::string_view text) {
  if (already_collapsed(text)) return std::string(text);
  std::string out;
  out.reserve(text.size());
  std::size_t run_start = 0;
  std::size_t run_length = 0;  // white-space characters since the last text
  std::size_t i = 0;
  while (i < text.size()) {
    if (const std::size_t width = space_at(text, i); width != 0) {
      if (run_length++ == 0) run_start = i;
      i += width;
      continue;
    }
    const auto c = static_cast<unsigned char>(text[i]);
    // C0 controls other than white space are not text (XML forbids them anyway).
    if (c < 0x20 || c == 0x7F) {
      ++i;
      continue;
    }
    if (run_length == 1 && text[run_start] == ' ' && !out.empty()) {
      out.push_back(' ');  // the space between two words, by far the most common run
    } else if (run_length != 0 && !out.empty()) {
      append_collapsed_run(out, text.substr(run_start, i - run_start));
    }
    run_length = 0;
    std::size_t end = i + 1;
    while (end < text.size() && plain_byte(static_cast<unsigned char>(text[end]))) ++end;  // copied in runs
    out.append(text.substr(i, end - i));
    i = end;
  }
  return out;
}

std::string strip_html_to_text(std::string_view html) {
  std::string text;
  text.reserve(html.size());
  std::size_t i = 0;
  while (i < html.size()) {
    const std::size_t lt = html.find('<', i);
    text.append(html.substr(i, lt == std::string_view::npos ? std::string_view::npos : lt - i));
    if (lt == std::string_view::npos) break;
    const std::string_view rest = html.substr(lt);
    const bool tag_like = rest.size() > 1 && (std::isalpha(static_cast<unsigned char>(rest[1])) != 0 ||
                                              rest[1] == '/' || rest[1] == '!' || rest[1] == '?');
    if (!tag_like) {
      text.push_back('<');
      i = lt + 1;
      continue;
    }
    if (rest.starts_with("<!--")) {
      const std::size_t close = html.find("-->", lt + 4);
      i = close == std::string_view::npos ? html.size() : close + 3;
      continue;
    }
    // As the HTML5 tokenizer reads a tag: a quote opens a value only right after '=' (white
    // space between allowed); a stray one elsewhere (href="/x"y">) is part of a name.
    std::size_t gt = lt + 1;
    for (char quote = 0, last = 0; gt < html.size(); ++gt) {
      const char c = html[gt];
      if (quote != 0) {
        if (c == quote) quote = 0;
      } else if ((c == '"' || c == '\'') && last == '=') {
        quote = c;
      } else if (c == '>') {
        break;
      }
      if (quote == 0 && c != ' ' && c != '\t' && c != '\n' && c != '\r') last = c;
    }
    if (gt >= html.size()) break;  // a cut-off tag: drop the rest
    const std::string_view tag = html.substr(lt + 1, gt - lt - 1);
    i = gt + 1;
    std::string name;
    for (char c : tag.substr(tag.starts_with('/') ? 1 : 0)) {
      if (!is_alnum(c)) break;
      name.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
    }
    if (!tag.starts_with('/') && (name == "script" || name == "style")) {
      const std::size_t close = html.find("</", i);
      i = close == std::string_view::npos ? html.size() : close;
      continue;
    }
    static constexpr std::array<std::string_view, 14> blocks = {"br", "p",  "div", "li", "tr", "td", "h1",
                                                                "h2", "h3", "h4",  "h5", "h6", "ul", "ol"};
    if (std::find(blocks.begin(), blocks.end(), name) != blocks.end()) text.push_back(' ');
  }
  return collapse_whitespace(decode_entities(text));
}

bool truncate_text(std::string& text, std::size_t max_chars) {
  if (text.size() <= max_chars) return false;  // a code point takes one byte at least
  const auto length = static_cast<std::int32_t>(text.size());
  std::int32_t at = 0;
  std::int32_t room = 0;  // offset after max_chars - 1 code points: the ellipsis's place
  for (std::size_t chars = 0; at < length && chars < max_chars; ++chars) {
    if (chars + 1 == max_chars) room = at;
    U8_FWD_1(text.data(), at, length);
  }
  if (at == length) return false;
  // The break iterator reads the UTF-8 in place (offsets are byte offsets), so a megabyte
  // title is not copied to UTF-16 to be cut.
  UErrorCode status = U_ZERO_ERROR;
  const std::unique_ptr<UText, decltype(&utext_close)> utext(
      utext_openUTF8(nullptr, text.data(), length, &status), &utext_close);
  const std::unique_ptr<icu::BreakIterator> graphemes(
      icu::BreakIterator::createCharacterInstance(icu::Locale::getRoot(), status));
  if (U_SUCCESS(status)) graphemes->setText(utext.get(), status);
  std::int32_t cut = room;
  // Failure here means ICU is out of memory: a code point boundary is still valid UTF-8.
  if (U_SUCCESS(status) && !graphemes->isBoundary(room)) cut = std::max(graphemes->preceding(room), 0);
  text.resize(static_cast<std::size_t>(cut));
  text += "\xE2\x80\xA6";  // …
  return true;
}

}  // namespace tinhop
