//! Client search: the one search box of the console and the app.
//!
//! A client is found by the words of its name, code, phone numbers, e-mail, GSTIN, category, territory,
//! tags and its contacts' names, phones and e-mails; each word of a query matches the start of one of
//! them. Common spellings of Indian names are folded together ("Lakshmi" and "Laxmi", "Shree" and "Sri",
//! "Vitthal" and "Withal", "Ganesh" and "Ganesha"), compound names are also found by their second part
//! ("Lakshmi" finds "Mahalakshmi"), and phone numbers are also words of bare digits.
//!
//! The words live in `client_search_words`, an ordinary B-tree table that is the same on both databases,
//! keyed by company, word, name and client. One query word is a range of that key, already in the order
//! results are shown in (whole-word matches first, then by name), so a search reads about as many index
//! entries as it returns: no result set is sorted, and no long posting list is read whole. Each entry
//! carries the one person who owns the client or has it on a visit plan, so a field employee's search
//! skips other people's clients inside the index. `clients.search_text` and `clients.search_name` keep
//! what is indexed for each client, so that [`reindex`] can take exactly those entries out again.

use outfield_core::ids::{ClientId, CompanyId, PersonId};
use std::collections::{BTreeSet, HashMap, HashSet};

use sqlx::{FromRow, Row};

use crate::store::reach::reach_sql;
use crate::store::select::{attach_owners, filter_conditions, Client, ClientFilter};
use crate::store::select::{SqlParams, CLIENT_COLUMNS};
use outfield_core::auth::Scope;
use outfield_core::db::dialect::Dialect;
use outfield_core::db::statement::Statement;
use outfield_core::db::{Db, Tx};
use outfield_core::people::store::{bind_scope, reach, VISIBLE_CTE};

mod reindex;
pub(crate) use reindex::CLIENT_TEXT;
use reindex::{reindex_chunk, Mode};

/// Bumped whenever [`words_of`] or [`fold`] change: a server that starts on an index built by other rules
/// rebuilds it.
const INDEX_VERSION: i64 = 2;
/// Longest word kept; longer ones are cut (a query word is cut the same way).
const MAX_WORD_CHARS: usize = 40;
/// Characters of the lower-cased name that order the results.
const SORT_NAME_CHARS: usize = 48;
/// Query words looked at; further ones are ignored.
const MAX_TERMS: usize = 6;
/// Index entries counted per query word when choosing which word leads the search.
const COUNT_CAP: i64 = 5_000;
/// Clients reindexed per statement.
const CHUNK: usize = 5_000;
/// The index.
const INDEX_TABLE: &str = "client_search_words";
/// The scratch table a full rebuild fills before copying it into the index in key order.
const REBUILD_TABLE: &str = "client_search_rebuild";
/// The columns of an index entry.
const ENTRY_COLUMNS: &str = "company_id, word, sort_name, client_id, holder_id";
/// Index entries inserted per statement.
const ENTRIES_PER_STATEMENT: usize = 20_000;

