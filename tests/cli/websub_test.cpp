// Issue #19 end to end: `tinhop serve` subscribes to the hubs its sources name (in the feed,
// in a Link header), answers the hub's verification, stores a signed fat ping without
// polling, drops a forged one, and unsubscribes a source removed from the file.
#include <sys/stat.h>

#include <boost/json.hpp>
#include <boost/url/parse.hpp>
#include <catch2/catch.hpp>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <iostream>
#include <map>
#include <mutex>

#include "daemon_harness.hpp"
#include "support/process.hpp"
#include "support/test_http_server.hpp"
#include "tinhop/websub/signature.hpp"

namespace {

using namespace std::chrono_literals;
namespace http = tinhop::test::beast_http;
using Form = std::map<std::string, std::string>;

std::string atom(const std::string& self, const std::string& hub, const std::string& entries) {
  return "<feed xmlns=\"http://www.w3.org/2005/Atom\"><title>Atom agency</title>"
         "<link rel=\"hub\" href=\"" +
         hub + "\"/><link rel=\"self\" href=\"" + self + "\"/>" + entries + "</feed>";
}

std::string entry(const std::string& id, const std::string& title) {
  return "<entry><id>urn:story:" + id + "</id><title>" + title + "</title><link href=\"http://127.0.0.1/" +
         id + "\"/><updated>2026-12-06T08:00:00Z</updated><summary>" + title +
         ", the summary.</summary></entry>";
}

const std::string kRss =
    "<rss version=\"2.0\"><channel><title>RSS agency</title><link>http://127.0.0.1/</link>"
    "<item><title>Story of the RSS agency</title><link>http://127.0.0.1/rss-1</link>"
    "<description>Told in RSS.</description></item></channel></rss>";

// A hub that accepts every request (202) and keeps the forms.
struct Hub {
  std::mutex mutex;
  std::vector<Form> forms;

  tinhop::test::Script receive(const tinhop::test::HttpRequest& request) {
    Form form;
    const std::string target = "/?" + request.body;  // the url_view refers to it
    for (const auto& param : boost::urls::parse_origin_form(target)->params()) form[param.key] = param.value;
    std::lock_guard lock(mutex);
    forms.push_back(form);
    return tinhop::test::Script{.status = 202};
  }
  std::vector<Form> wait_for(std::size_t n) {
    const auto deadline = std::chrono::steady_clock::now() + 20s;
    while (std::chrono::steady_clock::now() < deadline) {
      {
        std::lock_guard lock(mutex);
        if (forms.size() >= n) return forms;
      }
      std::this_thread::sleep_for(10ms);
    }
    std::lock_guard lock(mutex);
    return forms;
  }
};

std::string query_escaped(const std::string& text) {
  std::string out;
  static constexpr char kHex[] = "0123456789ABCDEF";
  for (unsigned char c : text) {
    if (std::isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~') {
      out.push_back(static_cast<char>(c));
    } else {
      out += {'%', kHex[c >> 4], kHex[c & 15]};
    }
  }
  return out;
}

// The path of a callback URL ("http://127.0.0.1:PORT/websub/callback/TOKEN").
std::string path_of(const std::string& callback) {
  return callback.substr(callback.find("/websub/"));
}

// A content distribution POST as a hub sends it.
std::optional<tinhop::test::HttpResponse> push(int port, const std::string& path,
                                               const std::string& signature, const std::string& body) {
  boost::asio::io_context io;
  boost::beast::tcp_stream stream(io);
  boost::beast::error_code ec;
  stream.connect({boost::asio::ip::make_address("127.0.0.1"), static_cast<std::uint16_t>(port)}, ec);
  if (ec) return std::nullopt;
  http::request<http::string_body> request{http::verb::post, path, 11};
  request.set(http::field::host, "127.0.0.1");
  request.set(http::field::content_type, "application/atom+xml");
  request.set("X-Hub-Signature", signature);
  request.body() = body;
  request.prepare_payload();
  http::write(stream, request, ec);
  if (ec) return std::nullopt;
  boost::beast::flat_buffer buffer;
  tinhop::test::HttpResponse response;
  http::read(stream, buffer, response, ec);
  if (ec) return std::nullopt;
  return response;
}

std::vector<std::string> merged_titles(int port) {
  const auto response = tinhop::test::http_exchange(port, http::verb::get, "/feed.json");
  REQUIRE(response);
  REQUIRE(response->result_int() == 200);
  // Named: a range-for over a member of a temporary would outlive the temporary.
  const boost::json::value feed = boost::json::parse(response->body());
  std::vector<std::string> titles;
  for (const auto& item : feed.at("items").as_array()) titles.emplace_back(item.at("title").as_string());
  return titles;
}

bool contains(const std::vector<std::string>& titles, const std::string& title) {
  return std::find(titles.begin(), titles.end(), title) != titles.end();
}

void write_config(const tinhop::test::TempFolder& dir, int port, int admin_port,
                  const std::vector<std::string>& urls) {
  std::ofstream config(dir.path / "tinhop.toml");
  config << "[server]\nlisten = \"127.0.0.1:" << port << "\"\nbase_url = \"http://127.0.0.1:" << port
         << "\"\n"
         << "[admin]\nlisten = \"127.0.0.1:" << admin_port << "\"\ntoken_file = \""
         << (dir.path / "token").string() << "\"\n[database]\npath = \"" << (dir.path / "t.db").string()
         << "\"\n"
         << "[fetch]\nhost_spacing = \"0s\"\nallow_networks = [\"127.0.0.0/8\"]\n";
  for (const std::string& url : urls) config << "[[source]]\nurl = \"" << url << "\"\n";
}

}  // namespace

