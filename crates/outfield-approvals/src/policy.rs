//! A company's approval policy for a document kind, and how it routes one document.

use std::collections::BTreeSet;

use chrono::NaiveDate;
use outfield_core::ids::PersonId;
use outfield_core::kernel::roles::Role;
use serde::{Deserialize, Serialize};

/// The ordered levels a document of one kind passes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Policy {
    /// Levels in order; those whose condition a document does not meet are left out for it.
    pub levels: Vec<Level>,
}

/// One level of a policy: who decides there and when the level applies.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Level {
    /// What the level is called on pages ("Manager", "Accounts").
    pub name: String,
    /// Who may decide: every rule's people together.
    pub approvers: Vec<ApproverRule>,
    /// Whether one of them or all of them must approve.
    pub needs: Needs,
    /// When the level applies.
    pub when: Condition,
}

/// A rule naming the people who decide at a level.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "rule", content = "value", rename_all = "snake_case")]
pub enum ApproverRule {
    /// The owner's manager.
    ReportingManager,
    /// The manager of the owner's manager.
    ManagersManager,
    /// A named person.
    Person(PersonId),
    /// Everyone holding a role in the company (e.g. admins for accounts).
    Role(Role),
}

/// How many approvers of a level must approve.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Needs {
    /// Any one of them.
    AnyOne,
    /// Every one of them.
    All,
}

/// When a level applies to a document: amounts in minor units (paise), inclusive bounds.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Condition {
    /// Only for documents of at least this amount.
    pub min_amount: Option<i64>,
    /// Only for documents of at most this amount.
    pub max_amount: Option<i64>,
    /// Only for documents with a line in one of these categories (any category when empty).
    pub categories: Vec<String>,
}

/// What is wrong with a policy, found when it is saved rather than when a document meets it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PolicyError {
    /// The level at this position names no approver.
    LevelWithoutApprovers(usize),
    /// The level at this position applies from an amount above the one it applies up to.
    EmptyAmountRange(usize),
    /// A document of this amount (minor units), in any category, would meet no level.
    AmountWithoutLevel(i64),
}

impl std::fmt::Display for PolicyError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            PolicyError::LevelWithoutApprovers(level) => {
                write!(f, "level {} names no approver", level + 1)
            }
            PolicyError::EmptyAmountRange(level) => write!(
                f,
                "level {}: the smallest amount is larger than the largest",
                level + 1
            ),
            PolicyError::AmountWithoutLevel(amount) => write!(
                f,
                "a document of {}.{:02} would meet no level: every amount needs an approver",
                amount / 100,
                amount % 100
            ),
        }
    }
}

impl Policy {
    /// Checks that every level names someone and that every amount, in any category, meets at least
    /// one level (the levels for every category together cover zero upwards).
    pub fn check(&self) -> Result<(), PolicyError> {
        for (index, level) in self.levels.iter().enumerate() {
            if level.approvers.is_empty() {
                return Err(PolicyError::LevelWithoutApprovers(index));
            }
            if let (Some(min), Some(max)) = (level.when.min_amount, level.when.max_amount) {
                if min > max {
                    return Err(PolicyError::EmptyAmountRange(index));
                }
            }
        }
        let mut ranges: Vec<(i64, i64)> = self
            .levels
            .iter()
            .filter(|level| level.when.categories.is_empty())
            .map(|level| {
                (
                    level.when.min_amount.unwrap_or(0),
                    level.when.max_amount.unwrap_or(i64::MAX),
                )
            })
            .collect();
        ranges.sort_unstable();
        let mut covered_from = 0;
        for (min, max) in ranges {
            if min > covered_from {
                break;
            }
            if max == i64::MAX {
                return Ok(());
            }
            covered_from = covered_from.max(max + 1);
        }
        Err(PolicyError::AmountWithoutLevel(covered_from))
    }
}

impl Condition {
    fn applies(&self, amount: i64, categories: &[String]) -> bool {
        self.min_amount.is_none_or(|min| amount >= min)
            && self.max_amount.is_none_or(|max| amount <= max)
            && (self.categories.is_empty()
                || categories.iter().any(|c| self.categories.contains(c)))
    }
}

