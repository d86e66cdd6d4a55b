use super::*;
use serde_json::json;

fn t(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
}

fn conditions(scope: Value) -> Value {
    json!({
        "@odata.type": "#microsoft.graph.identityGovernance.triggerAndScopeBasedConditions",
        "scope": scope,
        "trigger": {"@odata.type": "#microsoft.graph.identityGovernance.timeBasedAttributeTrigger",
                    "timeBasedAttribute": "employeeHireDate", "offsetInDays": 0}
    })
}

fn rule(r: &str) -> Value {
    conditions(
        json!({"@odata.type": "#microsoft.graph.identityGovernance.ruleBasedSubjectSet", "rule": r}),
    )
}

fn scope_of(kind: &str, key: &str, ids: &[&str]) -> Value {
    let list: Vec<Value> = ids.iter().map(|i| json!({"id": i})).collect();
    conditions(
        json!({"@odata.type": format!("#microsoft.graph.identityGovernance.{kind}"), key: list}),
    )
}

fn check(conditions: &Value, user: &Value, groups: &[&str]) -> bool {
    let g: Vec<String> = groups.iter().map(|s| s.to_string()).collect();
    in_scope(
        conditions,
        &Subject {
            user,
            group_ids: &g,
        },
    )
    .unwrap()
}

#[test]
fn rule_scope_is_case_sensitive() {
    let c = rule("department eq 'Sales'");
    assert!(check(&c, &json!({"id": "u1", "department": "Sales"}), &[]));
    assert!(!check(&c, &json!({"id": "u1", "department": "sales"}), &[]));
    assert!(!check(&c, &json!({"id": "u1"}), &[]));
}

#[test]
fn rule_scope_with_functions_and_dates() {
    let c = rule("(department eq 'Sales' or startswith(jobTitle, 'Dev')) and employeeHireDate ge 2026-01-01T00:00:00Z");
    let u = json!({"id": "u", "department": "HR", "jobTitle": "Developer", "employeeHireDate": "2026-02-01T00:00:00Z"});
    assert!(check(&c, &u, &[]));
    let u = json!({"id": "u", "department": "Sales", "employeeHireDate": "2025-02-01T00:00:00Z"});
    assert!(!check(&c, &u, &[]));
}

#[test]
fn bad_rule_is_an_error() {
    let err = CompiledConditions::new(&rule("department eq")).unwrap_err();
    assert!(matches!(err, ScopeError::InvalidRule(_)), "{err:?}");
    let no_rule = conditions(
        json!({"@odata.type": "#microsoft.graph.identityGovernance.ruleBasedSubjectSet"}),
    );
    assert!(matches!(
        CompiledConditions::new(&no_rule),
        Err(ScopeError::InvalidRule(_))
    ));
}

#[test]
fn group_based_scope() {
    let c = scope_of("groupBasedSubjectSet", "groups", &["G1", "g2"]);
    let u = json!({"id": "u"});
    assert!(check(&c, &u, &["g1"]));
    assert!(check(&c, &u, &["x", "G2"]));
    assert!(!check(&c, &u, &["x"]));
    assert!(!check(&c, &u, &[]));
}

#[test]
fn selected_objects_scope() {
    let c = scope_of("selectedObjectsSubjectSet", "inScopeObjects", &["U1"]);
    assert!(check(&c, &json!({"id": "u1"}), &[]));
    assert!(!check(&c, &json!({"id": "u2"}), &[]));
    assert!(!check(&c, &json!({}), &[]));
}

#[test]
fn all_excluding_groups_scope() {
    let c = scope_of("allExcludingGroupsSubjectSet", "excludedGroups", &["g1"]);
    assert!(check(&c, &json!({"id": "u"}), &[]));
    assert!(check(&c, &json!({"id": "u"}), &["g2"]));
    assert!(!check(&c, &json!({"id": "u"}), &["G1"]));
}

