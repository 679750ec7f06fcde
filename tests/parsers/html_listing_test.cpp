#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "support/paths.hpp"
#include "tinhop/parsers/contract_json.hpp"
#include "tinhop/parsers/html_listing.hpp"

using namespace std::chrono;
using tinhop::DateOrder;
using tinhop::HtmlError;
using tinhop::HtmlSelectors;
using tinhop::Instant;
using tinhop::ParseContext;

namespace {

Instant at(int y, unsigned m, unsigned d, int h, int min, int s = 0) {
  return sys_days{year{y} / month{m} / day{d}} + hours{h} + minutes{min} + seconds{s};
}

ParseContext context(std::string url, Instant now, DateOrder order = DateOrder::automatic) {
  ParseContext c;
  c.url = std::move(url);
  c.time_zone = "Asia/Ho_Chi_Minh";
  c.date_order = order;
  c.now = now;
  return c;
}

HtmlSelectors spec(const std::string& line) {
  std::string message;
  const auto selectors = tinhop::parse_selector_spec(line, message);
  INFO(message);
  REQUIRE(selectors);
  return *selectors;
}

// One item as the tests state it: link, title, date (RFC 3339) and whether approximate.
struct Expected {
  std::string link;
  std::string title;
  std::string date;
  bool approximate;
};

void check_items(const tinhop::ParseResult& result, const std::vector<Expected>& expected) {
  REQUIRE(result.feed.items.size() == expected.size());
  for (std::size_t i = 0; i < expected.size(); ++i) {
    const auto& item = result.feed.items[i];
    INFO("item " << i);
    CHECK(item.link.value_or("") == expected[i].link);
    CHECK(item.title.value_or("") == expected[i].title);
    REQUIRE(item.published);
    CHECK(tinhop::format_rfc3339(*item.published) == expected[i].date);
    CHECK(item.date_approximate == expected[i].approximate);
  }
}

const std::string article_url = "https://tinhx.gov.vn/tin-tuc/hoi-nghi-so-ket-2019.html";
const Instant article_now = at(2019, 8, 3, 2, 0);  // 09:00 on 3 August in Hà Nội

tinhop::HtmlListingOutcome read(const std::string& bytes, const ParseContext& c, const HtmlSelectors& s) {
  auto outcome = tinhop::parse_html_listing(bytes, c, s);
  INFO(outcome.message);
  REQUIRE(outcome.error == HtmlError::none);
  return outcome;
}

}  // namespace

TEST_CASE("the other-articles list of an agency article page: relative dates, repeats merged", "[html]") {
  const std::string page =
      tinhop::test::read_file(tinhop::test::data_dir() / "parsers/html/agency-article.html");
  const auto outcome = read(page, context(article_url, article_now, DateOrder::dmy),
                            spec("item=li.news-item; title=a.title; date=span.date"));
  const auto& result = outcome.result;
  CHECK(result.feed.format == tinhop::FeedFormat::html);
  CHECK(result.path == tinhop::ParsePath::html);
  CHECK(result.feed.encoding == "utf-8");
  CHECK(result.feed.language == "vi");
  CHECK(result.feed.title == "Hội nghị sơ kết công tác 6 tháng đầu năm 2019 - Cổng thông tin điện tử tỉnh X");
  check_items(result,
              {
                  // Listed as "25 ngày trước", then again under "Đọc nhiều" with an exact
                  // date: one item, the exact date wins.
                  {"https://tinhx.gov.vn/tin-tuc/tinh-x-don-bang-khen-1234.html",
                   "Tỉnh X đón nhận Bằng khen của Thủ tướng Chính phủ", "2019-08-02T01:15:00Z", false},
                  {"https://tinhx.gov.vn/tin-tuc/khoi-cong-du-an-5678.html",
                   "Khởi công dự án đường tỉnh 760 nối các huyện phía Bắc", "2019-08-03T00:00:00Z", true},
                  // "hôm qua": the start of 2 August in Hà Nội; the fragment is dropped and
                  // the "3 ngày trước" repeat merged.
                  {"https://tinhx.gov.vn/tin-tuc/hop-bao-9012.html", "Họp báo định kỳ quý III năm 2019",
                   "2019-08-01T17:00:00Z", true},
                  // Undated: first seen at the fetch time, marked approximate.
                  {"https://tinhx.gov.vn/tin-tuc/tiep-cong-dan-3456.html", "Tiếp công dân định kỳ tháng 8",
                   "2019-08-03T02:00:00Z", true},
              });
  CHECK(result.feed.items[0].thumbnail ==
        "https://tinhx.gov.vn/uploads/thumb/1234.jpg");  // data-src, not data:
  CHECK_FALSE(result.feed.items[1].thumbnail);
  CHECK(result.warnings ==
        std::vector<std::string>{"1 cards without a usable link skipped",
                                 "1 items without a date on the page: fetch time used, marked approximate"});
}

