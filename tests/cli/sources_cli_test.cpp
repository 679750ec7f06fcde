// `tinhop check-config` and `tinhop sources ...` as an admin types them.
#include <sys/stat.h>
#include <unistd.h>

#include <boost/json.hpp>
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <string>

#include "support/process.hpp"

namespace {

using Run = tinhop::test::CommandResult;

// Runs the built executable in `folder` with `args`, stdout and stderr captured
// together.
Run tinhop_in(const std::filesystem::path& folder, const std::string& args) {
  return tinhop::test::run_command("cd '" + folder.string() + "' && " + std::string(TINHOP_EXECUTABLE) + " " +
                                   args + " 2>&1");
}

struct Folder {
  std::filesystem::path path;
  explicit Folder(const std::string& name) {
    path = std::filesystem::temp_directory_path() / ("tinhop-cli-" + name + "-" + std::to_string(::getpid()));
    std::filesystem::remove_all(path);
    std::filesystem::create_directories(path);
  }
  void write(const std::string& name, const std::string& text) const { std::ofstream(path / name) << text; }
  ~Folder() { std::filesystem::remove_all(path); }
};

}  // namespace

TEST_CASE(
    "check-config prints every problem as file:line: key: message and "
    "exits 1") {
  Folder dir("check");
  dir.write("bad.toml",
            "[fetch]\ntimeout = \"soon\"\n\n[[source]]\nurl = "
            "\"htttp://dantri.com.vn/xa-hoi.rss\"\n\n[[source]]\n"
            "url = \"http://danviet.vn/rss/home.rss \"\n");
  Run run = tinhop_in(dir.path, "check-config bad.toml");
  CHECK(run.exit_code == 1);
  CHECK(run.out ==
        "bad.toml:2: fetch.timeout: invalid duration \"soon\" "
        "(write seconds, or a number with a unit s, m, "
        "h, d or w: "
        "\"90s\", \"15m\", \"1h30m\")\n"
        "bad.toml:5: source[0].url: unknown scheme 'htttp' (did you "
        "mean 'http'?)\n"
        "bad.toml:8: source[1].url: URL has trailing whitespace\n"
        "bad.toml: 3 errors\n");
}

TEST_CASE("check-config accepts a valid file and says how many sources it declares") {
  Folder dir("check-ok");
  dir.write("token", "0123456789abcdef0123456789abcdef\n");
  ::chmod((dir.path / "token").c_str(), 0600);
  dir.write("ok.toml", "[admin]\ntoken_file = \"" + (dir.path / "token").string() +
                           "\"\n[[source]]\nurl = \"https://vnexpress.net/rss/tin-moi-nhat.rss\"\n");
  Run run = tinhop_in(dir.path, "check-config ok.toml");
  CHECK(run.exit_code == 0);
  CHECK(run.out ==
        "ok.toml:0: server.base_url: warning: empty while server.listen is 0.0.0.0:8080 (every address): "
        "links in the feeds "
        "follow each request's Host header; set base_url to the URL readers use\n"
        "ok.toml: ok, 1 source, 1 warning\n");
  Run missing = tinhop_in(dir.path, "check-config nothere.toml");
  CHECK(missing.exit_code == 1);
  CHECK(missing.out ==
        "nothere.toml:0: file: cannot read: No such file or "
        "directory\nnothere.toml: 1 error\n");
}

TEST_CASE("sources takes -c and --database after its subcommand as well as before it") {
  Folder dir("global-options");
  dir.write("t.toml", "[admin]\nenabled = false\n[database]\npath = \"t.db\"\n");
  Run added = tinhop_in(dir.path, "sources add https://vnexpress.net/rss/thoi-su.rss -c t.toml");
  CHECK(added.exit_code == 0);
  CHECK(added.out == "added source 1: https://vnexpress.net/rss/thoi-su.rss\n");
  Run after = tinhop_in(dir.path, "sources list --config t.toml");
  CHECK(after.exit_code == 0);
  CHECK(after.out == tinhop_in(dir.path, "sources -c t.toml list").out);
  CHECK(after.out.find("https://vnexpress.net/rss/thoi-su.rss") != std::string::npos);
  CHECK(tinhop_in(dir.path, "sources status --database t.db").exit_code == 0);
  Run unknown = tinhop_in(dir.path, "sources list --bogus");
  CHECK(unknown.exit_code == 2);
  CHECK(unknown.out.find("--bogus") != std::string::npos);
}

