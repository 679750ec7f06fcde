// follow_links as an admin sets it with `tinhop sources`: add, show, edit, and an OPML
// export imported into another database.
#include <unistd.h>

#include <boost/json.hpp>
#include <catch2/catch.hpp>

#include <filesystem>
#include <string>

#include "support/process.hpp"

namespace {

namespace fs = std::filesystem;
using Run = tinhop::test::CommandResult;

Run sources(const fs::path& db, const std::string& args) {
  return tinhop::test::run_command(std::string(TINHOP_EXECUTABLE) +
                                   " sources --config /nonexistent.toml --database '" + db.string() + "' " +
                                   args);
}

bool follows(const fs::path& db, const std::string& source) {
  const Run shown = sources(db, "show " + source + " --json");
  REQUIRE(shown.exit_code == 0);
  return boost::json::parse(shown.out).at("follow_links").as_bool();
}

}  // namespace

TEST_CASE("sources add and edit set follow_links and OPML keeps it", "[cli][html]") {
  const fs::path dir = fs::temp_directory_path() / ("tinhop-follow-cli-" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  const fs::path db = dir / "a.db";

  Run added = sources(db, "add https://tinhx.gov.vn/tin-tuc --type html --html-item li.tin --follow-links");
  INFO(added.err);
  REQUIRE(added.exit_code == 0);
  CHECK(added.out == "added source 1: https://tinhx.gov.vn/tin-tuc\n");
  CHECK(follows(db, "1"));
  CHECK(sources(db, "show 1").out.find("\nfollow_links: true\n") != std::string::npos);

  REQUIRE(sources(db, "edit 1 --no-follow-links").exit_code == 0);
  CHECK_FALSE(follows(db, "1"));
  REQUIRE(sources(db, "edit 1 --follow-links").exit_code == 0);
  CHECK(follows(db, "1"));

  const Run both = sources(db, "edit 1 --follow-links --no-follow-links");
  CHECK(both.exit_code == 1);
  CHECK(both.err == "tinhop sources: --follow-links and --no-follow-links exclude each other\n");
  const Run feed = sources(db, "add https://a.vn/rss --follow-links");
  CHECK(feed.exit_code == 1);
  CHECK(feed.err ==
        "tinhop sources: follow_links: applies only to type = \"html\" (a feed carries its own content)\n");

  REQUIRE(sources(db, "export-opml '" + (dir / "out.opml").string() + "'").exit_code == 0);
  const fs::path other = dir / "b.db";
  const Run imported = sources(other, "import-opml '" + (dir / "out.opml").string() + "'");
  REQUIRE(imported.exit_code == 0);
  CHECK(imported.out == "added 1, already present 0, refused 0\n");
  CHECK(follows(other, "https://tinhx.gov.vn/tin-tuc"));
  fs::remove_all(dir);
}
