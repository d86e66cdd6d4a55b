//! The kinds a workflow's execution conditions and quarantine state are spelled with, each
//! declared once: the engine matches on these instead of comparing `@odata.type` strings.
//!
//! `parse` takes the name without the `#microsoft.graph.identityGovernance.` namespace (see
//! [`graph_type_name`]); `as_str` gives it back exactly.

use serde_json::Value;

const IDENTITY_GOVERNANCE: &str = "microsoft.graph.identityGovernance.";

/// The `@odata.type` of a JSON object without the leading `#`, `""` when absent.
pub fn odata_type(v: &Value) -> &str {
    v.get("@odata.type")
        .and_then(Value::as_str)
        .map(|s| s.trim_start_matches('#'))
        .unwrap_or("")
}

/// The identity-governance type name (`ruleBasedSubjectSet`) of a JSON object; `""` when
/// it has none or one of another namespace.
pub fn graph_type_name(v: &Value) -> &str {
    odata_type(v)
        .strip_prefix(IDENTITY_GOVERNANCE)
        .unwrap_or("")
}

/// Declares a kind enum with its exact Graph spellings.
macro_rules! kind_enum {
    ($(#[$meta:meta])* $name:ident { $($(#[$vmeta:meta])* $variant:ident => $text:literal,)+ }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum $name {
            $($(#[$vmeta])* $variant,)+
        }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant,)+];

            /// The kind spelled `s` (exactly, without namespace); `None` for anything else.
            pub fn parse(s: &str) -> Option<Self> {
                match s {
                    $($text => Some($name::$variant),)+
                    _ => None,
                }
            }

            pub fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $text,)+
                }
            }

            /// The kind of a JSON object's identity-governance `@odata.type`.
            pub fn of(v: &Value) -> Option<Self> {
                Self::parse(graph_type_name(v))
            }
        }
    };
}

kind_enum! {
    /// `executionConditions` of a workflow.
    ConditionsKind {
        TriggerAndScopeBased => "triggerAndScopeBasedConditions",
        OnDemandExecutionOnly => "onDemandExecutionOnly",
    }
}

kind_enum! {
    /// The triggers lcw evaluates (`executionConditions.trigger`); others parse to `None`.
    TriggerType {
        TimeBasedAttribute => "timeBasedAttributeTrigger",
        TimeBasedAttributeV2 => "timeBasedAttributeTriggerV2",
        AttributeChange => "attributeChangeTrigger",
        MembershipChange => "membershipChangeTrigger",
    }
}

impl TriggerType {
    pub fn is_time_based(self) -> bool {
        matches!(
            self,
            TriggerType::TimeBasedAttribute | TriggerType::TimeBasedAttributeV2
        )
    }
}

kind_enum! {
    /// The operator of a `timeBasedAttributeTriggerV2`.
    TimeOperator {
        EqualTo => "operatorEqualTo",
        LessThanEqualTo => "operatorLessThanEqualTo",
        Between => "operatorBetween",
    }
}

kind_enum! {
    /// `executionConditions.scope`: who a workflow applies to.
    SubjectSetKind {
        RuleBased => "ruleBasedSubjectSet",
        GroupBased => "groupBasedSubjectSet",
        SelectedObjects => "selectedObjectsSubjectSet",
        AllExcludingGroups => "allExcludingGroupsSubjectSet",
        AllExcludingSpecificObjects => "allExcludingSpecificObjectsSubjectSet",
        AllExcludingAgentBuilderPlatforms => "allExcludingAgentBuilderPlatformsSubjectSet",
    }
}

kind_enum! {
    /// `quarantineDetails.quarantineType` of a workflow.
    QuarantineType {
        NotQuarantined => "notQuarantined",
        CountBasedThresholdExceeded => "countBasedThresholdExceeded",
        PercentageBasedThresholdExceeded => "percentageBasedThresholdExceeded",
        MultipleConditionsExceeded => "multipleConditionsExceeded",
    }
}

/// The `eventTiming` of a time-based trigger operator (a plain string, not an `@odata.type`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EventTiming {
    Before,
    After,
    On,
}

impl EventTiming {
    pub const ALL: &'static [EventTiming] =
        &[EventTiming::Before, EventTiming::After, EventTiming::On];

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "before" => Some(EventTiming::Before),
            "after" => Some(EventTiming::After),
            "on" => Some(EventTiming::On),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            EventTiming::Before => "before",
            EventTiming::After => "after",
            EventTiming::On => "on",
        }
    }
}

/// A condition of a quarantine configuration.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum QuarantineConditionKind {
    CountBased,
    PercentageBased,
}

impl QuarantineConditionKind {
    pub const ALL: &'static [QuarantineConditionKind] = &[
        QuarantineConditionKind::CountBased,
        QuarantineConditionKind::PercentageBased,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            QuarantineConditionKind::CountBased => "countBasedQuarantineCondition",
            QuarantineConditionKind::PercentageBased => "percentageBasedQuarantineCondition",
        }
    }

    /// The condition an `@odata.type` names. Matched by suffix, whatever namespace precedes
    /// it, as quarantine configurations have always been read.
    pub fn parse(odata_type: &str) -> Option<Self> {
        Self::ALL
            .iter()
            .copied()
            .find(|k| odata_type.ends_with(k.as_str()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn every_kind_round_trips_its_exact_spelling() {
        fn check<K: Copy + PartialEq + std::fmt::Debug>(
            all: &[K],
            as_str: fn(K) -> &'static str,
            parse: fn(&str) -> Option<K>,
        ) {
            for &k in all {
                assert_eq!(parse(as_str(k)), Some(k), "{}", as_str(k));
                assert_eq!(parse(&as_str(k).to_uppercase()), None);
            }
            assert_eq!(parse(""), None);
        }
        check(
            ConditionsKind::ALL,
            ConditionsKind::as_str,
            ConditionsKind::parse,
        );
        check(TriggerType::ALL, TriggerType::as_str, TriggerType::parse);
        check(TimeOperator::ALL, TimeOperator::as_str, TimeOperator::parse);
        check(
            SubjectSetKind::ALL,
            SubjectSetKind::as_str,
            SubjectSetKind::parse,
        );
        check(
            QuarantineType::ALL,
            QuarantineType::as_str,
            QuarantineType::parse,
        );
        check(EventTiming::ALL, EventTiming::as_str, EventTiming::parse);
        check(
            QuarantineConditionKind::ALL,
            QuarantineConditionKind::as_str,
            QuarantineConditionKind::parse,
        );
    }

    #[test]
    fn kinds_are_read_from_identity_governance_types_only() {
        let ok = json!({"@odata.type": "#microsoft.graph.identityGovernance.groupBasedSubjectSet"});
        assert_eq!(SubjectSetKind::of(&ok), Some(SubjectSetKind::GroupBased));
        let bare = json!({"@odata.type": "groupBasedSubjectSet"});
        assert_eq!(SubjectSetKind::of(&bare), None);
        assert_eq!(TriggerType::of(&json!({})), None);
        assert!(TriggerType::TimeBasedAttributeV2.is_time_based());
        assert!(!TriggerType::AttributeChange.is_time_based());
        assert_eq!(
            QuarantineConditionKind::parse(
                "#microsoft.graph.identityGovernance.countBasedQuarantineCondition"
            ),
            Some(QuarantineConditionKind::CountBased)
        );
    }
}