TEST_CASE("the article itself: title, the '02/08/2019 | 341' line, teaser and first photo", "[html]") {
  const std::string page =
      tinhop::test::read_file(tinhop::test::data_dir() / "parsers/html/agency-article.html");
  const auto outcome = read(page, context(article_url, article_now, DateOrder::dmy),
                            spec("item=div.article; title=h1; link=//link[@rel='canonical']/@href; "
                                 "date=.article-meta; summary=p.sapo; image=figure img"));
  check_items(outcome.result, {{article_url, "Hội nghị sơ kết công tác 6 tháng đầu năm 2019",
                                "2019-08-01T17:00:00Z", false}});
  const auto& item = outcome.result.feed.items[0];
  CHECK(item.summary ==
        "Sáng ngày 02/8, UBND tỉnh tổ chức hội nghị sơ kết công tác 6 tháng đầu "
        "năm\u00A02019.");
  CHECK(item.thumbnail == "https://tinhx.gov.vn/uploads/2019/08/hoi-nghi.jpg");
  CHECK(outcome.result.warnings.empty());
}

TEST_CASE("a per-source date layout reads what the table would not decide", "[html]") {
  std::string page = tinhop::test::read_file(tinhop::test::data_dir() / "parsers/html/agency-article.html");
  page.replace(page.find("<html lang=\"vi\">"), 16, "<html>");
  // With nothing known of the source (no language, a zone of no country, a host of no
  // country), automatic order cannot tell 02/08 apart, so the card keeps its relative date ...
  ParseContext unknown = context("https://tinhx.example/tin-tuc/hoi-nghi-so-ket-2019.html", article_now);
  unknown.time_zone = "Etc/GMT-7";
  auto outcome = read(page, unknown, spec("item=li.news-item; title=a.title; date=span.date"));
  CHECK(tinhop::format_rfc3339(*outcome.result.feed.items[0].published) == "2019-07-09T02:00:00Z");
  CHECK(outcome.result.feed.items[0].date_approximate);
  CHECK(outcome.result.date_order.basis == tinhop::DateOrderBasis::undecided);
  // ... and a layout settles it.
  outcome = read(page, unknown,
                 spec("item=li.news-item; title=a.title; date=span.date; date_format=%d/%m/%Y %H:%M"));
  CHECK(tinhop::format_rfc3339(*outcome.result.feed.items[0].published) == "2019-08-02T01:15:00Z");
  CHECK_FALSE(outcome.result.feed.items[0].date_approximate);
}

