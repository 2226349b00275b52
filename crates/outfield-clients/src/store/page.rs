//! Pages of the client list in a stable order, with the true number of clients the filter matches.
//!
//! Paging is by key, not by offset: a page starts after (or ends before) a client named by the cursor,
//! so that the 2,000th page costs what the first does. The cursor also carries the position of the
//! page's first client, for "51–100 of 19,608".

use outfield_core::auth::Scope;
use outfield_core::db::Tx;
use outfield_core::ids::ClientId;
use outfield_core::people::store::{bind_scope, VISIBLE_CTE};
use sqlx::FromRow;

use super::{
    attach_owners, clients_in_reach_sql, fetch_clients, filter_conditions, reachable_clients,
    visible_clients_sql, within_reach, Client, ClientFilter, SqlParams,
};

/// How the list is ordered.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ListOrder {
    /// By name, A to Z.
    #[default]
    Name,
    /// Newest first.
    Newest,
}

impl ListOrder {
    /// The name in URLs.
    pub fn as_str(self) -> &'static str {
        match self {
            ListOrder::Name => "name",
            ListOrder::Newest => "newest",
        }
    }

    /// The sort column, and whether it runs downwards.
    fn key(self) -> (&'static str, bool) {
        match self {
            ListOrder::Name => ("name", false),
            ListOrder::Newest => ("created_at", true),
        }
    }
}

/// Where a page starts: after the client a "next" link names, or before the one a "previous" link
/// names; `position` is the 1-based position of the page's first client.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cursor {
    /// The page after this client, whose position was `position - 1`.
    After {
        /// The last client of the page before.
        client: ClientId,
        /// Position of this page's first client.
        position: i64,
    },
    /// The page before this client.
    Before {
        /// The first client of the page after.
        client: ClientId,
        /// Position of this page's first client.
        position: i64,
    },
}

impl Cursor {
    /// Reads a cursor from a URL value (`after` or `before` with `<position>.<client id>`); a malformed
    /// one starts from the top.
    pub fn parse(after: Option<&str>, before: Option<&str>) -> Option<Cursor> {
        let read = |raw: &str| {
            let (position, client) = raw.split_once('.')?;
            Some((
                position.parse::<i64>().ok()?.max(1),
                client.parse::<ClientId>().ok()?,
            ))
        };
        if let Some((position, client)) = after.and_then(read) {
            return Some(Cursor::After { client, position });
        }
        before
            .and_then(read)
            .map(|(position, client)| Cursor::Before { client, position })
    }
}

/// One page of the list.
#[derive(Debug)]
pub struct ClientPage {
    /// The clients, in order.
    pub clients: Vec<Client>,
    /// How many clients the filter matches in all.
    pub total: i64,
    /// Position of the first client shown (1-based; 0 when the page is empty).
    pub first: i64,
    /// The `after` value of the next page's link, if there is a next page.
    pub next: Option<String>,
    /// The `before` value of the previous page's link, if there is a previous page.
    pub previous: Option<String>,
}

/// The sort key of the cursor's client.
#[derive(FromRow)]
struct Anchor {
    name: String,
    created_at: i64,
}

