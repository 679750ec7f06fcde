// `tinhop sources preview http://...` against the loopback test server: the page is
// fetched with the daemon's client (redirects followed, links resolved against the final
// URL) and the extracted items are printed exactly.
#include <catch2/catch.hpp>

#include <string>

#include "support/process.hpp"
#include "support/test_http_server.hpp"

namespace {

using Run = tinhop::test::CommandResult;

Run preview(const std::string& args) {
  // No proxy from the environment may stand between the client and the loopback server.
  return tinhop::test::run_command(
      "env -u http_proxy -u https_proxy -u all_proxy -u HTTP_PROXY "
      "-u HTTPS_PROXY -u ALL_PROXY " +
      std::string(TINHOP_EXECUTABLE) + " sources preview " + args);
}

const std::string kListing = R"(<!doctype html><html><head><meta charset="utf-8">
<title>Tin tức - Cổng thông tin tỉnh X</title></head><body>
<ul class="news">
<li class="tin"><img src="/anh/1.jpg"><a href="bai-1.html">Tỉnh X khởi công dự án cao tốc</a>
  <span class="ngay">14/09/2026 11:20</span><p class="tom-tat">Sáng 14/9, tỉnh X khởi công.</p></li>
<li class="tin"><a href="/tin-tuc/bai-2.html">Họp báo thường kỳ quý III</a>
  <span class="ngay">10:00 15/09/2026</span></li>
<li class="tin"><a href="https://other.gov.vn/bai-3.html">Tiếp công dân định kỳ</a>
  <span class="ngay">02/08/2019</span></li>
</ul></body></html>)";

}  // namespace

TEST_CASE("sources preview fetches an http page and prints the exact items", "[cli][html]") {
  tinhop::test::TestHttpServer server;
  server.on("/tin-tuc/",
            tinhop::test::Script{
                .status = 200, .headers = {{"Content-Type", "text/html; charset=utf-8"}}, .body = kListing});
  server.on("/cu", tinhop::test::Script{.status = 301, .headers = {{"Location", "/tin-tuc/"}}});
  const std::string origin = server.url("");
  const Run run = preview(server.url("/cu") +
                          " --item li.tin --date span.ngay --summary p.tom-tat --image img --date-order dmy"
                          " --timezone Asia/Ho_Chi_Minh");
  INFO(run.err);
  REQUIRE(run.exit_code == 0);
  CHECK(run.out ==
        "3 items from \"Tin tức - Cổng thông tin tỉnh X\"\n"
        "\n  Tỉnh X khởi công dự án cao tốc\n"
        "    link:  " +
            origin +
            "/tin-tuc/bai-1.html\n"
            "    date:  2026-09-14T04:20:00Z\n"
            "    image: " +
            origin +
            "/anh/1.jpg\n"
            "    summary: Sáng 14/9, tỉnh X khởi công.\n"
            "\n  Họp báo thường kỳ quý III\n"
            "    link:  " +
            origin +
            "/tin-tuc/bai-2.html\n"
            "    date:  2026-09-15T03:00:00Z\n"
            "\n  Tiếp công dân định kỳ\n"
            "    link:  https://other.gov.vn/bai-3.html\n"
            "    date:  2019-08-01T17:00:00Z\n");
  CHECK(server.hits("/cu") == 1);
  CHECK(server.hits("/tin-tuc/") == 1);
}

TEST_CASE("sources preview of an http page that fails says why and exits 1", "[cli][html]") {
  tinhop::test::TestHttpServer server;
  const Run run = preview(server.url("/missing") + " --item li");
  CHECK(run.exit_code == 1);
  CHECK(run.out.empty());
  CHECK(run.err == "tinhop sources preview: fetch failed: HTTP 404\n");
}
