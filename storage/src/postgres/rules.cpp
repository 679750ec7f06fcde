// The editorial rules kept in the store (issue #20): the file's, synced in, and those the
// CLI and the API manage. Every change bumps rules_version in the same transaction.
#include "postgres_store.hpp"

namespace tinhop::storage {

namespace {

StoredRule rule_from(const pg::Rows& rows) {
  return {rows.int64(0),
          rows.text(1),
          parse_origin(rows.text(2)).value_or(SourceOrigin::cli),
          rows.int64(3),
          rows.boolean(4),
          rows.text(5),
          from_unix(rows.int64(6)),
          from_unix(rows.int64(7))};
}

[[noreturn]] void throw_rule_not_found(std::int64_t id) {
  throw sql::SqlFailure{Error{Errc::not_found, "no rule with id " + std::to_string(id)}};
}

}  // namespace

void PostgresStore::require_free_rule_name(std::string_view name, std::int64_t id) {
  if (auto other =
          db.scalar("SELECT id FROM rules WHERE name = $1 AND id <> $2", pg::Params().add(name).add(id))) {
    throw sql::SqlFailure{Error{Errc::already_exists, "rule " + std::to_string(*other) + " is named \"" +
                                                          std::string(name) + "\" already"}};
  }
}

Result<std::vector<StoredRule>> PostgresStore::list_rules() {
  return guarded([&] {
    std::vector<StoredRule> out;
    auto rows = db.query(
        "SELECT id, name, origin, position, enabled, spec, created, modified FROM rules "
        "ORDER BY origin <> 'config', position, id");
    while (rows.next()) out.push_back(rule_from(rows));
    return out;
  });
}

Result<std::int64_t> PostgresStore::add_rule(const StoredRule& rule, Instant now, std::size_t most) {
  return guarded([&] {
    pg::Transaction tx(db);
    // The rules' version row, locked first, makes adders (on every node) take turns: the
    // count and the name are checked against what the others committed.
    db.query("SELECT value FROM meta WHERE key = 'rules_version' FOR UPDATE");
    require_room_for_rule(static_cast<std::size_t>(db.scalar("SELECT count(*) FROM rules").value_or(0)),
                          most);
    require_free_rule_name(rule.name, 0);
    const std::string origin = origin_name(rule.origin);
    const std::int64_t id =
        db.scalar(
              "INSERT INTO rules(name, origin, position, enabled, spec, created, modified) VALUES ($1, $2, "
              "CASE WHEN $3::bigint > 0 THEN $3::bigint ELSE (SELECT coalesce(max(position), 0) + 1 FROM "
              "rules "
              "WHERE (origin = 'config') = ($2 = 'config')) END, $4, $5, $6, $6) RETURNING id",
              pg::Params()
                  .add(rule.name)
                  .add(origin)
                  .add(rule.position)
                  .add(rule.enabled)
                  .add(rule.spec)
                  .add(to_unix(now)))
            .value_or(0);
    db.query("UPDATE meta SET value = value + 1 WHERE key = 'rules_version'");
    tx.commit();
    return id;
  });
}

Result<void> PostgresStore::update_rule(const StoredRule& rule, Instant now) {
  return guarded([&] {
    pg::Transaction tx(db);
    if (!db.scalar("SELECT 1 FROM rules WHERE id = $1", pg::Params().add(rule.id)))
      throw_rule_not_found(rule.id);
    require_free_rule_name(rule.name, rule.id);
    db.query(
        "UPDATE rules SET name = $2, position = CASE WHEN $3::bigint > 0 THEN $3::bigint ELSE position END, "
        "enabled = $4, spec = $5, modified = $6 WHERE id = $1",
        pg::Params()
            .add(rule.id)
            .add(rule.name)
            .add(rule.position)
            .add(rule.enabled)
            .add(rule.spec)
            .add(to_unix(now)));
    db.query("UPDATE meta SET value = value + 1 WHERE key = 'rules_version'");
    tx.commit();
  });
}

Result<void> PostgresStore::remove_rule(std::int64_t id) {
  return guarded([&] {
    pg::Transaction tx(db);
    if (!db.scalar("DELETE FROM rules WHERE id = $1 RETURNING id", pg::Params().add(id)))
      throw_rule_not_found(id);
    db.query("UPDATE meta SET value = value + 1 WHERE key = 'rules_version'");
    tx.commit();
  });
}

Result<std::int64_t> PostgresStore::rules_version() {
  return guarded([&] { return db.scalar("SELECT value FROM meta WHERE key = 'rules_version'").value_or(0); });
}

}  // namespace tinhop::storage
