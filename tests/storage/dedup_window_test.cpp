// The candidate window on its own: what an entry costs, the 8-bit estimate and its
// threshold, the 32-bit fields at their limits, and the band table through its rebuilds
// against a brute-force reference.
#include <catch2/catch.hpp>

#include <cstdint>
#include <limits>
#include <map>
#include <random>
#include <vector>

#include "../../storage/src/dedup_window.hpp"

namespace {

using tinhop::Figures;
using tinhop::figures_of;
using tinhop::Fingerprint;
using tinhop::kLshBands;
using tinhop::kMinHashSize;
using tinhop::storage::DedupOptions;
using tinhop::storage::DedupWindow;

constexpr std::int64_t kDay = 86400;

Fingerprint with_minima(std::uint16_t first) {
  Fingerprint fp;
  fp.shingles = 10;
  for (std::size_t i = 0; i < kMinHashSize; ++i) fp.minhash[i] = static_cast<std::uint16_t>(first + 7 * i);
  return fp;
}

// `fp` with its minima from `from` on replaced by values whose low byte differs.
Fingerprint diverging(Fingerprint fp, std::size_t from) {
  for (std::size_t i = from; i < kMinHashSize; ++i)
    fp.minhash[i] = static_cast<std::uint16_t>(fp.minhash[i] ^ 0x5A);
  return fp;
}

DedupWindow::Entry entry(std::int64_t item, std::int64_t source, const Fingerprint& fp,
                         std::int64_t published = 0) {
  return DedupWindow::Entry{item, 1000 + item, source, published, fp};
}

bool any(std::int64_t, std::int64_t) {
  return true;
}

DedupOptions budget_for(std::size_t entries) {
  DedupOptions options;
  options.max_candidate_bytes = entries * DedupWindow::entry_bytes();
  return options;
}

}  // namespace

TEST_CASE("a window entry costs 259 bytes: the default 20 MiB hold 80,971") {
  CHECK(DedupWindow::entry_bytes() == 259);
  CHECK(DedupWindow(DedupOptions{}).capacity() == 80971);
  CHECK(DedupWindow(budget_for(100)).capacity() == 100);
  DedupOptions none;
  none.max_candidate_bytes = 0;
  DedupWindow empty(none);
  empty.add(entry(1, 1, with_minima(1)));
  CHECK(empty.size() == 0);
  CHECK(empty.allocated_bytes() == 0);
}

TEST_CASE("the window compares the low byte of each minimum, less the agreement by chance") {
  const Fingerprint a = with_minima(100);
  Fingerprint same_low_bytes = a;
  for (auto& m : same_low_bytes.minhash) m = static_cast<std::uint16_t>(m ^ 0x0100);
  CHECK(DedupWindow::similarity(a, a) == 1.0);
  CHECK(DedupWindow::similarity(a, same_low_bytes) == 1.0);
  // 16 of 64 equal: (16/64 - 1/256) / (255/256) = 63/255.
  CHECK(DedupWindow::similarity(a, diverging(a, 16)) == Approx(63.0 / 255.0).epsilon(1e-12));
  CHECK(DedupWindow::similarity(a, diverging(a, 0)) == 0.0);
  CHECK(DedupWindow::similarity(a, Fingerprint{}) == 0.0);

  CHECK(DedupWindow::minima_needed(0.25) == 16);
  CHECK(DedupWindow::minima_needed(0.5) == 32);
  CHECK(DedupWindow::minima_needed(1.0) == 64);
  CHECK(DedupWindow::minima_needed(0.0) == 0);
}

TEST_CASE("a pair at the threshold's step joins and one step below does not") {
  DedupWindow window(DedupOptions{});
  const Fingerprint story = with_minima(3);
  window.add(entry(1, 1, story));
  // The first minima are equal, so the pair shares bands and is a candidate either way.
  const auto at = window.best_match(diverging(story, 16), 2, 0, any);
  REQUIRE(at.has_value());
  CHECK(at->item_id == 1);
  CHECK(at->cluster_id == 1001);
  CHECK(at->similarity == Approx(63.0 / 255.0).epsilon(1e-12));
  CHECK_FALSE(window.best_match(diverging(story, 15), 2, 0, any).has_value());
}

