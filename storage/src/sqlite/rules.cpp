// The editorial rules kept in the store (issue #20): the file's, synced in, and those the
// CLI and the API manage. Every change bumps rules_version in the same transaction.
#include "store_impl.hpp"

namespace tinhop::storage {

namespace {

StoredRule rule_from(sql::Statement& s) {
  return {s.int64(0),
          s.text(1),
          parse_origin(s.text(2)).value_or(SourceOrigin::cli),
          s.int64(3),
          s.boolean(4),
          s.text(5),
          from_unix(s.int64(6)),
          from_unix(s.int64(7))};
}

[[noreturn]] void throw_rule_not_found(std::int64_t id) {
  throw sql::SqlFailure{Error{Errc::not_found, "no rule with id " + std::to_string(id)}};
}

}  // namespace

void SqliteStore::require_free_rule_name(std::string_view name, std::int64_t id) {
  auto q = db.statement("SELECT id FROM rules WHERE name = ?1 AND id <> ?2");
  q->bind(1, name).bind(2, id);
  if (q->step()) {
    throw sql::SqlFailure{Error{Errc::already_exists, "rule " + std::to_string(q->int64(0)) + " is named \"" +
                                                          std::string(name) + "\" already"}};
  }
}

Result<std::vector<StoredRule>> SqliteStore::list_rules() {
  return guarded([&] {
    std::vector<StoredRule> out;
    auto s = db.statement(
        "SELECT id, name, origin, position, enabled, spec, created, modified FROM rules "
        "ORDER BY origin <> 'config', position, id");
    while (s->step()) out.push_back(rule_from(*s));
    return out;
  });
}

Result<std::int64_t> SqliteStore::add_rule(const StoredRule& rule, Instant now, std::size_t most) {
  return guarded([&] {
    sql::Transaction tx(db);  // BEGIN IMMEDIATE: one adder at a time, between the count and the insert
    {
      auto count = db.statement("SELECT count(*) FROM rules");
      count->step();
      require_room_for_rule(static_cast<std::size_t>(count->int64(0)), most);
    }
    require_free_rule_name(rule.name, 0);
    std::int64_t id = 0;
    {  // the statement done (its loan reset) before the commit
      auto q = db.statement(
          "INSERT INTO rules(name, origin, position, enabled, spec, created, modified) VALUES (?1, ?2, "
          "CASE WHEN ?3 > 0 THEN ?3 ELSE (SELECT coalesce(max(position), 0) + 1 FROM rules "
          "WHERE (origin = 'config') = (?2 = 'config')) END, ?4, ?5, ?6, ?6) RETURNING id");
      q->bind(1, rule.name)
          .bind(2, origin_name(rule.origin))
          .bind(3, rule.position)
          .bind(4, rule.enabled ? 1 : 0)
          .bind(5, rule.spec)
          .bind(6, to_unix(now));
      q->step();
      id = q->int64(0);
    }
    db.statement("UPDATE meta SET value = value + 1 WHERE key = 'rules_version'")->run();
    tx.commit();
    return id;
  });
}

Result<void> SqliteStore::update_rule(const StoredRule& rule, Instant now) {
  return guarded([&] {
    sql::Transaction tx(db);
    auto exists = db.statement("SELECT 1 FROM rules WHERE id = ?1");
    exists->bind(1, rule.id);
    if (!exists->step()) throw_rule_not_found(rule.id);
    require_free_rule_name(rule.name, rule.id);
    auto q = db.statement(
        "UPDATE rules SET name = ?2, position = CASE WHEN ?3 > 0 THEN ?3 ELSE position END, enabled = ?4, "
        "spec = ?5, modified = ?6 WHERE id = ?1");
    q->bind(1, rule.id)
        .bind(2, rule.name)
        .bind(3, rule.position)
        .bind(4, rule.enabled ? 1 : 0)
        .bind(5, rule.spec)
        .bind(6, to_unix(now))
        .run();
    db.statement("UPDATE meta SET value = value + 1 WHERE key = 'rules_version'")->run();
    tx.commit();
  });
}

Result<void> SqliteStore::remove_rule(std::int64_t id) {
  return guarded([&] {
    sql::Transaction tx(db);
    auto q = db.statement("DELETE FROM rules WHERE id = ?1");
    q->bind(1, id).run();
    if (db.changes() == 0) throw_rule_not_found(id);
    db.statement("UPDATE meta SET value = value + 1 WHERE key = 'rules_version'")->run();
    tx.commit();
  });
}

Result<std::int64_t> SqliteStore::rules_version() {
  return guarded([&] {
    auto q = db.statement("SELECT value FROM meta WHERE key = 'rules_version'");
    return q->step() ? q->int64(0) : std::int64_t{0};
  });
}

}  // namespace tinhop::storage
