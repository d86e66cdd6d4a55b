//! What directory tasks do to users, applied in the same transaction that records the task's
//! result: a task's effect and its "completed" mark land together or not at all, so a crash
//! never repeats or loses a finished task.

use serde_json::Value;
use sqlx::Row;

use crate::auth_methods::{put_tap, TapRow};
use crate::entitlement::{apply_access_package_effect, AccessPackageEffect};
use crate::outbox::{queue_mail, OutboxMail};
use crate::prepared::Prepared;
use crate::waiting::{queue_callout, NewCallout};
use crate::writes::{prepare_result_writes, run_steps, ResultWrite};
use crate::{Dialect, Result, Store, StoreError};

/// A change a task makes to one user.
#[derive(Debug, Clone, PartialEq)]
pub enum DirectoryEffect {
    SetAccountEnabled(bool),
    AddToGroup(String),
    RemoveFromGroup(String),
    DeleteUser,
    SetAssignedLicenses(Vec<Value>),
    /// `signInSessionsValidFromDateTime` (RFC 3339).
    RevokeSessions(String),
    /// Queue an e-mail in the outbox (the mailer delivers it).
    QueueMail(OutboxMail),
    /// Create (replace) the user's Temporary Access Pass (auth_methods.rs).
    CreateTemporaryAccessPass(TapRow),
    /// Change the user's access package assignments (entitlement.rs).
    AccessPackage(AccessPackageEffect),
    /// Queue a custom task extension callout (the engine's callout worker makes it).
    QueueCallout(NewCallout),
    /// Log that a task changed one of the user's attributes, as a change through the API
    /// is logged (attributeChangeTrigger workflows read the log). Values as in the document.
    AttributeChanged {
        name: String,
        old: Value,
        new: Value,
    },
}

impl Store {
    /// Commit one engine job: every user's effects, every result write, and the job's
    /// completion, in one transaction. Returns false (and changes nothing) when the job was
    /// already completed (another node took over an expired lease and finished first).
    pub async fn apply_job(
        &self,
        tenant: &str,
        job_id: &str,
        effects: &[(String, Vec<DirectoryEffect>)],
        writes: &[ResultWrite],
    ) -> Result<bool> {
        // Built before the transaction, which then only runs them (see prepared.rs).
        let dialect = self.dialect();
        let (batched, one_by_one): (Vec<_>, Vec<_>) =
            effects.iter().partition(|(_, e)| batchable(e));
        let batched = prepare_batched_effects(dialect, tenant, &batched)?;
        let result_steps = prepare_result_writes(dialect, tenant, writes.iter())?;
        let mut tx = self.begin().await?;
        let mine = sqlx::query("UPDATE jobs SET done = 1, lease_owner = NULL, lease_until = NULL WHERE id = $1 AND done = 0")
            .bind(job_id)
            .execute(&mut *tx)
            .await?
            .rows_affected()
            > 0;
        if !mine {
            return Ok(false);
        }
        apply_batched_effects(&mut tx, self, tenant, batched).await?;
        for (user_id, e) in one_by_one {
            apply_user_effects(&mut tx, self, tenant, user_id, e).await?;
        }
        run_steps(&mut tx, tenant, result_steps).await?;
        tx.commit().await?;
        if effects.iter().any(|(_, e)| !e.is_empty()) {
            self.bump(tenant);
        }
        Ok(true)
    }
}

/// Whether a user's effects can join the set-based statements of [`apply_batched_effects`]:
/// only document changes and membership changes of distinct groups (their order then does
/// not matter). Anything else (deletion, mail, ...) is applied user by user, in order.
fn batchable(effects: &[DirectoryEffect]) -> bool {
    let mut groups: Vec<&str> = Vec::new();
    effects.iter().all(|e| match e {
        DirectoryEffect::AddToGroup(g) | DirectoryEffect::RemoveFromGroup(g) => {
            let fresh = !groups.iter().any(|x| x.eq_ignore_ascii_case(g));
            groups.push(g);
            fresh
        }
        DirectoryEffect::SetAccountEnabled(_)
        | DirectoryEffect::SetAssignedLicenses(_)
        | DirectoryEffect::RevokeSessions(_)
        | DirectoryEffect::AttributeChanged { .. } => true,
        _ => false,
    })
}

