//! The shape of PATCH requests: `patch-without-patchop-schema` and
//! `extension-path-without-urn`.

use super::{Check, Groups, attribute_part, op_and_path, operations, requests};
use crate::control::report::seen::{Body, Seen};
use crate::control::report::sink::Sink;
use crate::scim::schema::{self, AttrPath, ResourceKind};

/// Both PATCH-shape rules.
#[derive(Debug, Default)]
pub(crate) struct Patches {
    no_schema: Groups<String>,
    bare_extension: Groups<(String, String)>,
}

const SCHEMA_RULE: &str = "patch-without-patchop-schema";
const URN_RULE: &str = "extension-path-without-urn";

/// The URN-qualified form of an unqualified path that resolves into an extension.
fn qualified(kind: ResourceKind, path: &str) -> Option<String> {
    let attr = AttrPath::parse(&attribute_part(path));
    if attr.urn.is_some() || attr.name.is_empty() {
        return None;
    }
    let r = schema::resolve(kind, &attr)?;
    r.is_extension().then(|| format!("{}:{path}", r.schema.id))
}

impl Check for Patches {
    fn observe(&mut self, s: &Seen<'_>, out: &mut Sink) {
        if !matches!(s.route(), "users.patch" | "groups.patch") {
            return;
        }
        let body = match s.body() {
            Body::Json(v) => v,
            Body::Absent => return,
            Body::Unreadable(why) => {
                out.unchecked(SCHEMA_RULE, s.e, why);
                out.unchecked(URN_RULE, s.e, why);
                return;
            }
        };
        let has_patchop = body
            .as_object()
            .and_then(|o| crate::genesys::mapping::get_ci(o, "schemas"))
            .and_then(|v| v.as_array())
            .is_some_and(|a| {
                a.iter().any(|u| {
                    u.as_str()
                        .is_some_and(|u| u.eq_ignore_ascii_case(schema::PATCH_OP))
                })
            });
        if !has_patchop {
            self.no_schema.add(s.route().to_owned(), s);
        }
        if s.route() != "users.patch" {
            return;
        }
        for op in operations(body) {
            match op_and_path(op) {
                (_, Some(path)) => {
                    if let Some(q) = qualified(ResourceKind::User, path) {
                        self.bare_extension.add((path.to_owned(), q), s);
                    }
                }
                (_, None) => {
                    let keys = op["value"].as_object().into_iter().flat_map(|o| o.keys());
                    for k in keys {
                        if let Some(q) = qualified(ResourceKind::User, k) {
                            self.bare_extension.add((k.clone(), q), s);
                        }
                    }
                }
            }
        }
    }

    fn finish(&mut self, out: &mut Sink) {
        self.no_schema.report(SCHEMA_RULE, out, |route, n| {
            format!(
                "{} to {route} without \"{}\" in schemas",
                requests(n),
                schema::PATCH_OP
            )
        });
        self.bare_extension.report(URN_RULE, out, |(path, q), n| {
            format!(
                "PATCH path \"{path}\" without its schema URN ({}); use \"{q}\"",
                requests(n)
            )
        });
    }
}
