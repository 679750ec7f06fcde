#include "tinhop/admin/api.hpp"

#include <cctype>
#include <charconv>
#include <map>

#include "alerts_feed.hpp"
#include "tinhop/admin/json.hpp"
#include "tinhop/admin/rules.hpp"
#include "tinhop/admin/sources.hpp"
#include "tinhop/parsers/contract_json.hpp"

namespace tinhop::admin {

namespace {

Response reply(const Request& request, http::status status, std::string body, std::string_view type) {
  Response response{status, request.version()};
  response.set(http::field::content_type, type);
  response.set(http::field::cache_control, "no-store");
  response.keep_alive(request.keep_alive());
  response.body() = std::move(body);
  response.prepare_payload();
  return response;
}

Response json_reply(const Request& request, http::status status, const boost::json::value& body) {
  return reply(request, status, boost::json::serialize(body) + "\n", "application/json");
}

Response error_reply(const Request& request, http::status status, std::string_view code,
                     const std::string& message) {
  return json_reply(request, status, boost::json::object{{"error", code}, {"message", message}});
}

Response problem_reply(const Request& request, const Problem& problem) {
  switch (problem.failure) {
    case Failure::invalid: return error_reply(request, http::status::bad_request, "invalid", problem.message);
    case Failure::not_found:
      return error_reply(request, http::status::not_found, "not_found", problem.message);
    case Failure::conflict: return error_reply(request, http::status::conflict, "conflict", problem.message);
    case Failure::owned_by_file:
      return error_reply(request, http::status::conflict, "owned_by_file", problem.message);
    case Failure::storage:
      return error_reply(request, http::status::service_unavailable, "storage", problem.message);
  }
  return error_reply(request, http::status::internal_server_error, "internal", problem.message);
}

Response method_not_allowed(const Request& request, std::string_view allow) {
  Response response = error_reply(
      request, http::status::method_not_allowed, "method_not_allowed",
      std::string(request.method_string()) + " is not allowed here (allowed: " + std::string(allow) + ")");
  response.set(http::field::allow, allow);
  return response;
}

// The path split at '/', without the leading "api".
std::vector<std::string_view> segments(std::string_view path) {
  std::vector<std::string_view> out;
  while (!path.empty()) {
    std::size_t slash = path.find('/');
    std::string_view part = path.substr(0, slash);
    if (!part.empty()) out.push_back(part);
    if (slash == std::string_view::npos) break;
    path.remove_prefix(slash + 1);
  }
  return out;
}

std::optional<std::int64_t> parse_id(std::string_view text) {
  std::int64_t id = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), id);
  if (ec != std::errc{} || end != text.data() + text.size() || id <= 0) return std::nullopt;
  return id;
}

std::string_view bearer(const Request& request) {
  auto header = request.find(http::field::authorization);
  if (header == request.end()) return {};
  std::string_view value = header->value();
  constexpr std::string_view scheme = "Bearer ";
  if (value.size() <= scheme.size()) return {};
  for (std::size_t i = 0; i < scheme.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(value[i])) !=
        std::tolower(static_cast<unsigned char>(scheme[i]))) {
      return {};
    }
  }
  return value.substr(scheme.size());
}

// The ids of a poll request: {"sources": [1, 2]} or {"all": true}; nullopt when "all".
Outcome<std::optional<std::vector<std::int64_t>>> poll_targets(const boost::json::value& json) {
  const Problem usage{Failure::invalid, R"(expected {"sources": [ID, ...]} or {"all": true})"};
  if (!json.is_object()) return usage;
  const boost::json::object& body = json.as_object();
  if (body.size() != 1) return usage;
  if (const auto* all = body.if_contains("all")) {
    if (!all->is_bool() || !all->as_bool()) return usage;
    return std::optional<std::vector<std::int64_t>>{};
  }
  const auto* listed = body.if_contains("sources");
  if (listed == nullptr || !listed->is_array() || listed->as_array().empty()) return usage;
  std::vector<std::int64_t> ids;
  for (const boost::json::value& id : listed->as_array()) {
    if (!id.is_int64() || id.as_int64() <= 0)
      return Problem{Failure::invalid,
                     "sources: expected positive source ids, got " + boost::json::serialize(id)};
    ids.push_back(id.as_int64());
  }
  return std::optional(std::move(ids));
}

}  // namespace

