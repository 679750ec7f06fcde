#include "tinhop/parsers/fingerprint.hpp"

#include <algorithm>

#include <unicode/normalizer2.h>
#include <unicode/uchar.h>
#include <unicode/unistr.h>

namespace tinhop {
namespace {

std::uint64_t mix64(std::uint64_t x) {  // MurmurHash3's finalizer
  x ^= x >> 33U;
  x *= 0xff51afd7ed558ccdULL;
  x ^= x >> 33U;
  x *= 0xc4ceb9fe1a85ec53ULL;
  x ^= x >> 33U;
  return x;
}

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

// Appends the syllables of text_key(text) as hashes, up to `limit` in all.
void syllable_hashes(std::string_view text, std::size_t limit, std::vector<std::uint64_t>& out) {
  if (out.size() >= limit || text.empty()) return;
  const std::string key = text_key(text);
  std::size_t start = 0;
  while (start < key.size() && out.size() < limit) {
    std::size_t end = key.find(' ', start);
    if (end == std::string::npos) end = key.size();
    if (end > start) out.push_back(stable_hash(std::string_view(key).substr(start, end - start)));
    start = end + 1;
  }
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
  UErrorCode status = U_ZERO_ERROR;
  const icu::Normalizer2* nfd = icu::Normalizer2::getNFDInstance(status);
  const icu::Normalizer2* nfc = icu::Normalizer2::getNFCInstance(status);
  if (U_FAILURE(status)) return {};
  icu::UnicodeString text =
      icu::UnicodeString::fromUTF8(icu::StringPiece(utf8.data(), static_cast<std::int32_t>(utf8.size())));
  text.foldCase();
  const icu::UnicodeString decomposed = nfd->normalize(text, status);
  if (U_FAILURE(status)) return {};

  // Each syllable is written with its tone mark last, wherever the writer placed it: the
  // old ("hóa") and new ("hoá") placement rules then give the same key.
  icu::UnicodeString out;
  icu::UnicodeString syllable;
  UChar32 tone = 0;
  auto flush = [&] {
    if (syllable.isEmpty()) return;
    if (!out.isEmpty()) out.append(static_cast<UChar>(' '));
    out.append(syllable);
    if (tone != 0) out.append(tone);
    syllable.remove();
    tone = 0;
  };
  for (std::int32_t i = 0; i < decomposed.length();) {
    const UChar32 c = decomposed.char32At(i);
    i += U16_LENGTH(c);
    if (is_tone_mark(c)) {
      if (!syllable.isEmpty()) tone = c;
    } else if (is_word_part(c)) {
      if (syllable.isEmpty() && u_charType(c) == U_NON_SPACING_MARK) continue;  // stray mark
      syllable.append(c);
    } else {
      flush();
    }
  }
  flush();
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
  syllable_hashes(summary, options.max_syllables, syllables);
  syllable_hashes(content, options.max_syllables, syllables);

  Fingerprint result;
  if (syllables.empty()) return result;
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

  std::array<std::uint64_t, kMinHashSize> minima;
  minima.fill(~std::uint64_t{0});
  for (const std::uint64_t x : shingles) {
    for (std::size_t i = 0; i < kMinHashSize; ++i) {
      minima[i] = std::min(minima[i], kFamily.a[i] * x + kFamily.b[i]);
    }
  }
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

std::string to_bytes(const Fingerprint& fingerprint) {
  std::string bytes(2 * kMinHashSize + 4, '\0');
  for (std::size_t i = 0; i < kMinHashSize; ++i) {
    bytes[2 * i] = static_cast<char>(fingerprint.minhash[i] & 0xFFU);
    bytes[2 * i + 1] = static_cast<char>(fingerprint.minhash[i] >> 8U);
  }
  for (std::size_t i = 0; i < 4; ++i) {
    bytes[2 * kMinHashSize + i] = static_cast<char>((fingerprint.shingles >> (8 * i)) & 0xFFU);
  }
  return bytes;
}

Fingerprint from_bytes(std::string_view bytes) {
  Fingerprint result;
  if (bytes.size() != 2 * kMinHashSize + 4) return result;
  auto byte = [&](std::size_t i) { return static_cast<std::uint32_t>(static_cast<unsigned char>(bytes[i])); };
  for (std::size_t i = 0; i < kMinHashSize; ++i) {
    result.minhash[i] = static_cast<std::uint16_t>(byte(2 * i) | (byte(2 * i + 1) << 8U));
  }
  for (std::size_t i = 0; i < 4; ++i) result.shingles |= byte(2 * kMinHashSize + i) << (8 * i);
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

void LshIndex::insert(std::uint64_t id, const Fingerprint& fingerprint) {
  if (fingerprint.shingles == 0) return;
  for_each_band(fingerprint, [&](std::uint64_t key) { bands_.emplace(key, id); });
  ++size_;
}

void LshIndex::erase(std::uint64_t id, const Fingerprint& fingerprint) {
  if (fingerprint.shingles == 0) return;
  bool found = false;
  for_each_band(fingerprint, [&](std::uint64_t key) {
    auto [first, last] = bands_.equal_range(key);
    for (auto it = first; it != last; ++it) {
      if (it->second == id) {
        bands_.erase(it);
        found = true;
        break;
      }
    }
  });
  if (found && size_ > 0) --size_;
}

std::vector<std::uint64_t> LshIndex::candidates(const Fingerprint& fingerprint) const {
  std::vector<std::uint64_t> out;
  if (fingerprint.shingles == 0) return out;
  for_each_band(fingerprint, [&](std::uint64_t key) {
    auto [first, last] = bands_.equal_range(key);
    for (auto it = first; it != last; ++it) out.push_back(it->second);
  });
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

void LshIndex::clear() {
  bands_.clear();
  size_ = 0;
}

}  // namespace tinhop
