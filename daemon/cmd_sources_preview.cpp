// `tinhop sources preview URL|FILE`: what an html source would extract from a page, so an
// admin can tune selectors (or take suggested ones) before adding the source.
#include <boost/asio/io_context.hpp>

#include <fstream>
#include <iostream>
#include <sstream>

#include "commands.hpp"
#include "tinhop/fetch/client.hpp"
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

struct Page {
  std::string bytes;
  std::string url;
  std::string content_type;
  std::string error;
};

// A local path is read directly; URLs (file://, http://, https://) go through the same
// client the daemon polls with, so limits and deadlines are the daemon's.
Page load(const std::string& source) {
  Page page;
  if (source.find("://") == std::string::npos) {
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
  boost::asio::io_context io;
  fetch::Client client(io.get_executor(), fetch::ClientOptions{});
  fetch::Response response;
  client.fetch(fetch::Request{source, {}, {}, {}, {}}, [&](fetch::Response r) {
    response = std::move(r);
    client.shutdown();
  });
  io.run();
  if (!response.ok()) {
    page.error =
        std::string("fetch failed: ") + fetch::error_name(response.error) + " " + response.error_text;
  } else if (response.status != 200 && response.status != 0) {
    page.error = "fetch failed: HTTP " + std::to_string(response.status);
  }
  page.bytes = std::move(response.body);
  page.url = response.url.empty() ? source : response.url;
  page.content_type = response.content_type;
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
  Page page = load(options.source);
  if (!page.error.empty()) {
    std::cerr << "tinhop sources preview: " << page.error << "\n";
    return exit_failure;
  }
  context.url = options.url.empty() ? page.url : options.url;
  context.content_type = page.content_type;

  if (options.suggest && options.selectors.item.empty()) {
    const auto suggestions = suggest_selectors(page.bytes, context);
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
    options.selectors = suggestions.front().selectors;
  }
  const HtmlListingOutcome outcome = parse_html_listing(page.bytes, context, options.selectors);
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
