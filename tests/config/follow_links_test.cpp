// The follow_links setting and the article limits: read from the file with their checks,
// and kept through OPML.
#include <catch2/catch.hpp>

#include "tinhop/config/config.hpp"
#include "tinhop/config/opml.hpp"

using namespace tinhop::config;
using namespace std::chrono_literals;

namespace {

std::vector<std::string> diagnostics_of(const std::string& toml) {
  std::vector<std::string> out;
  for (const auto& diagnostic : parse_config(toml, "t.toml").diagnostics)
    out.push_back(diagnostic.to_string());
  return out;
}

const std::string kHtmlSource =
    "[[source]]\nurl = \"https://tinhx.gov.vn/tin-tuc\"\ntype = \"html\"\nhtml = { item = \"li.tin\" }\n";

}  // namespace

TEST_CASE("follow_links is read for html sources with the article limits") {
  const LoadResult off = parse_config(kHtmlSource, "t.toml");
  REQUIRE(off.ok());
  CHECK_FALSE(off.config->sources.at(0).settings.follow_links);
  CHECK(off.config->fetch.articles_per_poll == 10);
  CHECK(off.config->fetch.article_max_bytes == 2u * 1024 * 1024);
  CHECK(off.config->fetch.article_timeout == 30s);

  const LoadResult on = parse_config(
      "[fetch]\narticles_per_poll = 3\narticle_max_bytes = \"512KiB\"\narticle_timeout = \"10s\"\n" +
          kHtmlSource + "follow_links = true\n",
      "t.toml");
  REQUIRE(on.ok());
  CHECK(on.config->sources.at(0).settings.follow_links);
  CHECK(on.config->fetch.articles_per_poll == 3);
  CHECK(on.config->fetch.article_max_bytes == 512u * 1024);
  CHECK(on.config->fetch.article_timeout == 10s);
}

TEST_CASE("follow_links on a feed or of a wrong type and out-of-range article limits are refused") {
  CHECK(diagnostics_of("[[source]]\nurl = \"https://a.vn/rss\"\nfollow_links = true\n") ==
        std::vector<std::string>{"t.toml:3: source[0].follow_links: applies only to type = \"html\" (a feed "
                                 "carries its own content)"});
  CHECK(diagnostics_of(kHtmlSource + "follow_links = \"yes\"\n") ==
        std::vector<std::string>{
            "t.toml:5: source[0].follow_links: expected a boolean (true or false), got a string"});
  CHECK(diagnostics_of("[fetch]\narticles_per_poll = 5000\narticle_timeout = \"0s\"\n") ==
        std::vector<std::string>{"t.toml:2: fetch.articles_per_poll: must be between 0 and 1000, got 5000",
                                 "t.toml:3: fetch.article_timeout: must be between 1s and 1h, got 0s"});
}

TEST_CASE("follow_links survives an OPML round trip and a bad value is refused") {
  SourceSettings following;
  following.url = "https://tinhx.gov.vn/tin-tuc";
  following.type = SourceType::html;
  following.selectors.item = "li.tin";
  following.follow_links = true;
  SourceSettings plain = following;
  plain.url = "https://tinhy.gov.vn/tin-tuc";
  plain.follow_links = false;
  const std::string document = export_opml({following, plain}, "t");
  CHECK(document.find("tinhop:follow-links=\"true\"") != std::string::npos);
  const OpmlImport back = import_opml(document);
  REQUIRE(back.problems.empty());
  REQUIRE(back.sources.size() == 2);
  CHECK(back.sources[0] == following);
  CHECK(back.sources[1] == plain);

  const OpmlImport bad = import_opml(
      "<opml version=\"2.0\" xmlns:tinhop=\"" + std::string(opml_namespace) +
      "\"><body><outline text=\"x\" tinhop:url=\"https://tinhx.gov.vn/tin-tuc\" tinhop:type=\"html\" "
      "tinhop:html-item=\"li\" tinhop:follow-links=\"yes\"/></body></opml>");
  REQUIRE(bad.problems.size() == 1);
  CHECK(bad.problems[0].message == "tinhop:follow-links: expected true or false, got \"yes\"");
  CHECK(bad.sources.empty());
}
