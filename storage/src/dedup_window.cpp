#include "dedup_window.hpp"

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <utility>

namespace tinhop::storage {
namespace {

constexpr std::size_t kRows = kMinHashSize / kLshBands;
static_assert(kRows == 2, "a band is two 8-bit minima and a check byte: one 24-bit key");

// A slot holds tag << position_bits_ | ring position; all ones, which no position reaches,
// marks a free slot. Positions take at most 20 bits, so a tag has at least 3.
constexpr std::uint32_t kEmpty = 0xFFFFFFU;
constexpr unsigned kMaxPositionBits = 20;
constexpr std::size_t kMaxEntries = (std::size_t{1} << kMaxPositionBits) - 2;

constexpr std::uint32_t kMaxSource = std::numeric_limits<std::uint32_t>::max();

// Record::traits: the figures' bits, and this one for a headline alone.
constexpr std::uint64_t kTitleOnly = std::uint64_t{1} << 63;

std::uint32_t narrow_source(std::int64_t source_id) {
  return source_id > 0 && source_id <= kMaxSource ? static_cast<std::uint32_t>(source_id) : 0;
}

// b-bit MinHash (Li and König): two sets with Jaccard J agree on a b-bit minimum with
// probability J + (1 - J) / 2^b, so J = (share equal - 1/256) / (1 - 1/256) for b = 8.
constexpr double kChance = 1.0 / 256;

std::size_t equal_minima(const std::array<std::uint8_t, kMinHashSize>& a,
                         const std::array<std::uint8_t, kMinHashSize>& b) {
  std::size_t equal = 0;
  for (std::size_t i = 0; i < kMinHashSize; ++i) equal += a[i] == b[i] ? 1 : 0;
  return equal;
}

double estimate(std::size_t equal) {
  const double share = static_cast<double>(equal) / static_cast<double>(kMinHashSize);
  return std::max(0.0, (share - kChance) / (1 - kChance));
}

std::uint64_t band_hash(std::size_t band, std::uint32_t value) {
  return mix64((static_cast<std::uint64_t>(band) << 32U) | value);
}

}  // namespace

DedupWindow::Sketch DedupWindow::sketch_of(const Fingerprint& fp) {
  Sketch sketch;
  for (std::size_t i = 0; i < kMinHashSize; ++i) sketch.minhash[i] = static_cast<std::uint8_t>(fp.minhash[i]);
  for (std::size_t band = 0; band < kLshBands; ++band) {
    sketch.check[band] =
        static_cast<std::uint8_t>((fp.minhash[band * kRows] ^ fp.minhash[band * kRows + 1]) >> 8U);
  }
  return sketch;
}

std::uint64_t DedupWindow::traits_of(const Fingerprint& fp) {
  return fp.figures.bits | (fp.title_only ? kTitleOnly : 0);
}

std::uint32_t DedupWindow::band_key(const Sketch& sketch, std::size_t band) {
  return static_cast<std::uint32_t>(sketch.minhash[band * kRows]) |
         (static_cast<std::uint32_t>(sketch.minhash[band * kRows + 1]) << 8U) |
         (static_cast<std::uint32_t>(sketch.check[band]) << 16U);
}

namespace {

// Live slots stay at or under 75% of the table: a bucket then overflows rarely enough that
// a band reads one cache line nearly always.
template <std::size_t kSlotsPerBucket>
std::size_t buckets_for(std::size_t ring_size) {
  return (ring_size * kLshBands * 4 + 3 * kSlotsPerBucket - 1) / (3 * kSlotsPerBucket);
}

}  // namespace

std::size_t DedupWindow::entry_bytes() {
  constexpr std::size_t table_share =
      (kLshBands * 4 * sizeof(Bucket) + 3 * kSlotsPerBucket - 1) / (3 * kSlotsPerBucket);
  return sizeof(Record) + sizeof(Stamp) + table_share;
}

double DedupWindow::similarity(const Fingerprint& a, const Fingerprint& b) {
  if (a.shingles == 0 || b.shingles == 0) return 0.0;
  return estimate(equal_minima(sketch_of(a).minhash, sketch_of(b).minhash));
}

std::size_t DedupWindow::minima_needed(double threshold) {
  // The estimate moves in steps of 1/64: a threshold between two steps stands for the
  // nearer one. Rounding up instead would make 0.25, 16 equal minima of 64 with 16-bit
  // minima, need 17 of the 8-bit ones (16 estimate 0.247) and lose pairs right at it.
  const double expected = static_cast<double>(kMinHashSize) * (threshold + (1 - threshold) * kChance);
  return static_cast<std::size_t>(std::clamp(std::round(expected), 0.0, static_cast<double>(kMinHashSize)));
}

DedupWindow::DedupWindow(DedupOptions options)
    : options_(options),
      max_entries_(std::min(options.max_candidate_bytes / entry_bytes(), kMaxEntries)),
      position_bits_(static_cast<unsigned>(std::bit_width(max_entries_ + 1))) {}

std::size_t DedupWindow::allocated_bytes() const {
  return ring_.capacity() * sizeof(Record) + stamps_.capacity() * sizeof(Stamp) +
         table_.capacity() * sizeof(Bucket);
}

std::optional<std::size_t> DedupWindow::find(std::int64_t item_id) const {
  std::size_t lo = 0, hi = count_;
  while (lo < hi) {
    const std::size_t mid = lo + (hi - lo) / 2;
    if (this->item_id(position(mid)) < item_id)
      lo = mid + 1;
    else
      hi = mid;
  }
  if (lo < count_ && this->item_id(position(lo)) == item_id) return lo;
  return std::nullopt;
}

// One 4-byte load per slot (the last slot's fourth byte is `passed`): lookups read about
// 75 buckets, 1,600 slots, and three byte loads each were most of their time.
std::uint32_t DedupWindow::slot(const Bucket& bucket, std::size_t k) {
  std::uint32_t word = 0;
  std::memcpy(&word, reinterpret_cast<const unsigned char*>(&bucket) + 3 * k, sizeof word);
  if constexpr (std::endian::native == std::endian::big) word = __builtin_bswap32(word);
  return word & 0xFFFFFFU;
}

void DedupWindow::set_slot(Bucket& bucket, std::size_t k, std::uint32_t value) {
  std::uint8_t* p = bucket.slots.data() + 3 * k;
  p[0] = static_cast<std::uint8_t>(value);
  p[1] = static_cast<std::uint8_t>(value >> 8U);
  p[2] = static_cast<std::uint8_t>(value >> 16U);
}

std::uint32_t DedupWindow::tag_of(std::uint64_t hash) const {
  return static_cast<std::uint32_t>(hash >> (40U + position_bits_)) << position_bits_;
}

// Without a power-of-two table size: the high half of the hash scaled to the bucket count.
std::size_t DedupWindow::home(std::uint64_t hash) const {
  return static_cast<std::size_t>(((hash & 0xFFFFFFFFULL) * table_.size()) >> 32U);
}

std::array<std::uint64_t, kLshBands> DedupWindow::band_values(const Fingerprint& fingerprint) {
  const Sketch sketch = sketch_of(fingerprint);
  std::array<std::uint64_t, kLshBands> values{};
  for (std::size_t band = 0; band < kLshBands; ++band) values[band] = band_hash(band, band_key(sketch, band));
  return values;
}

std::array<std::uint64_t, kLshBands> DedupWindow::band_hashes(const Sketch& sketch) const {
  std::array<std::uint64_t, kLshBands> hashes{};
  for (std::size_t band = 0; band < kLshBands; ++band) {
    hashes[band] = band_hash(band, band_key(sketch, band));
    __builtin_prefetch(&table_[home(hashes[band])]);
  }
  return hashes;
}

void DedupWindow::pass(std::size_t first, std::size_t end, int step) {
  for (std::size_t b = first; b != end; b = next_bucket(b)) {
    if (table_[b].passed < 255) table_[b].passed = static_cast<std::uint8_t>(table_[b].passed + step);
  }
}

void DedupWindow::index(std::uint32_t position) {
  const auto hashes = band_hashes(ring_[position].sketch);
  const std::uint32_t position_mask = (1U << position_bits_) - 1;
  for (std::size_t band = 0; band < kLshBands; ++band) {
    const std::uint32_t tag = tag_of(hashes[band]);
    const std::size_t first = home(hashes[band]);
    // The entries with its tag (its value's, or one in 2^tag bits another's) in the buckets
    // up to the first with room: all of the value's entries, unless entries that left freed
    // slots in front of others. The run a lookup reads goes on while inserts passed a
    // bucket, twice as far on average, and counting it all was a third of an insert.
    std::size_t same = 0;
    std::optional<std::pair<std::size_t, std::size_t>> room;  // the first free slot: bucket, slot
    std::size_t b = first;
    for (;; b = next_bucket(b)) {
      const Bucket& bucket = table_[b];
      for (std::size_t k = 0; k < kSlotsPerBucket; ++k) {
        const std::uint32_t s = slot(bucket, k);
        if (s == kEmpty) {
          if (!room) room = std::pair{b, k};
        } else if ((s & ~position_mask) == tag) {
          ++same;
        }
      }
      if (room || bucket.passed == 0 || same >= options_.max_band_entries) break;
    }
    if (same >= options_.max_band_entries) continue;
    while (!room) {
      b = next_bucket(b);
      for (std::size_t k = 0; k < kSlotsPerBucket && !room; ++k) {
        if (slot(table_[b], k) == kEmpty) room = std::pair{b, k};
      }
    }
    // The buckets before the free slot's are full: this entry passes them.
    pass(first, room->first, 1);
    set_slot(table_[room->first], room->second, tag | position);
  }
}

void DedupWindow::unindex(std::uint32_t position) {
  const auto hashes = band_hashes(ring_[position].sketch);
  for (std::size_t band = 0; band < kLshBands; ++band) {
    const std::uint32_t wanted = tag_of(hashes[band]) | position;
    const std::size_t first = home(hashes[band]);
    for (std::size_t b = first;; b = next_bucket(b)) {
      Bucket& bucket = table_[b];
      std::size_t k = 0;
      while (k < kSlotsPerBucket && slot(bucket, k) != wanted) ++k;
      if (k < kSlotsPerBucket) {
        set_slot(bucket, k, kEmpty);
        // The buckets this entry's insert passed no longer have it beyond them.
        pass(first, b, -1);
        break;
      }
      if (bucket.passed == 0) break;  // a band its value had too many entries in
    }
  }
}

void DedupWindow::drop_front() {
  const std::uint32_t pos = position(0);
  if (ring_[pos].cluster_id != 0) {
    unindex(pos);
    --live_;
  }
  head_ = (head_ + 1) % ring_.size();
  --count_;
}

void DedupWindow::drop_back() {
  const std::uint32_t pos = position(count_ - 1);
  if (ring_[pos].cluster_id != 0) {
    unindex(pos);
    --live_;
  }
  --count_;
}

void DedupWindow::rebase(std::int64_t item_id) {
  constexpr std::int64_t kSpan = std::numeric_limits<std::uint32_t>::max();
  if (count_ == 0) {
    base_ = item_id;
    return;
  }
  if (item_id - base_ <= kSpan) return;
  // Four billion ids after the oldest record: those far behind leave, the rest shift.
  while (count_ > 0 && item_id - this->item_id(position(0)) > kSpan) drop_front();
  const std::int64_t base = count_ > 0 ? this->item_id(position(0)) : item_id;
  const auto shift = static_cast<std::uint32_t>(base - base_);
  for (std::size_t i = 0; i < count_; ++i) stamps_[position(i)].item -= shift;
  base_ = base;
}

void DedupWindow::resize(std::size_t ring_size) {
  // In place: the old ring and table never live beside the new ones, which at the last
  // growth would add 65% of the budget to the process's peak for a moment. The ring's
  // address space is reserved for the whole budget at once; pages are only touched as
  // records fill it.
  if (ring_.capacity() < max_entries_) {
    ring_.reserve(max_entries_);
    stamps_.reserve(max_entries_);
  }
  const auto head = static_cast<std::ptrdiff_t>(head_);
  std::rotate(ring_.begin(), ring_.begin() + head, ring_.end());
  std::rotate(stamps_.begin(), stamps_.begin() + head, stamps_.end());
  std::size_t kept = 0;
  for (std::size_t i = 0; i < count_; ++i) {
    if (ring_[i].cluster_id == 0) continue;  // removed ones go
    ring_[kept] = ring_[i];
    stamps_[kept] = stamps_[i];
    ++kept;
  }
  ring_.resize(kept);
  stamps_.resize(kept);
  ring_.resize(ring_size);
  stamps_.resize(ring_size);
  head_ = 0;
  count_ = live_;
  const std::size_t buckets = buckets_for<kSlotsPerBucket>(ring_size);
  if (table_.capacity() < buckets) std::vector<Bucket>().swap(table_);
  Bucket free_bucket{};
  free_bucket.slots.fill(0xFF);
  table_.assign(buckets, free_bucket);
  for (std::size_t i = 0; i < count_; ++i) index(static_cast<std::uint32_t>(i));
}

void DedupWindow::add(const Entry& entry) {
  if (entry.fingerprint.shingles == 0 || entry.cluster_id <= 0 || max_entries_ == 0) return;
  while (count_ > 0 && item_id(position(count_ - 1)) >= entry.item_id) drop_back();
  while (count_ > 0 && ring_[position(0)].cluster_id == 0) drop_front();
  rebase(entry.item_id);
  if (count_ == ring_.size()) {
    if (ring_.size() < max_entries_) {
      resize(std::min(max_entries_, std::max<std::size_t>(1024, 2 * ring_.size())));
    } else {
      drop_front();
    }
  }
  const std::uint32_t pos = position(count_);
  ring_[pos] = Record{entry.cluster_id, sketch_of(entry.fingerprint), traits_of(entry.fingerprint)};
  stamps_[pos] = Stamp{entry.published, static_cast<std::uint32_t>(entry.item_id - base_),
                       narrow_source(entry.source_id)};
  ++count_;
  ++live_;
  index(pos);
}

void DedupWindow::remove(std::int64_t item_id) {
  const auto logical = find(item_id);
  if (!logical) return;
  const std::uint32_t pos = position(*logical);
  if (ring_[pos].cluster_id == 0) return;
  unindex(pos);
  ring_[pos].cluster_id = 0;
  --live_;
}

void DedupWindow::update_fingerprint(std::int64_t item_id, const Fingerprint& fingerprint) {
  const auto logical = find(item_id);
  if (!logical) return;
  const std::uint32_t pos = position(*logical);
  Record& record = ring_[pos];
  if (record.cluster_id == 0) return;  // removed
  unindex(pos);
  if (fingerprint.shingles == 0) {
    record.cluster_id = 0;
    --live_;
    return;
  }
  record.sketch = sketch_of(fingerprint);
  record.traits = traits_of(fingerprint);
  index(pos);
}

void DedupWindow::clear() {
  ring_ = {};
  stamps_ = {};
  table_ = {};
  base_ = 0;
  head_ = count_ = live_ = 0;
}

void DedupWindow::prefetch(const Fingerprint& fingerprint) const {
  if (fingerprint.shingles != 0 && live_ != 0) (void)band_hashes(sketch_of(fingerprint));
  if (count_ > 0 && count_ == ring_.size() && count_ == max_entries_ && ring_[position(0)].cluster_id != 0)
    (void)band_hashes(ring_[position(0)].sketch);
}

std::vector<DedupWindow::Match> DedupWindow::matches(const Fingerprint& fingerprint, std::int64_t source_id,
                                                     std::int64_t published) const {
  std::vector<Match> found;
  if (fingerprint.shingles == 0 || live_ == 0) return found;
  const Sketch query = sketch_of(fingerprint);
  const auto hashes = band_hashes(query);
  const std::uint32_t position_mask = (1U << position_bits_) - 1;
  const std::uint32_t source = narrow_source(source_id);
  const std::int64_t window = std::chrono::duration_cast<std::chrono::seconds>(options_.window).count();
  // Three passes, each requesting from memory what the next reads, so that the misses of
  // a pass overlap instead of following one another: the slots whose tag matches; those
  // of them from another source (a source's own items are distinct stories; a source id
  // over 32 bits is left to `accept`) and near enough in time; their sketches.
  std::vector<std::pair<std::uint32_t, std::uint32_t>> tagged;  // band, ring position
  for (std::size_t band = 0; band < kLshBands; ++band) {
    const std::uint32_t tag = tag_of(hashes[band]);
    for (std::size_t b = home(hashes[band]);; b = next_bucket(b)) {
      const Bucket& bucket = table_[b];
      for (std::size_t k = 0; k < kSlotsPerBucket; ++k) {
        const std::uint32_t s = slot(bucket, k);
        if (s == kEmpty || (s & ~position_mask) != tag) continue;
        __builtin_prefetch(&stamps_[s & position_mask]);
        tagged.emplace_back(static_cast<std::uint32_t>(band), s & position_mask);
      }
      if (bucket.passed == 0) break;
    }
  }
  std::vector<std::pair<std::uint32_t, std::uint32_t>> near;  // band, ring position
  for (const auto& [band, pos] : tagged) {
    const Stamp& stamp = stamps_[pos];
    if (source != 0 && stamp.source == source) continue;
    if (std::llabs(stamp.published - published) > window) continue;
    __builtin_prefetch(&ring_[pos].sketch);
    near.emplace_back(band, pos);
  }
  // An entry shares one band or several: it is compared once. The list is short (a few
  // dozen), so a linear search beats sorting it.
  std::vector<std::uint32_t> compared;
  const std::size_t needed = minima_needed(options_.threshold);
  const std::size_t needed_title_only = std::max(needed, minima_needed(options_.title_only_threshold));
  for (const auto& [band, pos] : near) {
    const Record& record = ring_[pos];
    if (band_key(record.sketch, band) != band_key(query, band)) continue;
    if (std::find(compared.begin(), compared.end(), pos) != compared.end()) continue;
    compared.push_back(pos);
    const std::size_t equal = equal_minima(query.minhash, record.sketch.minhash);
    const bool title_only = fingerprint.title_only || (record.traits & kTitleOnly) != 0;
    if (equal < (title_only ? needed_title_only : needed)) continue;
    if (contradict(fingerprint.figures, Figures{record.traits & ~kTitleOnly})) continue;
    found.push_back(Match{record.cluster_id, item_id(pos), estimate(equal)});
  }
  std::sort(found.begin(), found.end(), [](const Match& a, const Match& b) {
    return a.similarity != b.similarity ? a.similarity > b.similarity : a.item_id < b.item_id;
  });
  return found;
}

std::optional<DedupWindow::Match> DedupWindow::best_match(
    const Fingerprint& fingerprint, std::int64_t source_id, std::int64_t published,
    const std::function<bool(std::int64_t item_id, std::int64_t cluster_id)>& accept) const {
  for (const Match& match : matches(fingerprint, source_id, published)) {
    if (accept(match.item_id, match.cluster_id)) return match;
  }
  return std::nullopt;
}

}  // namespace tinhop::storage
