//! `/users` and `/groups`: the directory that workflows act on.
//!
//! Bodies are turned into stored documents by `model::directory`; every write goes through
//! the store's few directory write functions (`create_user`, `put_user`, `set_manager`,
//! `delete_user`, `change_members`, ...), which is where a change log can hook in.
//! Documents come back as stored; the API adds `@odata.type` where Graph writes it.

use std::collections::HashMap;

use model::directory::{DirectoryRef, RefKind};
use serde_json::Value;
use store::{UserListQuery, UserRow};

use crate::{Body, Caller, Error, Result, Service};

pub fn directory_not_found(id: &str) -> Error {
    Error::DirectoryNotFound(format!(
        "Resource '{id}' does not exist or one of its queried reference-property objects are not present."
    ))
}

fn already_member() -> Error {
    Error::invalid(
        "One or more added object references already exist for the following modified properties: 'members'.",
    )
}

fn doc_id(doc: &Value) -> String {
    doc.get("id")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string()
}

/// The user list's OData options, passed through to the store, which pages in SQL.
#[derive(Debug, Default)]
pub struct UserQuery<'a> {
    pub filter: Option<&'a odata::Expr>,
    pub orderby: &'a [odata::OrderBy],
    pub search: Option<&'a odata::Search>,
    pub top: usize,
    pub skip: usize,
    pub count: bool,
}

/// Which of a user's related objects to load with it (`$expand`).
#[derive(Debug, Clone, Copy, Default)]
pub struct UserExpand {
    pub manager: bool,
    pub member_of: bool,
}

/// A user document with the related objects asked for.
#[derive(Debug, Clone)]
pub struct UserView {
    pub user: Value,
    /// The manager, when expanded and the user has one.
    pub manager: Option<Value>,
    /// The groups, when expanded.
    pub member_of: Option<Vec<Value>>,
}

/// One page of users.
#[derive(Debug)]
pub struct UserPage {
    pub items: Vec<UserView>,
    pub total: Option<i64>,
    /// More users follow this page.
    pub more: bool,
}

/// A group document with its members when asked for (`$expand=members`).
#[derive(Debug, Clone)]
pub struct GroupView {
    pub group: Value,
    pub members: Option<Vec<Value>>,
}

impl Service {
    // ---- users ----

    /// The user named by a path key (object id or userPrincipalName).
    pub(crate) async fn load_user(&self, caller: &Caller, key: &str) -> Result<UserRow> {
        self.store
            .get_user(&caller.tenant, key)
            .await?
            .ok_or_else(|| directory_not_found(key))
    }

    /// Load the expanded related objects of user documents (batched per page).
    async fn expand_users(
        &self,
        caller: &Caller,
        docs: Vec<Value>,
        expand: UserExpand,
    ) -> Result<Vec<UserView>> {
        let tenant = &caller.tenant;
        let mut views: Vec<UserView> = docs
            .into_iter()
            .map(|user| UserView {
                user,
                manager: None,
                member_of: None,
            })
            .collect();
        if expand.manager && !views.is_empty() {
            let ids: Vec<String> = views.iter().map(|v| doc_id(&v.user)).collect();
            let manager_of: HashMap<String, String> = self
                .store
                .get_users_by_ids(tenant, &ids)
                .await?
                .into_iter()
                .filter_map(|r| r.manager_id.map(|m| (r.id, m)))
                .collect();
            let mut wanted: Vec<String> = manager_of.values().cloned().collect();
            wanted.sort();
            wanted.dedup();
            let managers: HashMap<String, Value> = self
                .store
                .get_users_by_ids(tenant, &wanted)
                .await?
                .into_iter()
                .map(|r| (r.id, r.doc))
                .collect();
            for v in &mut views {
                v.manager = manager_of
                    .get(&doc_id(&v.user))
                    .and_then(|m| managers.get(m))
                    .cloned();
            }
        }
        if expand.member_of {
            for v in &mut views {
                v.member_of = Some(self.store.groups_of(tenant, &doc_id(&v.user)).await?);
            }
        }
        Ok(views)
    }

    pub async fn list_users(
        &self,
        caller: &Caller,
        query: UserQuery<'_>,
        expand: UserExpand,
    ) -> Result<UserPage> {
        let q = UserListQuery {
            filter: query.filter,
            orderby: query.orderby,
            search: query.search,
            top: query.top,
            skip: query.skip,
            count: query.count,
        };
        let page = self.store.list_users(&caller.tenant, &q).await?;
        Ok(UserPage {
            items: self.expand_users(caller, page.items, expand).await?,
            total: page.total,
            more: page.more,
        })
    }