TEST_CASE("a candidate whose figures contradict is no match however similar (issue #15, point 2)") {
  DedupWindow window(DedupOptions{});
  Fingerprint day14 = with_minima(21);
  day14.figures = figures_of("Giá vàng sáng 14/9: SJC tăng 200.000 đồng", "");
  window.add(entry(1, 1, day14));
  Fingerprint day15 = day14;  // every minimum equal: only the figures differ
  day15.figures = figures_of("Giá vàng sáng 15/9: SJC tăng 200.000 đồng", "");
  CHECK_FALSE(window.best_match(day15, 2, 0, any).has_value());
  CHECK(window.matches(day15, 2, 0).empty());
  // The same story with its figures written another way, or trimmed, is still a copy; so is
  // one whose figures are unknown (stored before they were kept).
  Fingerprint respelt = day14;
  respelt.figures = figures_of("Giá vàng sáng ngày 14 tháng 9: SJC tăng 200 nghìn đồng", "");
  Fingerprint trimmed = day14;
  trimmed.figures = figures_of("Giá vàng sáng: SJC tăng mạnh", "");
  Fingerprint unknown = day14;
  unknown.figures = Figures{};
  for (const Fingerprint& copy : {respelt, trimmed, unknown}) {
    const auto match = window.best_match(copy, 2, 0, any);
    REQUIRE(match.has_value());
    CHECK(match->item_id == 1);
  }
  // An entry whose fingerprint is edited takes its new figures.
  window.update_fingerprint(1, day15);
  CHECK(window.best_match(day15, 2, 0, any)->item_id == 1);
  CHECK_FALSE(window.best_match(day14, 2, 0, any).has_value());
}

TEST_CASE("a pair with a headline alone on either side needs the title-only threshold") {
  DedupOptions options;  // threshold 0.25: 16 equal minima; title-only 0.4: 26
  CHECK(DedupWindow::minima_needed(options.title_only_threshold) == 26);
  DedupWindow window(options);
  Fingerprint headline = with_minima(31);
  headline.title_only = true;
  window.add(entry(1, 1, headline));
  CHECK_FALSE(window.best_match(diverging(headline, 16), 2, 0, any).has_value());
  CHECK_FALSE(window.best_match(diverging(headline, 25), 2, 0, any).has_value());
  CHECK(window.best_match(diverging(headline, 26), 2, 0, any)->item_id == 1);
  // Asked by an item with a body, the stored headline still needs the closer match.
  Fingerprint body = diverging(headline, 16);
  body.title_only = false;
  CHECK_FALSE(window.best_match(body, 2, 0, any).has_value());
  // Two items with bodies at the same similarity are one story.
  Fingerprint stored_body = headline;
  stored_body.title_only = false;
  window.add(entry(2, 3, stored_body));
  CHECK(window.best_match(body, 2, 0, any)->item_id == 2);
}

TEST_CASE(
    "best_match prefers the most similar, then the oldest, and skips its own source and distant dates") {
  DedupWindow window(DedupOptions{});
  const Fingerprint story = with_minima(9);
  window.add(entry(1, 1, diverging(story, 40), 0));
  window.add(entry(2, 2, diverging(story, 50), 0));  // most similar
  window.add(entry(3, 3, diverging(story, 50), 0));  // as similar, newer
  window.add(entry(4, 7, story, 0));                 // identical, the asking source's own
  window.add(entry(5, 5, story, 4 * kDay));          // identical, four days later
  auto best = window.best_match(story, 7, 0, any);
  REQUIRE(best.has_value());
  CHECK(best->item_id == 2);
  // `accept` refusing the best leaves the next.
  best = window.best_match(story, 7, 0, [](std::int64_t item, std::int64_t) { return item != 2; });
  REQUIRE(best.has_value());
  CHECK(best->item_id == 3);
  // Within three days of the later one, only it is near enough.
  best = window.best_match(story, 7, 4 * kDay - 3600, any);
  REQUIRE(best.has_value());
  CHECK(best->item_id == 5);
}

TEST_CASE("source ids over 32 bits are never mistaken for another source") {
  DedupWindow window(DedupOptions{});
  const Fingerprint story = with_minima(11);
  const std::int64_t big = (std::int64_t{1} << 32) + 5;
  window.add(entry(1, big, story));
  window.add(entry(2, 5, story));
  // Source 2^32 + 5 is not source 5 ...
  auto best = window.best_match(story, 5, 0, any);
  REQUIRE(best.has_value());
  CHECK(best->item_id == 1);
  // ... and its own item is left to `accept`, which the store refuses for its own source.
  std::vector<std::int64_t> asked;
  best = window.best_match(story, big, 0, [&](std::int64_t item, std::int64_t) {
    asked.push_back(item);
    return item != 1;
  });
  REQUIRE(best.has_value());
  CHECK(best->item_id == 2);
  CHECK(asked == std::vector<std::int64_t>{1, 2});
}

