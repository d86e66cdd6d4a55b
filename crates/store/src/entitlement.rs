//! A minimal entitlement-management store: access packages and their assignment policies
//! (definition documents in `resources`), and assignments and assignment requests (tables
//! of their own, keyed by target user so the access package tasks read a job's users in
//! one query).
//!
//! Assignments and requests change only through [`AccessPackageEffect`], applied either by
//! the API (`POST .../assignmentRequests`, `cancel`) or by a workflow task in the same
//! transaction as the task's result.

use sqlx::Row;

use crate::{Result, Store};

/// Resource kinds of the definitions kept in `resources`.
pub mod entitlement_kinds {
    pub const ACCESS_PACKAGE: &str = "accessPackage";
    /// Child of an access package (`parent_id`).
    pub const ASSIGNMENT_POLICY: &str = "accessPackageAssignmentPolicy";
}

/// One access package assignment (only live ones are stored: removal deletes the row and
/// leaves an `adminRemove` request as the record).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AssignmentRow {
    pub id: String,
    pub target_id: String,
    pub access_package_id: String,
    pub policy_id: String,
    pub state: String,
    pub status: String,
    pub created_at: String,
}

/// One access package assignment request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestRow {
    pub id: String,
    pub request_type: String,
    pub state: String,
    pub status: String,
    pub target_id: String,
    pub access_package_id: String,
    pub policy_id: String,
    /// The assignment created or removed (empty while none).
    pub assignment_id: String,
    pub justification: Option<String>,
    pub created_at: String,
    pub completed_at: Option<String>,
}

/// A change to a user's access package assignments.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AccessPackageEffect {
    /// An `adminAdd` request. Delivered at once (with a new assignment) unless `pending`
    /// (the policy requires approval), when it waits in `pendingApproval`. Skipped when the
    /// user already has a delivered assignment, or a pending request, for the package.
    Request {
        request_id: String,
        assignment_id: String,
        access_package_id: String,
        policy_id: String,
        pending: bool,
        justification: Option<String>,
        at: String,
    },
    /// Remove an assignment of the user: the assignment goes, an `adminRemove` request
    /// (delivered) records it. Skipped when the assignment is already gone.
    Remove {
        request_id: String,
        assignment_id: String,
        at: String,
    },
    /// Cancel a pending request of the user.
    Cancel { request_id: String, at: String },
}

const A_COLUMNS: &str = "id, target_id, access_package_id, policy_id, state, status, created_at";
const R_COLUMNS: &str = "id, request_type, state, status, target_id, access_package_id, policy_id, assignment_id, justification, created_at, completed_at";
/// Request states that can still be canceled.
const PENDING: &str = "('submitted', 'accepted', 'pendingApproval')";

fn assignment_of(r: &sqlx::any::AnyRow) -> Result<AssignmentRow> {
    Ok(AssignmentRow {
        id: r.try_get(0)?,
        target_id: r.try_get(1)?,
        access_package_id: r.try_get(2)?,
        policy_id: r.try_get(3)?,
        state: r.try_get(4)?,
        status: r.try_get(5)?,
        created_at: r.try_get(6)?,
    })
}

fn request_of(r: &sqlx::any::AnyRow) -> Result<RequestRow> {
    Ok(RequestRow {
        id: r.try_get(0)?,
        request_type: r.try_get(1)?,
        state: r.try_get(2)?,
        status: r.try_get(3)?,
        target_id: r.try_get(4)?,
        access_package_id: r.try_get(5)?,
        policy_id: r.try_get(6)?,
        assignment_id: r.try_get(7)?,
        justification: r.try_get(8)?,
        created_at: r.try_get(9)?,
        completed_at: r.try_get(10)?,
    })
}

async fn insert_request(tx: &mut sqlx::AnyConnection, tenant: &str, r: &RequestRow) -> Result<()> {
    sqlx::query(&format!(
        "INSERT INTO ap_requests (tenant_id, {R_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)"
    ))
    .bind(tenant)
    .bind(&r.id)
    .bind(&r.request_type)
    .bind(&r.state)
    .bind(&r.status)
    .bind(&r.target_id)
    .bind(&r.access_package_id)
    .bind(&r.policy_id)
    .bind(&r.assignment_id)
    .bind(r.justification.as_deref())
    .bind(&r.created_at)
    .bind(r.completed_at.as_deref())
    .execute(&mut *tx)
    .await?;
    Ok(())
}

