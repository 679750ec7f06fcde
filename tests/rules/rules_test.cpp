// Each rule action and match kind on small documents of Vietnamese agency items.
#include <catch2/catch.hpp>
#include <chrono>
#include <string>
#include <vector>

#include "tinhop/rules/rules.hpp"

using namespace tinhop;
using namespace tinhop::rules;

namespace {

Item item(std::string title, std::string summary = {}) {
  Item out;
  out.title = std::move(title);
  if (!summary.empty()) out.summary = std::move(summary);
  out.link =
      "https://baochinhphu.vn/" + std::to_string(std::hash<std::string>{}(*out.title) % 100000) + ".htm";
  return out;
}

RuleSpec rule(std::string name, Action action, Match match, std::string pattern) {
  RuleSpec spec;
  spec.name = std::move(name);
  spec.action = action;
  spec.match = match;
  spec.pattern = std::move(pattern);
  return spec;
}

std::vector<std::string> titles(const std::vector<Item>& items) {
  std::vector<std::string> out;
  for (const Item& i : items) out.push_back(i.title.value_or(""));
  return out;
}

const std::vector<std::string> no_categories;
const SourceScope any_source{"https://baochinhphu.vn/rss", no_categories};

}  // namespace

TEST_CASE("words match whatever their case, diacritics and order", "[rules]") {
  RuleSet set({rule("hoi-nghi", Action::drop, Match::words, "hoi nghi")});
  std::vector<Item> items{item("Hội nghị Trung ương 8 khai mạc"), item("Nghị quyết về hội nhập"),
                          item("Giá vàng hôm nay")};
  items[0].id = "urn:tin:1";
  items[1].link = "https://baochinhphu.vn/nghi-quyet.htm";
  const Outcome outcome = set.apply(items, any_source);
  CHECK(titles(items) == std::vector<std::string>{"Giá vàng hôm nay"});
  REQUIRE(outcome.tallies.size() == 1);
  CHECK(outcome.tallies[0].rule == "hoi-nghi");
  CHECK(outcome.tallies[0].dropped == 2);
  REQUIRE(outcome.effects.size() == 2);
  CHECK(outcome.effects[0].key == "urn:tin:1");
  CHECK(outcome.effects[0].dropped_by == "hoi-nghi");
  CHECK(outcome.effects[1].key == "https://baochinhphu.vn/nghi-quyet.htm");
}

TEST_CASE("words match whole words only", "[rules]") {
  RuleSet set({rule("video", Action::drop, Match::words, "video")});
  std::vector<Item> items{item("Videoclip ca nhạc mới"), item("VIDEO: Lũ quét ở Lào Cai")};
  set.apply(items, any_source);
  CHECK(titles(items) == std::vector<std::string>{"Videoclip ca nhạc mới"});
}

TEST_CASE("a phrase needs its words next to each other and in order", "[rules]") {
  RuleSet set({rule("tu-vi", Action::drop, Match::phrase, "tử vi hôm nay")});
  std::vector<Item> items{item("Tử vi hôm nay 12 cung hoàng đạo"), item("Hôm nay xem tử vi"),
                          item("TU VI HOM NAY: tuổi Tý")};
  set.apply(items, any_source);
  CHECK(titles(items) == std::vector<std::string>{"Hôm nay xem tử vi"});
}

TEST_CASE("a phrase in a script written without spaces matches as a substring", "[rules]") {
  RuleSet set({rule("jingji", Action::drop, Match::phrase, "经济")});
  std::vector<Item> items{item("中国经济增长放缓"), item("经过济南")};
  set.apply(items, any_source);
  CHECK(titles(items) == std::vector<std::string>{"经过济南"});
}

TEST_CASE("a regex ignores case unless told, and reads the summary's text without its tags", "[rules]") {
  RuleSpec sensitive = rule("khuyen-mai", Action::drop, Match::regex, "^Khuyến mãi");
  sensitive.case_sensitive = true;
  RuleSet set({rule("quang-cao", Action::drop, Match::regex, "^quảng cáo\\b"), sensitive});
  std::vector<Item> items{item("QUẢNG CÁO Mua sắm cuối năm"), item("Khuyến mãi Tết"),
                          item("KHUYẾN MÃI lớn", ""), item("Tin thường", "<p>Bài về <b>quảng cáo</b></p>"),
                          item("Tin khác", "<p><b>Quảng</b> cáo:</p> bán nhà")};
  const Outcome outcome = set.apply(items, any_source);
  CHECK(titles(items) == std::vector<std::string>{"KHUYẾN MÃI lớn", "Tin thường"});
  REQUIRE(outcome.tallies.size() == 2);
  CHECK(outcome.tallies[0].dropped == 2);
  CHECK(outcome.tallies[1].dropped == 1);
}

