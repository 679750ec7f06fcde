#include "search.hpp"

#include <algorithm>
#include <cstdint>
#include <vector>

#include "../read_pages.hpp"
#include "tinhop/parsers/words.hpp"

namespace tinhop::storage::pg {
namespace {

// PostgreSQL's tsvector limits (tsearch/ts_type.h): MAXENTRYPOS, MAXNUMPOS, MAXSTRLEN; and
// ours on the words' bytes, far below its 1 MiB (MAXSTRPOS).
constexpr std::uint32_t kMaxPosition = (1U << 14) - 1;
constexpr std::size_t kMaxPositionsPerWord = 256;
constexpr std::size_t kMaxWordBytes = (1U << 11) - 1;
constexpr std::size_t kMaxWordsBytes = 256 * 1024;
constexpr std::size_t kSummaryOpening = 280;  // characters

// The first `count` code points of UTF-8 `text`.
std::string_view opening(std::string_view text, std::size_t count) {
  for (std::size_t i = 0; i < text.size(); ++i) {
    if ((static_cast<unsigned char>(text[i]) & 0xC0U) != 0x80U && count-- == 0) return text.substr(0, i);
  }
  return text;
}

// `word` quoted as a lexeme of tsvector and tsquery input.
void append_lexeme(std::string& out, std::string_view word) {
  out += '\'';
  for (const char c : word) {
    if (c == '\'' || c == '\\') out += c;
    out += c;
  }
  out += '\'';
}

}  // namespace

std::string search_vector(std::string_view title, std::string_view search_text, std::string_view summary) {
  // The words back to back in one buffer, each occurrence by its place there.
  struct Occurrence {
    std::uint32_t offset, size, position;
  };
  std::string words;
  std::vector<Occurrence> occurrences;
  std::uint32_t position = 0;
  const auto take = [&](std::string_view word) {
    if (position == kMaxPosition || words.size() > kMaxWordsBytes) return;
    ++position;
    if (word.size() > kMaxWordBytes) return;
    occurrences.push_back(
        {static_cast<std::uint32_t>(words.size()), static_cast<std::uint32_t>(word.size()), position});
    words += word;
  };
  each_folded_word(title, take);
  each_folded_word(search_text.empty() ? opening(summary, kSummaryOpening) : search_text, take);
  const auto word_of = [&](const Occurrence& o) { return std::string_view(words).substr(o.offset, o.size); };
  std::sort(occurrences.begin(), occurrences.end(), [&](const Occurrence& a, const Occurrence& b) {
    const int order = word_of(a).compare(word_of(b));
    return order != 0 ? order < 0 : a.position < b.position;
  });
  // tsvectorrecv's form: the lexeme count, then each lexeme with a NUL, its count of
  // positions and the positions (weight D: no bits above the position), all big-endian.
  std::string out(4, '\0');
  out.reserve(4 + words.size() + 8 * occurrences.size());
  std::uint32_t lexemes = 0;
  for (std::size_t i = 0; i < occurrences.size();) {
    const std::string_view word = word_of(occurrences[i]);
    std::size_t j = i;
    while (j < occurrences.size() && word_of(occurrences[j]) == word) ++j;
    out += word;
    out += '\0';
    const std::size_t kept = std::min(j - i, kMaxPositionsPerWord);
    put_big_endian(out, out.size(), kept, 2);
    for (std::size_t k = i; k < i + kept; ++k) put_big_endian(out, out.size(), occurrences[k].position, 2);
    ++lexemes;
    i = j;
  }
  put_big_endian(out, 0, lexemes, 4);
  return out;
}

std::string search_query(std::string_view input) {
  std::string out;
  read_pages::each_search_term(input, [&](std::string_view term, bool prefix) {
    const std::vector<std::string> words = folded_words(term);
    if (words.empty()) return;
    if (!out.empty()) out += " & ";
    if (words.size() > 1) out += '(';
    for (std::size_t i = 0; i < words.size(); ++i) {
      if (i > 0) out += " <-> ";
      append_lexeme(out, words[i]);
    }
    if (prefix) out += ":*";
    if (words.size() > 1) out += ')';
  });
  return out;
}

void fill_search_vectors(Connection& db, SearchVectors which) {
  const char* read =
      which == SearchVectors::rebuild_all
          ? "SELECT id, title, search_text, summary FROM items WHERE id > $1 ORDER BY id LIMIT 1000"
          : "SELECT id, title, search_text, summary FROM items WHERE id > $1 AND search IS NULL "
            "ORDER BY id LIMIT 1000";
  std::int64_t after = 0;
  for (;;) {
    ArrayLiteral ids;
    BinaryArray vectors(BinaryArray::Element::tsvector);
    std::size_t count = 0;
    {
      auto rows = db.query(read, Params().add(after));
      while (rows.next()) {
        after = rows.int64(0);
        ids.add(after);
        vectors.add_bytes(search_vector(rows.is_null(1) ? "" : rows.text(1), rows.text(2),
                                        rows.is_null(3) ? "" : rows.text(3)));
        ++count;
      }
    }
    if (count == 0) return;
    // The ids also named by ANY, an index condition: migrate-db fills a table whose cached
    // plan was made while it was empty.
    db.query(
        "UPDATE items SET search = filled.search FROM unnest($1::bigint[], $2::tsvector[]) "
        "AS filled(id, search) WHERE items.id = ANY($1::bigint[]) AND items.id = filled.id",
        Params().add(ids.text()).add_binary(vectors.take()));
  }
}

}  // namespace tinhop::storage::pg
