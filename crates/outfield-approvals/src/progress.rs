//! Where a routed document stands, from the decisions recorded in its current round (a document sent
//! back and resubmitted starts a new round; the earlier rounds stay in its history).

use std::collections::BTreeSet;

use outfield_core::ids::PersonId;
use serde::{Deserialize, Serialize};

use crate::policy::{Approver, Needs, Stage};

/// What an approver decided.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// Approved at their stage.
    Approve,
    /// Refused for good (a reason is required by the caller).
    Reject,
    /// Returned to the owner for changes; the owner may resubmit.
    SendBack,
}

/// A decision recorded in the current round.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Decision {
    /// Who decided.
    pub by: PersonId,
    /// What.
    pub verdict: Verdict,
}

/// Where a document stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "state", content = "stage", rename_all = "snake_case")]
pub enum Standing {
    /// Waiting for the stage at this index.
    Awaiting(usize),
    /// Every stage approved it.
    Approved,
    /// Refused.
    Rejected,
    /// Returned to the owner for changes.
    SentBack,
}

/// Why a person may not decide on a document now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DecideError {
    /// The document is no longer waiting for a decision (approved, rejected or sent back).
    Closed,
    /// The person is the document's owner: no one approves their own document.
    OwnDocument,
    /// The person is not among the approvers of the stage it waits for.
    NotAnApprover,
    /// The person already approved it; their approval counts wherever they are named.
    AlreadyApproved,
}

impl std::fmt::Display for DecideError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            DecideError::Closed => "this document is not waiting for a decision",
            DecideError::OwnDocument => "no one may decide on their own document",
            DecideError::NotAnApprover => {
                "you are not an approver of the stage this document waits for"
            }
            DecideError::AlreadyApproved => "you already approved this document",
        })
    }
}

/// Where a document routed into `stages` stands after `decisions` (in the order they were recorded).
/// A refusal or a send-back ends the round; an approval counts at every stage naming its approver.
pub fn standing(stages: &[Stage], decisions: &[Decision]) -> Standing {
    let mut approved = BTreeSet::new();
    for decision in decisions {
        match decision.verdict {
            Verdict::Approve => {
                approved.insert(decision.by);
            }
            Verdict::Reject => return Standing::Rejected,
            Verdict::SendBack => return Standing::SentBack,
        }
    }
    stages
        .iter()
        .position(|stage| !passed(stage, &approved))
        .map_or(Standing::Approved, Standing::Awaiting)
}

fn passed(stage: &Stage, approved: &BTreeSet<PersonId>) -> bool {
    let mut approvals = stage.approvers.iter().map(|a| approved.contains(&a.person));
    match stage.needs {
        Needs::AnyOne => approvals.any(|yes| yes),
        Needs::All => approvals.all(|yes| yes),
    }
}