/// Where a client's text comes from: phone numbers are also indexed as bare digits.
pub(crate) enum Source<'a> {
    /// Names, codes, e-mails, tags and other text.
    Text(&'a str),
    /// A phone number as typed or stored.
    Phone(&'a str),
}

/// The words a client is found by: each word of its text in its folded spelling, and each phone number
/// as bare digits (and as its last ten digits, the national number); sorted, without repeats.
pub(crate) fn words_of(sources: &[Source<'_>]) -> Vec<String> {
    let mut words = BTreeSet::new();
    for source in sources {
        let text = match source {
            Source::Text(text) | Source::Phone(text) => text,
        };
        for token in tokens(text) {
            let folded = fold(&token);
            words.extend(compound_rest(&folded));
            words.insert(folded);
        }
        if let Source::Phone(phone) = source {
            let digits: String = phone.chars().filter(char::is_ascii_digit).collect();
            if digits.len() >= 6 {
                if digits.len() > 10 {
                    words.insert(digits[digits.len() - 10..].to_string());
                }
                words.insert(digits);
            }
        }
    }
    words.into_iter().collect()
}

/// The folded first parts of Indian compound names ("Mahalakshmi", "Srinivas", "Jayaram", "Gurukrupa").
const COMPOUND_HEADS: [&str; 6] = ["maha", "sri", "jaya", "raja", "sai", "guru"];

/// The rest of a folded compound name after its first part, so that "Lakshmi" also finds
/// "Mahalakshmi"; none when the word is not one or the rest is too short to be a name.
fn compound_rest(folded: &str) -> Option<String> {
    COMPOUND_HEADS
        .iter()
        .find_map(|head| folded.strip_prefix(head))
        .filter(|rest| rest.len() >= 3 && rest.bytes().all(|b| b.is_ascii_lowercase()))
        .map(String::from)
}

/// Lower-cased runs of letters and digits, cut to [`MAX_WORD_CHARS`].
fn tokens(text: &str) -> impl Iterator<Item = String> + '_ {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|token| !token.is_empty())
        .map(|token| token.to_lowercase().chars().take(MAX_WORD_CHARS).collect())
}

/// One spelling for the usual romanisations of an Indian name: `x` is "ks", an `h` after a consonant
/// marks aspiration and is dropped (so "ksh" is "ks" and "ph" is "p"), `w` is `v`, `z` is `j`, `q` is `k`,
/// "ee" is "i", "oo" is "u", "ru" after a consonant is "ri" (Krupa, Kripa), doubled letters are single,
/// and a final short "a" after three letters is dropped (Ganesha, Ganesh). Words with anything but the
/// letters a–z (digits, codes, other scripts) stay as they are.
///
/// Only folded words are stored, so the folding must keep prefixes: the fold of the start of a word is
/// the start of the word's fold, except where the start ends in the first letter of "ee" or "oo", which
/// [`terms`] also tries as "i" and "u".
pub fn fold(word: &str) -> String {
    if word.is_empty() || !word.bytes().all(|b| b.is_ascii_lowercase()) {
        return word.to_string();
    }
    let word = word.replace("ee", "i").replace("oo", "u");
    let mut out: Vec<u8> = Vec::with_capacity(word.len() + 1);
    for byte in word.bytes() {
        let byte = match byte {
            b'w' => b'v',
            b'z' => b'j',
            b'q' => b'k',
            other => other,
        };
        if byte == b'x' {
            push_folded(&mut out, b'k');
            push_folded(&mut out, b's');
        } else {
            push_folded(&mut out, byte);
        }
    }
    if out.len() > 3 && out.last() == Some(&b'a') {
        out.pop();
    }
    String::from_utf8(out).unwrap_or_default()
}

/// Appends one letter to a fold, by the rules that look back at the letters before it.
fn push_folded(out: &mut Vec<u8>, byte: u8) {
    let previous = out.last().copied();
    match (previous, byte) {
        (Some(b's' | b'c' | b'k' | b'g' | b't' | b'd' | b'b' | b'j' | b'p'), b'h') => {}
        (Some(p), b) if p == b => {}
        (Some(b'r'), b'u') if out.len() >= 2 && is_consonant(out[out.len() - 2]) => out.push(b'i'),
        _ => out.push(byte),
    }
}

fn is_consonant(byte: u8) -> bool {
    byte.is_ascii_lowercase() && !b"aeiou".contains(&byte)
}

/// What the lower-cased name orders results by.
fn sort_name(name: &str) -> String {
    name.to_lowercase().chars().take(SORT_NAME_CHARS).collect()
}

/// One word of a query: it matches a client with a word that starts with any of these prefixes (as typed,
/// and folded; for a phone number, all its digits and its last ten).
#[derive(Debug, Clone, PartialEq)]
pub struct Term {
    prefixes: Vec<String>,
}

impl Term {
    fn new(prefixes: impl IntoIterator<Item = String>) -> Term {
        let mut prefixes: Vec<String> = prefixes.into_iter().collect();
        prefixes.sort();
        prefixes.dedup();
        Term { prefixes }
    }

    /// A SQL condition that `c.search_text` holds a word matching this term, binding its patterns.
    pub(crate) fn condition(&self, params: &mut SqlParams) -> String {
        let alternatives: Vec<String> = self
            .prefixes
            .iter()
            .map(|prefix| format!("c.search_text LIKE {}", params.text(format!("% {prefix}%"))))
            .collect();
        format!("({})", alternatives.join(" OR "))
    }
}

/// The terms of a query; none when it holds no letter or digit. A query of a phone number ("+91 98220
/// 12345") is one term of its digits. A word ending in "e" or "o" also matches words where it goes on as
/// "ee" or "oo" ("Shre" finds "Shree", folded "sri").
pub fn terms(query: &str) -> Vec<Term> {
    let digits: String = query.chars().filter(char::is_ascii_digit).collect();
    let phone_like = digits.len() >= 6
        && query
            .chars()
            .all(|c| c.is_ascii_digit() || " +-().".contains(c));
    if phone_like {
        let national = digits[digits.len().saturating_sub(10)..].to_string();
        return vec![Term::new([digits, national])];
    }
    let mut seen = HashSet::new();
    tokens(query)
        .filter(|token| seen.insert(token.clone()))
        .take(MAX_TERMS)
        .map(|token| {
            let folded = fold(&token);
            let long_vowel = ['e', 'o']
                .into_iter()
                .find(|&vowel| token.ends_with(vowel) && folded.ends_with(vowel))
                .map(|vowel| fold(&format!("{token}{vowel}")));
            Term::new([Some(folded), long_vowel].into_iter().flatten())
        })
        .collect()
}

/// The first string after every string that starts with `prefix`.
fn upper_bound(prefix: &str) -> String {
    let mut chars: Vec<char> = prefix.chars().collect();
    let last = chars.pop().map_or(0, |c| c as u32);
    let next = match last + 1 {
        0xD800 => '\u{E000}',
        n => char::from_u32(n).unwrap_or(char::MAX),
    };
    chars.push(next);
    chars.into_iter().collect()
}

/// Clients the scope may see that match every term, whole-word matches of the leading term first, then
/// by name; at most `limit`.
pub async fn find(
    tx: &mut Tx,
    scope: &Scope,
    filter: &ClientFilter,
    terms: &[Term],
    limit: i64,
) -> sqlx::Result<Vec<Client>> {
    let lead = leading_term(tx, scope, terms).await?;
    let others: Vec<&Term> = terms.iter().filter(|t| *t != lead).collect();
    let mut found: Vec<(Key, Client)> = Vec::new();
    for prefix in &lead.prefixes {
        found.extend(walk(tx, scope, filter, &others, prefix, limit).await?);
    }
    found.sort_by(|a, b| a.0.cmp(&b.0));
    let mut seen = HashSet::new();
    let mut clients: Vec<Client> = found
        .into_iter()
        .filter(|(_, client)| seen.insert(client.id))
        .map(|(_, client)| client)
        .take(limit as usize)
        .collect();
    attach_owners(tx, scope.company_id(), &mut clients).await?;
    Ok(clients)
}

/// The term with the fewest index entries among the clients the scope holds itself (counted up to
/// [`COUNT_CAP`], by its shortest prefix); among equals the longest, which is the likelier to be rare.
async fn leading_term<'a>(tx: &mut Tx, scope: &Scope, terms: &'a [Term]) -> sqlx::Result<&'a Term> {
    let mut best: Option<(i64, usize, &Term)> = None;
    for term in terms {
        let shortest = term.prefixes.iter().min_by_key(|p| p.len());
        let count = match shortest {
            Some(prefix) if terms.len() > 1 => {
                let sql = format!(
                    "{VISIBLE_CTE} SELECT COUNT(*) FROM (SELECT 1 FROM {INDEX_TABLE} w \
                     WHERE w.company_id = $1 AND w.word >= $4 AND w.word < $5 {} LIMIT $6) t",
                    held_by_scope(scope)
                );
                bind_scope(sqlx::query(&sql), scope)
                    .bind(prefix)
                    .bind(upper_bound(prefix))
                    .bind(COUNT_CAP)
                    .fetch_one(&mut **tx)
                    .await?
                    .try_get::<i64, _>(0)?
            }
            _ => 0,
        };
        let length = term.prefixes.iter().map(String::len).max().unwrap_or(0);
        if best.is_none_or(|(c, l, _)| count < c || (count == c && length > l)) {
            best = Some((count, length, term));
        }
    }
    Ok(best.map(|(_, _, term)| term).unwrap_or(&terms[0]))
}

