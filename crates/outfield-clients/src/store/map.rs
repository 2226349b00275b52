//! Clients as points on a map: the clients of a filter inside the part of the map a person looks at.
//!
//! A view holding more clients than a map can show readably comes back as clusters instead: the view
//! is cut into a grid and each cell with clients is one point with their number, at their mean
//! position. Zooming in splits the clusters until single clients show. The grid is read from the
//! position index alone (it holds each client's id for the visibility rule), grouped by one number per
//! cell, so a view costs about what the clients inside it cost to count.

use outfield_core::auth::Scope;
use outfield_core::db::Tx;
use outfield_core::people::store::{bind_scope, VISIBLE_CTE};
use serde::Serialize;
use sqlx::Row;

use super::{filter_conditions, within_reach, ClientFilter, SqlParams};
use crate::search;

/// Most single clients one view shows; a view with more shows clusters.
pub const MAX_POINTS: i64 = 1_000;
/// Rows of the cluster grid over a view's height (its columns follow the view's shape).
const GRID_ROWS: f64 = 8.0;
/// Most single-client cells of a clustered view that are shown with their client's name.
const MAX_NAMED_CELLS: usize = 500;

/// The part of the map a person looks at, in degrees.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct MapArea {
    /// Southern edge.
    pub south: f64,
    /// Western edge.
    pub west: f64,
    /// Northern edge.
    pub north: f64,
    /// Eastern edge.
    pub east: f64,
}

impl MapArea {
    /// An area from its edges as a browser's map reports them: clamped to the globe, `None` when the
    /// edges do not make an area.
    pub fn new(south: f64, west: f64, north: f64, east: f64) -> Option<MapArea> {
        let area = MapArea {
            south: south.clamp(-90.0, 90.0),
            west: west.clamp(-180.0, 180.0),
            north: north.clamp(-90.0, 90.0),
            east: east.clamp(-180.0, 180.0),
        };
        let finite = [south, west, north, east].iter().all(|v| v.is_finite());
        (finite && area.south < area.north && area.west < area.east).then_some(area)
    }
}

/// One point on the map: a client, or a cluster of `count` clients.
#[derive(Debug, Clone, Serialize)]
pub struct MapPoint {
    /// Degrees north (a cluster's mean).
    pub latitude: f64,
    /// Degrees east (a cluster's mean).
    pub longitude: f64,
    /// Clients at this point: 1 for a single client.
    pub count: i64,
    /// The client's id (single clients only).
    pub id: Option<String>,
    /// The client's name (single clients only).
    pub name: Option<String>,
    /// The client's type (single clients only).
    pub client_type: Option<String>,
}

/// What a view of the map shows.
#[derive(Debug, Clone, Serialize)]
pub struct MapView {
    /// The area shown: the one asked for, or the clients' own extent when none was.
    pub area: Option<MapArea>,
    /// Clients of the filter inside the area.
    pub total: i64,
    /// Whether the points are clusters.
    pub clustered: bool,
    /// The points.
    pub points: Vec<MapPoint>,
}

/// The clients of `filter` the scope may see inside `area` (everywhere when `None`, and the area
/// becomes the clients' extent), as single clients or clusters. The grid is read first: its cells add
/// up to the view's total, so a wide view costs one grouped read and a narrow one a second, small read
/// of its pins.
pub async fn view(
    tx: &mut Tx,
    scope: &Scope,
    filter: &ClientFilter,
    area: Option<MapArea>,
) -> sqlx::Result<MapView> {
    let area = match area {
        Some(area) => Some(area),
        None => extent(tx, scope, filter).await?,
    };
    let Some(area) = area else {
        return Ok(MapView {
            area: None,
            total: 0,
            clustered: false,
            points: Vec::new(),
        });
    };
    let mut cells = clusters_in(tx, scope, filter, area).await?;
    let total = cells.iter().map(|cell| cell.count).sum();
    let clustered = total > MAX_POINTS;
    let points = if clustered {
        name_single_cells(tx, scope, filter, area, &mut cells).await?;
        cells
    } else if total > 0 {
        singles_in(tx, scope, filter, area, None).await?
    } else {
        Vec::new()
    };
    Ok(MapView {
        area: Some(area),
        total,
        clustered,
        points,
    })
}

/// The SQL of the filter's clients with a position, inside `area` when given: `select` and `tail`
/// around the shared conditions, with their parameters.
fn located_sql(
    scope: &Scope,
    filter: &ClientFilter,
    area: Option<MapArea>,
    select: &str,
    tail: impl FnOnce(&mut SqlParams) -> String,
) -> (String, SqlParams) {
    let mut params = SqlParams::after_scope();
    let terms = filter.q.as_deref().map(search::terms).unwrap_or_default();
    let mut conditions: Vec<String> = terms.iter().map(|t| t.condition(&mut params)).collect();
    conditions.extend(filter_conditions(filter, &mut params));
    conditions.push("c.latitude IS NOT NULL AND c.longitude IS NOT NULL".into());
    if let Some(area) = area {
        let [s, n, w, e] = [area.south, area.north, area.west, area.east].map(|v| params.number(v));
        conditions.push(format!(
            "c.latitude BETWEEN {s} AND {n} AND c.longitude BETWEEN {w} AND {e}"
        ));
    }
    let tail = tail(&mut params);
    let sql = format!(
        "{VISIBLE_CTE} SELECT {select} FROM clients c WHERE c.company_id = $1 \
         AND {} AND {} {tail}",
        within_reach(scope),
        conditions.join(" AND ")
    );
    (sql, params)
}