TEST_CASE("check-config checks the admin token as serve does: missing or readable by others is an error") {
  Folder dir("check-token");
  const std::string token = (dir.path / "token").string();
  dir.write("t.toml", "[admin]\ntoken_file = \"" + token + "\"\n");
  Run missing = tinhop_in(dir.path, "check-config t.toml");
  CHECK(missing.exit_code == 1);
  CHECK(missing.out.rfind("t.toml:2: admin.token_file: cannot read " + token + ": No such file or directory",
                          0) == 0);
  CHECK(missing.out.find("t.toml: 1 error, 1 warning\n") != std::string::npos);
  dir.write("token", "0123456789abcdef0123456789abcdef\n");
  ::chmod(token.c_str(), 0644);
  Run readable = tinhop_in(dir.path, "check-config t.toml");
  CHECK(readable.exit_code == 1);
  CHECK(readable.out.find("t.toml:2: admin.token_file: ") == 0);
  CHECK(readable.out.find("0644") != std::string::npos);
  ::chmod(token.c_str(), 0600);
  CHECK(tinhop_in(dir.path, "check-config t.toml").out ==
        "t.toml:0: server.base_url: warning: empty while server.listen is 0.0.0.0:8080 (every address): "
        "links in the feeds "
        "follow each request's Host header; set base_url to the URL readers use\n"
        "t.toml: ok, 0 sources, 1 warning\n");
  // The packaged default names a systemd credential, which only the service sees.
  dir.write("default.toml", "[log]\nlevel = \"info\"\n");
  Run outside = tinhop::test::run_command("cd '" + dir.path.string() + "' && env -u CREDENTIALS_DIRECTORY " +
                                          std::string(TINHOP_EXECUTABLE) + " check-config default.toml 2>&1");
  CHECK(outside.exit_code == 0);
  CHECK(
      outside.out ==
      "default.toml:0: admin.token_file: warning: not checked: $CREDENTIALS_DIRECTORY is set only inside the "
      "service (LoadCredential=)\n"
      "default.toml:0: server.base_url: warning: empty while server.listen is 0.0.0.0:8080 (every address): "
      "links in the feeds follow each request's Host header; set base_url to the URL readers use\n"
      "default.toml: ok, 0 sources, 2 warnings\n");
}

TEST_CASE("check-config warns when links would follow the Host header on a wildcard listen address") {
  Folder dir("check-base-url");
  dir.write("wild.toml", "[admin]\nenabled = false\n[server]\nlisten = \"[::]:8080\"\nbase_url = \"\"\n");
  Run wild = tinhop_in(dir.path, "check-config wild.toml");
  CHECK(wild.exit_code == 0);
  CHECK(wild.out ==
        "wild.toml:5: server.base_url: warning: empty while server.listen is [::]:8080 (every address): "
        "links in "
        "the feeds follow each request's Host header; set base_url to the URL readers use\n"
        "wild.toml: ok, 0 sources, 1 warning\n");
  dir.write("named.toml",
            "[admin]\nenabled = false\n[server]\nlisten = \"0.0.0.0:8080\"\nbase_url = "
            "\"https://tin.example.vn\"\n");
  CHECK(tinhop_in(dir.path, "check-config named.toml").out == "named.toml: ok, 0 sources\n");
  dir.write("local.toml", "[admin]\nenabled = false\n[server]\nlisten = \"127.0.0.1:8080\"\n");
  CHECK(tinhop_in(dir.path, "check-config local.toml").out == "local.toml: ok, 0 sources\n");
}