TEST_CASE("rules read the link, authors, categories and language when told", "[rules]") {
  RuleSpec by_link = rule("by-link", Action::drop, Match::regex, "/video/");
  by_link.fields = {Field::link};
  RuleSpec by_author = rule("by-author", Action::drop, Match::words, "pv");
  by_author.fields = {Field::author};
  RuleSpec by_category = rule("by-category", Action::drop, Match::phrase, "the thao");
  by_category.fields = {Field::category};
  RuleSpec by_language = rule("by-language", Action::drop, Match::regex, "^en\\b");
  by_language.fields = {Field::language};
  RuleSet set({by_link, by_author, by_category, by_language});

  std::vector<Item> items(6);
  for (std::size_t i = 0; i < items.size(); ++i) items[i] = item("Tin " + std::to_string(i));
  items[0].link = "https://vtv.vn/video/lu-quet.htm";
  items[1].authors.push_back({"PV", std::nullopt, std::nullopt});
  items[2].categories = {"Thời sự", "Thể thao"};
  items[3].extras.ensure().language = "en-US";
  items[4].title = "video pv thể thao en";  // only the title says it: none of the rules reads that
  const Outcome outcome = set.apply(items, any_source, std::string("vi"));
  CHECK(titles(items) == std::vector<std::string>{"video pv thể thao en", "Tin 5"});
  REQUIRE(outcome.tallies.size() == 4);
  for (const auto& tally : outcome.tallies) CHECK(tally.dropped == 1);
}

TEST_CASE("the feed's language stands in for an item without its own", "[rules]") {
  RuleSpec english = rule("english", Action::drop, Match::words, "en");
  english.fields = {Field::language};
  RuleSet set({english});
  std::vector<Item> items{item("Breaking news"), item("Tin mới")};
  items[1].extras.ensure().language = "vi";
  set.apply(items, any_source, std::string("en"));
  CHECK(titles(items) == std::vector<std::string>{"Tin mới"});
}

TEST_CASE("keep rules are one allow-list: an item matching none is dropped under the first", "[rules]") {
  RuleSet set({rule("kinh-te", Action::keep, Match::words, "kinh tế"),
               rule("tai-chinh", Action::keep, Match::words, "tài chính")});
  std::vector<Item> items{item("Kinh tế quý III tăng trưởng"), item("Bóng đá: Việt Nam thắng"),
                          item("Thị trường tài chính ổn định"), item("Thời tiết miền Bắc")};
  const Outcome outcome = set.apply(items, any_source);
  CHECK(titles(items) ==
        std::vector<std::string>{"Kinh tế quý III tăng trưởng", "Thị trường tài chính ổn định"});
  REQUIRE(outcome.tallies.size() == 1);
  CHECK(outcome.tallies[0].rule == "kinh-te");
  CHECK(outcome.tallies[0].dropped == 2);
  REQUIRE(outcome.effects.size() == 2);
  CHECK(outcome.effects[0].index == 1);
  CHECK(outcome.effects[1].index == 3);
}

TEST_CASE("a tag rule adds its category once, to the items it matches", "[rules]") {
  RuleSpec tag = rule("covid", Action::tag, Match::words, "covid");
  tag.tag = "Y tế";
  RuleSet set({tag});
  std::vector<Item> items{item("Ca COVID-19 mới"), item("Giá xăng giảm"), item("Covid: tiêm mũi 4")};
  items[2].categories = {"Y tế"};
  const Outcome outcome = set.apply(items, any_source);
  CHECK(items[0].categories == std::vector<std::string>{"Y tế"});
  CHECK(items[1].categories.empty());
  CHECK(items[2].categories == std::vector<std::string>{"Y tế"});
  REQUIRE(outcome.effects.size() == 1);
  CHECK(outcome.effects[0].tagged_by == std::vector<std::string>{"covid"});
  CHECK(outcome.tallies.empty());
}

