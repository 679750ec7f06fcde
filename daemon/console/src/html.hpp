// Writing the console's pages (internal): escaping, the page around each main part, form
// fields, and the 30-day sparkline.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "tinhop/publish/reader_text.hpp"

namespace tinhop::console::html {

using publish::Language;

// Text or attribute value with &, <, >, " and ' escaped.
std::string escape(std::string_view text);

// The console's words (messages/*.txt of the reader page, keys "console_...").
std::string_view say(Language language, std::string_view key);
std::string say(Language language, std::string_view key, std::string_view value);

// What every page around its main part needs.
struct Frame {
  Language language = Language::vi;
  std::string title;       // the page's <h1> and <title>
  std::string csrf;        // empty: signed out (no navigation, no sign-out button)
  std::string notice;      // a line above the page: what the last action did
  std::string error;       // a line above the page: why the last action was refused
  std::string here;        // the page's path, for the language switch
  std::size_t alerts = 0;  // sources with an alert now: a count beside the menu's "Alerts"
};
std::string page(const Frame& frame, std::string_view main_part);

// <input type=hidden name=csrf>.
std::string csrf_field(std::string_view csrf);
// A form that posts to `action` with just the CSRF token and one button.
std::string button_form(std::string_view action, std::string_view csrf, std::string_view label,
                        std::string_view button_class = {});
// <label> and <input type=`type`> with id = name.
std::string text_field(std::string_view name, std::string_view label, std::string_view value,
                       std::string_view type = "text", std::string_view hint = {});
std::string checkbox(std::string_view name, std::string_view label, bool checked);

// An inline SVG line of `counts` (oldest first), scaled to its maximum, labelled for
// screen readers with `label`.
std::string sparkline(const std::vector<std::int64_t>& counts, std::string_view label);

}  // namespace tinhop::console::html
