//! The approval engine (`outfield-approvals`): documents of any kind — expense and travel bills, order
//! sheets — go through the same rules, kept as data per company and document kind.
//!
//! - [`route`] turns a policy into the stages a submitted document must pass, naming the people who may
//!   decide at each: reporting managers, named people, role holders, with delegates standing in for
//!   those away; never the document's owner, also not through a delegation.
//! - [`standing`] tells where a document stands from the decisions recorded so far, and [`may_decide`]
//!   who may decide next. A level is passed by any one or by all of its approvers; an approval given at an
//!   earlier level counts at every later level that names the same person, so no one approves twice.
//!
//! Both are pure functions over the organisation ([`Organisation`]) and the recorded decisions, so the
//! store can call them inside the transaction that records a decision and get one answer however many
//! approvers decide at once.

pub mod policy;
pub mod progress;

pub use policy::{
    route, Approver, ApproverRule, Condition, Level, Needs, Organisation, Policy, RouteError, Stage,
};
pub use progress::{may_decide, standing, DecideError, Decision, Standing, Verdict};
