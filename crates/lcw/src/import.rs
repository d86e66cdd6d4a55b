//! `lcw import`: bulk-load users and groups.
//!
//! Files:
//! * `.json`: an array of user objects, or `{"users": [...], "groups": [...]}`. A group may
//!   carry `"members": ["<user id or userPrincipalName>", ...]`.
//! * `.csv`: a header row of user property names (`displayName,userPrincipalName,...`), one
//!   user per row. Empty cells are left out, booleans are `true`/`false`, string collections
//!   (`businessPhones`, `otherMails`) are `;`-separated, and `employeeOrgData.division`-style
//!   headers fill complex properties. An unknown column fails the whole file before anything
//!   is written.
//!
//! Rows are validated with the same rules as `POST /users` / `POST /groups`
//! (`model::directory`). Import is idempotent:
//! * a user row with an `id` updates that user (or creates it with that id); a row without an
//!   `id` updates the user with its userPrincipalName (keeping its id), else creates a user
//!   with a new id. Updates merge the row's properties into the stored user, like PATCH; a
//!   row that changes nothing is not written.
//! * a group row with an `id` updates that group (or creates it with that id); a row without
//!   an `id` updates the group with the same displayName and mailNickname (compared
//!   case-insensitively; a missing mailNickname is derived from the displayName exactly as on
//!   create), else creates one. When `members` is given it is the group's complete user
//!   membership: missing members are added and others removed. Without `members` the
//!   membership is left alone.
//!
//! Lifecycle tasks manage some properties of existing users (`accountEnabled`,
//! `signInSessionsValidFromDateTime`, `assignedLicenses`) and the memberships of existing
//! groups: a daily HR import must not undo a leaver workflow that disabled an account or
//! removed it from its groups. So on existing users and groups import leaves them alone, and
//! its summary says what it left; `--overwrite-managed` ([`ImportOptions`]) sets them too.
//!
//! Errors are per row: `row N: message` on stderr (N counts from 1; in a CSV the header is
//! row 1, so N is the spreadsheet row; group rows print as `group N: message`), counted in
//! `failed`, and the other rows are still imported. A row repeating the id or
//! userPrincipalName (groups: the id or displayName+mailNickname) of an earlier row of the
//! same file is an error: the first occurrence is imported.
//!
//! Users are written in transactions of [`BATCH`] rows, resolving userPrincipalNames per
//! batch, so 100,000 users import in seconds.

use std::collections::{HashMap, HashSet};
use std::fmt;

use std::path::Path;

use serde_json::{Map, Value};
use store::{Store, UserRow};

/// Users written per transaction.
const BATCH: usize = 1000;

/// User properties that lifecycle tasks change: an import leaves them alone on existing
/// users unless told to overwrite them.
const MANAGED_USER_PROPERTIES: [&str; 3] = [
    "accountEnabled",
    "signInSessionsValidFromDateTime",
    "assignedLicenses",
];

/// How an import treats what lifecycle tasks manage.
#[derive(Debug, Clone, Copy, Default)]
pub struct ImportOptions {
    /// Also set managed properties of existing users and the memberships of existing groups.
    pub overwrite_managed: bool,
    /// No progress bar (per-row errors are still written).
    pub quiet: bool,
}

#[derive(Debug, Default)]
pub struct ImportReport {
    /// User rows imported (created, updated or already up to date).
    pub users: usize,
    /// Group rows imported (created, updated or already up to date).
    pub groups: usize,
    /// Rows that failed (reported on stderr).
    pub failed: usize,
    pub users_created: usize,
    pub users_updated: usize,
    pub groups_created: usize,
    pub groups_updated: usize,
    /// Managed user properties the file would have changed, and on how many users.
    pub kept_properties: std::collections::BTreeMap<&'static str, usize>,
    /// Existing groups whose membership the file would have changed.
    pub kept_memberships: usize,
}

