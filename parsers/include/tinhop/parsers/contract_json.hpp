// The JSON object of `tinhop parse` (the parse contract): one feed, every field present,
// null where the feed has nothing.
#pragma once

#include <string>

#include "tinhop/parsers/model.hpp"

namespace tinhop {

// An instant as RFC 3339 in UTC with a Z ("2019-08-02T03:00:00Z").
std::string format_rfc3339(Instant instant);

// The contract's JSON text for a parse result (UTF-8, no trailing newline).
std::string to_contract_json(const ParseResult& result);

}  // namespace tinhop