async fn extent(
    tx: &mut Tx,
    scope: &Scope,
    filter: &ClientFilter,
) -> sqlx::Result<Option<MapArea>> {
    let select = "MIN(c.latitude) AS south, MIN(c.longitude) AS west, \
                  MAX(c.latitude) AS north, MAX(c.longitude) AS east";
    let (sql, params) = located_sql(scope, filter, None, select, |_| String::new());
    let row = params
        .bind(bind_scope(sqlx::query(&sql), scope))
        .fetch_one(&mut **tx)
        .await?;
    let edge = |name: &str| row.try_get::<Option<f64>, _>(name);
    let (Some(south), Some(west), Some(north), Some(east)) =
        (edge("south")?, edge("west")?, edge("north")?, edge("east")?)
    else {
        return Ok(None);
    };
    // A single place still needs an area around it; a little margin keeps edge clients off the border.
    let margin = ((north - south).max(east - west) * 0.05).max(0.01);
    Ok(MapArea::new(
        south - margin,
        west - margin,
        north + margin,
        east + margin,
    ))
}

/// The clients inside `area` as pins, by name; only those at the given positions when `at` names some.
async fn singles_in(
    tx: &mut Tx,
    scope: &Scope,
    filter: &ClientFilter,
    area: MapArea,
    at: Option<&[(f64, f64)]>,
) -> sqlx::Result<Vec<MapPoint>> {
    let select = "c.id, c.name, c.client_type, c.latitude, c.longitude";
    let (sql, params) = located_sql(scope, filter, Some(area), select, |params| {
        let positions = at.map(|at| {
            let each: Vec<String> = at
                .iter()
                .map(|&(latitude, longitude)| {
                    let (lat, lon) = (params.number(latitude), params.number(longitude));
                    format!("(c.latitude = {lat} AND c.longitude = {lon})")
                })
                .collect();
            format!("AND ({})", each.join(" OR "))
        });
        format!(
            "{} ORDER BY c.name, c.id LIMIT {}",
            positions.unwrap_or_default(),
            params.integer(MAX_POINTS)
        )
    });
    let rows = params
        .bind(bind_scope(sqlx::query(&sql), scope))
        .fetch_all(&mut **tx)
        .await?;
    rows.iter()
        .map(|row| {
            Ok(MapPoint {
                latitude: row.try_get("latitude")?,
                longitude: row.try_get("longitude")?,
                count: 1,
                id: Some(row.try_get("id")?),
                name: Some(row.try_get("name")?),
                client_type: Some(row.try_get("client_type")?),
            })
        })
        .collect()
}

/// Gives the cells that hold one client that client's id, name and type. Such a cell's mean position
/// is the client's own, so the clients are found by position, in one read of at most
/// [`MAX_NAMED_CELLS`] positions.
async fn name_single_cells(
    tx: &mut Tx,
    scope: &Scope,
    filter: &ClientFilter,
    area: MapArea,
    cells: &mut [MapPoint],
) -> sqlx::Result<()> {
    let positions: Vec<(f64, f64)> = cells
        .iter()
        .filter(|cell| cell.count == 1)
        .map(|cell| (cell.latitude, cell.longitude))
        .take(MAX_NAMED_CELLS)
        .collect();
    if positions.is_empty() {
        return Ok(());
    }
    let clients = singles_in(tx, scope, filter, area, Some(&positions)).await?;
    for cell in cells.iter_mut().filter(|cell| cell.count == 1) {
        if let Some(client) = clients
            .iter()
            .find(|c| c.latitude == cell.latitude && c.longitude == cell.longitude)
        {
            *cell = client.clone();
        }
    }
    Ok(())
}

/// The view's clients grouped into the cells of a grid: their number and mean position per cell. The
/// cell is one number (row × columns + column), so that the grouping sorts one key.
async fn clusters_in(
    tx: &mut Tx,
    scope: &Scope,
    filter: &ClientFilter,
    area: MapArea,
) -> sqlx::Result<Vec<MapPoint>> {
    let cell = (area.north - area.south) / GRID_ROWS;
    // One more column than the rounded positions reach, so that no two cells share a number.
    let columns = ((area.east - area.west) / cell).ceil() + 2.0;
    let select = "COUNT(*) AS clients, AVG(c.latitude) AS latitude, AVG(c.longitude) AS longitude";
    let (sql, params) = located_sql(scope, filter, Some(area), select, |params| {
        let [s, w, size, columns] =
            [area.south, area.west, cell, columns].map(|v| params.number(v));
        // ROUND, not FLOOR: both databases have it (SQLite's FLOOR needs its math extension), and
        // a grid shifted by half a cell clusters as well.
        format!(
            "GROUP BY ROUND((c.latitude - {s}) / {size}) * {columns} + ROUND((c.longitude - {w}) / {size})"
        )
    });
    let rows = params
        .bind(bind_scope(sqlx::query(&sql), scope))
        .fetch_all(&mut **tx)
        .await?;
    rows.iter()
        .map(|row| {
            Ok(MapPoint {
                latitude: row.try_get("latitude")?,
                longitude: row.try_get("longitude")?,
                count: row.try_get("clients")?,
                id: None,
                name: None,
                client_type: None,
            })
        })
        .collect()
}
