// Issue #15, point 1, end to end: feeds in VietNamNet's style (`08/09/2018 (GMT+7)`, every
// day and month at most 12, no <language>) served on loopback. With default settings the
// source's time zone (Asia/Ho_Chi_Minh) decides day-first and the merged feed carries the
// stories' 2018 dates, not the fetch time. Where nothing decides, the stories are undated,
// placed below the known dates of their document, and the source's health, /metrics and
// the log say how many dates were not understood.
#include <sys/stat.h>

#include <boost/json.hpp>
#include <catch2/catch.hpp>

#include "daemon_harness.hpp"
#include "support/process.hpp"
#include "support/test_http_server.hpp"

namespace {

using namespace std::chrono_literals;
namespace http = tinhop::test::beast_http;

const std::string kToken = "date-order-token-0123456789abcdef012345";

struct Story {
  std::string title;
  std::string summary;
  std::string date;
};

std::string vietnamnet_style(const std::string& channel, const std::string& slug,
                             const std::vector<Story>& stories) {
  std::string xml = "<rss version=\"2.0\"><channel><title>" + channel +
                    "</title><link>http://127.0.0.1/</link>"
                    "<generator>VietNamNet.CMS.UI.Generator - version 1.5</generator>";
  for (std::size_t i = 0; i < stories.size(); ++i) {
    xml += "<item><title>" + stories[i].title + "</title><description>" + stories[i].summary +
           "</description><link>http://127.0.0.1/" + slug + "/" + std::to_string(i) +
           ".html</link><pubDate>" + stories[i].date + "</pubDate></item>";
  }
  return xml + "</channel></rss>";
}

// The merged feed's entries, newest first: "title date".
std::vector<std::string> merged_feed(int port) {
  const auto response = tinhop::test::http_exchange(port, http::verb::get, "/feed.json");
  REQUIRE(response);
  REQUIRE(response->result_int() == 200);
  const boost::json::value feed = boost::json::parse(response->body());
  std::vector<std::string> out;
  for (const auto& item : feed.at("items").as_array()) {
    out.push_back(std::string(item.at("title").as_string()) + " " +
                  std::string(item.at("date_published").as_string()));
  }
  return out;
}

}  // namespace