TEST_CASE("a listing page whose numeric dates cannot tell is read in its source's customary order",
          "[html]") {
  const std::string page =
      "<html><body><ul>"
      "<li class=\"tin\"><a href=\"/a.html\">Tin A</a><span class=\"ngay\">08/09/2018 10:30</span></li>"
      "<li class=\"tin\"><a href=\"/b.html\">Tin B</a><span class=\"ngay\">07/09/2018 09:00</span></li>"
      "</ul></body></html>";
  const HtmlSelectors selectors = spec("item=li.tin; date=span.ngay");
  const Instant now = at(2026, 9, 15, 5, 0);
  // The time zone's country (Việt Nam) writes the day first.
  auto outcome = read(page, context("http://127.0.0.1:8080/tin", now), selectors);
  check_items(outcome.result, {{"http://127.0.0.1:8080/a.html", "Tin A", "2018-09-08T03:30:00Z", false},
                               {"http://127.0.0.1:8080/b.html", "Tin B", "2018-09-07T02:00:00Z", false}});
  CHECK(outcome.result.date_order ==
        tinhop::DateOrderDecision{DateOrder::dmy, tinhop::DateOrderBasis::time_zone});
  CHECK(outcome.result.dates_not_understood == 0);
  // The html lang attribute comes before the zone.
  const std::string english = "<html lang=\"en-US\">" + page.substr(6);
  outcome = read(english, context("http://127.0.0.1:8080/tin", now), selectors);
  check_items(outcome.result, {{"http://127.0.0.1:8080/a.html", "Tin A", "2018-08-09T03:30:00Z", false},
                               {"http://127.0.0.1:8080/b.html", "Tin B", "2018-07-09T02:00:00Z", false}});
  CHECK(outcome.result.date_order ==
        tinhop::DateOrderDecision{DateOrder::mdy, tinhop::DateOrderBasis::language});
  // Nothing known: the cards are undated, and counted.
  ParseContext unknown = context("http://127.0.0.1:8080/tin", now);
  unknown.time_zone = "UTC";
  outcome = read(page, unknown, selectors);
  CHECK(outcome.result.date_order.basis == tinhop::DateOrderBasis::undecided);
  CHECK(outcome.result.dates_not_understood == 2);
  CHECK(
      outcome.result.warnings ==
      std::vector<std::string>{"2 items without a date understood: nothing tells whether day or month comes "
                               "first (set the source's date_order); fetch time used, marked approximate"});
}

TEST_CASE("a date in <meta article:published_time> dates a one-item page first", "[html]") {
  const std::string page =
      "<html><head><meta property='article:published_time' content='2019-08-02T10:30:00+07:00'></head>"
      "<body><div class=article><h1><a href='/a/1.html'>Tin một về hội nghị</a></h1>"
      "<div class=meta>02/08/2019 | 341</div></div></body></html>";
  const auto outcome = read(page, context("https://tinhx.gov.vn/", article_now, DateOrder::dmy),
                            spec("item=div.article; date=.meta"));
  check_items(outcome.result,
              {{"https://tinhx.gov.vn/a/1.html", "Tin một về hội nghị", "2019-08-02T03:30:00Z", false}});
}

TEST_CASE("a repeat with a relative date dates an undated card; an exact one beats both", "[html]") {
  const std::string page =
      "<ul><li><a href='/1'>Một</a></li><li><a href='/2'>Hai</a><i class=date>2 giờ trước</i></li>"
      "<li><a href='/1'>Một</a><i class=date>5 phút trước</i></li>"
      "<li><a href='/2'>Hai</a><i class=date>15/09/2026 10:00</i></li>"
      "<li><a href='/1'>Một</a><i class=date>1 giờ trước</i></li></ul>";
  const auto outcome = read(page, context("https://x.vn/", at(2026, 9, 15, 12, 0)), spec("item=li"));
  check_items(outcome.result, {{"https://x.vn/1", "Một", "2026-09-15T11:55:00Z", true},
                               {"https://x.vn/2", "Hai", "2026-09-15T03:00:00Z", false}});
}

