//! `cargo xtask tidy`: the project's conventions as tests, after rust-analyzer's
//! `xtask/src/tidy.rs`. Each rule reads the checkout and returns the problems it found,
//! each naming the file (and line) and what to do; `cargo test -p xtask` (so `cargo test
//! --workspace`) runs every rule as a test, and `cargo xtask tidy` runs them all and
//! exits 1 when one finds a problem.
//!
//! The rules:
//! - the docs, code comments and scenario files name only registered monitors and
//!   stream detectors (the built-in ones, and the example plugin's);
//! - every golden fixture holds cases (a test that loops over an emptied file passes);
//! - in the CLI only `output.rs` prints to stdout (commands build text and hand it over);
//! - `rust-version` covers the language features the code uses and the locked
//!   dependencies' own `rust-version`;
//! - the files of `driftwatch-monitor` have no `crate::` import cycle.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use anyhow::Result;

/// Arguments of `cargo xtask tidy` (none: every rule runs).
#[derive(Debug, clap::Args)]
pub struct TidyArgs {}

/// A rule: its name and the check, which returns the problems found.
type Rule = (&'static str, fn(&Path) -> Vec<String>);

/// Every rule, in the order `cargo xtask tidy` runs them.
const RULES: [Rule; 5] = [
    ("registered plugin names in docs", registered_names),
    ("golden fixtures hold cases", golden_fixtures_hold_cases),
    (
        "only output.rs prints in the CLI",
        cli_prints_through_output,
    ),
    (
        "rust-version covers what the code needs",
        rust_version_covers,
    ),
    ("no file cycle in driftwatch-monitor", monitor_has_no_cycle),
];

/// Runs every rule; exit 1 when any found a problem.
pub fn run(_: &TidyArgs) -> Result<i32> {
    let root = workspace_root();
    let mut failed = 0;
    for (name, rule) in RULES {
        let problems = rule(&root);
        if problems.is_empty() {
            eprintln!("ok    {name}");
        } else {
            failed += 1;
            eprintln!("FAIL  {name}:\n  {}", problems.join("\n  "));
        }
    }
    Ok(i32::from(failed > 0))
}

fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// Files under `dir` ending in `.ext`, sorted; `target` and hidden directories are
/// skipped. A missing directory has none.
fn files_under(dir: &Path, ext: &str) -> Vec<PathBuf> {
    fn walk(dir: &Path, ext: &str, out: &mut Vec<PathBuf>) {
        let Ok(entries) = std::fs::read_dir(dir) else {
            return;
        };
        for e in entries.flatten() {
            let p = e.path();
            let name = e.file_name();
            let name = name.to_string_lossy();
            if p.is_dir() {
                if name != "target" && !name.starts_with('.') {
                    walk(&p, ext, out);
                }
            } else if p.extension().is_some_and(|e| e == ext) {
                out.push(p);
            }
        }
    }
    let mut out = Vec::new();
    walk(dir, ext, &mut out);
    out.sort();
    out
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_default()
}

/// `path` relative to the root, for messages.
fn rel(root: &Path, path: &Path) -> String {
    path.strip_prefix(root)
        .unwrap_or(path)
        .display()
        .to_string()
}

/// The code of a line without its `//` comment (a `//` inside a string literal, as in
/// a URL, is kept: only one after an even number of quotes starts a comment).
fn code_part(line: &str) -> &str {
    let mut quotes = 0;
    let bytes = line.as_bytes();
    for i in 0..bytes.len() {
        match bytes[i] {
            b'"' if i == 0 || bytes[i - 1] != b'\\' => quotes += 1,
            b'/' if quotes % 2 == 0 && bytes.get(i + 1) == Some(&b'/') => return &line[..i],
            _ => {}
        }
    }
    line
}

/// The code of a line without its comment and the contents of its string literals
/// (`"..."` becomes `""`), for rules about what the code does, not what it says.
fn bare_code(line: &str) -> String {
    let mut out = String::with_capacity(line.len());
    let mut in_string = false;
    let mut escaped = false;
    for c in code_part(line).chars() {
        if in_string {
            match c {
                '\\' if !escaped => escaped = true,
                '"' if !escaped => {
                    in_string = false;
                    out.push(c);
                }
                _ => escaped = false,
            }
        } else {
            if c == '"' {
                in_string = true;
            }
            out.push(c);
        }
    }
    out
}

/// The comment part of a line (from `//`), or "".
fn comment_part(line: &str) -> &str {
    &line[code_part(line).len()..]
}

/// The source without its unit-test module (from a top-level `#[cfg(test)]` followed
/// by `mod`): rules about how the program is built leave tests out.
fn without_tests(text: &str) -> &str {
    let mut offset = 0;
    let mut lines = text.split_inclusive('\n').peekable();
    while let Some(line) = lines.next() {
        if line.trim_end() == "#[cfg(test)]"
            && lines.peek().is_some_and(|next| next.starts_with("mod "))
        {
            return &text[..offset];
        }
        offset += line.len();
    }
    text
}

// ---------------------------------------------------------------------------------
// Registered plugin names

/// Words shaped like plugin names that are something else: the drift crate, the
/// `dataset_drift` field of `driftwatch drift --format json`, the example plugin crate.
const NOT_PLUGINS: [&str; 3] = ["driftwatch_drift", "dataset_drift", "custom_detector"];

/// The monitor names the example plugins register (`MonitorFactory { name: "..." }`
/// in `examples/*/src`): docs may name them too.
fn example_monitors(root: &Path) -> Vec<String> {
    let mut out = Vec::new();
    for path in files_under(&root.join("examples"), "rs") {
        let text = read(&path);
        for (i, _) in text.match_indices("MonitorFactory {") {
            let rest = &text[i..];
            if let Some(start) = rest.find("name: \"") {
                let name = &rest[start + 7..];
                if let Some(end) = name.find('"') {
                    out.push(name[..end].to_string());
                }
            }
        }
    }
    out
}

/// The names a Markdown page, code comment or TOML file uses as monitors or detectors
/// that are not registered: `*_drift` / `*_detector` words, `--detector NAME`,
/// `[[monitors]]` tables' `name = "..."` and "`NAME` monitor".
fn unregistered_in(text: &str, monitors: &[String], detectors: &[String]) -> Vec<String> {
    let is_monitor = |w: &str| monitors.iter().any(|m| m == w);
    let mut wrong = Vec::new();
    for w in text.split(|c: char| !(c.is_ascii_alphanumeric() || c == '_')) {
        if (w.ends_with("_drift") || w.ends_with("_detector"))
            && !w.starts_with('_')
            && !is_monitor(w)
            && !NOT_PLUGINS.contains(&w)
        {
            wrong.push(format!("monitor `{w}`"));
        }
    }
    let tokens: Vec<&str> = text.split_whitespace().collect();
    for pair in tokens.windows(2) {
        if pair[0] == "--detector" {
            let name = pair[1].trim_matches(|c| c == '`' || c == '\'' || c == '"');
            let name = name.split(':').next().unwrap_or("");
            // NAME, SPEC and similar placeholders are upper case
            if name.chars().any(|c| c.is_ascii_lowercase())
                && !name.chars().any(|c| c.is_ascii_uppercase())
                && !detectors.iter().any(|d| d == name)
            {
                wrong.push(format!("detector `{name}`"));
            }
        }
    }
    let lines: Vec<&str> = text.lines().collect();
    for (i, line) in lines.iter().enumerate() {
        if line.trim() != "[[monitors]]" {
            continue;
        }
        let name = lines[i + 1..]
            .iter()
            .take(3)
            .find_map(|l| l.trim().strip_prefix("name = \""))
            .and_then(|n| n.split('"').next());
        if let Some(name) = name.filter(|n| !is_monitor(n)) {
            wrong.push(format!("[[monitors]] name `{name}`"));
        }
    }
    for (i, _) in text.match_indices("` monitor") {
        let before = &text[..i];
        if let Some(start) = before.rfind('`') {
            let name = &before[start + 1..];
            let plain = name.chars().all(|c| c.is_ascii_lowercase() || c == '_');
            if plain && !name.is_empty() && !is_monitor(name) {
                wrong.push(format!("`{name}` monitor"));
            }
        }
    }
    wrong
}

/// The docs (README, ARCHITECTURE, docs/, examples/, fuzz/), code comments and
/// scenario files name only registered monitors and detectors.
fn registered_names(root: &Path) -> Vec<String> {
    let mut monitors: Vec<String> = driftwatch_core::registry::monitors()
        .iter()
        .map(|f| f.name.to_string())
        .collect();
    monitors.extend(example_monitors(root));
    let detectors: Vec<String> = driftwatch_core::registry::detectors()
        .iter()
        .map(|f| f.name.to_string())
        .collect();
    let mut problems = Vec::new();
    if !monitors.iter().any(|m| m == "feature_drift") || !detectors.iter().any(|d| d == "adwin") {
        problems.push(
            "the registry lacks feature_drift or adwin: xtask must reference driftwatch_drift"
                .into(),
        );
    }
    let mut texts: Vec<(PathBuf, String)> = Vec::new();
    let mut markdown = vec![root.join("README.md"), root.join("ARCHITECTURE.md")];
    for dir in ["docs", "examples", "fuzz"] {
        markdown.extend(files_under(&root.join(dir), "md"));
    }
    markdown.extend(files_under(&root.join("fixtures/scenarios"), "toml"));
    for p in markdown {
        let t = read(&p);
        texts.push((p, t));
    }
    for dir in ["crates", "xtask", "examples", "benches"] {
        for p in files_under(&root.join(dir), "rs") {
            let text = read(&p);
            let comments: Vec<&str> = text.lines().map(comment_part).collect();
            texts.push((p, comments.join("\n")));
        }
    }
    for (path, text) in &texts {
        for w in unregistered_in(text, &monitors, &detectors) {
            problems.push(format!(
                "{}: {w} is not registered (registered monitors: {}; detectors: {})",
                rel(root, path),
                monitors.join(", "),
                detectors.join(", ")
            ));
        }
    }
    problems
}

// ---------------------------------------------------------------------------------
// Golden fixtures

/// Keys of a golden file that describe it rather than hold values.
const GOLDEN_METADATA: [&str; 6] = [
    "generated_by",
    "definitions",
    "note",
    "script",
    "function",
    "true_change_at",
];

/// The problems of one golden document: no `generated_by`; an empty collection of
/// values (top level, or a case inside one); a `cases` list that is empty; a name of
/// `definitions` that no case and no top-level key holds.
fn golden_problems(doc: &serde_json::Value) -> Vec<String> {
    let Some(map) = doc.as_object() else {
        return vec!["is not a JSON object".into()];
    };
    let mut out = Vec::new();
    if !map.contains_key("generated_by") {
        out.push("has no `generated_by` (which tool and version made it)".into());
    }
    let empty = |v: &serde_json::Value| match v {
        serde_json::Value::Array(a) => a.is_empty(),
        serde_json::Value::Object(o) => o.is_empty(),
        _ => false,
    };
    let mut values = 0;
    for (key, value) in map {
        if GOLDEN_METADATA.contains(&key.as_str()) {
            continue;
        }
        values += 1;
        if empty(value) {
            out.push(format!("`{key}` is empty"));
        }
        let items: Vec<&serde_json::Value> = match value {
            serde_json::Value::Array(a) => a.iter().collect(),
            serde_json::Value::Object(o) => o.values().collect(),
            _ => Vec::new(),
        };
        if let Some(i) = items.iter().position(|v| v.is_object() && empty(v)) {
            out.push(format!("`{key}` holds an empty case (item {i})"));
        }
    }
    if values == 0 {
        out.push("holds no values, only metadata".into());
    }
    if let Some(defs) = map.get("definitions").and_then(|d| d.as_object()) {
        let cases = map.get("cases").and_then(|c| c.as_array());
        for name in defs.keys() {
            let in_cases = cases.is_some_and(|cs| cs.iter().any(|c| c.get(name).is_some()));
            if !in_cases && !map.contains_key(name) {
                out.push(format!(
                    "defines `{name}` but no case (and no top-level key) holds it"
                ));
            }
        }
    }
    out
}

/// Every `fixtures/golden/*.json` parses and holds cases for what it defines.
fn golden_fixtures_hold_cases(root: &Path) -> Vec<String> {
    let files = files_under(&root.join("fixtures/golden"), "json");
    let mut problems = Vec::new();
    if files.is_empty() {
        problems.push("fixtures/golden holds no JSON file".into());
    }
    for path in files {
        match serde_json::from_str::<serde_json::Value>(&read(&path)) {
            Err(e) => problems.push(format!("{}: not JSON: {e}", rel(root, &path))),
            Ok(doc) => problems.extend(
                golden_problems(&doc)
                    .into_iter()
                    .map(|p| format!("{}: {p}", rel(root, &path))),
            ),
        }
    }
    problems
}

// ---------------------------------------------------------------------------------
// Printing in the CLI

/// Whether a line of code calls `println!` or `print!` (not `eprintln!`/`eprint!`).
fn prints_to_stdout(code: &str) -> bool {
    ["println!", "print!"].iter().any(|m| {
        code.match_indices(m).any(|(i, _)| {
            !code[..i]
                .chars()
                .next_back()
                .is_some_and(|c| c.is_ascii_alphanumeric() || c == '_')
        })
    })
}

/// In `crates/cli/src` only `output.rs` writes to stdout: the commands build their text
/// and print it with `output::emit` / `print_json` (a closed pipe is then an error the
/// binary treats as a quiet exit, not a panic, and the text can be tested).
fn cli_prints_through_output(root: &Path) -> Vec<String> {
    let src = root.join("crates/cli/src");
    let mut problems = Vec::new();
    for path in files_under(&src, "rs") {
        if path == src.join("output.rs") {
            continue;
        }
        let text = read(&path);
        for (i, line) in without_tests(&text).lines().enumerate() {
            if prints_to_stdout(code_part(line)) {
                problems.push(format!(
                    "{}:{}: prints to stdout; build the text and print it through output.rs (emit, print_json)",
                    rel(root, &path),
                    i + 1
                ));
            }
        }
    }
    if !problems.is_empty() {
        problems.push(
            "(expected on branch arch-tidy alone, for commands/history.rs: branch arch-findings routes monitor, predict and history through output.rs; this passes once both are merged)"
                .into(),
        );
    }
    problems
}

// ---------------------------------------------------------------------------------
// rust-version

/// A Rust version, `1.88` or `1.88.1`.
type Version = (u32, u32, u32);

fn parse_version(s: &str) -> Option<Version> {
    let mut it = s.trim().split('.').map(|p| p.parse::<u32>().ok());
    let major = it.next()??;
    let minor = it.next().unwrap_or(Some(0))?;
    let patch = it.next().unwrap_or(Some(0))?;
    Some((major, minor, patch))
}

fn show(v: Version) -> String {
    if v.2 == 0 {
        format!("{}.{}", v.0, v.1)
    } else {
        format!("{}.{}.{}", v.0, v.1, v.2)
    }
}

/// Library APIs and syntax by the Rust version that stabilised them; a method named
/// like one of these counts too (the rule then asks for more than needed, never less).
const FEATURES: [(&str, Version, &str); 24] = [
    ("div_ceil(", (1, 73, 0), "unsigned div_ceil"),
    ("inspect_err(", (1, 76, 0), "Result::inspect_err"),
    ("const {", (1, 79, 0), "inline const blocks"),
    ("LazyLock", (1, 80, 0), "std::sync::LazyLock"),
    ("LazyCell", (1, 80, 0), "std::cell::LazyCell"),
    ("split_at_checked(", (1, 80, 0), "slice::split_at_checked"),
    ("take_if(", (1, 80, 0), "Option::take_if"),
    ("trim_ascii", (1, 80, 0), "slice/str trim_ascii"),
    ("is_none_or(", (1, 82, 0), "Option::is_none_or"),
    ("repeat_n(", (1, 82, 0), "std::iter::repeat_n"),
    ("&raw const", (1, 82, 0), "&raw const"),
    ("&raw mut", (1, 82, 0), "&raw mut"),
    ("#[unsafe(", (1, 82, 0), "unsafe attributes"),
    ("isqrt(", (1, 84, 0), "integer isqrt"),
    ("get_disjoint_mut(", (1, 86, 0), "get_disjoint_mut"),
    ("pop_if(", (1, 86, 0), "Vec::pop_if"),
    ("extract_if(", (1, 87, 0), "Vec::extract_if"),
    ("is_multiple_of(", (1, 87, 0), "unsigned is_multiple_of"),
    ("unbounded_shl(", (1, 87, 0), "unbounded_shl"),
    ("unbounded_shr(", (1, 87, 0), "unbounded_shr"),
    ("cast_signed(", (1, 87, 0), "cast_signed"),
    ("cast_unsigned(", (1, 87, 0), "cast_unsigned"),
    ("as_chunks(", (1, 88, 0), "slice::as_chunks"),
    ("as_rchunks(", (1, 88, 0), "slice::as_rchunks"),
];

/// Let chains (`if let .. && ..`, `&& let`): Rust 1.88 with edition 2024.
const LET_CHAINS: Version = (1, 88, 0);

/// Whether lines of code (comments removed) use a let chain: a line starting with
/// `&& let`; a `&&` line continuing an `if let` / `while let` condition; or one line
/// `if let P = e && c` with the `&&` outside brackets.
fn uses_let_chain(code: &[&str]) -> Option<usize> {
    let opens_let = |l: &str| {
        let t = l.trim_start().trim_start_matches("} else ");
        t.starts_with("if let ") || t.starts_with("while let ")
    };
    for (i, line) in code.iter().enumerate() {
        let t = line.trim_start();
        if t.starts_with("&& let ") {
            return Some(i);
        }
        if t.starts_with("&& ") && i > 0 && opens_let(code[i - 1]) {
            return Some(i);
        }
        if opens_let(line) {
            let mut depth = 0i32;
            let bytes = t.as_bytes();
            for (j, &b) in bytes.iter().enumerate() {
                match b {
                    b'(' | b'[' => depth += 1,
                    b')' | b']' => depth -= 1,
                    b'{' if depth == 0 => break,
                    b'&' if depth == 0 && bytes.get(j + 1) == Some(&b'&') => return Some(i),
                    _ => {}
                }
            }
        }
    }
    None
}

/// One package of `Cargo.lock`.
struct Locked {
    name: String,
    version: String,
    /// A registry package (workspace members have no source).
    registry: bool,
    /// Its dependencies as the lock writes them: `name` or `name version (source)`.
    deps: Vec<String>,
}

fn lock_packages(root: &Path) -> Vec<Locked> {
    let Ok(lock) = read(&root.join("Cargo.lock")).parse::<toml::Table>() else {
        return Vec::new();
    };
    let packages = lock.get("package").and_then(|p| p.as_array());
    let text = |p: &toml::Value, k: &str| p.get(k).and_then(|v| v.as_str()).map(str::to_string);
    packages
        .into_iter()
        .flatten()
        .filter_map(|p| {
            Some(Locked {
                name: text(p, "name")?,
                version: text(p, "version")?,
                registry: p.get("source").is_some(),
                deps: p
                    .get("dependencies")
                    .and_then(|d| d.as_array())
                    .map(|d| {
                        d.iter()
                            .filter_map(|v| v.as_str().map(str::to_string))
                            .collect()
                    })
                    .unwrap_or_default(),
            })
        })
        .collect()
}

/// The packages reachable from `roots` in the lock, not entering `stop` (indices).
fn reachable(packages: &[Locked], roots: &[usize], stop: &BTreeSet<usize>) -> BTreeSet<usize> {
    let find = |dep: &str| {
        let mut parts = dep.split_whitespace();
        let name = parts.next().unwrap_or("");
        let version = parts.next();
        packages
            .iter()
            .position(|p| p.name == name && version.is_none_or(|v| p.version == v))
    };
    let mut seen: BTreeSet<usize> = roots.iter().copied().collect();
    let mut todo: Vec<usize> = roots.to_vec();
    while let Some(i) = todo.pop() {
        for dep in &packages[i].deps {
            if let Some(j) = find(dep)
                && !stop.contains(&j)
                && seen.insert(j)
            {
                todo.push(j);
            }
        }
    }
    seen
}

/// The workspace members (by package name) that declare their own `rust-version`
/// instead of the workspace's, with that version: DataFusion and Ballista need a newer
/// Rust than the rest, and only builds with the CLI's `distributed` feature reach them.
fn members_with_own_version(root: &Path) -> BTreeMap<String, Version> {
    let mut out = BTreeMap::new();
    let mut manifests = vec![
        root.join("xtask/Cargo.toml"),
        root.join("benches/Cargo.toml"),
    ];
    if let Ok(dirs) = std::fs::read_dir(root.join("crates")) {
        manifests.extend(dirs.flatten().map(|e| e.path().join("Cargo.toml")));
    }
    for m in manifests {
        let Ok(t) = read(&m).parse::<toml::Table>() else {
            continue;
        };
        let Some(package) = t.get("package") else {
            continue;
        };
        if let (Some(name), Some(v)) = (
            package.get("name").and_then(|v| v.as_str()),
            package
                .get("rust-version")
                .and_then(|v| v.as_str())
                .and_then(parse_version),
        ) {
            out.insert(name.to_string(), v);
        }
    }
    out
}

/// The `rust-version` of each locked registry package in `which`, read from the
/// registry sources cargo unpacked (`$CARGO_HOME/registry/src`); packages not unpacked
/// are left out.
fn dependency_versions(packages: &[Locked], which: &BTreeSet<usize>) -> Vec<(Version, String)> {
    let cargo_home = std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cargo")));
    let Some(cargo_home) = cargo_home else {
        return Vec::new();
    };
    let registries: Vec<PathBuf> = std::fs::read_dir(cargo_home.join("registry/src"))
        .map(|d| d.flatten().map(|e| e.path()).collect())
        .unwrap_or_default();
    let mut out = Vec::new();
    for p in which.iter().map(|&i| &packages[i]).filter(|p| p.registry) {
        for r in &registries {
            let manifest = r
                .join(format!("{}-{}", p.name, p.version))
                .join("Cargo.toml");
            let Ok(text) = std::fs::read_to_string(&manifest) else {
                continue;
            };
            let needed = text.parse::<toml::Table>().ok().and_then(|t| {
                t.get("package")?
                    .get("rust-version")?
                    .as_str()
                    .and_then(parse_version)
            });
            if let Some(v) = needed {
                out.push((v, format!("dependency {} {}", p.name, p.version)));
            }
            break;
        }
    }
    out
}

/// What is short of `declared` among `needs`: a heading naming `place`, then the first
/// place of each feature, newest first.
fn shortfall(place: &str, declared: Version, needs: Vec<(Version, String)>) -> Vec<String> {
    let mut short: Vec<(Version, String)> =
        needs.into_iter().filter(|(v, _)| *v > declared).collect();
    short.sort();
    let Some((max, _)) = short.last() else {
        return Vec::new();
    };
    let mut out = vec![format!(
        "{place}: rust-version = \"{}\", but it needs {}:",
        show(declared),
        show(*max)
    )];
    let mut seen = BTreeSet::new();
    for (v, why) in short.iter().rev() {
        let feature = why.split(" (").next().unwrap_or(why).to_string();
        if seen.insert(feature) {
            out.push(format!("  {} for {why}", show(*v)));
        }
    }
    out
}

/// The workspace's `rust-version` is at least what the code needs (edition, let
/// chains, the APIs of [`FEATURES`]) and what each locked dependency declares.
fn rust_version_covers(root: &Path) -> Vec<String> {
    let manifest = read(&root.join("Cargo.toml"))
        .parse::<toml::Table>()
        .unwrap_or_default();
    let package = manifest
        .get("workspace")
        .and_then(|w| w.get("package"))
        .cloned()
        .unwrap_or(toml::Value::Table(toml::Table::new()));
    let Some(declared) = package
        .get("rust-version")
        .and_then(|v| v.as_str())
        .and_then(parse_version)
    else {
        return vec!["Cargo.toml: [workspace.package] has no rust-version".into()];
    };
    let mut needs: Vec<(Version, String)> = Vec::new();
    if package.get("edition").and_then(|e| e.as_str()) == Some("2024") {
        needs.push(((1, 85, 0), "edition 2024".into()));
    }
    for dir in ["crates", "xtask", "benches"] {
        for path in files_under(&root.join(dir), "rs") {
            let text = read(&path);
            let bare: Vec<String> = text.lines().map(bare_code).collect();
            let code: Vec<&str> = bare.iter().map(String::as_str).collect();
            if let Some(i) = uses_let_chain(&code) {
                needs.push((
                    LET_CHAINS,
                    format!("let chains ({}:{})", rel(root, &path), i + 1),
                ));
            }
            for (pattern, version, what) in FEATURES {
                if let Some(i) = code.iter().position(|l| l.contains(pattern)) {
                    needs.push((version, format!("{what} ({}:{})", rel(root, &path), i + 1)));
                }
            }
        }
    }
    // Members with their own rust-version are checked against it, with what they
    // reach; the workspace's covers what the other members reach.
    let packages = lock_packages(root);
    let own = members_with_own_version(root);
    let is_member = |p: &Locked, name: &str| !p.registry && p.name == name;
    let own_members: BTreeSet<usize> = (0..packages.len())
        .filter(|&i| own.keys().any(|n| is_member(&packages[i], n)))
        .collect();
    let roots: Vec<usize> = (0..packages.len())
        .filter(|&i| !packages[i].registry && !own_members.contains(&i))
        .collect();
    needs.extend(dependency_versions(
        &packages,
        &reachable(&packages, &roots, &own_members),
    ));
    let mut out = shortfall("Cargo.toml", declared, needs);
    for (name, version) in &own {
        let Some(i) = packages.iter().position(|p| is_member(p, name)) else {
            continue;
        };
        let reached = reachable(&packages, &[i], &BTreeSet::new());
        out.extend(shortfall(
            &format!("package {name}"),
            *version,
            dependency_versions(&packages, &reached),
        ));
    }
    out
}

// ---------------------------------------------------------------------------------
// Module cycles in driftwatch-monitor

/// The `crate::` modules a file's code refers to (`use crate::x`, `use crate::{x, y}`,
/// `crate::x::item`), tests left out, with the line of the first reference.
fn crate_refs(text: &str) -> BTreeMap<String, usize> {
    let mut out = BTreeMap::new();
    for (i, line) in without_tests(text).lines().enumerate() {
        let code = code_part(line);
        for (j, _) in code.match_indices("crate::") {
            if code[..j].ends_with('$') || code[..j].ends_with(char::is_alphanumeric) {
                continue; // `$crate::` in macros, or another crate's name
            }
            let rest = &code[j + "crate::".len()..];
            let names: Vec<&str> = match rest.strip_prefix('{') {
                Some(group) => group
                    .split([',', '}'])
                    .map(|p| p.trim().split("::").next().unwrap_or(""))
                    .collect(),
                None => vec![rest.split("::").next().unwrap_or("")],
            };
            for n in names {
                let n = n.trim_matches(|c: char| !(c.is_ascii_alphanumeric() || c == '_'));
                if !n.is_empty() {
                    out.entry(n.to_string()).or_insert(i + 1);
                }
            }
        }
    }
    out
}

/// The groups of modules that import each other, directly or around a loop (the
/// strongly connected parts of two or more modules), each sorted, in name order.
fn cycles(graph: &BTreeMap<String, BTreeMap<String, usize>>) -> Vec<Vec<String>> {
    // Kosaraju on the small graph: order by finish time, then walk the reverse graph.
    fn visit(
        v: &str,
        graph: &BTreeMap<String, Vec<String>>,
        seen: &mut BTreeSet<String>,
        out: &mut Vec<String>,
    ) {
        if !seen.insert(v.to_string()) {
            return;
        }
        for w in graph.get(v).into_iter().flatten() {
            visit(w, graph, seen, out);
        }
        out.push(v.to_string());
    }
    let forward: BTreeMap<String, Vec<String>> = graph
        .iter()
        .map(|(v, ws)| {
            let ws = ws
                .keys()
                .filter(|w| *w != v && graph.contains_key(*w))
                .cloned()
                .collect();
            (v.clone(), ws)
        })
        .collect();
    let mut reverse: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for (v, ws) in &forward {
        for w in ws {
            reverse.entry(w.clone()).or_default().push(v.clone());
        }
    }
    let mut order = Vec::new();
    let mut seen = BTreeSet::new();
    for v in forward.keys() {
        visit(v, &forward, &mut seen, &mut order);
    }
    let mut seen = BTreeSet::new();
    let mut out = Vec::new();
    for v in order.iter().rev() {
        let mut group = Vec::new();
        visit(v, &reverse, &mut seen, &mut group);
        if group.len() > 1 {
            group.sort();
            out.push(group);
        }
    }
    out.sort();
    out
}

/// No two files of `crates/monitor/src` import each other, directly or around a loop:
/// each module's place in the data path (ARCHITECTURE.md) stays one way.
fn monitor_has_no_cycle(root: &Path) -> Vec<String> {
    let src = root.join("crates/monitor/src");
    let mut graph = BTreeMap::new();
    for path in files_under(&src, "rs") {
        let Some(stem) = path.file_stem().map(|s| s.to_string_lossy().to_string()) else {
            continue;
        };
        if stem == "lib" || path.parent() != Some(src.as_path()) {
            continue;
        }
        graph.insert(stem, crate_refs(&read(&path)));
    }
    let mut problems = Vec::new();
    for group in cycles(&graph) {
        let mut edges = Vec::new();
        for a in &group {
            for (b, line) in &graph[a] {
                if b != a && group.contains(b) {
                    edges.push(format!("{a}.rs:{line} uses crate::{b}"));
                }
            }
        }
        problems.push(format!(
            "crates/monitor/src: {} import each other ({})",
            group.join(", "),
            edges.join("; ")
        ));
    }
    if !problems.is_empty() {
        problems.push(
            "(expected on branch arch-tidy alone: branch arch-findings removes alert -> engine -> summary -> alert with a typed Finding.kind; band <-> engine goes with ERROR_METHOD; this passes once that is merged and nothing else loops)"
                .into(),
        );
    }
    problems
}

#[cfg(test)]
mod tests {
    use super::*;

    #[track_caller]
    fn passes(rule: fn(&Path) -> Vec<String>) {
        let problems = rule(&workspace_root());
        assert!(problems.is_empty(), "\n{}", problems.join("\n"));
    }

    #[test]
    fn docs_name_only_registered_monitors_and_detectors() {
        passes(registered_names);
    }

    #[test]
    fn golden_fixtures_hold_cases_for_what_they_define() {
        passes(golden_fixtures_hold_cases);
    }

    #[test]
    fn only_output_rs_prints_in_the_cli() {
        passes(cli_prints_through_output);
    }

    #[test]
    fn rust_version_covers_the_code_and_the_dependencies() {
        passes(rust_version_covers);
    }

    #[test]
    fn monitor_files_import_one_way() {
        passes(monitor_has_no_cycle);
    }

    // The rules' pieces, on made-up input.

    #[test]
    fn a_member_with_its_own_rust_version_stops_the_workspace_walk() {
        let pkg = |name: &str, registry: bool, deps: &[&str]| Locked {
            name: name.into(),
            version: "1.0.0".into(),
            registry,
            deps: deps.iter().map(|d| (*d).to_string()).collect(),
        };
        // cli -> tokio, cli -> engine (own rust-version) -> datafusion -> tokio 1.0.0
        let packages = vec![
            pkg("cli", false, &["tokio", "engine"]),
            pkg("tokio", true, &[]),
            pkg("engine", false, &["datafusion 1.0.0"]),
            pkg("datafusion", true, &["tokio"]),
        ];
        let stop: BTreeSet<usize> = [2].into();
        assert_eq!(reachable(&packages, &[0], &stop), [0, 1].into());
        assert_eq!(
            reachable(&packages, &[2], &BTreeSet::new()),
            [1, 2, 3].into()
        );
        let short = shortfall(
            "package engine",
            (1, 88, 0),
            vec![((1, 94, 0), "dependency datafusion 1.0.0".into())],
        );
        assert_eq!(
            short,
            vec![
                "package engine: rust-version = \"1.88\", but it needs 1.94:".to_string(),
                "  1.94 for dependency datafusion 1.0.0".to_string()
            ]
        );
        assert!(shortfall("x", (1, 94, 0), vec![((1, 94, 0), "d".into())]).is_empty());
    }

    #[test]
    fn unregistered_names_are_found_in_every_spelling() {
        let monitors = vec!["feature_drift".to_string(), "latency".to_string()];
        let detectors = vec!["adwin".to_string()];
        let text = "feature_drift and ks_drift; `latency` monitor, `speed` monitor\n\
                    driftwatch stream --detector adwin:delta=0.1 --detector kswin2\n\
                    --detector NAME\n[[monitors]]\nname = \"latency\"\n[[monitors]]\nname = \"nope\"\n";
        assert_eq!(
            unregistered_in(text, &monitors, &detectors),
            [
                "monitor `ks_drift`",
                "detector `kswin2`",
                "[[monitors]] name `nope`",
                "`speed` monitor"
            ]
        );
    }

    #[test]
    fn an_emptied_golden_file_is_refused() {
        let good = serde_json::json!({
            "generated_by": {"scipy": "1.17"},
            "definitions": {"ks": "scipy.stats.ks_2samp"},
            "cases": [{"reference": [1.0], "ks": 0.5}],
        });
        assert!(golden_problems(&good).is_empty());
        let emptied = serde_json::json!({
            "generated_by": {"scipy": "1.17"},
            "definitions": {"ks": "scipy.stats.ks_2samp"},
            "cases": [],
        });
        assert_eq!(
            golden_problems(&emptied),
            [
                "`cases` is empty",
                "defines `ks` but no case (and no top-level key) holds it"
            ]
        );
        let hollow = serde_json::json!({"cases": [{}]});
        assert_eq!(
            golden_problems(&hollow),
            [
                "has no `generated_by` (which tool and version made it)",
                "`cases` holds an empty case (item 0)"
            ]
        );
    }

    #[test]
    fn prints_are_told_from_eprints_and_comments() {
        assert!(prints_to_stdout(r#"    println!("{x}");"#));
        assert!(prints_to_stdout(r#"None => print!("{text}"),"#));
        assert!(!prints_to_stdout(r#"    eprintln!("wrote {}", p);"#));
        assert!(!prints_to_stdout(code_part(
            "    // println! would panic on a closed pipe"
        )));
        assert_eq!(
            code_part(r#"let u = "http://x"; // c"#),
            r#"let u = "http://x"; "#
        );
        // string contents are not code: a message naming an API needs no Rust version
        assert_eq!(
            bare_code(r#"f("a \" repeat_n(", x); // y"#),
            r#"f("", x); "#
        );
    }

    #[test]
    fn let_chains_are_found_in_their_layouts() {
        assert_eq!(uses_let_chain(&["if x", "    && let Some(y) = z"]), Some(1));
        assert_eq!(
            uses_let_chain(&["if let Some(y) = z", "    && y > 1"]),
            Some(1)
        );
        assert_eq!(uses_let_chain(&["if let Some(y) = z && y > 1 {"]), Some(0));
        // `&&` inside a closure of a plain `if let` is no chain
        assert_eq!(
            uses_let_chain(&["if let Some(m) = v.filter(|m| m.a() && m.b()) {"]),
            None
        );
        assert_eq!(uses_let_chain(&["let ok = a && b;"]), None);
    }

    #[test]
    fn versions_parse_and_compare() {
        assert_eq!(parse_version("1.88"), Some((1, 88, 0)));
        assert_eq!(parse_version("1.85.1"), Some((1, 85, 1)));
        assert_eq!(parse_version("x"), None);
        assert!(parse_version("1.88") > parse_version("1.85.1"));
        assert_eq!(show((1, 88, 0)), "1.88");
    }

    #[test]
    fn crate_refs_and_cycles_are_found() {
        let text = "use crate::engine::{A, B};\nuse crate::{error::Error, window};\n\
                    fn f() { crate::summary::g(); $crate::x::y() }\n\
                    #[cfg(test)]\nmod tests {\n    use crate::html::H;\n}\n";
        let refs = crate_refs(text);
        let names: Vec<&str> = refs.keys().map(String::as_str).collect();
        assert_eq!(names, ["engine", "error", "summary", "window"]);
        assert_eq!(refs["summary"], 3);
        let graph = |edges: &[(&str, &str)]| {
            let mut g: BTreeMap<String, BTreeMap<String, usize>> = BTreeMap::new();
            for (a, b) in edges {
                g.entry((*a).into()).or_default().insert((*b).into(), 1);
                g.entry((*b).into()).or_default();
            }
            g
        };
        let g = graph(&[
            ("alert", "engine"),
            ("engine", "summary"),
            ("summary", "alert"),
            ("html", "report"),
            ("band", "engine"),
            ("engine", "band"),
        ]);
        assert_eq!(cycles(&g), [vec!["alert", "band", "engine", "summary"]]);
        let one_way = graph(&[("html", "report"), ("report", "alert"), ("alert", "error")]);
        assert!(cycles(&one_way).is_empty());
    }
}
