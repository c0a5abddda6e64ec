//! docs/ci.md: every recipe is there, and the ones CI cannot run (GitHub, GitLab, the other
//! testcontainers languages) name the image, the port, real variables and a health check.
//! The runnable ones are run by `.ci/recipes.sh` from the same text.

use std::collections::BTreeMap;
use std::process::Command;

const BIN: &str = env!("CARGO_BIN_EXE_genesys-scim-mock");
const DOC: &str = include_str!("../../docs/ci.md");
const DOCKERFILE: &str = include_str!("../../Dockerfile");

/// Recipe name → its text (all its blocks).
fn recipes() -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    let mut current: Option<String> = None;
    let mut inside = false;
    for line in DOC.lines() {
        if let Some(rest) = line.strip_prefix("<!-- recipe: ") {
            current = rest.split_whitespace().next().map(str::to_owned);
            inside = false;
            continue;
        }
        let Some(name) = &current else { continue };
        if line.starts_with("```") {
            if inside {
                current = None;
            }
            inside = !inside;
            continue;
        }
        if inside {
            let text: &mut String = out.entry(name.clone()).or_default();
            text.push_str(line);
            text.push('\n');
        }
    }
    out
}

fn env_names_in(text: &str) -> Vec<String> {
    let mut names = Vec::new();
    let mut rest = text;
    while let Some(i) = rest.find("GENESYS_MOCK_") {
        let tail = &rest[i..];
        let end = tail
            .find(|c: char| !(c.is_ascii_uppercase() || c == '_'))
            .unwrap_or(tail.len());
        names.push(tail[..end].trim_end_matches('_').to_owned());
        rest = &tail[end..];
    }
    names
}

fn help_envs(sub: &str) -> Vec<String> {
    let out = Command::new(BIN).args([sub, "--help"]).output().unwrap();
    env_names_in(&String::from_utf8_lossy(&out.stdout))
}

#[test]
fn every_recipe_is_there_and_container_ones_name_image_port_and_health() {
    let all = recipes();
    for name in [
        "github-service",
        "github-exec",
        "gitlab",
        "compose",
        "testcontainers-python",
        "testcontainers-java",
        "testcontainers-node",
        "testcontainers-go",
        "testcontainers-dotnet",
        "makefile",
        "python-sdk",
        "js-sdk",
        "entra",
    ] {
        assert!(all.contains_key(name), "docs/ci.md has no recipe {name}");
    }
    for (name, text) in &all {
        let container = name.starts_with("testcontainers")
            || ["github-service", "gitlab", "compose"].contains(&name.as_str());
        if container {
            assert!(text.contains("genesys-scim-mock"), "{name}: no image name");
            assert!(
                text.contains("8080"),
                "{name}: not on the image's port 8080"
            );
            assert!(
                text.to_ascii_lowercase().contains("health"),
                "{name}: waits for no health check"
            );
        }
    }
}

#[test]
fn the_service_container_probes_with_the_image_binary() {
    let service = &recipes()["github-service"];
    let probe = "/usr/local/bin/genesys-scim-mock healthcheck";
    assert!(service.contains(probe), "github-service health-cmd");
    assert!(
        DOCKERFILE.contains(r#"CMD ["/usr/local/bin/genesys-scim-mock", "healthcheck"]"#),
        "the Dockerfile's HEALTHCHECK uses the same binary"
    );
}

#[test]
fn every_variable_named_is_real_and_every_setting_is_in_the_table() {
    let mut known = help_envs("serve");
    known.extend(help_envs("exec"));
    known.extend(
        [
            genesys_scim_mock::cli::ENV_URL,
            genesys_scim_mock::cli::ENV_SCIM_URL,
            genesys_scim_mock::cli::ENV_ADMIN_URL,
            genesys_scim_mock::cli::ENV_CLIENT_ID,
            genesys_scim_mock::cli::ENV_CLIENT_SECRET,
            genesys_scim_mock::cli::ENV_TOKEN,
        ]
        .map(str::to_owned),
    );
    for name in env_names_in(DOC) {
        assert!(
            known.contains(&name),
            "docs/ci.md names {name}, which nothing reads or sets"
        );
    }
    for name in help_envs("serve").into_iter().chain(help_envs("exec")) {
        assert!(
            DOC.contains(&format!("| `{name}` |")),
            "the environment table in docs/ci.md has no row for {name}"
        );
    }
}
