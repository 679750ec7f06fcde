#include "tinhop/console/console.hpp"

#include <boost/url/url.hpp>

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <cstdio>
#include <map>

#include "embedded.hpp"
#include "html.hpp"
#include "sessions.hpp"
#include "tinhop/admin/json.hpp"
#include "tinhop/admin/sources.hpp"
#include "tinhop/config/units.hpp"

namespace tinhop::console {

namespace http = boost::beast::http;
using admin::Request;
using admin::Response;
using publish::Language;

namespace {

constexpr std::string_view kCookie = "tinhop_admin";
constexpr std::size_t kPageSize = 50;
constexpr int kSparkDays = 30;
// Failed sign-ins allowed in a minute before every attempt waits.
constexpr std::size_t kSignInFailures = 5;

// Decoded name=value pairs of a query string or an urlencoded form body ('+' is a space).
using Fields = std::multimap<std::string, std::string, std::less<>>;

// Decoded here rather than by Boost.URL: 1.81's params_view with space_as_plus gave values
// of the wrong length ("q=s1" read as "s1ing").
std::string form_decoded(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    unsigned value = 0;
    if (text[i] == '+') {
      out += ' ';
    } else if (text[i] == '%' && i + 2 < text.size() &&
               std::from_chars(text.data() + i + 1, text.data() + i + 3, value, 16).ptr ==
                   text.data() + i + 3) {
      out += static_cast<char>(value);
      i += 2;
    } else {
      out += text[i];
    }
  }
  return out;
}

Fields decode_fields(std::string_view text) {
  Fields fields;
  while (!text.empty()) {
    const std::size_t amp = text.find('&');
    const std::string_view pair = text.substr(0, amp);
    text.remove_prefix(amp == std::string_view::npos ? text.size() : amp + 1);
    if (pair.empty()) continue;
    const std::size_t equals = pair.find('=');
    fields.emplace(form_decoded(pair.substr(0, equals)),
                   equals == std::string_view::npos ? std::string() : form_decoded(pair.substr(equals + 1)));
  }
  return fields;
}

// The parts of a multipart/form-data body (a file upload): name -> content. Only what the
// console's own forms send is read: a Content-Disposition with name="...", CRLF lines.
Fields decode_multipart(std::string_view body, std::string_view content_type) {
  Fields fields;
  const std::size_t at = content_type.find("boundary=");
  if (at == std::string_view::npos) return fields;
  std::string_view boundary = content_type.substr(at + 9);
  boundary = boundary.substr(0, boundary.find(';'));
  if (boundary.size() >= 2 && boundary.front() == '"' && boundary.back() == '"')
    boundary = boundary.substr(1, boundary.size() - 2);
  const std::string delimiter = "--" + std::string(boundary);
  std::size_t start = body.find(delimiter);
  while (start != std::string_view::npos) {
    start += delimiter.size();
    if (body.substr(start, 2) == "--") break;  // the closing delimiter
    const std::size_t headers_end = body.find("\r\n\r\n", start);
    const std::size_t next = body.find("\r\n" + delimiter, start);
    if (headers_end == std::string_view::npos || next == std::string_view::npos || headers_end > next) break;
    const std::string_view headers = body.substr(start, headers_end - start);
    const std::size_t name_at = headers.find("name=\"");
    if (name_at != std::string_view::npos) {
      const std::size_t name_end = headers.find('"', name_at + 6);
      fields.emplace(std::string(headers.substr(name_at + 6, name_end - name_at - 6)),
                     std::string(body.substr(headers_end + 4, next - headers_end - 4)));
    }
    start = next + 2;
  }
  return fields;
}

std::string field(const Fields& fields, std::string_view name) {
  auto found = fields.find(name);
  return found == fields.end() ? std::string() : found->second;
}

std::string trimmed(std::string_view text) {
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.front()))) text.remove_prefix(1);
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back()))) text.remove_suffix(1);
  return std::string(text);
}

std::string lowercase(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string cookie(const Request& request, std::string_view name) {
  std::string_view header = request[http::field::cookie];
  while (!header.empty()) {
    const std::size_t semicolon = header.find(';');
    std::string_view pair = header.substr(0, semicolon);
    header.remove_prefix(semicolon == std::string_view::npos ? header.size() : semicolon + 1);
    while (!pair.empty() && pair.front() == ' ') pair.remove_prefix(1);
    if (pair.size() > name.size() && pair.substr(0, name.size()) == name && pair[name.size()] == '=')
      return std::string(pair.substr(name.size() + 1));
  }
  return {};
}

std::optional<std::int64_t> parse_id(std::string_view text) {
  std::int64_t id = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), id);
  if (ec != std::errc{} || end != text.data() + text.size() || id <= 0) return std::nullopt;
  return id;
}

// Deeper than any list the console shows (50 million rows), and small enough that a
// page's offset cannot overflow.
constexpr std::int64_t kMaxPage = 1'000'000;

// The `page` asked: 1 when absent, nullopt for one no list has (not a number, below 1, or
// past kMaxPage).
std::optional<std::size_t> page_asked(std::string_view text) {
  if (text.empty()) return 1;
  const std::optional<std::int64_t> page = parse_id(text);
  if (!page || *page > kMaxPage) return std::nullopt;
  return static_cast<std::size_t>(*page);
}

Response plain(const Request& request, http::status status, std::string body, std::string_view type) {
  Response response{status, request.version()};
  response.set(http::field::content_type, type);
  // A console page shows the state of the moment and secrets' neighbours: never stored.
  response.set(http::field::cache_control, "no-store");
  response.set("Content-Security-Policy",
               "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; "
               "frame-ancestors 'none'; base-uri 'none'");
  response.set("X-Content-Type-Options", "nosniff");
  response.set("Referrer-Policy", "no-referrer");
  response.keep_alive(request.keep_alive());
  response.body() = std::move(body);
  response.prepare_payload();
  return response;
}

Response html_reply(const Request& request, http::status status, std::string body) {
  return plain(request, status, std::move(body), "text/html; charset=utf-8");
}

Response redirect(const Request& request, const std::string& location) {
  Response response = plain(request, http::status::see_other, {}, "text/plain; charset=utf-8");
  response.set(http::field::location, location);
  return response;
}

http::status status_of(admin::Failure failure) {
  switch (failure) {
    case admin::Failure::invalid: return http::status::bad_request;
    case admin::Failure::not_found: return http::status::not_found;
    case admin::Failure::conflict:
    case admin::Failure::owned_by_file: return http::status::conflict;
    case admin::Failure::storage: return http::status::service_unavailable;
  }
  return http::status::internal_server_error;
}

// The path split at '/', without the leading "admin".
std::vector<std::string_view> segments(std::string_view path) {
  std::vector<std::string_view> out;
  while (!path.empty()) {
    const std::size_t slash = path.find('/');
    const std::string_view part = path.substr(0, slash);
    if (!part.empty()) out.push_back(part);
    if (slash == std::string_view::npos) break;
    path.remove_prefix(slash + 1);
  }
  if (!out.empty()) out.erase(out.begin());
  return out;
}

