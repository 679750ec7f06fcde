#include "tinhop/scheduler/schedule.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <cmath>

namespace tinhop::scheduler {
namespace {

using std::chrono::days;
using std::chrono::hours;

std::uint64_t splitmix64(std::uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

// A deterministic number in [0, 1) from the seed.
double unit(std::uint64_t seed) {
  return static_cast<double>(splitmix64(seed) >> 11) * 0x1.0p-53;
}

Seconds scaled(Seconds s, double factor) {
  return Seconds(static_cast<Seconds::rep>(std::llround(static_cast<double>(s.count()) * factor)));
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
         });
}

std::optional<long long> to_number(std::string_view s) {
  long long v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size()) return std::nullopt;
  return v;
}

int month_index(std::string_view m) {
  static constexpr std::array<std::string_view, 12> names = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                             "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  for (std::size_t i = 0; i < names.size(); ++i) {
    if (iequals(names[i], m)) return static_cast<int>(i) + 1;
  }
  return 0;
}

std::vector<std::string_view> split_ws(std::string_view s) {
  std::vector<std::string_view> out;
  std::size_t i = 0;
  while (i < s.size()) {
    while (i < s.size() && (s[i] == ' ' || s[i] == '\t' || s[i] == '-')) ++i;
    const std::size_t start = i;
    while (i < s.size() && s[i] != ' ' && s[i] != '\t' && s[i] != '-') ++i;
    if (i > start) out.push_back(s.substr(start, i - start));
  }
  return out;
}

std::optional<Instant> make_instant(long long y, int mon, long long d, std::string_view clock) {
  if (clock.size() != 8 || clock[2] != ':' || clock[5] != ':') return std::nullopt;
  auto h = to_number(clock.substr(0, 2)), mi = to_number(clock.substr(3, 2)),
       s = to_number(clock.substr(6, 2));
  if (!h || !mi || !s || *h > 23 || *mi > 59 || *s > 60 || mon == 0) return std::nullopt;
  const std::chrono::year_month_day ymd{std::chrono::year(static_cast<int>(y)),
                                        std::chrono::month(static_cast<unsigned>(mon)),
                                        std::chrono::day(static_cast<unsigned>(d))};
  if (!ymd.ok()) return std::nullopt;
  return Instant(std::chrono::sys_days(ymd)) + hours(*h) + std::chrono::minutes(*mi) + Seconds(*s);
}

bool in_skip(Instant t, const std::vector<int>& skip_hours, const std::vector<std::string>& skip_days) {
  const auto day = std::chrono::floor<days>(t);
  const int hour = static_cast<int>(std::chrono::duration_cast<hours>(t - day).count());
  if (std::find(skip_hours.begin(), skip_hours.end(), hour) != skip_hours.end()) return true;
  static constexpr std::array<std::string_view, 7> names = {"Sunday",   "Monday", "Tuesday", "Wednesday",
                                                            "Thursday", "Friday", "Saturday"};
  const std::string_view weekday = names[std::chrono::weekday(day).c_encoding()];
  return std::any_of(skip_days.begin(), skip_days.end(),
                     [&](const std::string& d) { return iequals(trim(d), weekday); });
}

}  // namespace

std::optional<Seconds> parse_max_age(std::string_view cache_control) {
  std::optional<Seconds> result;
  std::size_t start = 0;
  while (start <= cache_control.size()) {
    const std::size_t comma = std::min(cache_control.find(',', start), cache_control.size());
    const std::string_view directive = trim(cache_control.substr(start, comma - start));
    start = comma + 1;
    if (iequals(directive, "no-cache") || iequals(directive, "no-store")) return Seconds(0);
    const std::size_t eq = directive.find('=');
    if (eq == std::string_view::npos || !iequals(trim(directive.substr(0, eq)), "max-age")) continue;
    std::string_view value = trim(directive.substr(eq + 1));
    if (value.size() >= 2 && value.front() == '"' && value.back() == '"')
      value = value.substr(1, value.size() - 2);
    if (auto n = to_number(value); n && *n >= 0) result = Seconds(*n);
  }
  return result;
}

