// The schema as an ordered list of migrations; PRAGMA user_version records how many ran.
#pragma once

#include "sqlite.hpp"

namespace tinhop::storage::schema {

// Number of migrations this program knows (the version it writes).
int latest_version();

// The database's current version (0 for a new file).
int current_version(sql::Database& db);

// Applies migrations current+1 .. target, each in its own transaction; a failed one
// throws and leaves the database at the last good version. A database newer than
// latest_version() throws Errc::too_new.
void migrate(sql::Database& db, int target);

}  // namespace tinhop::storage::schema