/// Membership changes made per statement (3 parameters each).
const MEMBERS_PER_STATEMENT: usize = 500;
/// User documents rewritten per statement (3 parameters each).
const DOCS_PER_STATEMENT: usize = 500;

/// Many users' batchable effects as a few set-based statements: one insert and one delete
/// of memberships, one update of the changed user documents. Built before the transaction
/// (see prepared.rs) where they do not depend on what it reads.
struct BatchedEffects<'e> {
    adds: Vec<MembershipAdds>,
    removes: Vec<(&'e str, Vec<&'e str>)>,
    /// SQLite: `json_set` updates. PostgreSQL rewrites documents it reads in the transaction.
    doc_updates: Vec<Prepared>,
    doc_users: Vec<&'e str>,
    by_user: std::collections::HashMap<&'e str, &'e Vec<DirectoryEffect>>,
    attribute_changes: Vec<crate::changes::NewChange<'e>>,
}

/// Membership additions, a statement's worth.
struct MembershipAdds {
    insert: Prepared,
    /// SQLite: logs the pairs not yet members, run just before `insert`, its first sequence
    /// number still to bind (see [`prepare_add_log`]). PostgreSQL logs what `insert`
    /// returns: another node may add the same pair at the same time.
    log: Option<Prepared>,
    pairs: usize,
}

/// SQLite: log the memberships of `pairs` (group, member) that do not exist yet, without
/// streaming the inserted rows back (the transaction is the only writer, so "not a member
/// before the insert" is "added by it"). The last parameter, the first sequence number of
/// the `pairs.len()` the log takes, is bound in the transaction.
fn prepare_add_log(tenant: &str, pairs: &[(&str, &str)]) -> Result<Prepared> {
    let sql = format!(
        "INSERT INTO directory_changes (tenant_id, seq, user_id, kind, name, old_value, new_value)
         SELECT b.tenant, b.base + v.column3, v.column2, 'member', v.column1, NULL, 'add'
         FROM (VALUES {}) AS v, (SELECT ? AS tenant, ? AS base) AS b
         WHERE NOT EXISTS (SELECT 1 FROM group_members m
            WHERE m.tenant_id = b.tenant AND m.group_id = v.column1 AND m.member_id = v.column2)",
        Dialect::Sqlite.values_list(1, pairs.len(), 3)
    );
    let mut q = Prepared::new(sql);
    for (i, (g, u)) in pairs.iter().enumerate() {
        q = q.bind(g.to_string())?.bind(u.to_string())?.bind(i as i64)?;
    }
    q.bind(tenant.to_string())
}

fn prepare_batched_effects<'e>(
    dialect: Dialect,
    tenant: &str,
    effects: &[&'e (String, Vec<DirectoryEffect>)],
) -> Result<BatchedEffects<'e>> {
    let mut adds: Vec<(&str, &str)> = Vec::new();
    let mut removes: Vec<(&str, &str)> = Vec::new();
    let mut doc_users: Vec<&str> = Vec::new();
    let mut attribute_changes = Vec::new();
    for (user_id, list) in effects.iter().copied() {
        for e in list {
            match e {
                DirectoryEffect::AddToGroup(g) => adds.push((g, user_id)),
                DirectoryEffect::RemoveFromGroup(g) => removes.push((g, user_id)),
                DirectoryEffect::AttributeChanged { name, old, new } => attribute_changes
                    .push(crate::changes::attribute_change(user_id, name, old, new)),
                _ => {
                    if doc_users.last() != Some(&user_id.as_str()) {
                        doc_users.push(user_id);
                    }
                }
            }
        }
    }
    let mut add_statements = Vec::new();
    if dialect.single_writer() {
        // A pair listed twice would be logged twice where the insert adds it once.
        let mut seen = std::collections::HashSet::new();
        adds.retain(|pair| seen.insert(*pair));
    }
    for chunk in adds.chunks(MEMBERS_PER_STATEMENT) {
        let returning = if dialect.single_writer() {
            ""
        } else {
            " RETURNING group_id, member_id"
        };
        let sql = format!(
            "INSERT INTO group_members (tenant_id, group_id, member_id) VALUES {} ON CONFLICT DO NOTHING{returning}",
            dialect.values_list(1, chunk.len(), 3)
        );
        let mut q = Prepared::new(sql);
        for (g, u) in chunk {
            q = q
                .bind(tenant.to_string())?
                .bind(g.to_string())?
                .bind(u.to_string())?;
        }
        let log = if dialect.single_writer() {
            Some(prepare_add_log(tenant, chunk)?)
        } else {
            None
        };
        add_statements.push(MembershipAdds {
            insert: q,
            log,
            pairs: chunk.len(),
        });
    }
    // Removals go group by group: a statement per group seeks the primary key, where a
    // list of (group, member) pairs made SQLite scan the whole table.
    let mut removes_by_group: std::collections::BTreeMap<&str, Vec<&str>> = Default::default();
    for (g, u) in removes {
        removes_by_group.entry(g).or_default().push(u);
    }
    let by_user: std::collections::HashMap<&str, &Vec<DirectoryEffect>> =
        effects.iter().map(|(u, e)| (u.as_str(), e)).collect();
    let doc_updates = if dialect.single_writer() {
        prepare_doc_properties(tenant, &doc_users, &by_user)?
    } else {
        Vec::new()
    };
    Ok(BatchedEffects {
        adds: add_statements,
        removes: removes_by_group.into_iter().collect(),
        doc_updates,
        doc_users,
        by_user,
        attribute_changes,
    })
}

