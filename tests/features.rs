//! A crate that depends on this one for `MockServer` (with `default-features = false`) does
//! not pull the command line's dependencies, nor the report formats' and expectations' writer,
//! nor tokio's features the library does not use.

use std::process::Command;

const CLI_ONLY: [&str; 7] = [
    "clap",
    "tracing-subscriber",
    "tikv-jemallocator",
    "tokio-rustls",
    "ring",
    "webpki-roots",
    // JUnit for the report formats and `expect` (features `report-formats`, `expect`).
    "quick-junit",
];

/// tokio features only the command line needs (a `MockServer` runs on its own current-thread
/// runtime and is stopped by its handle).
const TOKIO_CLI_ONLY: [&str; 4] = ["rt-multi-thread", "signal", "process", "fs"];

fn normal_dependencies(extra: &[&str]) -> String {
    let out = Command::new(env!("CARGO"))
        .args([
            "tree",
            "--locked",
            "--offline",
            "-e",
            "normal",
            "--prefix",
            "none",
        ])
        .args(extra)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("cargo tree runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn has(tree: &str, name: &str) -> bool {
    tree.lines()
        .any(|l| l.split_whitespace().next() == Some(name))
}

#[test]
fn without_default_features_the_cli_dependencies_are_not_pulled() {
    let lean = normal_dependencies(&["--no-default-features"]);
    let full = normal_dependencies(&[]);
    for name in CLI_ONLY {
        assert!(
            has(&full, name),
            "{name} is a dependency of the cli feature"
        );
        assert!(
            !has(&lean, name),
            "{name} is pulled without the cli feature"
        );
    }
    assert!(has(&lean, "hyper") && has(&lean, "tokio"), "{lean}");
}

fn tokio_features(extra: &[&str]) -> Vec<String> {
    let tree = normal_dependencies(&[&["-e", "normal,features", "-i", "tokio"], extra].concat());
    let mut features: Vec<String> = tree
        .lines()
        .filter_map(|l| l.strip_prefix("tokio feature \""))
        .filter_map(|l| l.split('"').next())
        .map(str::to_owned)
        .collect();
    features.sort();
    features.dedup();
    features
}

#[test]
fn without_default_features_tokio_has_only_what_the_library_uses() {
    let lean = tokio_features(&["--no-default-features"]);
    let full = tokio_features(&[]);
    assert!(lean.iter().any(|f| f == "rt"), "{lean:?}");
    for name in TOKIO_CLI_ONLY {
        assert!(
            !lean.iter().any(|f| f == name),
            "tokio's {name} is enabled without the cli feature: {lean:?}"
        );
    }
    for name in ["rt-multi-thread", "signal", "process"] {
        assert!(full.iter().any(|f| f == name), "{name}: {full:?}");
    }
    assert!(!full.iter().any(|f| f == "full"), "{full:?}");
}

#[test]
fn each_optional_feature_alone_adds_only_its_own_dependency() {
    for feature in ["report-formats", "expect"] {
        let tree = normal_dependencies(&["--no-default-features", "--features", feature]);
        assert!(has(&tree, "quick-junit"), "{feature}: {tree}");
        assert!(!has(&tree, "clap"), "{feature}: {tree}");
    }
}
