// `tinhop parse`: one document in, the contract's JSON object out (../shared/contract).
#include <chrono>
#include <fstream>
#include <iostream>
#include <iterator>
#include <memory>
#include <sstream>
#include <string>

#include "commands.hpp"
#include "tinhop/parsers/contract_json.hpp"
#include "tinhop/parsers/feed.hpp"
#include "tinhop/parsers/html_listing.hpp"

namespace tinhop::cli {
namespace {

struct ParseOptions {
  std::string file;
  std::string url;
  std::string content_type;
  std::string content_language;
  std::string time_zone = "UTC";
  std::string date_order = "auto";
  std::string html_selectors;  // set: the document is an HTML listing page (format html)
};

// An `html` source's page: selectors on one line (see docs/html-sources.md).
int run_html(const std::string& bytes, const ParseContext& context, const std::string& spec) {
  std::string message;
  const auto selectors = parse_selector_spec(spec, message);
  if (!selectors) {
    std::cerr << "tinhop parse: " << message << "\n";
    return exit_failure;
  }
  const HtmlListingOutcome outcome = parse_html_listing(bytes, context, *selectors);
  if (outcome.error != HtmlError::none) {
    std::cerr << "tinhop parse: " << outcome.message << "\n";
    return exit_failure;
  }
  std::cout << to_contract_json(outcome.result) << "\n";
  return exit_ok;
}

bool read_all(const std::string& file, std::string& bytes) {
  if (file == "-") {
    bytes.assign(std::istreambuf_iterator<char>(std::cin), std::istreambuf_iterator<char>());
    return !std::cin.bad();
  }
  std::ifstream stream(file, std::ios::binary);
  if (!stream) return false;
  std::ostringstream buffer;
  buffer << stream.rdbuf();
  bytes = std::move(buffer).str();
  return !stream.bad();
}

int run_parse(const ParseOptions& options) {
  std::string bytes;
  if (!read_all(options.file, bytes)) {
    std::cerr << "tinhop parse: cannot read " << options.file << "\n";
    return exit_failure;
  }
  ParseContext context;
  context.url = options.url;
  context.content_type = options.content_type;
  context.content_language = options.content_language;
  context.time_zone = options.time_zone;
  context.date_order = options.date_order == "dmy"   ? DateOrder::dmy
                       : options.date_order == "mdy" ? DateOrder::mdy
                                                     : DateOrder::automatic;
  context.now = std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now());
  if (!options.html_selectors.empty()) return run_html(bytes, context, options.html_selectors);
  const ParseOutcome outcome = parse_feed(bytes, context);
  if (!outcome) {
    std::cerr << "tinhop parse: " << outcome.failure().message << "\n";
    return exit_failure;
  }
  std::cout << to_contract_json(outcome.result()) << "\n";
  return exit_ok;
}

}  // namespace

void add_parse_command(CLI::App& app, int& exit_code) {
  auto options = std::make_shared<ParseOptions>();
  auto* cmd =
      app.add_subcommand("parse", "Parse one feed document and print it as JSON (the parse contract)");
  cmd->add_option("--url", options->url, "Address the document was fetched from (base for relative links)");
  cmd->add_option("--content-type", options->content_type, "HTTP Content-Type header (may carry a charset)");
  cmd->add_option("--content-language", options->content_language,
                  "HTTP Content-Language header (a hint for the order of day and month)");
  cmd->add_option("--timezone", options->time_zone,
                  "IANA time zone for dates written without one; its country's customs order day and month "
                  "when the document does not")
      ->capture_default_str();
  cmd->add_option("--date-order", options->date_order, "Day/month order of numeric dates")
      ->check(CLI::IsMember({"dmy", "mdy", "auto"}))
      ->capture_default_str();
  cmd->add_option("--html-selectors", options->html_selectors,
                  "Read an HTML listing page with these selectors: \"item=...; title=...; date=...\"");
  cmd->add_option("file", options->file, "Document to parse, or - for standard input")->required();
  cmd->callback([options, &exit_code] { exit_code = run_parse(*options); });
}

}  // namespace tinhop::cli