/// What routing needs to know of the company's people on the day a document is routed.
pub trait Organisation {
    /// The person's manager, if they have one.
    fn manager_of(&self, person: PersonId) -> Option<PersonId>;
    /// Everyone active in the role.
    fn holders_of(&self, role: Role) -> Vec<PersonId>;
    /// Who stands in for the person on the day, if they delegated their approvals.
    fn delegate_of(&self, person: PersonId, on: NaiveDate) -> Option<PersonId>;
}

/// A person who may decide at a stage, and for whom when standing in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Approver {
    /// Who decides.
    pub person: PersonId,
    /// The approver they stand in for, when they decide as a delegate.
    pub acting_for: Option<PersonId>,
}

/// One stage a document must pass: a level of the policy resolved to people.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Stage {
    /// The level's position in the policy.
    pub level: usize,
    /// The level's name.
    pub name: String,
    /// Who may decide, each once.
    pub approvers: Vec<Approver>,
    /// One or all.
    pub needs: Needs,
}

/// Why a document cannot be routed: said to the person submitting it and to whoever keeps the policy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RouteError {
    /// A level that applies names no one who may decide (no manager, an empty role, only the owner).
    NoApprover {
        /// The level's name.
        level: String,
    },
    /// Delegations lead round in a circle from this person.
    DelegationCycle {
        /// Where the circle was found.
        person: PersonId,
    },
    /// No level applies to the document: nobody would ever approve it.
    NoLevel,
    /// At a level that needs every approver, a delegate stands in for someone while being an approver
    /// there already: one person would give two of the approvals the level needs.
    DelegateAlreadyApproves {
        /// The level's name.
        level: String,
    },
}

impl std::fmt::Display for RouteError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            RouteError::NoApprover { level } => {
                write!(
                    f,
                    "the approval level \"{level}\" has no one who may approve this document"
                )
            }
            RouteError::DelegationCycle { .. } => {
                write!(f, "approval delegations lead round in a circle")
            }
            RouteError::NoLevel => write!(f, "no approval level applies to this document"),
            RouteError::DelegateAlreadyApproves { level } => write!(
                f,
                "at the approval level \"{level}\", which needs every approver, a delegate is an approver already"
            ),
        }
    }
}

/// The stages a document of `owner` for `amount` (minor units) with lines in `categories` must pass
/// under `policy`, with each level's people as they are on `on`. Levels that do not apply are left out;
/// the owner is never among the approvers, also not as someone's delegate.
pub fn route(
    policy: &Policy,
    (owner, amount, categories): (PersonId, i64, &[String]),
    organisation: &impl Organisation,
    on: NaiveDate,
) -> Result<Vec<Stage>, RouteError> {
    let mut stages = Vec::new();
    for (index, level) in policy.levels.iter().enumerate() {
        if !level.when.applies(amount, categories) {
            continue;
        }
        let mut approvers = BTreeSet::new();
        let named_people = level
            .approvers
            .iter()
            .flat_map(|rule| named(rule, owner, organisation));
        // The owner is left out before delegations are followed (their delegate would approve with
        // their authority) and after (a delegate may be the owner).
        for person in named_people.filter(|person| *person != owner) {
            let approver = standing_in(person, organisation, on)?;
            if approver.person != owner {
                approvers.insert(approver);
            }
        }
        if approvers.is_empty() {
            return Err(RouteError::NoApprover {
                level: level.name.clone(),
            });
        }
        let people: BTreeSet<PersonId> = approvers.iter().map(|a| a.person).collect();
        if level.needs == Needs::All && people.len() < approvers.len() {
            return Err(RouteError::DelegateAlreadyApproves {
                level: level.name.clone(),
            });
        }
        stages.push(Stage {
            level: index,
            name: level.name.clone(),
            approvers: approvers.into_iter().collect(),
            needs: level.needs,
        });
    }
    if stages.is_empty() {
        return Err(RouteError::NoLevel);
    }
    Ok(stages)
}