std::string source_name(const storage::Source& source) {
  if (!source.settings.title.empty()) return source.settings.title;
  if (source.feed_title && !source.feed_title->empty()) return *source.feed_title;
  return source.settings.url;
}

std::string joined(const std::vector<std::string>& values) {
  std::string out;
  for (const std::string& value : values) out += (out.empty() ? "" : ", ") + value;
  return out;
}

std::vector<std::string> split_list(std::string_view text) {
  std::vector<std::string> out;
  while (!text.empty()) {
    const std::size_t comma = text.find(',');
    std::string item = trimmed(text.substr(0, comma));
    if (!item.empty()) out.push_back(std::move(item));
    text.remove_prefix(comma == std::string_view::npos ? text.size() : comma + 1);
  }
  return out;
}

// A source's state as the list shows and filters it.
enum class State { disabled, failing, stale, waiting, ok };

State state_of(const storage::Source& source, const storage::Health* health) {
  if (!source.settings.enabled) return State::disabled;
  if (health == nullptr || !health->last_attempt) return State::waiting;
  if (health->consecutive_failures > 0) return State::failing;
  if (health->stale) return State::stale;
  return State::ok;
}

std::string_view state_key(State state) {
  switch (state) {
    case State::disabled: return "console_state_disabled";
    case State::failing: return "console_state_failing";
    case State::stale: return "console_state_stale";
    case State::waiting: return "console_state_waiting";
    case State::ok: return "console_state_ok";
  }
  return "console_state_ok";
}

std::string_view state_class(State state) {
  return state == State::failing || state == State::disabled ? "bad" : state == State::ok ? "good" : "muted";
}

// The selectors a suggestion gives; the edit form also has the date's format, which only
// people write (a picked suggestion keeps the source's).
constexpr std::array<std::string_view, 6> kSuggestedFields{"item", "title",   "link",
                                                           "date", "summary", "image"};
constexpr std::array<std::string_view, 7> kSelectorFields{"item",    "title", "link",       "date",
                                                          "summary", "image", "date_format"};

// The edit form's fields as a source's settings give them.
Fields edit_values(const storage::Source& source) {
  const config::SourceSettings settings = admin::from_stored(source.settings);
  Fields values{{"url", settings.url},
                {"title", settings.title.value_or("")},
                {"categories", joined(settings.categories)},
                {"interval", settings.interval ? config::format_duration(*settings.interval) : ""}};
  if (settings.enabled) values.emplace("enabled", "1");
  if (settings.websub) values.emplace("websub", "1");
  const config::HtmlSelectors& s = settings.selectors;
  const std::array<const std::string*, 7> selectors{&s.item,    &s.title, &s.link,       &s.date,
                                                    &s.summary, &s.image, &s.date_format};
  for (std::size_t i = 0; i < kSelectorFields.size(); ++i)
    values.emplace("html_" + std::string(kSelectorFields[i]), *selectors[i]);
  return values;
}

// The edit form as the JSON the API's PATCH takes, so both read settings the same way.
boost::json::object edit_json(const Fields& form, bool html_source) {
  const auto optional = [&](std::string_view name) -> boost::json::value {
    std::string value = trimmed(field(form, name));
    return value.empty() ? boost::json::value(nullptr) : boost::json::value(value);
  };
  boost::json::array categories;
  for (std::string& category : split_list(field(form, "categories"))) categories.emplace_back(category);
  boost::json::object json{
      {"url", trimmed(field(form, "url"))},  {"title", optional("title")},
      {"categories", std::move(categories)}, {"interval", optional("interval")},
      {"enabled", form.contains("enabled")}, {"websub", form.contains("websub") ? "auto" : "off"}};
  if (html_source) {
    boost::json::object selectors;
    for (std::string_view name : kSelectorFields) {
      std::string value = trimmed(field(form, "html_" + std::string(name)));
      if (!value.empty()) selectors[name] = value;
    }
    json["html"] = std::move(selectors);
  }
  return json;
}

}  // namespace

struct Console::Impl {
  admin::Token token;
  storage::Store& store;
  const config::LiveConfig& config;
  admin::ApiHooks hooks;
  std::function<Instant()> clock;
  Sessions sessions;
  SignInLimiter limiter{kSignInFailures, std::chrono::minutes(1)};

  // What one request brings.
  struct Call {
    const Request& request;
    std::string path;
    Fields query;
    Fields form;  // a POST's urlencoded body
    Instant now{};
    Language language = Language::vi;
    std::string session_id;
    Session* session = nullptr;
    std::shared_ptr<const config::Config> config;
  };

  Response handle(const Request& request);
  Response route(Call& call);

  std::string_view say(const Call& call, std::string_view key) const { return html::say(call.language, key); }
  Response show(const Call& call, http::status status, html::Frame frame, std::string_view main_part) const {
    frame.language = call.language;
    if (call.session) {
      frame.csrf = call.session->csrf;
      // A failing store shows on the page itself; the menu then goes without its count.
      if (auto alerts = store.source_alerts()) frame.alerts = alerts->size();
    }
    if (frame.here.empty()) frame.here = call.path;
    return html_reply(call.request, status, html::page(frame, main_part));
  }
  Response problem(const Call& call, const admin::Problem& problem) const {
    html::Frame frame;
    frame.title = std::string(say(call, "console_refused"));
    frame.error = problem.message;
    return show(call, status_of(problem.failure), frame,
                "<p><a href=\"/admin/sources\">" + html::escape(say(call, "console_back")) + "</a></p>");
  }
  admin::Sources sources(const Call& call) const {
    return admin::Sources(store, call.config->defaults, admin::source_rules_from(*call.config));
  }
  void changed() const {
    if (hooks.sources_changed) hooks.sources_changed();
  }
  SessionLimits limits(const Call& call) const {
    return {call.config->admin.session_idle, call.config->admin.session_lifetime};
  }
  // After a fetch hook, which lets other requests in while it waits (ApiHooks): the
  // session may have ended meanwhile, and its entry with it.
  bool still_signed_in(Call& call) {
    call.session = sessions.find(call.session_id, call.now, limits(call));
    return call.session != nullptr;
  }
  // Too many discoveries and previews in flight (a fetch hook gave nullopt).
  Response busy(const Call& call, html::Frame frame, std::string_view main_part) const {
    frame.error = std::string(say(call, "console_busy"));
    Response response = show(call, http::status::service_unavailable, std::move(frame), main_part);
    response.set(http::field::retry_after, std::to_string(admin::kBusyRetryAfter.count()));
    return response;
  }
  // A source's name and link, or "source 7 (removed)".
  std::string source_link(const Call& call, std::int64_t id);
  // The alert condition's words: "failing", "stale", "recovered".
  std::string_view alert_words(const Call& call, std::string_view condition) const {
    return say(call, "console_alert_" + std::string(condition));
  }
  // The items a preview extracted, then its ranked suggestions, each with a form posting
  // `hidden` and its selectors to `action` under the button `use_key`; `editable` false:
  // the suggestions without forms.
  std::string preview_part(const Call& call, const admin::PagePreview& found, std::string_view action,
                           const Fields& hidden, std::string_view use_key, bool editable) const;
  std::string when(const Call& call, const std::optional<Instant>& t) const;
  std::string done_notice(const Call& call) const;