impl fmt::Display for ImportReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "imported {} users ({} created, {} updated, {} unchanged), {} groups ({} created, {} updated, {} unchanged); {} failed",
            self.users,
            self.users_created,
            self.users_updated,
            self.users - self.users_created - self.users_updated,
            self.groups,
            self.groups_created,
            self.groups_updated,
            self.groups - self.groups_created - self.groups_updated,
            self.failed
        )?;
        let mut kept: Vec<String> = self
            .kept_properties
            .iter()
            .map(|(p, n)| format!("{p} of {n} user(s)"))
            .collect();
        if self.kept_memberships > 0 {
            kept.push(format!("members of {} group(s)", self.kept_memberships));
        }
        if !kept.is_empty() {
            write!(
                f,
                "; left alone, as lifecycle tasks manage them (--overwrite-managed sets them): {}",
                kept.join(", ")
            )?;
        }
        Ok(())
    }
}

/// Progress and per-row errors on stderr. The progress bar (indicatif) draws only on a
/// terminal, and not at all with `--quiet`; per-row errors are always written.
struct Out {
    quiet: bool,
    bar: Option<indicatif::ProgressBar>,
}

impl Out {
    fn new(quiet: bool) -> Out {
        Out { quiet, bar: None }
    }

    fn start(&mut self, label: &'static str, total: usize) {
        self.finish();
        let target = if self.quiet {
            indicatif::ProgressDrawTarget::hidden()
        } else {
            // Hidden by indicatif itself when stderr is not a terminal.
            indicatif::ProgressDrawTarget::stderr()
        };
        let bar = indicatif::ProgressBar::with_draw_target(Some(total as u64), target);
        if let Ok(style) = indicatif::ProgressStyle::with_template(
            "importing {msg} {bar:30} {pos}/{len} ({percent}%, {per_sec}, eta {eta})",
        ) {
            bar.set_style(style);
        }
        bar.set_message(label);
        self.bar = Some(bar);
    }

    fn advance(&mut self, n: usize) {
        if let Some(bar) = &self.bar {
            bar.inc(n as u64);
        }
    }

    fn finish(&mut self) {
        if let Some(bar) = self.bar.take() {
            bar.finish_and_clear();
        }
    }

    fn error(&mut self, what: &str, row: usize, message: &str) {
        match &self.bar {
            Some(bar) => bar.suspend(|| eprintln!("{what} {row}: {message}")),
            None => eprintln!("{what} {row}: {message}"),
        }
    }
}

/// One parsed row: its number and its JSON object (or why it could not be read).
/// A row of the file: its number, and its object or why it is not one.
type Row = (usize, Result<Value, String>);

mod parse;
use parse::{parse_csv, parse_json};

pub async fn run(
    store: &Store,
    tenant: &str,
    path: &Path,
    options: ImportOptions,
) -> Result<ImportReport, String> {
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase)
        .unwrap_or_default();
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("cannot read '{}': {e}", path.display()))?;
    let (users, groups) = match ext.as_str() {
        "json" => parse_json(&text)?,
        "csv" => (parse_csv(&text)?, Vec::new()),
        _ => {
            return Err(format!(
                "'{}': the file must end in .json or .csv",
                path.display()
            ))
        }
    };
    let mut report = ImportReport::default();
    let mut out = Out::new(options.quiet);
    import_users(store, tenant, users, options, &mut report, &mut out).await?;
    import_groups(store, tenant, groups, options, &mut report, &mut out).await?;
    Ok(report)
}

// ---- users ----

/// A validated user row.
struct UserIn {
    row: usize,
    id: Option<String>,
    upn_lower: String,
    props: Map<String, Value>,
}

/// A row's id (if given), userPrincipalName and validated document.
type ValidatedUser = (Option<String>, String, Map<String, Value>);

fn validate_user_row(body: &Value) -> Result<ValidatedUser, String> {
    let props = model::directory::validate_user_props(body).map_err(|e| e.to_string())?;
    let upn = props
        .get("userPrincipalName")
        .and_then(Value::as_str)
        .ok_or_else(|| model::ModelError::Missing("userPrincipalName".into()).to_string())?
        .to_lowercase();
    let id = props.get("id").and_then(Value::as_str).map(str::to_string);
    Ok((id, upn, props))
}

