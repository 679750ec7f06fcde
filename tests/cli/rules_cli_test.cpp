// `tinhop rules list|show|add|edit|remove|test` and the drops in `sources show`, as an
// editor types them.
#include <unistd.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <string>

#include "support/process.hpp"
#include "tinhop/storage/store.hpp"

namespace {

using Run = tinhop::test::CommandResult;
using namespace tinhop;

struct Folder {
  std::filesystem::path path;
  Folder() {
    path = std::filesystem::temp_directory_path() / ("tinhop-cli-rules-" + std::to_string(::getpid()));
    std::filesystem::remove_all(path);
    std::filesystem::create_directories(path);
  }
  ~Folder() { std::filesystem::remove_all(path); }
};

Run tinhop_in(const Folder& folder, const std::string& args) {
  return test::run_command("cd '" + folder.path.string() + "' && " + std::string(TINHOP_EXECUTABLE) + " " +
                           args + " 2>&1");
}

Item item(std::string id, std::string title) {
  Item i;
  i.id = id;
  i.title = std::move(title);
  i.link = "https://baochinhphu.vn/" + id + ".htm";
  i.published = Instant{std::chrono::seconds{1764200000 + std::stoll(id)}};
  return i;
}

const char* kConfig =
    "[server]\nlisten = \"127.0.0.1:8080\"\n[admin]\nenabled = false\n[database]\npath = \"tinhop.db\"\n"
    "[[rule]]\nname = \"prefix\"\naction = \"rewrite\"\nmatch = \"regex\"\n"
    "pattern = '^\\(Chinhphu\\.vn\\) - '\nfields = [\"title\"]\n"
    "[[rule]]\nname = \"video\"\naction = \"drop\"\nmatch = \"words\"\npattern = \"video\"\n"
    "sources = [\"https://baochinhphu.vn/rss\"]\n";

}  // namespace

TEST_CASE("rules test shows what a rule would do to a source's stored items and changes nothing") {
  Folder dir;
  std::ofstream(dir.path / "tinhop.toml") << kConfig;
  std::int64_t source = 0;
  {
    auto store = storage::Store::open((dir.path / "tinhop.db").string());
    REQUIRE(store.has_value());
    storage::SourceSettings settings;
    settings.url = "https://baochinhphu.vn/rss";
    const Instant now{std::chrono::seconds{1764300000}};
    source = store->add_source(settings, now).value();
    Feed feed;
    feed.items = {item("1", "(Chinhphu.vn) - Thủ tướng tiếp Đại sứ"), item("2", "VIDEO: Lũ quét ở Lào Cai"),
                  item("3", "Giá vàng tăng")};
    REQUIRE(store->ingest(source, feed, now).has_value());
  }
  const std::string id = std::to_string(source);

  Run listed = tinhop_in(dir, "rules list -c tinhop.toml");
  CHECK(listed.exit_code == 0);
  // The daemon has not synced the file's rules yet: they have no id.
  CHECK(listed.out ==
        "#- prefix: rewrite regex \"^\\(Chinhphu\\.vn\\) - \" in title (config)\n"
        "#- video: drop words \"video\" sources: https://baochinhphu.vn/rss (config)\n");

  Run dropped = tinhop_in(dir, "rules test video --source " + id + " -c tinhop.toml");
  CHECK(dropped.exit_code == 0);
  CHECK(dropped.out ==
        "#2 dropped: VIDEO: Lũ quét ở Lào Cai\n"
        "rule video on source " +
            id + ": 3 stored items read, 1 would be dropped, 0 changed\n");

  Run rewritten = tinhop_in(dir, "rules test prefix --source https://baochinhphu.vn/rss -c tinhop.toml");
  CHECK(rewritten.exit_code == 0);
  CHECK(rewritten.out ==
        "#1 title: \"(Chinhphu.vn) - Thủ tướng tiếp Đại sứ\" -> \"Thủ tướng tiếp Đại sứ\"\n"
        "rule prefix on source " +
            id + ": 3 stored items read, 0 would be dropped, 1 changed\n");

  Run unknown = tinhop_in(dir, "rules test nope --source " + id + " -c tinhop.toml");
  CHECK(unknown.exit_code == 1);
  CHECK(unknown.out == "tinhop rules: no rule nope in tinhop.toml nor the database\n");

  auto store = storage::Store::open((dir.path / "tinhop.db").string());
  REQUIRE(store.has_value());
  auto kept = store->source_items(source, 10);
  REQUIRE(kept.has_value());
  CHECK(kept->size() == 3);
  CHECK((*kept)[2].title == "(Chinhphu.vn) - Thủ tướng tiếp Đại sứ");
}

