// [[views]] entries and [top]: read with their line, every bad filter reported as file:line: key.
#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "diagnostics.hpp"
#include "tinhop/config/config.hpp"

using tinhop::test::diagnostics_of;
using namespace tinhop;
using namespace std::chrono_literals;

TEST_CASE("views are read in file order with every filter", "[config][views]") {
  const char* toml =
      "[[views]]\n"
      "slug = \"kinh-te-chinh-phu\"\n"
      "title = \"Kinh tế từ cơ quan nhà nước\"\n"
      "query = \"kinh tế\"\n"
      "sources = [\"HTTPS://baochinhphu.vn:443/rss\"]\n"
      "categories = [\"Kinh tế\", \"Chính phủ\"]\n"
      "languages = [\"vi\", \"zh_Hans\"]\n"
      "window = \"7d\"\n"
      "min_publishers = 3\n"
      "\n"
      "[[views]]\n"
      "slug = \"tat-ca\"\n";
  config::LoadResult result = config::parse_config(toml, "t.toml");
  REQUIRE(result.ok());
  const auto& views = result.config->views;
  REQUIRE(views.size() == 2);
  CHECK(views[0].line == 1);
  CHECK(views[0].slug == "kinh-te-chinh-phu");
  CHECK(views[0].title == "Kinh tế từ cơ quan nhà nước");
  CHECK(views[0].query == "kinh tế");
  CHECK(views[0].sources == std::vector<std::string>{"https://baochinhphu.vn/rss"});
  CHECK(views[0].categories == std::vector<std::string>{"Kinh tế", "Chính phủ"});
  CHECK(views[0].languages == std::vector<std::string>{"vi", "zh-hans"});
  CHECK(views[0].window == std::chrono::seconds(7 * 24h));
  CHECK(views[0].min_publishers == 3);
  CHECK(views[1].line == 11);
  CHECK(views[1].title.empty());
  CHECK(views[1].sources.empty());
  CHECK_FALSE(views[1].window);
  CHECK(views[1].min_publishers == 1);
}

TEST_CASE("every bad filter of a view is reported at its line", "[config][views]") {
  CHECK(
      diagnostics_of("[[views]]\n"
                     "slug = \"Kinh tế\"\n"
                     "query = \"\\\"*\\\"\"\n"
                     "sources = [\"ftp://a.vn/rss\"]\n"
                     "languages = [\"vi\", \"tiếng việt\", \"e\"]\n"
                     "min_publishers = 0\n"
                     "windw = \"1d\"\n") ==
      std::vector<std::string>{
          "t.toml:7: views[0].windw: unknown key (did you mean 'window'?)",
          "t.toml:2: views[0].slug: \"Kinh tế\" must be 1-64 of a-z, 0-9 and '-', not starting or ending "
          "with '-'",
          "t.toml:3: views[0].query: has no words to search for",
          "t.toml:4: views[0].sources: unsupported scheme 'ftp' (expected http, https or file)",
          "t.toml:5: views[0].languages: \"tiếng việt\" is not a language tag (\"vi\", \"en\", \"zh-hans\")",
          "t.toml:5: views[0].languages: \"e\" is not a language tag (\"vi\", \"en\", \"zh-hans\")",
          "t.toml:6: views[0].min_publishers: must be between 1 and 1000, got 0"});
  CHECK(
      diagnostics_of("[[views]]\ntitle = \"x\"\n") ==
      std::vector<std::string>{"t.toml:1: views[0].slug: every view needs a slug (its URL: /views/{slug})"});
  CHECK(diagnostics_of("[[views]]\nslug = \"-a\"\n") ==
        std::vector<std::string>{"t.toml:2: views[0].slug: \"-a\" must be 1-64 of a-z, 0-9 and '-', not "
                                 "starting or ending with '-'"});
  CHECK(diagnostics_of("[[views]]\nslug = \"a\"\nwindow = \"soon\"\n").size() == 1);
}

TEST_CASE("two views may not share a slug", "[config][views]") {
  CHECK(diagnostics_of("[[views]]\nslug = \"a\"\n\n[[views]]\nslug = \"a\"\n") ==
        std::vector<std::string>{"t.toml:5: views[1].slug: \"a\" is already the slug of views[0] at line 1"});
}

TEST_CASE("[top] has its defaults and reads every key", "[config][views]") {
  config::LoadResult defaults = config::parse_config("", "t.toml");
  REQUIRE(defaults.ok());
  CHECK(defaults.config->top.half_life == 6h);
  CHECK(defaults.config->top.window == 48h);
  CHECK(defaults.config->top.min_publishers == 2);
  CHECK(defaults.config->top.page_entries == 5);
  CHECK(defaults.config->top.feed_entries == 30);
  config::LoadResult set = config::parse_config(
      "[top]\nhalf_life = \"3h\"\nwindow = \"24h\"\nmin_publishers = 3\npage_entries = 0\nfeed_entries = "
      "10\n",
      "t.toml");
  REQUIRE(set.ok());
  CHECK(set.config->top.half_life == 3h);
  CHECK(set.config->top.window == 24h);
  CHECK(set.config->top.min_publishers == 3);
  CHECK(set.config->top.page_entries == 0);
  CHECK(set.config->top.feed_entries == 10);
  CHECK(diagnostics_of("[top]\nhalf_life = \"10s\"\n") ==
        std::vector<std::string>{"t.toml:2: top.half_life: must be between 1m and 30d, got 10s"});
}
