// A tiny append-only XML writer for the renderers: every text and attribute goes through
// append_escaped, so no renderer can forget to escape.
#pragma once

#include <string>
#include <string_view>

#include "tinhop/publish/render.hpp"

namespace tinhop::publish {

class XmlWriter {
 public:
  XmlWriter() { out_.reserve(64 * 1024); }

  // Markup written as is (only literals from the renderers).
  void raw(std::string_view markup) { out_ += markup; }
  void text(std::string_view text) { append_escaped(out_, text); }
  // ` name="value"`
  void attr(std::string_view name, std::string_view value) {
    out_ += ' ';
    out_ += name;
    out_ += "=\"";
    append_escaped(out_, value);
    out_ += '"';
  }
  // `<name>text</name>\n`
  void element(std::string_view name, std::string_view text) {
    out_ += '<';
    out_ += name;
    out_ += '>';
    append_escaped(out_, text);
    out_ += "</";
    out_ += name;
    out_ += ">\n";
  }
  // `<link rel href type title/>` in the current default namespace, or with `prefix:`.
  void link(std::string_view rel, std::string_view href, std::string_view type, std::string_view title = {},
            std::string_view prefix = {}) {
    out_ += '<';
    out_ += prefix;
    out_ += "link";
    attr("rel", rel);
    attr("href", href);
    if (!type.empty()) attr("type", type);
    if (!title.empty()) attr("title", title);
    out_ += "/>\n";
  }
  std::string take() { return std::move(out_); }

 private:
  std::string out_;
};

}  // namespace tinhop::publish
