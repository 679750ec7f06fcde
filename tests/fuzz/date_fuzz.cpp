// Any bytes as a date string, under each day/month order and a zone with DST.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "tinhop/parsers/date.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  tinhop::DateContext context;
  context.now = tinhop::Instant{std::chrono::seconds{1789473825}};
  for (const char* zone : {"Asia/Ho_Chi_Minh", "America/New_York"}) {
    context.time_zone = zone;
    for (auto order : {tinhop::DateOrder::automatic, tinhop::DateOrder::dmy, tinhop::DateOrder::mdy}) {
      context.order = order;
      (void)tinhop::parse_date(text, context);
    }
  }
  (void)tinhop::infer_date_order({text, text.substr(size / 2)}, tinhop::DateOrder::dmy);
  return 0;
}