/// The condition on index entries `w` that their one holder is someone the scope sees (none for a scope
/// that sees every client); parameters as bound by `bind_scope`.
fn held_by_scope(scope: &Scope) -> &'static str {
    match reach(scope) {
        "all" => "",
        "self" => "AND w.holder_id = $2",
        _ => "AND w.holder_id IN (SELECT id FROM visible)",
    }
}

/// Where a result stands in the index: its matched word, sort name and id.
type Key = (String, String, String);

/// Reads the index range of one prefix in order, keeping visible clients that match the other terms and
/// filters, until `limit` different clients are found or the range ends.
async fn walk(
    tx: &mut Tx,
    scope: &Scope,
    filter: &ClientFilter,
    others: &[&Term],
    prefix: &str,
    limit: i64,
) -> sqlx::Result<Vec<(Key, Client)>> {
    let mut found = Vec::new();
    let mut seen = HashSet::new();
    let mut after: Option<Key> = None;
    loop {
        // A client has several entries in one range when several of its words start with the prefix.
        let batch = limit + 8;
        let mut params = SqlParams::after_scope();
        let from = params.text(prefix.to_string());
        let to = params.text(upper_bound(prefix));
        let mut conditions: Vec<String> = others.iter().map(|t| t.condition(&mut params)).collect();
        conditions.extend(filter_conditions(filter, &mut params));
        let resume = match &after {
            Some((word, name, id)) => {
                let [w, n, i] = [word, name, id].map(|v| params.text(v.clone()));
                format!("AND (w.word, w.sort_name, w.client_id) > ({w}, {n}, {i})")
            }
            None => String::new(),
        };
        let limit_param = params.integer(batch);
        // The walk and every condition run in one ordered, limited subquery; the other terms and filters
        // look up each candidate's client by key in a scalar subquery, which neither planner turns into a
        // join that would start from the clients table on a misjudged estimate of the text conditions.
        let matches = if conditions.is_empty() {
            String::new()
        } else {
            format!(
                "AND (SELECT COUNT(*) FROM clients c WHERE c.company_id = w.company_id \
                 AND c.id = w.client_id AND {}) > 0",
                conditions.join(" AND ")
            )
        };
        // Clients the scope holds are read from the holder's part of the index; clients several people
        // hold (few) are checked one by one. Each part is read in order, and the parts are merged.
        let mut parts = vec![held_by_scope(scope).to_string()];
        if reach(scope) != "all" {
            parts.push(format!(
                "AND w.holder_id IS NULL AND {}",
                reach_sql("w.client_id")
            ));
        }
        let union = parts
            .iter()
            .map(|holder| {
                format!(
                    "SELECT * FROM (SELECT w.company_id, w.word, w.sort_name, w.client_id \
                     FROM {INDEX_TABLE} w WHERE w.company_id = $1 AND w.word >= {from} \
                       AND w.word < {to} {resume} {holder} {matches} \
                     ORDER BY w.word, w.sort_name, w.client_id LIMIT {limit_param}) p"
                )
            })
            .collect::<Vec<_>>()
            .join(" UNION ALL ");
        let sql = format!(
            "{VISIBLE_CTE} SELECT w.word AS search_word, w.sort_name AS search_name, {CLIENT_COLUMNS} \
             FROM ({union}) w CROSS JOIN clients c WHERE c.company_id = w.company_id AND c.id = w.client_id \
             ORDER BY w.word, w.sort_name, w.client_id LIMIT {limit_param}"
        );
        let rows = params
            .bind(bind_scope(sqlx::query(&sql), scope))
            .fetch_all(&mut **tx)
            .await?;
        let exhausted = (rows.len() as i64) < batch;
        for row in &rows {
            let client = Client::from_row(row)?;
            let key: Key = (
                row.try_get("search_word")?,
                row.try_get("search_name")?,
                client.id.to_string(),
            );
            after = Some(key.clone());
            if seen.insert(client.id) {
                found.push((key, client));
            }
        }
        if exhausted || found.len() as i64 >= limit {
            found.truncate(limit as usize);
            return Ok(found);
        }
    }
}

