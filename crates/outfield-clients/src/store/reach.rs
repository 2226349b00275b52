//! Which clients a scope may see, as SQL: held by someone the scope sees (the `visible` CTE over
//! parameters $1–$3, bound by `bind_scope`). A client is held by its owners and by whatever other
//! feature declares it holds clients for people (field activity: a visit plan), through
//! `Feature::client_holders`, so this rule names no other feature's table. Reads of a few clients test
//! each on its own; scans, counts and map views read the set of clients in reach once.

use outfield_core::auth::Scope;
use outfield_core::feature::client_holders;
use outfield_core::people::store::{reach, VISIBLE_CTE};

use super::select::CLIENT_COLUMNS;

/// Clients of the scope's reach — held by someone the scope sees: parameters
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

/// The condition that the client with this id column is held by someone in the `visible` CTE.
pub(crate) fn reach_sql(client_id: &str) -> String {
    let held: Vec<String> = client_holders()
        .map(|h| {
            format!(
                "EXISTS (SELECT 1 FROM {table} h JOIN visible v ON v.id = h.{person} \
                 WHERE h.company_id = $1 AND h.{client} = {client_id})",
                table = h.table,
                person = h.person_column,
                client = h.client_column,
            )
        })
        .collect();
    format!("({})", held.join(" OR "))
}

/// The ids of the clients someone the scope sees (the `visible` CTE) holds, as one set: each listed
/// once when `distinct` (to count them), else as they come (for an `IN`, which needs no sort). A person
/// who sees only themselves reads their own holdings by their id; for a team the people come first
/// (`CROSS JOIN` keeps SQLite to that order).
pub(crate) fn reachable_clients(scope: &Scope, distinct: bool) -> String {
    let union = if distinct { " UNION " } else { " UNION ALL " };
    // PostgreSQL cannot estimate the recursive CTE and would scan every ownership of the company, so a
    // person who sees only themselves is looked up by id.
    let own = reach(scope) == "self";
    let held: Vec<String> = client_holders()
        .map(|h| {
            let (table, person, client) = (h.table, h.person_column, h.client_column);
            if own {
                format!(
                    "SELECT h.{client} FROM {table} h WHERE h.company_id = $1 AND h.{person} = $2"
                )
            } else {
                format!(
                    "SELECT h.{client} FROM visible v CROSS JOIN {table} h \
                     WHERE h.company_id = $1 AND h.{person} = v.id"
                )
            }
        })
        .collect();
    held.join(union)
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