TEST_CASE("machine dates: datetime, data-time epoch, title", "[html]") {
  const std::string page =
      "<ul><li><a href='/1'>Một</a><time datetime='2026-09-15T07:13:33+0700'>15/09/2026 07:13</time></li>"
      "<li><a href='/2'>Hai</a><span data-time='1789473825'>vài phút trước</span></li>"
      "<li><a href='/3'>Ba</a><div class='time' title='2026-09-15T10:00:00'>10:00 15/09/2026</div></li>"
      "<li><a href='/4'>Bốn</a><span class='date'>Cập nhật: 14/09/2026 11:20</span></li></ul>";
  const auto outcome = read(page, context("https://x.vn/", at(2026, 9, 15, 12, 0)), spec("item=li"));
  check_items(outcome.result, {{"https://x.vn/1", "Một", "2026-09-15T00:13:33Z", false},
                               {"https://x.vn/2", "Hai", "2026-09-15T12:03:45Z", false},
                               {"https://x.vn/3", "Ba", "2026-09-15T03:00:00Z", false},
                               {"https://x.vn/4", "Bốn", "2026-09-14T04:20:00Z", false}});
}

TEST_CASE("a saved page read without its address resolves links against its canonical link", "[html]") {
  const std::string page =
      "<html><head><link rel=canonical href='https://x.vn/chuyen-muc/tin.html'></head><body>"
      "<div class=c><a href='bai-1.html' title=' Bài  thu\u031B\u0301 nhất '></a></div>"
      "<div class=c><a href='/bai-2.html'>Bài hai</a></div></body></html>";
  const auto outcome = read(page, context("", article_now), spec("item=div.c"));
  // The title attribute is collapsed and composed (NFD "thứ" becomes NFC) like element text.
  check_items(outcome.result,
              {{"https://x.vn/chuyen-muc/bai-1.html", "Bài thứ nhất", "2019-08-03T02:00:00Z", true},
               {"https://x.vn/bai-2.html", "Bài hai", "2019-08-03T02:00:00Z", true}});
}

TEST_CASE("selectors that match nothing: a warning and zero items", "[html]") {
  const std::string page =
      tinhop::test::read_file(tinhop::test::data_dir() / "parsers/html/agency-article.html");
  const auto outcome = read(page, context(article_url, article_now), spec("item=div.no-such-card"));
  CHECK(outcome.result.feed.items.empty());
  CHECK(outcome.result.warnings ==
        std::vector<std::string>{"item selector \"div.no-such-card\" matched nothing: no items"});
}

TEST_CASE("invalid selectors are refused with the selector named", "[html]") {
  const ParseContext c = context("https://x.vn/", article_now);
  auto outcome = tinhop::parse_html_listing("<p>x</p>", c, spec("item=div["));
  CHECK(outcome.error == HtmlError::bad_selector);
  CHECK(outcome.message == "selector \"div[\" is neither XPath nor a supported CSS selector");
  outcome = tinhop::parse_html_listing("<p>x</p>", c, spec("item=//div[@class="));
  CHECK(outcome.error == HtmlError::bad_selector);
  CHECK(outcome.message.rfind("selector \"//div[@class=\": invalid XPath (", 0) == 0);
  outcome = tinhop::parse_html_listing("<p>x</p>", c, spec("item=xpath:count(//a)"));
  CHECK(outcome.error == HtmlError::bad_selector);
  CHECK(outcome.message == "selector \"xpath:count(//a)\" does not select nodes");
  outcome = tinhop::parse_html_listing("<p>x</p>", c, HtmlSelectors{});
  CHECK(outcome.error == HtmlError::bad_selector);
  CHECK(outcome.message == "the item selector is required");
}