  Response sign_in_page(Call& call, http::status status, std::string error);
  Response sign_in(Call& call);
  Response sign_out(Call& call);
  Response list(Call& call);
  Response add_page(Call& call, http::status status, std::string error, std::string url);
  // The add page again, the address kept, when too many fetches are in flight.
  Response add_page_busy(Call& call, std::string url);
  Response add(Call& call);
  Response add_chosen(Call& call, const std::string& url);
  Response add_html(Call& call);
  Response offer_html(Call& call, const std::string& url, const std::string& typed);
  Response alerts_page(Call& call);
  Response no_such_page(Call& call);
  Response detail(Call& call, std::int64_t id, http::status status, std::string error,
                  std::optional<Fields> values);
  Response save(Call& call, std::int64_t id);
  Response remove_page(Call& call, std::int64_t id);
  Response preview(Call& call, std::int64_t id);
  Response use_selectors(Call& call, std::int64_t id);
  Response opml_page(Call& call, http::status status, std::string notice, std::string error);
  Response import_opml(Call& call);
};

std::string Console::Impl::when(const Call& call, const std::optional<Instant>& t) const {
  if (!t) return std::string(say(call, "console_never"));
  const std::string& zone_name = call.config->server.display_time_zone.empty()
                                     ? call.config->defaults.time_zone
                                     : call.config->server.display_time_zone;
  const publish::DisplayZone zone = publish::DisplayZone::named(zone_name).value_or(publish::DisplayZone());
  return publish::reader_time(*t, call.now, zone, call.language);
}

std::string Console::Impl::done_notice(const Call& call) const {
  const std::string done = field(call.query, "done");
  constexpr std::array<std::string_view, 9> kDone{"added",     "saved",   "enabled",    "disabled", "polled",
                                                  "poll_soon", "removed", "signed_out", "selectors"};
  for (std::string_view known : kDone) {
    if (done == known) return std::string(say(call, "console_done_" + std::string(known)));
  }
  return {};
}

Response Console::Impl::handle(const Request& request) {
  const std::string_view target = request.target();
  const std::size_t question = target.find('?');
  Call call{
      request,         std::string(target.substr(0, question)), {}, {}, clock(), Language::vi, {}, nullptr,
      config.current()};
  if (question != std::string_view::npos) call.query = decode_fields(target.substr(question + 1));
  if (call.path == "/admin/console.css") {
    Response response =
        plain(request, http::status::ok, std::string(embedded::kConsoleCss), "text/css; charset=utf-8");
    response.set(http::field::cache_control, "max-age=3600");
    return response;
  }
  call.session_id = cookie(request, kCookie);
  call.session = sessions.find(call.session_id, call.now, limits(call));
  const std::string hl = field(call.query, "hl");
  if (call.session && (hl == "vi" || hl == "en")) call.session->language = hl;
  call.language = publish::choose_language(call.session && hl.empty() ? call.session->language : hl,
                                           request[http::field::accept_language]);
  const bool post = request.method() == http::verb::post;
  if (post) {
    const std::string_view type = request[http::field::content_type];
    if (type.substr(0, 33) == "application/x-www-form-urlencoded") call.form = decode_fields(request.body());
    if (type.substr(0, 19) == "multipart/form-data") call.form = decode_multipart(request.body(), type);
  }
  if (call.path == "/admin/sign-in") {
    if (post) return sign_in(call);
    if (request.method() != http::verb::get)
      return plain(request, http::status::method_not_allowed, {}, "text/plain");
    return sign_in_page(call, http::status::ok, {});
  }
  if (post && (!call.session || !same_secret(field(call.form, "csrf"), call.session->csrf))) {
    return plain(request, http::status::forbidden, std::string(kCsrfRefusal), "text/plain; charset=utf-8");
  }
  if (!call.session) return redirect(request, "/admin/sign-in");
  if (!post && request.method() != http::verb::get)
    return plain(request, http::status::method_not_allowed, {}, "text/plain");
  try {
    return route(call);
  } catch (const std::exception& error) {
    // A bug, not an expected failure: answer, and keep serving.
    return problem(call, admin::Problem{admin::Failure::storage, error.what()});
  }
}

Response Console::Impl::route(Call& call) {
  const bool post = call.request.method() == http::verb::post;
  const std::vector<std::string_view> parts = segments(call.path);
  if (parts.empty()) return redirect(call.request, "/admin/sources");
  if (parts.size() == 1 && parts[0] == "sign-out" && post) return sign_out(call);
  if (parts.size() == 1 && parts[0] == "alerts" && !post) return alerts_page(call);
  if (parts.size() == 1 && parts[0] == "opml") {
    if (!post && field(call.query, "download") == "1") {
      auto document = sources(call).export_opml();
      if (!document) return problem(call, document.error());
      Response response =
          plain(call.request, http::status::ok, std::move(*document), "text/x-opml; charset=utf-8");
      response.set(http::field::content_disposition, "attachment; filename=\"tinhop-sources.opml\"");
      return response;
    }
    if (!post) return opml_page(call, http::status::ok, {}, {});
    return import_opml(call);
  }
  if (parts[0] != "sources") {
    return no_such_page(call);
  }
  if (parts.size() == 1) return list(call);
  if (parts[1] == "new" && parts.size() == 2)
    return post ? add(call) : add_page(call, http::status::ok, {}, {});
  const std::optional<std::int64_t> id = parse_id(parts[1]);
  if (!id || parts.size() > 3) {
    return no_such_page(call);
  }
  const std::string back = "/admin/sources/" + std::to_string(*id);
  if (parts.size() == 2)
    return post ? save(call, *id) : detail(call, *id, http::status::ok, {}, std::nullopt);
  const std::string_view action = parts[2];
  if (action == "remove") {
    if (!post) return remove_page(call, *id);
    auto removed = sources(call).remove(*id);
    if (!removed) return problem(call, removed.error());
    changed();
    return redirect(call.request, "/admin/sources?done=removed");
  }
  if (post && (action == "enable" || action == "disable")) {
    auto set = sources(call).set_enabled(*id, action == "enable", call.now);
    if (!set) return problem(call, set.error());
    changed();
    return redirect(call.request, back + "?done=" + (action == "enable" ? "enabled" : "disabled"));
  }
  if (action == "preview") return post ? use_selectors(call, *id) : preview(call, *id);
  if (post && action == "poll") {
    auto source = sources(call).get(*id);
    if (!source) return problem(call, source.error());
    if (!source->settings.enabled)
      return problem(call, {admin::Failure::conflict, std::string(say(call, "console_poll_disabled"))});
    const bool scheduled = hooks.poll_now && hooks.poll_now(*id);
    return redirect(call.request, back + (scheduled ? "?done=polled" : "?done=poll_soon"));
  }
  return no_such_page(call);
}

