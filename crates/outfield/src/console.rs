//! The console's route composition: the kit's assets and every feature's pages, and `/`, which sends a
//! signed-in person to the page they last viewed.

use axum::response::Redirect;
use axum::routing::get;
use axum::Router;
use outfield_core::console::ConsoleUser;
use outfield_core::people::domain::ConsolePath;
use outfield_core::state::AppState;

/// Console routes of every feature (their translations and actions are installed by `install_features`).
pub fn routes() -> Router<AppState> {
    crate::FEATURES
        .iter()
        .fold(Router::new().route("/", get(home)), |router, feature| {
            router.merge((feature.console)())
        })
}

async fn home(user: Option<ConsoleUser>) -> Redirect {
    match user {
        Some(user) => Redirect::to(
            user.0
                .last_view
                .as_ref()
                .map_or("/console", ConsolePath::as_str),
        ),
        None => Redirect::to("/sign-in"),
    }
}

#[cfg(test)]
mod tests {
    use std::collections::{BTreeSet, HashMap};
    use std::path::{Path, PathBuf};

    use outfield_core::people::domain::Role;
    use outfield_core::privacy::Permission;

    /// Every file of a crate's pages: its templates and its Rust sources (the i18n module's own tests
    /// name wordings that are meant to have no translation).
    fn page_sources(crate_dir: &Path) -> Vec<PathBuf> {
        let mut found = Vec::new();
        let mut folders = vec![crate_dir.join("templates"), crate_dir.join("src")];
        while let Some(folder) = folders.pop() {
            let Ok(entries) = std::fs::read_dir(&folder) else {
                continue;
            };
            for entry in entries.flatten() {
                let path = entry.path();
                if path.is_dir() {
                    folders.push(path);
                } else if path.extension().is_some_and(|e| e == "html" || e == "rs")
                    && !path.ends_with("i18n.rs")
                {
                    found.push(path);
                }
            }
        }
        found
    }

    /// The string literal that starts right after `marker` (spaces and line breaks allowed), for each
    /// place `marker` appears.
    fn literals_after(source: &str, marker: &str) -> Vec<String> {
        source
            .match_indices(marker)
            .filter_map(|(at, _)| literal_at(&source[at + marker.len()..]))
            .collect()
    }

    /// The string literal `text` starts with, after spaces and line breaks.
    fn literal_at(text: &str) -> Option<String> {
        let body = text.trim_start().strip_prefix('"')?;
        let mut literal = String::new();
        let mut chars = body.chars();
        while let Some(c) = chars.next() {
            match c {
                '"' => return Some(literal),
                '\\' => literal.push(chars.next()?),
                _ => literal.push(c),
            }
        }
        None
    }

    /// The English wordings a crate's pages ask to be translated: `tr("…")`, `tr1("…", …)`,
    /// `tr2("…", …)`, `titled_error_page("…", …)`, the titles given to `Frame::new` and the title and
    /// message given to `message_page`.
    fn wordings(crate_dir: &Path) -> BTreeSet<String> {
        let mut all = BTreeSet::new();
        for path in page_sources(crate_dir) {
            let source = std::fs::read_to_string(&path).expect("a readable source file");
            for marker in [".tr(", ".tr1(", ".tr2(", "titled_error_page("] {
                all.extend(literals_after(&source, marker));
            }
            // Which arguments are wordings, counted from 0: a frame's title, a message page's title and
            // message.
            let calls: [(&str, &[usize]); 2] = [("Frame::new(", &[1]), ("message_page(", &[1, 2])];
            for (call, arguments) in calls {
                for (at, _) in source.match_indices(call) {
                    let rest = &source[at + call.len()..];
                    let commas: Vec<usize> = rest.match_indices(',').map(|(c, _)| c).collect();
                    for argument in arguments {
                        if let Some(comma) = commas.get(argument - 1) {
                            all.extend(literal_at(&rest[comma + 1..]));
                        }
                    }
                }
            }
        }
        all
    }

    fn catalogue(text: &str) -> HashMap<String, String> {
        serde_json::from_str(text).expect("a catalogue is a JSON object of strings")
    }

    #[test]
    fn every_wording_of_every_page_has_a_hindi_translation() {
        let crates = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
        let core = catalogue(outfield_core::HINDI);
        let mut missing = Vec::new();
        for feature in crate::FEATURES {
            let (name, own) = (feature.name, catalogue(feature.hindi));
            let found = wordings(&crates.join(name));
            assert!(found.len() > 100, "{name}: the scan found its pages");
            for wording in found {
                if !own.contains_key(&wording) && !core.contains_key(&wording) {
                    missing.push(format!("{name}: {wording}"));
                }
            }
        }
        assert!(missing.is_empty(), "no Hindi for:\n{}", missing.join("\n"));
    }

    #[test]
    fn every_audit_action_has_a_name_of_its_own_and_words_in_hindi() {
        let core = catalogue(outfield_core::HINDI);
        let mut names = BTreeSet::new();
        let mut missing = Vec::new();
        for feature in crate::FEATURES {
            let own = catalogue(feature.hindi);
            for action in feature.actions {
                assert!(
                    names.insert(action.name),
                    "{} is declared twice",
                    action.name
                );
                if !own.contains_key(action.words) && !core.contains_key(action.words) {
                    missing.push(action.words);
                }
            }
        }
        assert!(names.len() > 40, "only {} actions found", names.len());
        assert!(missing.is_empty(), "no Hindi for: {missing:?}");
    }

    #[test]
    fn translations_keep_the_places_of_their_values() {
        for feature in crate::FEATURES {
            for (english, hindi) in catalogue(feature.hindi) {
                for slot in ["{}", "{1}", "{2}"] {
                    assert_eq!(
                        english.matches(slot).count(),
                        hindi.matches(slot).count(),
                        "“{english}” → “{hindi}” keeps {slot}"
                    );
                }
                assert!(!hindi.trim().is_empty(), "“{english}” has a translation");
            }
        }
    }

    #[test]
    fn words_pages_show_from_the_domain_have_hindi_translations() {
        crate::install_features();
        let hindi = outfield_core::people::domain::Language::Hindi;
        let labels = Role::ALL
            .iter()
            .map(|r| r.label())
            .chain(Permission::ALL.iter().map(|p| p.as_str()))
            .chain(
                outfield_clients::domain::ClientStatus::ALL
                    .iter()
                    .map(|s| s.as_str()),
            )
            .chain(
                outfield_clients::domain::InteractionKind::ALL
                    .iter()
                    .map(|k| k.as_str()),
            );
        use outfield_field::attendance::register::AttendanceStatus as A;
        use outfield_field::tracking::trail::Flag as F;
        use outfield_field::visits::Verdict as V;
        let field = [
            A::Present,
            A::Late,
            A::Absent,
            A::OnLeave,
            A::OffDay,
            A::NotStarted,
        ]
        .iter()
        .map(|s| s.label())
        .chain(
            [
                F::MockLocation,
                F::ImpossibleSpeed,
                F::ClockSkew,
                F::Jump,
                F::Gap,
            ]
            .iter()
            .map(|f| f.label()),
        )
        .chain(
            [V::Verified, V::OutOfRange, V::Unverified]
                .iter()
                .map(|v| v.label()),
        );
        for label in labels.chain(field) {
            assert_ne!(hindi.tr(label), label, "“{label}” has Hindi");
        }
    }
}