TEST_CASE("malformed HTML is read as a browser would", "[html]") {
  const std::string page =
      "junk before <html><body><ul class=list><li class=card><a href=/tin/1.html>Tin <b>thứ nhất</a></b>"
      "<span class=date>14/09/2026 11:20</div><li class=card><a href='/tin/2.html'>Tin thứ hai&nbsp;&amp; ba"
      "<li class=card><p><a href=\"/tin/3.html\" title=x>Tin thứ ba</p>";
  const auto outcome = read(page, context("https://x.vn/m/", at(2026, 9, 15, 12, 0)), spec("item=li.card"));
  check_items(outcome.result,
              {{"https://x.vn/tin/1.html", "Tin thứ nhất", "2026-09-14T04:20:00Z", false},
               {"https://x.vn/tin/2.html", "Tin thứ hai\u00A0& ba", "2026-09-15T12:00:00Z", true},
               {"https://x.vn/tin/3.html", "Tin thứ ba", "2026-09-15T12:00:00Z", true}});
}

TEST_CASE("bytes that are no page at all yield zero items and a warning", "[html]") {
  const std::string junk("\x00\xff\xfe<<<>>>&&&\x01\x02", 14);
  const auto outcome = read(junk, context("https://x.vn/", article_now), spec("item=li"));
  CHECK(outcome.result.feed.items.empty());
  CHECK(outcome.result.warnings.back() == "item selector \"li\" matched nothing: no items");
}

TEST_CASE("a page with 1,500 links is capped, and suggestions stay bounded", "[html]") {
  std::string page = "<html><body><ul>";
  for (int i = 0; i < 1500; ++i) {
    page += "<li class=n><a href='/tin/" + std::to_string(i) + ".html'>Tin số " + std::to_string(i) +
            " về một chuyện dài</a><span class=date>14/09/2026 11:20</span></li>";
  }
  page += "</ul></body></html>";
  const ParseContext c = context("https://x.vn/", at(2026, 9, 15, 12, 0));
  const auto outcome = read(page, c, spec("item=li.n"));
  REQUIRE(outcome.result.feed.items.size() == 1000);
  CHECK(outcome.result.feed.items[999].link == "https://x.vn/tin/999.html");
  CHECK(outcome.result.warnings ==
        std::vector<std::string>{"more than 1000 items on the page: the rest dropped"});

  const auto suggestions = tinhop::suggest_selectors(page, c);
  REQUIRE_FALSE(suggestions.empty());
  CHECK(suggestions.front().selectors.item == "li.n");
  CHECK(suggestions.front().items == 1000);
  CHECK(suggestions.front().dated_items == 1000);
}

TEST_CASE("pages over the size or nesting limits are refused", "[html]") {
  const ParseContext c = context("https://x.vn/", article_now);
  tinhop::HtmlLimits limits;
  limits.max_bytes = 100;
  auto outcome = tinhop::parse_html_listing(std::string(101, 'a'), c, spec("item=li"), limits);
  CHECK(outcome.error == HtmlError::too_large);
  CHECK(outcome.message == "page of 101 bytes exceeds the limit of 100");

  std::string deep;
  for (int i = 0; i < 3000; ++i) deep += "<div>";
  outcome = tinhop::parse_html_listing(deep, c, spec("item=div"));
  CHECK(outcome.error == HtmlError::too_deep);
  CHECK(outcome.message == "element nesting of about 3000 exceeds the limit of 2000");
  // Markup inside scripts and comments is text, not nesting.
  std::string scripted = "<ul><li><a href='/1'>Một</a></li></ul><script>var t = '";
  for (int i = 0; i < 3000; ++i) scripted += "<div>";
  scripted += "';</SCRIPT><!-- " + deep + " -->";
  CHECK(tinhop::parse_html_listing(scripted, c, spec("item=li")).result.feed.items.size() == 1);
  // Unclosed <p> and <li> and void elements do not nest.
  std::string flat;
  for (int i = 0; i < 3000; ++i) flat += "<li><p>x<br><img src=a.png>";
  CHECK(tinhop::parse_html_listing(flat, c, spec("item=li")).error == HtmlError::none);
}

