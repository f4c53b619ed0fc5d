#![allow(clippy::unwrap_used, clippy::expect_used)]
//! The modules of this crate depend on each other one way only: the `crate::module`
//! references of each `src/*.rs` file (comments and test modules aside) form no cycle. A cycle
//! (alert -> engine -> summary -> alert, report -> html -> report) means a shared type
//! lives on the wrong side; move it to a module both can depend on (`window_report`).

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// For each module file, the other modules its non-test code names as `crate::x`.
fn graph(src: &Path) -> BTreeMap<String, BTreeSet<String>> {
    let mut out = BTreeMap::new();
    for entry in std::fs::read_dir(src).expect("src/ is readable") {
        let path = entry.expect("a directory entry").path();
        if path.extension().and_then(|e| e.to_str()) != Some("rs") {
            continue;
        }
        let name = path
            .file_stem()
            .and_then(|s| s.to_str())
            .unwrap_or_default();
        if name == "lib" {
            continue;
        }
        let text = std::fs::read_to_string(&path).expect("a source file");
        let code: String = text
            .split("#[cfg(test)]")
            .next()
            .unwrap_or_default()
            .lines()
            .filter(|l| !l.trim_start().starts_with("//"))
            .collect::<Vec<_>>()
            .join("\n");
        out.insert(name.to_string(), crate_refs(&code, name));
    }
    out
}

/// The module names after each `crate::` in `code`, other than `own`.
fn crate_refs(code: &str, own: &str) -> BTreeSet<String> {
    code.match_indices("crate::")
        .map(|(i, m)| {
            code[i + m.len()..]
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_')
                .collect::<String>()
        })
        .filter(|m| !m.is_empty() && m != own)
        .collect()
}

/// A cycle, as the modules along it, if there is one (depth-first search).
fn find_cycle(g: &BTreeMap<String, BTreeSet<String>>) -> Option<Vec<String>> {
    fn visit(
        node: &str,
        g: &BTreeMap<String, BTreeSet<String>>,
        path: &mut Vec<String>,
        done: &mut BTreeSet<String>,
    ) -> Option<Vec<String>> {
        if let Some(at) = path.iter().position(|p| p == node) {
            let mut cycle = path[at..].to_vec();
            cycle.push(node.to_string());
            return Some(cycle);
        }
        if done.contains(node) {
            return None;
        }
        path.push(node.to_string());
        for next in g.get(node).into_iter().flatten() {
            if let Some(c) = visit(next, g, path, done) {
                return Some(c);
            }
        }
        path.pop();
        done.insert(node.to_string());
        None
    }
    let mut done = BTreeSet::new();
    g.keys()
        .find_map(|n| visit(n, g, &mut Vec::new(), &mut done))
}

#[test]
fn module_references_form_no_cycle() {
    let g = graph(&Path::new(env!("CARGO_MANIFEST_DIR")).join("src"));
    assert!(g.len() > 10, "found the modules: {:?}", g.keys());
    assert!(g["alert"].contains("window_report"), "{:?}", g["alert"]);
    if let Some(cycle) = find_cycle(&g) {
        panic!("module cycle: {}", cycle.join(" -> "));
    }
}

#[test]
fn the_checker_finds_a_cycle() {
    let g: BTreeMap<String, BTreeSet<String>> = [
        ("alert", vec!["engine"]),
        ("engine", vec!["summary"]),
        ("summary", vec!["alert"]),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v.into_iter().map(String::from).collect()))
    .collect();
    assert_eq!(
        find_cycle(&g).unwrap(),
        ["alert", "engine", "summary", "alert"]
    );
    let refs = crate_refs("use crate::engine::{A}; crate::band::fit(); crate::x", "x");
    assert_eq!(refs, BTreeSet::from(["band".into(), "engine".into()]));
}
