// WebSub discovery (W3C WebSub Recommendation, section 4): which hubs a publisher pushes
// through and the topic URL they know its feed by. Pure: headers and the parsed feed in.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "tinhop/parsers/model.hpp"

namespace tinhop {

// The rel="hub" and rel="self" targets of one response's links, absolute.
struct WebSubLinks {
  std::vector<std::string> hubs;    // in the order given, without repeats
  std::optional<std::string> self;  // the first rel="self"
};

// The hub and self links of HTTP Link header values (RFC 8288 section 3: comma-separated
// `<target>; rel="hub self"; ...`, quoted parameters may hold commas), targets resolved
// against `base` (the URL the response came from). Malformed link values are skipped.
WebSubLinks links_from_headers(std::span<const std::string> link_values, std::string_view base);

// What a subscriber subscribes to.
struct WebSubTopic {
  std::vector<std::string> hubs;  // at least one
  std::string topic;              // hub.topic
};

// Discovery: the Link headers when they name a hub (they take priority over the document,
// websub.rocks test 104), else the feed's own atom:link elements; the topic is the self
// link found with those hubs, else `fetched_url`. nullopt when no hub is named.
std::optional<WebSubTopic> discover_websub(const WebSubLinks& headers, const Feed& feed,
                                           const std::string& fetched_url);

}  // namespace tinhop
