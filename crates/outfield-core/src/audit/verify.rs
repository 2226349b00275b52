//! `outfield audit verify`: recomputes every company's chain and names the first entry that breaks it.

use futures_util::TryStreamExt;

use crate::audit::store::{
    entry_hash, ChainedEntry, StoredEntry, ENTRIES_WITH_PERSONAL_PARTS, ENTRY_COLUMNS, GENESIS,
};
use crate::db::Db;
use crate::ids::CompanyId;

/// The result of checking one company's chain.
#[derive(Debug, PartialEq, Eq)]
pub enum ChainStatus {
    /// Every entry hashes to what the next one and the company's head record.
    Intact {
        /// Number of entries checked.
        entries: i64,
    },
    /// The chain is broken at `seq`, for the stated reason.
    Broken {
        /// Sequence number of the first entry that does not check out.
        seq: i64,
        /// What is wrong with it.
        reason: String,
    },
}

/// One company's verification result.
#[derive(Debug)]
pub struct CompanyChain {
    /// The company.
    pub company_id: CompanyId,
    /// Its sign-in code.
    pub slug: String,
    /// The outcome.
    pub status: ChainStatus,
    /// Entries written but not sealed yet (the sealer chains them within a second of their commit).
    pub pending: i64,
}

/// Verifies every company's chain (or only the one with `slug`), one reader per core on long chains.
pub async fn verify_all(db: &Db, slug: Option<&str>) -> anyhow::Result<Vec<CompanyChain>> {
    let readers = std::thread::available_parallelism().map_or(1, |n| n.get()) as i64;
    verify_in_parts(db, slug, |head_seq| {
        (head_seq / readers + 1).max(SPAN_PER_READER)
    })
    .await
}

/// Verifies as [`verify_all`] does, reading each chain in parts of `span(head)` entries side by side;
/// the tests split short chains with it to check that tampering at a seam between parts is found.
pub async fn verify_in_parts(
    db: &Db,
    slug: Option<&str>,
    span: impl Fn(i64) -> i64,
) -> anyhow::Result<Vec<CompanyChain>> {
    let mut tx = db.system_read().await?;
    let companies: Vec<(CompanyId, String, i64, String)> = sqlx::query_as(
        "SELECT id, slug, audit_seq, audit_head FROM companies \
         WHERE ($1 IS NULL OR slug = $1) ORDER BY slug",
    )
    .bind(slug)
    .fetch_all(&mut *tx)
    .await?;
    let mut results = Vec::new();
    for (company_id, slug, head_seq, head_hash) in companies {
        // Read in the snapshot of the head, so an entry sealed since is not taken for a forged one.
        let last_seq: Option<i64> =
            sqlx::query_scalar("SELECT MAX(seq) FROM audit_log WHERE company_id = $1")
                .bind(company_id)
                .fetch_one(&mut *tx)
                .await?;
        let pending =
            sqlx::query_scalar("SELECT COUNT(*) FROM audit_pending WHERE company_id = $1")
                .bind(company_id)
                .fetch_one(&mut *tx)
                .await?;
        let status = match last_seq.unwrap_or(0) {
            last if last > head_seq => ChainStatus::Broken {
                seq: head_seq + 1,
                reason: format!(
                    "the trail ends at entry {last} but the company recorded {head_seq}"
                ),
            },
            _ => verify_company(db, company_id, (head_seq, head_hash), span(head_seq)).await?,
        };
        results.push(CompanyChain {
            company_id,
            slug,
            status,
            pending,
        });
    }
    tx.commit().await?;
    Ok(results)
}

/// Entries below which one reader checks a chain alone (more readers cost more than they save).
const SPAN_PER_READER: i64 = 100_000;

/// Checks the chain up to the head in parts of `span` entries read side by side: each entry carries
/// its predecessor's hash, so a part checks its own entries and the seams are checked afterwards.
async fn verify_company(
    db: &Db,
    company_id: CompanyId,
    (head_seq, head_hash): (i64, String),
    span: i64,
) -> anyhow::Result<ChainStatus> {
    let span = span.max(1);
    let parts: Vec<(i64, i64)> = (0..)
        .map(|n| (1 + n * span, ((n + 1) * span).min(head_seq)))
        .take_while(|(from, _)| *from <= head_seq.max(1))
        .collect();
    let checked = futures_util::future::try_join_all(
        parts.iter().map(|&part| verify_part(db, company_id, part)),
    )
    .await?;
    let mut expected_prev = GENESIS.to_string();
    let next_firsts: Vec<Option<i64>> = checked
        .iter()
        .skip(1)
        .map(|part| part.first_seq)
        .chain(std::iter::once(None))
        .collect();
    for ((&(from, to), part), next_first) in parts.iter().zip(checked).zip(next_firsts) {
        if let Some(broken) = part.broken {
            return Ok(broken);
        }
        match part.first_prev {
            Some(first_prev) if first_prev != expected_prev => {
                return Ok(ChainStatus::Broken {
                    seq: from,
                    reason: "its link to the previous entry does not match".into(),
                })
            }
            _ => {}
        }
        if part.last_seq < to {
            let missing = part.last_seq + 1;
            let reason = match next_first {
                Some(next) => format!("entry {missing} is missing (next present is {next})"),
                None => format!(
                    "the trail ends at entry {} but the company recorded {head_seq}",
                    part.last_seq
                ),
            };
            return Ok(ChainStatus::Broken {
                seq: missing,
                reason,
            });
        }
        if let Some(last_hash) = part.last_hash {
            expected_prev = last_hash;
        }
    }
    if expected_prev != head_hash && head_seq > 0 {
        return Ok(ChainStatus::Broken {
            seq: head_seq,
            reason: "the company's recorded head does not match the last entry".into(),
        });
    }
    Ok(ChainStatus::Intact { entries: head_seq })
}