async fn import_users(
    store: &Store,
    tenant: &str,
    rows: Vec<Row>,
    options: ImportOptions,
    report: &mut ImportReport,
    out: &mut Out,
) -> Result<(), String> {
    let total = rows.len();
    let mut valid: Vec<UserIn> = Vec::with_capacity(total);
    let mut seen_id: HashMap<String, usize> = HashMap::new();
    let mut seen_upn: HashMap<String, usize> = HashMap::new();
    for (row, body) in rows {
        let checked = body.and_then(|b| validate_user_row(&b));
        let (id, upn_lower, props) = match checked {
            Ok(x) => x,
            Err(e) => {
                out.error("row", row, &e);
                report.failed += 1;
                continue;
            }
        };
        let dup = id
            .as_ref()
            .and_then(|i| seen_id.get(i).map(|r| (*r, "id")))
            .or_else(|| seen_upn.get(&upn_lower).map(|r| (*r, "userPrincipalName")));
        if let Some((first, what)) = dup {
            out.error(
                "row",
                row,
                &format!("the same {what} as row {first}; only the first is imported"),
            );
            report.failed += 1;
            continue;
        }
        if let Some(i) = &id {
            seen_id.insert(i.clone(), row);
        }
        seen_upn.insert(upn_lower.clone(), row);
        valid.push(UserIn {
            row,
            id,
            upn_lower,
            props,
        });
    }
    out.start("users", total);
    out.advance(report.failed);
    let now = chrono::SubsecRound::trunc_subsecs(chrono::Utc::now(), 6);
    let mut rest = valid.into_iter();
    let mut batches: usize = 0;
    loop {
        let chunk: Vec<UserIn> = rest.by_ref().take(BATCH).collect();
        if chunk.is_empty() {
            break;
        }
        let n = chunk.len();
        import_user_chunk(store, tenant, chunk, now, options, report, out).await?;
        out.advance(n);
        // Keep the database's planner statistics in step as the directory doubles in size.
        batches += 1;
        if batches.is_power_of_two() {
            store
                .refresh_statistics()
                .await
                .map_err(|e| e.to_string())?;
        }
    }
    if batches > 0 {
        store
            .refresh_statistics()
            .await
            .map_err(|e| e.to_string())?;
    }
    out.finish();
    Ok(())
}

enum Outcome {
    Created,
    Updated,
}

async fn import_user_chunk(
    store: &Store,
    tenant: &str,
    chunk: Vec<UserIn>,
    now: chrono::DateTime<chrono::Utc>,
    options: ImportOptions,
    report: &mut ImportReport,
    out: &mut Out,
) -> Result<(), String> {
    let db = |e: store::StoreError| format!("database error: {e}");
    let upns: Vec<String> = chunk.iter().map(|u| u.upn_lower.clone()).collect();
    let by_upn = store.user_ids_by_upn(tenant, &upns).await.map_err(db)?;
    let mut ids: Vec<String> = chunk.iter().filter_map(|u| u.id.clone()).collect();
    ids.extend(by_upn.values().cloned());
    let existing: HashMap<String, UserRow> = store
        .get_users_by_ids(tenant, &ids)
        .await
        .map_err(db)?
        .into_iter()
        .map(|r| (r.id.clone(), r))
        .collect();
    let mut writes: Vec<(usize, UserRow, Outcome)> = Vec::with_capacity(chunk.len());
    for mut u in chunk {
        let holder = by_upn.get(&u.upn_lower);
        let target = match (&u.id, holder) {
            (Some(id), Some(h)) if h != id => Err(format!(
                "userPrincipalName '{}' is already used by user {h}",
                u.upn_lower
            )),
            (Some(id), _) => Ok(existing.get(id)),
            (None, Some(h)) => Ok(existing.get(h)),
            (None, None) => Ok(None),
        };
        if let (Ok(Some(cur)), false) = (&target, options.overwrite_managed) {
            for name in MANAGED_USER_PROPERTIES {
                if let Some(wanted) = u.props.remove(name) {
                    if cur.doc.get(name) != Some(&wanted) {
                        *report.kept_properties.entry(name).or_default() += 1;
                    }
                }
            }
        }
        let result = target.and_then(|cur| match cur {
            Some(cur) => model::directory::merge_user(&cur.doc, u.props)
                .map_err(|e| e.to_string())
                .map(|doc| {
                    (doc != cur.doc).then(|| (UserRow { doc, ..cur.clone() }, Outcome::Updated))
                }),
            None => model::directory::new_user_from_props(u.props, now)
                .map_err(|e| e.to_string())
                .map(|doc| {
                    let id = doc
                        .get("id")
                        .and_then(Value::as_str)
                        .unwrap_or_default()
                        .to_string();
                    Some((
                        UserRow {
                            id,
                            manager_id: None,
                            doc,
                        },
                        Outcome::Created,
                    ))
                }),
        });
        match result {
            Ok(Some((row, outcome))) => writes.push((u.row, row, outcome)),
            Ok(None) => report.users += 1,
            Err(e) => {
                out.error("row", u.row, &e);
                report.failed += 1;
            }
        }
    }
    let (meta, rows): (Vec<(usize, Outcome)>, Vec<UserRow>) = writes
        .into_iter()
        .map(|(n, row, outcome)| ((n, outcome), row))
        .unzip();
    match store.put_users(tenant, &rows).await {
        Ok(()) => {
            for (_, outcome) in &meta {
                count_user(report, outcome);
            }
        }
        // A userPrincipalName clash somewhere in the batch: write row by row to find it.
        Err(store::StoreError::Conflict(_)) => {
            for ((row, outcome), user) in meta.iter().zip(&rows) {
                match store.put_user(tenant, user).await {
                    Ok(()) => count_user(report, outcome),
                    Err(store::StoreError::Conflict(m)) => {
                        out.error("row", *row, &m);
                        report.failed += 1;
                    }
                    Err(e) => return Err(db(e)),
                }
            }
        }
        Err(e) => return Err(db(e)),
    }
    Ok(())
}

