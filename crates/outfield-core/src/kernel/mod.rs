//! The kernel: the lower part of the core that every feature stands on and that names no feature, no
//! page and no `AppState` — the store (`db`: pools, tenant and system transactions, statements, group
//! commit, the SQL dialect), the tenant `Scope` and roles, errors, the API's extractors, typed ids, text
//! rules, the clock, positions and the console's word lookup. The rest of the core (identity, people,
//! companies, audit, privacy, files, the console kit) and every feature crate build on it; a test keeps
//! it from naming anything above it. Its modules are re-exported at the core's root (`outfield_core::db`).

pub mod clock;
pub mod db;
pub mod error;
pub mod geo;
pub mod http;
pub mod i18n;
pub mod ids;
pub mod roles;
pub mod scope;
pub mod text;

#[cfg(test)]
pub(crate) mod tests {
    use std::path::{Path, PathBuf};

    /// Every Rust source file under `dir`: the core's structural checks read the sources they guard.
    pub(crate) fn rust_sources(dir: &Path) -> Vec<PathBuf> {
        let mut found = Vec::new();
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                found.extend(rust_sources(&path));
            } else if path.extension().is_some_and(|e| e == "rs") {
                found.push(path);
            }
        }
        found
    }

    /// The kernel's modules, by the names the core re-exports them under.
    const KERNEL: [&str; 11] = [
        "kernel",
        "clock",
        "db",
        "error",
        "geo",
        "http",
        "i18n",
        "ids",
        "text",
        "json_column",
        "column_type",
    ];

    /// Outside its tests, no kernel file names a part of the core above the kernel (`crate::auth`,
    /// `crate::people`, `AppState`, …): the kernel is the bottom layer.
    #[test]
    fn the_kernel_names_nothing_above_it() {
        let kernel = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/kernel");
        let files = rust_sources(&kernel);
        let mut above = Vec::new();
        for file in &files {
            let text = std::fs::read_to_string(file).unwrap();
            let code: String = text
                .split("#[cfg(test)]")
                .next()
                .unwrap_or_default()
                .lines()
                .filter(|line| !line.trim_start().starts_with("//"))
                .collect::<Vec<_>>()
                .join("\n");
            for (at, _) in code.match_indices("crate::") {
                let name: String = code[at + "crate::".len()..]
                    .chars()
                    .take_while(|c| c.is_alphanumeric() || *c == '_')
                    .collect();
                if !KERNEL.contains(&name.as_str()) {
                    above.push(format!("{}: crate::{name}", file.display()));
                }
            }
            if code.contains("AppState") {
                above.push(format!("{}: AppState", file.display()));
            }
        }
        assert!(files.len() > 12, "only {} kernel files found", files.len());
        assert!(
            above.is_empty(),
            "the kernel names what stands on it: {above:#?}"
        );
    }
}