#[test]
fn all_excluding_objects_scope() {
    let c = scope_of(
        "allExcludingSpecificObjectsSubjectSet",
        "excludedObjects",
        &["u1"],
    );
    assert!(!check(&c, &json!({"id": "U1"}), &[]));
    assert!(check(&c, &json!({"id": "u2"}), &[]));
}

#[test]
fn all_excluding_agent_platforms_is_everyone() {
    let c = conditions(json!({
        "@odata.type": "#microsoft.graph.identityGovernance.allExcludingAgentBuilderPlatformsSubjectSet",
        "excludedAgentBuilderPlatforms": "microsoftCopilotStudio"
    }));
    assert!(check(&c, &json!({"id": "u"}), &[]));
}

#[test]
fn id_lists_must_hold_ids() {
    let c = conditions(json!({
        "@odata.type": "#microsoft.graph.identityGovernance.groupBasedSubjectSet",
        "groups": [{"displayName": "x"}]
    }));
    assert!(matches!(
        CompiledConditions::new(&c),
        Err(ScopeError::InvalidRule(_))
    ));
    let c = conditions(
        json!({"@odata.type": "#microsoft.graph.identityGovernance.groupBasedSubjectSet"}),
    );
    assert!(matches!(
        CompiledConditions::new(&c),
        Err(ScopeError::InvalidRule(_))
    ));
}

#[test]
fn on_demand_only_has_nobody_in_scope() {
    let c = json!({"@odata.type": "#microsoft.graph.identityGovernance.onDemandExecutionOnly"});
    assert!(!check(&c, &json!({"id": "u"}), &["g"]));
    assert!(CompiledConditions::new(&c).unwrap().is_on_demand_only());
    assert!(!CompiledConditions::new(&rule("id eq 'u'"))
        .unwrap()
        .is_on_demand_only());
}

#[test]
fn unsupported_conditions_and_scopes() {
    let c =
        json!({"@odata.type": "#microsoft.graph.identityGovernance.provisioningAttributeMapping"});
    assert!(matches!(
        CompiledConditions::new(&c),
        Err(ScopeError::Unsupported(_))
    ));
    let c = conditions(json!({"@odata.type": "#microsoft.graph.somethingElse"}));
    assert!(matches!(
        CompiledConditions::new(&c),
        Err(ScopeError::Unsupported(_))
    ));
    let c = json!({"@odata.type": "#microsoft.graph.identityGovernance.triggerAndScopeBasedConditions"});
    assert!(matches!(
        CompiledConditions::new(&c),
        Err(ScopeError::InvalidRule(_))
    ));
}

#[test]
fn compiled_conditions_evaluate_many_users() {
    let c = CompiledConditions::new(&rule("department eq 'Sales'")).unwrap();
    let users: Vec<Value> = (0..1000)
            .map(|i| json!({"id": format!("u{i}"), "department": if i % 2 == 0 { "Sales" } else { "HR" }}))
            .collect();
    let n = users
        .iter()
        .filter(|u| {
            c.in_scope(&Subject {
                user: u,
                group_ids: &[],
            })
        })
        .count();
    assert_eq!(n, 500);
}

fn v1(attr: &str, offset: i64) -> Value {
    json!({"@odata.type": "#microsoft.graph.identityGovernance.timeBasedAttributeTrigger",
               "timeBasedAttribute": attr, "offsetInDays": offset})
}

fn v2(op: &str, fields: Value, timing: &str) -> Value {
    let mut o = fields;
    o["@odata.type"] = json!(format!("#microsoft.graph.identityGovernance.{op}"));
    o["eventTiming"] = json!(timing);
    json!({"@odata.type": "#microsoft.graph.identityGovernance.timeBasedAttributeTriggerV2",
               "attribute": "employeeHireDate", "operator": o})
}

fn hire(d: &str) -> Value {
    json!({"id": "u", "employeeHireDate": d})
}