fn count_user(report: &mut ImportReport, outcome: &Outcome) {
    report.users += 1;
    match outcome {
        Outcome::Created => report.users_created += 1,
        Outcome::Updated => report.users_updated += 1,
    }
}

// ---- groups ----

fn group_key(props: &Map<String, Value>) -> Option<(String, String)> {
    let name = props.get("displayName").and_then(Value::as_str)?;
    let nick = props
        .get("mailNickname")
        .and_then(Value::as_str)
        .map(str::to_string)
        .unwrap_or_else(|| model::directory::default_group_mail_nickname(name));
    Some((name.to_lowercase(), nick.to_lowercase()))
}

/// A group row's `members`: user ids or userPrincipalNames, resolved to ids.
async fn resolve_members(
    store: &Store,
    tenant: &str,
    members: &Value,
) -> Result<Result<Vec<String>, String>, String> {
    let Some(items) = members.as_array() else {
        return Ok(Err(
            "\"members\" must be an array of user ids or userPrincipalNames".into(),
        ));
    };
    let mut keys = Vec::with_capacity(items.len());
    for m in items {
        match m.as_str() {
            Some(s) if !s.trim().is_empty() => keys.push(s.trim().to_string()),
            _ => {
                return Ok(Err(
                    "\"members\" must be an array of user ids or userPrincipalNames".into(),
                ))
            }
        }
    }
    let db = |e: store::StoreError| format!("database error: {e}");
    let (guids, upns): (Vec<String>, Vec<String>) =
        keys.iter().cloned().partition(|k| model::is_guid(k));
    let guids: Vec<String> = guids.iter().map(|g| g.to_ascii_lowercase()).collect();
    let known_ids: HashSet<String> = store
        .get_users_by_ids(tenant, &guids)
        .await
        .map_err(db)?
        .into_iter()
        .map(|r| r.id)
        .collect();
    let by_upn = store.user_ids_by_upn(tenant, &upns).await.map_err(db)?;
    let mut ids: Vec<String> = Vec::with_capacity(keys.len());
    let mut unknown = Vec::new();
    for k in &keys {
        let id = if model::is_guid(k) {
            let g = k.to_ascii_lowercase();
            known_ids.contains(&g).then_some(g)
        } else {
            by_upn.get(&k.to_lowercase()).cloned()
        };
        match id {
            Some(id) if !ids.contains(&id) => ids.push(id),
            Some(_) => {}
            None => unknown.push(k.as_str()),
        }
    }
    if !unknown.is_empty() {
        return Ok(Err(format!("unknown member(s): {}", unknown.join(", "))));
    }
    Ok(Ok(ids))
}

