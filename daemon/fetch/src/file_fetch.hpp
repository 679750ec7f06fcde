// file:// sources: read from disk with the same caps and validators as HTTP.
#pragma once

#include "target.hpp"
#include "tinhop/fetch/client.hpp"

namespace tinhop::fetch::detail {

// Reads the file at target.path. Answers 304 when the request's ETag (size and mtime) or
// Last-Modified still match, so unchanged demo feeds cost no parse.
Response fetch_file(const Target& target, const Request& request, const Limits& limits);

}  // namespace tinhop::fetch::detail
