#include "tinhop/parsers/model.hpp"

namespace tinhop {

const char* format_name(FeedFormat format) {
  switch (format) {
    case FeedFormat::rss090: return "rss090";
    case FeedFormat::rss091: return "rss091";
    case FeedFormat::rss092: return "rss092";
    case FeedFormat::rss093: return "rss093";
    case FeedFormat::rss094: return "rss094";
    case FeedFormat::rss20: return "rss20";
    case FeedFormat::rss10: return "rss10";
    case FeedFormat::atom03: return "atom03";
    case FeedFormat::atom10: return "atom10";
    case FeedFormat::json10: return "json10";
    case FeedFormat::json11: return "json11";
    case FeedFormat::html: return "html";
  }
  return "unknown";
}

const char* basis_name(DateOrderBasis basis) {
  switch (basis) {
    case DateOrderBasis::none: return "none";
    case DateOrderBasis::configured: return "configured";
    case DateOrderBasis::document: return "document";
    case DateOrderBasis::history: return "history";
    case DateOrderBasis::language: return "language";
    case DateOrderBasis::time_zone: return "time_zone";
    case DateOrderBasis::domain: return "domain";
    case DateOrderBasis::undecided: return "undecided";
  }
  return "unknown";
}

}  // namespace tinhop