/// Brings the index entries of these clients in step with their fields, contacts, owners and visit
/// plans, in the caller's transaction. Every change to any of those calls it.
pub async fn reindex(
    tx: &mut Tx,
    company_id: CompanyId,
    client_ids: &[ClientId],
) -> sqlx::Result<()> {
    for chunk in client_ids.chunks(CHUNK) {
        reindex_chunk(tx, company_id, chunk, Mode::Update).await?;
    }
    Ok(())
}

/// Takes these clients out of the index before they are deleted.
pub(crate) async fn forget(
    tx: &mut Tx,
    company_id: CompanyId,
    client_ids: &[ClientId],
) -> sqlx::Result<()> {
    for chunk in client_ids.chunks(CHUNK) {
        reindex_chunk(tx, company_id, chunk, Mode::Forget).await?;
    }
    Ok(())
}

/// What one client is indexed under: its words and the name results are ordered by.
pub(crate) struct Indexed {
    words: Vec<String>,
    sort_name: String,
}

impl Indexed {
    /// A client's index entry from its name and its texts (`true` for phone numbers): its own fields,
    /// further phones and its contacts'.
    pub fn new(name: &str, texts: &[(bool, &str)]) -> Indexed {
        let sources: Vec<Source<'_>> = texts
            .iter()
            .map(|&(phone, text)| {
                if phone {
                    Source::Phone(text)
                } else {
                    Source::Text(text)
                }
            })
            .collect();
        Indexed {
            words: words_of(&sources),
            sort_name: sort_name(name),
        }
    }