/// Apply one effect for `user_id` inside a transaction; returns whether anything changed.
pub(crate) async fn apply_access_package_effect(
    tx: &mut sqlx::AnyConnection,
    tenant: &str,
    user_id: &str,
    effect: &AccessPackageEffect,
) -> Result<bool> {
    match effect {
        AccessPackageEffect::Request {
            request_id,
            assignment_id,
            access_package_id,
            policy_id,
            pending,
            justification,
            at,
        } => {
            let assigned: i64 = sqlx::query(
                "SELECT COUNT(*) FROM ap_assignments WHERE tenant_id = $1 AND target_id = $2 AND access_package_id = $3",
            )
            .bind(tenant)
            .bind(user_id)
            .bind(access_package_id)
            .fetch_one(&mut *tx)
            .await?
            .try_get(0)?;
            let waiting: i64 = sqlx::query(&format!(
                "SELECT COUNT(*) FROM ap_requests WHERE tenant_id = $1 AND target_id = $2 AND access_package_id = $3 AND state IN {PENDING}"
            ))
            .bind(tenant)
            .bind(user_id)
            .bind(access_package_id)
            .fetch_one(&mut *tx)
            .await?
            .try_get(0)?;
            if assigned > 0 || waiting > 0 {
                return Ok(false);
            }
            let mut request = RequestRow {
                id: request_id.clone(),
                request_type: "adminAdd".into(),
                state: "pendingApproval".into(),
                status: "PendingApproval".into(),
                target_id: user_id.to_string(),
                access_package_id: access_package_id.clone(),
                policy_id: policy_id.clone(),
                assignment_id: String::new(),
                justification: justification.clone(),
                created_at: at.clone(),
                completed_at: None,
            };
            if !pending {
                sqlx::query(&format!(
                    "INSERT INTO ap_assignments (tenant_id, {A_COLUMNS}) VALUES ($1, $2, $3, $4, $5, 'delivered', 'Delivered', $6)"
                ))
                .bind(tenant)
                .bind(assignment_id)
                .bind(user_id)
                .bind(access_package_id)
                .bind(policy_id)
                .bind(at)
                .execute(&mut *tx)
                .await?;
                request.state = "delivered".into();
                request.status = "Delivered".into();
                request.assignment_id = assignment_id.clone();
                request.completed_at = Some(at.clone());
            }
            insert_request(tx, tenant, &request).await?;
            Ok(true)
        }
        AccessPackageEffect::Remove {
            request_id,
            assignment_id,
            at,
        } => {
            let row = sqlx::query(&format!(
                "SELECT {A_COLUMNS} FROM ap_assignments WHERE tenant_id = $1 AND id = $2 AND target_id = $3"
            ))
            .bind(tenant)
            .bind(assignment_id)
            .bind(user_id)
            .fetch_optional(&mut *tx)
            .await?;
            let Some(row) = row else {
                return Ok(false);
            };
            let a = assignment_of(&row)?;
            sqlx::query("DELETE FROM ap_assignments WHERE tenant_id = $1 AND id = $2")
                .bind(tenant)
                .bind(assignment_id)
                .execute(&mut *tx)
                .await?;
            let request = RequestRow {
                id: request_id.clone(),
                request_type: "adminRemove".into(),
                state: "delivered".into(),
                status: "Delivered".into(),
                target_id: user_id.to_string(),
                access_package_id: a.access_package_id,
                policy_id: a.policy_id,
                assignment_id: assignment_id.clone(),
                justification: None,
                created_at: at.clone(),
                completed_at: Some(at.clone()),
            };
            insert_request(tx, tenant, &request).await?;
            Ok(true)
        }
        AccessPackageEffect::Cancel { request_id, at } => {
            let n = sqlx::query(&format!(
                "UPDATE ap_requests SET state = 'canceled', status = 'Canceled', completed_at = $4
                 WHERE tenant_id = $1 AND id = $2 AND target_id = $3 AND state IN {PENDING}"
            ))
            .bind(tenant)
            .bind(request_id)
            .bind(user_id)
            .bind(at)
            .execute(&mut *tx)
            .await?
            .rows_affected();
            Ok(n > 0)
        }
    }
}

/// `IN ($2, $3, ...)` for `n` values after `first - 1` other parameters.
fn placeholders(first: usize, n: usize) -> String {
    let list: Vec<String> = (first..first + n).map(|i| format!("${i}")).collect();
    format!("({})", list.join(", "))
}

impl Store {
    /// Apply one effect outside a workflow (the API); returns whether anything changed.
    pub async fn apply_access_package(
        &self,
        tenant: &str,
        user_id: &str,
        effect: &AccessPackageEffect,
    ) -> Result<bool> {
        let mut tx = self.begin().await?;
        let changed = apply_access_package_effect(&mut tx, tenant, user_id, effect).await?;
        tx.commit().await?;
        if changed {
            self.bump(tenant);
        }
        Ok(changed)
    }

