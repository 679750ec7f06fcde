#include "tinhop/parsers/charset.hpp"

#include <unicode/ucnv.h>
#include <unicode/ucsdet.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <cstring>
#include <memory>

#include "text_internal.hpp"

namespace tinhop {
namespace {

std::string lowercase(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

struct Bom {
  std::string_view bytes;
  const char* encoding;
};

// Longest first: the UTF-32LE mark begins with the UTF-16LE one.
constexpr std::array<Bom, 5> boms = {{{{"\xFF\xFE\x00\x00", 4}, "utf-32le"},
                                      {{"\x00\x00\xFE\xFF", 4}, "utf-32be"},
                                      {{"\xEF\xBB\xBF", 3}, "utf-8"},
                                      {{"\xFF\xFE", 2}, "utf-16le"},
                                      {{"\xFE\xFF", 2}, "utf-16be"}}};

// XML 1.0 appendix F: a document without a mark still starts with '<' (or white space),
// which reveals the code unit width and order.
const char* sniff_unmarked_utf16_32(std::string_view bytes) {
  if (bytes.size() < 4) return nullptr;
  const auto b = [&](std::size_t i) { return static_cast<unsigned char>(bytes[i]); };
  if (b(0) == 0 && b(1) == 0 && b(2) == 0 && b(3) != 0) return "utf-32be";
  if (b(0) != 0 && b(1) == 0 && b(2) == 0 && b(3) == 0) return "utf-32le";
  if (b(0) == 0 && b(1) != 0 && b(2) == 0 && b(3) != 0) return "utf-16be";
  if (b(0) != 0 && b(1) == 0 && b(2) != 0 && b(3) == 0) return "utf-16le";
  return nullptr;
}

bool is_unicode_family(std::string_view name) {
  return name.starts_with("utf-16") || name.starts_with("utf-32");
}

struct ConverterCloser {
  void operator()(UConverter* converter) const { ucnv_close(converter); }
};

// Transcodes with ICU's substituting callback; counts U+FFFD that were not in the input.
std::string transcode(std::string_view bytes, const std::string& encoding, std::size_t& replaced) {
  UErrorCode status = U_ZERO_ERROR;
  std::unique_ptr<UConverter, ConverterCloser> source(ucnv_open(encoding.c_str(), &status));
  std::unique_ptr<UConverter, ConverterCloser> utf8(ucnv_open("UTF-8", &status));
  replaced = 0;
  if (U_FAILURE(status)) return std::string(bytes);
  // Sized for text that grows by a quarter (Vietnamese in windows-1258 grows by a sixth),
  // then by halves: the worst case, three bytes for each, reserved up front and zeroed
  // by resize, was three times the input held by every transcoded parse.
  std::string out;
  out.resize(bytes.size() + bytes.size() / 4 + 64);
  char* target = out.data();
  const char* input = bytes.data();
  std::array<UChar, 1024> pivot{};
  UChar* pivot_source = pivot.data();
  UChar* pivot_target = pivot.data();
  for (;;) {
    status = U_ZERO_ERROR;
    ucnv_convertEx(utf8.get(), source.get(), &target, out.data() + out.size(), &input,
                   bytes.data() + bytes.size(), pivot.data(), &pivot_source, &pivot_target,
                   pivot.data() + pivot.size(), false, true, &status);
    if (status != U_BUFFER_OVERFLOW_ERROR) break;
    const std::size_t used = static_cast<std::size_t>(target - out.data());
    out.resize(out.size() + out.size() / 2);
    target = out.data() + used;
  }
  out.resize(static_cast<std::size_t>(target - out.data()));
  if (out.capacity() - out.size() > out.size() / 8) out.shrink_to_fit();
  constexpr std::string_view replacement = "\xEF\xBF\xBD";
  for (std::size_t at = out.find(replacement); at != std::string::npos; at = out.find(replacement, at + 3)) {
    ++replaced;
  }
  return out;
}

// The declared charset of an unmarked ASCII-compatible document, for JSON: none.
std::optional<std::string> declared_in_document(std::string_view bytes) {
  return charset_from_xml_declaration(bytes);
}

// Thai in TIS-620 (or its superset windows-874), which ICU's detector has no model for:
// its Latin answer for Thai bytes is mojibake. The check is the script's structure, not
// statistics: every byte above 0x7F is a TIS-620 character (or one of windows-874's
// punctuation marks), every vowel or tone mark written above or below follows a
// consonant or another such mark, and the Thai characters come in runs, as words, where
// Latin-1 text has its accented letters one at a time between ASCII ones ("é" is 0xE9,
// a tone mark, after an ASCII letter). Returns the charset's name, or nullopt.
std::optional<std::string> thai_charset(std::string_view bytes) {
  const auto is_consonant = [](unsigned char c) { return c >= 0xA1 && c <= 0xCE; };
  const auto is_mark = [](unsigned char c) {
    return c == 0xD1 || (c >= 0xD4 && c <= 0xDA) || (c >= 0xE7 && c <= 0xEE);
  };
  const auto is_tis620 = [](unsigned char c) { return (c >= 0xA1 && c <= 0xDA) || (c >= 0xDF && c <= 0xFB); };
  const auto is_windows874_only = [](unsigned char c) {
    return c == 0x80 || c == 0x85 || (c >= 0x91 && c <= 0x97) || c == 0xA0;
  };
  constexpr std::size_t enough_letters = 16;
  std::size_t thai = 0;
  std::size_t in_runs = 0;
  bool windows874 = false;
  unsigned char previous = 0;
  for (const char byte : bytes.substr(0, 65536)) {
    const auto c = static_cast<unsigned char>(byte);
    if (c >= 0x80) {
      if (is_windows874_only(c)) {
        windows874 = true;
      } else if (!is_tis620(c) || (is_mark(c) && !is_consonant(previous) && !is_mark(previous))) {
        return std::nullopt;
      } else {
        ++thai;
        if (is_tis620(previous)) in_runs += 2;
      }
    }
    previous = c;
  }
  if (thai < enough_letters || in_runs < thai) return std::nullopt;
  return windows874 ? "windows-874" : "tis-620";
}

// ICU's statistical detector, for documents that declare nothing and are not UTF-8;
// windows-1252 (what browsers assume) when it has no confident answer.
std::string detect_legacy_charset(std::string_view bytes) {
  struct DetectorCloser {
    void operator()(UCharsetDetector* detector) const { ucsdet_close(detector); }
  };
  UErrorCode status = U_ZERO_ERROR;
  std::unique_ptr<UCharsetDetector, DetectorCloser> detector(ucsdet_open(&status));
  if (U_FAILURE(status)) return "windows-1252";
  // The first 64 KiB decide; markup is stripped by the detector's input filter.
  const auto length = static_cast<int32_t>(std::min<std::size_t>(bytes.size(), 65536));
  ucsdet_setText(detector.get(), bytes.data(), length, &status);
  ucsdet_enableInputFilter(detector.get(), true);
  const UCharsetMatch* match = ucsdet_detect(detector.get(), &status);
  const int32_t confidence = match == nullptr ? 0 : ucsdet_getConfidence(match, &status);
  // The detector has no Thai model: what it names for Thai bytes (EUC-KR at 62 for a
  // headline) falls short of the certainty, 100, it has for the CJK text it knows.
  constexpr int32_t certain = 100;
  if (confidence < certain) {
    if (std::optional<std::string> thai = thai_charset(bytes)) return *thai;
  }
  if (U_FAILURE(status) || match == nullptr) return "windows-1252";
  const char* name = ucsdet_getName(match, &status);
  if (U_FAILURE(status) || name == nullptr || confidence < 30) return "windows-1252";
  // The detector reports IANA names already. Where it says ISO-8859-x, the windows-125x
  // superset decodes the same bytes plus the 0x80-0x9F range those documents use.
  std::string found = lowercase(name);
  if (found == "iso-8859-1" || found.starts_with("utf-")) return "windows-1252";
  if (found == "iso-8859-8" || found == "iso-8859-8-i") return "windows-1255";
  if (found == "iso-8859-6") return "windows-1256";
  if (found == "iso-8859-9") return "windows-1254";
  return found;
}

// One piece of evidence about a document's charset: where it was read, what it names.
struct Signal {
  const char* source;    // "byte-order mark", "HTTP charset", "XML declaration"
  std::string encoding;  // canonical
};

// True when `bytes` read in `a` and in `b` give the same text. ISO-8859-1 reads as
// windows-1252 here, as browsers read it and as the C1 repair after parsing does.
bool read_alike(std::string_view bytes, const std::string& a, const std::string& b) {
  const auto as_read = [](const std::string& name) { return name == "iso-8859-1" ? "windows-1252" : name; };
  const std::string first = as_read(a);
  const std::string second = as_read(b);
  if (first == second) return true;
  if (is_unicode_family(first) || is_unicode_family(second)) {
    // "utf-16" beside the byte-order mark's "utf-16le"
    return first.substr(0, 6) == second.substr(0, 6);
  }
  if (is_ascii(bytes)) return true;                         // the same in every ASCII-compatible charset
  if (first == "utf-8" || second == "utf-8") return false;  // non-ASCII bytes never read alike
  std::size_t replaced = 0;
  return transcode(bytes, first, replaced) == transcode(bytes, second, replaced);
}

// RFC 7303 section 3.2 orders the evidence: byte-order mark, then HTTP charset, then the
// XML declaration. When the loser would have read the bytes otherwise, a warning says
// which won and why.
void note_overruled(std::string_view bytes, const Signal& winner, const std::optional<Signal>& loser,
                    std::vector<std::string>& warnings) {
  if (!loser || read_alike(bytes, winner.encoding, loser->encoding)) return;
  warnings.push_back(std::string(winner.source) + " says " + winner.encoding + ", " + loser->source +
                     " says " + loser->encoding + ": read as " + winner.encoding + ", since the " +
                     winner.source + " comes first (RFC 7303, section 3.2)");
}

}  // namespace

std::optional<std::string> charset_from_content_type(std::string_view content_type) {
  const std::string lower = lowercase(content_type);
  std::size_t at = lower.find("charset");
  while (at != std::string::npos) {
    std::size_t i = at + 7;
    while (i < lower.size() && (lower[i] == ' ' || lower[i] == '\t')) ++i;
    if (i < lower.size() && lower[i] == '=') {
      ++i;
      while (i < lower.size() && (lower[i] == ' ' || lower[i] == '"' || lower[i] == '\'')) ++i;
      std::size_t end = i;
      while (end < lower.size() && lower[end] != ';' && lower[end] != '"' && lower[end] != '\'' &&
             lower[end] != ' ' && lower[end] != ',') {
        ++end;
      }
      if (end > i) return std::string(content_type.substr(i, end - i));
      return std::nullopt;
    }
    at = lower.find("charset", at + 7);
  }
  return std::nullopt;
}

std::optional<std::string> charset_from_xml_declaration(std::string_view bytes) {
  std::size_t start = 0;
  while (start < bytes.size() && start < 64 && std::isspace(static_cast<unsigned char>(bytes[start])) != 0)
    ++start;
  if (bytes.substr(start, 5) != "<?xml") return std::nullopt;
  const std::size_t end = bytes.find("?>", start);
  const std::string_view decl = bytes.substr(start, end == std::string_view::npos ? 256 : end - start);
  const std::size_t key = decl.find("encoding");
  if (key == std::string_view::npos) return std::nullopt;
  std::size_t i = key + 8;
  while (i < decl.size() && (decl[i] == ' ' || decl[i] == '=' || decl[i] == '\t' || decl[i] == '\n')) ++i;
  if (i >= decl.size() || (decl[i] != '"' && decl[i] != '\'')) return std::nullopt;
  const char quote = decl[i];
  const std::size_t close = decl.find(quote, i + 1);
  if (close == std::string_view::npos || close == i + 1) return std::nullopt;
  return std::string(decl.substr(i + 1, close - i - 1));
}

bool is_valid_utf8(std::string_view bytes) {
  return scan_utf8(bytes).valid;
}

std::optional<std::string> canonical_charset(std::string_view label) {
  std::string name(label);
  while (!name.empty() && std::isspace(static_cast<unsigned char>(name.back())) != 0) name.pop_back();
  if (name.empty() || name.size() > 64) return std::nullopt;
  // RFC 2978 label characters only: ICU would also take converter options ("iscii,version=0").
  const auto label_char = [](unsigned char c) {
    return std::isalnum(c) != 0 ||
           std::string_view("!#$%&'+-^_`{}~.:").find(static_cast<char>(c)) != std::string_view::npos;
  };
  if (!std::all_of(name.begin(), name.end(),
                   [&](char c) { return label_char(static_cast<unsigned char>(c)); })) {
    return std::nullopt;
  }
  const std::string lower = lowercase(name);
  // Aliases ICU lacks or maps to a different family than browsers do.
  if (lower == "utf8" || lower == "unicode-1-1-utf-8") return "utf-8";
  if (lower == "latin-1" || lower == "latin1" || lower == "l1") return "iso-8859-1";
  UErrorCode status = U_ZERO_ERROR;
  std::string icu_name;
  if (const char* alias_of = ucnv_getCanonicalName(name.c_str(), "", &status);
      U_SUCCESS(status) && alias_of != nullptr) {
    icu_name = alias_of;
  } else {
    // A label only a converter understands: its name belongs to the converter, so copy it
    // before the converter closes.
    status = U_ZERO_ERROR;
    std::unique_ptr<UConverter, ConverterCloser> converter(ucnv_open(name.c_str(), &status));
    if (U_FAILURE(status) || !converter) return std::nullopt;
    const char* converter_name = ucnv_getName(converter.get(), &status);
    if (U_FAILURE(status) || converter_name == nullptr) return std::nullopt;
    icu_name = converter_name;
  }
  status = U_ZERO_ERROR;
  const char* iana = ucnv_getStandardName(icu_name.c_str(), "MIME", &status);
  if (U_FAILURE(status) || iana == nullptr) {
    status = U_ZERO_ERROR;
    iana = ucnv_getStandardName(icu_name.c_str(), "IANA", &status);
  }
  std::string result = lowercase(U_SUCCESS(status) && iana != nullptr ? std::string(iana) : icu_name);
  result.erase(std::min(result.find(','), result.size()));  // "iscii,version=0": options are ICU's
  if (result == "us-ascii" || result == "ansi_x3.4-1968") return "us-ascii";
  if (result.starts_with("ibm-") && lower.starts_with("windows-")) return lower;
  // GB2312 labels carry GBK/GB18030 text in practice (WHATWG maps them the same way).
  if (result == "gb2312" || result == "gbk" || lower == "gb2312" || lower == "gbk") return "gb18030";
  return result;
}

DecodedText decode_document(std::string_view bytes, std::string_view content_type) {
  DecodedText decoded;
  const std::string media_type = lowercase(content_type.substr(0, content_type.find(';')));
  if (media_type.starts_with("text/plain") || media_type.starts_with("text/html")) {
    decoded.warnings.push_back("served as " + media_type + ", not as a feed type");
  }
  const auto signal = [](const char* source,
                         const std::optional<std::string>& label) -> std::optional<Signal> {
    if (!label) return std::nullopt;
    std::optional<std::string> known = canonical_charset(*label);
    if (!known) return std::nullopt;
    return Signal{source, std::move(*known)};
  };
  const std::optional<std::string> http_label = charset_from_content_type(content_type);
  const std::optional<Signal> http = signal("HTTP charset", http_label);
  for (const Bom& bom : boms) {
    if (bytes.starts_with(bom.bytes)) {
      decoded.encoding = bom.encoding;
      const std::string_view body = bytes.substr(bom.bytes.size());
      note_overruled(body, Signal{"byte-order mark", decoded.encoding}, http, decoded.warnings);
      if (decoded.encoding == "utf-8") {
        decoded.text = body;
        if (!is_valid_utf8(body)) {
          std::size_t replaced = 0;
          decoded.storage = transcode(body, "UTF-8", replaced);
          decoded.text = decoded.storage;
          decoded.warnings.push_back(std::to_string(replaced) +
                                     " invalid UTF-8 sequences replaced with U+FFFD");
        }
      } else {
        std::size_t replaced = 0;
        decoded.storage = transcode(body, decoded.encoding, replaced);
        decoded.text = decoded.storage;
        if (replaced != 0) {
          decoded.warnings.push_back(std::to_string(replaced) + " invalid " + decoded.encoding +
                                     " sequences replaced with U+FFFD");
        }
      }
      if (!http) {
        note_overruled(body, Signal{"byte-order mark", decoded.encoding},
                       signal("XML declaration", charset_from_xml_declaration(decoded.text)),
                       decoded.warnings);
      }
      return decoded;
    }
  }
  if (const char* unmarked = sniff_unmarked_utf16_32(bytes)) {
    decoded.encoding = unmarked;
    std::size_t replaced = 0;
    decoded.storage = transcode(bytes, decoded.encoding, replaced);
    decoded.text = decoded.storage;
    return decoded;
  }

  const std::optional<std::string> document_label = declared_in_document(bytes);
  std::optional<std::string> declared;
  std::string declared_by;
  for (const auto& [label, source] :
       {std::pair{&http_label, "HTTP charset"}, std::pair{&document_label, "XML declaration"}}) {
    if (declared || !*label) continue;
    declared = canonical_charset(**label);
    declared_by = source;
    if (!declared)
      decoded.warnings.push_back(std::string(source) + " names an unknown charset '" + **label + "'");
  }

  // Declared UTF-8 is taken at its word without a validation pass (the hot path): the
  // parser validates each field it keeps and replaces what is ill-formed.
  const std::optional<Signal> declaration = http ? signal("XML declaration", document_label) : std::nullopt;
  if (declared == "utf-8") {
    decoded.text = bytes;
    decoded.encoding = "utf-8";
    if (http) note_overruled(bytes, *http, declaration, decoded.warnings);
    return decoded;
  }
  if (is_valid_utf8(bytes)) {
    decoded.text = bytes;
    const bool ascii = is_ascii(bytes);
    if (declared && *declared != "utf-8" && ascii && !is_unicode_family(*declared)) {
      decoded.encoding = *declared;  // ASCII bytes are right in any ASCII-compatible charset
    } else {
      decoded.encoding = "utf-8";
      if (declared && *declared != "utf-8" && !(ascii && *declared == "us-ascii")) {
        decoded.warnings.push_back(declared_by + " says " + *declared + " but the bytes are UTF-8");
      }
    }
    return decoded;
  }

  std::string encoding = declared ? *declared : detect_legacy_charset(bytes);
  if (!declared) {
    decoded.warnings.push_back("no charset declared and the bytes are not UTF-8: detected " + encoding);
  } else if (is_unicode_family(encoding)) {
    decoded.warnings.push_back(declared_by + " says " + encoding +
                               " but the bytes are not: read as windows-1252");
    encoding = "windows-1252";
  }
  if (http && http->encoding == encoding) note_overruled(bytes, *http, declaration, decoded.warnings);
  std::size_t replaced = 0;
  decoded.storage = transcode(bytes, encoding, replaced);
  decoded.text = decoded.storage;
  decoded.encoding = encoding;
  if (replaced != 0) {
    decoded.warnings.push_back(std::to_string(replaced) + " invalid " + encoding +
                               " sequences replaced with U+FFFD");
  }
  return decoded;
}

}  // namespace tinhop
