// Leases for several daemons over one database (issue #18): a source is claimed with its
// host's politeness in one statement, rows locked with SKIP LOCKED so nodes never wait on
// each other's claims.
#include <algorithm>
#include <limits>
#include <string>

#include "postgres_store.hpp"

namespace tinhop::storage {

namespace {

std::int64_t ms(MilliInstant t) {
  return t.time_since_epoch().count();
}

MilliInstant from_ms(std::int64_t value) {
  return MilliInstant{std::chrono::milliseconds{value}};
}

// A bigint[] literal of the ids ("{1,2,3}").
std::string id_array(std::span<const std::int64_t> ids) {
  std::string out = "{";
  for (std::size_t i = 0; i < ids.size(); ++i) {
    if (i > 0) out += ',';
    out += std::to_string(ids[i]);
  }
  return out + "}";
}

// The host row is locked first (SKIP LOCKED: another node is claiming on this host right
// now, so this claim waits for the next try); under its lock the host's unexpired leases
// are counted, so no two nodes both see room for one more. Then the source row, due and
// free (or already ours), and the host's next start and the lease are written together.
constexpr const char* kClaim = R"sql(
WITH host AS (
  SELECT host FROM cluster_hosts
   WHERE host = $3 AND next_allowed_ms <= $4
   FOR UPDATE SKIP LOCKED),
source AS (
  SELECT l.source_id FROM source_leases l, host
   WHERE l.source_id = $1 AND (l.next_due_ms <= $4 OR $9::boolean)
     AND (l.owner IS NULL OR l.owner = $2 OR l.lease_until_ms <= $4)
     AND (SELECT count(*) FROM source_leases b
           WHERE b.host = $3 AND b.owner IS NOT NULL AND b.lease_until_ms > $4 AND b.source_id <> $1) < $5
   FOR UPDATE OF l SKIP LOCKED),
spaced AS (
  UPDATE cluster_hosts h
     SET next_allowed_ms = $4 + CASE WHEN h.slowed_until_ms > $4 THEN $7::bigint ELSE $6::bigint END
    FROM source WHERE h.host = $3 RETURNING h.host)
UPDATE source_leases l SET owner = $2, lease_until_ms = $4::bigint + $8::bigint, polled_by = $2
  FROM source, spaced WHERE l.source_id = source.source_id RETURNING l.source_id
)sql";

}  // namespace

Result<Claim> PostgresStore::claim_source(const ClaimRequest& request) {
  return guarded([&] {
    const bool polite = !request.host.empty();
    db.query(
        "INSERT INTO source_leases(source_id, host) VALUES ($1, $2) "
        "ON CONFLICT(source_id) DO UPDATE SET host = excluded.host WHERE source_leases.host <> excluded.host",
        pg::Params().add(request.source_id).add(request.host));
    db.query("INSERT INTO cluster_hosts(host) VALUES ($1) ON CONFLICT(host) DO NOTHING",
             pg::Params().add(request.host));
    auto claimed =
        db.query(kClaim, pg::Params()
                             .add(request.source_id)
                             .add(request.node)
                             .add(request.host)
                             .add(ms(request.now))
                             .add(polite ? request.per_host : std::numeric_limits<std::int64_t>::max())
                             .add(polite ? request.spacing.count() : std::int64_t{0})
                             .add(polite ? request.slowed_spacing.count() : std::int64_t{0})
                             .add(request.lease.count())
                             .add(request.asked));
    Claim claim;
    if (claimed.next()) {
      claim.granted = true;
      return claim;
    }
    auto why = db.query(
        "SELECT l.next_due_ms, l.owner, l.lease_until_ms, h.next_allowed_ms FROM source_leases l, "
        "cluster_hosts h "
        "WHERE l.source_id = $1 AND h.host = l.host",
        pg::Params().add(request.source_id));
    const std::int64_t now = ms(request.now);
    std::int64_t retry = now;
    if (why.next()) {
      if (!request.asked) retry = std::max(retry, why.int64(0));
      const auto owner = why.optional_text(1);
      const std::int64_t lease_until = why.optional_int64(2).value_or(0);
      if (owner && *owner != request.node && lease_until > now) {
        retry = std::max(retry, lease_until);
        claim.holder = *owner;
      }
      retry = std::max(retry, why.int64(3));
    }
    // Nothing in the rows says when: the host is full or another claim held a lock.
    if (retry == now) retry = now + std::max<std::int64_t>(request.spacing.count(), 100);
    claim.retry_at = from_ms(retry);
    return claim;
  });
}

