// The admin listener while a preview waits on a site that does not answer: other requests
// are answered meanwhile, and a fetch beyond the cap is refused with 503 and Retry-After.
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <catch2/catch.hpp>
#include <condition_variable>
#include <future>
#include <regex>

#include "support/test_http_server.hpp"
#include "tinhop/admin/request_lock.hpp"
#include "tinhop/admin/server.hpp"
#include "tinhop/admin/sync.hpp"
#include "tinhop/console/console.hpp"

using namespace tinhop;
using namespace tinhop::admin;
using namespace std::chrono_literals;
namespace beast = boost::beast;
using tcp = boost::asio::ip::tcp;

namespace {

const std::string token = "0123456789abcdef0123456789abcdef";

// A site that holds every request until let go.
struct SilentSite {
  test::TestHttpServer server;
  std::mutex mutex;
  std::condition_variable changed;
  bool answering = false;

  SilentSite() {
    server.on("/tin-moi", [this](const test::HttpRequest&) {
      std::unique_lock lock(mutex);
      changed.wait(lock, [this] { return answering; });
      return test::Script{200,
                          {{"Content-Type", "text/html; charset=utf-8"}},
                          "<main><h3><a href=\"/a\">Tin A</a></h3><h3><a href=\"/b\">Tin B</a></h3></main>"};
    });
  }
  ~SilentSite() { answer(); }
  void answer() {
    {
      std::lock_guard lock(mutex);
      answering = true;
    }
    changed.notify_all();
  }
};

http::response<http::string_body> send(std::uint16_t port, http::verb method, const std::string& target,
                                       const std::string& body,
                                       std::vector<std::pair<http::field, std::string>> headers) {
  boost::asio::io_context io;
  beast::tcp_stream stream(io);
  stream.connect(tcp::endpoint(boost::asio::ip::make_address("127.0.0.1"), port));
  http::request<http::string_body> request{method, target, 11};
  request.set(http::field::host, "127.0.0.1");
  for (const auto& [name, value] : headers) request.set(name, value);
  request.body() = body;
  request.prepare_payload();
  http::write(stream, request);
  beast::flat_buffer buffer;
  http::response<http::string_body> response;
  http::read(stream, buffer, response);
  return response;
}

}  // namespace

TEST_CASE("admin: a preview waiting on a silent site holds up no other request; one too many gets 503") {
  SilentSite site;
  storage::Store store = storage::Store::open(":memory:").value();
  auto parsed =
      config::parse_config("[fetch]\nallow_networks = [\"127.0.0.0/8\"]\n", "/etc/tinhop/tinhop.toml");
  REQUIRE(parsed.ok());
  config::LiveConfig live(*parsed.config);
  config::SourceSettings settings;
  settings.url = site.server.url("/tin-moi");
  settings.type = config::SourceType::html;
  settings.selectors.item = "main h3";
  Sources sources(store, live.current()->defaults, source_rules_from(*live.current()));
  const auto now = [] { return Instant(std::chrono::seconds(1'790'000'000)); };
  const std::int64_t id = sources.add(settings, config::Origin::api, now()).value().id;

  RequestLock lock(1);  // one fetch at a time
  ApiHooks hooks;
  hooks.preview_html = [&](fetch::Request request, const ParseContext& context,
                           const HtmlSelectors& selectors) {
    fetch::ClientOptions options;
    options.allow_networks = live.current()->fetch.allow_networks;
    return lock.unlocked(
        [&] { return preview_page(fetch_page(std::move(request), options), context, selectors, true); });
  };
  console::Console console(Token{token}, store, live, hooks, now);
  Api api(Token{token}, store, live, hooks, now);
  ServerOptions options;
  options.listen = {"127.0.0.1", 0};
  options.handler_threads = 3;
  auto started = AdminServer::start(lock.serialized([&](const Request& request) {
    return request.target().starts_with("/admin") ? console.handle(request) : api.handle(request);
  }),
                                    options);
  REQUIRE(started.has_value());
  const std::uint16_t port = (*started)->port();

  const auto signed_in = send(port, http::verb::post, "/admin/sign-in", "token=" + token,
                              {{http::field::content_type, "application/x-www-form-urlencoded"}});
  REQUIRE(signed_in.result() == http::status::see_other);
  std::smatch m;
  const std::string set_cookie(signed_in[http::field::set_cookie]);
  REQUIRE(std::regex_search(set_cookie, m, std::regex("^(tinhop_admin=[0-9a-f]{64});")));
  const std::string cookie = m[1];
  const std::string preview_target = "/admin/sources/" + std::to_string(id) + "/preview";

  auto stalled = std::async(std::launch::async, [&] {
    return send(port, http::verb::get, preview_target, {}, {{http::field::cookie, cookie}});
  });
  for (int i = 0; i < 1000 && site.server.hits("/tin-moi") == 0; ++i) std::this_thread::sleep_for(10ms);
  REQUIRE(site.server.hits("/tin-moi") == 1);

  auto listed = std::async(std::launch::async, [&] {
    return send(port, http::verb::get, "/api/sources", {}, {{http::field::authorization, "Bearer " + token}});
  });
  // Should a check fail, the site answers before the futures wait for their requests.
  struct AnswerAtExit {
    SilentSite& site;
    ~AnswerAtExit() { site.answer(); }
  } answer_at_exit{site};
  REQUIRE(listed.wait_for(20s) == std::future_status::ready);
  CHECK(listed.get().result() == http::status::ok);
  CHECK(stalled.wait_for(0s) == std::future_status::timeout);

  const auto second = send(port, http::verb::get, preview_target, {}, {{http::field::cookie, cookie}});
  CHECK(second.result() == http::status::service_unavailable);
  CHECK(second[http::field::retry_after] == "5");
  CHECK(second.body().find(
            "<p class=\"error\" role=\"alert\">Đang tải quá nhiều trang cùng lúc; hãy thử lại sau "
            "vài giây.</p>") != std::string::npos);
  CHECK(stalled.wait_for(0s) == std::future_status::timeout);

  site.answer();
  REQUIRE(stalled.wait_for(20s) == std::future_status::ready);
  const auto previewed = stalled.get();
  CHECK(previewed.result() == http::status::ok);
  CHECK(previewed.body().find(">Tin A</a>") != std::string::npos);
  CHECK(site.server.hits("/tin-moi") == 1);
}