fn at(now: &str) -> Window {
    Window::new(t(now))
}

#[test]
fn window_defaults_to_three_days() {
    let w = Window::new(t("2026-01-01T00:00:00Z"));
    assert_eq!(w.catch_up, Duration::days(3));
}

#[test]
fn v1_fires_within_catch_up_window() {
    // Hire date 2026-12-08, 7 days before → due 2026-12-01T09:00Z.
    let trig = v1("employeeHireDate", -7);
    let u = hire("2026-12-08T09:00:00Z");
    assert_eq!(
        time_trigger_occurrence(&trig, &u, &at("2026-12-01T08:59:59Z")),
        None
    );
    let occ = time_trigger_occurrence(&trig, &u, &at("2026-12-01T09:00:00Z")).unwrap();
    assert_eq!(occ.key, "employeeHireDate:2026-12-01");
    assert_eq!(occ.due, t("2026-12-01T09:00:00Z"));
    assert!(time_trigger_occurrence(&trig, &u, &at("2026-12-04T08:59:59Z")).is_some());
    // Exactly catch_up after due: no longer picked up.
    assert_eq!(
        time_trigger_occurrence(&trig, &u, &at("2026-12-04T09:00:00Z")),
        None
    );
}

#[test]
fn v1_positive_offset_and_custom_catch_up() {
    let trig = v1("employeeLeaveDateTime", 2);
    let u = json!({"employeeLeaveDateTime": "2026-03-01T00:00:00Z"});
    let w = Window {
        now: t("2026-03-10T00:00:00Z"),
        catch_up: Duration::days(30),
    };
    let occ = time_trigger_occurrence(&trig, &u, &w).unwrap();
    assert_eq!(occ.key, "employeeLeaveDateTime:2026-03-03");
    assert_eq!(
        time_trigger_occurrence(&trig, &u, &at("2026-03-10T00:00:00Z")),
        None
    );
}

#[test]
fn v1_changed_date_is_a_new_occurrence() {
    let trig = v1("employeeHireDate", 0);
    let a = time_trigger_occurrence(
        &trig,
        &hire("2026-05-01T00:00:00Z"),
        &at("2026-05-01T12:00:00Z"),
    )
    .unwrap();
    let b = time_trigger_occurrence(
        &trig,
        &hire("2026-05-02T00:00:00Z"),
        &at("2026-05-02T12:00:00Z"),
    )
    .unwrap();
    assert_ne!(a.key, b.key);
}

#[test]
fn v1_missing_or_bad_date_never_fires() {
    let trig = v1("employeeHireDate", 0);
    let w = at("2026-05-01T12:00:00Z");
    assert_eq!(
        time_trigger_occurrence(&trig, &json!({"id": "u"}), &w),
        None
    );
    assert_eq!(time_trigger_occurrence(&trig, &hire("soon"), &w), None);
    assert_eq!(
        time_trigger_occurrence(&trig, &json!({"employeeHireDate": 5}), &w),
        None
    );
    // A plain date counts as midnight UTC.
    assert!(time_trigger_occurrence(&trig, &hire("2026-05-01"), &w).is_some());
    // Offsets are applied with overflow checks.
    assert_eq!(
        time_trigger_occurrence(&v1("employeeHireDate", i64::MAX), &hire("2026-05-01"), &w),
        None
    );
    // Malformed trigger.
    let bad =
        json!({"@odata.type": "#microsoft.graph.identityGovernance.timeBasedAttributeTrigger"});
    assert_eq!(time_trigger_occurrence(&bad, &hire("2026-05-01"), &w), None);
}

#[test]
fn created_date_time_attribute() {
    let trig = v1("createdDateTime", 1);
    let u = json!({"createdDateTime": "2026-05-01T10:00:00Z"});
    let occ = time_trigger_occurrence(&trig, &u, &at("2026-05-02T10:00:00Z")).unwrap();
    assert_eq!(occ.key, "createdDateTime:2026-05-02");
}

