// PostgreSQL's search, built by the client from the same folded words as the editorial
// rules' (tinhop/parsers/words.hpp), for the stored vectors and the readers' queries alike:
// the server stores and indexes a tsvector and never parses text for it (its parser cost
// 0.05-0.10 ms an item, half the server's time for a new item; issue #18).
#pragma once

#include <string>
#include <string_view>

#include "pq.hpp"

namespace tinhop::storage::pg {

// The tsvector of an item, in the server's binary form (tsvectorrecv: the server neither
// parses nor sorts it): its title, then the summary's opening
// (`search_text`, or the first 280 characters of `summary` when search_text is empty,
// which is when the summary is plain text). Each folded word with its positions, counted
// from 1 across both. Held to what a tsvector takes: positions past 16,383 and words
// longer than 2,047 bytes are left out, at most 256 positions a word, 256 KiB of words.
std::string search_vector(std::string_view title, std::string_view search_text, std::string_view summary);

// A reader's query as tsquery input text that cannot fail to parse: each word required,
// folded as the vectors are; a word that folds into several ("COVID-19") or a "quoted
// phrase" must appear as a phrase; a trailing '*' makes the last word a prefix. Empty when
// the query has no word.
std::string search_query(std::string_view input);

enum class SearchVectors {
  rebuild_all,   // every item's (the migration from the server's generated vectors)
  fill_missing,  // only those of items without one (rows copied in by migrate-db)
};

// Writes the search vectors of stored items, a thousand at a time, in the caller's
// transaction.
void fill_search_vectors(Connection& db, SearchVectors which);

}  // namespace tinhop::storage::pg
