#include <catch2/catch.hpp>

#include "tinhop/parsers/fingerprint.hpp"

using namespace tinhop;

namespace {
const std::string kLead =
    "Sáng nay tại Hà Nội Thủ tướng chủ trì hội nghị trực tuyến toàn quốc về phát triển kinh tế xã hội với sự "
    "tham dự của lãnh đạo các bộ ngành và địa phương bàn giải pháp tháo gỡ khó khăn cho doanh nghiệp";
const std::string kOther =
    "Giá vàng trong nước hôm nay tiếp tục tăng mạnh theo đà của thị trường thế giới khi đồng USD suy yếu và "
    "nhà "
    "đầu tư tìm đến kênh trú ẩn an toàn trước những bất ổn của kinh tế toàn cầu";
}  // namespace

TEST_CASE("text keys unify case, tone placement, composition and punctuation") {
  CHECK(text_key("Hóa đơn") == text_key("hoá đơn"));
  CHECK(text_key("Ủy ban") == text_key("uỷ ban"));
  CHECK(text_key("thủy điện") == text_key("thuỷ điện"));
  CHECK(text_key("Hòa bình") == text_key("hoà bình"));
  CHECK(text_key("khỏe") == text_key("khoẻ"));
  CHECK(text_key("Quý") == text_key("quý"));
  // NFD input (combining marks) gives the same key as NFC.
  CHECK(text_key("Vie\xCC\xA3\xCC\x82t Nam") == text_key("Việt Nam"));
  CHECK(text_key("“Giá vàng” hôm nay, 14/3!") == text_key("giá vàng hôm nay 14 3"));
  CHECK(text_key("“Giá vàng” hôm nay, 14/3!").find_first_of(",/!\"") == std::string::npos);
  CHECK(text_key("  ĐẢNG   bộ ") == text_key("đảng bộ"));
  CHECK(text_key("hôm nay, 14/3") == "hôm nay 14 3");  // no tone marks: plain folded text
  // Tones still tell words apart.
  CHECK(text_key("ma") != text_key("má"));
  CHECK(text_key("hoàng") != text_key("hoang"));
  CHECK(text_key("").empty());
  CHECK(text_key("!!! ---").empty());
}

TEST_CASE("the tone mark is written last in each syllable of a key") {
  // "hóa" (old placement) and "hoá" (new) both become h-o-a + acute, which NFC writes "hoá".
  CHECK(text_key("hóa") == "hoá");
  CHECK(text_key("thủy") == "thuỷ");
  // After a final consonant the mark follows it (NFC even composes t + dot below into ṭ):
  // a key, not display text.
  CHECK(text_key("việt") == "viê\xE1\xB9\xAD");
}

TEST_CASE("fingerprints of republications are similar; of different stories not") {
  const auto original = fingerprint("Thủ tướng chủ trì hội nghị", kLead, "");
  const auto same = fingerprint("Thủ tướng chủ trì hội nghị", kLead, "");
  std::string edited = kLead;
  edited.replace(edited.find("hội nghị"), std::string("hội nghị").size(), "cuộc họp");
  const auto rewrite = fingerprint("(Chinhphu.vn) - Thủ tướng chủ trì hội nghị", edited, "");
  const auto other = fingerprint("Giá vàng hôm nay", kOther, "");
  CHECK(similarity(original, same) == 1.0);
  CHECK(similarity(original, rewrite) > 0.5);
  CHECK(similarity(original, other) < 0.1);
  CHECK(similarity(original, Fingerprint{}) == 0.0);
  CHECK(fingerprint("", "", "").shingles == 0);
}

TEST_CASE("tone placement does not change a fingerprint") {
  CHECK(similarity(fingerprint("Ủy ban hóa chất thủy sản", kLead, ""),
                   fingerprint("Uỷ ban hoá chất thuỷ sản", kLead, "")) == 1.0);
}

