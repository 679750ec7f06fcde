// `tinhop parse --html-selectors`: a listing page printed in the parse
// contract.
#include <boost/json.hpp>
#include <catch2/catch.hpp>

#include <filesystem>
#include <string>

#include "support/paths.hpp"
#include "support/process.hpp"

namespace {

using Run = tinhop::test::CommandResult;

Run parse(const std::string& args) {
  return tinhop::test::run_command(std::string(TINHOP_EXECUTABLE) + " parse " + args);
}

const std::string page = (tinhop::test::data_dir() / "parsers/html/agency-article.html").string();

}  // namespace

TEST_CASE("tinhop parse --html-selectors prints a listing page with format html", "[cli][parse][html]") {
  const Run run = parse(
      "--url https://tinhx.gov.vn/tin-tuc/bai.html --timezone Asia/Ho_Chi_Minh "
      "--date-order dmy "
      "--html-selectors 'item=li.news-item; title=a.title; date=span.date' " +
      page);
  INFO(run.err);
  REQUIRE(run.exit_code == 0);
  CHECK(run.err.empty());
  const boost::json::object feed = boost::json::parse(run.out).as_object();
  CHECK(feed.at("format") == "html");
  CHECK(feed.at("encoding") == "utf-8");
  CHECK(feed.at("link") == "https://tinhx.gov.vn/tin-tuc/bai.html");
  const boost::json::array& items = feed.at("items").as_array();
  REQUIRE(items.size() == 4);
  CHECK(items[0].at("link") == "https://tinhx.gov.vn/tin-tuc/tinh-x-don-bang-khen-1234.html");
  CHECK(items[0].at("title") == "Tỉnh X đón nhận Bằng khen của Thủ tướng Chính phủ");
  CHECK(items[0].at("published") == "2019-08-02T01:15:00Z");
  CHECK(items[0].at("id").is_null());
  CHECK(feed.at("warnings").as_array().size() == 2);
}

TEST_CASE(
    "tinhop parse --html-selectors: zero matches is a result, a bad "
    "selector is not",
    "[cli][parse][html]") {
  Run run = parse("--html-selectors 'item=div.none' " + page);
  REQUIRE(run.exit_code == 0);
  const boost::json::object feed = boost::json::parse(run.out).as_object();
  CHECK(feed.at("items").as_array().empty());
  CHECK(feed.at("warnings").as_array().at(0) == "item selector \"div.none\" matched nothing: no items");

  run = parse("--html-selectors 'item=div[' " + page);
  CHECK(run.exit_code == 1);
  CHECK(run.out.empty());
  CHECK(run.err ==
        "tinhop parse: selector \"div[\" is neither XPath nor a "
        "supported CSS selector\n");
  run = parse("--html-selectors 'colour=red' " + page);
  CHECK(run.exit_code == 1);
  CHECK(run.err ==
        "tinhop parse: unknown selector key \"colour\" (expected "
        "item, title, link, date, summary, image or "
        "date_format)\n");
}
