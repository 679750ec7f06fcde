// Mistakes admins actually make, each answered with what to write instead.
#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "diagnostics.hpp"
#include "tinhop/config/config.hpp"

using tinhop::test::diagnostics_of;

TEST_CASE("hints: an unquoted listen address is told to be quoted") {
  const auto found = diagnostics_of("[server]\nlisten = 127.0.0.1:8080\n");
  REQUIRE(found.size() == 1);
  CHECK(found[0].rfind("t.toml:2: syntax: ", 0) == 0);
  CHECK(found[0].find("(quote it: listen = \"127.0.0.1:8080\")") != std::string::npos);
  // A real syntax error of another kind gets no such advice.
  const auto other = diagnostics_of("[server\nlisten = 1\n");
  REQUIRE(other.size() == 1);
  CHECK(other[0].find("quote it") == std::string::npos);
}

TEST_CASE("hints: a source's own key written after [source.html] is told where it belongs") {
  CHECK(
      diagnostics_of("[[source]]\nurl = \"https://a.vn/tin\"\ntype = \"html\"\n[source.html]\nitem = \"li\"\n"
                     "follow_links = true\n") ==
      std::vector<std::string>{
          "t.toml:6: source[0].html.follow_links: belongs to the [[source]] itself: write "
          "it above the [source.html] line"});
  // An unknown selector is still an unknown key.
  CHECK(
      diagnostics_of("[[source]]\nurl = \"https://a.vn/tin\"\ntype = \"html\"\n[source.html]\nitem = \"li\"\n"
                     "itemm = \"x\"\n") ==
      std::vector<std::string>{"t.toml:6: source[0].html.itemm: unknown key (did you mean 'item'?)"});
}