async fn import_groups(
    store: &Store,
    tenant: &str,
    rows: Vec<Row>,
    options: ImportOptions,
    report: &mut ImportReport,
    out: &mut Out,
) -> Result<(), String> {
    if rows.is_empty() {
        return Ok(());
    }
    let db = |e: store::StoreError| format!("database error: {e}");
    let now = chrono::SubsecRound::trunc_subsecs(chrono::Utc::now(), 6);
    let mut groups: Vec<Value> = store.list_groups(tenant).await.map_err(db)?;
    let mut seen: HashMap<String, usize> = HashMap::new();
    out.start("groups", rows.len());
    for (row, body) in rows {
        out.advance(1);
        let mut body = match body {
            Ok(b) => b,
            Err(e) => {
                out.error("group", row, &e);
                report.failed += 1;
                continue;
            }
        };
        let members = body.as_object_mut().and_then(|m| m.remove("members"));
        let props = match model::directory::validate_group_props(&body) {
            Ok(p) => p,
            Err(e) => {
                out.error("group", row, &e.to_string());
                report.failed += 1;
                continue;
            }
        };
        let id = props.get("id").and_then(Value::as_str).map(str::to_string);
        let key = group_key(&props);
        let seen_keys: Vec<String> = [
            id.clone().map(|i| format!("id:{i}")),
            key.clone().map(|(a, b)| format!("name:{a}\u{1}{b}")),
        ]
        .into_iter()
        .flatten()
        .collect();
        if let Some(first) = seen_keys.iter().find_map(|k| seen.get(k)) {
            out.error(
                "group",
                row,
                &format!("the same group as group {first}; only the first is imported"),
            );
            report.failed += 1;
            continue;
        }
        let member_ids = match &members {
            Some(m) => match resolve_members(store, tenant, m).await? {
                Ok(ids) => Some(ids),
                Err(e) => {
                    out.error("group", row, &e);
                    report.failed += 1;
                    continue;
                }
            },
            None => None,
        };
        let found = groups.iter().position(|g| match &id {
            Some(id) => g.get("id").and_then(Value::as_str) == Some(id.as_str()),
            None => {
                let gk = g.as_object().and_then(group_key);
                gk.is_some() && gk == key
            }
        });
        let result = match found {
            Some(i) => model::directory::merge_group(&groups[i], props).map(|doc| (Some(i), doc)),
            None => model::directory::new_group_from_props(props, now).map(|doc| (None, doc)),
        };
        let (index, doc) = match result {
            Ok(x) => x,
            Err(e) => {
                out.error("group", row, &e.to_string());
                report.failed += 1;
                continue;
            }
        };
        let gid = doc
            .get("id")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string();
        let mut changed = false;
        if index.is_none_or(|i| groups[i] != doc) {
            store.put_group(tenant, &gid, &doc).await.map_err(db)?;
            changed = true;
        }
        if let Some(wanted) = member_ids {
            let current = store.member_ids(tenant, &gid).await.map_err(db)?;
            let keep = index.is_some() && !options.overwrite_managed;
            let (add, remove) = if keep {
                let differs =
                    wanted.len() != current.len() || wanted.iter().any(|m| !current.contains(m));
                report.kept_memberships += usize::from(differs);
                (Vec::new(), Vec::new())
            } else {
                membership_changes(&wanted, &current)
            };
            if !add.is_empty() || !remove.is_empty() {
                let (a, r) = store
                    .change_members(tenant, &gid, &add, &remove)
                    .await
                    .map_err(db)?;
                changed |= a + r > 0;
            }
        }
        for k in seen_keys {
            seen.insert(k, row);
        }
        report.groups += 1;
        match index {
            None => {
                report.groups_created += 1;
                groups.push(doc);
            }
            Some(i) => {
                if changed {
                    report.groups_updated += 1;
                }
                groups[i] = doc;
            }
        }
    }
    out.finish();
    Ok(())
}

/// The members to add and to remove so that `current` becomes `wanted`.
fn membership_changes(wanted: &[String], current: &[String]) -> (Vec<String>, Vec<String>) {
    let add = wanted
        .iter()
        .filter(|m| !current.contains(m))
        .cloned()
        .collect();
    let remove = current
        .iter()
        .filter(|m| !wanted.contains(m))
        .cloned()
        .collect();
    (add, remove)
}
