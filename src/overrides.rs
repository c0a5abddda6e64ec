//! One layer of compatibility switches: the settings a single source makes, and only those.
//!
//! The switches a request runs under are built in layers, each overriding only the keys it
//! sets: the built-in defaults, then the server's flags (`--profile`, `--compat`, already in
//! `Config::compat`), then the org's fixture `compat`, then a firing scenario rule's `compat`
//! action. An org with `{"profile": "rfc"}` therefore keeps `--compat ratelimit-headers=true`.
//! A layer is checked once, when its source is loaded, so applying it per request re-parses
//! nothing and cannot fail.

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::compat::Compat;

/// A checked set of `switch: value` settings, at most one per switch.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "BTreeMap<String, Value>", into = "BTreeMap<String, Value>")]
pub struct Overrides {
    /// Switch name (as `--compat` spells it), the value as written, and its text form.
    settings: Vec<(String, Value, String)>,
}

/// A setting that names no switch or gives a switch a value it does not take.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OverrideError {
    /// The switch as written.
    pub switch: String,
    pub message: String,
}

impl fmt::Display for OverrideError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for OverrideError {}

impl Overrides {
    /// Checks `NAME: VALUE` settings (values may be strings, booleans or numbers:
    /// `"ratelimit-headers": true` and `"ratelimit-headers": "true"` are the same).
    pub fn parse<'a>(
        settings: impl IntoIterator<Item = (&'a String, &'a Value)>,
    ) -> Result<Self, OverrideError> {
        let mut scratch = Compat::default();
        let mut out = Vec::new();
        for (name, value) in settings {
            let text = match value {
                Value::String(s) => s.clone(),
                other => other.to_string(),
            };
            scratch.set(name, &text).map_err(|message| OverrideError {
                switch: name.clone(),
                message,
            })?;
            out.push((name.clone(), value.clone(), text));
        }
        Ok(Self { settings: out })
    }

    /// Sets this layer's switches on `compat`, leaving every other switch as it is.
    pub fn apply(&self, compat: &mut Compat) {
        for (name, _, text) in &self.settings {
            // Checked by `parse`; whether a value is valid does not depend on other switches.
            let applied = compat.set(name, text);
            debug_assert!(applied.is_ok(), "{name}={text} was checked when parsed");
        }
    }

    /// Whether this layer sets nothing.
    pub fn is_empty(&self) -> bool {
        self.settings.is_empty()
    }

    /// The settings as written, for exports.
    pub fn to_map(&self) -> serde_json::Map<String, Value> {
        self.settings
            .iter()
            .map(|(k, v, _)| (k.clone(), v.clone()))
            .collect()
    }
}

impl TryFrom<BTreeMap<String, Value>> for Overrides {
    type Error = OverrideError;

    fn try_from(map: BTreeMap<String, Value>) -> Result<Self, Self::Error> {
        Self::parse(&map)
    }
}

impl From<Overrides> for BTreeMap<String, Value> {
    fn from(o: Overrides) -> Self {
        o.settings.into_iter().map(|(k, v, _)| (k, v)).collect()
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::compat::Profile;

    fn layer(v: Value) -> Overrides {
        let Value::Object(map) = v else {
            panic!("an object")
        };
        Overrides::parse(&map).unwrap()
    }

    #[test]
    fn a_layer_overrides_only_its_own_keys() {
        let mut flags = Compat {
            ratelimit_headers: true,
            ..Compat::default()
        };
        layer(json!({"profile": "rfc"})).apply(&mut flags);
        assert_eq!(flags.profile, Profile::Rfc);
        assert!(flags.ratelimit_headers, "the flag layer's key survives");
    }

    #[test]
    fn values_may_be_text_booleans_or_numbers() {
        let mut c = Compat::default();
        layer(json!({"ratelimit-headers": true, "version-mismatch-status": 412})).apply(&mut c);
        assert!(c.ratelimit_headers);
        assert_eq!(c.version_mismatch_status, 412);
    }

    #[test]
    fn errors_name_the_switch() {
        let map = json!({"nope": "1"});
        let e = Overrides::parse(map.as_object().unwrap()).unwrap_err();
        assert_eq!(e.switch, "nope");
        assert!(e.message.contains("unknown"), "{e}");
        let map = json!({"profile": "strict"});
        let e = Overrides::parse(map.as_object().unwrap()).unwrap_err();
        assert_eq!(e.switch, "profile");
    }

    #[test]
    fn a_layer_round_trips_through_json() {
        let o = layer(json!({"profile": "rfc", "revive-deleted": false}));
        let text = serde_json::to_string(&o).unwrap();
        assert_eq!(serde_json::from_str::<Overrides>(&text).unwrap(), o);
        assert_eq!(o.to_map()["revive-deleted"], json!(false));
    }
}
