//! The changes field activity records in the trail.

use outfield_core::audit::Action;

/// Ended the working day.
pub const ATTENDANCE_DAY_ENDED: Action =
    Action::new("attendance.day_ended", "person", "Ended the working day");
/// Started the working day.
pub const ATTENDANCE_DAY_STARTED: Action = Action::new(
    "attendance.day_started",
    "person",
    "Started the working day",
);
/// Cleared leave.
pub const ATTENDANCE_LEAVE_CLEARED: Action =
    Action::new("attendance.leave_cleared", "person", "Cleared leave");
/// Marked leave.
pub const ATTENDANCE_LEAVE_MARKED: Action =
    Action::new("attendance.leave_marked", "person", "Marked leave");
/// Approved a client location.
pub const CLIENT_LOCATION_CORRECTED: Action = Action::new(
    "client.location_corrected",
    "client",
    "Approved a client location",
);
/// Rejected a client location.
pub const CLIENT_LOCATION_CORRECTION_REJECTED: Action = Action::new(
    "client.location_correction_rejected",
    "client",
    "Rejected a client location",
);
/// Changed the field activity settings.
pub const COMPANY_ACTIVITY_SETTINGS_UPDATED: Action = Action::new(
    "company.activity_settings_updated",
    "company",
    "Changed the field activity settings",
);
/// Checked in at a client.
pub const VISIT_CHECKED_IN: Action =
    Action::new("visit.checked_in", "client", "Checked in at a client");
/// Checked out of a client.
pub const VISIT_CHECKED_OUT: Action =
    Action::new("visit.checked_out", "client", "Checked out of a client");
/// Moved a planned visit.
pub const VISIT_PLAN_MOVED: Action =
    Action::new("visit.plan_moved", "person", "Moved a planned visit");
/// Put planned visits in order.
pub const VISIT_PLAN_REORDERED: Action = Action::new(
    "visit.plan_reordered",
    "person",
    "Put planned visits in order",
);
/// Planned visits.
pub const VISIT_PLANNED: Action = Action::new("visit.planned", "person", "Planned visits");
/// Removed a planned visit.
pub const VISIT_UNPLANNED: Action =
    Action::new("visit.unplanned", "person", "Removed a planned visit");

/// Every action this crate records, for the trail's words (installed by the binary).
pub const ALL: &[Action] = &[
    ATTENDANCE_DAY_ENDED,
    ATTENDANCE_DAY_STARTED,
    ATTENDANCE_LEAVE_CLEARED,
    ATTENDANCE_LEAVE_MARKED,
    CLIENT_LOCATION_CORRECTED,
    CLIENT_LOCATION_CORRECTION_REJECTED,
    COMPANY_ACTIVITY_SETTINGS_UPDATED,
    VISIT_CHECKED_IN,
    VISIT_CHECKED_OUT,
    VISIT_PLAN_MOVED,
    VISIT_PLAN_REORDERED,
    VISIT_PLANNED,
    VISIT_UNPLANNED,
];
