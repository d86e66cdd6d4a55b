//! The e-mail tasks: recipients, default texts and placeholders. Each produces one
//! [`Effect::SendMail`] that the store queues in its outbox in the same transaction as the
//! task result; the engine's mailer delivers it over SMTP.

use model::run::TaskKind;
use serde_json::Value;

use crate::task_input::{argument, Effect, Mail, Outcome, TaskInput};

/// Default recipient, subject and body of each e-mail task.
fn mail_defaults(kind: TaskKind) -> (&'static str, &'static str, &'static str) {
    match kind {
        TaskKind::SendWelcomeEmail => (
            "User",
            "Welcome, {{userDisplayName}}!",
            "Hello {{userGivenName}},\n\nwelcome aboard! Your account {{userPrincipalName}} is ready for your first day ({{userEmployeeHireDate}}).\n",
        ),
        TaskKind::SendOnboardingReminderEmail => (
            "Manager",
            "Reminder: {{userDisplayName}} starts on {{userEmployeeHireDate}}",
            "Hello {{managerDisplayName}},\n\n{{userDisplayName}} ({{userPrincipalName}}) joins your team on {{userEmployeeHireDate}}. Please prepare their onboarding.\n",
        ),
        TaskKind::SendEmailBeforeLastDay => (
            "Manager",
            "{{userDisplayName}}'s last day is approaching",
            "Hello {{managerDisplayName}},\n\n{{userDisplayName}} ({{userPrincipalName}}) leaves on {{userEmployeeLeaveDateTime}}. Please plan the handover.\n",
        ),
        TaskKind::SendEmailOnLastDay => (
            "Manager",
            "Today is {{userDisplayName}}'s last day",
            "Hello {{managerDisplayName}},\n\ntoday is the last day of {{userDisplayName}} ({{userPrincipalName}}).\n",
        ),
        TaskKind::GenerateTap => (
            "Manager",
            "Temporary Access Pass for {{userDisplayName}}",
            "Hello {{managerDisplayName}},\n\nhere is the Temporary Access Pass of {{userDisplayName}} ({{userPrincipalName}}), who starts on {{userEmployeeHireDate}}:\n\n{{temporaryAccessPass}}\n\nPlease hand it over in person; it lets them set up their sign-in methods.\n",
        ),
        TaskKind::SendEmailAfterLastDay => (
            "Manager",
            "{{userDisplayName}} has left",
            "Hello {{managerDisplayName}},\n\n{{userDisplayName}} ({{userPrincipalName}}) left on {{userEmployeeLeaveDateTime}}.\n",
        ),
        _ => (
            "Manager",
            "{{userDisplayName}} has moved",
            "Hello {{managerDisplayName}},\n\n{{userDisplayName}} ({{userPrincipalName}}) has moved within the organization.\n",
        ),
    }
}

fn text_of<'v>(v: &'v Value, key: &str) -> Option<&'v str> {
    v.get(key)
        .and_then(Value::as_str)
        .map(str::trim)
        .filter(|s| !s.is_empty())
}

/// Replace the `{{placeholder}}`s of the shared e-mail parameter block.
fn fill_placeholders(text: &str, input: &TaskInput) -> String {
    let u = |k: &str| text_of(input.user, k).unwrap_or("").to_string();
    let m = |k: &str| {
        input
            .manager
            .and_then(|m| text_of(m, k))
            .unwrap_or("")
            .to_string()
    };
    let pairs = [
        ("userDisplayName", u("displayName")),
        ("userEmployeeHireDate", u("employeeHireDate")),
        ("userEmployeeLeaveDateTime", u("employeeLeaveDateTime")),
        ("managerDisplayName", m("displayName")),
        ("managerEmail", m("mail")),
        ("userPrincipalName", u("userPrincipalName")),
        ("userGivenName", u("givenName")),
        ("userSurname", u("surname")),
    ];
    let mut out = text.to_string();
    for (name, value) in pairs {
        out = out.replace(&format!("{{{{{name}}}}}"), &value);
    }
    out
}

/// The mail address of the user with this id (explicit `to` or `cc`).
fn mail_of_user_id(input: &TaskInput, id: &str) -> Result<String, Outcome> {
    let Some(doc) = (input.user_by_id)(id) else {
        return Err(Outcome::failed(format!("User '{id}' was not found.")));
    };
    text_of(doc, "mail")
        .map(str::to_string)
        .ok_or_else(|| Outcome::failed(format!("User '{id}' has no mail address.")))
}