#[test]
fn non_time_triggers_give_no_time_occurrence() {
    let trig = json!({"@odata.type": "#microsoft.graph.identityGovernance.attributeChangeTrigger",
                          "triggerAttributes": [{"name": "department"}]});
    assert_eq!(
        time_trigger_occurrence(&trig, &hire("2026-05-01"), &at("2026-05-01T01:00:00Z")),
        None
    );
}

#[test]
fn v2_equal_to() {
    let u = hire("2026-06-10T00:00:00Z");
    let before = v2("operatorEqualTo", json!({"offsetInDays": 3}), "before");
    let occ = time_trigger_occurrence(&before, &u, &at("2026-06-07T01:00:00Z")).unwrap();
    assert_eq!(occ.key, "employeeHireDate:2026-06-07");
    assert_eq!(occ.due, t("2026-06-07T00:00:00Z"));
    assert_eq!(
        time_trigger_occurrence(&before, &u, &at("2026-06-06T23:00:00Z")),
        None
    );

    let after = v2("operatorEqualTo", json!({"offsetInDays": 3}), "after");
    let occ = time_trigger_occurrence(&after, &u, &at("2026-06-13T01:00:00Z")).unwrap();
    assert_eq!(occ.key, "employeeHireDate:2026-06-13");
    assert_eq!(
        time_trigger_occurrence(&after, &u, &at("2026-06-17T01:00:00Z")),
        None
    );

    let on = v2("operatorEqualTo", json!({"offsetInDays": 3}), "on");
    let occ = time_trigger_occurrence(&on, &u, &at("2026-06-10T01:00:00Z")).unwrap();
    assert_eq!(occ.key, "employeeHireDate:2026-06-10");

    let missing = v2("operatorEqualTo", json!({}), "after");
    assert_eq!(
        time_trigger_occurrence(&missing, &u, &at("2026-06-10T01:00:00Z")),
        None
    );
    let bad_timing = v2("operatorEqualTo", json!({"offsetInDays": 0}), "during");
    assert_eq!(
        time_trigger_occurrence(&bad_timing, &u, &at("2026-06-10T01:00:00Z")),
        None
    );
    let bad_op = v2("operatorSomething", json!({"offsetInDays": 0}), "on");
    assert_eq!(
        time_trigger_occurrence(&bad_op, &u, &at("2026-06-10T01:00:00Z")),
        None
    );
}

#[test]
fn v2_less_than_equal_to_after() {
    // Fires while now - 5d <= date <= now.
    let trig = v2(
        "operatorLessThanEqualTo",
        json!({"offsetInDays": 5}),
        "after",
    );
    let u = hire("2026-06-10T00:00:00Z");
    assert_eq!(
        time_trigger_occurrence(&trig, &u, &at("2026-06-09T23:59:59Z")),
        None
    );
    let occ = time_trigger_occurrence(&trig, &u, &at("2026-06-10T00:00:00Z")).unwrap();
    assert_eq!(occ.key, "employeeHireDate:2026-06-10");
    assert_eq!(occ.due, t("2026-06-10T00:00:00Z"));
    let later = time_trigger_occurrence(&trig, &u, &at("2026-06-15T00:00:00Z")).unwrap();
    assert_eq!(later.key, occ.key, "one occurrence per date");
    assert_eq!(
        time_trigger_occurrence(&trig, &u, &at("2026-06-15T00:00:01Z")),
        None
    );
}