TEST_CASE("the newest entries stay within the budget and the oldest leave") {
  DedupWindow window(budget_for(300));
  std::mt19937 rng(7);
  std::vector<Fingerprint> stories(1000);
  for (std::size_t n = 0; n < stories.size(); ++n) {
    stories[n].shingles = 10;
    for (auto& m : stories[n].minhash) m = static_cast<std::uint16_t>(rng());
    window.add(entry(static_cast<std::int64_t>(n + 1), 1, stories[n]));
  }
  CHECK(window.size() == 300);
  CHECK(window.allocated_bytes() <= 300 * DedupWindow::entry_bytes() + 2);
  std::size_t found_old = 0, found_new = 0;
  for (std::size_t n = 0; n < stories.size(); ++n) {
    const auto best = window.best_match(stories[n], 2, 0, any);
    if (n < 700 && best) ++found_old;
    if (n >= 700 && best && best->item_id == static_cast<std::int64_t>(n + 1)) ++found_new;
  }
  CHECK(found_old == 0);
  CHECK(found_new == 300);
}

TEST_CASE("item ids keep their 64 bits: ids four billion apart push the old ones out") {
  DedupWindow window(DedupOptions{});
  const std::int64_t span = std::numeric_limits<std::uint32_t>::max();
  window.add(entry(10, 1, with_minima(1)));
  window.add(entry(10 + span, 1, with_minima(2)));
  CHECK(window.size() == 2);
  auto best = window.best_match(with_minima(2), 2, 0, any);
  REQUIRE(best.has_value());
  CHECK(best->item_id == 10 + span);
  window.add(entry(11 + span, 1, with_minima(3)));  // 10 is now too far behind
  CHECK(window.size() == 2);
  CHECK_FALSE(window.best_match(with_minima(1), 2, 0, any).has_value());
  window.remove(10 + span);
  CHECK(window.size() == 1);
  best = window.best_match(with_minima(3), 2, 0, any);
  REQUIRE(best.has_value());
  CHECK(best->item_id == 11 + span);
  // An id at or below the newest replaces the entries from it on.
  window.add(entry(5, 1, with_minima(4)));
  CHECK(window.size() == 1);
  CHECK_FALSE(window.best_match(with_minima(3), 2, 0, any).has_value());
  CHECK(window.best_match(with_minima(4), 2, 0, any)->item_id == 5);
}

