#include "html.hpp"

#include <algorithm>
#include <cstdio>

namespace tinhop::console::html {

std::string escape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default: out += c;
    }
  }
  return out;
}

std::string_view say(Language language, std::string_view key) {
  return publish::message(language, key);
}

std::string say(Language language, std::string_view key, std::string_view value) {
  return publish::message(language, key, value);
}

std::string page(const Frame& frame, std::string_view main_part) {
  const Language l = frame.language;
  std::string out = "<!DOCTYPE html>\n<html lang=\"";
  out += publish::language_tag(l);
  out +=
      "\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" "
      "content=\"width=device-width,initial-scale=1\">";
  out += "<title>" + escape(frame.title) + " · tinhop</title>";
  out += "<link rel=\"stylesheet\" href=\"/admin/console.css\"></head><body><header>";
  out += "<strong>tinhop</strong><nav aria-label=\"" + escape(say(l, "console_menu")) + "\">";
  if (!frame.csrf.empty()) {
    out += "<a href=\"/admin/sources\">" + escape(say(l, "console_sources")) + "</a>";
    out += "<a href=\"/admin/sources/new\">" + escape(say(l, "console_add")) + "</a>";
    out += "<a href=\"/admin/opml\">" + escape(say(l, "console_opml")) + "</a>";
    out += "<a href=\"/admin/alerts\">" + escape(say(l, "console_alerts"));
    if (frame.alerts > 0) out += " <span class=\"badge\">" + std::to_string(frame.alerts) + "</span>";
    out += "</a>";
  }
  const bool english = l == Language::en;
  out += "<a href=\"" + escape(frame.here) +
         (english ? "?hl=vi\" lang=\"vi\" hreflang=\"vi\">Tiếng Việt"
                  : "?hl=en\" lang=\"en\" hreflang=\"en\">English") +
         "</a>";
  if (!frame.csrf.empty()) out += button_form("/admin/sign-out", frame.csrf, say(l, "console_sign_out"));
  out += "</nav></header><main><h1>" + escape(frame.title) + "</h1>";
  if (!frame.notice.empty()) out += "<p class=\"notice\" role=\"status\">" + escape(frame.notice) + "</p>";
  if (!frame.error.empty()) out += "<p class=\"error\" role=\"alert\">" + escape(frame.error) + "</p>";
  out += main_part;
  out += "</main></body></html>\n";
  return out;
}

std::string csrf_field(std::string_view csrf) {
  return "<input type=\"hidden\" name=\"csrf\" value=\"" + escape(csrf) + "\">";
}

std::string button_form(std::string_view action, std::string_view csrf, std::string_view label,
                        std::string_view button_class) {
  std::string out = "<form method=\"post\" action=\"" + escape(action) + "\">" + csrf_field(csrf) + "<button";
  if (!button_class.empty()) out += " class=\"" + escape(button_class) + "\"";
  return out + ">" + escape(label) + "</button></form>";
}

std::string text_field(std::string_view name, std::string_view label, std::string_view value,
                       std::string_view type, std::string_view hint) {
  const std::string id = escape(name);
  std::string out = "<label for=\"" + id + "\">" + escape(label) + "</label><input type=\"" + escape(type) +
                    "\" id=\"" + id + "\" name=\"" + id + "\" value=\"" + escape(value) + "\"";
  if (!hint.empty()) out += " aria-describedby=\"" + id + "-hint\"";
  out += ">";
  if (!hint.empty()) out += "<div class=\"meta\" id=\"" + id + "-hint\">" + escape(hint) + "</div>";
  return out;
}

std::string checkbox(std::string_view name, std::string_view label, bool checked) {
  const std::string id = escape(name);
  return "<p><input type=\"checkbox\" id=\"" + id + "\" name=\"" + id + "\" value=\"1\"" +
         (checked ? " checked" : "") + "><label class=\"inline\" for=\"" + id + "\">" + escape(label) +
         "</label></p>";
}

std::string sparkline(const std::vector<std::int64_t>& counts, std::string_view label) {
  constexpr int kWidth = 90;
  constexpr int kHeight = 20;
  const std::int64_t top = std::max<std::int64_t>(1, counts.empty() ? 1 : *std::ranges::max_element(counts));
  std::string points;
  const double step = counts.size() > 1 ? double(kWidth) / double(counts.size() - 1) : 0;
  for (std::size_t i = 0; i < counts.size(); ++i) {
    const double x = step * double(i);
    const double y = kHeight - 1 - double(kHeight - 2) * double(counts[i]) / double(top);
    char pair[32];
    std::snprintf(pair, sizeof pair, "%s%.1f,%.1f", i == 0 ? "" : " ", x, y);
    points += pair;
  }
  return "<svg class=\"spark\" role=\"img\" aria-label=\"" + escape(label) + "\" width=\"" +
         std::to_string(kWidth) + "\" height=\"" + std::to_string(kHeight) + "\" viewBox=\"0 0 " +
         std::to_string(kWidth) + " " + std::to_string(kHeight) +
         "\"><polyline fill=\"none\" stroke=\"currentColor\" stroke-width=\"1.5\" points=\"" + points +
         "\"/></svg>";
}

}  // namespace tinhop::console::html
