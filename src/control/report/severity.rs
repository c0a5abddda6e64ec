//! How bad a broken rule is, and what a run may set a rule to (a severity or `off`).

use serde::{Deserialize, Serialize};

/// A rule's severity. Ordered: `Info < Warning < Error`, so "at or above" is `>=`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub(crate) enum Severity {
    Info,
    Warning,
    Error,
}

impl Severity {
    /// The lower-case name used in every format.
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Self::Info => "info",
            Self::Warning => "warning",
            Self::Error => "error",
        }
    }

    /// Parses `error`, `warning` or `info` (any case).
    pub(crate) fn parse(text: &str) -> Result<Self, String> {
        match text.trim().to_ascii_lowercase().as_str() {
            "error" => Ok(Self::Error),
            "warning" | "warn" => Ok(Self::Warning),
            "info" => Ok(Self::Info),
            other => Err(format!(
                "unknown severity {other:?}; use error, warning or info"
            )),
        }
    }
}

impl std::fmt::Display for Severity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What a run sets a rule to: a severity, or off.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub(crate) enum Level {
    Off,
    #[serde(untagged)]
    On(Severity),
}

impl Level {
    /// Parses `off` or a severity.
    pub(crate) fn parse(text: &str) -> Result<Self, String> {
        if text.trim().eq_ignore_ascii_case("off") {
            return Ok(Self::Off);
        }
        Severity::parse(text)
            .map(Self::On)
            .map_err(|_| format!("unknown level {text:?}; use error, warning, info or off"))
    }
}

impl<'de> Deserialize<'de> for Level {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Self::parse(&s).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn severities_order_and_levels_parse() {
        assert!(Severity::Error > Severity::Warning && Severity::Warning > Severity::Info);
        assert_eq!(Level::parse("OFF").unwrap(), Level::Off);
        assert_eq!(
            Level::parse("warning").unwrap(),
            Level::On(Severity::Warning)
        );
        assert!(
            Level::parse("fatal")
                .unwrap_err()
                .contains("error, warning, info or off")
        );
        let l: Level = serde_json::from_str("\"info\"").unwrap();
        assert_eq!(l, Level::On(Severity::Info));
        assert_eq!(serde_json::to_string(&Level::Off).unwrap(), "\"off\"");
    }
}
