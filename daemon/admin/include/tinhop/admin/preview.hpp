// What an html source would extract from a page, and the selectors suggested for it: one
// path for `tinhop sources preview` and the admin console's preview page.
#pragma once

#include <string>
#include <vector>

#include "tinhop/fetch/client.hpp"
#include "tinhop/parsers/html_listing.hpp"

namespace tinhop::admin {

// A page as read for a preview. `error` set: nothing to preview.
struct PreviewPage {
  std::string bytes;
  std::string url;  // after redirects
  std::string content_type;
  std::string error;  // "fetch failed: ...", "not an HTML page: ..."
};

struct PagePreview {
  PreviewPage page;  // its bytes are dropped once read
  std::vector<SelectorSuggestion> suggestions;
  // With the selectors given, else the first suggestion's; no items when neither.
  HtmlListingOutcome extraction;
};

// Fetches `request` on a private event loop with the client the daemon polls with (its
// limits, deadlines and network rules), returning when done.
PreviewPage fetch_page(fetch::Request request, fetch::ClientOptions options);

// Extracts the page's items with `selectors` and, when `suggest`, ranks suggestions (the
// first one extracts when `selectors` has no item selector).
// context.url defaults to the page's address, content_type to the page's.
PagePreview preview_page(PreviewPage page, ParseContext context, const HtmlSelectors& selectors,
                         bool suggest);

}  // namespace tinhop::admin