    /// How many users match the filter and search.
    pub async fn count_users(
        &self,
        caller: &Caller,
        filter: Option<&odata::Expr>,
        search: Option<&odata::Search>,
    ) -> Result<i64> {
        let q = UserListQuery {
            filter,
            orderby: &[],
            search,
            top: 0,
            skip: 0,
            count: true,
        };
        let page = self.store.list_users(&caller.tenant, &q).await?;
        Ok(page.total.unwrap_or(0))
    }

    pub async fn create_user(&self, caller: &Caller, body: &Value) -> Result<Value> {
        let doc = model::directory::new_user(body, caller.now)?;
        let row = UserRow {
            id: doc_id(&doc),
            manager_id: None,
            doc,
        };
        self.store.create_user(&caller.tenant, &row).await?;
        Ok(row.doc)
    }

    pub async fn get_user(
        &self,
        caller: &Caller,
        key: &str,
        expand: UserExpand,
    ) -> Result<UserView> {
        let row = self.load_user(caller, key).await?;
        self.expand_users(caller, vec![row.doc], expand)
            .await?
            .pop()
            .ok_or_else(|| Error::Internal(format!("user '{key}' vanished while expanding")))
    }

    pub async fn update_user(&self, caller: &Caller, key: &str, body: Body) -> Result<()> {
        let row = self.load_user(caller, key).await?;
        // Validated up front, so a bad body never waits for the writer; merged inside the
        // store's write transaction, against the document as it is then: merging the one
        // read above would undo writes that landed in between.
        let props = model::directory::validate_user_props(&body?)?;
        let merge = move |current: &Value| -> Result<Value> {
            Ok(model::directory::merge_user(current, props)?)
        };
        if !self
            .store
            .update_user(&caller.tenant, &row.id, merge)
            .await?
        {
            return Err(directory_not_found(key));
        }
        Ok(())
    }

    pub async fn delete_user(&self, caller: &Caller, key: &str) -> Result<()> {
        let row = self.load_user(caller, key).await?;
        if !self.store.delete_user(&caller.tenant, &row.id).await? {
            return Err(directory_not_found(&row.id));
        }
        Ok(())
    }

    /// The user's manager (a directory "not found" when there is none).
    pub async fn manager(&self, caller: &Caller, key: &str) -> Result<Value> {
        let row = self.load_user(caller, key).await?;
        let manager = match &row.manager_id {
            Some(m) => self.store.get_user(&caller.tenant, m).await?,
            None => None,
        };
        manager
            .map(|m| m.doc)
            .ok_or_else(|| directory_not_found("manager"))
    }

    /// The user a reference names; a group (where only users are allowed) is refused.
    async fn resolve_user_ref(
        &self,
        caller: &Caller,
        r: &DirectoryRef,
        role: &str,
    ) -> Result<String> {
        if r.kind != RefKind::Group {
            if let Some(u) = self.store.get_user(&caller.tenant, &r.id).await? {
                return Ok(u.id);
            }
        }
        if r.kind != RefKind::User && self.store.get_group(&caller.tenant, &r.id).await?.is_some() {
            return Err(Error::invalid(format!(
                "'{}' is a group; lcw supports only users as {role}.",
                r.id
            )));
        }
        Err(directory_not_found(&r.id))
    }

    /// `PUT /users/{id}/manager/$ref` with an `@odata.id` reference body.
    pub async fn set_manager(&self, caller: &Caller, key: &str, body: Body) -> Result<()> {
        let row = self.load_user(caller, key).await?;
        let r = model::directory::parse_reference_body(&body?)?;
        let manager = self.resolve_user_ref(caller, &r, "managers").await?;
        if manager == row.id {
            return Err(Error::invalid("A user cannot be their own manager."));
        }
        if row.manager_id.as_deref() != Some(manager.as_str()) {
            self.store
                .set_manager(&caller.tenant, &row.id, Some(&manager))
                .await?;
        }
        Ok(())
    }

    pub async fn remove_manager(&self, caller: &Caller, key: &str) -> Result<()> {
        let row = self.load_user(caller, key).await?;
        if row.manager_id.is_some() {
            self.store
                .set_manager(&caller.tenant, &row.id, None)
                .await?;
        }
        Ok(())
    }

    pub async fn direct_reports(&self, caller: &Caller, key: &str) -> Result<Vec<Value>> {
        let row = self.load_user(caller, key).await?;
        Ok(self.store.direct_reports(&caller.tenant, &row.id).await?)
    }

    /// The groups the user belongs to.
    pub async fn member_of(&self, caller: &Caller, key: &str) -> Result<Vec<Value>> {
        let row = self.load_user(caller, key).await?;
        Ok(self.store.groups_of(&caller.tenant, &row.id).await?)
    }

    // ---- groups ----

    async fn load_group(&self, caller: &Caller, id: &str) -> Result<Value> {
        self.store
            .get_group(&caller.tenant, id)
            .await?
            .ok_or_else(|| directory_not_found(id))
    }

