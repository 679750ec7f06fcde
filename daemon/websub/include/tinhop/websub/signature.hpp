// Authenticated content distribution (W3C WebSub section 8): the X-Hub-Signature header
// is "method=hex HMAC of the body keyed with the subscription's hub.secret".
#pragma once

#include <string>
#include <string_view>

namespace tinhop::websub {

// The X-Hub-Signature value for `body`: "sha256=<64 hex digits>" for `method` "sha256";
// also "sha1", "sha384" and "sha512". Empty for any other method.
std::string signature(std::string_view method, std::string_view secret, std::string_view body);

// Whether `header` (an X-Hub-Signature value) signs `body` with `secret`, by one of
// sha1, sha256, sha384 or sha512 (compared in constant time). False for anything else.
bool signature_matches(std::string_view header, std::string_view secret, std::string_view body);

}  // namespace tinhop::websub
