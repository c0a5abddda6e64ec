//! The platform `User` response, shared by `GET /api/v2/users/{id}` and the external-id
//! lookup (both answer the same shape, `?expand=` included).

use http::{Response, StatusCode};

use crate::edge::response::{Body, JSON, json_response};
use crate::genesys::org::Org;
use crate::genesys::platform;
use crate::genesys::user::User;
use crate::pipeline::context::ApiRequest;

/// `200` with the platform `User`, expanded as `?expand=` asks (comma-separated or repeated).
pub(crate) fn user_response(req: &ApiRequest, user: &User, org: &Org) -> Response<Body> {
    let mut out = platform::user(user, org);
    let expand: Vec<String> = req
        .query_pairs()
        .iter()
        .filter(|(k, _)| k == "expand")
        .flat_map(|(_, v)| {
            v.split(',')
                .map(|s| s.trim().to_owned())
                .collect::<Vec<_>>()
        })
        .collect();
    platform::expand(&mut out, user, org, &expand);
    json_response(StatusCode::OK, JSON, &out)
}
