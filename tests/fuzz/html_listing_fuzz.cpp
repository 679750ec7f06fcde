// Any bytes as a listing page (extraction with fixed selectors, suggestions), as an
// article page, and as a page whose feeds are discovered.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "tinhop/parsers/feed_discovery.hpp"
#include "tinhop/parsers/html_listing.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view page(reinterpret_cast<const char*>(data), size);
  tinhop::ParseContext context;
  context.url = "https://tinhx.gov.vn/tin-tuc/";
  context.time_zone = "Asia/Ho_Chi_Minh";
  context.now = tinhop::Instant{std::chrono::seconds{1789473825}};
  tinhop::HtmlSelectors selectors;
  selectors.item = "li, article, div.item";
  selectors.date = ".date, time";
  (void)tinhop::parse_html_listing(page, context, selectors);
  selectors = tinhop::HtmlSelectors{};
  selectors.item = "//*[a]";
  selectors.date_format = "%d/%m/%Y %H:%M";
  (void)tinhop::parse_html_listing(page, context, selectors);
  // A budget small inputs outgrow, so that gumbo's refused allocations are exercised too.
  tinhop::HtmlLimits tight;
  tight.memory_floor = 64U << 10U;
  (void)tinhop::parse_html_listing(page, context, selectors, tight);
  (void)tinhop::suggest_selectors(page, context);
  (void)tinhop::extract_article(page, context);
  (void)tinhop::discover_feeds(page, context, tight);
  return 0;
}