#[test]
fn v2_less_than_equal_to_before_and_on() {
    // Fires while now <= date <= now + 5d.
    let trig = v2(
        "operatorLessThanEqualTo",
        json!({"offsetInDays": 5}),
        "before",
    );
    let u = hire("2026-06-10T00:00:00Z");
    assert_eq!(
        time_trigger_occurrence(&trig, &u, &at("2026-06-04T23:59:59Z")),
        None
    );
    let occ = time_trigger_occurrence(&trig, &u, &at("2026-06-05T00:00:00Z")).unwrap();
    assert_eq!(occ.key, "employeeHireDate:2026-06-10");
    assert_eq!(occ.due, t("2026-06-05T00:00:00Z"));
    assert!(time_trigger_occurrence(&trig, &u, &at("2026-06-10T00:00:00Z")).is_some());
    assert_eq!(
        time_trigger_occurrence(&trig, &u, &at("2026-06-10T00:00:01Z")),
        None
    );

    let on = v2("operatorLessThanEqualTo", json!({"offsetInDays": 5}), "on");
    let occ = time_trigger_occurrence(&on, &u, &at("2026-06-11T00:00:00Z")).unwrap();
    assert_eq!(occ.due, t("2026-06-10T00:00:00Z"));
    assert_eq!(
        time_trigger_occurrence(&on, &u, &at("2026-06-09T00:00:00Z")),
        None
    );
}

#[test]
fn v2_between() {
    let u = hire("2026-06-10T00:00:00Z");
    let after = v2(
        "operatorBetween",
        json!({"greaterThanOffsetInDays": 2, "lessThanOffsetInDays": 4}),
        "after",
    );
    assert_eq!(
        time_trigger_occurrence(&after, &u, &at("2026-06-11T23:00:00Z")),
        None
    );
    let occ = time_trigger_occurrence(&after, &u, &at("2026-06-13T00:00:00Z")).unwrap();
    assert_eq!(occ.key, "employeeHireDate:2026-06-10");
    assert_eq!(occ.due, t("2026-06-12T00:00:00Z"));
    assert_eq!(
        time_trigger_occurrence(&after, &u, &at("2026-06-14T00:00:01Z")),
        None
    );

    let before = v2(
        "operatorBetween",
        json!({"greaterThanOffsetInDays": 2, "lessThanOffsetInDays": 4}),
        "before",
    );
    assert_eq!(
        time_trigger_occurrence(&before, &u, &at("2026-06-05T23:00:00Z")),
        None
    );
    let occ = time_trigger_occurrence(&before, &u, &at("2026-06-07T00:00:00Z")).unwrap();
    assert_eq!(occ.due, t("2026-06-06T00:00:00Z"));
    assert_eq!(
        time_trigger_occurrence(&before, &u, &at("2026-06-08T00:00:01Z")),
        None
    );

    let on = v2(
        "operatorBetween",
        json!({"greaterThanOffsetInDays": 2, "lessThanOffsetInDays": 4}),
        "on",
    );
    assert!(time_trigger_occurrence(&on, &u, &at("2026-06-10T05:00:00Z")).is_some());

    let missing = v2(
        "operatorBetween",
        json!({"greaterThanOffsetInDays": 2}),
        "after",
    );
    assert_eq!(
        time_trigger_occurrence(&missing, &u, &at("2026-06-13T00:00:00Z")),
        None
    );
}

#[test]
fn kinds() {
    let with = |trigger: Value| {
        json!({"@odata.type": "#microsoft.graph.identityGovernance.triggerAndScopeBasedConditions",
                   "scope": {}, "trigger": trigger})
    };
    let typed =
        |t: &str| json!({"@odata.type": format!("#microsoft.graph.identityGovernance.{t}")});
    assert_eq!(
        trigger_kind(&with(v1("employeeHireDate", 0))),
        TriggerKind::Time
    );
    assert_eq!(
        trigger_kind(&with(v2("operatorEqualTo", json!({}), "on"))),
        TriggerKind::Time
    );
    assert_eq!(
        trigger_kind(&with(typed("attributeChangeTrigger"))),
        TriggerKind::AttributeChange
    );
    assert_eq!(
        trigger_kind(&with(typed("membershipChangeTrigger"))),
        TriggerKind::MembershipChange
    );
    assert_eq!(
        trigger_kind(&with(typed("userInactivityTrigger"))),
        TriggerKind::Unsupported
    );
    assert_eq!(
        trigger_kind(&with(typed("guestSponsorTrigger"))),
        TriggerKind::Unsupported
    );
    assert_eq!(trigger_kind(&with(Value::Null)), TriggerKind::Unsupported);
    assert_eq!(
        trigger_kind(&typed("onDemandExecutionOnly")),
        TriggerKind::OnDemandOnly
    );
    assert_eq!(
        trigger_kind(&typed("provisioningAttributeMapping")),
        TriggerKind::Unsupported
    );
    assert!(is_time_based(&v1("employeeHireDate", 0)));
    assert!(is_time_based(&v2("operatorEqualTo", json!({}), "on")));
    assert!(!is_time_based(&typed("attributeChangeTrigger")));
    assert!(!is_time_based(&json!({})));
}

