#include "tinhop/admin/preview.hpp"

#include <boost/asio/io_context.hpp>

namespace tinhop::admin {

PreviewPage fetch_page(fetch::Request request, fetch::ClientOptions options) {
  boost::asio::io_context io;
  fetch::Client client(io.get_executor(), std::move(options));
  const std::string asked = request.url;
  fetch::Response response;
  client.fetch(std::move(request), [&](fetch::Response r) {
    response = std::move(r);
    client.shutdown();
  });
  io.run();
  PreviewPage page;
  page.url = response.url.empty() ? asked : response.url;
  page.content_type = response.content_type;
  if (!response.ok()) {
    page.error =
        std::string("fetch failed: ") + fetch::error_name(response.error) + " " + response.error_text;
  } else if (response.status != 200 && response.status != 0) {
    page.error = "fetch failed: HTTP " + std::to_string(response.status);
  } else if (!page.content_type.empty() && page.content_type.find("html") == std::string::npos &&
             !page.url.starts_with("file:")) {
    // A feed or an image would only yield "no items": say what it is instead. (The file
    // reader names no real type: every file is "application/xml" to it.)
    page.error = "not an HTML page: " + page.content_type;
  }
  if (page.error.empty()) page.bytes = std::move(response.body);
  return page;
}

PagePreview preview_page(PreviewPage page, ParseContext context, const HtmlSelectors& selectors,
                         bool suggest) {
  PagePreview preview;
  if (!page.error.empty()) {
    preview.page = std::move(page);
    return preview;
  }
  if (context.url.empty()) context.url = page.url;
  if (!page.content_type.empty()) context.content_type = page.content_type;
  if (suggest) preview.suggestions = suggest_selectors(page.bytes, context);
  const HtmlSelectors& used = selectors.item.empty() && !preview.suggestions.empty()
                                  ? preview.suggestions.front().selectors
                                  : selectors;
  if (!used.item.empty()) preview.extraction = parse_html_listing(page.bytes, context, used);
  page.bytes.clear();
  preview.page = std::move(page);
  return preview;
}

}  // namespace tinhop::admin
