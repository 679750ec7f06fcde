// /alerts/{secret}.atom: whatever a hostile feed or server put in a source's title or its
// error text, the alerts feed is well-formed XML 1.0.
#include <catch2/catch.hpp>

#include "tinhop/admin/api.hpp"

using namespace tinhop;
using namespace tinhop::admin;
using namespace std::string_literals;

namespace {

const std::string secret = "alerts-secret-0123456789abcdef0123";
const Instant now = Instant(std::chrono::seconds(1'790'000'000));

// Whether `text` is UTF-8 made only of XML 1.0's Char production.
bool xml_chars_only(std::string_view text) {
  for (std::size_t i = 0; i < text.size();) {
    const auto byte = [&](std::size_t k) { return static_cast<unsigned char>(text[i + k]); };
    const unsigned char lead = byte(0);
    std::size_t length = lead < 0x80                    ? 1
                         : lead >= 0xC2 && lead <= 0xDF ? 2
                         : lead >= 0xE0 && lead <= 0xEF ? 3
                         : lead >= 0xF0 && lead <= 0xF4 ? 4
                                                        : 0;
    if (length == 0 || i + length > text.size()) return false;
    char32_t cp = length == 1 ? lead : lead & (0x7F >> length);
    for (std::size_t k = 1; k < length; ++k) {
      if ((byte(k) & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (byte(k) & 0x3F);
    }
    const bool allowed = cp == 0x9 || cp == 0xA || cp == 0xD || (cp >= 0x20 && cp <= 0xD7FF) ||
                         (cp >= 0xE000 && cp <= 0xFFFD) || (cp >= 0x10000 && cp <= 0x10FFFF);
    if (!allowed) return false;
    i += length;
  }
  return true;
}

}  // namespace

TEST_CASE("the alerts feed stays well-formed XML whatever a source's title or error holds",
          "[admin][alerts]") {
  storage::Store store = storage::Store::open(":memory:").value();
  config::LiveConfig live{config::Config{}};
  Api api{
      Token{"0123456789abcdef0123456789abcdef"}, store, live, ApiHooks{}, [] { return now; }, Token{secret}};
  storage::SourceSettings settings;
  settings.url = "https://hostile.example/rss";
  settings.title = "Tin\x01\x0b <b>đỏ</b> ]]> \xff\xfe end\x7f"s;
  const std::int64_t id = store.add_source(settings, now).value();
  storage::AlertEvent event;
  event.source_id = id;
  event.kind = "failing";
  event.at = now;
  event.detail =
      "3 failed polls in a row, the last: HTTP 500 \x1b[31m<script>x</script>\xc3\x28 ]]>"
      "\xef\xbf\xbf\x00tail"s;
  REQUIRE(store.record_alert(event).has_value());

  Request request{http::verb::get, "/alerts/" + secret + ".atom", 11};
  const Response response = api.handle(request);
  REQUIRE(response.result() == http::status::ok);
  const std::string& body = response.body();
  CHECK(xml_chars_only(body));
  CHECK(body.find("<title>failing: Tin &lt;b&gt;đỏ&lt;/b&gt; ]]&gt; \xEF\xBF\xBD\xEF\xBF\xBD end</title>") !=
        std::string::npos);
  CHECK(body.find("<summary>3 failed polls in a row, the last: HTTP 500 [31m&lt;script&gt;x&lt;/script&gt;"
                  "\xEF\xBF\xBD( ]]&gt;tail</summary>") != std::string::npos);
}
