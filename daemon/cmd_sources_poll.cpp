// `tinhop sources poll [ID...|--all]`: asks the running daemon, through its admin API
// (POST /api/poll), to poll sources now rather than at their next turn.
#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/local/stream_protocol.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/json.hpp>

#include <iostream>

#include "commands.hpp"
#include "tinhop/admin/api.hpp"
#include "tinhop/config/config.hpp"

namespace tinhop::cli {
namespace {

namespace asio = boost::asio;
namespace http = boost::beast::http;

struct PollOptions {
  std::vector<std::int64_t> ids;
  bool all = false;
  std::string token_file;  // overrides admin.token_file
};

int fail(const std::string& message) {
  std::cerr << "tinhop sources poll: " << message << '\n';
  return exit_failure;
}

// One request to the admin listener, over TCP or its Unix socket; the answer, or why none.
template <typename Socket, typename Endpoint>
boost::system::error_code exchange(Socket& socket, const Endpoint& endpoint,
                                   http::request<http::string_body>& request,
                                   http::response<http::string_body>& response) {
  boost::system::error_code ec;
  socket.connect(endpoint, ec);
  if (!ec) http::write(socket, request, ec);
  boost::beast::flat_buffer buffer;
  if (!ec) http::read(socket, buffer, response, ec);
  return ec;
}

int run(const PollOptions& options, const std::string& config_file) {
  if (options.all == !options.ids.empty()) return fail("name the sources to poll (IDs), or --all");
  config::LoadResult loaded = config::load_config(config_file);
  if (!loaded.ok()) {
    std::string message = "cannot read the configuration:";
    for (const auto& d : loaded.diagnostics) message += "\n" + d.to_string();
    return fail(message);
  }
  const config::AdminConfig& admin_config = loaded.config->admin;
  if (!admin_config.enabled)
    return fail(config_file +
                " turns the admin API off ([admin] enabled = false): the daemon cannot be asked");
  auto token = admin::load_token(options.token_file.empty() ? admin_config.token_file : options.token_file,
                                 "admin.token_file");
  if (!token) return fail("admin.token_file: " + token.error().message + " (or pass --token-file)");

  boost::json::object body;
  if (options.all) {
    body["all"] = true;
  } else {
    boost::json::array ids;
    for (std::int64_t id : options.ids) ids.emplace_back(id);
    body["sources"] = std::move(ids);
  }
  http::request<http::string_body> request{http::verb::post, "/api/poll", 11};
  request.set(http::field::host, admin_config.listen.is_unix() ? "localhost" : admin_config.listen.host);
  request.set(http::field::authorization, "Bearer " + token->value);
  request.set(http::field::content_type, "application/json");
  request.body() = boost::json::serialize(body);
  request.prepare_payload();

  asio::io_context io;
  http::response<http::string_body> response;
  boost::system::error_code ec;
  if (admin_config.listen.is_unix()) {
    asio::local::stream_protocol::socket socket(io);
    ec = exchange(socket, asio::local::stream_protocol::endpoint(admin_config.listen.unix_path), request,
                  response);
  } else {
    asio::ip::tcp::socket socket(io);
    const asio::ip::tcp::endpoint endpoint(asio::ip::make_address(admin_config.listen.host, ec),
                                           admin_config.listen.port);
    if (!ec) ec = exchange(socket, endpoint, request, response);
  }
  if (ec) return fail("cannot reach the daemon at " + admin_config.listen.to_string() + ": " + ec.message());

  boost::system::error_code json_error;
  const boost::json::value answer = boost::json::parse(response.body(), json_error);
  const boost::json::object* fields = answer.if_object();
  if (json_error || fields == nullptr) {
    return fail("the daemon answered HTTP " + std::to_string(response.result_int()) + ": " + response.body());
  }
  if (const auto* message = fields->if_contains("message"); message != nullptr && message->is_string()) {
    return fail(std::string(message->as_string()));
  }
  const auto* scheduled = fields->if_contains("scheduled");
  const auto* refused = fields->if_contains("refused");
  if (scheduled == nullptr || !scheduled->is_array() || refused == nullptr || !refused->is_array())
    return fail("the daemon answered HTTP " + std::to_string(response.result_int()) + ": " + response.body());
  std::string polled;
  for (const boost::json::value& id : scheduled->as_array()) {
    polled += (polled.empty() ? "" : " ") + boost::json::serialize(id);
  }
  if (!polled.empty()) std::cout << "polling now: " << polled << '\n';
  for (const boost::json::value& entry : refused->as_array()) {
    std::cerr << "tinhop sources poll: " << boost::json::serialize(entry.at("id")) << ": "
              << entry.at("message").as_string().c_str() << '\n';
  }
  return refused->as_array().empty() ? exit_ok : exit_failure;
}

}  // namespace

void add_sources_poll_command(CLI::App& sources, const std::string& config_file, int& exit_code) {
  auto options = std::make_shared<PollOptions>();
  auto* cmd = sources.add_subcommand("poll", "Ask the running daemon to poll sources now (admin API)");
  cmd->add_option("ids", options->ids, "Source ids");
  cmd->add_flag("--all", options->all, "Every enabled source");
  cmd->add_option("--token-file", options->token_file, "Admin token file (default: admin.token_file)");
  cmd->callback([options, &config_file, &exit_code] { exit_code = run(*options, config_file); });
}

}  // namespace tinhop::cli
