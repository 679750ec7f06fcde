// Pieces the reader pages share (internal): the document's head, links, times, thumbnails
// and the list of a story's publishers.
#pragma once

#include <string_view>

#include "tinhop/publish/view.hpp"
#include "xml_writer.hpp"

namespace tinhop::publish::html {

// From the doctype to `<body>`: language, viewport, title, the inlined style sheet.
// `alternates` are written in the head as is (the river's feed autodiscovery links).
void open_document(XmlWriter& w, const Reader& reader, std::string_view title,
                   std::string_view alternates = {});
void close_document(XmlWriter& w);

void anchor(XmlWriter& w, std::string_view href, std::string_view text);

// The link to the same page in the other language, as every page's top bar ends.
void language_switch(XmlWriter& w, const Reader& reader);

// A search form's opening: `<form>` to `action`, the reader's language kept, and the search
// box holding `query`; the caller adds its own fields and closes the form.
void open_search_form(XmlWriter& w, std::string_view action, const Reader& reader, std::string_view query,
                      std::string_view placeholder, std::string_view label);

// `<time datetime="…">14:05, 06/12/2026</time>` (or "5 phút trước" for today).
void time(XmlWriter& w, Instant t, const Reader& reader);

// The entry's picture when its source gives one, linked from the source's own server.
void thumbnail(XmlWriter& w, const Entry& entry);

// "Đưa tin: A (đăng đầu tiên), B, C", each linked to its own article, earliest first.
void publishers(XmlWriter& w, const Entry& entry, const Reader& reader);

// "3 nguồn đưa tin:" and an ordered list of the publishers, earliest first, the first one
// marked, each linked to its own article with its time.
void publisher_times(XmlWriter& w, const Entry& entry, const Reader& reader);

}  // namespace tinhop::publish::html