/// Whether `person` may decide now on a document of `owner` routed into `stages`, and as whom: the
/// approver entry of the stage it waits for. The owner is refused outright, whatever the stages say.
/// The stages are those of the round: a delegation that starts or ends later changes who decides only
/// when the store routes the document again (see docs/DECISIONS.md).
pub fn may_decide(
    stages: &[Stage],
    decisions: &[Decision],
    owner: PersonId,
    person: PersonId,
) -> Result<Approver, DecideError> {
    if person == owner {
        return Err(DecideError::OwnDocument);
    }
    let Standing::Awaiting(index) = standing(stages, decisions) else {
        return Err(DecideError::Closed);
    };
    if decisions
        .iter()
        .any(|d| d.by == person && d.verdict == Verdict::Approve)
    {
        return Err(DecideError::AlreadyApproved);
    }
    stages[index]
        .approvers
        .iter()
        .find(|approver| approver.person == person)
        .copied()
        .ok_or(DecideError::NotAnApprover)
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use outfield_core::kernel::roles::Role;

    use super::*;
    use crate::policy::tests::{day, expense_policy, level, people, rupees, Company};
    use crate::policy::{route, ApproverRule, Condition, Policy};

    fn approve(by: PersonId) -> Decision {
        Decision {
            by,
            verdict: Verdict::Approve,
        }
    }

    #[test]
    fn a_document_passes_its_stages_in_order() {
        let [deepa, anil, rajesh, priya] = people();
        let company = Company {
            managers: HashMap::from([(deepa, anil), (anil, rajesh)]),
            roles: vec![(Role::Admin, priya)],
            ..Company::default()
        };
        let stages = route(
            &expense_policy(),
            (deepa, rupees(60_000), &[]),
            &company,
            day(7),
        )
        .unwrap();
        let mut decisions = Vec::new();
        assert_eq!(standing(&stages, &decisions), Standing::Awaiting(0));
        assert_eq!(
            may_decide(&stages, &decisions, deepa, priya),
            Err(DecideError::NotAnApprover),
            "accounts waits for the manager"
        );
        may_decide(&stages, &decisions, deepa, anil).unwrap();
        decisions.push(approve(anil));
        assert_eq!(standing(&stages, &decisions), Standing::Awaiting(1));
        assert_eq!(
            may_decide(&stages, &decisions, deepa, anil),
            Err(DecideError::AlreadyApproved)
        );
        decisions.push(approve(priya));
        decisions.push(approve(rajesh));
        assert_eq!(standing(&stages, &decisions), Standing::Approved);
        assert_eq!(
            may_decide(&stages, &decisions, deepa, rajesh),
            Err(DecideError::Closed)
        );
    }

    #[test]
    fn an_approval_counts_at_every_later_stage_naming_the_same_person() {
        let [deepa, anil] = people();
        // Anil is Deepa's manager and also the named approver of the second level.
        let policy = Policy {
            levels: vec![
                level(
                    "Manager",
                    vec![ApproverRule::ReportingManager],
                    Needs::AnyOne,
                    Condition::default(),
                ),
                level(
                    "Regional",
                    vec![ApproverRule::Person(anil)],
                    Needs::AnyOne,
                    Condition::default(),
                ),
            ],
        };
        let company = Company {
            managers: HashMap::from([(deepa, anil)]),
            ..Company::default()
        };
        let stages = route(&policy, (deepa, rupees(100), &[]), &company, day(7)).unwrap();
        assert_eq!(standing(&stages, &[approve(anil)]), Standing::Approved);
    }

    #[test]
    fn all_approvers_of_a_parallel_level_must_approve() {
        let [deepa, anil, priya, sunita] = people();
        let policy = Policy {
            levels: vec![level(
                "Committee",
                vec![
                    ApproverRule::ReportingManager,
                    ApproverRule::Role(Role::Admin),
                ],
                Needs::All,
                Condition::default(),
            )],
        };
        let company = Company {
            managers: HashMap::from([(deepa, anil)]),
            roles: vec![(Role::Admin, priya), (Role::Admin, sunita)],
            ..Company::default()
        };
        let stages = route(&policy, (deepa, rupees(100), &[]), &company, day(7)).unwrap();
        assert_eq!(stages[0].approvers.len(), 3);
        let two = [approve(priya), approve(anil)];
        assert_eq!(standing(&stages, &two), Standing::Awaiting(0));
        let all = [approve(priya), approve(anil), approve(sunita)];
        assert_eq!(standing(&stages, &all), Standing::Approved);
    }

    #[test]
    fn a_refusal_or_a_send_back_ends_the_round_and_the_owner_is_always_refused() {
        let [deepa, anil] = people();
        let company = Company {
            managers: HashMap::from([(deepa, anil)]),
            ..Company::default()
        };
        let stages = route(
            &expense_policy(),
            (deepa, rupees(100), &[]),
            &company,
            day(7),
        )
        .unwrap();
        let sent_back = [Decision {
            by: anil,
            verdict: Verdict::SendBack,
        }];
        assert_eq!(standing(&stages, &sent_back), Standing::SentBack);
        assert_eq!(
            may_decide(&stages, &sent_back, deepa, anil),
            Err(DecideError::Closed)
        );
        let rejected = [Decision {
            by: anil,
            verdict: Verdict::Reject,
        }];
        assert_eq!(standing(&stages, &rejected), Standing::Rejected);
        assert_eq!(
            may_decide(&stages, &[], deepa, deepa),
            Err(DecideError::OwnDocument)
        );
    }
}