TEST_CASE("rules test matches the language each item was stored with") {
  Folder dir;
  std::ofstream(dir.path / "tinhop.toml")
      << "[server]\nlisten = \"127.0.0.1:8080\"\n[admin]\nenabled = false\n[database]\npath = \"tinhop.db\"\n"
         "[[rule]]\nname = \"english\"\naction = \"drop\"\nmatch = \"words\"\npattern = \"en\"\n"
         "fields = [\"language\"]\n";
  std::int64_t source = 0;
  {
    auto store = storage::Store::open((dir.path / "tinhop.db").string());
    REQUIRE(store.has_value());
    storage::SourceSettings settings;
    settings.url = "https://baochinhphu.vn/rss";
    const Instant now{std::chrono::seconds{1764300000}};
    source = store->add_source(settings, now).value();
    Feed feed;
    feed.items = {item("1", "Thủ tướng tiếp Đại sứ"), item("2", "Prime Minister receives the Ambassador")};
    feed.items[0].extras.ensure().language = "vi";
    feed.items[1].extras.ensure().language = "en";
    REQUIRE(store->ingest(source, feed, now).has_value());
  }
  Run dropped = tinhop_in(dir, "rules test english --source " + std::to_string(source) + " -c tinhop.toml");
  CHECK(dropped.exit_code == 0);
  CHECK(dropped.out ==
        "#2 dropped: Prime Minister receives the Ambassador\n"
        "rule english on source " +
            std::to_string(source) + ": 2 stored items read, 1 would be dropped, 0 changed\n");
}

TEST_CASE("sources show lists each rule's drops for the source") {
  Folder dir;
  std::ofstream(dir.path / "tinhop.toml") << kConfig;
  std::int64_t source = 0;
  {
    auto store = storage::Store::open((dir.path / "tinhop.db").string());
    REQUIRE(store.has_value());
    storage::SourceSettings settings;
    settings.url = "https://baochinhphu.vn/rss";
    source = store->add_source(settings, Instant{std::chrono::seconds{1764300000}}).value();
    const std::vector<storage::RuleCount> counts{{source, "video", 4, 0}, {source, "slow", 0, 2}};
    REQUIRE(store->add_rule_counts(counts).has_value());
  }
  Run shown = tinhop_in(dir, "sources show " + std::to_string(source) + " -c tinhop.toml");
  CHECK(shown.exit_code == 0);
  CHECK(shown.out.ends_with("rules:\n  slow: 0 dropped, 2 regex timeouts\n  video: 4 dropped\n"));
  Run json = tinhop_in(dir, "sources show " + std::to_string(source) + " --json -c tinhop.toml");
  CHECK(json.out.find("\"rules\":{\"slow\":{\"dropped\":0,\"regex_timeouts\":2},\"video\":{\"dropped\":4,"
                      "\"regex_timeouts\":0}}") != std::string::npos);
}

TEST_CASE("check-config counts the rules and reports a bad regex with its line and ICU's error") {
  Folder dir;
  std::ofstream(dir.path / "tinhop.toml") << kConfig;
  Run ok = tinhop_in(dir, "check-config tinhop.toml");
  CHECK(ok.exit_code == 0);
  CHECK(ok.out == "tinhop.toml: ok, 0 sources, 2 rules\n");
  std::ofstream(dir.path / "bad.toml")
      << "[admin]\nenabled = false\n[[rule]]\nname = \"video\"\naction = \"drop\"\n"
         "match = \"regex\"\npattern = \"(Video\"\n";
  Run bad = tinhop_in(dir, "check-config bad.toml");
  CHECK(bad.exit_code == 1);
  CHECK(bad.out ==
        "bad.toml:7: rule[0].pattern: invalid regular expression: U_REGEX_MISMATCHED_PAREN at offset 6\n"
        "bad.toml: 1 error\n");
}

