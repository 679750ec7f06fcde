// Leases for several daemons (issue #18), on SQLite: one node writes at a time, so each
// claim is one IMMEDIATE transaction making the decisions PostgreSQL's statement makes.
// The daemon polls from memory on SQLite; these serve the tests and `cluster status`.
#include <algorithm>
#include <limits>
#include <string>

#include "store_impl.hpp"

namespace tinhop::storage {

namespace {

std::int64_t ms(MilliInstant t) {
  return t.time_since_epoch().count();
}

MilliInstant from_ms(std::int64_t value) {
  return MilliInstant{std::chrono::milliseconds{value}};
}

}  // namespace

Result<Claim> SqliteStore::claim_source(const ClaimRequest& request) {
  return guarded([&] {
    const bool polite = !request.host.empty();
    const std::int64_t now = ms(request.now);
    sql::Transaction tx(db);
    {
      auto q = db.statement(
          "INSERT INTO source_leases(source_id, host) VALUES (?1, ?2) "
          "ON CONFLICT(source_id) DO UPDATE SET host = excluded.host WHERE host <> excluded.host");
      q->bind(1, request.source_id).bind(2, request.host).run();
      auto h = db.statement("INSERT INTO cluster_hosts(host) VALUES (?1) ON CONFLICT(host) DO NOTHING");
      h->bind(1, request.host).run();
    }
    auto row = db.statement(
        "SELECT l.next_due_ms, l.owner, l.lease_until_ms, h.next_allowed_ms, h.slowed_until_ms, "
        "(SELECT count(*) FROM source_leases b WHERE b.host = l.host AND b.owner IS NOT NULL "
        "AND b.lease_until_ms > ?2 AND b.source_id <> l.source_id) "
        "FROM source_leases l JOIN cluster_hosts h ON h.host = l.host WHERE l.source_id = ?1");
    row->bind(1, request.source_id).bind(2, now);
    row->step();
    const std::int64_t next_due = row->int64(0);
    const auto owner = row->optional_text(1);
    const std::int64_t lease_until = row->optional_int64(2).value_or(0);
    const std::int64_t next_allowed = row->int64(3);
    const std::int64_t slowed_until = row->int64(4);
    const std::int64_t host_leases = row->int64(5);
    row->reset();
    const bool held_elsewhere = owner && *owner != request.node && lease_until > now;
    const std::int64_t per_host = polite ? request.per_host : std::numeric_limits<std::int64_t>::max();
    Claim claim;
    if ((next_due <= now || request.asked) && !held_elsewhere && next_allowed <= now &&
        host_leases < per_host) {
      const std::int64_t spacing =
          !polite ? 0 : (slowed_until > now ? request.slowed_spacing : request.spacing).count();
      auto host = db.statement("UPDATE cluster_hosts SET next_allowed_ms = ?2 WHERE host = ?1");
      host->bind(1, request.host).bind(2, now + spacing).run();
      auto lease = db.statement(
          "UPDATE source_leases SET owner = ?2, lease_until_ms = ?3, polled_by = ?2 WHERE source_id = ?1");
      lease->bind(1, request.source_id).bind(2, request.node).bind(3, now + request.lease.count()).run();
      tx.commit();
      claim.granted = true;
      return claim;
    }
    tx.commit();
    std::int64_t retry = std::max({now, request.asked ? now : next_due, next_allowed});
    if (held_elsewhere) {
      retry = std::max(retry, lease_until);
      claim.holder = *owner;
    }
    // Nothing in the rows says when: the host has its most leases at once.
    if (retry == now) retry = now + std::max<std::int64_t>(request.spacing.count(), 100);
    claim.retry_at = from_ms(retry);
    return claim;
  });
}

Result<std::vector<std::int64_t>> SqliteStore::renew_leases(std::string_view node,
                                                            std::span<const std::int64_t> source_ids,
                                                            MilliInstant until) {
  return guarded([&] {
    std::vector<std::int64_t> held;
    sql::Transaction tx(db);
    for (std::int64_t id : source_ids) {
      auto q = db.statement(
          "UPDATE source_leases SET lease_until_ms = ?3 WHERE source_id = ?1 AND owner = ?2 RETURNING "
          "source_id");
      q->bind(1, id).bind(2, node).bind(3, ms(until));
      if (q->step()) held.push_back(id);
      q->reset();
    }
    tx.commit();
    std::sort(held.begin(), held.end());
    return held;
  });
}

Result<std::vector<std::int64_t>> SqliteStore::release_leases(std::string_view node,
                                                              std::span<const LeaseRelease> releases) {
  return guarded([&] {
    std::vector<std::int64_t> held;
    sql::Transaction tx(db);
    for (const LeaseRelease& release : releases) {
      auto q = db.statement(
          "UPDATE source_leases SET owner = NULL, lease_until_ms = NULL, next_due_ms = ?3 "
          "WHERE source_id = ?1 AND owner = ?2 RETURNING host");
      q->bind(1, release.source_id).bind(2, node).bind(3, ms(release.next_due));
      if (!q->step()) continue;
      const std::string host = q->text(0);
      q->reset();
      held.push_back(release.source_id);
      if (release.host_slowed_until) {
        auto h = db.statement(
            "UPDATE cluster_hosts SET slowed_until_ms = max(slowed_until_ms, ?2) WHERE host = ?1");
        h->bind(1, host).bind(2, ms(*release.host_slowed_until)).run();
      }
    }
    tx.commit();
    std::sort(held.begin(), held.end());
    return held;
  });
}

Result<void> SqliteStore::heartbeat(const NodeHeartbeat& beat) {
  return guarded([&] {
    auto q = db.statement(
        "INSERT INTO cluster_nodes(node, started_ms, heartbeat_ms, claims, lost_leases) "
        "VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT(node) DO UPDATE SET started_ms = excluded.started_ms, "
        "heartbeat_ms = excluded.heartbeat_ms, claims = excluded.claims, lost_leases = excluded.lost_leases");
    q->bind(1, beat.node)
        .bind(2, ms(beat.started))
        .bind(3, ms(beat.now))
        .bind(4, beat.claims)
        .bind(5, beat.lost_leases)
        .run();
  });
}

Result<std::vector<NodeStatus>> SqliteStore::cluster_status(MilliInstant now) {
  return guarded([&] {
    std::vector<NodeStatus> nodes;
    auto q = db.statement(
        "SELECT n.node, n.started_ms, n.heartbeat_ms, n.claims, n.lost_leases, "
        "(SELECT count(*) FROM source_leases l WHERE l.owner = n.node AND l.lease_until_ms > ?1), "
        "(SELECT count(*) FROM source_leases l WHERE l.polled_by = n.node) "
        "FROM cluster_nodes n ORDER BY n.node");
    q->bind(1, ms(now));
    while (q->step()) {
      nodes.push_back(NodeStatus{.node = q->text(0),
                                 .started = from_ms(q->int64(1)),
                                 .heartbeat = from_ms(q->int64(2)),
                                 .claims = q->int64(3),
                                 .lost_leases = q->int64(4),
                                 .leases_held = q->int64(5),
                                 .sources = q->int64(6)});
    }
    return nodes;
  });
}

}  // namespace tinhop::storage
