// Real listing pages from ../shared/corpus/real-vi/ (see SOURCES.md there).
#include <catch2/catch.hpp>

#include "support/paths.hpp"
#include "tinhop/parsers/contract_json.hpp"
#include "tinhop/parsers/html_listing.hpp"

using namespace std::chrono;

namespace {

const tinhop::Instant fetched = sys_days{year{2026} / 9 / 15} + hours{12};  // 19:00 in Hà Nội

tinhop::ParseContext context(std::string url) {
  tinhop::ParseContext c;
  c.url = std::move(url);
  c.time_zone = "Asia/Ho_Chi_Minh";
  c.now = fetched;
  return c;
}

struct Expected {
  std::string link;
  std::string title;
  std::string date;  // "" for an undated card (fetch time, approximate)
};

void check_items(const tinhop::ParseResult& result, const std::vector<Expected>& expected) {
  REQUIRE(result.feed.items.size() == expected.size());
  for (std::size_t i = 0; i < expected.size(); ++i) {
    const auto& item = result.feed.items[i];
    INFO("item " << i);
    CHECK(item.link.value_or("") == expected[i].link);
    CHECK(item.title.value_or("") == expected[i].title);
    REQUIRE(item.published);
    if (expected[i].date.empty()) {
      CHECK(*item.published == fetched);
      CHECK(item.date_approximate);
    } else {
      CHECK(tinhop::format_rfc3339(*item.published) == expected[i].date);
      CHECK_FALSE(item.date_approximate);
    }
  }
}

tinhop::ParseResult extract(const std::string& bytes, const std::string& url, const std::string& line) {
  std::string message;
  const auto selectors = tinhop::parse_selector_spec(line, message);
  REQUIRE(selectors);
  auto outcome = tinhop::parse_html_listing(bytes, context(url), *selectors);
  INFO(outcome.message);
  REQUIRE(outcome.error == tinhop::HtmlError::none);
  return outcome.result;
}

// The best suggestion for a page, run as a source would run it.
tinhop::ParseResult suggested(const std::string& bytes, const std::string& url) {
  const auto suggestions = tinhop::suggest_selectors(bytes, context(url));
  REQUIRE_FALSE(suggestions.empty());
  INFO("suggested: " << tinhop::format_selector_spec(suggestions.front().selectors));
  auto outcome = tinhop::parse_html_listing(bytes, context(url), suggestions.front().selectors);
  REQUIRE(outcome.error == tinhop::HtmlError::none);
  CHECK(outcome.result.feed.items.size() == suggestions.front().items);
  return outcome.result;
}

const std::vector<Expected> cafebiz_listed = {
    {"https://cafebiz.vn/cong-ty-tung-chuyen-ban-khoa-hoc-day-lam-giau-176260915100015283.chn",
     "Công ty từng chuyên bán khóa học 'dạy làm giàu' chứng kiến doanh thu giảm 90%", "2026-09-15T03:00:00Z"},
    {"https://cafebiz.vn/gelex-len-tieng-ve-viec-nguyen-chu-tich-evnnpt-176260915090651405.chn",
     "Gelex lên tiếng về việc nguyên Chủ tịch EVNNPT bị khởi tố", "2026-09-15T02:51:00Z"},
};

const std::vector<Expected> diendandoanhnghiep = {
    {"https://diendandoanhnghiep.vn/hoa-giai-rui-ro-du-an-bt-10184400.html", "Hóa giải rủi ro dự án BT", ""},
    {"https://diendandoanhnghiep.vn/tang-tinh-minh-bach-trong-ho-tro-dau-tu-10184497.html",
     "Tăng tính minh bạch trong hỗ trợ đầu tư", "2026-09-14T04:20:00Z"},
};

const std::vector<Expected> tinnhanhchungkhoan = {
    {"https://www.tinnhanhchungkhoan.vn/co-phieu-ai-toan-cau-lao-doc-post397583.html",
     "Cổ phiếu AI toàn cầu lao dốc khi giới lãnh đạo công nghệ kêu gọi chậm lại quá trình phát triển",
     "2026-09-15T00:13:33Z"},
    {"https://www.tinnhanhchungkhoan.vn/vietabank-vab-chuan-bi-chao-ban-post397598.html",
     "VietABank (VAB) chuẩn bị chào bán hơn 1.174 tỷ đồng trái phiếu ra công chúng đợt 2", ""},
};

const std::vector<Expected> baodautu = {
    {"https://baodautu.vn/chung-khoan-phien-149-co-phieu-ho-gelex-nam-san-d702026.html",
     "Chứng khoán phiên 14/9: Cổ phiếu họ Gelex nằm sàn, khối ngoại ngược chiều mua ròng mạnh", ""},
    {"https://baodautu.vn/ninh-van-bay-vi-pham-hang-loat-quy-dinh-d701869.html",
     "Ninh Vân Bay vi phạm hàng loạt quy định trong lĩnh vực chứng khoán", ""},
    {"https://baodautu.vn/loat-co-phieu-chiu-tac-dong-trong-ky-co-cau-etf-d701551.html",
     "Loạt cổ phiếu chịu tác động trong kỳ cơ cấu ETF", ""},
};

}  // namespace