Response Console::Impl::sign_in_page(Call& call, http::status status, std::string error) {
  html::Frame frame;
  frame.title = std::string(say(call, "console_sign_in"));
  frame.error = std::move(error);
  frame.notice = done_notice(call);
  const std::string hl(publish::language_tag(call.language));
  std::string main = "<form method=\"post\" action=\"/admin/sign-in?hl=" + hl + "\">";
  main += "<label for=\"token\">" + html::escape(say(call, "console_token")) +
          "</label><input type=\"password\" id=\"token\" name=\"token\" autocomplete=\"current-password\" "
          "required aria-describedby=\"token-hint\"><div class=\"meta\" id=\"token-hint\">" +
          html::escape(say(call, "console_token_hint")) + "</div>";
  main += "<p><button>" + html::escape(say(call, "console_sign_in")) + "</button></p></form>";
  Call signed_out = call;
  signed_out.session = nullptr;
  return show(signed_out, status, frame, main);
}

Response Console::Impl::sign_in(Call& call) {
  if (auto wait = limiter.wait(call.now)) {
    Response response =
        sign_in_page(call, http::status::too_many_requests,
                     html::say(call.language, "console_sign_in_wait", std::to_string(wait->count())));
    response.set(http::field::retry_after, std::to_string(wait->count()));
    return response;
  }
  if (!token.matches(trimmed(field(call.form, "token")))) {
    limiter.failed(call.now);
    return sign_in_page(call, http::status::unauthorized, std::string(say(call, "console_sign_in_wrong")));
  }
  if (call.session) sessions.close(call.session_id);  // a fresh id on every sign-in
  const std::string id = sessions.open(call.now);
  Session* session = sessions.find(id, call.now, limits(call));
  const std::string hl = field(call.query, "hl");
  if (session && (hl == "vi" || hl == "en")) session->language = hl;
  Response response = redirect(call.request, "/admin/sources");
  // Secure when the browser reached us over TLS: the switch, or a proxy that says so (a
  // forged header only makes the cookie stricter).
  const bool secure =
      call.config->admin.secure_cookies || lowercase(call.request["X-Forwarded-Proto"]) == "https";
  response.set(http::field::set_cookie, std::string(kCookie) + "=" + id +
                                            "; Path=/admin; HttpOnly; SameSite=Strict" +
                                            (secure ? "; Secure" : ""));
  return response;
}

Response Console::Impl::sign_out(Call& call) {
  sessions.close(call.session_id);
  Response response = redirect(call.request, "/admin/sign-in?done=signed_out");
  response.set(http::field::set_cookie,
               std::string(kCookie) + "=; Path=/admin; Max-Age=0; HttpOnly; SameSite=Strict");
  return response;
}

Response Console::Impl::list(Call& call) {
  const std::string q = trimmed(field(call.query, "q"));
  const std::string needle = lowercase(q);
  const std::string state = field(call.query, "state");
  const std::string category = field(call.query, "category");
  const bool failing_only = field(call.query, "failing") == "1";
  const std::optional<std::size_t> asked = page_asked(field(call.query, "page"));
  if (!asked) return no_such_page(call);
  const std::size_t page = *asked;

  struct Row {
    storage::Source source;
    std::optional<storage::Health> health;
  };
  std::vector<Row> rows;
  std::size_t matches = 0;
  const std::size_t first = (page - 1) * kPageSize;
  // In pages (Store::visit_sources): thousands of sources never sit in memory twice.
  auto visited = store.visit_sources([&](const storage::Source& source, const storage::Health* health) {
    const State s = state_of(source, health);
    if (state == "enabled" && !source.settings.enabled) return;
    if (state == "disabled" && source.settings.enabled) return;
    if (failing_only && s != State::failing) return;
    if (!category.empty() &&
        std::ranges::find(source.settings.categories, category) == source.settings.categories.end())
      return;
    if (!needle.empty() && lowercase(source_name(source)).find(needle) == std::string::npos &&
        lowercase(source.settings.url).find(needle) == std::string::npos)
      return;
    if (matches >= first && rows.size() < kPageSize)
      rows.push_back({source, health ? std::optional(*health) : std::nullopt});
    ++matches;
  });
  if (!visited) return problem(call, admin::from_storage(visited.error()));
  auto alerts = store.source_alerts();
  if (!alerts) return problem(call, admin::from_storage(alerts.error()));
  auto categories = store.list_categories();
  if (!categories) return problem(call, admin::from_storage(categories.error()));

  const Language l = call.language;
  std::string main = "<form class=\"filter\" method=\"get\" action=\"/admin/sources\" role=\"search\">";
  main += "<div><label for=\"q\">" + html::escape(say(call, "console_search")) +
          "</label><input type=\"search\" id=\"q\" name=\"q\" value=\"" + html::escape(q) + "\"></div>";
  main += "<div><label for=\"state\">" + html::escape(say(call, "console_state")) +
          "</label><select id=\"state\" name=\"state\">";
  for (auto [value, key] : {std::pair<std::string_view, std::string_view>{"", "console_any"},
                            {"enabled", "console_state_enabled"},
                            {"disabled", "console_state_disabled"}}) {
    main += "<option value=\"" + std::string(value) + "\"" + (state == value ? " selected" : "") + ">" +
            html::escape(say(call, key)) + "</option>";
  }
  main += "</select></div><div><label for=\"category\">" + html::escape(say(call, "console_category")) +
          "</label><select id=\"category\" name=\"category\"><option value=\"\">" +
          html::escape(say(call, "console_any")) + "</option>";
  for (const std::string& c : *categories) {
    main += "<option" + std::string(c == category ? " selected" : "") + ">" + html::escape(c) + "</option>";
  }
  main += "</select></div><div>" +
          html::checkbox("failing", say(call, "console_failing_only"), failing_only) + "</div><div><button>" +
          html::escape(say(call, "console_filter")) + "</button></div></form>";
  main +=
      "<p class=\"meta\">" + html::escape(html::say(l, "console_count", std::to_string(matches))) + "</p>";

  if (!rows.empty()) {
    main += "<div class=\"table\"><table class=\"sources\"><thead><tr><th scope=\"col\">" +
            html::escape(say(call, "console_source")) + "</th><th scope=\"col\">" +
            html::escape(say(call, "console_state")) + "</th><th scope=\"col\">" +
            html::escape(say(call, "console_last_success")) + "</th><th scope=\"col\">" +
            html::escape(say(call, "console_last_error")) + "</th><th scope=\"col\">" +
            html::escape(say(call, "console_per_day")) + "</th><th scope=\"col\">" +
            html::escape(say(call, "console_30_days")) + "</th></tr></thead><tbody>";
    for (const Row& row : rows) {
      const State s = state_of(row.source, row.health ? &*row.health : nullptr);
      auto days = store.items_per_day(row.source.id, call.now, kSparkDays);
      if (!days) return problem(call, admin::from_storage(days.error()));
      std::int64_t total = 0;
      for (std::int64_t n : *days) total += n;
      char per_day[32];
      std::snprintf(per_day, sizeof per_day, "%.1f", double(total) / kSparkDays);
      const std::string id = std::to_string(row.source.id);
      main += "<tr><td><a href=\"/admin/sources/" + id + "\">" + html::escape(source_name(row.source)) +
              "</a><div class=\"meta\">" + html::escape(row.source.settings.url) + "</div></td>";
      main += "<td class=\"" + std::string(state_class(s)) + "\">" + html::escape(say(call, state_key(s)));
      const auto alert = std::ranges::find(*alerts, row.source.id, &storage::SourceAlert::source_id);
      if (alert != alerts->end()) {
        main += "<div class=\"meta\"><a href=\"/admin/alerts\">" +
                html::escape(html::say(l, "console_alert_line", alert_words(call, alert->condition))) +
                "</a> · " + html::escape(when(call, alert->since)) + "</div>";
      }
      main += "</td>";
      main +=
          "<td>" + html::escape(when(call, row.health ? row.health->last_success : std::nullopt)) + "</td>";
      main += "<td>" + html::escape(row.health ? row.health->error_text : std::string()) + "</td>";
      main += "<td class=\"num\">" + std::string(per_day) + "</td>";
      main += "<td>" + html::sparkline(*days, html::say(l, "console_spark_label", std::to_string(total))) +
              "</td></tr>";
    }
    main += "</tbody></table></div>";
  }
  const auto page_link = [&](std::size_t to, std::string_view key) {
    boost::urls::url link("/admin/sources");
    if (!q.empty()) link.params().append(boost::urls::param_view("q", q));
    if (!state.empty()) link.params().append(boost::urls::param_view("state", state));
    if (!category.empty()) link.params().append(boost::urls::param_view("category", category));
    if (failing_only) link.params().append(boost::urls::param_view("failing", "1"));
    link.params().append(boost::urls::param_view("page", std::to_string(to)));
    return "<a href=\"" + html::escape(link.buffer()) + "\">" + html::escape(say(call, key)) + "</a>";
  };
  if (page > 1 || first + rows.size() < matches) {
    main += "<nav class=\"pages\" aria-label=\"" + html::escape(say(call, "console_paging")) + "\">";
    if (page > 1) main += page_link(page - 1, "console_previous");
    if (first + rows.size() < matches) main += page_link(page + 1, "console_next");
    main += "</nav>";
  }
  html::Frame frame;
  frame.title = std::string(say(call, "console_sources"));
  frame.notice = done_notice(call);
  return show(call, http::status::ok, frame, main);
}

