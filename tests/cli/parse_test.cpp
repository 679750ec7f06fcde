// `tinhop parse` end to end: the contract in ../shared/contract/parse-json.md.
#include <boost/json.hpp>
#include <catch2/catch.hpp>

#include <filesystem>
#include <map>
#include <string>

#include "support/paths.hpp"
#include "support/process.hpp"

namespace {

using Run = tinhop::test::CommandResult;

// Runs `tinhop parse ARGS` with stdout and stderr captured apart.
Run run_parse(const std::string& args) {
  return tinhop::test::run_command(std::string(TINHOP_EXECUTABLE) + " parse " + args);
}

std::string fixture(const char* name) {
  return (tinhop::test::data_dir() / "parsers" / name).string();
}

}  // namespace

TEST_CASE("tinhop parse prints the contract object", "[cli][parse]") {
  const Run run = run_parse(
      "--url https://example.gov.vn/rss/tin.rss "
      "--timezone Asia/Ho_Chi_Minh --date-order dmy " +
      fixture("cli-sample.xml"));
  REQUIRE(run.exit_code == 0);
  CHECK(run.err.empty());
  const boost::json::object feed = boost::json::parse(run.out).as_object();
  CHECK(feed.at("format") == "rss20");
  CHECK(feed.at("encoding") == "utf-8");
  CHECK(feed.at("title") == "Tin tức");
  CHECK(feed.at("link") == "https://example.gov.vn/");
  CHECK(feed.at("description") == "Thử nghiệm");
  CHECK(feed.at("language") == "vi");
  CHECK(feed.at("updated").is_null());
  CHECK(feed.at("warnings").as_array().empty());
  const boost::json::array& items = feed.at("items").as_array();
  REQUIRE(items.size() == 1);
  const boost::json::object& item = items[0].as_object();
  CHECK(item.at("id").is_null());
  CHECK(item.at("link") == "https://example.gov.vn/tin/123");
  CHECK(item.at("title") == "Hội nghị đánh giá 03 năm");
  CHECK(item.at("summary") == "<p>Tóm tắt</p>");
  CHECK(item.at("content").is_null());
  CHECK(item.at("published") == "2019-08-02T03:00:00Z");  // 10:00 in Hanoi, day first
  CHECK(item.at("updated").is_null());
  CHECK(item.at("authors") ==
        boost::json::parse(R"([{"name":"Phòng Tổng hợp","email":"tonghop@example.gov.vn","uri":null}])"));
  CHECK(item.at("categories") == boost::json::parse(R"(["Tin hoạt động"])"));
  CHECK(item.at("enclosures") ==
        boost::json::parse(
            R"([{"url":"https://example.gov.vn/anh/1.jpg","type":"image/jpeg","length":12345}])"));
}

TEST_CASE("tinhop parse --date-order mdy reads the month first", "[cli][parse]") {
  const Run run = run_parse("--date-order mdy " + fixture("cli-sample.xml"));
  REQUIRE(run.exit_code == 0);
  const boost::json::object feed = boost::json::parse(run.out).as_object();
  // No zone and no --timezone: UTC.
  CHECK(feed.at("items").as_array().at(0).as_object().at("published") == "2019-02-08T10:00:00Z");
}

TEST_CASE("tinhop parse reads standard input and uses the Content-Type charset", "[cli][parse]") {
  const Run run = run_parse(
      "--content-type 'text/xml; charset=windows-1258' - <<'EOF'\n"
      "<rss version=\"2.0\"><channel><title>plain "
      "ascii</title></channel></rss>\nEOF");
  REQUIRE(run.exit_code == 0);
  const boost::json::object feed = boost::json::parse(run.out).as_object();
  CHECK(feed.at("encoding") == "windows-1258");
  CHECK(feed.at("title") == "plain ascii");
}

TEST_CASE("tinhop parse exits 1 with one line on stderr when the input is not a feed", "[cli][parse]") {
  const Run run = run_parse(fixture("not-a-feed.html"));
  CHECK(run.exit_code == 1);
  CHECK(run.out.empty());
  CHECK(run.err ==
        "tinhop parse: not a feed: root element <html> is not RSS, "
        "RDF or Atom\n");
}

TEST_CASE("tinhop parse exits 1 when the file cannot be read", "[cli][parse]") {
  const Run run = run_parse("/nonexistent/feed.xml");
  CHECK(run.exit_code == 1);
  CHECK(run.out.empty());
  CHECK(run.err == "tinhop parse: cannot read /nonexistent/feed.xml\n");
}

TEST_CASE("tinhop parse rejects an unknown --date-order", "[cli][parse]") {
  const Run run = run_parse("--date-order ymd " + fixture("cli-sample.xml"));
  CHECK(run.exit_code == 2);
  CHECK(run.out.empty());
}

namespace {

// The item dates of a parse, and how their order was decided.
std::string dates_of(const Run& run) {
  INFO(run.err);
  REQUIRE(run.exit_code == 0);
  const boost::json::object feed = boost::json::parse(run.out).as_object();
  std::string out;
  for (const auto& item : feed.at("items").as_array()) {
    out +=
        item.at("published").is_null() ? std::string("null") : std::string(item.at("published").as_string());
    out += " ";
  }
  const auto& order = feed.at("date_order");
  return out + (order.is_null() ? std::string("null") : std::string(order.as_string())) + " " +
         std::string(feed.at("date_order_from").as_string()) + " " +
         std::to_string(feed.at("dates_not_understood").as_int64());
}

}  // namespace

TEST_CASE("tinhop parse orders day and month as the daemon would: zone, then domain", "[cli][parse]") {
  const std::string file = fixture("numeric-dates-no-language.xml");
  CHECK(dates_of(run_parse("--url http://127.0.0.1/rss --timezone Asia/Ho_Chi_Minh " + file)) ==
        "2018-09-07T17:00:00Z 2018-09-06T17:00:00Z dmy time_zone 0");
  CHECK(dates_of(run_parse("--url http://127.0.0.1/rss --timezone America/New_York " + file)) ==
        "2018-08-08T17:00:00Z 2018-07-08T17:00:00Z mdy time_zone 0");
  CHECK(dates_of(run_parse("--url https://vietnamnet.vn/rss/phap-luat.rss " + file)) ==
        "2018-09-07T17:00:00Z 2018-09-06T17:00:00Z dmy domain 0");
  CHECK(dates_of(run_parse("--url http://127.0.0.1/rss --content-language vi " + file)) ==
        "2018-09-07T17:00:00Z 2018-09-06T17:00:00Z dmy language 0");
  CHECK(dates_of(run_parse("--url http://127.0.0.1/rss " + file)) == "null null null undecided 2");
  CHECK(dates_of(run_parse("--url http://127.0.0.1/rss --date-order mdy " + file)) ==
        "2018-08-08T17:00:00Z 2018-07-08T17:00:00Z mdy configured 0");
}

TEST_CASE("tinhop parse gives the real VietNamNet sample its 2018 dates", "[cli][parse][shared]") {
  TINHOP_REQUIRE_SHARED(path, "corpus/real-vi/vietnamnet-phap-luat-2018-09-08.xml");
  const Run run =
      run_parse("--url https://vietnamnet.vn/rss/phap-luat.rss --timezone Asia/Ho_Chi_Minh " + path.string());
  REQUIRE(run.exit_code == 0);
  const boost::json::object feed = boost::json::parse(run.out).as_object();
  CHECK(feed.at("date_order") == "dmy");
  CHECK(feed.at("date_order_from") == "time_zone");
  CHECK(feed.at("dates_not_understood") == 0);
  const auto& items = feed.at("items").as_array();
  REQUIRE(items.size() == 15);
  std::map<std::string, int> days;
  for (const auto& item : items) ++days[std::string(item.at("published").as_string())];
  // 08/09/2018 is the 8th of September (00:00 at +7), never the 9th of August.
  CHECK(days == std::map<std::string, int>{
                    {"2018-09-05T17:00:00Z", 1}, {"2018-09-06T17:00:00Z", 9}, {"2018-09-07T17:00:00Z", 5}});
}