/// Apply [`BatchedEffects`]. Membership changes that took effect are logged for
/// membershipChangeTrigger workflows.
async fn apply_batched_effects(
    tx: &mut sqlx::AnyConnection,
    store: &Store,
    tenant: &str,
    batched: BatchedEffects<'_>,
) -> Result<()> {
    let dialect = crate::dialect_of(tx);
    for adds in batched.adds {
        match adds.log {
            Some(log) => {
                // Sequence numbers are taken inside the transaction: a change-triggered
                // workflow reads the log in their order up to a cursor, so on SQLite they
                // must follow commit order.
                log.bind(store.reserve_seqs(adds.pairs))?
                    .execute(&mut *tx)
                    .await?;
                adds.insert.execute(&mut *tx).await?;
            }
            None => {
                let done = adds.insert.fetch_all(&mut *tx).await?;
                log_member_changes(tx, store, tenant, &done, "add").await?;
            }
        }
    }
    for (group, members) in batched.removes {
        for chunk in members.chunks(MEMBERS_PER_STATEMENT) {
            let sql = format!(
                "DELETE FROM group_members WHERE tenant_id = {} AND group_id = {} AND member_id IN ({}) RETURNING group_id, member_id",
                dialect.placeholder(1),
                dialect.placeholder(2),
                (0..chunk.len())
                    .map(|i| dialect.placeholder(i + 3))
                    .collect::<Vec<_>>()
                    .join(",")
            );
            let mut q = sqlx::query(&sql).bind(tenant).bind(group);
            for u in chunk {
                q = q.bind(*u);
            }
            let done = q.fetch_all(&mut *tx).await?;
            log_member_changes(tx, store, tenant, &done, "remove").await?;
        }
    }
    if !batched.attribute_changes.is_empty() {
        crate::changes::record_many(tx, store, tenant, &batched.attribute_changes).await?;
    }
    if dialect.single_writer() {
        for q in batched.doc_updates {
            q.execute(&mut *tx).await?;
        }
        return Ok(());
    }
    let by_user = &batched.by_user;
    for chunk in batched.doc_users.chunks(DOCS_PER_STATEMENT) {
        let docs = crate::changes::current_docs(tx, tenant, chunk).await?;
        let mut updates: Vec<(&str, String, Option<i64>)> = Vec::with_capacity(chunk.len());
        for user_id in chunk {
            let (Some(mut doc), Some(list)) = (docs.get(*user_id).cloned(), by_user.get(user_id))
            else {
                continue; // deleted meanwhile: nothing to change
            };
            for e in list.iter() {
                change_doc(&mut doc, e);
            }
            let enabled = doc
                .get("accountEnabled")
                .and_then(Value::as_bool)
                .map(i64::from);
            let text =
                serde_json::to_string(&doc).map_err(|e| StoreError::Corrupt(e.to_string()))?;
            updates.push((user_id, text, enabled));
        }
        if updates.is_empty() {
            continue;
        }
        let sql = format!(
            "UPDATE users SET doc = v.column2, account_enabled = v.column3 FROM (VALUES {}) AS v
             WHERE users.tenant_id = {} AND users.id = v.column1",
            dialect.values_list(1, updates.len(), 3),
            dialect.placeholder(updates.len() * 3 + 1)
        );
        let mut q = sqlx::query(&sql);
        for (id, doc, enabled) in updates {
            q = q.bind(id).bind(doc).bind(enabled);
        }
        q.bind(tenant).execute(&mut *tx).await?;
    }
    Ok(())
}

