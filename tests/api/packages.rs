//! The Python and npm packages and the release workflow agree with the crate: one version, one
//! image name, one list of platforms. Building, installing and running the packages is CI's
//! (`.ci/steps/32-python.sh`, `34-npm.sh`); this keeps the names from drifting between runs.

use serde_json::Value;

use crate::recipes::IMAGE_NAME;

const VERSION: &str = env!("CARGO_PKG_VERSION");
const NPM_MAIN: &str = include_str!("../../npm/genesys-scim-mock/package.json");
const NPM_PLATFORMS: &str = include_str!("../../npm/genesys-scim-mock/lib/platforms.js");
const NPM_TESTCONTAINERS: &str = include_str!("../../npm/genesys-scim-mock/testcontainers.js");
const PYPROJECT: &str = include_str!("../../python/pyproject.toml");
const PY_TESTCONTAINERS: &str =
    include_str!("../../python/src/genesys_scim_mock/testcontainers.py");
const RELEASE: &str = include_str!("../../.github/workflows/release.yml");
const CI_LIB: &str = include_str!("../../.ci/lib.sh");

/// `"linux-x64": { os: "linux", cpu: "x64", target: "x86_64-unknown-linux-gnu" }` lines.
fn platforms() -> Vec<(String, String)> {
    NPM_PLATFORMS
        .lines()
        .filter_map(|l| {
            let key = l.trim().strip_prefix('"')?.split('"').next()?;
            let target = l.split("target: \"").nth(1)?.split('"').next()?;
            Some((key.to_owned(), target.to_owned()))
        })
        .collect()
}

#[test]
fn the_npm_package_is_the_crates_version_with_a_platform_package_per_release_target() {
    let main: Value = serde_json::from_str(NPM_MAIN).unwrap();
    assert_eq!(main["name"], "genesys-scim-mock");
    assert_eq!(main["version"], VERSION);
    let platforms = platforms();
    assert_eq!(platforms.len(), 5, "{platforms:?}");
    let optional = main["optionalDependencies"].as_object().unwrap();
    assert_eq!(optional.len(), platforms.len());
    for (key, target) in &platforms {
        assert_eq!(
            optional[&format!("@genesys-scim-mock/{key}")],
            VERSION,
            "{key}"
        );
        assert!(
            RELEASE.contains(&format!("target: {target}"))
                && RELEASE.contains(&format!("npm: {key}")),
            "the release workflow builds no {target} for @genesys-scim-mock/{key}"
        );
    }
    for sub in [
        ".",
        "./vitest",
        "./jest/globalSetup",
        "./jest/globalTeardown",
        "./testcontainers",
    ] {
        assert!(
            main["exports"][sub]["types"].is_string(),
            "{sub} has no types"
        );
    }
}

#[test]
fn the_python_package_ships_the_binary_and_the_plugin() {
    for line in [
        "name = \"genesys-scim-mock\"",
        "bindings = \"bin\"",
        "manifest-path = \"../Cargo.toml\"",
        "genesys_scim_mock = \"genesys_scim_mock.pytest_plugin\"",
        "dynamic = [\"version\"]",
    ] {
        assert!(
            PYPROJECT.contains(line),
            "python/pyproject.toml lacks {line}"
        );
    }
}

#[test]
fn every_package_names_the_one_image_at_the_crates_version() {
    assert!(PY_TESTCONTAINERS.contains(&format!("IMAGE_NAME = \"{IMAGE_NAME}\"")));
    assert!(PY_TESTCONTAINERS.contains(&format!("VERSION = \"{VERSION}\"")));
    assert!(NPM_TESTCONTAINERS.contains(&format!("const IMAGE_NAME = \"{IMAGE_NAME}\"")));
    assert!(RELEASE.contains(&format!("IMAGE: {IMAGE_NAME}")));
    assert!(CI_LIB.contains(&format!("IMAGE_NAME={IMAGE_NAME}")));
}