Response Console::Impl::add_page_busy(Call& call, std::string url) {
  Response refused = add_page(call, http::status::service_unavailable, std::string(say(call, "console_busy")),
                              std::move(url));
  refused.set(http::field::retry_after, std::to_string(admin::kBusyRetryAfter.count()));
  return refused;
}

Response Console::Impl::add_page(Call& call, http::status status, std::string error, std::string url) {
  std::string main =
      "<form method=\"post\" action=\"/admin/sources/new\">" + html::csrf_field(call.session->csrf);
  main +=
      html::text_field("url", say(call, "console_site_url"), url, "url", say(call, "console_site_url_hint"));
  main += "<p><button>" + html::escape(say(call, "console_find_feeds")) + "</button></p></form>";
  html::Frame frame;
  frame.title = std::string(say(call, "console_add"));
  frame.error = std::move(error);
  return show(call, status, frame, main);
}

Response Console::Impl::add(Call& call) {
  if (field(call.form, "type") == "html") return add_html(call);
  if (const std::string chosen = trimmed(field(call.form, "feed")); !chosen.empty())
    return add_chosen(call, chosen);
  const std::string typed = trimmed(field(call.form, "url"));
  config::SourceSettings wanted;
  wanted.url = typed;
  // Checked before fetching: discovery reaches no further than the source could.
  auto checked = sources(call).validated(wanted);
  if (!checked) return add_page(call, status_of(checked.error().failure), checked.error().message, typed);
  if (!hooks.discover)
    return add_page(call, http::status::service_unavailable, std::string(say(call, "console_no_discovery")),
                    typed);
  const std::optional<fetch::Discovery> found = hooks.discover(checked->url);
  if (!still_signed_in(call)) return redirect(call.request, "/admin/sign-in");
  if (!found) return add_page_busy(call, typed);
  const fetch::Discovery& discovery = *found;
  if (!discovery.error.empty())
    return add_page(call, http::status::unprocessable_entity, checked->url + ": " + discovery.error, typed);
  if (discovery.feeds.empty()) return offer_html(call, checked->url, typed);
  if (discovery.feeds.size() == 1) return add_chosen(call, discovery.feeds.front().url);

  std::string main =
      "<form method=\"post\" action=\"/admin/sources/new\">" + html::csrf_field(call.session->csrf);
  main += "<fieldset><legend>" + html::escape(html::say(call.language, "console_choose_feed", checked->url)) +
          "</legend>";
  for (std::size_t i = 0; i < discovery.feeds.size(); ++i) {
    const fetch::DiscoveredFeed& feed = discovery.feeds[i];
    const std::string id = "feed-" + std::to_string(i);
    main += "<p><input type=\"radio\" name=\"feed\" id=\"" + id + "\" value=\"" + html::escape(feed.url) +
            "\"" + (i == 0 ? " checked" : "") + "><label class=\"inline\" for=\"" + id + "\">" +
            html::escape(feed.title.empty() ? feed.url : feed.title) + "</label><span class=\"meta\"> " +
            html::escape(feed.url) + " · " + html::escape(format_name(feed.format)) + " · " +
            html::escape(html::say(call.language, "console_items", std::to_string(feed.items))) +
            "</span></p>";
  }
  main += "</fieldset><p><button>" + html::escape(say(call, "console_add_chosen")) + "</button></p></form>";
  html::Frame frame;
  frame.title = std::string(say(call, "console_add"));
  return show(call, http::status::ok, frame, main);
}

Response Console::Impl::add_chosen(Call& call, const std::string& url) {
  config::SourceSettings settings;
  settings.url = url;
  auto added = sources(call).add(std::move(settings), config::Origin::api, call.now);
  if (!added) return add_page(call, status_of(added.error().failure), added.error().message, url);
  changed();
  // The poller learns of the source from changed(); until it has, a poll waits its turn.
  const bool scheduled = hooks.poll_now && hooks.poll_now(added->id);
  return redirect(call.request, "/admin/sources/" + std::to_string(added->id) +
                                    (scheduled ? "?done=added" : "?done=poll_soon"));
}