/// The document properties a user's effects leave set, each at its last value.
#[derive(Default, PartialEq, Eq, Hash, Clone, Copy)]
struct PropertyShape {
    account_enabled: bool,
    licenses: bool,
    sessions: bool,
}

/// SQLite: set the effects' document properties with `json_set`, in place, a statement per
/// combination of properties. Reading and rewriting whole documents in Rust cost the
/// writer about a tenth of a job. (PostgreSQL keeps the read-modify-write path: its JSON
/// functions reorder an object's keys.)
fn prepare_doc_properties(
    tenant: &str,
    users: &[&str],
    effects: &std::collections::HashMap<&str, &Vec<DirectoryEffect>>,
) -> Result<Vec<Prepared>> {
    let mut statements = Vec::new();
    // (user, accountEnabled, assignedLicenses as JSON, signInSessionsValidFromDateTime)
    type Change<'a> = (&'a str, Option<bool>, Option<String>, Option<&'a str>);
    let mut by_shape: std::collections::HashMap<PropertyShape, Vec<Change>> = Default::default();
    for user in users {
        let mut change: Change = (user, None, None, None);
        for e in effects.get(user).map(|l| l.iter()).into_iter().flatten() {
            match e {
                DirectoryEffect::SetAccountEnabled(b) => change.1 = Some(*b),
                DirectoryEffect::SetAssignedLicenses(l) => {
                    change.2 = Some(
                        serde_json::to_string(l).map_err(|e| StoreError::Corrupt(e.to_string()))?,
                    )
                }
                DirectoryEffect::RevokeSessions(at) => change.3 = Some(at),
                _ => {}
            }
        }
        let shape = PropertyShape {
            account_enabled: change.1.is_some(),
            licenses: change.2.is_some(),
            sessions: change.3.is_some(),
        };
        by_shape.entry(shape).or_default().push(change);
    }
    for (shape, changes) in by_shape {
        let mut paths = Vec::new();
        if shape.account_enabled {
            paths.push("'$.accountEnabled', json(v.column2)");
        }
        if shape.licenses {
            paths.push("'$.assignedLicenses', json(v.column3)");
        }
        if shape.sessions {
            paths.push("'$.signInSessionsValidFromDateTime', v.column4");
        }
        if paths.is_empty() {
            continue;
        }
        for chunk in changes.chunks(DOCS_PER_STATEMENT) {
            let sql = format!(
                "UPDATE users SET doc = json_set(doc, {}), account_enabled = COALESCE(v.column5, users.account_enabled)
                 FROM (VALUES {}) AS v WHERE users.tenant_id = ? AND users.id = v.column1",
                paths.join(", "),
                Dialect::Sqlite.values_list(1, chunk.len(), 5)
            );
            let mut q = Prepared::new(sql);
            for (user, enabled, licenses, sessions) in chunk {
                q = q
                    .bind(user.to_string())?
                    .bind(enabled.map(|b| if b { "true" } else { "false" }))?
                    .bind(licenses.clone())?
                    .bind(sessions.map(str::to_string))?
                    .bind(enabled.map(i64::from))?;
            }
            statements.push(q.bind(tenant.to_string())?);
        }
    }
    Ok(statements)
}

/// Log the membership changes a statement reports (`RETURNING group_id, member_id`).
async fn log_member_changes(
    tx: &mut sqlx::AnyConnection,
    store: &Store,
    tenant: &str,
    rows: &[sqlx::any::AnyRow],
    change: &str,
) -> Result<()> {
    let changes = rows
        .iter()
        .map(|r| -> Result<_> {
            let group: String = r.try_get(0)?;
            let member: String = r.try_get(1)?;
            Ok((member, "member", group, None, Some(change.to_string())))
        })
        .collect::<Result<Vec<_>>>()?;
    crate::changes::record_many(tx, store, tenant, &changes).await
}