#[test]
fn inactivity_and_sponsor_triggers_never_fire() {
    let w = at("2026-06-10T00:00:00Z");
    let u = json!({"id": "u", "employeeHireDate": "2026-06-10T00:00:00Z"});
    for trig in [
        json!({"@odata.type": "#microsoft.graph.identityGovernance.userInactivityTrigger", "inactivityPeriodInDays": 30}),
        json!({"@odata.type": "#microsoft.graph.identityGovernance.guestSponsorTrigger", "minimumRequiredSponsors": 1}),
    ] {
        assert_eq!(time_trigger_occurrence(&trig, &u, &w), None);
        let changes = [attr_change(1, "u", "department", Some("a"), Some("b"))];
        assert!(change_trigger_occurrences(&trig, &json!({}), &changes).is_empty());
    }
}

fn attr_change(seq: i64, user: &str, name: &str, old: Option<&str>, new: Option<&str>) -> Change {
    Change::Attribute {
        seq,
        user_id: user.into(),
        name: name.into(),
        old: old.map(Into::into),
        new: new.map(Into::into),
        at: t("2026-01-01T00:00:00Z"),
    }
}

fn member_change(seq: i64, user: &str, group: &str, added: bool) -> Change {
    Change::Membership {
        seq,
        user_id: user.into(),
        group_id: group.into(),
        added,
        at: t("2026-01-02T00:00:00Z"),
    }
}

#[test]
fn attribute_change_trigger() {
    let trig = json!({"@odata.type": "#microsoft.graph.identityGovernance.attributeChangeTrigger",
                          "triggerAttributes": [{"name": "department"}, {"name": "jobTitle"}]});
    let changes = [
        attr_change(1, "u1", "Department", Some("HR"), Some("Sales")),
        attr_change(2, "u2", "department", Some("HR"), Some("HR")),
        attr_change(3, "u3", "officeLocation", None, Some("B1")),
        attr_change(4, "u4", "jobtitle", None, Some("Dev")),
        member_change(5, "u5", "g1", true),
    ];
    let got = change_trigger_occurrences(&trig, &json!({}), &changes);
    assert_eq!(
        got,
        vec![
            (
                "u1".to_string(),
                Occurrence {
                    key: "attr:Department:1".into(),
                    due: t("2026-01-01T00:00:00Z")
                }
            ),
            (
                "u4".to_string(),
                Occurrence {
                    key: "attr:jobtitle:4".into(),
                    due: t("2026-01-01T00:00:00Z")
                }
            ),
        ]
    );
    let none = json!({"@odata.type": "#microsoft.graph.identityGovernance.attributeChangeTrigger"});
    assert!(change_trigger_occurrences(&none, &json!({}), &changes).is_empty());
}