// No feed at `url`: when the page looks like a listing (it has suggestions), the preview of
// the best one and every suggestion with a button that adds the page as an html source.
Response Console::Impl::offer_html(Call& call, const std::string& url, const std::string& typed) {
  const std::string no_feed = html::say(call.language, "console_no_feed", url);
  if (!hooks.preview_html) return add_page(call, http::status::unprocessable_entity, no_feed, typed);
  fetch::Request request;
  request.url = url;
  request.trusted_origin_url = "";  // as the source would be fetched once added
  ParseContext context;
  context.time_zone = call.config->defaults.time_zone;
  context.date_order = call.config->defaults.date_order;
  context.now = call.now;
  const std::optional<admin::PagePreview> found = hooks.preview_html(std::move(request), context, {});
  if (!still_signed_in(call)) return redirect(call.request, "/admin/sign-in");
  if (!found) return add_page_busy(call, typed);
  if (!found->page.error.empty() || found->suggestions.empty())
    return add_page(call, http::status::unprocessable_entity, no_feed, typed);
  html::Frame frame;
  frame.title = std::string(say(call, "console_add"));
  frame.notice = html::say(call.language, "console_html_offer", url);
  std::string main =
      "<p><a href=\"/admin/sources/new\">" + html::escape(say(call, "console_back_to_add")) + "</a></p>";
  main += preview_part(call, *found, "/admin/sources/new", Fields{{"type", "html"}, {"url", url}},
                       "console_add_html", true);
  return show(call, http::status::ok, frame, main);
}

// A suggestion picked for a page without a feed: a new html source with its selectors.
Response Console::Impl::add_html(Call& call) {
  const std::string url = trimmed(field(call.form, "url"));
  Fields values{{"url", url}, {"enabled", "1"}, {"websub", "1"}};
  for (std::string_view name : kSuggestedFields) {
    const std::string key = "html_" + std::string(name);
    values.emplace(key, field(call.form, key));
  }
  config::SourceSettings blank;
  blank.type = config::SourceType::html;
  auto settings = admin::apply_json(std::move(blank), edit_json(values, true));
  if (!settings) return add_page(call, status_of(settings.error().failure), settings.error().message, url);
  auto added = sources(call).add(std::move(*settings), config::Origin::api, call.now);
  if (!added) return add_page(call, status_of(added.error().failure), added.error().message, url);
  changed();
  const bool scheduled = hooks.poll_now && hooks.poll_now(added->id);
  return redirect(call.request, "/admin/sources/" + std::to_string(added->id) +
                                    (scheduled ? "?done=added" : "?done=poll_soon"));
}

Response Console::Impl::detail(Call& call, std::int64_t id, http::status status, std::string error,
                               std::optional<Fields> values) {
  auto source = sources(call).get(id);
  if (!source) return problem(call, source.error());
  auto health_result = store.health(id);
  const std::optional<storage::Health> health = health_result ? std::optional(*health_result) : std::nullopt;
  auto days = store.items_per_day(id, call.now, kSparkDays);
  if (!days) return problem(call, admin::from_storage(days.error()));
  std::int64_t total = 0;
  for (std::int64_t n : *days) total += n;

  const Language l = call.language;
  const std::string base = "/admin/sources/" + std::to_string(id);
  const State s = state_of(*source, health ? &*health : nullptr);
  const auto row = [](std::string_view term, const std::string& value) {
    return "<dt>" + html::escape(term) + "</dt><dd>" + value + "</dd>";
  };
  std::string main = "<dl>";
  main += row(say(call, "console_url"), "<a href=\"" + html::escape(source->settings.url) + "\">" +
                                            html::escape(source->settings.url) + "</a>");
  main += row(say(call, "console_state"),
              "<span class=\"" + std::string(state_class(s)) + "\">" + html::escape(say(call, state_key(s))) +
                  "</span>" +
                  (source->disabled_reason.empty() ? "" : " · " + html::escape(source->disabled_reason)));
  if (const std::optional<storage::SourceAlert> alert = admin::alert_of(store, id)) {
    main += row(say(call, "console_alert"), "<a class=\"bad\" href=\"/admin/alerts\">" +
                                                html::escape(alert_words(call, alert->condition)) +
                                                "</a> · " + html::escape(say(call, "console_alert_since")) +
                                                ": " + html::escape(when(call, alert->since)));
  }
  main += row(say(call, "console_last_success"),
              html::escape(when(call, health ? health->last_success : std::nullopt)));
  main += row(say(call, "console_last_attempt"),
              html::escape(when(call, health ? health->last_attempt : std::nullopt)));
  if (health && !health->error_text.empty())
    main += row(say(call, "console_last_error"), html::escape(health->error_text));
  main += row(say(call, "console_30_days"),
              html::sparkline(*days, html::say(l, "console_spark_label", std::to_string(total))) + " " +
                  html::escape(html::say(l, "console_spark_label", std::to_string(total))));
  main += "</dl><div class=\"actions\">";
  if (source->settings.enabled)
    main += html::button_form(base + "/poll", call.session->csrf, say(call, "console_poll"));
  main += html::button_form(base + (source->settings.enabled ? "/disable" : "/enable"), call.session->csrf,
                            say(call, source->settings.enabled ? "console_disable" : "console_enable"));
  if (source->settings.type == storage::SourceType::html)
    main += "<a href=\"" + base + "/preview\">" + html::escape(say(call, "console_preview")) + "</a>";
  main += "<a href=\"" + base + "/remove\">" + html::escape(say(call, "console_remove")) + "</a></div>";

  main += "<h2>" + html::escape(say(call, "console_edit")) + "</h2>";
  if (admin::origin_of(*source) == config::Origin::config) {
    main += "<p>" + html::escape(say(call, "console_owned_by_file")) + "</p>";
  } else {
    const Fields shown = values ? *values : edit_values(*source);
    main += "<form method=\"post\" action=\"" + base + "\">" + html::csrf_field(call.session->csrf);
    main += html::text_field("url", say(call, "console_url"), field(shown, "url"), "url");
    main += html::text_field("title", say(call, "console_title"), field(shown, "title"), "text",
                             say(call, "console_title_hint"));
    main += html::text_field("categories", say(call, "console_categories"), field(shown, "categories"),
                             "text", say(call, "console_categories_hint"));
    main += html::text_field("interval", say(call, "console_interval"), field(shown, "interval"), "text",
                             say(call, "console_interval_hint"));
    main += html::checkbox("enabled", say(call, "console_enabled"), shown.contains("enabled"));
    main += html::checkbox("websub", say(call, "console_websub"), shown.contains("websub"));
    if (source->settings.type == storage::SourceType::html) {
      main += "<fieldset><legend>" + html::escape(say(call, "console_selectors")) + "</legend>";
      for (std::string_view name : kSelectorFields) {
        const std::string key = "html_" + std::string(name);
        main += html::text_field(key, say(call, "console_selector_" + std::string(name)), field(shown, key));
      }
      main += "</fieldset>";
    }
    main += "<p><button>" + html::escape(say(call, "console_save")) + "</button></p></form>";
  }
  html::Frame frame;
  frame.title = source_name(*source);
  frame.notice = done_notice(call);
  frame.error = std::move(error);
  return show(call, status, frame, main);
}