/// A page of `size` clients the scope may see that match the filter's status, owner and tag.
pub async fn page(
    tx: &mut Tx,
    scope: &Scope,
    filter: &ClientFilter,
    (order, cursor, size): (ListOrder, Option<Cursor>, i64),
) -> sqlx::Result<ClientPage> {
    let size = size.clamp(1, 500);
    let total = count(tx, scope, filter).await?;
    let anchor_id = cursor.map(|c| match c {
        Cursor::After { client, .. } | Cursor::Before { client, .. } => client,
    });
    let anchor = anchor_of(tx, scope, anchor_id).await?;
    // A cursor whose client is gone starts from the top.
    let cursor = cursor.filter(|_| anchor.is_some());
    let backwards = matches!(cursor, Some(Cursor::Before { .. }));
    let (column, descending) = order.key();
    let mut params = SqlParams::after_scope();
    let mut conditions = filter_conditions(filter, &mut params);
    if let (Some(anchor), Some(id)) = (&anchor, anchor_id) {
        let key = match order {
            ListOrder::Name => params.text(anchor.name.clone()),
            ListOrder::Newest => params.integer(anchor.created_at),
        };
        let id = params.text(id.to_string());
        // Beyond the anchor in the direction the page is read, as a row value: both databases read it
        // as a range of the index, where PostgreSQL filters an OR of the two columns row by row.
        let beyond = if descending != backwards { "<" } else { ">" };
        conditions.push(format!("(c.{column}, c.id) {beyond} ({key}, {id})"));
    }
    let direction = if descending != backwards {
        "DESC"
    } else {
        "ASC"
    };
    let limit = params.integer(size + 1);
    let sql = clients_in_reach_sql(
        scope,
        &format!(
            "{} ORDER BY c.{column} {direction}, c.id {direction} LIMIT {limit}",
            conditions
                .iter()
                .map(|c| format!("AND {c}"))
                .collect::<String>()
        ),
    );
    let mut clients = fetch_clients(tx, scope, &sql, params).await?;
    let more = clients.len() as i64 > size;
    clients.truncate(size as usize);
    if backwards {
        clients.reverse();
    }
    attach_owners(tx, scope.company_id(), &mut clients).await?;
    Ok(neighbours(clients, total, cursor, (more, size)))
}

/// The page with its position and the links to the pages beside it.
fn neighbours(
    clients: Vec<Client>,
    total: i64,
    cursor: Option<Cursor>,
    (more, size): (bool, i64),
) -> ClientPage {
    let backwards = matches!(cursor, Some(Cursor::Before { .. }));
    // Read backwards, the page is the first one when nothing lies before it.
    let first = match cursor {
        Some(Cursor::After { position, .. }) => position,
        Some(Cursor::Before { position, .. }) if more => position,
        _ => 1,
    }
    .min(total.max(1));
    let last = first + clients.len() as i64 - 1;
    let has_next = backwards || more;
    let has_previous = if backwards { more } else { first > 1 };
    ClientPage {
        next: has_next
            .then(|| clients.last().map(|c| format!("{}.{}", last + 1, c.id)))
            .flatten(),
        previous: has_previous
            .then(|| {
                clients
                    .first()
                    .map(|c| format!("{}.{}", (first - size).max(1), c.id))
            })
            .flatten(),
        first: if clients.is_empty() { 0 } else { first },
        clients,
        total,
    }
}

/// The sort key of the client a cursor names, if it still exists and the scope may see it (a cursor
/// naming any other client would tell where that client's name falls among the visible ones).
async fn anchor_of(
    tx: &mut Tx,
    scope: &Scope,
    client: Option<ClientId>,
) -> sqlx::Result<Option<Anchor>> {
    let Some(client) = client else {
        return Ok(None);
    };
    let sql = visible_clients_sql("AND c.id = $4");
    let row = bind_scope(sqlx::query(&sql), scope)
        .bind(client)
        .fetch_optional(&mut **tx)
        .await?;
    row.as_ref().map(Anchor::from_row).transpose()
}
/// How many clients the scope may see match the filter's status, owner and tag. For a scope that sees
/// part of the company the count starts from the set of clients in its reach; with no filter it is
/// that set's size, and no client row is read.
async fn count(tx: &mut Tx, scope: &Scope, filter: &ClientFilter) -> sqlx::Result<i64> {
    let mut params = SqlParams::after_scope();
    let conditions: String = filter_conditions(filter, &mut params)
        .iter()
        .map(|c| format!(" AND {c}"))
        .collect();
    let sql = if conditions.is_empty() && !scope.role().administers() {
        format!(
            "{VISIBLE_CTE} SELECT COUNT(*) FROM ({}) r",
            reachable_clients(scope, true)
        )
    } else {
        format!(
            "{VISIBLE_CTE} SELECT COUNT(*) FROM clients c WHERE c.company_id = $1 AND {}{conditions}",
            within_reach(scope)
        )
    };
    params
        .bind(bind_scope(sqlx::query(&sql), scope))
        .fetch_one(&mut **tx)
        .await
        .and_then(|row| sqlx::Row::try_get(&row, 0))
}