TEST_CASE("rules add, list, show and remove a rule kept in the database", "[cli][rules]") {
  Folder dir;
  std::ofstream(dir.path / "tinhop.toml") << kConfig;
  Run added =
      tinhop_in(dir,
                "rules -c tinhop.toml add --name horoscope --action drop --match phrase --pattern 'tu vi' "
                "--field title --category 'giải trí'");
  CHECK(added.exit_code == 0);
  CHECK(added.out == "#1 horoscope: drop phrase \"tu vi\" in title categories: giải trí (cli)\n");
  // A TOML snippet, as the file would write it, goes through the same reader.
  Run snippet = tinhop_in(dir,
                          "rules -c tinhop.toml add --disabled --toml 'name = \"ads\"\naction = \"drop\"\n"
                          "pattern = \"quảng cáo\"'");
  CHECK(snippet.out == "#2 ads: drop words \"quảng cáo\" (cli, disabled)\n");

  Run listed = tinhop_in(dir, "rules -c tinhop.toml list");
  CHECK(listed.exit_code == 0);
  CHECK(listed.out ==
        "#- prefix: rewrite regex \"^\\(Chinhphu\\.vn\\) - \" in title (config)\n"
        "#- video: drop words \"video\" sources: https://baochinhphu.vn/rss (config)\n"
        "#1 horoscope: drop phrase \"tu vi\" in title categories: giải trí (cli)\n"
        "#2 ads: drop words \"quảng cáo\" (cli, disabled)\n");

  Run shown = tinhop_in(dir, "rules -c tinhop.toml show horoscope --json");
  CHECK(shown.exit_code == 0);
  CHECK(shown.out.starts_with(
      R"({"id":1,"name":"horoscope","origin":"cli","position":1,"enabled":true,"scope":"categories",)"
      R"("rule":{"name":"horoscope","action":"drop","match":"phrase","pattern":"tu vi","fields":["title"],)"
      R"("categories":["giải trí"]},"created":")"));
  CHECK(shown.out.ends_with(R"(,"dropped":0,"regex_timeouts":0})"
                            "\n"));

  Run enabled = tinhop_in(dir, "rules -c tinhop.toml enable ads");
  CHECK(enabled.out == "#2 ads: drop words \"quảng cáo\" (cli)\n");
  Run edited = tinhop_in(dir, "rules -c tinhop.toml edit 1 --pattern 'tử vi hôm nay' --unset fields");
  CHECK(edited.out == "#1 horoscope: drop phrase \"tử vi hôm nay\" categories: giải trí (cli)\n");

  Run removed = tinhop_in(dir, "rules -c tinhop.toml remove horoscope");
  CHECK(removed.exit_code == 0);
  CHECK(removed.out == "removed rule 1 (horoscope)\n");
  auto store = storage::Store::open((dir.path / "tinhop.db").string());
  REQUIRE(store.has_value());
  const auto left = store->list_rules().value();
  REQUIRE(left.size() == 1);
  CHECK(left[0].name == "ads");
}

TEST_CASE("rules add refuses a bad regex with ICU's error and stores nothing", "[cli][rules]") {
  Folder dir;
  std::ofstream(dir.path / "tinhop.toml") << kConfig;
  Run bad =
      tinhop_in(dir, "rules -c tinhop.toml add --name video2 --action drop --match regex --pattern '(Video'");
  CHECK(bad.exit_code == 1);
  CHECK(bad.out ==
        "tinhop rules: pattern: invalid regular expression: U_REGEX_MISMATCHED_PAREN at offset 6\n");
  Run json = tinhop_in(
      dir, R"(rules -c tinhop.toml add --json '{"name":"video2","action":"drop","fields":["titel"]}')");
  CHECK(json.exit_code == 1);
  CHECK(json.out ==
        "tinhop rules: fields: unknown field \"titel\" (expected: title, summary, content, link, author, "
        "category, "
        "language)\n");
  Run taken = tinhop_in(dir, "rules -c tinhop.toml add --name video --action drop --pattern clip");
  CHECK(taken.exit_code == 1);
  CHECK(taken.out == "tinhop rules: \"video\" is the name of a rule of tinhop.toml (line 13)\n");
  auto store = storage::Store::open((dir.path / "tinhop.db").string());
  REQUIRE(store.has_value());
  CHECK(store->list_rules().value().empty());
}

TEST_CASE("rules test and sources show answer an id past the largest as no source, not an abort",
          "[cli][rules]") {
  Folder dir;
  std::ofstream(dir.path / "tinhop.toml") << kConfig;
  Run rules = tinhop_in(dir, "rules -c tinhop.toml test video --source 99999999999999999999");
  CHECK(rules.exit_code == 1);
  CHECK(rules.out == "tinhop rules: no source 99999999999999999999\n");
  Run sources = tinhop_in(dir, "sources -c tinhop.toml show 99999999999999999999");
  CHECK(sources.exit_code == 1);
  CHECK(sources.out == "tinhop sources: no source with id 99999999999999999999\n");
}

TEST_CASE("rules edit mends a stored rule that no longer reads, from its stored keys", "[cli][rules]") {
  Folder dir;
  std::ofstream(dir.path / "tinhop.toml") << kConfig;
  {
    auto store = storage::Store::open((dir.path / "tinhop.db").string());
    REQUIRE(store.has_value());
    // Stored before the pattern limit existed.
    const std::string pattern(8193, 'a');  // one byte past the limit
    storage::StoredRule old{
        0,
        "old",
        storage::SourceOrigin::cli,
        0,
        true,
        R"({"name":"old","action":"drop","match":"words","pattern":")" + pattern + R"(","fields":["title"]})",
        {},
        {}};
    REQUIRE(store->add_rule(old, Instant{std::chrono::seconds{1764300000}}, 1000).has_value());
  }
  Run edited = tinhop_in(dir, "rules -c tinhop.toml edit old --pattern 'tu vi'");
  CHECK(edited.exit_code == 0);
  CHECK(edited.out == "#1 old: drop words \"tu vi\" in title (cli)\n");
}
