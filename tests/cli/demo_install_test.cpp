// `tinhop serve --demo` from an installed binary: the demo feeds are found under the
// binary's own prefix (PREFIX/share/tinhop/demo), not in the tree it was built from.
#include <unistd.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <string>

#include "support/process.hpp"

namespace fs = std::filesystem;

TEST_CASE("serve --demo finds the demo feeds installed under the binary's prefix") {
  const fs::path prefix = fs::temp_directory_path() / ("tinhop-prefix-" + std::to_string(::getpid()));
  fs::remove_all(prefix);
  fs::create_directories(prefix / "bin");
  fs::create_directories(prefix / "share" / "tinhop" / "demo");
  fs::copy_file(TINHOP_EXECUTABLE, prefix / "bin" / "tinhop");
  std::ofstream(prefix / "share" / "tinhop" / "demo" / "mot.xml")
      << "<rss version=\"2.0\"><channel><title>Một</title><item><title>Tin một</title>"
         "<link>https://mot.example/1</link></item></channel></rss>";
  const std::string db = (prefix / "demo.db").string();
  // Runs from another folder, so nothing relative to the working directory can help.
  const std::string log = (prefix / "serve.log").string();
  const auto run = tinhop::test::run_command(
      "cd / && '" + (prefix / "bin" / "tinhop").string() + "' serve --demo --db '" + db +
      "' --listen 127.0.0.1:" + std::to_string(tinhop::test::free_loopback_port()) + " 2>'" + log +
      "' & pid=$!; " + "for i in $(seq 200); do grep -q 'demo\\.' '" + log + "' && break; sleep 0.1; done; " +
      "kill -TERM $pid; wait $pid; cat '" + log + "'");
  INFO(run.out);
  CHECK(run.out.find("demo.registered dir=" + (prefix / "share" / "tinhop" / "demo").string() +
                     " sources=1") != std::string::npos);
  CHECK(run.out.find("demo.missing") == std::string::npos);
  fs::remove_all(prefix);
}
