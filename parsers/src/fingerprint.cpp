#include "tinhop/parsers/fingerprint.hpp"

#include <algorithm>
#include <string>

#include <unicode/normalizer2.h>
#include <unicode/uchar.h>
#include <unicode/unistr.h>

namespace tinhop {

std::uint64_t mix64(std::uint64_t x) {
  x ^= x >> 33U;
  x *= 0xff51afd7ed558ccdULL;
  x ^= x >> 33U;
  x *= 0xc4ceb9fe1a85ec53ULL;
  x ^= x >> 33U;
  return x;
}

namespace {

// The five Vietnamese tone marks as combining characters (NFD).
bool is_tone_mark(UChar32 c) {
  return c == 0x0300 || c == 0x0301 || c == 0x0303 || c == 0x0309 || c == 0x0323;
}

bool is_word_part(UChar32 c) {
  const auto type = u_charType(c);
  return u_isalnum(c) || type == U_NON_SPACING_MARK || type == U_COMBINING_SPACING_MARK;
}

// Multipliers and offsets of the kMinHashSize hash functions h_i(x) = a_i * x + b_i: x is
// already a well-mixed 64-bit hash, so one multiply-add per function is enough.
struct HashFamily {
  std::array<std::uint64_t, kMinHashSize> a{};
  std::array<std::uint64_t, kMinHashSize> b{};
  HashFamily() {
    std::uint64_t state = 0x9e3779b97f4a7c15ULL;
    for (std::size_t i = 0; i < kMinHashSize; ++i) {
      a[i] = mix64(state += 0x9e3779b97f4a7c15ULL) | 1U;
      b[i] = mix64(state += 0x9e3779b97f4a7c15ULL);
    }
  }
};
const HashFamily kFamily;

// What one code point contributes to a key: folded NFD code units (word characters), a
// tone mark, or a syllable boundary.
struct Contribution {
  std::array<char16_t, 4> units{};
  std::uint8_t size = 0;  // code units in `units`
  bool separator = true;
  bool mark_only = false;  // a lone combining mark: dropped at the start of a syllable
  char16_t tone = 0;
};

// Below this, every code point's contribution is precomputed with ICU once: Latin,
// Vietnamese (U+1EA0-U+1EFF), combining marks and common punctuation take one table
// lookup. Text with anything above it takes the general ICU path.
constexpr UChar32 kTableLimit = 0x2070;

const std::vector<Contribution>& contributions() {
  static const std::vector<Contribution> table = [] {
    std::vector<Contribution> t(static_cast<std::size_t>(kTableLimit));
    UErrorCode status = U_ZERO_ERROR;
    const icu::Normalizer2* nfd = icu::Normalizer2::getNFDInstance(status);
    for (UChar32 cp = 0; cp < kTableLimit; ++cp) {
      Contribution& entry = t[static_cast<std::size_t>(cp)];
      if (U_IS_SURROGATE(cp) || U_FAILURE(status)) continue;
      icu::UnicodeString decomposed;
      if (!nfd->getDecomposition(cp, decomposed)) decomposed = icu::UnicodeString(cp);
      bool all_marks = true;
      for (std::int32_t i = 0; i < decomposed.length();) {
        UChar32 c = decomposed.char32At(i);
        i += U16_LENGTH(c);
        if (is_tone_mark(c)) {
          entry.tone = static_cast<char16_t>(c);
          entry.separator = false;
        } else if (is_word_part(c)) {
          entry.separator = false;
          all_marks = all_marks && u_charType(c) == U_NON_SPACING_MARK;
          c = u_foldCase(c, U_FOLD_CASE_DEFAULT);
          if (U_IS_BMP(c) && entry.size < entry.units.size())
            entry.units[entry.size++] = static_cast<char16_t>(c);
        }
      }
      entry.mark_only = entry.size > 0 && all_marks;
    }
    return t;
  }();
  return table;
}

// Decodes one UTF-8 code point at `i`; invalid bytes give U+FFFD (a separator).
UChar32 next_code_point(std::string_view text, std::size_t& i) {
  const auto byte = [&](std::size_t k) { return static_cast<unsigned char>(text[k]); };
  const unsigned char lead = byte(i);
  if (lead < 0x80) {
    ++i;
    return lead;
  }
  std::size_t length = lead >= 0xF0 ? 4 : (lead >= 0xE0 ? 3 : (lead >= 0xC0 ? 2 : 0));
  if (length == 0 || i + length > text.size()) {
    ++i;
    return 0xFFFD;
  }
  UChar32 cp = lead & (0xFF >> (length + 1));
  for (std::size_t k = 1; k < length; ++k) {
    if ((byte(i + k) & 0xC0U) != 0x80U) {
      ++i;
      return 0xFFFD;
    }
    cp = (cp << 6) | (byte(i + k) & 0x3F);
  }
  i += length;
  return cp;
}

// Calls sink(syllable, tone) for each syllable of `utf8`: the syllable as case-folded NFD
// UTF-16 code units without its tone mark, and the tone mark (0 for none) wherever the
// writer placed it. Stops when sink returns false. This runs for every new item, so the
// common case is one table-driven pass; other scripts go through ICU's NFD.
template <class Sink>
void scan_syllables(std::string_view utf8, Sink&& sink) {
  const auto& table = contributions();
  std::u16string syllable;
  char16_t tone = 0;
  auto flush = [&] {
    if (syllable.empty()) return true;
    const bool more = sink(std::u16string_view(syllable), static_cast<UChar32>(tone));
    syllable.clear();
    tone = 0;
    return more;
  };
  // The table covers the text when every code point is below its limit (or is a
  // replacement character or ideographic punctuation, both separators).
  const auto covered = [](UChar32 cp) {
    return cp < kTableLimit || cp == 0xFFFD || (cp >= 0x3000 && cp <= 0x303F);
  };
  bool fast = true;
  for (std::size_t i = 0; i < utf8.size() && fast;) fast = covered(next_code_point(utf8, i));
  for (std::size_t i = 0; i < utf8.size() && fast;) {
    const UChar32 cp = next_code_point(utf8, i);
    if (cp >= kTableLimit) {
      if (!flush()) return;
      continue;
    }
    const Contribution& c = table[static_cast<std::size_t>(cp)];
    if (c.separator) {
      if (!flush()) return;
      continue;
    }
    if (c.mark_only && syllable.empty()) continue;  // stray mark
    syllable.append(c.units.data(), c.size);
    if (c.tone != 0 && (!syllable.empty())) tone = c.tone;
  }
  if (fast) {
    flush();
    return;
  }
  syllable.clear();
  tone = 0;
  UErrorCode status = U_ZERO_ERROR;
  const icu::Normalizer2* nfd = icu::Normalizer2::getNFDInstance(status);
  if (U_FAILURE(status)) return;
  const icu::UnicodeString text =
      icu::UnicodeString::fromUTF8(icu::StringPiece(utf8.data(), static_cast<std::int32_t>(utf8.size())));
  const icu::UnicodeString decomposed = nfd->normalize(text, status);
  if (U_FAILURE(status)) return;
  const UChar* units = decomposed.getBuffer();
  const std::int32_t length = decomposed.length();
  for (std::int32_t i = 0; i < length;) {
    UChar32 c = 0;
    U16_NEXT(units, i, length, c);
    if (is_tone_mark(c)) {
      if (!syllable.empty()) tone = static_cast<char16_t>(c);
    } else if (is_word_part(c)) {
      if (syllable.empty() && u_charType(c) == U_NON_SPACING_MARK) continue;  // stray mark
      c = u_foldCase(c, U_FOLD_CASE_DEFAULT);
      if (U_IS_BMP(c)) {
        syllable.push_back(static_cast<char16_t>(c));
      } else {
        syllable.push_back(static_cast<char16_t>(U16_LEAD(c)));
        syllable.push_back(static_cast<char16_t>(U16_TRAIL(c)));
      }
    } else if (!flush()) {
      return;
    }
  }
  flush();
}

// Appends the hashes of the syllables of `text` (equal for equal text_key syllables), up
// to `limit` in all.
void syllable_hashes(std::string_view text, std::size_t limit, std::vector<std::uint64_t>& out) {
  if (out.size() >= limit || text.empty()) return;
  // A syllable with its separator rarely takes more than 24 bytes: text beyond the limit
  // is never read, so it need not be normalized either.
  const std::size_t budget = (limit - out.size()) * 24;
  if (text.size() > budget) {
    std::size_t end = budget;
    while (end > 0 && (static_cast<unsigned char>(text[end]) & 0xC0U) == 0x80U) --end;
    text = text.substr(0, end);
  }
  scan_syllables(text, [&](std::u16string_view syllable, UChar32 tone) {
    std::uint64_t h = 0xcbf29ce484222325ULL;
    for (const char16_t unit : syllable) {
      h ^= unit;
      h *= 0x100000001b3ULL;
    }
    h ^= static_cast<std::uint64_t>(tone);
    h *= 0x100000001b3ULL;
    out.push_back(mix64(h));
    return out.size() < limit;
  });
}

// The inner loop is kMinHashSize independent multiply-add-minimum lanes: built once per
// instruction set so that CPUs with AVX-512 (64-bit lane multiplies) or AVX2 run it as
// vectors; every version computes the same values.
__attribute__((target_clones("arch=x86-64-v4", "arch=x86-64-v3", "default")))
std::array<std::uint64_t, kMinHashSize>
minimum_hashes(const std::vector<std::uint64_t>& shingles) {
  std::array<std::uint64_t, kMinHashSize> minima;
  minima.fill(~std::uint64_t{0});
  for (const std::uint64_t x : shingles) {
    for (std::size_t i = 0; i < kMinHashSize; ++i) {
      minima[i] = std::min(minima[i], kFamily.a[i] * x + kFamily.b[i]);
    }
  }
  return minima;
}

}  // namespace

std::uint64_t stable_hash(std::string_view bytes, std::uint64_t seed) {
  std::uint64_t h = 0xcbf29ce484222325ULL ^ mix64(seed);
  for (unsigned char c : bytes) {
    h ^= c;
    h *= 0x100000001b3ULL;
  }
  return mix64(h ^ bytes.size());
}

std::string text_key(std::string_view utf8) {
  icu::UnicodeString out;
  scan_syllables(utf8, [&](std::u16string_view syllable, UChar32 tone) {
    if (!out.isEmpty()) out.append(static_cast<UChar>(' '));
    out.append(syllable.data(), static_cast<std::int32_t>(syllable.size()));
    if (tone != 0) out.append(tone);
    return true;
  });
  UErrorCode status = U_ZERO_ERROR;
  const icu::Normalizer2* nfc = icu::Normalizer2::getNFCInstance(status);
  if (U_FAILURE(status)) return {};
  const icu::UnicodeString composed = nfc->normalize(out, status);
  if (U_FAILURE(status)) return {};
  std::string result;
  composed.toUTF8String(result);
  return result;
}

Fingerprint fingerprint(std::string_view title, std::string_view summary, std::string_view content,
                        const FingerprintOptions& options) {
  std::vector<std::uint64_t> syllables;
  syllables.reserve(options.max_syllables);
  syllable_hashes(title, options.max_syllables, syllables);
  const std::size_t title_syllables = syllables.size();
  syllable_hashes(summary, options.max_syllables, syllables);
  syllable_hashes(content, options.max_syllables, syllables);

  Fingerprint result;
  if (syllables.empty()) return result;
  result.figures =
      figures_of(title, summary.find_first_not_of(" \t\r\n") != std::string_view::npos ? summary : content);
  // A title cut at max_syllables leaves no room for a body, but it is not a headline alone.
  result.title_only = syllables.size() == title_syllables && title_syllables < options.max_syllables;
  const std::size_t k = std::max<std::size_t>(1, std::min(options.shingle_size, syllables.size()));
  std::vector<std::uint64_t> shingles;
  shingles.reserve(syllables.size());
  for (std::size_t i = 0; i + k <= syllables.size(); ++i) {
    std::uint64_t h = 0;
    for (std::size_t j = 0; j < k; ++j) h = mix64(h * 31 + syllables[i + j]);
    shingles.push_back(h);
  }
  std::sort(shingles.begin(), shingles.end());
  shingles.erase(std::unique(shingles.begin(), shingles.end()), shingles.end());
  result.shingles = static_cast<std::uint32_t>(shingles.size());

  const std::array<std::uint64_t, kMinHashSize> minima = minimum_hashes(shingles);
  for (std::size_t i = 0; i < kMinHashSize; ++i)
    result.minhash[i] = static_cast<std::uint16_t>(mix64(minima[i]));
  return result;
}

double similarity(const Fingerprint& a, const Fingerprint& b) {
  if (a.shingles == 0 || b.shingles == 0) return 0.0;
  std::size_t equal = 0;
  for (std::size_t i = 0; i < kMinHashSize; ++i) equal += a.minhash[i] == b.minhash[i] ? 1 : 0;
  return static_cast<double>(equal) / static_cast<double>(kMinHashSize);
}

namespace {
constexpr std::size_t kLegacyBytes = 2 * kMinHashSize + 4;  // before figures were kept
constexpr std::size_t kFingerprintBytes = kLegacyBytes + 9;
}  // namespace

std::string to_bytes(const Fingerprint& fingerprint) {
  std::string bytes(kFingerprintBytes, '\0');
  for (std::size_t i = 0; i < kMinHashSize; ++i) {
    bytes[2 * i] = static_cast<char>(fingerprint.minhash[i] & 0xFFU);
    bytes[2 * i + 1] = static_cast<char>(fingerprint.minhash[i] >> 8U);
  }
  for (std::size_t i = 0; i < 4; ++i) {
    bytes[2 * kMinHashSize + i] = static_cast<char>((fingerprint.shingles >> (8 * i)) & 0xFFU);
  }
  for (std::size_t i = 0; i < 8; ++i) {
    bytes[kLegacyBytes + i] = static_cast<char>((fingerprint.figures.bits >> (8 * i)) & 0xFFU);
  }
  bytes[kLegacyBytes + 8] = fingerprint.title_only ? '\1' : '\0';
  return bytes;
}

Fingerprint from_bytes(std::string_view bytes) {
  Fingerprint result;
  if (bytes.size() != kLegacyBytes && bytes.size() != kFingerprintBytes) return result;
  auto byte = [&](std::size_t i) { return static_cast<std::uint32_t>(static_cast<unsigned char>(bytes[i])); };
  for (std::size_t i = 0; i < kMinHashSize; ++i) {
    result.minhash[i] = static_cast<std::uint16_t>(byte(2 * i) | (byte(2 * i + 1) << 8U));
  }
  for (std::size_t i = 0; i < 4; ++i) result.shingles |= byte(2 * kMinHashSize + i) << (8 * i);
  if (bytes.size() == kFingerprintBytes) {
    for (std::size_t i = 0; i < 8; ++i)
      result.figures.bits |= static_cast<std::uint64_t>(byte(kLegacyBytes + i)) << (8 * i);
    result.title_only = byte(kLegacyBytes + 8) == 1;
  }
  return result;
}

namespace {
constexpr std::size_t kRows = kMinHashSize / kLshBands;

template <class F>
void for_each_band(const Fingerprint& fingerprint, F&& f) {
  for (std::size_t band = 0; band < kLshBands; ++band) {
    std::uint64_t h = band;
    for (std::size_t r = 0; r < kRows; ++r) h = (h << 16U) | fingerprint.minhash[band * kRows + r];
    f(mix64(h ^ (static_cast<std::uint64_t>(band) << 56U)));
  }
}
}  // namespace

namespace {
// Band keys 0 and 1 mark empty and erased slots; real keys are moved out of the way.
std::uint64_t slot_key(std::uint64_t key) {
  return key < 2 ? key + 2 : key;
}
}  // namespace

void LshIndex::place(std::uint64_t key, std::uint64_t id) {
  const std::size_t mask = slots_.size() - 1;
  for (std::size_t i = key & mask;; i = (i + 1) & mask) {
    if (slots_[i].key < 2) {
      if (slots_[i].key == 0) ++used_;
      slots_[i] = Slot{key, id};
      return;
    }
  }
}

void LshIndex::grow() {
  std::vector<Slot> old = std::move(slots_);
  std::size_t live = 0;
  for (const auto& slot : old) live += slot.key >= 2 ? 1 : 0;
  std::size_t capacity = 1024;
  while (capacity < 2 * (live + kLshBands)) capacity *= 2;
  slots_.assign(capacity, Slot{});
  used_ = 0;
  for (const auto& slot : old) {
    if (slot.key >= 2) place(slot.key, slot.id);
  }
}

void LshIndex::insert(std::uint64_t id, const Fingerprint& fingerprint) {
  if (fingerprint.shingles == 0) return;
  if (10 * (used_ + kLshBands) > 7 * slots_.size()) grow();  // load factor 0.7 at most
  for_each_band(fingerprint, [&](std::uint64_t key) { place(slot_key(key), id); });
  ++size_;
}

void LshIndex::erase(std::uint64_t id, const Fingerprint& fingerprint) {
  if (fingerprint.shingles == 0 || slots_.empty()) return;
  bool found = false;
  const std::size_t mask = slots_.size() - 1;
  for_each_band(fingerprint, [&](std::uint64_t band) {
    const std::uint64_t key = slot_key(band);
    for (std::size_t i = key & mask; slots_[i].key != 0; i = (i + 1) & mask) {
      if (slots_[i].key == key && slots_[i].id == id) {
        slots_[i].key = 1;
        found = true;
        break;
      }
    }
  });
  if (found && size_ > 0) --size_;
}

std::vector<std::uint64_t> LshIndex::candidates(const Fingerprint& fingerprint) const {
  std::vector<std::uint64_t> out;
  if (fingerprint.shingles == 0 || slots_.empty()) return out;
  const std::size_t mask = slots_.size() - 1;
  for_each_band(fingerprint, [&](std::uint64_t band) {
    const std::uint64_t key = slot_key(band);
    for (std::size_t i = key & mask; slots_[i].key != 0; i = (i + 1) & mask) {
      if (slots_[i].key == key) out.push_back(slots_[i].id);
    }
  });
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

void LshIndex::clear() {
  slots_.clear();
  used_ = 0;
  size_ = 0;
}

}  // namespace tinhop
