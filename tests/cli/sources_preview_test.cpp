// `tinhop sources preview` end to end, on the agency-page fixture and real
// listing pages.
#include <boost/json.hpp>
#include <catch2/catch.hpp>

#include <filesystem>
#include <string>

#include "support/paths.hpp"
#include "support/process.hpp"

namespace {

using Run = tinhop::test::CommandResult;

Run preview(const std::string& args) {
  return tinhop::test::run_command(std::string(TINHOP_EXECUTABLE) + " sources preview " + args);
}

const std::string page = (tinhop::test::data_dir() / "parsers/html/agency-article.html").string();

}  // namespace

TEST_CASE(
    "sources preview --json prints the items in the parse contract with "
    "format html",
    "[cli][html]") {
  const Run run = preview(page +
                          " --url https://tinhx.gov.vn/tin-tuc/bai.html --date-order dmy --json"
                          " --selectors 'item=li.news-item; title=a.title; date=span.date'");
  INFO(run.err);
  REQUIRE(run.exit_code == 0);
  const boost::json::object feed = boost::json::parse(run.out).as_object();
  CHECK(feed.at("format") == "html");
  CHECK(feed.at("language") == "vi");
  const boost::json::array& items = feed.at("items").as_array();
  REQUIRE(items.size() == 4);
  CHECK(items[0].at("link") == "https://tinhx.gov.vn/tin-tuc/tinh-x-don-bang-khen-1234.html");
  CHECK(items[0].at("title") == "Tỉnh X đón nhận Bằng khen của Thủ tướng Chính phủ");
  CHECK(items[0].at("published") == "2019-08-02T01:15:00Z");
  CHECK(items[2].at("link") == "https://tinhx.gov.vn/tin-tuc/hop-bao-9012.html");
  CHECK(items[3].at("link") == "https://tinhx.gov.vn/tin-tuc/tiep-cong-dan-3456.html");
}

TEST_CASE("sources preview reads file:// URLs and prints a readable list", "[cli][html]") {
  const Run run =
      preview("file://" + page + " --item li.news-item --title a.title --date span.date --date-order dmy");
  INFO(run.err);
  REQUIRE(run.exit_code == 0);
  CHECK(run.out.rfind("4 items from \"Hội nghị sơ kết công tác 6 tháng đầu năm 2019", 0) == 0);
  CHECK(run.out.find("    link:  "
                     "https://tinhx.gov.vn/tin-tuc/khoi-cong-du-an-5678.html\n") != std::string::npos);
  CHECK(run.out.find("    date:  2019-08-02T01:15:00Z\n") != std::string::npos);
  CHECK(run.out.find("(approximate)") != std::string::npos);
  CHECK(run.out.find("warning: 1 cards without a usable link skipped\n") != std::string::npos);
}

TEST_CASE("sources preview --suggest proposes working selectors for a real listing", "[cli][html][shared]") {
  TINHOP_REQUIRE_SHARED(path, "corpus/real-vi/tinnhanhchungkhoan-listing-2026-09-15.trimmed.html");
  const Run run = preview(path.string() + " --suggest --url https://www.tinnhanhchungkhoan.vn/");
  INFO(run.err);
  REQUIRE(run.exit_code == 0);
  CHECK(run.out.rfind("1. 2 items, 1 dated: 2 elements \"article.story\" each "
                      "hold one article link\n"
                      "   --selectors 'item=article.story; "
                      "title=h2.story__heading a.cms-link; "
                      "link=h2.story__heading a.cms-link; date=time'\n",
                      0) == 0);
  CHECK(run.out.find("    date:  2026-09-15T00:13:33Z\n") != std::string::npos);
}

TEST_CASE("sources preview explains what is wrong", "[cli][html]") {
  Run run = preview(page);
  CHECK(run.exit_code == 2);
  CHECK(run.err ==
        "tinhop sources preview: give --item (or --selectors "
        "\"item=...\"), or --suggest\n");
  run = preview(page + " --item 'div['");
  CHECK(run.exit_code == 2);
  CHECK(run.err ==
        "tinhop sources preview: selector \"div[\" is neither XPath "
        "nor a supported CSS selector\n");
  run = preview("/nonexistent/page.html --item li");
  CHECK(run.exit_code == 1);
  CHECK(run.err == "tinhop sources preview: cannot read /nonexistent/page.html\n");
  run = preview(page + " --item div.nothing");
  CHECK(run.exit_code == 1);
  CHECK(run.out.find("0 items") == 0);
  CHECK(run.out.find("warning: item selector \"div.nothing\" matched nothing: "
                     "no items\n") != std::string::npos);
}