    async fn group_view(
        &self,
        caller: &Caller,
        group: Value,
        with_members: bool,
    ) -> Result<GroupView> {
        let members = if with_members {
            Some(
                self.store
                    .member_users(&caller.tenant, &doc_id(&group))
                    .await?,
            )
        } else {
            None
        };
        Ok(GroupView { group, members })
    }

    /// The user ids of a body's `members@odata.bind` (each must exist), without repeats.
    async fn bound_members(&self, caller: &Caller, body: &Value) -> Result<Vec<String>> {
        let mut ids: Vec<String> = Vec::new();
        for r in model::directory::member_binds(body)? {
            let id = self.resolve_user_ref(caller, &r, "group members").await?;
            if !ids.contains(&id) {
                ids.push(id);
            }
        }
        Ok(ids)
    }

    pub async fn list_groups(&self, caller: &Caller, with_members: bool) -> Result<Vec<GroupView>> {
        let groups = self.store.list_groups(&caller.tenant).await?;
        let mut views = Vec::with_capacity(groups.len());
        for g in groups {
            views.push(self.group_view(caller, g, with_members).await?);
        }
        Ok(views)
    }

    /// `POST /groups`, with the members its `members@odata.bind` names.
    pub async fn create_group(&self, caller: &Caller, body: &Value) -> Result<Value> {
        let doc = model::directory::new_group(body, caller.now)?;
        let members = self.bound_members(caller, body).await?;
        let id = doc_id(&doc);
        if self.store.get_group(&caller.tenant, &id).await?.is_some() {
            return Err(Error::Conflict(format!(
                "Another object with the same value for property id already exists: '{id}'."
            )));
        }
        self.store.put_group(&caller.tenant, &id, &doc).await?;
        self.store
            .change_members(&caller.tenant, &id, &members, &[])
            .await?;
        Ok(doc)
    }

    pub async fn get_group(
        &self,
        caller: &Caller,
        id: &str,
        with_members: bool,
    ) -> Result<GroupView> {
        let doc = self.load_group(caller, id).await?;
        self.group_view(caller, doc, with_members).await
    }

    /// `PATCH /groups/{id}`: properties, and members added by `members@odata.bind` (adding
    /// one who is already a member is refused, as Graph does).
    pub async fn update_group(&self, caller: &Caller, id: &str, body: Body) -> Result<()> {
        let current = self.load_group(caller, id).await?;
        let body = body?;
        let doc = model::directory::patch_group(&current, &body)?;
        let id = doc_id(&current);
        let add = self.bound_members(caller, &body).await?;
        if !add.is_empty() {
            let existing = self.store.member_ids(&caller.tenant, &id).await?;
            if add.iter().any(|m| existing.contains(m)) {
                return Err(already_member());
            }
        }
        if doc != current {
            self.store.put_group(&caller.tenant, &id, &doc).await?;
        }
        self.store
            .change_members(&caller.tenant, &id, &add, &[])
            .await?;
        Ok(())
    }

    pub async fn delete_group(&self, caller: &Caller, id: &str) -> Result<()> {
        let doc = self.load_group(caller, id).await?;
        let id = doc_id(&doc);
        if !self.store.delete_group(&caller.tenant, &id).await? {
            return Err(directory_not_found(&id));
        }
        Ok(())
    }

    /// The group's member users.
    pub async fn group_members(&self, caller: &Caller, id: &str) -> Result<Vec<Value>> {
        let doc = self.load_group(caller, id).await?;
        Ok(self
            .store
            .member_users(&caller.tenant, &doc_id(&doc))
            .await?)
    }

    /// `POST /groups/{id}/members/$ref` with an `@odata.id` reference body.
    pub async fn add_member(&self, caller: &Caller, id: &str, body: Body) -> Result<()> {
        let doc = self.load_group(caller, id).await?;
        let r = model::directory::parse_reference_body(&body?)?;
        let member = self.resolve_user_ref(caller, &r, "group members").await?;
        if !self
            .store
            .add_member(&caller.tenant, &doc_id(&doc), &member)
            .await?
        {
            return Err(already_member());
        }
        Ok(())
    }

    pub async fn remove_member(&self, caller: &Caller, id: &str, member_key: &str) -> Result<()> {
        let doc = self.load_group(caller, id).await?;
        // The member key is an object id; a userPrincipalName is accepted too.
        let member = match self.store.get_user(&caller.tenant, member_key).await? {
            Some(u) => u.id,
            None => member_key.to_ascii_lowercase(),
        };
        if !self
            .store
            .remove_member(&caller.tenant, &doc_id(&doc), &member)
            .await?
        {
            return Err(directory_not_found(member_key));
        }
        Ok(())
    }
}