Result<std::vector<std::int64_t>> PostgresStore::renew_leases(std::string_view node,
                                                              std::span<const std::int64_t> source_ids,
                                                              MilliInstant until) {
  return guarded([&] {
    std::vector<std::int64_t> held;
    auto rows = db.query(
        "UPDATE source_leases SET lease_until_ms = $3 WHERE owner = $1 AND source_id = ANY($2::bigint[]) "
        "RETURNING source_id",
        pg::Params().add(node).add(id_array(source_ids)).add(ms(until)));
    while (rows.next()) held.push_back(rows.int64(0));
    std::sort(held.begin(), held.end());
    return held;
  });
}

Result<std::vector<std::int64_t>> PostgresStore::release_leases(std::string_view node,
                                                                std::span<const LeaseRelease> releases) {
  return guarded([&] {
    std::vector<std::int64_t> held;
    pg::Transaction tx(db);
    for (const LeaseRelease& release : releases) {
      auto rows = db.query(
          "UPDATE source_leases SET owner = NULL, lease_until_ms = NULL, next_due_ms = $3 "
          "WHERE source_id = $1 AND owner = $2 RETURNING host",
          pg::Params().add(release.source_id).add(node).add(ms(release.next_due)));
      if (!rows.next()) continue;
      held.push_back(release.source_id);
      if (release.host_slowed_until) {
        db.query("UPDATE cluster_hosts SET slowed_until_ms = greatest(slowed_until_ms, $2) WHERE host = $1",
                 pg::Params().add(rows.text(0)).add(ms(*release.host_slowed_until)));
      }
    }
    tx.commit();
    std::sort(held.begin(), held.end());
    return held;
  });
}

Result<void> PostgresStore::heartbeat(const NodeHeartbeat& beat) {
  return guarded([&] {
    db.query(
        "INSERT INTO cluster_nodes(node, started_ms, heartbeat_ms, claims, lost_leases) "
        "VALUES ($1, $2, $3, $4, $5) ON CONFLICT(node) DO UPDATE SET started_ms = excluded.started_ms, "
        "heartbeat_ms = excluded.heartbeat_ms, claims = excluded.claims, lost_leases = excluded.lost_leases",
        pg::Params()
            .add(beat.node)
            .add(ms(beat.started))
            .add(ms(beat.now))
            .add(beat.claims)
            .add(beat.lost_leases));
  });
}

Result<std::vector<NodeStatus>> PostgresStore::cluster_status(MilliInstant now) {
  return guarded([&] {
    std::vector<NodeStatus> nodes;
    auto rows = db.query(
        "SELECT n.node, n.started_ms, n.heartbeat_ms, n.claims, n.lost_leases, "
        "(SELECT count(*) FROM source_leases l WHERE l.owner = n.node AND l.lease_until_ms > $1), "
        "(SELECT count(*) FROM source_leases l WHERE l.polled_by = n.node) "
        "FROM cluster_nodes n ORDER BY n.node",
        pg::Params().add(ms(now)));
    while (rows.next()) {
      nodes.push_back(NodeStatus{.node = rows.text(0),
                                 .started = from_ms(rows.int64(1)),
                                 .heartbeat = from_ms(rows.int64(2)),
                                 .claims = rows.int64(3),
                                 .lost_leases = rows.int64(4),
                                 .leases_held = rows.int64(5),
                                 .sources = rows.int64(6)});
    }
    return nodes;
  });
}

}  // namespace tinhop::storage