    /// What `clients.search_text` stores: the words, each after a space.
    pub fn search_text(&self) -> String {
        self.words.iter().map(|w| format!(" {w}")).collect()
    }

    /// What `clients.search_name` stores.
    pub(crate) fn sort_name(&self) -> &str {
        &self.sort_name
    }

    fn stored(row: &sqlx::any::AnyRow) -> sqlx::Result<Indexed> {
        let text: String = row.try_get("search_text")?;
        Ok(Indexed {
            words: text.split_whitespace().map(String::from).collect(),
            sort_name: row.try_get("search_name")?,
        })
    }
}

/// The index entries of new clients whose `search_text` and `search_name` were stored with them (a
/// create, a bulk import): each with its id and its owners, who hold it.
pub(crate) async fn add_new(
    tx: &mut Tx,
    company_id: CompanyId,
    clients: &[(&Indexed, ClientId, &[PersonId])],
) -> sqlx::Result<()> {
    for statement in new_entries(Dialect::of(tx), company_id, clients) {
        statement.execute(tx).await?;
    }
    Ok(())
}

/// The statements of [`add_new`], for a write made of statements.
pub(crate) fn new_entries(
    dialect: Dialect,
    company_id: CompanyId,
    clients: &[(&Indexed, ClientId, &[PersonId])],
) -> Vec<Statement> {
    let ids: Vec<(String, Option<String>)> = clients
        .iter()
        .map(|(_, id, owners)| (id.to_string(), holder_of(owners)))
        .collect();
    let entries: Vec<(&Indexed, &str, &Option<String>)> = clients
        .iter()
        .zip(&ids)
        .map(|((indexed, _, _), (id, holder))| (*indexed, id.as_str(), holder))
        .collect();
    entry_statements(dialect, INDEX_TABLE, company_id, &entries)
}

/// The holder a client's entries are indexed under, from the people holding it (its owners, and on a
/// reindex those with it on a visit plan): the one person, nobody (empty: only admins see the client)
/// or, for several, `None`. New clients and reindexes share this rule.
fn holder_of(owners: &[PersonId]) -> Option<String> {
    match owners {
        [] => Some(String::new()),
        [owner] => Some(owner.to_string()),
        [first, rest @ ..] => rest.iter().all(|o| o == first).then(|| first.to_string()),
    }
}