boost::json::object discovery_to_json(const std::string& url, const fetch::Discovery& discovery) {
  boost::json::array feeds;
  for (const fetch::DiscoveredFeed& feed : discovery.feeds) {
    feeds.push_back(boost::json::object{{"url", feed.url},
                                        {"title", feed.title},
                                        {"kind", kind_name(feed.kind)},
                                        {"found_by", found_by_name(feed.found_by)},
                                        {"format", format_name(feed.format)},
                                        {"items", feed.items}});
  }
  return boost::json::object{
      {"url", url}, {"page_is_feed", discovery.page_is_feed}, {"feeds", std::move(feeds)}};
}

Api::Api(Token token, storage::Store& store, const config::LiveConfig& config, ApiHooks hooks,
         std::function<Instant()> clock, std::optional<Token> alerts_secret)
    : token_(std::move(token)),
      store_(store),
      config_(config),
      hooks_(std::move(hooks)),
      clock_(std::move(clock)),
      alerts_secret_(std::move(alerts_secret)) {}

Response Api::alerts_feed(const Request& request, std::string_view presented) {
  // Constant time whatever is presented (Token::matches), so a guess learns nothing.
  if (!alerts_secret_ || !alerts_secret_->matches(presented))
    return reply(request, http::status::not_found, "not found\n", "text/plain; charset=utf-8");
  if (request.method() != http::verb::get && request.method() != http::verb::head)
    return method_not_allowed(request, "GET, HEAD");
  auto events = store_.recent_alerts(kAlertsFeedEntries);
  if (!events)
    return error_reply(request, http::status::service_unavailable, "storage", events.error().message);
  std::map<std::int64_t, std::optional<storage::Source>> sources;
  for (const storage::AlertEvent& event : *events) {
    if (sources.contains(event.source_id)) continue;
    auto source = store_.get_source(event.source_id);
    sources[event.source_id] = source ? std::optional(std::move(*source)) : std::nullopt;
  }
  return reply(request, http::status::ok, alerts_atom(*events, sources, clock_()),
               "application/atom+xml; charset=utf-8");
}

Response Api::handle(const Request& request) {
  std::string_view target = request.target();
  if (target.starts_with("/alerts/")) {
    const std::string_view name = target.substr(0, target.find('?')).substr(8);
    return alerts_feed(request,
                       name.ends_with(".atom") ? name.substr(0, name.size() - 5) : std::string_view{});
  }
  if (target.substr(0, 5) != "/api/" && target != "/api") {
    return error_reply(request, http::status::not_found, "not_found", "the admin API lives under /api/");
  }
  std::string_view presented = bearer(request);
  if (presented.empty() || !token_.matches(presented)) {
    Response response =
        error_reply(request, http::status::unauthorized, "unauthorized",
                    presented.empty() ? "missing Authorization: Bearer <token>" : "invalid token");
    response.set(http::field::www_authenticate, "Bearer realm=\"tinhop\"");
    return response;
  }
  try {
    return route(request);
  } catch (const std::exception& error) {
    // A bug, not an expected failure: answer, and keep serving.
    return error_reply(request, http::status::internal_server_error, "internal", error.what());
  }
}

std::optional<Response> Api::discover_or_refuse(const Request& request, const std::string& url,
                                                fetch::Discovery& discovery) {
  if (!hooks_.discover)
    return error_reply(request, http::status::service_unavailable, "unavailable",
                       "discovery is not available");
  std::optional<fetch::Discovery> found = hooks_.discover(url);
  if (!found) {
    Response busy = error_reply(request, http::status::service_unavailable, "busy",
                                "too many discoveries and previews in flight; retry in a few seconds");
    busy.set(http::field::retry_after, std::to_string(kBusyRetryAfter.count()));
    return busy;
  }
  discovery = std::move(*found);
  if (!discovery.error.empty())
    return error_reply(request, http::status::unprocessable_entity, "unreachable",
                       url + ": " + discovery.error);
  return std::nullopt;
}

