//! `genesys-scim-mock verify`: checks a running server against an expectation file and turns
//! the answer into an exit code, so a CI job in any language asserts the end state in one step.
//!
//! The file is checked here first, so its errors name the file, the record and the field
//! exactly as `validate` does for fixtures; the server then does the comparison
//! (`POST /__admin/expect`), and one answer gives both the printed result and the JUnit file.

use std::path::Path;
use std::time::Duration;

use bytes::Bytes;
use http::{Method, StatusCode};

use crate::base::http_client::{self, BaseUrl};
use crate::cli::args::{VerifyArgs, VerifyFormat};
use crate::control::expect::{self, Verdict};

/// The largest expectation file read (the server's own body limit is usually far lower and
/// answers 413 with its limit).
pub(crate) const MAX_FILE_BYTES: u64 = 16 * 1024 * 1024;

/// What a verify run printed and concluded.
#[derive(Debug, Clone)]
pub(crate) struct Outcome {
    /// Whether the state is as expected.
    pub ok: bool,
    /// What to print on stdout.
    pub output: String,
}

/// Reads and checks an expectation file; errors name the file, the record and the field.
pub(crate) fn read_file(path: &Path) -> Result<(String, expect::Expectation), String> {
    let shown = path.display().to_string();
    let len = std::fs::metadata(path)
        .map_err(|e| format!("--expect {shown}: {e}"))?
        .len();
    if len > MAX_FILE_BYTES {
        return Err(format!(
            "--expect {shown}: {len} bytes is over the {MAX_FILE_BYTES}-byte limit"
        ));
    }
    let text = std::fs::read_to_string(path).map_err(|e| format!("--expect {shown}: {e}"))?;
    let exp = expect::parse(&shown, &text).map_err(|e| e.to_string())?;
    Ok((text, exp))
}

/// Runs `verify`: `Ok` with the outcome when the check ran, `Err` when it could not.
pub(crate) async fn run(args: &VerifyArgs) -> Result<Outcome, String> {
    let base = BaseUrl::parse(&args.server.url).map_err(|e| format!("--url: {e}"))?;
    let (text, _) = read_file(&args.expect)?;
    let answer = http_client::send(
        &base,
        Method::POST,
        "/__admin/expect",
        args.server.admin_token.as_deref(),
        Bytes::from(text),
        Duration::from_millis(args.server.timeout_ms),
    )
    .await
    .map_err(|e| format!("--url {}: {e}", args.server.url))?;
    let body: serde_json::Value = serde_json::from_slice(&answer.body).map_err(|_| {
        format!(
            "--url {}: answered {} with a body that is not JSON (is it genesys-scim-mock?)",
            args.server.url, answer.status
        )
    })?;
    if answer.status != StatusCode::OK {
        return Err(answer.refusal());
    }
    let verdict = Verdict::from_json(&body).ok_or_else(|| {
        format!(
            "--url {}: the answer is not an expectation diff",
            args.server.url
        )
    })?;
    if let Some(path) = &args.junit {
        std::fs::write(path, verdict.to_junit())
            .map_err(|e| format!("--junit {}: {e}", path.display()))?;
    }
    let output = match args.format {
        VerifyFormat::Text => verdict.to_text(),
        VerifyFormat::Json => format!("{body:#}\n"),
    };
    Ok(Outcome {
        ok: verdict.ok(),
        output,
    })
}
