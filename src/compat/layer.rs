//! One layer of compatibility switches: the settings a single source makes, and only those.
//!
//! The switches a request runs under are built in layers, each overriding only the keys it
//! sets: the built-in defaults, then the server's flags (`--profile`, `--compat`, already in
//! `Config::compat`), then the org's fixture `compat`, then a firing scenario rule's `compat`
//! action. An org with `{"profile": "rfc"}` therefore keeps `--compat ratelimit-headers=true`.
//! A layer is checked once, when its source is loaded, so applying it per request re-parses
//! nothing and cannot fail.
//!
//! `profile` is a preset of every switch. A layer that changes the profile moves the switches
//! still at the old profile's preset to the new one's, and keeps those a lower layer set
//! explicitly (a value that differs from its profile's preset): `--compat
//! ratelimit-headers=true` survives an org's `{"profile": "rfc"}`. Within a layer, `profile`
//! comes first and the layer's other keys win over its preset, as on the command line.

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::compat::{Compat, Profile};

/// A checked set of `switch: value` settings, at most one per switch.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "BTreeMap<String, Value>", into = "BTreeMap<String, Value>")]
pub(crate) struct CompatLayer {
    /// Switch name (as `--compat` spells it), the value as written, and its text form.
    settings: Vec<(String, Value, String)>,
}

/// A setting that names no switch or gives a switch a value it does not take.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct OverrideError {
    /// The switch as written.
    pub(crate) switch: String,
    pub(crate) message: String,
}

impl fmt::Display for OverrideError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for OverrideError {}

impl CompatLayer {
    /// Checks `NAME: VALUE` settings (values may be strings, booleans or numbers:
    /// `"ratelimit-headers": true` and `"ratelimit-headers": "true"` are the same).
    pub(crate) fn parse<'a>(
        settings: impl IntoIterator<Item = (&'a String, &'a Value)>,
    ) -> Result<Self, OverrideError> {
        let mut scratch = Compat::default();
        let mut out = Vec::new();
        for (name, value) in settings {
            let text = match value {
                Value::String(s) => s.clone(),
                other => other.to_string(),
            };
            scratch.set(name, &text).map_err(|e| OverrideError {
                switch: name.clone(),
                message: e.to_string(),
            })?;
            out.push((name.clone(), value.clone(), text));
        }
        Ok(Self { settings: out })
    }

    /// Sets this layer's switches on `compat`, leaving every other switch as it is (see the
    /// module doc for `profile`).
    pub(crate) fn apply(&self, compat: &mut Compat) {
        let profile = self.settings.iter().find(|(name, ..)| name == "profile");
        if let Some((_, _, text)) = profile {
            let mut scratch = Compat::default();
            if scratch.set("profile", text).is_ok() && scratch.profile != compat.profile {
                *compat = represet(compat, scratch.profile);
            }
        }
        for (name, _, text) in self.settings.iter().filter(|(name, ..)| name != "profile") {
            // Checked by `parse`; whether a value is valid does not depend on other switches.
            let applied = compat.set(name, text);
            debug_assert!(applied.is_ok(), "{name}={text} was checked when parsed");
        }
    }

    /// Whether this layer sets nothing.
    pub(crate) fn is_empty(&self) -> bool {
        self.settings.is_empty()
    }

    /// The settings as written, for exports.
    pub(crate) fn to_map(&self) -> serde_json::Map<String, Value> {
        self.settings
            .iter()
            .map(|(k, v, _)| (k.clone(), v.clone()))
            .collect()
    }
}

/// `compat` under the preset of `profile`, keeping the switches that differ from the preset of
/// `compat`'s own profile (those a layer set explicitly).
fn represet(compat: &Compat, profile: Profile) -> Compat {
    let next = Compat::preset(profile);
    let (Ok(Value::Object(old)), Ok(Value::Object(current)), Ok(Value::Object(mut merged))) = (
        serde_json::to_value(Compat::preset(compat.profile)),
        serde_json::to_value(compat),
        serde_json::to_value(&next),
    ) else {
        return next;
    };
    for (key, value) in current {
        if key != "profile" && old.get(&key) != Some(&value) {
            merged.insert(key, value);
        }
    }
    serde_json::from_value(Value::Object(merged)).unwrap_or(next)
}

impl TryFrom<BTreeMap<String, Value>> for CompatLayer {
    type Error = OverrideError;

    fn try_from(map: BTreeMap<String, Value>) -> Result<Self, Self::Error> {
        Self::parse(&map)
    }
}

impl From<CompatLayer> for BTreeMap<String, Value> {
    fn from(o: CompatLayer) -> Self {
        o.settings.into_iter().map(|(k, v, _)| (k, v)).collect()
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn layer(v: Value) -> CompatLayer {
        let Value::Object(map) = v else {
            panic!("an object")
        };
        CompatLayer::parse(&map).unwrap()
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
    fn a_new_profile_moves_preset_switches_and_keeps_explicit_ones() {
        let rfc = Compat::preset(Profile::Rfc);
        // A switch whose presets differ, left at the genesys preset: it follows the profile.
        let follows = crate::compat::SWITCHES
            .iter()
            .find(|s| s.name != "profile" && s.genesys != s.rfc)
            .expect("profiles differ somewhere");
        let mut c = Compat {
            ratelimit_headers: !Compat::default().ratelimit_headers,
            ..Compat::default()
        };
        layer(json!({"profile": "rfc"})).apply(&mut c);
        let mut expected = rfc;
        expected.ratelimit_headers = c.ratelimit_headers;
        assert_eq!(c, expected, "{} follows the profile", follows.name);
        // Within one layer, its own keys win over its profile's preset.
        let mut c = Compat::default();
        layer(json!({"profile": "rfc", "version-mismatch-status": 409})).apply(&mut c);
        assert_eq!((c.profile, c.version_mismatch_status), (Profile::Rfc, 409));
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
        let e = CompatLayer::parse(map.as_object().unwrap()).unwrap_err();
        assert_eq!(e.switch, "nope");
        assert!(e.message.contains("unknown"), "{e}");
        let map = json!({"profile": "strict"});
        let e = CompatLayer::parse(map.as_object().unwrap()).unwrap_err();
        assert_eq!(e.switch, "profile");
    }

    #[test]
    fn a_layer_round_trips_through_json() {
        let o = layer(json!({"profile": "rfc", "revive-deleted": false}));
        let text = serde_json::to_string(&o).unwrap();
        assert_eq!(serde_json::from_str::<CompatLayer>(&text).unwrap(), o);
        assert_eq!(o.to_map()["revive-deleted"], json!(false));
    }
}