/// The people a rule names for a document of `owner`.
fn named(rule: &ApproverRule, owner: PersonId, organisation: &impl Organisation) -> Vec<PersonId> {
    match rule {
        ApproverRule::ReportingManager => organisation.manager_of(owner).into_iter().collect(),
        ApproverRule::ManagersManager => organisation
            .manager_of(owner)
            .and_then(|manager| organisation.manager_of(manager))
            .into_iter()
            .collect(),
        ApproverRule::Person(person) => vec![*person],
        ApproverRule::Role(role) => organisation.holders_of(*role),
    }
}

/// Who decides for `person` on `on`: themself, or the end of the chain of delegations from them.
fn standing_in(
    person: PersonId,
    organisation: &impl Organisation,
    on: NaiveDate,
) -> Result<Approver, RouteError> {
    let mut seen = BTreeSet::from([person]);
    let mut current = person;
    while let Some(delegate) = organisation.delegate_of(current, on) {
        if !seen.insert(delegate) {
            return Err(RouteError::DelegationCycle { person });
        }
        current = delegate;
    }
    Ok(Approver {
        person: current,
        acting_for: (current != person).then_some(person),
    })
}

#[cfg(test)]
pub(crate) mod tests {
    use std::collections::HashMap;

    use super::*;

    /// A company on paper: who reports to whom, who holds which role, who stands in for whom.
    #[derive(Default)]
    pub(crate) struct Company {
        pub managers: HashMap<PersonId, PersonId>,
        pub roles: Vec<(Role, PersonId)>,
        pub delegations: Vec<(PersonId, PersonId, NaiveDate, NaiveDate)>,
    }

    impl Organisation for Company {
        fn manager_of(&self, person: PersonId) -> Option<PersonId> {
            self.managers.get(&person).copied()
        }
        fn holders_of(&self, role: Role) -> Vec<PersonId> {
            self.roles
                .iter()
                .filter(|(r, _)| *r == role)
                .map(|(_, p)| *p)
                .collect()
        }
        fn delegate_of(&self, person: PersonId, on: NaiveDate) -> Option<PersonId> {
            self.delegations
                .iter()
                .find(|(from, _, start, end)| *from == person && (*start..=*end).contains(&on))
                .map(|(_, to, ..)| *to)
        }
    }

    pub(crate) fn people<const N: usize>() -> [PersonId; N] {
        std::array::from_fn(|_| PersonId::generate())
    }

    /// An amount in paise.
    pub(crate) fn rupees(amount: i64) -> i64 {
        amount * 100
    }

