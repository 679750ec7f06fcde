#include "tinhop/parsers/canonical_link.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <utility>

#include <boost/url/parse.hpp>
#include <boost/url/url.hpp>

#include "tinhop/parsers/url.hpp"

namespace tinhop {
namespace {

// Parameters that marketing and analytics tools append; none of them selects content.
constexpr std::array<std::string_view, 32> kTrackingNames = {"fbclid",
                                                             "gclid",
                                                             "gclsrc",
                                                             "dclid",
                                                             "gbraid",
                                                             "wbraid",
                                                             "msclkid",
                                                             "mc_cid",
                                                             "mc_eid",
                                                             "_ga",
                                                             "_gl",
                                                             "yclid",
                                                             "igshid",
                                                             "twclid",
                                                             "ttclid",
                                                             "li_fat_id",
                                                             "mkt_tok",
                                                             "oly_anon_id",
                                                             "oly_enc_id",
                                                             "vero_id",
                                                             "vero_conv",
                                                             "_hsenc",
                                                             "_hsmi",
                                                             "hsctatracking",
                                                             "wt.mc_id",
                                                             "s_kwcid",
                                                             "ncid",
                                                             "cmpid",
                                                             "__twitter_impression",
                                                             "rb_clickid",
                                                             "spm",
                                                             "zarsrc"};
constexpr std::array<std::string_view, 5> kTrackingPrefixes = {"utm_", "pk_", "mtm_", "hmb_", "ga_"};

bool iequals_prefix(std::string_view text, std::string_view prefix) {
  if (text.size() < prefix.size()) return false;
  for (std::size_t i = 0; i < prefix.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(text[i])) !=
        std::tolower(static_cast<unsigned char>(prefix[i])))
      return false;
  }
  return true;
}

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && iequals_prefix(a, b);
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// RFC 3986 6.2.2.2: escapes of unreserved characters decoded, all others in uppercase hex.
std::string normalize_escapes(std::string_view encoded) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(encoded.size());
  for (std::size_t i = 0; i < encoded.size(); ++i) {
    const int hi = i + 2 < encoded.size() && encoded[i] == '%' ? hex_value(encoded[i + 1]) : -1;
    const int lo = hi >= 0 ? hex_value(encoded[i + 2]) : -1;
    if (lo < 0) {
      out += encoded[i];
      continue;
    }
    const char c = static_cast<char>(hi * 16 + lo);
    if (std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '-' || c == '.' || c == '_' || c == '~') {
      out += c;
    } else {
      out += '%';
      out += kHex[hi];
      out += kHex[lo];
    }
    i += 2;
  }
  return out;
}

// RFC 3986 5.2.4 on an absolute path: "." segments dropped, ".." removes its parent.
std::string remove_dot_segments(std::string_view path) {
  std::vector<std::string_view> segments;
  std::size_t start = 0;
  while (start <= path.size()) {
    auto end = path.find('/', start);
    if (end == std::string_view::npos) end = path.size();
    const auto segment = path.substr(start, end - start);
    const bool last = end == path.size();
    if (segment == "..") {
      if (segments.size() > 1) segments.pop_back();
      if (last) segments.emplace_back();
    } else if (segment == ".") {
      if (last) segments.emplace_back();
    } else {
      segments.push_back(segment);
    }
    start = end + 1;
  }
  std::string out;
  for (std::size_t i = 0; i < segments.size(); ++i) {
    if (i > 0) out += '/';
    out += segments[i];
  }
  return out;
}

}  // namespace

bool is_tracking_parameter(std::string_view name, const LinkOptions& options) {
  for (auto known : kTrackingNames) {
    if (iequals(name, known)) return true;
  }
  for (auto prefix : kTrackingPrefixes) {
    if (iequals_prefix(name, prefix)) return true;
  }
  for (const auto& extra : options.extra_tracking_parameters) {
    std::string_view pattern = extra;
    if (!pattern.empty() && pattern.back() == '*') {
      if (iequals_prefix(name, pattern.substr(0, pattern.size() - 1))) return true;
    } else if (iequals(name, pattern)) {
      return true;
    }
  }
  return false;
}

std::optional<std::string> canonical_link(std::string_view link, const LinkOptions& options) {
  const std::string uri = iri_to_uri(link);
  auto parsed = boost::urls::parse_uri(uri);
  if (!parsed) return std::nullopt;
  const auto scheme = parsed->scheme_id();
  if (scheme != boost::urls::scheme::http && scheme != boost::urls::scheme::https) return std::nullopt;
  if (!parsed->has_authority() || parsed->encoded_host().empty()) return std::nullopt;

  // The query is split here rather than through Boost.URL 1.81's parameter views, which
  // read past the buffer when an empty query is followed by a fragment ("/p?#top").
  // Escapes of unreserved characters are decoded first, so "%75tm_source" is tracking too.
  std::vector<std::pair<std::string, std::string>> kept;
  const std::string_view query_text = parsed->has_query() ? std::string_view(parsed->encoded_query()) : "";
  for (std::size_t start = 0; start <= query_text.size();) {
    const std::size_t end = std::min(query_text.find('&', start), query_text.size());
    const std::string_view pair = query_text.substr(start, end - start);
    start = end + 1;
    const std::size_t equals = pair.find('=');
    std::string key = normalize_escapes(pair.substr(0, equals));
    std::string value =
        equals == std::string_view::npos ? std::string() : "=" + normalize_escapes(pair.substr(equals + 1));
    if (key.empty() && value.empty()) continue;  // "?&&" separators carry nothing
    if (is_tracking_parameter(key, options)) continue;
    kept.emplace_back(std::move(key), std::move(value));
  }

  boost::urls::url url(*parsed);
  // Not url.normalize(): its path step decodes %2F into '/', which changes the resource.
  url.normalize_scheme();
  url.normalize_authority();
  if (url.has_port() && (url.port() == "80" || url.port() == "443" || url.port().empty())) url.remove_port();
  url.set_scheme_id(boost::urls::scheme::https);
  url.remove_fragment();
  url.remove_userinfo();

  std::sort(kept.begin(), kept.end());
  std::string query;
  for (const auto& [key, value] : kept) {
    if (!query.empty()) query += '&';
    query += key;
    query += value;
  }
  if (query.empty()) {
    url.remove_query();
  } else {
    url.set_encoded_query(query);
  }
  std::string path = remove_dot_segments(normalize_escapes(url.encoded_path()));
  while (!path.empty() && path.back() == '/') path.pop_back();
  url.set_encoded_path(path);
  return std::string(url.buffer());
}

}  // namespace tinhop