fn recipient(input: &TaskInput, to: &str) -> Result<String, Outcome> {
    if to.eq_ignore_ascii_case("User") {
        return text_of(input.user, "mail")
            .map(str::to_string)
            .ok_or_else(|| Outcome::failed("The user has no mail address."));
    }
    if to.eq_ignore_ascii_case("Manager") {
        let Some(manager) = input.manager else {
            return Err(Outcome::failed(
                "The user has no manager; the mail goes to the manager.",
            ));
        };
        return text_of(manager, "mail").map(str::to_string).ok_or_else(|| {
            let name = text_of(manager, "displayName")
                .or_else(|| text_of(manager, "id"))
                .unwrap_or("");
            Outcome::failed(format!("The user's manager '{name}' has no mail address."))
        });
    }
    if to.eq_ignore_ascii_case("Sponsors") {
        return Err(Outcome::failed("The user has no sponsors."));
    }
    if model::is_guid(to) {
        return mail_of_user_id(input, to);
    }
    Err(Outcome::failed(format!(
        "'to' must be User, Manager, Sponsors or a user id, got '{to}'."
    )))
}

/// The user's last day (`employeeLeaveDateTime`, as a date) when it is today or past: a
/// scheduled pass catching up on a trigger days late finds the "before the last day" mail
/// overtaken by the day itself.
fn last_day_begun(input: &TaskInput) -> Option<String> {
    let leave = model::time::parse_datetime(text_of(input.user, "employeeLeaveDateTime")?)?;
    let last_day = leave.date_naive();
    (input.now.date_naive() >= last_day).then(|| last_day.format("%Y-%m-%d").to_string())
}

/// An e-mail task: the recipient from `to` (`User`, `Manager`, `Sponsors` or a user id; the
/// welcome mail goes to the user by default, every other mail to the manager), copies to the
/// users listed in `cc`, and `customSubject` / `customBody` (or the task's default text) with
/// the placeholders replaced. `locale` is accepted and ignored (lcw writes English).
pub(crate) fn send_mail(input: &TaskInput, kind: TaskKind) -> Outcome {
    if kind == TaskKind::SendEmailBeforeLastDay && input.scheduled {
        if let Some(last_day) = last_day_begun(input) {
            return Outcome::done(
                Vec::new(),
                Some(format!(
                    "No mail was sent: the user's last day ({last_day}) has begun, so the mail before it would come too late."
                )),
            );
        }
    }
    let (default_to, default_subject, default_body) = mail_defaults(kind);
    let to_arg = argument(input, "to")
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .unwrap_or(default_to);
    let cc_ids: Vec<String> = argument(input, "cc")
        .unwrap_or("")
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect();
    if to_arg.eq_ignore_ascii_case("Sponsors") && !cc_ids.is_empty() {
        return Outcome::failed("'cc' cannot be used when 'to' is Sponsors.");
    }
    let to = match recipient(input, to_arg) {
        Ok(a) => a,
        Err(o) => return o,
    };
    let mut cc = Vec::new();
    for c in &cc_ids {
        match mail_of_user_id(input, c) {
            Ok(a) => {
                if !cc.iter().any(|x: &String| x.eq_ignore_ascii_case(&a)) {
                    cc.push(a)
                }
            }
            Err(o) => return o,
        }
    }
    let custom = |name: &str| {
        argument(input, name)
            .map(str::trim)
            .filter(|s| !s.is_empty())
    };
    let subject = fill_placeholders(custom("customSubject").unwrap_or(default_subject), input);
    let body = fill_placeholders(custom("customBody").unwrap_or(default_body), input);
    let domain = input.sender_domain.trim();
    let domain = if domain.is_empty() {
        "lcw.local"
    } else {
        domain
    };
    let info = format!("The mail to {to} was queued for delivery.");
    Outcome::done(
        vec![Effect::SendMail(Mail {
            from: format!("no-reply@{domain}"),
            to: vec![to],
            // Subjects never span lines (SMTP headers).
            cc,
            subject: subject.replace(['\r', '\n'], " "),
            body,
        })],
        Some(info),
    )
}

/// User ids named in a task's `to` (when it is an id) and `cc` arguments: the people a
/// job loads besides the users' managers when it has an e-mail task.
pub(crate) fn recipient_ids(arguments: &[Value]) -> Vec<String> {
    let mut out = Vec::new();
    for a in arguments {
        let name = a.get("name").and_then(Value::as_str).unwrap_or("");
        let value = a.get("value").and_then(Value::as_str).unwrap_or("");
        if name.eq_ignore_ascii_case("to") || name.eq_ignore_ascii_case("cc") {
            out.extend(
                value
                    .split(',')
                    .map(str::trim)
                    .filter(|v| model::is_guid(v))
                    .map(str::to_ascii_lowercase),
            );
        }
    }
    out
}