TEST_CASE("a rewrite removes the agency's prefix and a trailing read-more block", "[rules]") {
  RuleSpec prefix =
      rule("chinhphu-prefix", Action::rewrite, Match::regex, "^\\s*\\(Chinhphu\\.vn\\)\\s*-\\s*");
  prefix.fields = {Field::title, Field::summary};
  RuleSpec more = rule("xem-them", Action::rewrite, Match::regex, "(?s)<p>\\s*Xem thêm.*$");
  more.fields = {Field::content};
  RuleSet set({prefix, more});
  std::vector<Item> items{
      item("(Chinhphu.vn) - Thủ tướng chủ trì phiên họp", "(Chinhphu.vn) - Sáng nay, Thủ tướng...")};
  items[0].content =
      "<p>Nội dung chính.</p>\n<p>Xem thêm: <a href=\"/a\">Bài liên quan</a></p>\n<ul><li>x</li></ul>";
  const Outcome outcome = set.apply(items, any_source);
  CHECK(items[0].title == "Thủ tướng chủ trì phiên họp");
  CHECK(items[0].summary == "Sáng nay, Thủ tướng...");
  CHECK(items[0].content == "<p>Nội dung chính.</p>");
  REQUIRE(outcome.effects.size() == 1);
  CHECK(outcome.effects[0].rewritten_by == std::vector<std::string>{"chinhphu-prefix", "xem-them"});
}

TEST_CASE("a rewrite applies before drops, so a drop sees the cleaned title", "[rules]") {
  RuleSet set({rule("video-prefix", Action::rewrite, Match::regex, "^Video:\\s*"),
               rule("video", Action::drop, Match::regex, "^video")});
  std::vector<Item> items{item("Video: Lũ quét")};
  set.apply(items, any_source);
  CHECK(titles(items) == std::vector<std::string>{"Lũ quét"});
}

TEST_CASE("a rule applies to the sources and categories it names only", "[rules]") {
  RuleSpec by_source = rule("vtv-video", Action::drop, Match::words, "video");
  by_source.sources = {"https://vtv.vn/rss"};
  RuleSpec by_category = rule("sport-betting", Action::drop, Match::words, "cá cược");
  by_category.categories = {"the-thao"};
  RuleSet set({by_source, by_category});

  const std::vector<std::string> sport{"the-thao"};
  auto run = [&](SourceScope scope) {
    std::vector<Item> items{item("Video lũ quét"), item("Cá cược bóng đá")};
    set.apply(items, scope);
    return titles(items);
  };
  CHECK(run({"https://vtv.vn/rss", no_categories}) == std::vector<std::string>{"Cá cược bóng đá"});
  CHECK(run({"https://vnexpress.net/rss", sport}) == std::vector<std::string>{"Video lũ quét"});
  CHECK(run({"https://vnexpress.net/rss", no_categories}) ==
        std::vector<std::string>{"Video lũ quét", "Cá cược bóng đá"});
}

TEST_CASE("a pathological regex stops at the time limit, matches nothing and is counted", "[rules]") {
  RuleSet set({rule("backtracking", Action::drop, Match::regex, "^(a+)+$")});
  std::vector<Item> items{item(std::string(40, 'a') + "!"), item("Tin thường")};
  const auto start = std::chrono::steady_clock::now();
  const Outcome outcome = set.apply(items, any_source);
  CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(2));
  CHECK(items.size() == 2);
  REQUIRE(outcome.tallies.size() == 1);
  CHECK(outcome.tallies[0].rule == "backtracking");
  CHECK(outcome.tallies[0].dropped == 0);
  CHECK(outcome.tallies[0].timeouts == 1);
}

