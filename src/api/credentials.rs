//! How refused credentials are answered: the platform API's three 401s and the token
//! endpoint's client errors, worded as the `auth-errors` switch says ([`AuthErrors`]).

use http::StatusCode;

use crate::compat::AuthErrors;
use crate::error::ApiError;

/// No bearer token on an `/api/v2` call.
pub(crate) fn missing_bearer(style: AuthErrors) -> ApiError {
    let code = match style {
        AuthErrors::Genesys => "authentication.required",
        AuthErrors::Uniform => "bad.credentials",
    };
    ApiError::unauthorized(
        code,
        "No authentication bearer token specified in authorization header.",
    )
}

/// A bearer token the server never issued (or revoked with a reset).
pub(crate) fn unknown_bearer(_style: AuthErrors) -> ApiError {
    ApiError::unauthorized("bad.credentials", "Invalid login credentials.")
}

/// A bearer token past its lifetime on the clock.
pub(crate) fn expired_bearer(style: AuthErrors) -> ApiError {
    match style {
        AuthErrors::Genesys => ApiError::unauthorized(
            "credentials.expired",
            "The supplied credentials are expired and cannot be used.",
        ),
        AuthErrors::Uniform => ApiError::unauthorized(
            "bad.credentials",
            "Invalid login credentials. The access token has expired.",
        ),
    }
}

/// `POST /oauth/token` for a client id the server does not know.
pub(crate) fn unknown_client(style: AuthErrors) -> ApiError {
    match style {
        AuthErrors::Genesys => client_refused("client not found"),
        AuthErrors::Uniform => uniform_client_refusal(),
    }
}

/// `POST /oauth/token` with a known client id and the wrong secret.
pub(crate) fn wrong_secret(style: AuthErrors) -> ApiError {
    match style {
        AuthErrors::Genesys => client_refused("authentication failed"),
        AuthErrors::Uniform => uniform_client_refusal(),
    }
}

fn client_refused(description: &str) -> ApiError {
    ApiError::oauth(StatusCode::UNAUTHORIZED, "invalid_client", description)
}

/// One answer for an unknown client and a wrong secret (RFC 6749 §5.2 `invalid_client`), so the
/// endpoint cannot be used to find out which client ids exist.
fn uniform_client_refusal() -> ApiError {
    client_refused("Client authentication failed: unknown client or wrong secret.")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn genesys_wording_has_three_codes_and_two_descriptions() {
        let codes: Vec<&str> = [missing_bearer, unknown_bearer, expired_bearer]
            .iter()
            .map(|f| f(AuthErrors::Genesys).code)
            .collect();
        assert_eq!(
            codes,
            [
                "authentication.required",
                "bad.credentials",
                "credentials.expired"
            ]
        );
        assert_ne!(
            unknown_client(AuthErrors::Genesys),
            wrong_secret(AuthErrors::Genesys)
        );
        assert_eq!(
            unknown_client(AuthErrors::Uniform),
            wrong_secret(AuthErrors::Uniform)
        );
        assert_eq!(expired_bearer(AuthErrors::Uniform).code, "bad.credentials");
    }
}