TEST_CASE(
    "sources add, list, edit, disable and remove work on the database "
    "directly") {
  Folder dir("sources");
  dir.write("t.toml", "[database]\npath = \"t.db\"\n");
  Run added = tinhop_in(dir.path,
                        "sources -c t.toml add "
                        "HTTPS://VnExpress.net:443/rss/thoi-su.rss --title 'Thời sự' "
                        "--interval 10m --category thoi-su --header 'Cookie: a=1'");
  CHECK(added.exit_code == 0);
  CHECK(added.out == "added source 1: https://vnexpress.net/rss/thoi-su.rss\n");

  Run typo = tinhop_in(dir.path, "sources -c t.toml add htttp://dantri.com.vn/xa-hoi.rss");
  CHECK(typo.exit_code == 1);
  CHECK(typo.out == "tinhop sources: url: unknown scheme 'htttp' (did you mean 'http'?)\n");
  Run duplicate = tinhop_in(dir.path, "sources -c t.toml add https://vnexpress.net/rss/thoi-su.rss#x");
  CHECK(duplicate.exit_code == 1);
  CHECK(duplicate.out == "tinhop sources: url: source 1 (origin cli) has this URL already\n");
  Run zone = tinhop_in(dir.path, "sources -c t.toml add https://a.vn/rss --time-zone Asia/Hochiminh");
  CHECK(zone.exit_code == 1);
  CHECK(zone.out ==
        "tinhop sources: time_zone: unknown time zone "
        "'Asia/Hochiminh' (did you mean 'Asia/Ho_Chi_Minh'?)\n");

  Run edited = tinhop_in(dir.path, "sources -c t.toml edit 1 --republication summary --unset interval");
  CHECK(edited.exit_code == 0);
  Run disabled = tinhop_in(dir.path, "sources -c t.toml disable https://vnexpress.net/rss/thoi-su.rss");
  CHECK(disabled.exit_code == 0);
  CHECK(disabled.out == "disabled source 1\n");

  Run shown = tinhop_in(dir.path, "sources -c t.toml show 1 --json");
  REQUIRE(shown.exit_code == 0);
  boost::json::value source = boost::json::parse(shown.out);
  CHECK(source.at("title") == "Thời sự");
  CHECK(source.at("origin") == "cli");
  CHECK(source.at("enabled") == false);
  CHECK(source.at("interval").is_null());
  CHECK(source.at("republication") == "summary");
  CHECK(source.at("headers").at("Cookie") == "a=1");
  CHECK(source.at("categories").as_array().at(0) == "thoi-su");

  Run listed = tinhop_in(dir.path, "sources -c t.toml list");
  CHECK(listed.out ==
        "ID  ORIGIN  ENABLED  TYPE  INTERVAL  TITLE    URL\n"
        "1   cli     no       feed  default   Thời sự  "
        "https://vnexpress.net/rss/thoi-su.rss\n");
  Run status = tinhop_in(dir.path, "sources -c t.toml status --json");
  REQUIRE(status.exit_code == 0);
  CHECK(boost::json::parse(status.out).as_array().at(0).at("state") == "disabled");

  Run removed = tinhop_in(dir.path, "sources -c t.toml remove 1");
  CHECK(removed.out == "removed source 1\n");
  CHECK(tinhop_in(dir.path, "sources -c t.toml list --json").out == "[]\n");
  CHECK(tinhop_in(dir.path, "sources -c t.toml show 1").out == "tinhop sources: no source with id 1\n");
}

TEST_CASE("export-opml then import-opml moves every source with its settings") {
  Folder dir("opml");
  dir.write("a.toml", "[database]\npath = \"a.db\"\n");
  dir.write("b.toml", "[database]\npath = \"b.db\"\n");
  REQUIRE(tinhop_in(dir.path,
                    "sources -c a.toml add https://a.vn/rss --interval "
                    "1h --date-order dmy")
              .exit_code == 0);
  REQUIRE(tinhop_in(dir.path,
                    "sources -c a.toml add https://b.gov.vn/tin --type "
                    "html --html-item li.news --disabled")
              .exit_code == 0);
  REQUIRE(tinhop_in(dir.path, "sources -c a.toml export-opml out.opml").exit_code == 0);
  Run imported = tinhop_in(dir.path, "sources -c b.toml import-opml out.opml");
  CHECK(imported.exit_code == 0);
  CHECK(imported.out == "added 2, already present 0, refused 0\n");
  auto a = boost::json::parse(tinhop_in(dir.path, "sources -c a.toml list --json").out).as_array();
  auto b = boost::json::parse(tinhop_in(dir.path, "sources -c b.toml list --json").out).as_array();
  REQUIRE(a.size() == 2);
  REQUIRE(b.size() == 2);
  for (std::size_t i = 0; i < 2; ++i) {
    for (const char* key : {"url", "title", "type", "interval", "date_order", "enabled", "html", "headers"}) {
      INFO(key);
      CHECK(a[i].at(key) == b[i].at(key));
    }
  }
  dir.write("bad.opml",
            "<opml><body><outline xmlUrl=\"http://danviet.vn/rss/home.rss "
            "\"/></body></opml>");
  Run refused = tinhop_in(dir.path, "sources -c b.toml import-opml bad.opml");
  CHECK(refused.exit_code == 1);
  CHECK(refused.out ==
        "bad.opml: outline 1 (http://danviet.vn/rss/home.rss ): "
        "url: URL has trailing whitespace\n"
        "added 0, already present 0, refused 1\n");
}
