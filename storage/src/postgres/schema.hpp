// PostgreSQL's schema as an ordered list of migrations, versioned like SQLite's (its own
// numbering): tinhop_schema.version records how many ran.
#pragma once

#include "pq.hpp"

namespace tinhop::storage::pg::schema {

// Number of migrations this program knows (the version it writes).
int latest_version();

// The database's current version (0 for a new database).
int current_version(Connection& db);

// Applies migrations current+1 .. target, each in its own transaction under an advisory
// lock, so nodes starting together migrate once; a failed one throws and leaves the
// database at the last good version. A database newer than latest_version() throws
// Errc::too_new.
void migrate(Connection& db, int target);

}  // namespace tinhop::storage::pg::schema