Response Console::Impl::save(Call& call, std::int64_t id) {
  admin::Sources service = sources(call);
  auto source = service.get(id);
  if (!source) return problem(call, source.error());
  const bool html_source = source->settings.type == storage::SourceType::html;
  auto settings = admin::apply_json(admin::from_stored(source->settings), edit_json(call.form, html_source));
  if (!settings)
    return detail(call, id, status_of(settings.error().failure), settings.error().message, call.form);
  auto replaced = service.replace(id, std::move(*settings), call.now);
  if (!replaced)
    return detail(call, id, status_of(replaced.error().failure), replaced.error().message, call.form);
  changed();
  return redirect(call.request, "/admin/sources/" + std::to_string(id) + "?done=saved");
}

Response Console::Impl::remove_page(Call& call, std::int64_t id) {
  auto source = sources(call).get(id);
  if (!source) return problem(call, source.error());
  const std::string base = "/admin/sources/" + std::to_string(id);
  std::string main =
      "<p>" + html::escape(html::say(call.language, "console_remove_question", source_name(*source))) +
      "</p><p class=\"meta\">" + html::escape(source->settings.url) + "</p><div class=\"actions\">";
  main +=
      html::button_form(base + "/remove", call.session->csrf, say(call, "console_remove_confirm"), "danger");
  main += "<a href=\"" + base + "\">" + html::escape(say(call, "console_cancel")) + "</a></div>";
  html::Frame frame;
  frame.title = std::string(say(call, "console_remove_title"));
  return show(call, http::status::ok, frame, main);
}

Response Console::Impl::preview(Call& call, std::int64_t id) {
  auto source = sources(call).get(id);
  if (!source) return problem(call, source.error());
  const Language l = call.language;
  const std::string base = "/admin/sources/" + std::to_string(id);
  html::Frame frame;
  frame.title = html::say(l, "console_preview_title", source_name(*source));
  frame.notice = done_notice(call);
  std::string main = "<p><a href=\"" + base + "\">" + html::escape(say(call, "console_back")) + "</a></p>";
  if (source->settings.type != storage::SourceType::html) {
    frame.error = std::string(say(call, "console_preview_html_only"));
    return show(call, http::status::conflict, frame, main);
  }
  if (!hooks.preview_html) {
    frame.error = std::string(say(call, "console_preview_unavailable"));
    return show(call, http::status::service_unavailable, frame, main);
  }
  const config::SourceSettings settings = admin::from_stored(source->settings);
  fetch::Request request;
  request.url = settings.url;
  request.headers = settings.headers;
  // As the poller fetches it: only a source from the file may be at an internal address
  // outside fetch.allow_networks.
  if (admin::origin_of(*source) != config::Origin::config) request.trusted_origin_url = "";
  ParseContext context;
  context.time_zone = settings.time_zone.value_or(call.config->defaults.time_zone);
  context.date_order = settings.date_order.value_or(call.config->defaults.date_order);
  context.now = call.now;
  const std::optional<admin::PagePreview> found =
      hooks.preview_html(std::move(request), context, settings.selectors);
  if (!still_signed_in(call)) return redirect(call.request, "/admin/sign-in");
  if (!found) return busy(call, frame, main);
  if (!found->page.error.empty()) {
    frame.error = html::say(l, "console_preview_failed", found->page.error);
    return show(call, http::status::bad_gateway, frame, main);
  }
  main += "<h2>" + html::escape(say(call, "console_preview_current")) + "</h2><p class=\"meta\"><code>" +
          html::escape(format_selector_spec(settings.selectors)) + "</code></p>";
  const bool editable = admin::origin_of(*source) != config::Origin::config;
  main += preview_part(call, *found, base + "/preview", {}, "console_preview_use", editable);
  if (!editable) main += "<p>" + html::escape(say(call, "console_owned_by_file")) + "</p>";
  return show(call, http::status::ok, frame, main);
}

std::string Console::Impl::preview_part(const Call& call, const admin::PagePreview& found,
                                        std::string_view action, const Fields& hidden,
                                        std::string_view use_key, bool editable) const {
  const Language l = call.language;
  std::string main;
  const HtmlListingOutcome& extraction = found.extraction;
  if (extraction.error != HtmlError::none) {
    main += "<p class=\"bad\">" + html::escape(extraction.message) + "</p>";
  } else if (extraction.result.feed.items.empty()) {
    main += "<p>" + html::escape(say(call, "console_preview_none")) + "</p>";
  } else {
    main += "<div class=\"table\"><table><thead><tr><th scope=\"col\">" +
            html::escape(say(call, "console_preview_title_col")) + "</th><th scope=\"col\">" +
            html::escape(say(call, "console_preview_date_col")) + "</th></tr></thead><tbody>";
    // An undated card carries the fetch time, marked approximate: not a date to show.
    const auto dated = [&](const Item& item) {
      return item.published && !(item.date_approximate && *item.published == call.now);
    };
    for (const Item& item : extraction.result.feed.items) {
      const std::string title = item.title.value_or(item.link.value_or(""));
      main += "<tr><td>" +
              (item.link ? "<a href=\"" + html::escape(*item.link) + "\">" + html::escape(title) + "</a>"
                         : html::escape(title)) +
              "<div class=\"meta\">" + html::escape(item.link.value_or("")) + "</div></td><td>" +
              html::escape(dated(item) ? when(call, item.published) : say(call, "console_preview_no_date")) +
              "</td></tr>";
    }
    main += "</tbody></table></div>";
  }

  main += "<h2>" + html::escape(say(call, "console_preview_suggestions")) + "</h2>";
  if (found.suggestions.empty())
    main += "<p>" + html::escape(say(call, "console_preview_no_suggestion")) + "</p>";
  main += "<ol>";
  for (const SelectorSuggestion& suggestion : found.suggestions) {
    main += "<li><p>" + html::escape(html::say(l, "console_items", std::to_string(suggestion.items))) +
            " · " +
            html::escape(html::say(l, "console_preview_dated", std::to_string(suggestion.dated_items))) +
            " · " + html::escape(suggestion.reason) + "</p><p class=\"meta\"><code>" +
            html::escape(format_selector_spec(suggestion.selectors)) + "</code></p>";
    if (editable) {
      main += "<form method=\"post\" action=\"" + html::escape(action) + "\">" +
              html::csrf_field(call.session->csrf);
      for (const auto& [name, value] : hidden) {
        main += "<input type=\"hidden\" name=\"" + html::escape(name) + "\" value=\"" + html::escape(value) +
                "\">";
      }
      const HtmlSelectors& s = suggestion.selectors;
      const std::array<const std::string*, 6> values{&s.item, &s.title,   &s.link,
                                                     &s.date, &s.summary, &s.image};
      for (std::size_t i = 0; i < kSuggestedFields.size(); ++i) {
        main += "<input type=\"hidden\" name=\"html_" + std::string(kSuggestedFields[i]) + "\" value=\"" +
                html::escape(*values[i]) + "\">";
      }
      main += "<button>" + html::escape(say(call, use_key)) + "</button></form>";
    }
    main += "</li>";
  }
  main += "</ol>";
  return main;
}

