// `tinhop sources preview URL|FILE`: what an html source would extract from a page, so an
// admin can tune selectors (or take suggested ones) before adding the source.
#include <fstream>
#include <iostream>
#include <sstream>

#include "commands.hpp"
#include "tinhop/admin/preview.hpp"
#include "tinhop/parsers/contract_json.hpp"
#include "tinhop/parsers/html_listing.hpp"

namespace tinhop::cli {
namespace {

struct PreviewOptions {
  std::string source;
  std::string spec;
  HtmlSelectors selectors;
  bool suggest = false;
  bool json = false;
  std::string url;
  std::string time_zone = "Asia/Ho_Chi_Minh";
  std::string date_order = "auto";
  std::size_t limit = 20;
};

// A local path is read directly; URLs (file://, http://, https://) go through the same
// client the daemon polls with, so limits and deadlines are the daemon's.
admin::PreviewPage load(const std::string& source) {
  if (source.find("://") != std::string::npos)
    return admin::fetch_page(fetch::Request{source, {}, {}, {}, {}}, fetch::ClientOptions{});
  admin::PreviewPage page;
  std::ifstream in(source, std::ios::binary);
  if (!in) {
    page.error = "cannot read " + source;
    return page;
  }
  std::ostringstream bytes;
  bytes << in.rdbuf();
  page.bytes = bytes.str();
  return page;
}

std::string date_text(const Item& item, Instant now) {
  if (!item.published) return "(no date)";
  std::string text = format_rfc3339(*item.published);
  if (item.date_approximate)
    text += *item.published == now ? " (no date on the page: fetch time)" : " (approximate)";
  if (item.date_in_future) text += " (in the future: not trusted)";
  return text;
}

void print_items(const ParseResult& result, const PreviewOptions& options, Instant now) {
  std::cout << result.feed.items.size() << " items";
  if (result.feed.title) std::cout << " from \"" << *result.feed.title << "\"";
  std::cout << "\n";
  std::size_t shown = 0;
  for (const Item& item : result.feed.items) {
    if (shown++ == options.limit) {
      std::cout << "  ... " << result.feed.items.size() - options.limit << " more\n";
      break;
    }
    std::cout << "\n  " << item.title.value_or("(no title)") << "\n    link:  " << item.link.value_or("")
              << "\n"
              << "    date:  " << date_text(item, now) << "\n";
    if (item.thumbnail) std::cout << "    image: " << *item.thumbnail << "\n";
    if (item.summary) std::cout << "    summary: " << item.summary->substr(0, 160) << "\n";
  }
  for (const std::string& warning : result.warnings) std::cout << "warning: " << warning << "\n";
}

int run(PreviewOptions options) {
  ParseContext context;
  context.time_zone = options.time_zone;
  context.date_order = options.date_order == "dmy"   ? DateOrder::dmy
                       : options.date_order == "mdy" ? DateOrder::mdy
                                                     : DateOrder::automatic;
  context.now = std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now());
  if (!options.spec.empty()) {
    std::string message;
    const auto parsed = parse_selector_spec(options.spec, message);
    if (!parsed) {
      std::cerr << "tinhop sources preview: " << message << "\n";
      return exit_usage;
    }
    // Individual options given alongside --selectors win over its parts.
    for (const auto& [key, field] : html_selector_fields) {
      if (options.selectors.*field == "") options.selectors.*field = (*parsed).*field;
    }
  }
  if (!options.suggest && options.selectors.item.empty()) {
    std::cerr << "tinhop sources preview: give --item (or --selectors \"item=...\"), or --suggest\n";
    return exit_usage;
  }
  context.url = options.url;
  const bool suggest = options.suggest && options.selectors.item.empty();
  admin::PagePreview preview = admin::preview_page(load(options.source), context, options.selectors, suggest);
  if (!preview.page.error.empty()) {
    std::cerr << "tinhop sources preview: " << preview.page.error << "\n";
    return exit_failure;
  }
  if (suggest) {
    const auto& suggestions = preview.suggestions;
    if (suggestions.empty()) {
      std::cout << "no repeated link structure found: write selectors by hand (--item ...)\n";
      return exit_failure;
    }
    for (std::size_t i = 0; i < suggestions.size(); ++i) {
      const auto& s = suggestions[i];
      std::cout << (i + 1) << ". " << s.items << " items, " << s.dated_items << " dated: " << s.reason << "\n"
                << "   --selectors '" << format_selector_spec(s.selectors) << "'\n";
    }
    std::cout << "\npreview of suggestion 1:\n";
  }
  const HtmlListingOutcome& outcome = preview.extraction;
  if (outcome.error != HtmlError::none) {
    std::cerr << "tinhop sources preview: " << outcome.message << "\n";
    return outcome.error == HtmlError::bad_selector ? exit_usage : exit_failure;
  }
  if (options.json) {
    std::cout << to_contract_json(outcome.result) << "\n";
  } else {
    print_items(outcome.result, options, context.now);
  }
  return outcome.result.feed.items.empty() ? exit_failure : exit_ok;
}

}  // namespace

void add_sources_preview_command(CLI::App& sources, int& exit_code) {
  auto options = std::make_shared<PreviewOptions>();
  auto* cmd = sources.add_subcommand(
      "preview",
      "Show what an html source would extract from a page (a file path, file:// or http(s):// URL)");
  cmd->add_option("page", options->source, "Page to read: FILE, file://PATH or http(s)://URL")->required();
  cmd->add_option("--selectors", options->spec, "Selectors on one line: \"item=...; title=...; date=...\"");
  cmd->add_option("--item", options->selectors.item, "Item (card) selector, CSS or XPath");
  cmd->add_option("--title", options->selectors.title, "Title selector within an item");
  cmd->add_option("--link", options->selectors.link, "Link selector within an item");
  cmd->add_option("--date", options->selectors.date, "Date selector within an item");
  cmd->add_option("--summary", options->selectors.summary, "Summary selector within an item");
  cmd->add_option("--image", options->selectors.image, "Image selector within an item");
  cmd->add_option("--date-format", options->selectors.date_format,
                  "Fixed date layout, e.g. \"%d/%m/%Y %H:%M\"");
  cmd->add_flag("--suggest", options->suggest, "Propose selectors from the page's repeated link structure");
  cmd->add_flag("--json", options->json, "Print the items as the parse contract's JSON");
  cmd->add_option("--url", options->url, "Address the page was fetched from (for relative links)");
  cmd->add_option("--timezone", options->time_zone, "IANA zone for dates written without one")
      ->capture_default_str();
  cmd->add_option("--date-order", options->date_order, "Day/month order of numeric dates")
      ->check(CLI::IsMember({"auto", "dmy", "mdy"}))
      ->capture_default_str();
  cmd->add_option("--limit", options->limit, "Items to print")->capture_default_str();
  cmd->callback([options, &exit_code] { exit_code = run(*options); });
}

}  // namespace tinhop::cli