std::optional<Instant> parse_http_date(std::string_view text) {
  const auto parts = split_ws(trim(text));
  // IMF-fixdate "Sun, 06 Nov 1994 08:49:37 GMT" and RFC 850 "Sunday, 06-Nov-94 08:49:37 GMT".
  if (parts.size() == 6 && parts[0].back() == ',' && iequals(parts[5], "GMT")) {
    auto d = to_number(parts[1]), y = to_number(parts[3]);
    if (!d || !y) return std::nullopt;
    long long year = *y;
    if (parts[3].size() == 2) year += year < 70 ? 2000 : 1900;  // RFC 9110 section 5.6.7
    return make_instant(year, month_index(parts[2]), *d, parts[4]);
  }
  // asctime "Sun Nov  6 08:49:37 1994".
  if (parts.size() == 5) {
    auto d = to_number(parts[2]), y = to_number(parts[4]);
    if (!d || !y) return std::nullopt;
    return make_instant(*y, month_index(parts[1]), *d, parts[3]);
  }
  return std::nullopt;
}

std::optional<Seconds> parse_retry_after(std::string_view text, Instant now) {
  text = trim(text);
  if (text.empty()) return std::nullopt;
  if (auto n = to_number(text)) return *n >= 0 ? std::optional<Seconds>(Seconds(*n)) : std::nullopt;
  if (auto t = parse_http_date(text)) return *t > now ? *t - now : Seconds(0);
  return std::nullopt;
}

std::optional<Seconds> publication_gap(std::vector<Instant> dates, Instant now) {
  // Only the recent past counts: the publisher's current rhythm, not its archive.
  std::erase_if(dates, [&](Instant t) { return t > now + hours(1) || t < now - days(90); });
  std::sort(dates.begin(), dates.end());
  dates.erase(std::unique(dates.begin(), dates.end()), dates.end());
  if (dates.size() < 2) return std::nullopt;
  if (dates.size() > 21) dates.erase(dates.begin(), dates.end() - 21);
  std::vector<Seconds> gaps;
  for (std::size_t i = 1; i < dates.size(); ++i) gaps.push_back(dates[i] - dates[i - 1]);
  std::nth_element(gaps.begin(), gaps.begin() + static_cast<std::ptrdiff_t>(gaps.size() / 2), gaps.end());
  return gaps[gaps.size() / 2];
}

Instant skip_forward(Instant t, const std::vector<int>& skip_hours,
                     const std::vector<std::string>& skip_days) {
  if (skip_hours.empty() && skip_days.empty()) return t;
  Instant candidate = t;
  for (int step = 0; step < 24 * 8; ++step) {
    if (!in_skip(candidate, skip_hours, skip_days)) return candidate;
    candidate = std::chrono::floor<hours>(candidate) + hours(1);
  }
  return t;  // every hour of the week is skipped: a broken hint, ignore it
}

Instant latest_next_poll(const Policy& policy, const SourceSettings& settings, Instant now,
                         std::uint64_t jitter_seed) {
  const Seconds longest = settings.max_interval.value_or(policy.max_interval);
  return now + std::max(scaled(longest, 1.0 - policy.jitter * unit(jitter_seed)), Seconds(1));
}

Instant first_poll(const Policy& policy, const SourceSettings& settings, Instant now,
                   std::uint64_t jitter_seed) {
  const Seconds interval = settings.interval.value_or(policy.default_interval);
  return now + scaled(interval, unit(jitter_seed));
}

