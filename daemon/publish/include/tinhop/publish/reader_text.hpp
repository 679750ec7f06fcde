// The reader pages' words and dates: a message catalogue per language (messages/*.txt,
// built into the program), the language a request asks for, and times written the way
// Vietnamese readers write them, in the server's display time zone.
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "tinhop/parsers/model.hpp"

namespace tinhop::publish {

enum class Language { vi, en };

std::string_view language_tag(Language language);  // "vi" or "en"

// ?hl= when it names vi or en; else the Accept-Language entry of highest weight that names
// one of them ("en-US" counts as en, q=0 as refused); else Vietnamese.
Language choose_language(std::string_view hl, std::string_view accept_language);

// The catalogue's text for `key`; the key itself when the catalogue lacks it (a test
// checks that every key the pages use is in both).
std::string_view message(Language language, std::string_view key);
// The text with its "{…}" placeholder replaced by `value`.
std::string message(Language language, std::string_view key, std::string_view value);
// Every key of a catalogue, in file order.
std::vector<std::string> message_keys(Language language);

// A time zone's rules (ICU's), shared by every copy; default UTC.
class DisplayZone {
 public:
  DisplayZone() = default;
  // nullopt when ICU does not know the IANA name.
  static std::optional<DisplayZone> named(const std::string& iana_name);
  // Offset from UTC of local time at `t`.
  std::chrono::seconds offset_at(Instant t) const;

 private:
  struct Rules;
  explicit DisplayZone(std::shared_ptr<const Rules> rules) : rules_(std::move(rules)) {}
  std::shared_ptr<const Rules> rules_;
};

// `t` in `zone` as "14:05, 06/12/2026"; when it is earlier on the same local day as `now`:
// "vừa xong" under a minute ago, "5 phút trước" under an hour, "3 giờ trước" (English:
// "just now", "5 min ago", "3 h ago").
std::string reader_time(Instant t, Instant now, const DisplayZone& zone, Language language);

}  // namespace tinhop::publish
