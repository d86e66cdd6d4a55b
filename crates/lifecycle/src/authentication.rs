//! A user's Temporary Access Pass (`temporaryAccessPassMethods`), created directly or by the
//! "Generate TAP and send email" task.
//!
//! As in Graph, the pass (`temporaryAccessPass`) is returned only in the answer to the
//! request that creates it; reads show `null`. lcw keeps no copy of it at all (the task's
//! copy is in the e-mail it queues). Creating a pass replaces the user's previous one.

use chrono::{DateTime, Utc};
use model::tap::{self, TapInfo};
use serde_json::Value;
use store::TapRow;

use crate::{Body, Caller, Error, Result, Service};

/// The Graph type of a pass, as its create body is checked against.
pub const TAP_TYPE: &str = "microsoft.graph.temporaryAccessPassAuthenticationMethod";

/// A pass just created: its document (the only one that shows the pass) and its user.
#[derive(Debug, Clone)]
pub struct NewTap {
    pub user_id: String,
    pub document: Value,
}

/// What a create body asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct TapRequest {
    start: DateTime<Utc>,
    lifetime_minutes: i64,
    usable_once: bool,
}

fn tap_not_found(id: &str) -> Error {
    Error::NotFound(format!(
        "Temporary Access Pass authentication method '{id}' was not found."
    ))
}

fn info(row: &TapRow) -> Result<TapInfo> {
    let at = |s: &str| {
        model::time::parse_datetime(s)
            .ok_or_else(|| Error::Internal(format!("stored pass has a bad time '{s}'")))
    };
    Ok(TapInfo {
        id: row.id.clone(),
        created: at(&row.created_at)?,
        start: at(&row.start_at)?,
        lifetime_minutes: row.lifetime_minutes,
        usable_once: row.usable_once,
    })
}

/// `{startDateTime?, lifetimeInMinutes?, isUsableOnce?}`; read-only properties and
/// annotations are ignored, anything else is refused.
fn parse_create(body: &Value, now: DateTime<Utc>) -> Result<TapRequest> {
    let mut out = TapRequest {
        start: now,
        lifetime_minutes: tap::DEFAULT_LIFETIME,
        usable_once: false,
    };
    let Some(obj) = body.as_object() else {
        return Err(Error::invalid("The request body must be a JSON object."));
    };
    let bad = |k: &str, message: String| Error::invalid_at(message, k);
    for (k, v) in obj {
        if v.is_null()
            && matches!(
                k.as_str(),
                "startDateTime" | "lifetimeInMinutes" | "isUsableOnce"
            )
        {
            continue;
        }
        match k.as_str() {
            "startDateTime" => {
                out.start = v
                    .as_str()
                    .and_then(model::time::parse_datetime)
                    .ok_or_else(|| {
                        bad(
                            k,
                            format!("Invalid value for '{k}': expected a date-time, got {v}."),
                        )
                    })?;
            }
            "lifetimeInMinutes" => {
                let n = v.as_i64().ok_or_else(|| {
                    bad(
                        k,
                        format!("Invalid value for '{k}': expected an integer, got {v}."),
                    )
                })?;
                out.lifetime_minutes = tap::check_lifetime(n)
                    .map_err(|e| bad(k, format!("Invalid value for '{k}': {e}.")))?;
            }
            "isUsableOnce" => {
                out.usable_once = v.as_bool().ok_or_else(|| {
                    bad(
                        k,
                        format!("Invalid value for '{k}': expected true or false, got {v}."),
                    )
                })?;
            }
            "id"
            | "createdDateTime"
            | "isUsable"
            | "methodUsabilityReason"
            | "temporaryAccessPass"
            | "lastUsedDateTime" => {}
            _ if k.starts_with("@odata.") => {}
            _ => {
                return Err(bad(
                    k,
                    format!("Property '{k}' does not exist on type '{TAP_TYPE}'."),
                ))
            }
        }
    }
    Ok(out)
}

impl Service {
    /// The user's passes (without the pass itself).
    pub async fn list_taps(&self, caller: &Caller, user_key: &str) -> Result<Vec<Value>> {
        let user = self.load_user(caller, user_key).await?;
        self.store
            .list_taps(&caller.tenant, &user.id)
            .await?
            .iter()
            .map(|r| info(r).map(|i| tap::document(&i, None, caller.now)))
            .collect()
    }

    pub async fn get_tap(&self, caller: &Caller, user_key: &str, id: &str) -> Result<Value> {
        let user = self.load_user(caller, user_key).await?;
        let row = self
            .store
            .get_tap(&caller.tenant, &user.id, id)
            .await?
            .ok_or_else(|| tap_not_found(id))?;
        Ok(tap::document(&info(&row)?, None, caller.now))
    }

    pub async fn delete_tap(&self, caller: &Caller, user_key: &str, id: &str) -> Result<()> {
        let user = self.load_user(caller, user_key).await?;
        if !self.store.delete_tap(&caller.tenant, &user.id, id).await? {
            return Err(tap_not_found(id));
        }
        Ok(())
    }

    /// Create the user's pass (replacing any previous one); the answer is the one place the
    /// pass is shown.
    pub async fn create_tap(&self, caller: &Caller, user_key: &str, body: Body) -> Result<NewTap> {
        let user = self.load_user(caller, user_key).await?;
        let now = caller.now;
        let asked = parse_create(&body?, now)?;
        let info = TapInfo {
            id: model::new_id(),
            created: now,
            start: asked.start,
            lifetime_minutes: asked.lifetime_minutes,
            usable_once: asked.usable_once,
        };
        let row = TapRow {
            id: info.id.clone(),
            user_id: user.id.clone(),
            created_at: model::time::format_datetime(now),
            start_at: model::time::format_datetime(asked.start),
            lifetime_minutes: asked.lifetime_minutes,
            usable_once: asked.usable_once,
        };
        self.store
            .create_tap(&caller.tenant, &user.id, &row)
            .await?;
        let pass = tap::new_pass();
        Ok(NewTap {
            user_id: user.id,
            document: tap::document(&info, Some(&pass), now),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn now() -> DateTime<Utc> {
        model::time::parse_datetime("2026-01-01T00:00:00Z").unwrap()
    }

    #[test]
    fn an_empty_body_asks_for_the_defaults() {
        let asked = parse_create(&json!({}), now()).unwrap();
        assert_eq!(
            asked,
            TapRequest {
                start: now(),
                lifetime_minutes: tap::DEFAULT_LIFETIME,
                usable_once: false,
            }
        );
    }

    #[test]
    fn nulls_and_read_only_properties_are_ignored() {
        let body = json!({
            "lifetimeInMinutes": null,
            "temporaryAccessPass": "x",
            "@odata.type": "#microsoft.graph.temporaryAccessPassAuthenticationMethod",
        });
        assert!(parse_create(&body, now()).is_ok());
    }

    #[test]
    fn unknown_properties_name_the_property() {
        let err = parse_create(&json!({"colour": "red"}), now()).unwrap_err();
        assert!(matches!(err, Error::Invalid { target: Some(t), .. } if t == "colour"));
    }
}
