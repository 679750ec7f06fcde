#include "sources_table.hpp"

#include <iostream>
#include <map>

#include "tinhop/admin/json.hpp"
#include "tinhop/config/units.hpp"

namespace tinhop::cli {

namespace {

// Columns are measured in code points: titles are mostly Vietnamese (NFC, precomposed).
std::size_t width(std::string_view text) {
  std::size_t n = 0;
  for (char c : text) n += (static_cast<unsigned char>(c) & 0xC0) != 0x80 ? 1 : 0;
  return n;
}

std::string fit(std::string_view text, std::size_t columns) {
  std::string out;
  std::size_t n = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    bool starts = (static_cast<unsigned char>(text[i]) & 0xC0) != 0x80;
    if (starts && ++n > columns) {
      // Keep room for the ellipsis.
      while (!out.empty() && width(out) >= columns) {
        do out.pop_back();
        while (!out.empty() && (static_cast<unsigned char>(out.back()) & 0xC0) == 0x80);
        if (!out.empty()) out.pop_back();
      }
      return out + "…";
    }
    out += text[i];
  }
  return out;
}

void print_table(const std::vector<std::string>& header, const std::vector<std::vector<std::string>>& rows,
                 std::size_t last_column_max) {
  std::vector<std::size_t> widths(header.size());
  for (std::size_t c = 0; c < header.size(); ++c) widths[c] = width(header[c]);
  for (const auto& row : rows) {
    for (std::size_t c = 0; c < row.size(); ++c) widths[c] = std::max(widths[c], width(row[c]));
  }
  widths.back() = std::min(widths.back(), last_column_max);
  auto line = [&](const std::vector<std::string>& cells) {
    std::string out;
    for (std::size_t c = 0; c < cells.size(); ++c) {
      std::string cell = c + 1 == cells.size() ? cells[c] : fit(cells[c], widths[c]);
      out += cell;
      if (c + 1 < cells.size()) out += std::string(widths[c] - width(cell) + 2, ' ');
    }
    while (!out.empty() && out.back() == ' ') out.pop_back();
    std::cout << out << '\n';
  };
  line(header);
  for (const auto& row : rows) line(row);
}

std::string ago(const std::optional<Instant>& when, Instant now) {
  if (!when) return "-";
  auto delta = now - *when;
  if (delta.count() < 0) return "in " + config::format_duration(-delta);
  return config::format_duration(std::chrono::duration_cast<std::chrono::seconds>(delta)) + " ago";
}

std::string state_of(const storage::Source& source, const storage::Health* health) {
  if (!source.settings.enabled) return "disabled";
  if (!health || !health->status) return "new";
  if (health->status == storage::FetchStatus::failed) return "failing";
  if (health->stale) return "stale";
  return "ok";
}

}  // namespace

std::string render_value(const boost::json::value& value) {
  switch (value.kind()) {
    case boost::json::kind::null: return "-";
    case boost::json::kind::string: return std::string(value.as_string());
    case boost::json::kind::array: {
      std::string out;
      for (const auto& element : value.as_array()) out += (out.empty() ? "" : ", ") + render_value(element);
      return out.empty() ? "-" : out;
    }
    case boost::json::kind::object: {
      std::string out;
      for (const auto& member : value.as_object()) {
        out += (out.empty() ? "" : ", ") + std::string(member.key()) + "=" + render_value(member.value());
      }
      return out.empty() ? "-" : out;
    }
    default: return boost::json::serialize(value);
  }
}

void print_source_list(const std::vector<storage::Source>& sources, bool json) {
  if (json) {
    boost::json::array out;
    for (const storage::Source& source : sources) out.push_back(admin::source_to_json(source, std::nullopt));
    std::cout << boost::json::serialize(out) << '\n';
    return;
  }
  std::vector<std::vector<std::string>> rows;
  for (const storage::Source& source : sources) {
    const auto& s = source.settings;
    std::string title = !s.title.empty() ? s.title : source.feed_title.value_or("-");
    rows.push_back({std::to_string(source.id), storage::origin_name(s.origin), s.enabled ? "yes" : "no",
                    storage::source_type_name(s.type),
                    s.interval ? config::format_duration(*s.interval) : "default", fit(title, 40), s.url});
  }
  print_table({"ID", "ORIGIN", "ENABLED", "TYPE", "INTERVAL", "TITLE", "URL"}, rows, 200);
}

void print_status(const std::vector<storage::Source>& sources, const std::vector<storage::Health>& health,
                  Instant now, bool json, bool failing_only) {
  std::map<std::int64_t, const storage::Health*> by_id;
  for (const storage::Health& h : health) by_id[h.source_id] = &h;
  boost::json::array out;
  std::vector<std::vector<std::string>> rows;
  for (const storage::Source& source : sources) {
    auto it = by_id.find(source.id);
    const storage::Health* h = it == by_id.end() ? nullptr : it->second;
    std::string state = state_of(source, h);
    if (failing_only && state != "failing" && state != "stale") continue;
    if (json) {
      boost::json::object o{{"id", source.id}, {"url", source.settings.url}, {"state", state}};
      if (h) o["health"] = admin::health_to_json(*h);
      out.push_back(std::move(o));
      continue;
    }
    std::string error = h && !h->error_class.empty() ? h->error_class + ": " + h->error_text : "";
    if (!source.disabled_reason.empty()) error = source.disabled_reason;
    if (error.empty() && h && h->dates_not_understood > 0) {
      error = "dates_not_understood: " + std::to_string(h->dates_not_understood);
    }
    rows.push_back({std::to_string(source.id), state, ago(h ? h->last_success : std::nullopt, now),
                    ago(h ? h->next_poll : std::nullopt, now), h ? std::to_string(h->items_added) : "0",
                    h ? std::to_string(h->consecutive_failures) : "0", fit(source.settings.url, 50),
                    error.empty() ? "-" : error});
  }
  if (json) {
    std::cout << boost::json::serialize(out) << '\n';
    return;
  }
  print_table({"ID", "STATE", "LAST SUCCESS", "NEXT POLL", "ITEMS", "FAILS", "URL", "ERROR"}, rows, 80);
}

}  // namespace tinhop::cli