TEST_CASE("serve subscribes to its sources' hubs and stores a signed push at once", "[cli][websub]") {
  tinhop::test::TempFolder dir("tinhop-websub");
  Hub hub;  // before the server, so it outlives the server's thread
  tinhop::test::TestHttpServer server;
  server.on("/hub", [&hub](const tinhop::test::HttpRequest& request) { return hub.receive(request); });
  const std::string atom_url = server.url("/agency.atom");
  server.on("/agency.atom",
            tinhop::test::Script{.headers = {{"Content-Type", "application/atom+xml"}},
                                 .body = atom(atom_url, server.url("/hub"), entry("1", "First story"))});
  // The RSS agency names its hub in Link headers only.
  const std::string rss_url = server.url("/agency.rss");
  server.on("/agency.rss",
            tinhop::test::Script{.headers = {{"Content-Type", "application/rss+xml"},
                                             {"Link", "<" + server.url("/hub") + ">; rel=\"hub\""},
                                             {"Link", "<" + rss_url + ">; rel=\"self\""}},
                                 .body = kRss});

  std::ofstream(dir.path / "token") << "websub-token-0123456789abcdef0123456789\n";
  ::chmod((dir.path / "token").c_str(), 0600);
  const int port = tinhop::test::free_loopback_port();
  const int admin_port = tinhop::test::free_loopback_port();
  write_config(dir, port, admin_port, {atom_url, rss_url});
  tinhop::test::Daemon daemon(dir.path / "tinhop.toml", dir.path / "serve.log");
  INFO(daemon.log_text());

  // Discovery from the feed and from the Link headers: one subscription request each.
  const std::vector<Form> requests = hub.wait_for(2);
  REQUIRE(requests.size() == 2);
  std::map<std::string, Form> by_topic;
  for (const Form& form : requests) by_topic[form.at("hub.topic")] = form;
  REQUIRE(by_topic.count(atom_url) == 1);
  REQUIRE(by_topic.count(rss_url) == 1);
  for (const auto& [topic, form] : by_topic) {
    CHECK(form.at("hub.mode") == "subscribe");
    CHECK(form.at("hub.callback")
              .starts_with("http://127.0.0.1:" + std::to_string(port) + "/websub/callback/"));
    CHECK(form.at("hub.secret").size() == 48);
  }
  const Form& atom_form = by_topic[atom_url];
  const std::string atom_path = path_of(atom_form.at("hub.callback"));

  // A challenge nobody asked for is refused; ours is echoed.
  const auto unsolicited = tinhop::test::http_exchange(
      port, http::verb::get,
      "/websub/callback/00000000000000000000000000000000?hub.mode=subscribe&hub.topic=" +
          query_escaped(atom_url) + "&hub.challenge=nope&hub.lease_seconds=3600");
  REQUIRE(unsolicited);
  CHECK(unsolicited->result_int() == 404);
  for (const auto& [topic, form] : by_topic) {
    const auto verified = tinhop::test::http_exchange(
        port, http::verb::get,
        path_of(form.at("hub.callback")) + "?hub.mode=subscribe&hub.topic=" + query_escaped(topic) +
            "&hub.challenge=challenge-" + std::to_string(topic.size()) + "&hub.lease_seconds=3600");
    REQUIRE(verified);
    CHECK(verified->result_int() == 200);
    CHECK(verified->body() == "challenge-" + std::to_string(topic.size()));
  }
  REQUIRE(daemon.wait_for_event("websub", "websub.verified source=1"));
  REQUIRE(contains(merged_titles(port), "First story"));
  const std::size_t polls = server.hits("/agency.atom");

  // A push signed with another secret is acknowledged and dropped.
  const std::string forged = atom(atom_url, server.url("/hub"), entry("2", "Forged story"));
  const auto refused = push(port, atom_path, tinhop::websub::signature("sha256", "guessed", forged), forged);
  REQUIRE(refused);
  CHECK(refused->result_int() == 202);

  // A signed fat ping reaches the merged feed without a poll.
  const std::string pushed = atom(atom_url, server.url("/hub"), entry("3", "Pushed story"));
  const auto sent = std::chrono::steady_clock::now();
  const auto accepted =
      push(port, atom_path, tinhop::websub::signature("sha256", atom_form.at("hub.secret"), pushed), pushed);
  REQUIRE(accepted);
  CHECK(accepted->result_int() == 202);
  std::vector<std::string> titles;
  while (std::chrono::steady_clock::now() - sent < 10s) {
    titles = merged_titles(port);
    if (contains(titles, "Pushed story")) break;
    std::this_thread::sleep_for(5ms);
  }
  const auto latency =
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - sent);
  CHECK(contains(titles, "Pushed story"));
  CHECK_FALSE(contains(titles, "Forged story"));
  CHECK(server.hits("/agency.atom") == polls);
  std::cerr << "websub: push to merged feed in " << latency.count() << " ms\n";

  // The RSS agency leaves the file: its subscription is cancelled at the hub.
  write_config(dir, port, admin_port, {atom_url});
  daemon.signal(SIGHUP);
  const std::vector<Form> after = hub.wait_for(3);
  REQUIRE(after.size() == 3);
  CHECK(after[2].at("hub.mode") == "unsubscribe");
  CHECK(after[2].at("hub.topic") == rss_url);
  CHECK(after[2].at("hub.callback") == by_topic[rss_url].at("hub.callback"));
}