/// Apply a document effect to a user document.
fn change_doc(doc: &mut Value, e: &DirectoryEffect) {
    match e {
        DirectoryEffect::SetAccountEnabled(b) => doc["accountEnabled"] = Value::Bool(*b),
        DirectoryEffect::SetAssignedLicenses(l) => {
            doc["assignedLicenses"] = Value::Array(l.clone())
        }
        DirectoryEffect::RevokeSessions(at) => {
            doc["signInSessionsValidFromDateTime"] = Value::String(at.clone())
        }
        _ => {}
    }
}

/// Apply one user's effects inside a transaction.
async fn apply_user_effects(
    tx: &mut sqlx::AnyConnection,
    store: &Store,
    tenant: &str,
    user_id: &str,
    effects: &[DirectoryEffect],
) -> Result<()> {
    let mut doc_change: Option<Value> = None;
    for e in effects {
        match e {
            DirectoryEffect::AddToGroup(g) | DirectoryEffect::RemoveFromGroup(g) => {
                let (sql, change) = if matches!(e, DirectoryEffect::AddToGroup(_)) {
                    ("INSERT INTO group_members (tenant_id, group_id, member_id) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING RETURNING group_id, member_id", "add")
                } else {
                    ("DELETE FROM group_members WHERE tenant_id = $1 AND group_id = $2 AND member_id = $3 RETURNING group_id, member_id", "remove")
                };
                let done = sqlx::query(sql)
                    .bind(tenant)
                    .bind(g)
                    .bind(user_id)
                    .fetch_all(&mut *tx)
                    .await?;
                log_member_changes(tx, store, tenant, &done, change).await?;
            }
            DirectoryEffect::DeleteUser => {
                crate::execute_each(
                    &mut *tx,
                    &["DELETE FROM users WHERE tenant_id = $1 AND id = $2"],
                    tenant,
                    user_id,
                )
                .await?;
                crate::execute_each(&mut *tx, crate::directory::USER_BELONGINGS, tenant, user_id)
                    .await?;
                doc_change = None;
            }
            DirectoryEffect::QueueMail(mail) => queue_mail(&mut *tx, tenant, mail).await?,
            DirectoryEffect::CreateTemporaryAccessPass(tap) => {
                put_tap(&mut *tx, tenant, user_id, tap).await?
            }
            DirectoryEffect::AccessPackage(e) => {
                apply_access_package_effect(&mut *tx, tenant, user_id, e).await?;
            }
            DirectoryEffect::QueueCallout(c) => queue_callout(&mut *tx, tenant, c).await?,
            DirectoryEffect::AttributeChanged { name, old, new } => {
                let change = crate::changes::attribute_change(user_id, name, old, new);
                crate::changes::record_many(tx, store, tenant, &[change]).await?;
            }
            other => {
                let doc = match doc_change.take() {
                    Some(d) => d,
                    None => {
                        // Locked on PostgreSQL until the rewrite below commits, so a
                        // concurrent PATCH is neither lost nor undoes this effect.
                        let lock = match crate::dialect_of(tx) {
                            crate::Dialect::Postgres => " FOR UPDATE",
                            crate::Dialect::Sqlite => "",
                        };
                        let sql =
                            format!("SELECT doc FROM users WHERE tenant_id = $1 AND id = $2{lock}");
                        let row = sqlx::query(&sql)
                            .bind(tenant)
                            .bind(user_id)
                            .fetch_optional(&mut *tx)
                            .await?;
                        match row {
                            Some(r) => serde_json::from_str(&r.try_get::<String, _>(0)?)
                                .map_err(|e| StoreError::Corrupt(e.to_string()))?,
                            None => continue,
                        }
                    }
                };
                let mut doc = doc;
                change_doc(&mut doc, other);
                doc_change = Some(doc);
            }
        }
    }
    if let Some(doc) = doc_change {
        let enabled = doc
            .get("accountEnabled")
            .and_then(Value::as_bool)
            .map(i64::from);
        let text = serde_json::to_string(&doc).map_err(|e| StoreError::Corrupt(e.to_string()))?;
        sqlx::query(
            "UPDATE users SET doc = $3, account_enabled = $4 WHERE tenant_id = $1 AND id = $2",
        )
        .bind(tenant)
        .bind(user_id)
        .bind(text)
        .bind(enabled)
        .execute(&mut *tx)
        .await?;
    }
    Ok(())
}
