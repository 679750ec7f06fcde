// Near-duplicate detection for news text: a Vietnamese-aware text key, a MinHash
// fingerprint over syllable shingles, and an LSH band index that finds candidates in
// constant time. Pure: no I/O, no clock.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "tinhop/parsers/figures.hpp"

namespace tinhop {

// The comparison form of a text: NFC, case-folded, Vietnamese tone marks moved to one
// place per syllable (so old-style "hóa", "thủy", "ủy" equal new-style "hoá", "thuỷ", "uỷ"),
// punctuation and symbols removed, one space between syllables. Not meant for display.
std::string text_key(std::string_view utf8);

// MurmurHash3's 64-bit finalizer: every input bit affects every output bit.
std::uint64_t mix64(std::uint64_t x);

// 64-bit hash of bytes (FNV-1a with a strong finalizer): stable across runs and builds.
std::uint64_t stable_hash(std::string_view bytes, std::uint64_t seed = 0);

inline constexpr std::size_t kMinHashSize = 64;  // hash functions per fingerprint
inline constexpr std::size_t kLshBands = 32;     // bands of kMinHashSize / kLshBands rows

struct Fingerprint {
  // b-bit MinHash: the low 16 bits of each of kMinHashSize minima over the shingle set.
  std::array<std::uint16_t, kMinHashSize> minhash{};
  std::uint32_t shingles = 0;  // distinct shingles seen; 0 = no text, never similar
  // The dates, amounts and percentages of the title and the dates of the lead: items whose
  // figures contradict are different stories however many words they share.
  Figures figures;
  // No summary or content text: a headline's few shingles need a closer match.
  bool title_only = false;
};

// Limits on what goes into a fingerprint.
struct FingerprintOptions {
  std::size_t shingle_size = 3;     // syllables per shingle
  std::size_t max_syllables = 160;  // text beyond this many syllables is ignored
};

// Fingerprint of an item's title, plain summary and plain content, read in that order
// up to max_syllables: republications share their opening (headline, lead, first
// paragraphs) even when one copy carries a longer body than the other. The figures are
// the title's and those of the lead (the summary, else the content).
Fingerprint fingerprint(std::string_view title, std::string_view summary, std::string_view content,
                        const FingerprintOptions& options = {});

// Estimated Jaccard similarity of the two shingle sets, 0..1 (0 when either is empty).
double similarity(const Fingerprint& a, const Fingerprint& b);

// The fingerprint as 2*kMinHashSize + 13 bytes (little endian: minima, shingles, figures,
// then 1 for title-only) and back. from_bytes also reads the 2*kMinHashSize + 4 bytes stored
// before figures were kept (figures unknown, not title-only) and gives an empty fingerprint
// for input of any other size.
std::string to_bytes(const Fingerprint& fingerprint);
Fingerprint from_bytes(std::string_view bytes);

// Candidate finder: fingerprints indexed by LSH bands. A pair with Jaccard s shares at
// least one band with probability 1 - (1 - s^r)^b (r rows, b bands): about 0.99 at 0.5,
// 0.0003 at 0.02. Entries are identified by a caller-chosen 64-bit id.
class LshIndex {
 public:
  void insert(std::uint64_t id, const Fingerprint& fingerprint);
  void erase(std::uint64_t id, const Fingerprint& fingerprint);
  // Ids sharing at least one band with `fingerprint`, each once, in no particular order.
  std::vector<std::uint64_t> candidates(const Fingerprint& fingerprint) const;
  std::size_t size() const { return size_; }
  void clear();

 private:
  // Open addressing with linear probing: one flat array, no allocation per entry (32 band
  // entries per fingerprint make node-based maps slow and fat).
  struct Slot {
    std::uint64_t key = 0;  // 0: never used; 1: erased
    std::uint64_t id = 0;
  };
  void place(std::uint64_t key, std::uint64_t id);
  void grow();
  std::vector<Slot> slots_;
  std::size_t used_ = 0;  // live + erased slots
  std::size_t size_ = 0;
};

}  // namespace tinhop