TEST_CASE("regexes searched through one screen per field match and count as each alone", "[rules]") {
  RuleSpec shouting = rule("breaking", Action::drop, Match::regex, "BREAKING");
  shouting.case_sensitive = true;
  RuleSpec year = rule("year", Action::tag, Match::regex, "\\b20\\d\\d\\b");
  year.tag = "Năm";
  RuleSet set({rule("video", Action::drop, Match::regex, "^video\\s*:"),
               rule("promo", Action::drop, Match::regex, "khuyến mãi \\d+%"),
               rule("promo-again", Action::drop, Match::regex, "khuyến mãi \\d+%"),
               // A back-reference is searched alone, outside the screen.
               rule("repeat", Action::drop, Match::regex, "\\b(\\w+) \\1\\b"), shouting, year});
  std::vector<Item> items{item("Video: lũ quét"),     item("Giảm giá: KHUYẾN MÃI 50% hôm nay"),
                          item("rất rất nóng"),       item("Breaking news: bão"),
                          item("BREAKING: bão số 3"), item("Kinh tế năm 2026"),
                          item("Tin thường")};
  const Outcome outcome = set.apply(items, any_source);
  CHECK(titles(items) == std::vector<std::string>{"Breaking news: bão", "Kinh tế năm 2026", "Tin thường"});
  CHECK(items[1].categories == std::vector<std::string>{"Năm"});
  REQUIRE(outcome.tallies.size() == 4);
  CHECK(outcome.tallies[0].rule == "video");
  CHECK(outcome.tallies[1].rule == "promo");
  CHECK(outcome.tallies[2].rule == "repeat");
  CHECK(outcome.tallies[3].rule == "breaking");
  for (const RuleTally& tally : outcome.tallies) {
    CHECK(tally.dropped == 1);
    CHECK(tally.timeouts == 0);
  }
  REQUIRE(outcome.effects.size() == 5);
  CHECK(outcome.effects[4].tagged_by == std::vector<std::string>{"year"});
}

TEST_CASE("a pathological regex among others stops at the time limit and is counted once", "[rules]") {
  RuleSet set({rule("backtracking", Action::drop, Match::regex, "^(a+)+$"),
               rule("video", Action::drop, Match::regex, "^video:")});
  std::vector<Item> items{item(std::string(40, 'a') + "!"), item("Video: lũ"), item("Tin thường")};
  const auto start = std::chrono::steady_clock::now();
  const Outcome outcome = set.apply(items, any_source);
  CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(2));
  CHECK(titles(items) == std::vector<std::string>{std::string(40, 'a') + "!", "Tin thường"});
  REQUIRE(outcome.tallies.size() == 2);
  CHECK(outcome.tallies[0].rule == "backtracking");
  CHECK(outcome.tallies[0].dropped == 0);
  CHECK(outcome.tallies[0].timeouts == 1);
  CHECK(outcome.tallies[1].rule == "video");
  CHECK(outcome.tallies[1].dropped == 1);
  CHECK(outcome.tallies[1].timeouts == 0);
}

TEST_CASE("rewrites screened together still see what the rewrites before them left", "[rules]") {
  RuleSpec prefix = rule("prefix", Action::rewrite, Match::regex, "^\\(Chinhphu\\.vn\\)\\s*-\\s*");
  prefix.fields = {Field::title};
  RuleSpec video = rule("video", Action::rewrite, Match::regex, "^Video:\\s*");
  video.fields = {Field::title};
  RuleSet set({prefix, video});
  std::vector<Item> items{item("(Chinhphu.vn) - Video: Thủ tướng dự họp"), item("Video: lũ quét"),
                          item("Tin thường")};
  const Outcome outcome = set.apply(items, any_source);
  CHECK(titles(items) == std::vector<std::string>{"Thủ tướng dự họp", "lũ quét", "Tin thường"});
  REQUIRE(outcome.effects.size() == 2);
  CHECK(outcome.effects[0].rewritten_by == std::vector<std::string>{"prefix", "video"});
  CHECK(outcome.effects[1].rewritten_by == std::vector<std::string>{"video"});
}