Decision decide(const Policy& policy, const SourceSettings& settings, const SourceState& state,
                const PollResult& result, std::uint64_t jitter_seed) {
  Decision d;
  d.state = state;
  SourceState& s = d.state;
  const Instant now = result.at;
  const Seconds min_interval = settings.min_interval.value_or(policy.min_interval);
  const Seconds max_interval = std::max(min_interval, settings.max_interval.value_or(policy.max_interval));
  const bool success =
      !result.transport_error && !result.parse_error &&
      (result.status == 200 || result.status == 304 || (result.status >= 200 && result.status < 300));

  if (result.status == 410) {
    d.disable = true;
    d.disable_reason = "410 Gone";
  }

  // A permanent redirect counts only when it leads to a working feed.
  if (success && result.permanent_redirect) {
    if (s.pending_redirect == *result.permanent_redirect) {
      ++s.pending_redirect_polls;
    } else {
      s.pending_redirect = *result.permanent_redirect;
      s.pending_redirect_polls = 1;
    }
    if (s.pending_redirect_polls >= policy.permanent_redirect_polls) {
      d.new_url = s.pending_redirect;
      s.pending_redirect.clear();
      s.pending_redirect_polls = 0;
    }
  } else if (!result.transport_error) {
    s.pending_redirect.clear();
    s.pending_redirect_polls = 0;
  }

  Seconds wait{0};
  if (success) {
    s.consecutive_failures = 0;
    s.consecutive_not_found = 0;
    if (auto gap = publication_gap(result.item_dates, now)) s.publication_gap = gap;
    if (result.changed) s.last_change = now;
    s.stale = !result.changed && s.last_change && s.publication_gap && s.publication_gap->count() > 0 &&
              now - *s.last_change >
                  std::max<Seconds>(*s.publication_gap * policy.stale_factor, policy.stale_after_min);

    wait = settings.interval.value_or(policy.default_interval);
    d.reason = "interval";
    auto consider = [&](std::optional<Seconds> candidate, const char* why) {
      if (candidate && *candidate > wait) {
        wait = *candidate;
        d.reason = why;
      }
    };
    // Polling at half the usual gap keeps the average delay low without hammering.
    if (!settings.interval && s.publication_gap) consider(*s.publication_gap / 2, "adaptive");
    consider(result.max_age, "max-age");
    if (result.expires && *result.expires > now) consider(*result.expires - now, "expires");
    consider(result.ttl, "ttl");
    consider(result.update_period, "update-period");
    wait = std::clamp(wait, min_interval, max_interval);
    // Retry-After is the server's explicit wish: honoured beyond max_interval (capped).
    if (result.retry_after && *result.retry_after > wait) {
      wait = std::min(*result.retry_after, policy.retry_after_cap);
      d.reason = "retry-after";
    }
    d.interval = wait;
    wait = scaled(wait, 1.0 + policy.jitter * (2.0 * unit(jitter_seed) - 1.0));
    d.next_poll = skip_forward(now + std::max(wait, Seconds(1)), result.skip_hours, result.skip_days);
    return d;
  }

  ++s.consecutive_failures;
  const bool not_found = result.status == 404;
  s.consecutive_not_found = not_found ? s.consecutive_not_found + 1 : 0;
  const Seconds base = not_found ? policy.not_found_base : policy.backoff_base;
  const Seconds cap = not_found ? policy.not_found_cap : policy.backoff_cap;
  const int exponent = std::min((not_found ? s.consecutive_not_found : s.consecutive_failures) - 1, 30);
  wait = std::min(cap, Seconds(base.count() << std::max(exponent, 0)));
  d.reason = not_found ? "not-found-backoff" : "backoff";
  // A failing source is never polled more often than its normal cadence.
  wait = std::max(wait, std::min(min_interval, cap));
  const bool throttled = result.status == 429 || result.status == 503;
  if (throttled && result.retry_after) {
    const Seconds asked = std::min(*result.retry_after, policy.retry_after_cap);
    if (asked > wait) {
      wait = asked;
      d.reason = "retry-after";
    }
    d.host_pause_until = now + asked;
  } else if (throttled) {
    d.host_pause_until = now + wait;
  }
  d.interval = wait;
  // Backoff jitter only lengthens the wait, so a retry never comes earlier than decided.
  wait = scaled(wait, 1.0 + policy.backoff_jitter * unit(jitter_seed));
  if (d.disable) wait = max_interval;
  d.next_poll = now + std::max(wait, Seconds(1));
  return d;
}

}  // namespace tinhop::scheduler