TEST_CASE("serve's own hub pushes the merged feed to a verified subscriber, across a restart",
          "[cli][websub][hub]") {
  tinhop::test::TempFolder dir("tinhop-hub");
  std::mutex mutex;
  std::vector<tinhop::test::HttpRequest> deliveries;
  std::size_t verifications = 0;
  std::atomic<int> stories{1};
  tinhop::test::TestHttpServer server;
  server.on("/agency.atom", [&](const tinhop::test::HttpRequest&) {
    std::string entries;
    for (int i = 1; i <= stories; ++i) entries += entry(std::to_string(i), "Story " + std::to_string(i));
    return tinhop::test::Script{
        .headers = {{"Content-Type", "application/atom+xml"}},
        .body = "<feed xmlns=\"http://www.w3.org/2005/Atom\"><title>Agency</title>" + entries + "</feed>"};
  });
  server.on("/cb", [&](const tinhop::test::HttpRequest& request) {
    std::lock_guard lock(mutex);
    if (request.method == "POST") {
      deliveries.push_back(request);
      return tinhop::test::Script{.status = 202};
    }
    ++verifications;
    const std::string target = request.target;  // the url_view refers to it
    std::string challenge;
    for (const auto& param : boost::urls::parse_origin_form(target)->params()) {
      if (param.key == "hub.challenge") challenge = param.value;
    }
    return tinhop::test::Script{.body = challenge};
  });
  // Waits for a delivery carrying `title`; returns it.
  auto delivery_with = [&](const std::string& title) -> std::optional<tinhop::test::HttpRequest> {
    const auto deadline = std::chrono::steady_clock::now() + 20s;
    while (std::chrono::steady_clock::now() < deadline) {
      {
        std::lock_guard lock(mutex);
        for (const auto& d : deliveries) {
          if (d.body.find(">" + title + "<") != std::string::npos) return d;
        }
      }
      std::this_thread::sleep_for(5ms);
    }
    return std::nullopt;
  };

  const std::string token = "websub-token-0123456789abcdef0123456789";
  std::ofstream(dir.path / "token") << token << "\n";
  ::chmod((dir.path / "token").c_str(), 0600);
  const int port = tinhop::test::free_loopback_port();
  const int admin_port = tinhop::test::free_loopback_port();
  write_config(dir, port, admin_port, {server.url("/agency.atom")});
  const std::string base = "http://127.0.0.1:" + std::to_string(port);
  const std::string topic = base + "/feed.atom";
  {
    tinhop::test::Daemon daemon(dir.path / "tinhop.toml", dir.path / "serve.log");
    INFO(daemon.log_text());
    REQUIRE(daemon.wait_for_event("serve", "serve.started"));
    const auto deadline = std::chrono::steady_clock::now() + 20s;
    while (!contains(merged_titles(port), "Story 1") && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(20ms);
    }
    const auto feed = tinhop::test::http_exchange(port, http::verb::get, "/feed.atom");
    REQUIRE(feed);
    CHECK((*feed)[http::field::link] ==
          "<" + base + "/websub/hub>; rel=\"hub\", <" + topic + ">; rel=\"self\"");
    CHECK(feed->body().find("<link rel=\"hub\" href=\"" + base + "/websub/hub\"/>") != std::string::npos);

    const auto accepted = tinhop::test::http_exchange(
        port, http::verb::post, "/websub/hub", {},
        "hub.mode=subscribe&hub.topic=" + query_escaped(topic) +
            "&hub.callback=" + query_escaped(server.url("/cb")) + "&hub.secret=reader-secret");
    REQUIRE(accepted);
    CHECK(accepted->result_int() == 202);
    REQUIRE(daemon.wait_for_event("websub", "hub.subscribed"));

    stories = 2;
    const auto poll = tinhop::test::http_exchange(admin_port, http::verb::post, "/api/sources/1/poll", token);
    REQUIRE(poll);
    const auto pushed = delivery_with("Story 2");
    REQUIRE(pushed);
    CHECK(pushed->header("content-type") == "application/atom+xml; charset=utf-8");
    CHECK(
        tinhop::websub::signature_matches(pushed->header("x-hub-signature"), "reader-secret", pushed->body));
    daemon.signal(SIGTERM);
    REQUIRE(daemon.wait(20s) == 0);
  }
  // After a restart the stored subscription is served without a new verification.
  tinhop::test::Daemon daemon(dir.path / "tinhop.toml", dir.path / "serve-again.log");
  INFO(daemon.log_text());
  REQUIRE(daemon.wait_for_event("serve", "serve.started"));
  stories = 3;
  const auto poll = tinhop::test::http_exchange(admin_port, http::verb::post, "/api/sources/1/poll", token);
  REQUIRE(poll);
  REQUIRE(delivery_with("Story 3"));
  std::lock_guard lock(mutex);
  CHECK(verifications == 1);
}