TEST_CASE("fingerprints survive a round trip through bytes") {
  const auto fp = fingerprint("Tin", kLead, kOther);
  const auto back = from_bytes(to_bytes(fp));
  CHECK(back.minhash == fp.minhash);
  CHECK(back.shingles == fp.shingles);
  CHECK(from_bytes("short").shingles == 0);

  const auto headline = fingerprint("Giá vàng sáng 15/9: SJC tăng 200.000 đồng", "", "");
  const std::string bytes = to_bytes(headline);
  CHECK(bytes.size() == 141);
  const auto headline_back = from_bytes(bytes);
  CHECK(headline_back.minhash == headline.minhash);
  CHECK(headline_back.figures == headline.figures);
  CHECK(headline_back.title_only);
  // A fingerprint stored before figures were kept: its figures are unknown.
  const auto legacy = from_bytes(bytes.substr(0, 132));
  CHECK(legacy.minhash == headline.minhash);
  CHECK(legacy.shingles == headline.shingles);
  CHECK(legacy.figures.bits == 0);
  CHECK_FALSE(legacy.title_only);
  CHECK(from_bytes(bytes.substr(0, 140)).shingles == 0);
}

TEST_CASE("a fingerprint carries its item's figures and whether it is a headline alone") {
  const auto headline = fingerprint("Giá vàng sáng 15/9", "", "");
  CHECK(headline.title_only);
  CHECK(headline.figures == figures_of("Giá vàng sáng 15/9", ""));
  const std::string lead = "Sáng 15/9, giá vàng SJC tăng 200.000 đồng. Hôm qua 14/9 giá giảm.";
  const auto summarized = fingerprint("Giá vàng hôm nay", lead, "");
  CHECK_FALSE(summarized.title_only);
  CHECK(summarized.figures == figures_of("Giá vàng hôm nay", lead));
  CHECK(summarized.figures != figures_of("Giá vàng hôm nay", ""));
  // Without a summary the lead is the content's opening.
  CHECK(fingerprint("Giá vàng hôm nay", " ", lead).figures == summarized.figures);
  CHECK_FALSE(fingerprint("Giá vàng hôm nay", "", lead).title_only);
  // A title long enough to fill the fingerprint is not a headline alone.
  std::string long_title;
  for (int i = 0; i < 200; ++i) long_title += "tin ";
  CHECK_FALSE(fingerprint(long_title, "", "").title_only);
  CHECK_FALSE(Fingerprint{}.title_only);
}

TEST_CASE("the LSH index returns near duplicates as candidates and forgets erased ones") {
  LshIndex index;
  const auto a = fingerprint("Thủ tướng chủ trì hội nghị", kLead, "");
  const auto b = fingerprint("Giá vàng hôm nay", kOther, "");
  index.insert(1, a);
  index.insert(2, b);
  CHECK(index.size() == 2);
  CHECK(index.candidates(a) == std::vector<std::uint64_t>{1});
  CHECK(index.candidates(b) == std::vector<std::uint64_t>{2});
  index.erase(1, a);
  CHECK(index.candidates(a).empty());
  CHECK(index.size() == 1);
  index.insert(3, Fingerprint{});  // empty fingerprints are never indexed
  CHECK(index.size() == 1);
}

TEST_CASE("stable_hash is stable across runs") {
  CHECK(stable_hash("tinhop") == stable_hash("tinhop"));
  CHECK(stable_hash("tinhop") != stable_hash("tinhop", 1));
  CHECK(stable_hash("") != stable_hash(std::string_view("\0", 1)));
}

TEST_CASE("text outside the precomputed table takes the general path once") {
  // A code point beyond the table (€, emoji, CJK) switches the whole text to ICU; no
  // syllable may be emitted twice.
  CHECK(text_key("Ủy ban € hóa 日本") == "uỷ ban hoá 日本");
  CHECK(text_key("hóa 😀 ủy") == "hoá uỷ");
  for (const char* text : {"Ủy ban € hóa 日本", "https://x.vn/hóa?utm=1 ǅ", "İstanbul ΐ ŉ", "Đ € Đ"}) {
    const auto key = text_key(text);
    CHECK(text_key(key) == key);
  }
}