Response Api::route(const Request& request) {
  std::string_view target = request.target();
  std::string_view path = target.substr(0, target.find('?'));
  std::vector<std::string_view> parts = segments(path.substr(4));
  const http::verb method = request.method();
  std::shared_ptr<const config::Config> config = config_.current();
  Sources sources(store_, config->defaults, source_rules_from(*config));
  auto changed = [&] {
    if (hooks_.sources_changed) hooks_.sources_changed();
  };

  if (parts.size() == 1 && parts[0] == "health") {
    if (method != http::verb::get) return method_not_allowed(request, "GET");
    boost::json::object body;
    boost::json::array reasons;
    boost::json::array reload_errors;
    for (const config::Diagnostic& diagnostic : config_.last_errors())
      reload_errors.emplace_back(diagnostic.to_string());
    if (!reload_errors.empty())
      reasons.emplace_back(
          "the last configuration reload was refused; the previous configuration is running");
    // In pages (Store::visit_sources): at 10,000 sources the two whole lists are 15 MB.
    std::int64_t total = 0, enabled = 0, failing = 0, stale = 0;
    auto visited = store_.visit_sources([&](const storage::Source& source, const storage::Health* h) {
      ++total;
      enabled += source.settings.enabled ? 1 : 0;
      failing += h != nullptr && h->consecutive_failures > 0 ? 1 : 0;
      stale += h != nullptr && h->stale ? 1 : 0;
    });
    if (!visited) reasons.emplace_back("database: " + visited.error().message);
    // A stored rule that no longer reads is skipped by the daemon: items it would drop are
    // published, which the operator must hear of.
    if (auto rules = Rules(store_).list()) {
      for (const Rule& rule : *rules) {
        if (!rule.problem.empty())
          reasons.emplace_back("rule " + std::to_string(rule.stored.id) + " (" + rule.stored.name +
                               ") is not applied: " + rule.problem);
      }
    }
    body["status"] = reasons.empty() ? "ok" : "degraded";
    body["reasons"] = std::move(reasons);
    body["config"] = boost::json::object{{"file", config->file.string()},
                                         {"last_reload_errors", std::move(reload_errors)}};
    body["sources"] =
        boost::json::object{{"total", total}, {"enabled", enabled}, {"failing", failing}, {"stale", stale}};
    if (hooks_.daemon_health) body["daemon"] = hooks_.daemon_health();
    return json_reply(request, http::status::ok, body);
  }

  if (parts.size() == 1 && parts[0] == "reload") {
    if (method != http::verb::post) return method_not_allowed(request, "POST");
    if (!hooks_.reload)
      return error_reply(request, http::status::service_unavailable, "unavailable",
                         "reload is not available");
    ApiHooks::Reload outcome = hooks_.reload();
    boost::json::array errors, notes;
    for (const std::string& e : outcome.errors) errors.emplace_back(e);
    for (const std::string& n : outcome.notes) notes.emplace_back(n);
    boost::json::object body{
        {"applied", outcome.applied}, {"errors", std::move(errors)}, {"notes", std::move(notes)}};
    return json_reply(request, outcome.applied ? http::status::ok : http::status::unprocessable_entity, body);
  }

  if (parts.size() == 1 && parts[0] == "opml") {
    if (method == http::verb::get) {
      auto document = sources.export_opml();
      if (!document) return problem_reply(request, document.error());
      Response response =
          reply(request, http::status::ok, std::move(*document), "text/x-opml; charset=utf-8");
      response.set(http::field::content_disposition, "attachment; filename=\"tinhop-sources.opml\"");
      return response;
    }
    if (method != http::verb::post) return method_not_allowed(request, "GET, POST");
    auto report = sources.import_opml(request.body(), config::Origin::api, clock_());
    if (!report) return problem_reply(request, report.error());
    changed();
    boost::json::array added, present, problems;
    for (std::int64_t id : report->added) added.emplace_back(id);
    for (const std::string& url : report->already_present) present.emplace_back(url);
    for (const config::OpmlProblem& problem : report->problems) {
      problems.push_back(boost::json::object{
          {"outline", problem.outline}, {"url", problem.url}, {"message", problem.message}});
    }
    return json_reply(request, http::status::ok,
                      boost::json::object{{"added", std::move(added)},
                                          {"already_present", std::move(present)},
                                          {"problems", std::move(problems)}});
  }

  if (parts.size() == 1 && parts[0] == "discover") {
    if (method != http::verb::post) return method_not_allowed(request, "POST");
    auto json = parse_json_body(request.body());
    if (!json) return problem_reply(request, json.error());
    const auto* url = json->is_object() ? json->as_object().if_contains("url") : nullptr;
    if (url == nullptr || !url->is_string() || json->as_object().size() != 1)
      return error_reply(request, http::status::bad_request, "invalid", R"(expected {"url": "https://..."})");
    const std::string address(url->as_string());
    fetch::Discovery discovery;
    if (auto refused = discover_or_refuse(request, address, discovery)) return std::move(*refused);
    return json_reply(request, http::status::ok, discovery_to_json(address, discovery));
  }

  if (parts.size() == 1 && parts[0] == "poll") {
    if (method != http::verb::post) return method_not_allowed(request, "POST");
    auto json = parse_json_body(request.body());
    if (!json) return problem_reply(request, json.error());
    auto targets = poll_targets(*json);
    if (!targets) return problem_reply(request, targets.error());
    if (!hooks_.poll_now)
      return error_reply(request, http::status::service_unavailable, "unavailable",
                         "the poller is not running");
    std::vector<std::int64_t> ids;
    if (*targets) {
      ids = std::move(**targets);
    } else {
      auto listed = sources.list();
      if (!listed) return problem_reply(request, listed.error());
      for (const storage::Source& source : *listed) {
        if (source.settings.enabled) ids.push_back(source.id);
      }
    }
    boost::json::array scheduled, refused;
    for (std::int64_t source_id : ids) {
      auto source = sources.get(source_id);
      std::string why;
      if (!source) {
        why = source.error().message;
      } else if (!source->settings.enabled) {
        why = "source " + std::to_string(source_id) + " is disabled";
      } else if (!hooks_.poll_now(source_id)) {
        why = "the poller does not know source " + std::to_string(source_id) + " yet; retry in a second";
      }
      if (why.empty()) {
        scheduled.emplace_back(source_id);
      } else {
        refused.push_back(boost::json::object{{"id", source_id}, {"message", why}});
      }
    }
    const http::status status =
        scheduled.empty() && !refused.empty() ? http::status::conflict : http::status::accepted;
    return json_reply(
        request, status,
        boost::json::object{{"scheduled", std::move(scheduled)}, {"refused", std::move(refused)}});
  }

  if (!parts.empty() && parts[0] == "rules") return rules_endpoint(request, parts);

  if (parts.empty() || parts[0] != "sources") {
    return error_reply(request, http::status::not_found, "not_found",
                       "no such endpoint: " + std::string(path));
  }

  if (parts.size() == 1) {
    if (method == http::verb::get) {
      auto listed = sources.list();
      if (!listed) return problem_reply(request, listed.error());
      auto health = store_.all_health();
      std::map<std::int64_t, storage::Health> by_id;
      if (health) {
        for (storage::Health& h : *health) by_id.emplace(h.source_id, std::move(h));
      }
      boost::json::array out;
      for (const storage::Source& source : *listed) {
        auto it = by_id.find(source.id);
        out.push_back(source_to_json(source, it == by_id.end() ? std::nullopt : std::optional(it->second)));
      }
      return json_reply(request, http::status::ok, boost::json::object{{"sources", std::move(out)}});
    }
    if (method != http::verb::post) return method_not_allowed(request, "GET, POST");
    auto json = parse_json_body(request.body());
    if (!json) return problem_reply(request, json.error());
    if (json->is_object() && !json->as_object().contains("url")) {
      return error_reply(request, http::status::bad_request, "invalid", "url: required");
    }
    bool discover = false;
    if (json->is_object()) {
      if (const auto* flag = json->as_object().if_contains("discover")) {
        if (!flag->is_bool())
          return error_reply(request, http::status::bad_request, "invalid",
                             "discover: expected true or false");
        discover = flag->as_bool();
        json->as_object().erase("discover");
      }
    }
    auto settings = apply_json(config::SourceSettings{}, *json);
    if (!settings) return problem_reply(request, settings.error());
    if (discover) {
      // Checked before fetching: discovery reaches no further than the source could.
      auto checked = sources.validated(*settings);
      if (!checked) return problem_reply(request, checked.error());
      fetch::Discovery discovery;
      if (auto refused = discover_or_refuse(request, checked->url, discovery)) return std::move(*refused);
      if (discovery.feeds.size() != 1) {
        boost::json::object body = discovery_to_json(checked->url, discovery);
        const bool none = discovery.feeds.empty();
        body["error"] = none ? "no_feed" : "several_feeds";
        body["message"] = none ? "no feed found on " + checked->url +
                                     "; add the page itself with \"type\": \"html\" to read its links"
                               : std::to_string(discovery.feeds.size()) + " feeds found on " + checked->url +
                                     "; add one of them by its url";
        return json_reply(request, none ? http::status::unprocessable_entity : http::status::conflict, body);
      }
      settings->url = discovery.feeds.front().url;
    }
    auto added = sources.add(std::move(*settings), config::Origin::api, clock_());
    if (!added) return problem_reply(request, added.error());
    changed();
    Response response = json_reply(request, http::status::created, source_to_json(*added, std::nullopt));
    response.set(http::field::location, "/api/sources/" + std::to_string(added->id));
    return response;
  }

  std::optional<std::int64_t> id = parse_id(parts[1]);
  if (!id) {
    return error_reply(request, http::status::not_found, "not_found",
                       "no source \"" + std::string(parts[1]) + "\"");
  }
  if (parts.size() == 3 && parts[2] == "poll") {
    if (method != http::verb::post) return method_not_allowed(request, "POST");
    auto source = sources.get(*id);
    if (!source) return problem_reply(request, source.error());
    if (!source->settings.enabled) {
      return error_reply(request, http::status::conflict, "disabled",
                         "source " + std::to_string(*id) + " is disabled");
    }
    if (!hooks_.poll_now) {
      return error_reply(request, http::status::service_unavailable, "unavailable",
                         "the poller is not running");
    }
    if (!hooks_.poll_now(*id)) {
      return error_reply(
          request, http::status::service_unavailable, "unavailable",
          "the poller does not know source " + std::to_string(*id) + " yet; retry in a second");
    }
    return json_reply(request, http::status::accepted,
                      boost::json::object{{"id", *id}, {"poll", "scheduled"}});
  }
  if (parts.size() == 3 && parts[2] == "history") {
    if (method != http::verb::get) return method_not_allowed(request, "GET");
    auto history = store_.fetch_history(*id, 100);
    if (!history) return problem_reply(request, from_storage(history.error()));
    boost::json::array out;
    for (const storage::FetchHistoryEntry& e : *history) {
      out.push_back(boost::json::object{{"attempted", format_rfc3339(e.attempted)},
                                        {"status", storage::fetch_status_name(e.status)},
                                        {"http_status", e.http_status},
                                        {"error_class", e.error_class},
                                        {"error_text", e.error_text},
                                        {"bytes", e.bytes},
                                        {"latency_ms", e.latency.count()},
                                        {"items_added", e.items_added}});
    }
    return json_reply(request, http::status::ok, boost::json::object{{"history", std::move(out)}});
  }
  if (parts.size() != 2) {
    return error_reply(request, http::status::not_found, "not_found",
                       "no such endpoint: " + std::string(path));
  }
  if (method == http::verb::get) {
    auto source = sources.get(*id);
    if (!source) return problem_reply(request, source.error());
    auto health = store_.health(*id);
    return json_reply(
        request, http::status::ok,
        source_to_json(*source, health ? std::optional(*health) : std::nullopt, alert_of(store_, *id)));
  }
  if (method == http::verb::patch) {
    auto source = sources.get(*id);
    if (!source) return problem_reply(request, source.error());
    auto json = parse_json_body(request.body());
    if (!json) return problem_reply(request, json.error());
    auto settings = apply_json(from_stored(source->settings), *json);
    if (!settings) return problem_reply(request, settings.error());
    auto replaced = sources.replace(*id, std::move(*settings), clock_());
    if (!replaced) return problem_reply(request, replaced.error());
    changed();
    return json_reply(request, http::status::ok, source_to_json(*replaced, std::nullopt));
  }
  if (method == http::verb::delete_) {
    auto removed = sources.remove(*id);
    if (!removed) return problem_reply(request, removed.error());
    changed();
    Response response{http::status::no_content, request.version()};
    response.keep_alive(request.keep_alive());
    response.prepare_payload();
    return response;
  }
  return method_not_allowed(request, "GET, PATCH, DELETE");
}

Response Api::rules_endpoint(const Request& request, const std::vector<std::string_view>& parts) {
  const http::verb method = request.method();
  Rules service(store_);
  auto totals = [&]() -> std::map<std::string, storage::RuleCount> {
    std::map<std::string, storage::RuleCount> by_name;
    if (auto counts = store_.rule_counts(std::nullopt)) {
      for (storage::RuleCount& count : *counts) by_name.emplace(count.rule, std::move(count));
    }
    return by_name;
  };
  auto with_totals = [&](const Rule& rule) {
    auto all = totals();
    auto it = all.find(rule.stored.name);
    return rule_to_json(rule, it == all.end() ? storage::RuleCount{0, rule.stored.name, 0, 0} : it->second);
  };
  auto body = [&]() -> Outcome<RuleBody> {
    auto json = parse_json_body(request.body());
    if (!json) return json.error();
    return rule_body(*json);
  };

  if (parts.size() == 1) {
    if (method == http::verb::get) {
      auto listed = service.list();
      if (!listed) return problem_reply(request, listed.error());
      auto all = totals();
      boost::json::array out;
      for (const Rule& rule : *listed) {
        auto it = all.find(rule.stored.name);
        out.push_back(
            rule_to_json(rule, it == all.end() ? storage::RuleCount{0, rule.stored.name, 0, 0} : it->second));
      }
      return json_reply(request, http::status::ok, boost::json::object{{"rules", std::move(out)}});
    }
    if (method != http::verb::post) return method_not_allowed(request, "GET, POST");
    auto given = body();
    if (!given) return problem_reply(request, given.error());
    auto spec = read_rule_keys(given->keys);
    if (!spec) return problem_reply(request, spec.error());
    auto added = service.add(*spec, storage::SourceOrigin::api, given->placement, clock_());
    if (!added) return problem_reply(request, added.error());
    Response response = json_reply(request, http::status::created, with_totals(*added));
    response.set(http::field::location, "/api/rules/" + std::to_string(added->stored.id));
    return response;
  }
  std::optional<std::int64_t> id = parse_id(parts[1]);
  if (parts.size() != 2 || !id) {
    return error_reply(request, http::status::not_found, "not_found",
                       "no rule \"" + std::string(parts[1]) + "\"");
  }
  if (method == http::verb::get) {
    auto rule = service.get(*id);
    if (!rule) return problem_reply(request, rule.error());
    return json_reply(request, http::status::ok, with_totals(*rule));
  }
  if (method == http::verb::put || method == http::verb::patch) {
    auto given = body();
    if (!given) return problem_reply(request, given.error());
    auto current = service.editable(*id);
    if (!current) return problem_reply(request, current.error());
    // PUT gives every key (an absent one takes its default); PATCH only those that change,
    // null putting a key back to its default.
    boost::json::object keys = given->keys;
    if (method == http::verb::patch) {
      keys = keys_to_edit(*current);
      for (const auto& member : given->keys) {
        if (member.value().is_null()) {
          keys.erase(member.key());
        } else {
          keys[member.key()] = member.value();
        }
      }
    }
    auto spec = read_rule_keys(keys);
    if (!spec) return problem_reply(request, spec.error());
    auto replaced = service.replace(*id, *spec, given->placement, clock_());
    if (!replaced) return problem_reply(request, replaced.error());
    return json_reply(request, http::status::ok, with_totals(*replaced));
  }
  if (method == http::verb::delete_) {
    auto removed = service.remove(*id);
    if (!removed) return problem_reply(request, removed.error());
    Response response{http::status::no_content, request.version()};
    response.keep_alive(request.keep_alive());
    response.prepare_payload();
    return response;
  }
  return method_not_allowed(request, "GET, PUT, PATCH, DELETE");
}

}  // namespace tinhop::admin