TEST_CASE("check_rule says what makes a rule unusable", "[rules]") {
  CHECK(check_rule(rule("ok", Action::drop, Match::regex, "^Video:")).empty());
  CHECK(
      check_rule(rule("bad", Action::drop, Match::regex, "(Video")) ==
      std::vector<std::string>{"pattern: invalid regular expression: U_REGEX_MISMATCHED_PAREN at offset 6"});
  CHECK(check_rule(rule("empty", Action::drop, Match::words, "")) ==
        std::vector<std::string>{"pattern: must not be empty"});
  CHECK(check_rule(rule("punct", Action::drop, Match::words, "-- !")) ==
        std::vector<std::string>{"pattern: has no letter or digit to match"});
  CHECK(check_rule(rule("tagless", Action::tag, Match::words, "covid")) ==
        std::vector<std::string>{"tag: a tag rule needs the category it adds"});
  RuleSpec rewrite_words = rule("rw", Action::rewrite, Match::words, "xem thêm");
  rewrite_words.fields = {Field::link};
  CHECK(check_rule(rewrite_words) ==
        std::vector<std::string>{"match: a rewrite removes what a regex matches",
                                 "fields: a rewrite changes title, summary or content, not link"});
  REQUIRE_THROWS_AS(RuleSet({rule("bad", Action::drop, Match::regex, "(Video")}), std::invalid_argument);
}

TEST_CASE("check_rule refuses a pattern, a scope or a tag past its limit, and takes one at it", "[rules]") {
  std::string words;
  while (words.size() < kMaxPatternBytes) words += "tin ";
  words.resize(kMaxPatternBytes);
  CHECK(check_rule(rule("at-limit", Action::drop, Match::words, words)).empty());
  CHECK(check_rule(rule("too-long", Action::drop, Match::regex, words + "x")) ==
        std::vector<std::string>{"pattern: 8193 bytes; at most 8192"});
  RuleSpec wide = rule("wide", Action::drop, Match::words, "video");
  wide.sources.assign(kMaxScopeEntries, "https://baochinhphu.vn/rss");
  wide.categories.assign(kMaxScopeEntries, "Thời sự");
  CHECK(check_rule(wide).empty());
  wide.sources.emplace_back("https://vtv.vn/rss");
  wide.categories.emplace_back("Video");
  CHECK(check_rule(wide) == std::vector<std::string>{"sources: 1001 sources; at most 1000",
                                                     "categories: 1001 categories; at most 1000"});
  RuleSpec tag = rule("tag", Action::tag, Match::words, "covid");
  tag.tag = std::string(kMaxTagBytes, 'y');
  CHECK(check_rule(tag).empty());
  tag.tag += 'y';
  CHECK(check_rule(tag) == std::vector<std::string>{"tag: longer than 256 bytes"});
  tag.tag = "Y tế\x1b[31m";
  CHECK(check_rule(tag) == std::vector<std::string>{"tag: contains a control character"});
}

TEST_CASE("a regex that keeps hitting the time limit is given up for the rest of the document", "[rules]") {
  RuleSpec bomb = rule("backtracking", Action::drop, Match::regex, "^(a+)+$");
  bomb.fields = {Field::title};
  RuleSet set({bomb});
  std::vector<Item> items;
  for (int i = 0; i < 50; ++i) items.push_back(item(std::string(40, 'a') + "!" + std::to_string(i)));
  // It would match at once, were it still searched.
  items.push_back(item("aaaa"));
  const Outcome outcome = set.apply(items, any_source);
  CHECK(items.size() == 51);
  REQUIRE(outcome.tallies.size() == 1);
  CHECK(outcome.tallies[0].dropped == 0);
  CHECK(outcome.tallies[0].timeouts == RuleSet::kRegexTimeoutsPerDocument);
  // The next document starts afresh.
  std::vector<Item> next{item("aaaa")};
  CHECK(set.apply(next, any_source).tallies[0].dropped == 1);
  CHECK(next.empty());
}

TEST_CASE("a screen that keeps hitting the time limit is given up, its rules still searched alone",
          "[rules]") {
  RuleSet set({rule("backtracking", Action::drop, Match::regex, "^(a+)+$"),
               rule("video", Action::drop, Match::regex, "^video:")});
  std::vector<Item> items;
  for (int i = 0; i < 20; ++i) items.push_back(item(std::string(40, 'a') + "!" + std::to_string(i)));
  items.push_back(item("Video: lũ"));
  items.push_back(item("aaaa"));
  const Outcome outcome = set.apply(items, any_source);
  CHECK(items.size() == 21);
  CHECK(items.back().title == "aaaa");
  REQUIRE(outcome.tallies.size() == 2);
  CHECK(outcome.tallies[0].timeouts == RuleSet::kRegexTimeoutsPerDocument);
  CHECK(outcome.tallies[1].rule == "video");
  CHECK(outcome.tallies[1].dropped == 1);
}