/// What one reader found in its part of a chain.
struct PartCheck {
    /// The first entry's position and its link to its predecessor (checked against the part before).
    first_seq: Option<i64>,
    first_prev: Option<String>,
    /// The last entry's hash and position.
    last_hash: Option<String>,
    last_seq: i64,
    /// The first break inside the part.
    broken: Option<ChainStatus>,
}

impl PartCheck {
    /// Nothing checked yet of the part starting at `from`.
    fn new(from: i64) -> PartCheck {
        PartCheck {
            first_seq: None,
            first_prev: None,
            last_hash: None,
            last_seq: from - 1,
            broken: None,
        }
    }

    /// Checks the part's next entry: contiguous, linked to the one before, hashing to what it records.
    /// Returns whether to go on (false once the part is broken: no later entry changes the verdict).
    fn take(&mut self, chained: ChainedEntry) -> bool {
        self.first_seq.get_or_insert(chained.entry.seq);
        if let Some(broken) = self.fault(&chained) {
            self.broken = Some(broken);
            return false;
        }
        if self.last_hash.is_none() {
            self.first_prev = Some(chained.prev_hash);
        }
        self.last_seq = chained.entry.seq;
        self.last_hash = Some(chained.hash);
        true
    }

    /// What is wrong with the part's next entry, if anything.
    fn fault(&self, chained: &ChainedEntry) -> Option<ChainStatus> {
        let ChainedEntry {
            entry,
            prev_hash,
            hash,
            ..
        } = chained;
        let expected_seq = self.last_seq + 1;
        let (seq, reason) = if entry.seq != expected_seq {
            let reason = format!(
                "entry {expected_seq} is missing (next present is {})",
                entry.seq
            );
            (expected_seq, reason)
        } else if self
            .last_hash
            .as_ref()
            .is_some_and(|last| last != prev_hash)
        {
            let reason = "its link to the previous entry does not match";
            (entry.seq, reason.to_string())
        } else if entry_hash(prev_hash, entry) != *hash {
            let reason = "its content was altered after it was written";
            (entry.seq, reason.to_string())
        } else if let Some(reason) = chained.personal_fault() {
            (entry.seq, reason.to_string())
        } else {
            return None;
        };
        Some(ChainStatus::Broken { seq, reason })
    }
}

/// Checks entries `from..=to` of a chain, streamed, so that a part of millions of entries is checked in
/// constant memory. On SQLite the part is read on a thread of its own straight from the file (see
/// [`read_part_from_file`]).
async fn verify_part(
    db: &Db,
    company_id: CompanyId,
    (from, to): (i64, i64),
) -> anyhow::Result<PartCheck> {
    if let Some(file) = db.sqlite_file() {
        let file = file.to_path_buf();
        return tokio::task::spawn_blocking(move || {
            read_part_from_file(&file, company_id, (from, to))
        })
        .await?;
    }
    let mut tx = db.system_read().await?;
    let sql = part_sql();
    let mut rows = sqlx::query_as::<_, ChainedEntry>(&sql)
        .bind(company_id)
        .bind(from)
        .bind(to)
        .fetch(&mut *tx);
    let mut check = PartCheck::new(from);
    while let Some(entry) = rows.try_next().await? {
        if !check.take(entry) {
            break;
        }
    }
    drop(rows);
    tx.commit().await?;
    Ok(check)
}

/// The entries of one part of a chain, in order (company $1, from $2 to $3).
fn part_sql() -> String {
    format!(
        "SELECT {ENTRY_COLUMNS} FROM {ENTRIES_WITH_PERSONAL_PARTS} \
         WHERE a.company_id = $1 AND a.seq >= $2 AND a.seq <= $3 ORDER BY a.seq"
    )
}

/// Reads a part of a chain from the SQLite file with one prepared statement, stepping, decoding and
/// hashing each row on this thread. Through the pool each row would cross from the connection's thread
/// to the reader's and be copied twice on the way, which cost most of a check of ten million entries.
/// The statement is its own read transaction, so the part is one snapshot of the file.
fn read_part_from_file(
    file: &std::path::Path,
    company_id: CompanyId,
    (from, to): (i64, i64),
) -> anyhow::Result<PartCheck> {
    use rusqlite::OpenFlags;
    let conn = rusqlite::Connection::open_with_flags(
        file,
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )?;
    conn.busy_timeout(std::time::Duration::from_secs(10))?;
    let mut statement = conn.prepare(&part_sql())?;
    let mut rows = statement.query(rusqlite::params![company_id.to_string(), from, to])?;
    let mut check = PartCheck::new(from);
    while let Some(row) = rows.next()? {
        let text = |i: usize| row.get::<_, String>(i);
        let entry = StoredEntry {
            company_id: row.get_ref(0)?.as_str()?.parse()?,
            seq: row.get(1)?,
            at: row.get(2)?,
            actor_id: row
                .get_ref(3)?
                .as_str_or_null()?
                .map(str::parse)
                .transpose()?,
            action: text(4)?,
            target_type: text(5)?,
            target_id: text(6)?,
            ip: text(7)?,
            user_agent: text(8)?,
            details: text(9)?,
            personal_digest: row.get(10)?,
        };
        let chained = ChainedEntry {
            entry,
            prev_hash: text(11)?,
            hash: text(12)?,
            salt: row.get(13)?,
            personal_ip: row.get(14)?,
            personal_user_agent: row.get(15)?,
            personal_details: row.get(16)?,
        };
        if !check.take(chained) {
            break;
        }
    }
    Ok(check)
}
