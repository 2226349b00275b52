//! The changes the clients feature records in the trail.

use outfield_core::audit::Action;

/// Added a contact.
pub const CLIENT_CONTACT_ADDED: Action =
    Action::new("client.contact_added", "client", "Added a contact");
/// Imported contacts.
pub const CLIENT_CONTACTS_IMPORTED: Action =
    Action::new("client.contacts_imported", "client", "Imported contacts");
/// Added a client.
pub const CLIENT_CREATED: Action = Action::new("client.created", "client", "Added a client");
/// Imported clients.
pub const CLIENT_IMPORTED: Action = Action::new("client.imported", "company", "Imported clients");
/// Received a lead from the website.
pub const CLIENT_LEAD_RECEIVED: Action = Action::new(
    "client.lead_received",
    "client",
    "Received a lead from the website",
);
/// Merged duplicate clients.
pub const CLIENT_MERGED: Action =
    Action::new("client.merged", "client", "Merged duplicate clients");
/// Reassigned clients.
pub const CLIENT_REASSIGNED: Action =
    Action::new("client.reassigned", "person", "Reassigned clients");
/// Changed a client.
pub const CLIENT_UPDATED: Action = Action::new("client.updated", "client", "Changed a client");
/// Changed the client types and fields.
pub const COMPANY_CLIENT_FIELDS_UPDATED: Action = Action::new(
    "company.client_fields_updated",
    "company",
    "Changed the client types and fields",
);
/// Changed the website enquiry form.
pub const COMPANY_LEAD_FORM_CHANGED: Action = Action::new(
    "company.lead_form_changed",
    "company",
    "Changed the website enquiry form",
);
/// Added a follow-up.
pub const TASK_ADDED: Action = Action::new("task.added", "client", "Added a follow-up");
/// Completed a follow-up.
pub const TASK_DONE: Action = Action::new("task.done", "client", "Completed a follow-up");

/// Every action this crate records, for the trail's words (installed by the binary).
pub const ALL: &[Action] = &[
    CLIENT_CONTACT_ADDED,
    CLIENT_CONTACTS_IMPORTED,
    CLIENT_CREATED,
    CLIENT_IMPORTED,
    CLIENT_LEAD_RECEIVED,
    CLIENT_MERGED,
    CLIENT_REASSIGNED,
    CLIENT_UPDATED,
    COMPANY_CLIENT_FIELDS_UPDATED,
    COMPANY_LEAD_FORM_CHANGED,
    TASK_ADDED,
    TASK_DONE,
];