TEST_CASE("a page whose trees outgrow the memory budget is refused, as a feed would be", "[html]") {
  const ParseContext c = context("https://x.vn/", article_now);
  std::string tiny = "<html><body>";
  for (int i = 0; i < 200'000; ++i) tiny += "<b>x</b>";
  tiny += "</body></html>";
  auto outcome = tinhop::parse_html_listing(tiny, c, spec("item=b"));
  CHECK(outcome.error == HtmlError::over_memory_budget);
  CHECK(outcome.message == "page needs more than 16.0 MiB to parse (budget: the 16.0 MiB floor)");
  CHECK(outcome.result.feed.items.empty());
  tinhop::HtmlLimits limits;
  limits.memory_floor = 1U << 20U;
  outcome = tinhop::parse_html_listing(tiny, c, spec("item=b"), limits);
  CHECK(outcome.error == HtmlError::over_memory_budget);
  CHECK(outcome.message == "page needs more than 6.1 MiB to parse (budget: 4x its 1.6 MB)");
  // The selector suggestions go through the same budget.
  CHECK(tinhop::suggest_selectors(tiny, c).empty());
}

TEST_CASE("a windows-1258 page declared in <meta charset> comes out as NFC UTF-8", "[html]") {
  // "Tin tức" in windows-1258: ư is 0xFD and the acute accent the combining mark 0xEC.
  const std::string page =
      "<html><head><meta charset=\"windows-1258\"></head><body><ul><li>"
      "<a href='/1'>Tin t\xFD\xEC"
      "c</a></li><li><a href='/2'>Hai</a></li></ul></body></html>";
  const auto outcome = read(page, context("https://x.vn/", article_now), spec("item=li"));
  CHECK(outcome.result.feed.encoding == "windows-1258");
  REQUIRE(outcome.result.feed.items.size() == 2);
  CHECK(outcome.result.feed.items[0].title == "Tin tức");
}

TEST_CASE("css_to_xpath compiles the common forms", "[html]") {
  CHECK(tinhop::css_to_xpath("article", false) == "//article");
  CHECK(tinhop::css_to_xpath("a", true) == ".//a");
  CHECK(tinhop::css_to_xpath(".story", false) ==
        "//*[contains(concat(' ',normalize-space(@class),' '),' story ')]");
  CHECK(tinhop::css_to_xpath("div#main > h2 a.title", false) ==
        "//div[@id='main']/h2//a[contains(concat(' ',normalize-space(@class),' '),' title ')]");
  CHECK(tinhop::css_to_xpath("[data-time]", true) == ".//*[@data-time]");
  CHECK(tinhop::css_to_xpath("a[href^='/tin'], time[datetime]", false) ==
        "//a[starts-with(@href,'/tin')] | //time[@datetime]");
  CHECK(tinhop::css_to_xpath("meta[property=\"article:published_time\"]", false) ==
        "//meta[@property='article:published_time']");
  CHECK(tinhop::css_to_xpath("a[href$=\".html\"]", false) ==
        "//a[substring(@href,string-length(@href)-string-length('.html')+1)='.html']");
  CHECK(tinhop::css_to_xpath("a[href*=\"post\"]", false) == "//a[contains(@href,'post')]");
  CHECK(tinhop::css_to_xpath("> li", true) == "./li");
  CHECK_FALSE(tinhop::css_to_xpath("a:hover", false));
  CHECK_FALSE(tinhop::css_to_xpath("a +", false));
  CHECK_FALSE(tinhop::css_to_xpath("", false));
}

TEST_CASE("selector specs round-trip and reject unknown keys", "[html]") {
  const HtmlSelectors s = spec(" item = article.story ; title=h2 a;date=time; date_format=%d/%m/%Y %H:%M ");
  CHECK(s.item == "article.story");
  CHECK(s.title == "h2 a");
  CHECK(s.date == "time");
  CHECK(s.date_format == "%d/%m/%Y %H:%M");
  CHECK(tinhop::format_selector_spec(s) ==
        "item=article.story; title=h2 a; date=time; date_format=%d/%m/%Y %H:%M");
  std::string message;
  CHECK_FALSE(tinhop::parse_selector_spec("item=li; colour=red", message));
  CHECK(message ==
        "unknown selector key \"colour\" (expected item, title, link, date, summary, image or date_format)");
  CHECK_FALSE(tinhop::parse_selector_spec("li.card", message));
  CHECK(message == "selector part \"li.card\" has no '=' (write key=selector)");
}

TEST_CASE("extract_article: the densest paragraphs, the h1 and the page's own date line", "[html]") {
  const std::string page =
      tinhop::test::read_file(tinhop::test::data_dir() / "parsers/html/agency-article.html");
  const auto outcome = tinhop::extract_article(page, context(article_url, article_now, DateOrder::dmy));
  REQUIRE(outcome.error == HtmlError::none);
  const auto& article = outcome.article;
  CHECK(article.title == "Hội nghị sơ kết công tác 6 tháng đầu năm 2019");
  REQUIRE(article.published);
  // "02/08/2019 | 341", not "25 ngày trước" from the other-articles list.
  CHECK(tinhop::format_rfc3339(*article.published) == "2019-08-01T17:00:00Z");
  REQUIRE(article.content);
  CHECK(article.content->rfind("<p class=\"sapo\">Sáng ngày 02/8, UBND tỉnh", 0) == 0);
  CHECK(article.content->find("Quang cảnh hội nghị") != std::string::npos);
  CHECK(article.content->find("Bằng khen") == std::string::npos);
  CHECK(article.warnings.empty());
}

TEST_CASE("extract_article: a named body, the size cap, and a page with no body", "[html]") {
  const std::string page =
      tinhop::test::read_file(tinhop::test::data_dir() / "parsers/html/agency-article.html");
  tinhop::ArticleOptions options;
  options.content = "div.article-body";
  options.max_content_bytes = 200;
  auto outcome = tinhop::extract_article(page, context(article_url, article_now, DateOrder::dmy), options);
  REQUIRE(outcome.error == HtmlError::none);
  REQUIRE(outcome.article.content);
  CHECK(outcome.article.content->size() <= 200);
  CHECK(outcome.article.warnings == std::vector<std::string>{"article body cut at 200 bytes"});

  outcome =
      tinhop::extract_article("<html><body><p>Ngắn.</p></body></html>", context(article_url, article_now));
  CHECK_FALSE(outcome.article.content);
  CHECK(outcome.article.warnings == std::vector<std::string>{"no article body found"});

  options.content = "div[";
  outcome = tinhop::extract_article(page, context(article_url, article_now), options);
  CHECK(outcome.error == HtmlError::bad_selector);
}

TEST_CASE("a card whose link is not http(s) once resolved is skipped, however its scheme is written",
          "[html]") {
  const std::string page = R"html(<html><body><main>
<h3><a href="java&#x09;script:alert(1)">Tin một: tab trong scheme</a></h3>
<h3><a href="jav&#x0A;ascript:alert(2)">Tin hai: xuống dòng trong scheme</a></h3>
<h3><a href="vbscript:msgbox(3)">Tin ba: vbscript</a></h3>
<h3><a href="ftp://tinhx.gov.vn/4.html">Tin bốn: ftp</a></h3>
<h3><a href="/tin-tuc/5.html">Tin năm: hợp lệ</a></h3>
</main></body></html>)html";
  const auto outcome = read(page, context(article_url, article_now), spec("item=main h3"));
  check_items(outcome.result,
              {{"https://tinhx.gov.vn/tin-tuc/5.html", "Tin năm: hợp lệ", "2019-08-03T02:00:00Z", true}});
  CHECK(outcome.result.warnings ==
        std::vector<std::string>{"4 cards without a usable link skipped",
                                 "1 items without a date on the page: fetch time used, marked approximate"});
}
