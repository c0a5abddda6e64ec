//! A crate that depends on this one for `MockServer` (with `default-features = false`) does
//! not pull the command line's dependencies.

use std::process::Command;

const CLI_ONLY: [&str; 5] = [
    "clap",
    "tracing-subscriber",
    "tokio-rustls",
    "ring",
    "webpki-roots",
];

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
