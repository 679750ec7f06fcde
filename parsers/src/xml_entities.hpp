// Internal DTD entities, the one part of a DOCTYPE that feeds rely on
// (<!DOCTYPE rss [<!ENTITY nbsp "&#160;">]>): pugixml skips the DOCTYPE and never expands them.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace tinhop::xml {

// How far one document's entities may go: an entity referring to others at most
// `max_depth` levels down, and the expanded document plus the entities' own replacement
// texts at most `max_bytes` (the caller passes 10x the input).
struct EntityLimits {
  std::size_t max_depth = 16;
  std::size_t max_bytes = 0;
};

// A copy of `text` (UTF-8 XML) with every reference to a general entity that its DOCTYPE's
// internal subset declares replaced by its replacement text (XML 1.0 section 4.4), in
// content and attribute values; nullopt, with `text` to be read as it is, when the
// document declares none. External entities (SYSTEM, PUBLIC) are never read: their
// references stay as written, with a warning for each one referred to. Parameter entities
// are neither read nor expanded (what they would declare stays undeclared).
// When an entity refers to itself, nests deeper than `limits.max_depth` or the expansion
// would pass `limits.max_bytes`, nothing is expanded and a warning says why.
std::optional<std::string> expand_internal_entities(std::string_view text, const EntityLimits& limits,
                                                    std::vector<std::string>& warnings);

}  // namespace tinhop::xml