    pub(crate) fn day(d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 12, d).unwrap()
    }

    pub(crate) fn level(
        name: &str,
        approvers: Vec<ApproverRule>,
        needs: Needs,
        when: Condition,
    ) -> Level {
        Level {
            name: name.to_string(),
            approvers,
            needs,
            when,
        }
    }

    /// Manager, then accounts (admins) above ₹5,000, then the manager's manager above ₹50,000.
    pub(crate) fn expense_policy() -> Policy {
        Policy {
            levels: vec![
                level(
                    "Manager",
                    vec![ApproverRule::ReportingManager],
                    Needs::AnyOne,
                    Condition::default(),
                ),
                level(
                    "Accounts",
                    vec![ApproverRule::Role(Role::Admin)],
                    Needs::AnyOne,
                    Condition {
                        min_amount: Some(rupees(5_000)),
                        ..Condition::default()
                    },
                ),
                level(
                    "Senior manager",
                    vec![ApproverRule::ManagersManager],
                    Needs::AnyOne,
                    Condition {
                        min_amount: Some(rupees(50_000)),
                        ..Condition::default()
                    },
                ),
            ],
        }
    }

    fn persons(stage: &Stage) -> Vec<PersonId> {
        stage.approvers.iter().map(|a| a.person).collect()
    }

    #[test]
    fn levels_apply_by_amount_and_name_their_people() {
        let [deepa, anil, rajesh, priya] = people();
        let company = Company {
            managers: HashMap::from([(deepa, anil), (anil, rajesh)]),
            roles: vec![(Role::Admin, priya)],
            ..Company::default()
        };
        let small = route(
            &expense_policy(),
            (deepa, rupees(1_200), &[]),
            &company,
            day(7),
        )
        .unwrap();
        assert_eq!(small.len(), 1);
        assert_eq!(persons(&small[0]), vec![anil]);
        let large = route(
            &expense_policy(),
            (deepa, rupees(75_000), &[]),
            &company,
            day(7),
        )
        .unwrap();
        let names: Vec<&str> = large.iter().map(|s| s.name.as_str()).collect();
        assert_eq!(names, ["Manager", "Accounts", "Senior manager"]);
        assert_eq!(persons(&large[1]), vec![priya]);
        assert_eq!(persons(&large[2]), vec![rajesh]);
    }

    #[test]
    fn a_category_condition_picks_its_level() {
        let [deepa, anil, fleet] = people();
        let company = Company {
            managers: HashMap::from([(deepa, anil)]),
            ..Company::default()
        };
        let mut policy = expense_policy();
        policy.levels.truncate(1);
        policy.levels.push(level(
            "Fleet",
            vec![ApproverRule::Person(fleet)],
            Needs::AnyOne,
            Condition {
                categories: vec!["fuel".to_string()],
                ..Condition::default()
            },
        ));
        let food = route(
            &policy,
            (deepa, rupees(500), &["food".to_string()]),
            &company,
            day(7),
        )
        .unwrap();
        assert_eq!(food.len(), 1);
        let fuel = route(
            &policy,
            (deepa, rupees(500), &["fuel".to_string()]),
            &company,
            day(7),
        )
        .unwrap();
        assert_eq!(persons(&fuel[1]), vec![fleet]);
    }

    #[test]
    fn the_owner_never_approves_their_own_document() {
        let [priya, rajesh] = people();
        // Priya is an admin: the accounts level names her, but not for her own claim.
        let company = Company {
            managers: HashMap::from([(priya, rajesh)]),
            roles: vec![(Role::Admin, priya)],
            ..Company::default()
        };
        let error = route(
            &expense_policy(),
            (priya, rupees(6_000), &[]),
            &company,
            day(7),
        )
        .unwrap_err();
        assert_eq!(
            error,
            RouteError::NoApprover {
                level: "Accounts".to_string()
            }
        );
        // Nor does her delegate approve for her: Priya away, Sunita stands in for her, not on her claim.
        let [sunita, anil] = people();
        let company = Company {
            managers: HashMap::from([(priya, rajesh)]),
            roles: vec![(Role::Admin, priya), (Role::Admin, anil)],
            delegations: vec![(priya, sunita, day(1), day(10))],
        };
        let stages = route(
            &expense_policy(),
            (priya, rupees(6_000), &[]),
            &company,
            day(7),
        )
        .unwrap();
        assert_eq!(persons(&stages[1]), vec![anil]);
        // Nor through a delegation: Rajesh away, standing in is Priya herself.
        let company = Company {
            managers: HashMap::from([(priya, rajesh)]),
            delegations: vec![(rajesh, priya, day(1), day(10))],
            ..Company::default()
        };
        let error = route(
            &expense_policy(),
            (priya, rupees(100), &[]),
            &company,
            day(7),
        )
        .unwrap_err();
        assert_eq!(
            error,
            RouteError::NoApprover {
                level: "Manager".to_string()
            }
        );
    }

    #[test]
    fn a_delegate_stands_in_only_between_the_delegations_dates() {
        let [deepa, anil, sunita] = people();
        let company = Company {
            managers: HashMap::from([(deepa, anil)]),
            delegations: vec![(anil, sunita, day(5), day(9))],
            ..Company::default()
        };
        let away = route(
            &expense_policy(),
            (deepa, rupees(100), &[]),
            &company,
            day(7),
        )
        .unwrap();
        assert_eq!(
            away[0].approvers,
            vec![Approver {
                person: sunita,
                acting_for: Some(anil)
            }]
        );
        let back = route(
            &expense_policy(),
            (deepa, rupees(100), &[]),
            &company,
            day(10),
        )
        .unwrap();
        assert_eq!(
            back[0].approvers,
            vec![Approver {
                person: anil,
                acting_for: None
            }]
        );
    }

    #[test]
    fn a_policy_that_leaves_an_amount_without_a_level_is_refused_when_saved() {
        assert_eq!(expense_policy().check(), Ok(()));
        let [anil] = people();
        let bands = |ranges: &[(Option<i64>, Option<i64>)]| Policy {
            levels: ranges
                .iter()
                .map(|(min, max)| {
                    level(
                        "Band",
                        vec![ApproverRule::Person(anil)],
                        Needs::AnyOne,
                        Condition {
                            min_amount: *min,
                            max_amount: *max,
                            categories: Vec::new(),
                        },
                    )
                })
                .collect(),
        };
        assert_eq!(
            bands(&[(None, Some(rupees(5_000))), (Some(rupees(5_000) + 1), None)]).check(),
            Ok(())
        );
        assert_eq!(
            bands(&[(None, Some(rupees(5_000))), (Some(rupees(10_000)), None)]).check(),
            Err(PolicyError::AmountWithoutLevel(rupees(5_000) + 1))
        );
        assert_eq!(
            bands(&[(Some(rupees(100)), None)]).check(),
            Err(PolicyError::AmountWithoutLevel(0))
        );
        assert_eq!(
            bands(&[(Some(rupees(9)), Some(rupees(1)))]).check(),
            Err(PolicyError::EmptyAmountRange(0))
        );
        let mut fuel_only = bands(&[(None, None)]);
        fuel_only.levels[0].when.categories = vec!["fuel".to_string()];
        assert_eq!(fuel_only.check(), Err(PolicyError::AmountWithoutLevel(0)));
        let mut nobody = bands(&[(None, None)]);
        nobody.levels[0].approvers.clear();
        assert_eq!(nobody.check(), Err(PolicyError::LevelWithoutApprovers(0)));
    }

    #[test]
    fn one_person_cannot_give_two_approvals_of_a_level_that_needs_all() {
        let [deepa, anil, priya] = people();
        let committee = Policy {
            levels: vec![level(
                "Committee",
                vec![ApproverRule::Person(anil), ApproverRule::Person(priya)],
                Needs::All,
                Condition::default(),
            )],
        };
        let company = Company {
            delegations: vec![(anil, priya, day(1), day(10))],
            ..Company::default()
        };
        assert_eq!(
            route(&committee, (deepa, rupees(100), &[]), &company, day(7)),
            Err(RouteError::DelegateAlreadyApproves {
                level: "Committee".to_string()
            })
        );
        assert_eq!(
            route(&committee, (deepa, rupees(100), &[]), &company, day(11)).map(|s| s.len()),
            Ok(1)
        );
    }

    #[test]
    fn delegations_in_a_circle_and_levels_without_people_are_refused() {
        let [deepa, anil, sunita] = people();
        let company = Company {
            managers: HashMap::from([(deepa, anil)]),
            delegations: vec![
                (anil, sunita, day(1), day(31)),
                (sunita, anil, day(1), day(31)),
            ],
            ..Company::default()
        };
        assert_eq!(
            route(
                &expense_policy(),
                (deepa, rupees(100), &[]),
                &company,
                day(7)
            ),
            Err(RouteError::DelegationCycle { person: anil })
        );
        let nobody = Company::default();
        assert!(matches!(
            route(
                &expense_policy(),
                (deepa, rupees(100), &[]),
                &nobody,
                day(7)
            ),
            Err(RouteError::NoApprover { .. })
        ));
        let none_apply = Policy {
            levels: vec![level(
                "Large only",
                vec![ApproverRule::Person(anil)],
                Needs::AnyOne,
                Condition {
                    min_amount: Some(rupees(1_000)),
                    ..Condition::default()
                },
            )],
        };
        assert_eq!(
            route(&none_apply, (deepa, rupees(10), &[]), &nobody, day(7)),
            Err(RouteError::NoLevel)
        );
    }
}
