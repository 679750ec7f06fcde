// OPML 2.0 import and export of the source list. Every per-source setting survives a round
// trip through attributes in tinhop's namespace (xmlns:tinhop="https://tinhop.dev/ns/opml/1");
// other readers see plain `type="rss"` outlines with xmlUrl and title, and categories as
// nested folders' `category` attribute.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "tinhop/config/source.hpp"

namespace tinhop::config {

inline constexpr std::string_view opml_namespace = "https://tinhop.dev/ns/opml/1";

// Renders `sources` as an OPML 2.0 document (UTF-8).
// `names[i]`, when given and not empty, is the text readers show for source i (its feed's own
// title when it has none of its own); otherwise its title, else its URL.
std::string export_opml(const std::vector<SourceSettings>& sources, std::string_view title,
                        const std::vector<std::string>& names = {});

struct OpmlProblem {
  std::uint32_t outline = 0;  // 1-based position among the feed outlines
  std::string url;            // as written
  std::string message;        // "key: message"
};

struct OpmlImport {
  std::vector<SourceSettings> sources;  // valid, canonical, first occurrence of each URL
  std::vector<std::uint32_t> outlines;  // each source's outline, as in OpmlProblem
  std::vector<OpmlProblem> problems;    // refused outlines and duplicates, never silent
  std::string error;                    // set when the document itself is unreadable
};

// Reads an OPML document (any version, at most 32 MiB): every outline with an xmlUrl (or
// tinhop:url for html sources) becomes a source. Folder outlines give their text as a
// category to the feeds inside.
OpmlImport import_opml(std::string_view document);

}  // namespace tinhop::config
