//! The changes the trail records, as typed actions: each is declared once, with its stable dotted
//! name, the kind of thing it acts on and what it means in words, so that a misspelt action does not
//! compile and every action has its words on the console's trail. Each feature crate declares its own
//! (`actions.rs`, with an `ALL` list the binary installs); the platform core's are below.

use std::sync::OnceLock;

/// A kind of change the trail records.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Action {
    /// Stable dotted name, e.g. `person.deactivated`: what the trail stores and filters on.
    pub name: &'static str,
    /// The kind of thing acted on (`person`, `client`, `company`, `device`, `login`, …).
    pub target: &'static str,
    /// What it means, in English (translated through the console's catalogues).
    pub words: &'static str,
}

impl Action {
    /// An action (for the constants that declare them).
    pub const fn new(name: &'static str, target: &'static str, words: &'static str) -> Action {
        Action {
            name,
            target,
            words,
        }
    }
}

static INSTALLED: OnceLock<Vec<Action>> = OnceLock::new();

/// Installs the actions of every feature (the platform's among them), so that the trail can say each
/// one in words. Only the first call counts: the lists are compiled in.
pub fn install(features: &[&'static [Action]]) {
    INSTALLED.get_or_init(|| features.iter().copied().flatten().copied().collect());
}

/// The words of an installed action, by its stored name.
pub(crate) fn words_of(name: &str) -> Option<&'static str> {
    INSTALLED
        .get()
        .map_or(ALL, Vec::as_slice)
        .iter()
        .find(|action| action.name == name)
        .map(|action| action.words)
}

/// Erased a person's personal data from the trail.
pub const AUDIT_PERSONAL_DATA_ERASED: Action = Action::new(
    "audit.personal_data_erased",
    "person",
    "Erased a person's personal data from the trail",
);
/// Signed in to the field app.
pub const AUTH_DEVICE_TOKEN_ISSUED: Action = Action::new(
    "auth.device_token_issued",
    "device",
    "Signed in to the field app",
);
/// Signed a field-app device out.
pub const AUTH_DEVICE_TOKEN_REVOKED: Action = Action::new(
    "auth.device_token_revoked",
    "device",
    "Signed a field-app device out",
);
/// Changed the password.
pub const AUTH_PASSWORD_CHANGED: Action =
    Action::new("auth.password_changed", "person", "Changed the password");
/// Set a password with a link.
pub const AUTH_PASSWORD_SET: Action =
    Action::new("auth.password_set", "person", "Set a password with a link");
/// Failed to sign in.
pub const AUTH_SIGN_IN_FAILED: Action =
    Action::new("auth.sign_in_failed", "login", "Failed to sign in");
/// Signed in.
pub const AUTH_SIGNED_IN: Action = Action::new("auth.signed_in", "person", "Signed in");
/// Signed out.
pub const AUTH_SIGNED_OUT: Action = Action::new("auth.signed_out", "person", "Signed out");
/// Signed out everywhere.
pub const AUTH_SIGNED_OUT_EVERYWHERE: Action = Action::new(
    "auth.signed_out_everywhere",
    "person",
    "Signed out everywhere",
);
/// Created the company.
pub const COMPANY_CREATED: Action =
    Action::new("company.created", "company", "Created the company");
/// Changed the company's wordings of its labels.
pub const COMPANY_LABELS_UPDATED: Action = Action::new(
    "company.labels_updated",
    "company",
    "Changed the company's wordings of its labels",
);
/// Changed the company settings.
pub const COMPANY_UPDATED: Action =
    Action::new("company.updated", "company", "Changed the company settings");
/// Uploaded a file.
pub const FILE_UPLOADED: Action = Action::new("file.uploaded", "file", "Uploaded a file");
/// Deactivated a person.
pub const PERSON_DEACTIVATED: Action =
    Action::new("person.deactivated", "person", "Deactivated a person");
/// Invited a person.
pub const PERSON_INVITED: Action = Action::new("person.invited", "person", "Invited a person");
/// Changed their preferences.
pub const PERSON_PREFERENCES_CHANGED: Action = Action::new(
    "person.preferences_changed",
    "person",
    "Changed their preferences",
);
/// Made a password-reset link.
pub const PERSON_RESET_LINK_CREATED: Action = Action::new(
    "person.reset_link_created",
    "person",
    "Made a password-reset link",
);
/// Changed a person.
pub const PERSON_UPDATED: Action = Action::new("person.updated", "person", "Changed a person");
/// Granted a permission.
pub const PRIVACY_CONSENT_GRANTED: Action =
    Action::new("privacy.consent_granted", "person", "Granted a permission");
/// Withdrew a permission.
pub const PRIVACY_CONSENT_REVOKED: Action =
    Action::new("privacy.consent_revoked", "person", "Withdrew a permission");
/// Published a privacy notice.
pub const PRIVACY_NOTICE_PUBLISHED: Action = Action::new(
    "privacy.notice_published",
    "privacy_notice",
    "Published a privacy notice",
);

/// Every action the platform core records.
pub const ALL: &[Action] = &[
    AUDIT_PERSONAL_DATA_ERASED,
    AUTH_DEVICE_TOKEN_ISSUED,
    AUTH_DEVICE_TOKEN_REVOKED,
    AUTH_PASSWORD_CHANGED,
    AUTH_PASSWORD_SET,
    AUTH_SIGN_IN_FAILED,
    AUTH_SIGNED_IN,
    AUTH_SIGNED_OUT,
    AUTH_SIGNED_OUT_EVERYWHERE,
    COMPANY_CREATED,
    COMPANY_LABELS_UPDATED,
    COMPANY_UPDATED,
    FILE_UPLOADED,
    PERSON_DEACTIVATED,
    PERSON_INVITED,
    PERSON_PREFERENCES_CHANGED,
    PERSON_RESET_LINK_CREATED,
    PERSON_UPDATED,
    PRIVACY_CONSENT_GRANTED,
    PRIVACY_CONSENT_REVOKED,
    PRIVACY_NOTICE_PUBLISHED,
];