/// What a new client is found by: its own fields and further phones (it has no contacts yet). `tags` is
/// the text the clients table stores.
pub(crate) fn entry_of(client: &crate::NewClient, tags: &str) -> Indexed {
    let values = [
        Some(client.name.as_str()),
        client.code.as_ref().map(|v| v.as_str()),
        client.phone.as_ref().map(|v| v.as_str()),
        client.email.as_ref().map(|v| v.as_str()),
        client.gstin.as_ref().map(|v| v.as_str()),
        client.category.as_ref().map(|v| v.as_str()),
        client.territory.as_ref().map(|v| v.as_str()),
        Some(tags),
    ];
    let mut texts: Vec<(bool, &str)> = CLIENT_TEXT
        .iter()
        .zip(values)
        .filter_map(|((_, phone), value)| Some((*phone, value?)))
        .collect();
    texts.extend(client.other_phones.iter().map(|p| (true, p.as_str())));
    Indexed::new(client.name.as_str(), &texts)
}

/// Inserts the entries of these clients (see [`entry_statements`]).
async fn insert_entries(
    tx: &mut Tx,
    dialect: Dialect,
    table: &str,
    company_id: CompanyId,
    clients: &[(&Indexed, &str, &Option<String>)],
) -> sqlx::Result<()> {
    for statement in entry_statements(dialect, table, company_id, clients) {
        statement.execute(tx).await?;
    }
    Ok(())
}

/// The statements inserting the entries of these clients in key order, [`ENTRIES_PER_STATEMENT`] at a
/// time: each statement then writes a few runs of neighbouring B-tree pages (one in the word index, one
/// per holder in the holder index) rather than pages all over both, which would thrash the cache of a
/// large index.
fn entry_statements(
    dialect: Dialect,
    table: &str,
    company_id: CompanyId,
    clients: &[(&Indexed, &str, &Option<String>)],
) -> Vec<Statement> {
    let mut rows: Vec<(&str, &str, &str, &Option<String>)> = clients
        .iter()
        .flat_map(|(indexed, id, holder)| {
            indexed
                .words
                .iter()
                .map(move |w| (w.as_str(), indexed.sort_name.as_str(), *id, *holder))
        })
        .collect();
    rows.sort_unstable();
    let sql = format!(
        "INSERT INTO {table} ({ENTRY_COLUMNS}) \
         SELECT $1, value ->> 0, value ->> 1, value ->> 2, value ->> 3 FROM (SELECT value FROM {}) r",
        dialect.json_values(2)
    );
    rows.chunks(ENTRIES_PER_STATEMENT)
        .map(|run| {
            Statement::new(sql.clone())
                .bind(company_id)
                .bind(serde_json::to_string(run).unwrap_or_default())
        })
        .collect()
}