// A suggestion picked on the preview page: the source's settings with just the selectors
// replaced, validated as the edit form's are.
Response Console::Impl::use_selectors(Call& call, std::int64_t id) {
  admin::Sources service = sources(call);
  auto source = service.get(id);
  if (!source) return problem(call, source.error());
  if (source->settings.type != storage::SourceType::html)
    return problem(call, {admin::Failure::conflict, std::string(say(call, "console_preview_html_only"))});
  Fields values = edit_values(*source);
  for (std::string_view name : kSuggestedFields) {
    const std::string key = "html_" + std::string(name);
    values.erase(key);
    values.emplace(key, field(call.form, key));
  }
  auto settings = admin::apply_json(admin::from_stored(source->settings), edit_json(values, true));
  if (!settings) return problem(call, settings.error());
  auto replaced = service.replace(id, std::move(*settings), call.now);
  if (!replaced) return problem(call, replaced.error());
  changed();
  return redirect(call.request, "/admin/sources/" + std::to_string(id) + "/preview?done=selectors");
}

std::string Console::Impl::source_link(const Call& call, std::int64_t id) {
  auto source = store.get_source(id);
  if (!source) return html::escape(html::say(call.language, "console_source_removed", std::to_string(id)));
  return "<a href=\"/admin/sources/" + std::to_string(id) + "\">" + html::escape(source_name(*source)) +
         "</a>";
}

// The sources with an alert now, then the changes, newest first, in pages.
Response Console::Impl::no_such_page(Call& call) {
  html::Frame frame;
  frame.title = std::string(say(call, "console_not_found"));
  return show(call, http::status::not_found, frame, {});
}

Response Console::Impl::alerts_page(Call& call) {
  const std::optional<std::size_t> asked = page_asked(field(call.query, "page"));
  if (!asked) return no_such_page(call);
  const std::size_t page = *asked;
  auto current = store.source_alerts();
  if (!current) return problem(call, admin::from_storage(current.error()));
  // The store keeps the newest 1,000 changes: reading up to the page asked stays small.
  auto events = store.recent_alerts(page * kPageSize + 1);
  if (!events) return problem(call, admin::from_storage(events.error()));
  const auto head = [&](std::initializer_list<std::string_view> keys) {
    std::string out = "<div class=\"table\"><table><thead><tr>";
    for (std::string_view key : keys) out += "<th scope=\"col\">" + html::escape(say(call, key)) + "</th>";
    return out + "</tr></thead><tbody>";
  };

  std::string main = "<h2>" + html::escape(say(call, "console_alerts_current")) + "</h2>";
  if (current->empty()) {
    main += "<p>" + html::escape(say(call, "console_alerts_none")) + "</p>";
  } else {
    main += head({"console_source", "console_alert_condition", "console_alert_since", "console_last_error"});
    for (const storage::SourceAlert& alert : *current) {
      auto health = store.health(alert.source_id);
      main += "<tr><td>" + source_link(call, alert.source_id) + "</td><td class=\"bad\">" +
              html::escape(alert_words(call, alert.condition)) + "</td><td>" +
              html::escape(when(call, alert.since)) + "</td><td>" +
              html::escape(health ? health->error_text : std::string()) + "</td></tr>";
    }
    main += "</tbody></table></div>";
  }

  main += "<h2>" + html::escape(say(call, "console_alerts_recent")) + "</h2>";
  const std::size_t first = (page - 1) * kPageSize;
  const std::size_t last = std::min(events->size(), first + kPageSize);
  if (first >= last) {
    main += "<p>" + html::escape(say(call, "console_alerts_no_events")) + "</p>";
  } else {
    main += head({"console_alert_at", "console_source", "console_alert_condition", "console_alert_detail"});
    for (std::size_t i = first; i < last; ++i) {
      const storage::AlertEvent& event = (*events)[i];
      main += "<tr><td>" + html::escape(when(call, event.at)) + "</td><td>" +
              source_link(call, event.source_id) + "</td><td class=\"" +
              (event.kind == "recovered" ? "good" : "bad") + "\">" +
              html::escape(alert_words(call, event.kind)) + "</td><td>" + html::escape(event.detail) +
              "</td></tr>";
    }
    main += "</tbody></table></div>";
  }
  if (page > 1 || events->size() > last) {
    main += "<nav class=\"pages\" aria-label=\"" + html::escape(say(call, "console_paging")) + "\">";
    if (page > 1)
      main += "<a href=\"/admin/alerts?page=" + std::to_string(page - 1) + "\">" +
              html::escape(say(call, "console_previous")) + "</a>";
    if (events->size() > last)
      main += "<a href=\"/admin/alerts?page=" + std::to_string(page + 1) + "\">" +
              html::escape(say(call, "console_next")) + "</a>";
    main += "</nav>";
  }
  html::Frame frame;
  frame.title = std::string(say(call, "console_alerts"));
  return show(call, http::status::ok, frame, main);
}

Response Console::Impl::opml_page(Call& call, http::status status, std::string notice, std::string error) {
  std::string main = "<p><a href=\"/admin/opml?download=1\" download>" +
                     html::escape(say(call, "console_opml_export")) + "</a></p>";
  main += "<h2>" + html::escape(say(call, "console_opml_import")) +
          "</h2><form method=\"post\" action=\"/admin/opml\" enctype=\"multipart/form-data\">" +
          html::csrf_field(call.session->csrf) + "<label for=\"file\">" +
          html::escape(say(call, "console_opml_file")) +
          "</label><input type=\"file\" id=\"file\" name=\"file\" accept=\".opml,.xml,text/x-opml,text/xml\" "
          "required><p><button>" +
          html::escape(say(call, "console_opml_import")) + "</button></p></form>";
  html::Frame frame;
  frame.title = std::string(say(call, "console_opml"));
  frame.notice = std::move(notice);
  frame.error = std::move(error);
  return show(call, status, frame, main);
}

Response Console::Impl::import_opml(Call& call) {
  auto report = sources(call).import_opml(field(call.form, "file"), config::Origin::api, call.now);
  if (!report) return opml_page(call, status_of(report.error().failure), {}, report.error().message);
  if (!report->added.empty()) changed();
  std::string problems;
  for (const config::OpmlProblem& problem : report->problems) {
    problems += (problems.empty() ? "" : "; ") + std::to_string(problem.outline) + " (" + problem.url +
                "): " + problem.message;
  }
  const std::string notice = html::say(call.language, "console_opml_report",
                                       std::to_string(report->added.size()) + " / " +
                                           std::to_string(report->already_present.size()) + " / " +
                                           std::to_string(report->problems.size()));
  return opml_page(call, http::status::ok, notice, problems);
}

Console::Console(admin::Token token, storage::Store& store, const config::LiveConfig& config,
                 admin::ApiHooks hooks, std::function<Instant()> clock)
    : impl_(std::make_unique<Impl>(Impl{std::move(token),
                                        store,
                                        config,
                                        std::move(hooks),
                                        std::move(clock),
                                        {},
                                        {kSignInFailures, std::chrono::minutes(1)}})) {}

Console::~Console() = default;

admin::Response Console::handle(const admin::Request& request) {
  return impl_->handle(request);
}

}  // namespace tinhop::console