TEST_CASE("serve with default settings publishes VietNamNet-style dates, and counts those it cannot read",
          "[cli][dates]") {
  tinhop::test::TempFolder dir("tinhop-date-order");
  tinhop::test::TestHttpServer server;
  const auto rss = [](std::string body) {
    return tinhop::test::Script{.status = 200,
                                .headers = {{"Content-Type", "application/rss+xml; charset=utf-8"}},
                                .body = std::move(body)};
  };
  server.on(
      "/phap-luat.rss",
      rss(vietnamnet_style(
          "Pháp luật", "pl",
          {{"Vụ án thứ nhất ở Cao Bằng", "Chồng cự cãi với vợ rồi bỏ trốn lên núi.", "08/09/2018 (GMT+7)"},
           {"Đường dây thứ hai bị triệt phá", "Công an triệu tập nhiều người mẫu.", "07/09/2018 (GMT+7)"},
           {"Phiên tòa thứ ba xét xử", "Bị cáo kháng cáo xin giảm án tù.", "06/09/2018 (GMT+7)"}})));
  // A source configured for UTC: a loopback host, no language, no zone country. One date
  // is in RFC 822, which needs no order.
  server.on("/khong-ro.rss",
            rss(vietnamnet_style(
                "Không rõ", "kr",
                {{"Giá lúa gạo miền Tây", "Thương lái thu mua lúa thơm tăng giá.", "05/09/2018 (GMT+7)"},
                 {"Lịch cắt điện Hà Nội", "Nhiều quận ngừng cấp điện sáng thứ Bảy.",
                  "Thu, 06 Sep 2018 08:00:00 +0700"},
                 {"Thời tiết cuối tuần", "Bắc Bộ có mưa rào và dông rải rác.", "04/09/2018 (GMT+7)"}})));

  std::ofstream(dir.path / "token") << kToken << "\n";
  ::chmod((dir.path / "token").c_str(), 0600);
  const int port = tinhop::test::free_loopback_port();
  const int admin_port = tinhop::test::free_loopback_port();
  std::ofstream(dir.path / "tinhop.toml")
      << "[server]\nlisten = \"127.0.0.1:" << port << "\"\n"
      << "[admin]\nlisten = \"127.0.0.1:" << admin_port << "\"\ntoken_file = \""
      << (dir.path / "token").string() << "\"\n[database]\npath = \"" << (dir.path / "t.db").string()
      << "\"\n"
      << "[fetch]\nhost_spacing = \"0s\"\n"
      // The stories are of 2018: retention, a minute after start, would purge them.
      << "[retention]\nmax_age = \"3650d\"\n"
      << "[[source]]\nurl = \"" << server.url("/phap-luat.rss") << "\"\n"
      << "[[source]]\nurl = \"" << server.url("/khong-ro.rss") << "\"\ntime_zone = \"UTC\"\n";
  tinhop::test::Daemon daemon(dir.path / "tinhop.toml", dir.path / "serve.log");
  REQUIRE(daemon.wait_for_event("poll", "poll.done source=1"));
  REQUIRE(daemon.wait_for_event("poll", "poll.done source=2"));
  INFO(daemon.log_text());

  // The day comes first in Việt Nam: 08/09/2018 is the 8th of September, 00:00 at +7. The
  // undated stories sit just below their document's known date, not at the fetch time.
  CHECK(merged_feed(port) == std::vector<std::string>{
                                 "Vụ án thứ nhất ở Cao Bằng 2018-09-07T17:00:00Z",
                                 "Đường dây thứ hai bị triệt phá 2018-09-06T17:00:00Z",
                                 "Lịch cắt điện Hà Nội 2018-09-06T01:00:00Z",
                                 "Thời tiết cuối tuần 2018-09-06T00:59:59Z",
                                 "Giá lúa gạo miền Tây 2018-09-06T00:59:59Z",
                                 "Phiên tòa thứ ba xét xử 2018-09-05T17:00:00Z",
                             });

  // One log line per poll for the dates not understood.
  std::vector<std::string> not_understood;
  for (const std::string& event : daemon.events("poll")) {
    if (event.rfind("poll.dates_not_understood", 0) == 0) not_understood.push_back(event);
  }
  CHECK(not_understood ==
        std::vector<std::string>{"poll.dates_not_understood source=2 url=" + server.url("/khong-ro.rss") +
                                 " count=2 date_order_from=undecided"});

  // The source's health: the admin API, /metrics and the CLI.
  const auto api = tinhop::test::http_exchange(admin_port, http::verb::get, "/api/sources", kToken);
  REQUIRE(api);
  REQUIRE(api->result_int() == 200);
  const auto sources = boost::json::parse(api->body()).at("sources").as_array();
  REQUIRE(sources.size() == 2);
  CHECK(sources[0].at("health").at("dates_not_understood") == 0);
  CHECK(sources[1].at("health").at("dates_not_understood") == 2);
  CHECK(sources[1].at("health").at("date_order_seen").is_null());
  const auto metrics = tinhop::test::http_exchange(port, http::verb::get, "/metrics");
  REQUIRE(metrics);
  CHECK(metrics->body().find("tinhop_source_dates_not_understood{source_id=\"2\"} 2\n") != std::string::npos);
  CHECK(metrics->body().find("tinhop_source_dates_not_understood{source_id=\"1\"}") == std::string::npos);
  const std::string cli =
      std::string(TINHOP_EXECUTABLE) + " sources --config " + (dir.path / "tinhop.toml").string();
  const auto status = tinhop::test::run_command(cli + " status");
  CHECK(status.exit_code == 0);
  CHECK(status.out.find("dates_not_understood: 2") != std::string::npos);
  const auto show = tinhop::test::run_command(cli + " show 2");
  CHECK(show.exit_code == 0);
  CHECK(show.out.find("\n  dates_not_understood: 2\n") != std::string::npos);

  daemon.signal(SIGTERM);
  CHECK(daemon.wait(20s) == std::optional<int>(0));
}
