#include "tinhop/parsers/identity.hpp"

#include <string_view>
#include <unordered_map>
#include <unordered_set>

#include "tinhop/parsers/fingerprint.hpp"
#include "tinhop/parsers/text.hpp"

namespace tinhop {
namespace {

std::string_view trim(std::string_view text) {
  const auto first = text.find_first_not_of(" \t\r\n");
  if (first == std::string_view::npos) return {};
  const auto last = text.find_last_not_of(" \t\r\n");
  return text.substr(first, last - first + 1);
}

std::optional<std::string_view> usable(const std::optional<std::string>& value) {
  if (!value) return std::nullopt;
  const auto trimmed = trim(*value);
  if (trimmed.empty()) return std::nullopt;
  return trimmed;
}

}  // namespace

const char* identity_kind_name(IdentityKind kind) {
  switch (kind) {
    case IdentityKind::guid: return "guid";
    case IdentityKind::link: return "link";
    case IdentityKind::content: return "content";
  }
  return "content";
}

std::vector<ItemIdentity> identify_items(const Feed& feed, const LinkOptions& options) {
  // A guid that several entries share (a CMS writing the category id, or "0") identifies none.
  std::unordered_map<std::string_view, int> guid_uses;
  for (const auto& item : feed.items) {
    if (auto guid = usable(item.id)) ++guid_uses[*guid];
  }

  std::vector<ItemIdentity> identities;
  identities.reserve(feed.items.size());
  std::unordered_set<std::uint64_t> seen;
  for (const auto& item : feed.items) {
    ItemIdentity identity;
    const auto link = usable(item.link);
    const auto guid = usable(item.id);
    if (guid && guid_uses[*guid] == 1) {
      identity.kind = IdentityKind::guid;
      identity.key = stable_hash(*guid, 1);
    } else if (link) {
      identity.kind = IdentityKind::link;
      identity.canonical_link = canonical_link(*link, options);
      identity.key =
          stable_hash(identity.canonical_link ? std::string_view(*identity.canonical_link) : *link, 2);
    } else {
      identity.kind = IdentityKind::content;
      std::string material = text_key(item.title.value_or(""));
      material += '\x1f';
      if (item.published) material += std::to_string(item.published->time_since_epoch().count());
      material += '\x1f';
      material += text_key(strip_html_to_text(item.summary.value_or(item.content.value_or(""))));
      identity.key = stable_hash(material, 3);
    }
    identity.repeated = !seen.insert(identity.key).second;
    identities.push_back(std::move(identity));
  }
  return identities;
}

}  // namespace tinhop
