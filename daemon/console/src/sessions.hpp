// Signed-in sessions, kept in memory on the admin thread (a restart signs everyone out),
// and the limit on failed sign-ins.
#pragma once

#include <chrono>
#include <deque>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "tinhop/parsers/model.hpp"

namespace tinhop::console {

// 256 random bits from OpenSSL's CSPRNG as 64 hex digits.
std::string random_token();

// Whether two secrets are equal, in time that does not depend on where they differ.
bool same_secret(std::string_view a, std::string_view b);

struct Session {
  std::string csrf;  // compared with every form post's "csrf" field
  Instant opened{};
  Instant last_used{};
  std::string language;  // "vi" or "en" once the person chose with ?hl=; empty: ask the browser
};

struct SessionLimits {
  std::chrono::seconds idle{std::chrono::minutes(30)};
  std::chrono::seconds lifetime{std::chrono::hours(12)};
};

class Sessions {
 public:
  // A new session; returns its id (the cookie's value).
  std::string open(Instant now);
  // The live session of `id`, its last use moved to `now`; nullptr when unknown or expired
  // (an expired one is forgotten).
  Session* find(std::string_view id, Instant now, const SessionLimits& limits);
  void close(std::string_view id);

 private:
  void forget_expired(Instant now, const SessionLimits& limits);
  // Keyed by the id's SHA-256, so the map's comparisons reveal nothing usable about an id.
  std::map<std::string, Session, std::less<>> sessions_;
};

// At most `max_failures` failed sign-ins in any `window`; further attempts are refused,
// right or wrong, until the oldest failure leaves the window. One limit for every client:
// the admin listener is loopback or behind a proxy, where addresses say little.
class SignInLimiter {
 public:
  SignInLimiter(std::size_t max_failures, std::chrono::seconds window)
      : max_failures_(max_failures), window_(window) {}
  // How long to wait before trying again; nullopt when an attempt may be made now.
  std::optional<std::chrono::seconds> wait(Instant now);
  void failed(Instant now);

 private:
  std::size_t max_failures_;
  std::chrono::seconds window_;
  std::deque<Instant> failures_;
};

}  // namespace tinhop::console