/// Rebuilds the index when it was built by other rules than this version's (or never), once across all
/// servers sharing the database: the first to start claims the version row and the others wait for it.
pub async fn rebuild_if_outdated(db: &Db) -> anyhow::Result<()> {
    let started = std::time::Instant::now();
    let mut tx = db.system().await?;
    let claimed = sqlx::query("UPDATE search_index SET version = $1 WHERE version <> $1")
        .bind(INDEX_VERSION)
        .execute(&mut *tx)
        .await?
        .rows_affected();
    if claimed == 0 {
        tx.commit().await?;
        return Ok(());
    }
    let rows = sqlx::query("SELECT company_id, id FROM clients ORDER BY company_id, id")
        .fetch_all(&mut *tx)
        .await?;
    let mut by_company: HashMap<CompanyId, Vec<ClientId>> = HashMap::new();
    for row in &rows {
        by_company
            .entry(row.try_get("company_id")?)
            .or_default()
            .push(row.try_get("id")?);
    }
    // Every entry is written anew: into a table without indexes first, then into the index in key
    // order in one statement, which writes each B-tree page once instead of revisiting pages all over it.
    sqlx::query(&format!("DELETE FROM {INDEX_TABLE}"))
        .execute(&mut *tx)
        .await?;
    sqlx::query(&format!(
        "CREATE TEMP TABLE {REBUILD_TABLE} (company_id TEXT NOT NULL, word TEXT NOT NULL, \
         sort_name TEXT NOT NULL, client_id TEXT NOT NULL, holder_id TEXT)"
    ))
    .execute(&mut *tx)
    .await?;
    for (company_id, ids) in &by_company {
        for chunk in ids.chunks(CHUNK) {
            reindex_chunk(&mut tx, *company_id, chunk, Mode::Rebuild).await?;
        }
    }
    sqlx::query(&format!(
        "INSERT INTO {INDEX_TABLE} ({ENTRY_COLUMNS}) SELECT {ENTRY_COLUMNS} FROM {REBUILD_TABLE} \
         ORDER BY company_id, word, sort_name, client_id"
    ))
    .execute(&mut *tx)
    .await?;
    sqlx::query(&format!("DROP TABLE {REBUILD_TABLE}"))
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    tracing::info!(
        clients = rows.len(),
        seconds = started.elapsed().as_secs_f64(),
        "client search index rebuilt"
    );
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spellings_of_one_name_fold_together() {
        for group in [
            &["lakshmi", "laxmi"][..],
            &["shree", "shri"],
            &["vitthal", "withal", "vithal"],
            &["ganesh", "ganesha"],
            &["siddhivinayak", "sidhivinayak"],
            &["gurukrupa", "gurukripa"],
            &["pooja", "puja"],
            &["shiv", "shiva"],
        ] {
            let folded: HashSet<String> = group.iter().map(|w| fold(w)).collect();
            assert_eq!(folded.len(), 1, "{group:?} fold to {folded:?}");
        }
        assert_eq!(fold("guru"), "guru");
        assert_eq!(fold("laxmi"), "laksmi");
        assert_eq!(fold("c004711"), "c004711");
        assert_eq!(fold("राम"), "राम");
    }

    #[test]
    fn every_start_of_a_word_finds_it() {
        for word in [
            "lakshmi",
            "laxmi",
            "shree",
            "vitthal",
            "siddhivinayak",
            "gurukrupa",
            "krooshna",
            "pooja",
            "phulchand",
            "ganesha",
            "kirana",
            "bhavani",
            "agro",
            "xerox",
            "zaveri",
            "c004711",
        ] {
            let stored = fold(word);
            for end in 1..=word.len() {
                let prefixes = &terms(&word[..end])[0].prefixes;
                assert!(
                    prefixes.iter().any(|p| stored.starts_with(p.as_str())),
                    "{:?} ({prefixes:?}) misses {word} ({stored})",
                    &word[..end]
                );
            }
        }
    }

    #[test]
    fn compound_names_are_found_by_their_second_part() {
        let words = words_of(&[Source::Text("Mahalaxmi Gurukrupa Sainath Sri")]);
        for word in [
            "mahalaksmi",
            "laksmi",
            "gurukrip",
            "krip",
            "sainat",
            "nat",
            "sri",
        ] {
            assert!(words.contains(&word.to_string()), "{word} in {words:?}");
        }
        assert_eq!(compound_rest("saini"), None, "too short a rest");
        assert_eq!(compound_rest("mahes"), None, "Mahesh is not Maha + esh");
    }

    #[test]
    fn phone_numbers_are_words_of_digits() {
        let words = words_of(&[Source::Phone("+91 98220 12345"), Source::Text("Zone 17")]);
        for word in ["919822012345", "9822012345", "98220", "12345", "jone", "17"] {
            assert!(words.contains(&word.to_string()), "{word} in {words:?}");
        }
        assert_eq!(terms("+91 98220 12345").len(), 1);
        assert_eq!(
            terms("+91 98220 12345")[0].prefixes,
            ["919822012345", "9822012345"]
        );
        assert!(terms("%_ -").is_empty());
    }

    #[test]
    fn ranges_end_after_every_word_with_the_prefix() {
        assert_eq!(upper_bound("zone"), "zonf");
        assert!(upper_bound("9").as_str() > "99999");
    }
}
