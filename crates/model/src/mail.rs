//! Text that ends up in SMTP commands and mail headers (a user's `mail`, the tenant's
//! `emailSettings.senderDomain`): refused when it holds a control character, since a CR or LF
//! there would start a new SMTP command or header line. The mailer checks again on the way
//! out, for rows written before these checks or past the API.

use serde_json::{Map, Value};

use crate::ModelError;

fn check_no_control_characters(property: &str, value: &str) -> Result<(), ModelError> {
    if value.chars().any(char::is_control) {
        return Err(ModelError::invalid(
            property,
            "must not contain control characters such as CR or LF",
        ));
    }
    Ok(())
}

/// A user's `mail`, among validated user properties (create, PATCH or import row): free of
/// control characters, and an address (`local@domain`) the mailer can send to, refused in
/// Graph's words otherwise.
pub fn check_user_mail(props: &Map<String, Value>) -> Result<(), ModelError> {
    let Some(mail) = props.get("mail").and_then(Value::as_str) else {
        return Ok(());
    };
    check_no_control_characters("mail", mail)?;
    if mail.parse::<lettre::Address>().is_err() {
        return Err(ModelError::Refused {
            property: "mail".into(),
            message: "Invalid value specified for property 'mail' of resource 'User'.".into(),
        });
    }
    Ok(())
}

/// `senderDomain` of the tenant's (merged) `emailSettings`.
pub fn check_sender_domain(email_settings: &Map<String, Value>) -> Result<(), ModelError> {
    match email_settings.get("senderDomain").and_then(Value::as_str) {
        Some(domain) => check_no_control_characters("emailSettings.senderDomain", domain),
        None => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn object(v: Value) -> Map<String, Value> {
        v.as_object().cloned().unwrap()
    }

    #[test]
    fn refuses_control_characters_naming_the_property() {
        for bad in [
            "a@b.test\r\nRCPT TO:<x@y>",
            "a@b.test\n",
            "a\r@b.test",
            "a@b\u{0}.test",
            "a@b.test\u{7f}",
        ] {
            let e = check_user_mail(&object(json!({ "mail": bad }))).unwrap_err();
            assert_eq!(e.target(), Some("mail"), "{bad:?}");
            let e = check_sender_domain(&object(json!({ "senderDomain": bad }))).unwrap_err();
            assert_eq!(e.target(), Some("emailSettings.senderDomain"), "{bad:?}");
        }
        assert!(check_user_mail(&object(json!({"mail": "ann@contoso.test"}))).is_ok());
        assert!(check_user_mail(&object(json!({"mail": "x@y"}))).is_ok());
        assert!(check_user_mail(&object(json!({"mail": null}))).is_ok());
        assert!(check_user_mail(&object(json!({}))).is_ok());
        assert!(check_sender_domain(&object(json!({"senderDomain": "contoso.test"}))).is_ok());
    }

    #[test]
    fn refuses_what_is_not_an_address_in_graphs_words() {
        for bad in [
            "ann",
            "ann@",
            "@contoso.test",
            "ann@@contoso.test",
            "ann smith@contoso.test",
            "",
        ] {
            let e = check_user_mail(&object(json!({ "mail": bad }))).unwrap_err();
            assert_eq!(e.target(), Some("mail"), "{bad:?}");
            assert_eq!(
                e.to_string(),
                "Invalid value specified for property 'mail' of resource 'User'.",
                "{bad:?}"
            );
        }
        assert!(check_user_mail(&object(json!({"mail": "ann.smith+hr@contoso.test"}))).is_ok());
    }
}
