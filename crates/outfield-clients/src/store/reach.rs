//! Which clients a scope may see, as SQL: owned by, or on a visit plan of, someone the scope sees
//! (the `visible` CTE over parameters $1–$3, bound by `bind_scope`). Reads of a few clients test each
//! on its own; scans, counts and map views read the set of clients in reach once.

use outfield_core::auth::Scope;
use outfield_core::people::store::{reach, VISIBLE_CTE};

use super::select::CLIENT_COLUMNS;

/// Clients of the scope's reach — owned by, or on a visit plan of, someone the scope sees: parameters
/// $1–$3 are bound by `bind_scope`. Each client is tested on its own, which suits reads of a few
/// clients (one by id, a box around a point).
pub(crate) fn visible_clients_sql(extra: &str) -> String {
    format!(
        "{VISIBLE_CTE} SELECT {CLIENT_COLUMNS} FROM clients c WHERE c.company_id = $1 \
         AND ($3 = 'all' OR {}) {extra}",
        reach_sql("c.id")
    )
}

/// The same clients for a scan in list order: the set in reach is read once and each client looked up
/// in it, so a page costs little even where the clients a person sees lie far apart in that order
/// (tested one by one, a page past 80,000 clients of others took 440 ms).
pub(crate) fn clients_in_reach_sql(scope: &Scope, extra: &str) -> String {
    format!(
        "{VISIBLE_CTE} SELECT {CLIENT_COLUMNS} FROM clients c WHERE c.company_id = $1 AND {} {extra}",
        within_reach(scope)
    )
}

/// The condition that the client with this id column is owned by, or on a visit plan of, someone in the
/// `visible` CTE.
pub(crate) fn reach_sql(client_id: &str) -> String {
    format!(
        "(EXISTS (SELECT 1 FROM client_owners o JOIN visible v ON v.id = o.person_id \
              WHERE o.company_id = $1 AND o.client_id = {client_id}) \
           OR EXISTS (SELECT 1 FROM visit_plans vp JOIN visible v ON v.id = vp.person_id \
              WHERE vp.company_id = $1 AND vp.client_id = {client_id}))"
    )
}

/// The ids of the clients someone the scope sees (the `visible` CTE) owns or has on a visit plan, as
/// one set: each listed once when `distinct` (to count them), else as they come (for an `IN`, which
/// needs no sort). A person who sees only themselves reads their own index entries by their id; for a
/// team the people come first (`CROSS JOIN` keeps SQLite to that order).
pub(crate) fn reachable_clients(scope: &Scope, distinct: bool) -> String {
    let union = if distinct { "UNION" } else { "UNION ALL" };
    if reach(scope) == "self" {
        // PostgreSQL cannot estimate the recursive CTE and would scan every ownership of the company.
        return format!(
            "SELECT o.client_id FROM client_owners o WHERE o.company_id = $1 AND o.person_id = $2 \
             {union} SELECT vp.client_id FROM visit_plans vp \
               WHERE vp.company_id = $1 AND vp.person_id = $2"
        );
    }
    format!(
        "SELECT o.client_id FROM visible v CROSS JOIN client_owners o \
           WHERE o.company_id = $1 AND o.person_id = v.id \
         {union} SELECT vp.client_id FROM visible v CROSS JOIN visit_plans vp \
           WHERE vp.company_id = $1 AND vp.person_id = v.id"
    )
}

/// The condition that the scope may see client `c`, for reads over many clients (counts, map views):
/// the set of clients in reach is read once and each client looked up in it, where [`reach_sql`]
/// would test each client on its own. Owners and admins see every client.
pub(crate) fn within_reach(scope: &Scope) -> String {
    if scope.role().administers() {
        "$3 = 'all'".to_string()
    } else {
        // Inside an OR, PostgreSQL keeps the set a hashed filter on the scan in list order instead of
        // a join that would read every client in reach to sort them.
        format!(
            "($3 = 'all' OR c.id IN ({}))",
            reachable_clients(scope, false)
        )
    }
}
