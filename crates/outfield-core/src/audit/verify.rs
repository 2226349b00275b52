//! `outfield audit verify`: recomputes every company's chain and names the first entry that breaks it.

use futures_util::TryStreamExt;

use crate::audit::store::{entry_hash, ChainedEntry, ENTRY_COLUMNS, GENESIS};
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

/// Verifies every company's chain (or only the one with `slug`).
pub async fn verify_all(db: &Db, slug: Option<&str>) -> anyhow::Result<Vec<CompanyChain>> {
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
        let status = verify_company(&mut tx, company_id, (head_seq, head_hash)).await?;
        let pending =
            sqlx::query_scalar("SELECT COUNT(*) FROM audit_pending WHERE company_id = $1")
                .bind(company_id)
                .fetch_one(&mut *tx)
                .await?;
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

async fn verify_company(
    tx: &mut crate::db::Tx,
    company_id: CompanyId,
    (head_seq, head_hash): (i64, String),
) -> anyhow::Result<ChainStatus> {
    let sql = format!("SELECT {ENTRY_COLUMNS} FROM audit_log WHERE company_id = $1 ORDER BY seq");
    // Streamed: a chain of millions of entries is checked in constant memory.
    let mut rows = sqlx::query_as::<_, ChainedEntry>(&sql)
        .bind(company_id)
        .fetch(&mut **tx);
    let mut expected_prev = GENESIS.to_string();
    let mut expected_seq = 1;
    while let Some(ChainedEntry {
        entry,
        prev_hash,
        hash,
    }) = rows.try_next().await?
    {
        let broken = |reason: &str| ChainStatus::Broken {
            seq: entry.seq,
            reason: reason.to_string(),
        };
        if entry.seq != expected_seq {
            return Ok(ChainStatus::Broken {
                seq: expected_seq,
                reason: format!(
                    "entry {expected_seq} is missing (next present is {})",
                    entry.seq
                ),
            });
        }
        if prev_hash != expected_prev {
            return Ok(broken("its link to the previous entry does not match"));
        }
        if entry_hash(&prev_hash, &entry) != hash {
            return Ok(broken("its content was altered after it was written"));
        }
        expected_prev = hash;
        expected_seq += 1;
    }
    if expected_seq - 1 != head_seq || expected_prev != head_hash {
        return Ok(ChainStatus::Broken {
            seq: expected_seq,
            reason: format!(
                "the trail ends at entry {} but the company recorded {head_seq}",
                expected_seq - 1
            ),
        });
    }
    Ok(ChainStatus::Intact { entries: head_seq })
}
