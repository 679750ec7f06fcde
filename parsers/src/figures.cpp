#include "tinhop/parsers/figures.hpp"

#include <algorithm>
#include <array>
#include <optional>
#include <string>
#include <vector>

#include <unicode/uchar.h>
#include <unicode/utf8.h>

#include "tinhop/parsers/fingerprint.hpp"

namespace tinhop {
namespace {

// The roles a figure can play; the value's hash is compared within a role only.
enum class Role : std::uint16_t { title_date = 0, title_number = 1, title_percent = 2, lead_date = 3 };
constexpr std::size_t kRoles = 4;

constexpr unsigned kHashBits = 13;
constexpr unsigned kTokenBits = 15;
constexpr std::uint16_t kNoToken = 0x7FFF;
constexpr std::size_t kSlots = 4;
constexpr std::uint64_t kTruncated = std::uint64_t{1} << 60;
// Far enough for a headline and the sentence a lead opens with.
constexpr std::size_t kLeadBytes = 240;

// The words that give a number its meaning, matched case-folded (NFC text).
enum class Keyword { none, day, month, year, thousand, million, billion, percent_1, percent_2 };

struct KeywordForm {
  std::u32string_view folded;
  Keyword keyword;
};
constexpr std::array<KeywordForm, 10> kKeywords{{
    {U"ngày", Keyword::day},
    {U"tháng", Keyword::month},
    {U"năm", Keyword::year},
    {U"nghìn", Keyword::thousand},
    {U"ngàn", Keyword::thousand},
    {U"triệu", Keyword::million},
    {U"tỷ", Keyword::billion},
    {U"tỉ", Keyword::billion},
    {U"phần", Keyword::percent_1},
    {U"trăm", Keyword::percent_2},
}};

// A piece of the text: a word, a numeral (digits with single separators between them), a
// percent sign, or any other mark. Spaces only separate pieces.
struct Piece {
  enum class Kind { word, numeral, percent, other } kind = Kind::other;
  std::string_view text;
  Keyword keyword = Keyword::none;  // words
  bool glued = false;               // numerals: a letter or a code's hyphen touches it
  int suffix_exponent = 0;          // numerals: "500k" is 500 thousand ("200.000đ": 0)
};

bool is_letter(UChar32 c) {
  return u_isalpha(c) || u_charType(c) == U_NON_SPACING_MARK;
}

bool is_digit(char c) {
  return c >= '0' && c <= '9';
}

bool is_separator(char c) {
  return c == '.' || c == ',' || c == '/' || c == '-' || c == ':';
}

Keyword keyword_of(std::string_view word) {
  std::array<char32_t, 8> folded{};
  std::size_t size = 0;
  for (std::int32_t i = 0; i < static_cast<std::int32_t>(word.size());) {
    UChar32 c = 0;
    U8_NEXT(reinterpret_cast<const std::uint8_t*>(word.data()), i, static_cast<std::int32_t>(word.size()), c);
    if (size == folded.size()) return Keyword::none;
    folded[size++] = static_cast<char32_t>(u_foldCase(c, U_FOLD_CASE_DEFAULT));
  }
  const std::u32string_view view(folded.data(), size);
  for (const auto& form : kKeywords) {
    if (form.folded == view) return form.keyword;
  }
  return Keyword::none;
}

std::vector<Piece> pieces_of(std::string_view text) {
  std::vector<Piece> pieces;
  const auto* bytes = reinterpret_cast<const std::uint8_t*>(text.data());
  const auto size = static_cast<std::int32_t>(text.size());
  UChar32 before = 0;   // the code point before the current piece
  UChar32 before2 = 0;  // and the one before that
  for (std::int32_t i = 0; i < size;) {
    const std::int32_t start = i;
    if (is_digit(text[static_cast<std::size_t>(i)])) {
      while (i < size && (is_digit(text[static_cast<std::size_t>(i)]) ||
                          (is_separator(text[static_cast<std::size_t>(i)]) && i + 1 < size &&
                           is_digit(text[static_cast<std::size_t>(i) + 1])))) {
        ++i;
      }
      Piece piece{Piece::Kind::numeral,
                  text.substr(static_cast<std::size_t>(start), static_cast<std::size_t>(i - start))};
      // "U23", "COVID-19": the number is part of a name.
      piece.glued = is_letter(before) || (before == '-' && is_letter(before2));
      if (i < size) {
        // A letter right after it: a unit of money or thousands, or else a code ("8h30", "5G").
        std::int32_t j = i;
        UChar32 c = 0;
        U8_NEXT(bytes, j, size, c);
        if (is_letter(c)) {
          std::int32_t end = i;
          while (end < size) {
            std::int32_t k = end;
            U8_NEXT(bytes, k, size, c);
            if (!is_letter(c)) break;
            end = k;
          }
          const std::string_view suffix =
              text.substr(static_cast<std::size_t>(i), static_cast<std::size_t>(end - i));
          if (suffix == "k" || suffix == "K") {
            piece.suffix_exponent = 3;
          } else if (suffix != "đ" && suffix != "Đ") {
            piece.glued = true;
          }
          i = end;
        }
      }
      pieces.push_back(piece);
      // After a letter suffix, digits that follow are the same code's ("8h30").
      before2 = before =
          text[static_cast<std::size_t>(i) - 1] >= '0' && text[static_cast<std::size_t>(i) - 1] <= '9' ? '0'
                                                                                                       : 'a';
      continue;
    }
    UChar32 c = 0;
    U8_NEXT(bytes, i, size, c);
    if (is_letter(c)) {
      std::int32_t end = i;
      while (end < size) {
        std::int32_t k = end;
        UChar32 next = 0;
        U8_NEXT(bytes, k, size, next);
        if (!is_letter(next)) break;
        end = k;
      }
      const std::string_view word =
          text.substr(static_cast<std::size_t>(start), static_cast<std::size_t>(end - start));
      pieces.push_back(Piece{Piece::Kind::word, word, keyword_of(word)});
      i = end;
      before2 = before = 'a';
      continue;
    }
    before2 = before;
    before = c;
    if (u_isspace(c)) continue;
    pieces.push_back(
        Piece{c == '%' ? Piece::Kind::percent : Piece::Kind::other,
              text.substr(static_cast<std::size_t>(start), static_cast<std::size_t>(i - start))});
  }
  return pieces;
}

std::uint64_t hash_step(std::uint64_t h, std::uint64_t value) {
  return mix64(h ^ value) * 0x9e3779b97f4a7c15ULL;
}

std::uint16_t token(Role role, std::uint64_t hash) {
  return static_cast<std::uint16_t>((static_cast<std::uint16_t>(role) << kHashBits) |
                                    (mix64(hash) & ((1U << kHashBits) - 1)));
}

std::uint16_t date_token(Role role, int day, int month) {
  return token(role, hash_step(0xda7e, static_cast<std::uint64_t>(day * 16 + month)));
}

// A number as its decimal digits without leading or trailing zeros and a power of ten.
std::uint16_t number_token(Role role, std::string digits, int exponent) {
  const std::size_t first = digits.find_first_not_of('0');
  digits.erase(0, first == std::string::npos ? digits.size() : first);
  while (!digits.empty() && digits.back() == '0') {
    digits.pop_back();
    ++exponent;
  }
  if (digits.empty()) exponent = 0;  // zero
  return token(role, stable_hash(digits, static_cast<std::uint64_t>(exponent + 1000)));
}

std::uint16_t code_token(std::string_view text) {
  return token(Role::title_number, stable_hash(text, 0xc0de));
}

struct Numeral {
  std::array<std::string_view, 6> parts{};
  std::array<char, 5> separators{};
  std::size_t size = 0;  // parts
  bool well_formed = true;
};

Numeral split(std::string_view text) {
  Numeral n;
  std::size_t start = 0;
  for (std::size_t i = 0; i <= text.size(); ++i) {
    if (i < text.size() && is_digit(text[i])) continue;
    if (n.size == n.parts.size()) {
      n.well_formed = false;
      return n;
    }
    n.parts[n.size] = text.substr(start, i - start);
    if (i < text.size()) n.separators[n.size] = text[i];
    ++n.size;
    start = i + 1;
  }
  return n;
}

int value_of(std::string_view digits) {
  int v = 0;
  for (const char c : digits.substr(0, 4)) v = v * 10 + (c - '0');
  return digits.size() > 4 ? 100000 : v;
}

bool day_month(std::string_view day, std::string_view month) {
  return day.size() <= 2 && month.size() <= 2 && value_of(day) >= 1 && value_of(day) <= 31 &&
         value_of(month) >= 1 && value_of(month) <= 12;
}

// The day and month a numeral writes (0 for a day it leaves out), if it is a date:
// 15/9, 15-9, 15/09/2024, 15.9.2024, 2024-09-15, 9/2024. Dots only when `dots_may_date`:
// "1.5 tỷ" and "3.5%" are numbers.
std::optional<std::pair<int, int>> date_of(const Numeral& n, bool dots_may_date) {
  if (!n.well_formed || n.size < 2 || n.size > 3) return std::nullopt;
  const char sep = n.separators[0];
  if (n.size == 3 && n.separators[1] != sep) return std::nullopt;
  if (sep != '/' && sep != '-' && !(sep == '.' && dots_may_date)) return std::nullopt;
  const auto year = [](std::string_view y) { return y.size() == 4 || y.size() == 2; };
  if (n.size == 3 && sep == '-' && n.parts[0].size() == 4 && day_month(n.parts[2], n.parts[1]))
    return std::pair{value_of(n.parts[2]), value_of(n.parts[1])};
  if (day_month(n.parts[0], n.parts[1]) && (n.size == 2 || year(n.parts[2])))
    return std::pair{value_of(n.parts[0]), value_of(n.parts[1])};
  if (n.size == 2 && sep != '.' && n.parts[1].size() == 4 && day_month("1", n.parts[0]))
    return std::pair{0, value_of(n.parts[0])};
  return std::nullopt;
}

// Digits and the power of ten of a number written with '.' or ',' grouping thousands or
// marking decimals, both ways: 1.234.567 / 1,234,567, 1.234,5 / 1,234.5, 3,5 / 3.5. One
// separator before exactly three digits groups thousands.
std::optional<std::pair<std::string, int>> amount_of(const Numeral& n) {
  if (!n.well_formed) return std::nullopt;
  std::string digits(n.parts[0]);
  if (n.size == 1) return std::pair{digits, 0};
  std::size_t dots = 0, commas = 0;
  for (std::size_t i = 0; i + 1 < n.size; ++i) {
    dots += n.separators[i] == '.' ? 1 : 0;
    commas += n.separators[i] == ',' ? 1 : 0;
  }
  if (dots + commas != n.size - 1) return std::nullopt;
  const bool mixed = dots > 0 && commas > 0;
  const bool single = n.size == 2;
  const bool last_groups = !mixed && !(single && (n.parts[1].size() != 3 || n.parts[0] == "0"));
  const std::size_t groups_end = last_groups ? n.size : n.size - 1;  // parts joined as the integer
  if (n.parts[0].size() > 3 && groups_end > 1) return std::nullopt;
  for (std::size_t i = 1; i < groups_end; ++i) {
    if (n.parts[i].size() != 3 || n.separators[i - 1] != n.separators[0]) return std::nullopt;
    digits += n.parts[i];
  }
  if (groups_end == n.size) return std::pair{digits, 0};
  if (mixed && n.separators[n.size - 2] == n.separators[0]) return std::nullopt;  // 1.234.5
  digits += n.parts[n.size - 1];
  return std::pair{digits, -static_cast<int>(n.parts[n.size - 1].size())};
}

int unit_exponent(Keyword keyword) {
  switch (keyword) {
    case Keyword::thousand: return 3;
    case Keyword::million: return 6;
    case Keyword::billion: return 9;
    default: return 0;
  }
}

// Appends the figures of `pieces` in the roles given; `dates_only` for a lead.
void collect(const std::vector<Piece>& pieces, bool dates_only, std::vector<std::uint16_t>& out) {
  const Role date_role = dates_only ? Role::lead_date : Role::title_date;
  const auto keyword_at = [&](std::size_t i) {
    return i < pieces.size() && pieces[i].kind == Piece::Kind::word ? pieces[i].keyword : Keyword::none;
  };
  const auto plain_at = [&](std::size_t i) -> const Piece* {
    if (i >= pieces.size() || pieces[i].kind != Piece::Kind::numeral || pieces[i].glued) return nullptr;
    return &pieces[i];
  };
  // A date's own year ("ngày 15 tháng 9 năm 2024", "15/9 năm 2024") is part of it: the
  // index of the date's last piece.
  const auto past_year = [&](std::size_t last) {
    const Piece* year = plain_at(last + 2);
    return keyword_at(last + 1) == Keyword::year && year != nullptr && year->text.size() == 4 ? last + 2
                                                                                              : last;
  };
  for (std::size_t i = 0; i < pieces.size(); ++i) {
    const Piece* piece = plain_at(i);
    if (piece == nullptr) continue;
    if (piece->text.find(':') != std::string_view::npos) continue;  // a time of day, a score
    const Numeral n = split(piece->text);
    const Keyword before = i > 0 ? keyword_at(i - 1) : Keyword::none;
    // "ngày 15 tháng 9"; "tháng 9"
    if (const Piece* month = plain_at(i + 2); n.size == 1 && before == Keyword::day &&
                                              keyword_at(i + 1) == Keyword::month && month != nullptr &&
                                              day_month(piece->text, month->text)) {
      out.push_back(date_token(date_role, value_of(piece->text), value_of(month->text)));
      i = past_year(i + 2);
      continue;
    }
    if (n.size == 1 && before == Keyword::month && day_month("1", piece->text)) {
      out.push_back(date_token(date_role, 0, value_of(piece->text)));
      i = past_year(i);
      continue;
    }
    // "500 tỷ", "0,5 nghìn tỷ", "3,5%", "3,5 phần trăm"
    std::size_t next = i + 1;
    int exponent = piece->suffix_exponent;
    bool percent = false;
    if (piece->suffix_exponent == 0) {
      while (next < i + 3 && unit_exponent(keyword_at(next)) > 0)
        exponent += unit_exponent(keyword_at(next++));
      percent = (next < pieces.size() && pieces[next].kind == Piece::Kind::percent) ||
                (keyword_at(next) == Keyword::percent_1 && keyword_at(next + 1) == Keyword::percent_2);
    }
    const bool counted = exponent > 0 || percent;
    if (const auto date = date_of(n, !counted); date && piece->suffix_exponent == 0 && !counted) {
      out.push_back(date_token(date_role, date->first, date->second));
      i = past_year(i);
    } else if (dates_only) {
      continue;
    } else if (const auto amount = amount_of(n)) {
      out.push_back(number_token(percent ? Role::title_percent : Role::title_number, amount->first,
                                 amount->second + exponent));
      i = next - 1;
    } else if (n.size == 2 && n.separators[0] == '-' && n.parts[0].size() == 4 && n.parts[1].size() == 4) {
      out.push_back(number_token(Role::title_number, std::string(n.parts[0]), 0));  // 2024-2025
      out.push_back(number_token(Role::title_number, std::string(n.parts[1]), 0));
    } else {
      out.push_back(code_token(piece->text));  // 6/45, 1.2.3
    }
  }
}

// The first sentence of a lead: up to a full stop, question or exclamation mark that ends
// a word (not "15.9" or "1.234").
std::string_view first_sentence(std::string_view lead) {
  const bool cut = lead.size() > kLeadBytes;
  lead = lead.substr(0, kLeadBytes);
  for (std::size_t i = 0; i < lead.size(); ++i) {
    const char c = lead[i];
    if ((c == '.' || c == '!' || c == '?') &&
        (i + 1 == lead.size() || lead[i + 1] == ' ' || lead[i + 1] == '\n'))
      return lead.substr(0, i);
  }
  if (!cut) return lead;
  // Back to a space: a numeral or character cut in two would be another one.
  std::size_t end = lead.size();
  while (end > 0 && lead[end - 1] != ' ') --end;
  return end == 0 ? lead : lead.substr(0, end);
}

std::uint16_t slot(std::uint64_t bits, std::size_t k) {
  return static_cast<std::uint16_t>((bits >> (kTokenBits * k)) & kNoToken);
}

}  // namespace

Figures figures_of(std::string_view title, std::string_view lead) {
  std::vector<std::uint16_t> tokens;
  constexpr std::string_view kDigits = "0123456789";
  if (title.find_first_of(kDigits) != std::string_view::npos) collect(pieces_of(title), false, tokens);
  lead = first_sentence(lead);
  if (lead.find_first_of(kDigits) != std::string_view::npos) collect(pieces_of(lead), true, tokens);
  std::sort(tokens.begin(), tokens.end());
  tokens.erase(std::unique(tokens.begin(), tokens.end()), tokens.end());
  std::uint64_t bits = tokens.size() > kSlots ? kTruncated : 0;
  for (std::size_t k = 0; k < kSlots; ++k) {
    const std::uint16_t value = k < tokens.size() ? tokens[k] : kNoToken;
    bits |= static_cast<std::uint64_t>(value) << (kTokenBits * k);
  }
  return Figures{bits};
}

bool holds_figures(Figures figures) {
  return figures.bits != 0 && slot(figures.bits, 0) != kNoToken;
}

bool contradict(Figures a, Figures b) {
  if (a.bits == 0 || b.bits == 0) return false;
  // A truncated set holds its smallest tokens: the roles below its largest one are whole.
  const auto whole_roles = [](std::uint64_t bits) {
    if ((bits & kTruncated) == 0) return kRoles;
    return static_cast<std::size_t>(slot(bits, kSlots - 1) >> kHashBits);
  };
  const std::size_t roles = std::min(whole_roles(a.bits), whole_roles(b.bits));
  std::array<std::array<std::uint16_t, kSlots>, 2> sets{};
  std::array<std::size_t, 2> sizes{};
  for (std::size_t role = 0; role < roles; ++role) {
    std::size_t side = 0;
    for (const std::uint64_t bits : {a.bits, b.bits}) {
      sizes[side] = 0;
      for (std::size_t k = 0; k < kSlots; ++k) {
        const std::uint16_t value = slot(bits, k);
        if (value != kNoToken && value >> kHashBits == role) sets[side][sizes[side]++] = value;
      }
      ++side;
    }
    if (sizes[0] == 0 || sizes[1] == 0) continue;
    const auto within = [&](std::size_t x, std::size_t y) {
      return std::includes(sets[y].begin(), sets[y].begin() + static_cast<std::ptrdiff_t>(sizes[y]),
                           sets[x].begin(), sets[x].begin() + static_cast<std::ptrdiff_t>(sizes[x]));
    };
    if (!within(0, 1) && !within(1, 0)) return true;
  }
  return false;
}

}  // namespace tinhop