#[test]
fn membership_change_trigger() {
    let scope = json!({"@odata.type": "#microsoft.graph.identityGovernance.groupBasedSubjectSet",
                           "groups": [{"id": "G1"}, {"id": "g2"}]});
    let changes = [
        member_change(1, "u1", "g1", true),
        member_change(2, "u2", "g1", false),
        member_change(3, "u3", "g3", true),
        member_change(4, "u4", "G2", true),
        attr_change(5, "u5", "department", None, Some("x")),
    ];
    let add = json!({"@odata.type": "#microsoft.graph.identityGovernance.membershipChangeTrigger", "changeType": "add"});
    let got = change_trigger_occurrences(&add, &scope, &changes);
    let keys: Vec<(&str, &str)> = got
        .iter()
        .map(|(u, o)| (u.as_str(), o.key.as_str()))
        .collect();
    assert_eq!(
        keys,
        vec![("u1", "member:add:g1:1"), ("u4", "member:add:G2:4")]
    );
    assert_eq!(got[0].1.due, t("2026-01-02T00:00:00Z"));

    let remove = json!({"@odata.type": "#microsoft.graph.identityGovernance.membershipChangeTrigger", "changeType": "remove"});
    let got = change_trigger_occurrences(&remove, &scope, &changes);
    let keys: Vec<(&str, &str)> = got
        .iter()
        .map(|(u, o)| (u.as_str(), o.key.as_str()))
        .collect();
    assert_eq!(keys, vec![("u2", "member:remove:g1:2")]);

    // Needs a group scope and a known change type.
    let rule_scope = json!({"@odata.type": "#microsoft.graph.identityGovernance.ruleBasedSubjectSet", "rule": "id eq 'x'"});
    assert!(change_trigger_occurrences(&add, &rule_scope, &changes).is_empty());
    let odd = json!({"@odata.type": "#microsoft.graph.identityGovernance.membershipChangeTrigger", "changeType": "move"});
    assert!(change_trigger_occurrences(&odd, &scope, &changes).is_empty());
    let bad_scope =
        json!({"@odata.type": "#microsoft.graph.identityGovernance.groupBasedSubjectSet"});
    assert!(change_trigger_occurrences(&add, &bad_scope, &changes).is_empty());
}

#[test]
fn a_trigger_due_between_the_previous_pass_and_the_window_is_missed() {
    // Due 2026-12-01T09:00Z; the previous pass was on 2026-11-30, this one on 2026-12-10.
    let trig = v1("employeeHireDate", -7);
    let u = hire("2026-12-08T09:00:00Z");
    let since = t("2026-11-30T00:00:00Z");
    let occ = missed_trigger_occurrence(&trig, &u, &at("2026-12-10T00:00:00Z"), since).unwrap();
    assert_eq!(occ.key, "employeeHireDate:2026-12-01");
    // Still inside the window: caught, not missed.
    assert_eq!(
        missed_trigger_occurrence(&trig, &u, &at("2026-12-03T00:00:00Z"), since),
        None
    );
    // Due before the previous pass: that pass was responsible for it.
    assert_eq!(
        missed_trigger_occurrence(
            &trig,
            &u,
            &at("2026-12-10T00:00:00Z"),
            t("2026-12-02T00:00:00Z")
        ),
        None
    );
}

#[test]
fn a_range_trigger_is_missed_only_when_its_whole_range_passed_unseen() {
    // Hired 2026-06-10; fires while now is within 0..5 days after the hire date.
    let trig = v2(
        "operatorLessThanEqualTo",
        json!({"offsetInDays": 5}),
        "after",
    );
    let u = hire("2026-06-10T00:00:00Z");
    let since = t("2026-06-01T00:00:00Z");
    assert!(missed_trigger_occurrence(&trig, &u, &at("2026-06-20T00:00:00Z"), since).is_some());
    assert_eq!(
        missed_trigger_occurrence(&trig, &u, &at("2026-06-14T00:00:00Z"), since),
        None
    );
    assert_eq!(
        missed_trigger_occurrence(
            &trig,
            &u,
            &at("2026-06-20T00:00:00Z"),
            t("2026-06-11T00:00:00Z")
        ),
        None
    );
}
