//! docs/ci.md, checked for consistency: every recipe is there; the container ones name the
//! canonical image at the crate's version, the port and a wait on health, never a shell-form
//! health command; the ones a test script reads set the shared variables; every variable named
//! is real. Running them is CI's: `.ci/recipes.sh` extracts each from the same text and runs it
//! as its platform would (`.ci/steps/20-container.sh`, `30-sdk.sh`, `32-python.sh`, `34-npm.sh`).

use std::collections::BTreeMap;
use std::process::Command;

const BIN: &str = env!("CARGO_BIN_EXE_genesys-scim-mock");
const DOC: &str = include_str!("../../docs/ci.md");
const DOCKERFILE: &str = include_str!("../../Dockerfile");
/// The image every recipe and both Testcontainers modules name.
pub(crate) const IMAGE_NAME: &str = "ghcr.io/genesys-scim-mock/genesys-scim-mock";
/// What a test script reads, set the same way by `exec` and every recipe.
const SHARED: [&str; 4] = [
    "GENESYS_MOCK_URL",
    "GENESYS_MOCK_SCIM_URL",
    "GENESYS_MOCK_CLIENT_ID",
    "GENESYS_MOCK_CLIENT_SECRET",
];

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
        "shared-script",
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
    let image = format!("{IMAGE_NAME}:{}", env!("CARGO_PKG_VERSION"));
    let generic = [
        "testcontainers-java",
        "testcontainers-go",
        "testcontainers-dotnet",
    ];
    for (name, text) in &all {
        if ["github-service", "gitlab", "compose"].contains(&name.as_str())
            || generic.contains(&name.as_str())
        {
            assert!(
                text.contains(&image),
                "{name}: does not name the image {image}"
            );
            assert!(
                text.contains("8080"),
                "{name}: not on the image's port 8080"
            );
        }
        if name.starts_with("testcontainers") || name == "compose" {
            assert!(
                text.to_ascii_lowercase().contains("health")
                    || text.contains("GenesysMockContainer"),
                "{name}: waits for no health check"
            );
        }
        assert!(
            !text.contains("--health-cmd") && !text.contains("CMD-SHELL"),
            "{name}: a shell-form health command, which the image (no /bin/sh) fails"
        );
    }
}

/// The image's own check is exec form, and the service recipe keeps it rather than override it.
#[test]
fn the_image_probes_in_exec_form_and_the_service_recipe_keeps_it() {
    assert!(
        DOCKERFILE.contains(r#"CMD ["/usr/local/bin/genesys-scim-mock", "healthcheck"]"#),
        "the Dockerfile's HEALTHCHECK runs the binary in exec form"
    );
    assert!(DOCKERFILE.contains("FROM scratch AS runtime"));
    let service = &recipes()["github-service"];
    assert!(
        service.contains("options: "),
        "github-service passes options"
    );
}

/// Every recipe a test script runs under sets the four shared variables, and the container ones
/// set `GENESYS_MOCK_PUBLIC_URL`, so the script can follow a `Location`.
#[test]
fn recipes_set_the_shared_variables_and_a_followable_public_url() {
    let all = recipes();
    for name in ["github-service", "gitlab", "compose"] {
        for var in SHARED.iter().chain(&["GENESYS_MOCK_PUBLIC_URL"]) {
            assert!(all[name].contains(var), "{name} does not set {var}");
        }
    }
    let script = &all["shared-script"];
    for var in SHARED {
        assert!(
            script.contains(var),
            "the shared script does not read {var}"
        );
    }
    for other in ["GENESYS_MOCK_TOKEN", "GENESYS_MOCK_ADMIN_URL"] {
        assert!(
            !script.contains(other),
            "the shared script reads {other}, which only exec and the package helpers set"
        );
    }
    let exec_sets = [
        genesys_scim_mock::cli::ENV_URL,
        genesys_scim_mock::cli::ENV_SCIM_URL,
        genesys_scim_mock::cli::ENV_CLIENT_ID,
        genesys_scim_mock::cli::ENV_CLIENT_SECRET,
    ];
    assert_eq!(exec_sets, SHARED, "exec sets the shared variables");
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