TEST_CASE("real cafebiz listing: relative hrefs, zone-less title dates", "[html][shared]") {
  TINHOP_REQUIRE_SHARED(path, "corpus/real-vi/cafebiz-listing-2026-09-15.trimmed.html");
  const std::string page = tinhop::test::read_file(path);
  auto expected = cafebiz_listed;
  expected.insert(expected.begin(), {"https://cafebiz.vn/cuu-hlv-bong-da-noi-tieng.chn",
                                     "Cựu HLV bóng đá nổi tiếng của Việt Nam được đề cử", ""});
  check_items(extract(page, "https://cafebiz.vn/kinh-doanh.chn",
                      "item=article.cfbiznews_box, div.content_list_item; date=div.time"),
              expected);
  check_items(suggested(page, "https://cafebiz.vn/kinh-doanh.chn"), cafebiz_listed);
}

TEST_CASE("real diendandoanhnghiep listing: only some cards dated", "[html][shared]") {
  TINHOP_REQUIRE_SHARED(path, "corpus/real-vi/diendandoanhnghiep-listing-2026-09-14.trimmed.html");
  const std::string page = tinhop::test::read_file(path);
  check_items(extract(page, "https://diendandoanhnghiep.vn/",
                      "item=div.b-grid; title=h3.b-grid__title a; date=span.b-grid__time"),
              diendandoanhnghiep);
  check_items(suggested(page, "https://diendandoanhnghiep.vn/"), diendandoanhnghiep);
}

TEST_CASE("real tinnhanhchungkhoan listing: <time datetime> with +0700", "[html][shared]") {
  TINHOP_REQUIRE_SHARED(path, "corpus/real-vi/tinnhanhchungkhoan-listing-2026-09-15.trimmed.html");
  const std::string page = tinhop::test::read_file(path);
  check_items(extract(page, "https://www.tinnhanhchungkhoan.vn/", "item=article.story; date=time"),
              tinnhanhchungkhoan);
  check_items(suggested(page, "https://www.tinnhanhchungkhoan.vn/"), tinnhanhchungkhoan);
}

TEST_CASE("real baodautu listing: no dates at all", "[html][shared]") {
  TINHOP_REQUIRE_SHARED(path, "corpus/real-vi/baodautu-listing-2026-09-14.trimmed.html");
  const std::string page = tinhop::test::read_file(path);
  check_items(extract(page, "https://baodautu.vn/chung-khoan-d6/", "item=article"), baodautu);
  check_items(suggested(page, "https://baodautu.vn/chung-khoan-d6/"), baodautu);
}

TEST_CASE("real government home page: no dates, double-escaped alt text, leading-space hrefs",
          "[html][shared]") {
  TINHOP_REQUIRE_SHARED(path, "corpus/real-vi/vpcp-chinhphu-home-2024-12-06.html");
  const std::string page = tinhop::test::read_file(path);
  const auto result = extract(page, "https://vpcp.chinhphu.vn/", "item=a.box-link-title");
  REQUIRE(result.feed.items.size() == 11);
  for (const auto& item : result.feed.items) {
    INFO(item.link.value_or(""));
    CHECK(item.link->rfind("https://", 0) == 0);
    CHECK(item.link->find(' ') == std::string::npos);
  }
}

TEST_CASE("real article pages: meta date in US order, <time datetime>, a dashed date line",
          "[html][shared]") {
  TINHOP_REQUIRE_SHARED(dir, "corpus/real-vi");
  const auto published = [&](const char* file) {
    const auto outcome =
        tinhop::extract_article(tinhop::test::read_file(dir / file), context("https://x.vn/a.html"));
    REQUIRE(outcome.error == tinhop::HtmlError::none);
    REQUIRE(outcome.article.published);
    return tinhop::format_rfc3339(*outcome.article.published);
  };
  CHECK(published("diendandoanhnghiep-article-time.snippet.html") == "2026-09-15T08:05:00Z");  // 3:05 PM
  CHECK(published("tinnhanhchungkhoan-article-time.snippet.html") == "2026-09-15T12:03:45Z");
  CHECK(published("baodautu-article-time.snippet.html") == "2026-09-14T03:30:00Z");
}