TEST_CASE("the window answers as a brute-force search does through adds, removals, edits and rebuilds") {
  // Room for every entry (eviction is tested above), so removals and edits free slots
  // behind entries that passed them while the ring wraps; fingerprints are variations of a
  // few stories so that many pairs share bands at every similarity. No limit on the entries
  // of a band value: the reference has none (the limit is tested below).
  DedupOptions options = budget_for(4000);
  options.window = std::chrono::hours(48);
  options.max_band_entries = std::size_t{1} << 20;
  DedupWindow window(options);
  std::mt19937 rng(12345);
  std::vector<Fingerprint> stories(12);
  for (auto& story : stories) {
    story.shingles = 10;
    for (auto& m : story.minhash) m = static_cast<std::uint16_t>(rng());
  }
  auto variation = [&] {
    Fingerprint fp = stories[rng() % stories.size()];
    const unsigned changed = rng() % 65;
    for (unsigned n = 0; n < changed; ++n)
      fp.minhash[rng() % kMinHashSize] = static_cast<std::uint16_t>(rng());
    return fp;
  };
  std::map<std::int64_t, DedupWindow::Entry> live;  // the reference: what the window should hold
  // A band is shared when the low bytes of its two minima and the XOR of their high bytes
  // agree: the full band or, once in 2^24, a collision the window cannot tell apart.
  auto shares_band = [](const Fingerprint& a, const Fingerprint& b) {
    for (std::size_t band = 0; band < kLshBands; ++band) {
      const unsigned a0 = a.minhash[2 * band], a1 = a.minhash[2 * band + 1];
      const unsigned b0 = b.minhash[2 * band], b1 = b.minhash[2 * band + 1];
      if ((a0 & 0xFF) == (b0 & 0xFF) && (a1 & 0xFF) == (b1 & 0xFF) && ((a0 ^ a1) >> 8) == ((b0 ^ b1) >> 8))
        return true;
    }
    return false;
  };
  auto reference = [&](const Fingerprint& fp, std::int64_t source, std::int64_t published) {
    std::optional<DedupWindow::Match> best;
    for (const auto& [id, e] : live) {
      if (e.source_id == source || std::llabs(e.published - published) > 48 * 3600) continue;
      if (!shares_band(fp, e.fingerprint)) continue;
      int equal = 0;
      for (std::size_t i = 0; i < kMinHashSize; ++i)
        equal += (fp.minhash[i] & 0xFF) == (e.fingerprint.minhash[i] & 0xFF);
      const double score = (equal / 64.0 - 1.0 / 256) / (255.0 / 256);
      if (equal < 16 || (best && score <= best->similarity)) continue;
      best = DedupWindow::Match{e.cluster_id, id, score};
    }
    return best;
  };
  std::int64_t next_id = 1;
  std::size_t matched = 0;
  for (int step = 0; step < 6000; ++step) {
    const unsigned op = rng() % 10;
    if (op < 6 || live.empty()) {
      // One draw per statement: the order of a call's arguments is unspecified.
      const std::int64_t source = rng() % 5 + 1;
      const Fingerprint fp = variation();
      const std::int64_t published = (rng() % 5) * kDay;
      const auto e = entry(next_id++, source, fp, published);
      window.add(e);
      live[e.item_id] = e;
    } else {
      auto it = live.begin();
      std::advance(it, rng() % live.size());
      if (op < 8) {
        window.remove(it->first);
        live.erase(it);
      } else {
        it->second.fingerprint = variation();
        window.update_fingerprint(it->first, it->second.fingerprint);
      }
    }
    const Fingerprint query = variation();
    const std::int64_t source = rng() % 5 + 1;
    const std::int64_t published = (rng() % 5) * kDay;
    const auto expected = reference(query, source, published);
    const auto got = window.best_match(query, source, published, any);
    REQUIRE(window.size() == live.size());
    REQUIRE(got.has_value() == expected.has_value());
    if (got) {
      ++matched;
      REQUIRE(got->item_id == expected->item_id);
      REQUIRE(got->cluster_id == expected->cluster_id);
      REQUIRE(got->similarity == Approx(expected->similarity).epsilon(1e-12));
    }
  }
  CHECK(matched > 1000);  // the comparison covered matches, not only misses
}

TEST_CASE(
    "a band value indexes at most max_band_entries live entries; later ones are found through their other "
    "bands") {
  DedupOptions options;
  options.max_band_entries = 3;
  DedupWindow window(options);
  // Five stories alike in their first 32 minima (bands 0-15), each its own in the rest.
  const Fingerprint common = with_minima(40);
  std::vector<Fingerprint> stories;
  for (std::uint16_t n = 0; n < 6; ++n) {
    Fingerprint fp = common;
    for (std::size_t i = 32; i < kMinHashSize; ++i)
      fp.minhash[i] = static_cast<std::uint16_t>(1000 * (n + 1) + 13 * i);
    stories.push_back(fp);
  }
  for (std::int64_t n = 0; n < 5; ++n) window.add(entry(n + 1, n + 1, stories[static_cast<std::size_t>(n)]));
  CHECK(window.size() == 5);
  // The fifth story itself is found through bands 16-31, which only it holds.
  auto best = window.best_match(stories[4], 9, 0, any);
  REQUIRE(best.has_value());
  CHECK(best->item_id == 5);
  // A story sharing only bands 0-15 reaches the first three entries alone: 4 and 5 are as
  // similar (0.5) but were not indexed under those values.
  std::vector<std::int64_t> asked;
  best = window.best_match(common, 9, 0, [&](std::int64_t item, std::int64_t) {
    asked.push_back(item);
    return false;
  });
  CHECK_FALSE(best.has_value());
  CHECK(asked == std::vector<std::int64_t>{1, 2, 3});
  // The limit counts live entries: with item 1 removed, a sixth alike story is indexed there.
  window.remove(1);
  window.add(entry(6, 6, stories[5]));
  asked.clear();
  best = window.best_match(common, 9, 0, [&](std::int64_t item, std::int64_t) {
    asked.push_back(item);
    return item == 6;
  });
  REQUIRE(best.has_value());
  CHECK(best->item_id == 6);
  CHECK(asked == std::vector<std::int64_t>{2, 3, 6});
}
