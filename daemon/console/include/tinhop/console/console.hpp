// The admin console: HTML pages under /admin/ on the admin listener, for the same people
// the JSON API serves. A sign-in with the admin token opens a server-side session (an
// HttpOnly, SameSite=Strict cookie); every form carries the session's CSRF token. Every
// action is a plain form post answered with a redirect, so no page needs JavaScript.
// docs/api.md lists the routes, docs/operations.md explains sessions and TLS proxies.
#pragma once

#include <functional>
#include <memory>

#include "tinhop/admin/api.hpp"

namespace tinhop::console {

// The exact body of the 403 a form post gets without its session's CSRF token (or with a
// wrong one, or once the session is gone); nothing was changed.
inline constexpr std::string_view kCsrfRefusal =
    "403 Forbidden: this form's security token is missing or wrong, or your session ended. "
    "Nothing was changed. Open the page again (sign in if asked) and resend the form.\n";

class Console {
 public:
  // `hooks` as the API uses them. Calls of handle() take turns (admin::RequestLock): one at
  // a time, except that the discover and preview_html hooks may let another in while
  // they wait, after which the page is finished with the session found again.
  Console(admin::Token token, storage::Store& store, const config::LiveConfig& config, admin::ApiHooks hooks,
          std::function<Instant()> clock);
  ~Console();
  Console(const Console&) = delete;
  Console& operator=(const Console&) = delete;

  // Answers a request whose target starts with /admin.
  admin::Response handle(const admin::Request& request);

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace tinhop::console