    /// The tenant's assignments (of one target user when given), oldest first.
    pub async fn list_assignments(
        &self,
        tenant: &str,
        target: Option<&str>,
    ) -> Result<Vec<AssignmentRow>> {
        let and = if target.is_some() {
            "AND target_id = $2"
        } else {
            ""
        };
        let binds: Vec<&str> = target.into_iter().collect();
        self.select_oldest_first(
            A_COLUMNS,
            "ap_assignments",
            tenant,
            and,
            &binds,
            assignment_of,
        )
        .await
    }

    pub async fn get_assignment(&self, tenant: &str, id: &str) -> Result<Option<AssignmentRow>> {
        let row = sqlx::query(&format!(
            "SELECT {A_COLUMNS} FROM ap_assignments WHERE tenant_id = $1 AND id = $2"
        ))
        .bind(tenant)
        .bind(id)
        .fetch_optional(self.pool())
        .await?;
        row.as_ref().map(assignment_of).transpose()
    }

    /// Assignments of any of `user_ids` (an engine job's users).
    pub async fn assignments_of_users(
        &self,
        tenant: &str,
        user_ids: &[String],
    ) -> Result<Vec<AssignmentRow>> {
        if user_ids.is_empty() {
            return Ok(Vec::new());
        }
        let and = format!("AND target_id IN {}", placeholders(2, user_ids.len()));
        let binds: Vec<&str> = user_ids.iter().map(String::as_str).collect();
        self.select_oldest_first(
            A_COLUMNS,
            "ap_assignments",
            tenant,
            &and,
            &binds,
            assignment_of,
        )
        .await
    }

    /// The tenant's requests (of one target user when given), oldest first.
    pub async fn list_requests(
        &self,
        tenant: &str,
        target: Option<&str>,
    ) -> Result<Vec<RequestRow>> {
        let and = if target.is_some() {
            "AND target_id = $2"
        } else {
            ""
        };
        let binds: Vec<&str> = target.into_iter().collect();
        self.select_oldest_first(R_COLUMNS, "ap_requests", tenant, and, &binds, request_of)
            .await
    }

    pub async fn get_request(&self, tenant: &str, id: &str) -> Result<Option<RequestRow>> {
        let row = sqlx::query(&format!(
            "SELECT {R_COLUMNS} FROM ap_requests WHERE tenant_id = $1 AND id = $2"
        ))
        .bind(tenant)
        .bind(id)
        .fetch_optional(self.pool())
        .await?;
        row.as_ref().map(request_of).transpose()
    }

    /// Requests of any of `user_ids` that can still be canceled.
    pub async fn pending_requests_of_users(
        &self,
        tenant: &str,
        user_ids: &[String],
    ) -> Result<Vec<RequestRow>> {
        if user_ids.is_empty() {
            return Ok(Vec::new());
        }
        let and = format!(
            "AND state IN {PENDING} AND target_id IN {}",
            placeholders(2, user_ids.len())
        );
        let binds: Vec<&str> = user_ids.iter().map(String::as_str).collect();
        self.select_oldest_first(R_COLUMNS, "ap_requests", tenant, &and, &binds, request_of)
            .await
    }

    /// `SELECT columns FROM table WHERE tenant_id = $1 <and>` oldest first, `$2...` bound
    /// to `binds`.
    async fn select_oldest_first<T>(
        &self,
        columns: &str,
        table: &str,
        tenant: &str,
        and: &str,
        binds: &[&str],
        map: fn(&sqlx::any::AnyRow) -> Result<T>,
    ) -> Result<Vec<T>> {
        let sql = format!(
            "SELECT {columns} FROM {table} WHERE tenant_id = $1 {and} ORDER BY created_at, id"
        );
        let mut q = sqlx::query(&sql).bind(tenant);
        for b in binds {
            q = q.bind(*b);
        }
        let rows = q.fetch_all(self.pool()).await?;
        rows.iter().map(map).collect()
    }

    /// How many assignments use an access package or a policy (deletes are refused while
    /// any do).
    pub async fn assignments_using(
        &self,
        tenant: &str,
        access_package_id: Option<&str>,
        policy_id: Option<&str>,
    ) -> Result<i64> {
        let n: i64 = sqlx::query(
            "SELECT COUNT(*) FROM ap_assignments WHERE tenant_id = $1
               AND ($2 = '' OR access_package_id = $3) AND ($4 = '' OR policy_id = $5)",
        )
        .bind(tenant)
        .bind(access_package_id.unwrap_or(""))
        .bind(access_package_id.unwrap_or(""))
        .bind(policy_id.unwrap_or(""))
        .bind(policy_id.unwrap_or(""))
        .fetch_one(self.pool())
        .await?
        .try_get(0)?;
        Ok(n)
    }
}
