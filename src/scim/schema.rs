//! The SCIM schemas this mock serves, as data.
//!
//! One table describes every attribute the Genesys surface supports: its type, whether it is
//! multi-valued, case-exactness, mutability and when it is returned. The `/Schemas` discovery
//! endpoint renders it, the filter evaluator reads case rules and types from it, the PATCH engine
//! reads mutability and multi-valuedness from it, and `attributes=` projection reads `returned`
//! from it. Keeping it in one place means discovery cannot drift from behaviour.
//!
//! Attributes Genesys documents as unsupported (`name`, `addresses`, ...) are deliberately not in
//! the user schema: Genesys does not advertise them. They are listed in [`UNSUPPORTED_USER`] so
//! that writes can accept and drop them (or reject them, see `Compat::unsupported_attributes`).

use std::fmt;

/// `urn:ietf:params:scim:schemas:core:2.0:User`
pub(crate) const USER: &str = "urn:ietf:params:scim:schemas:core:2.0:User";
/// `urn:ietf:params:scim:schemas:core:2.0:Group`
pub(crate) const GROUP: &str = "urn:ietf:params:scim:schemas:core:2.0:Group";
/// The RFC 7643 enterprise user extension.
pub(crate) const ENTERPRISE_USER: &str =
    "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";
/// Genesys' own user extension: routing skills, languages and external ids.
pub(crate) const GENESYS_USER: &str =
    "urn:ietf:params:scim:schemas:extension:genesys:purecloud:2.0:User";
/// `urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig`
pub(crate) const SERVICE_PROVIDER_CONFIG: &str =
    "urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig";
/// `urn:ietf:params:scim:schemas:core:2.0:ResourceType`
pub(crate) const RESOURCE_TYPE: &str = "urn:ietf:params:scim:schemas:core:2.0:ResourceType";
/// `urn:ietf:params:scim:schemas:core:2.0:Schema`
pub(crate) const SCHEMA: &str = "urn:ietf:params:scim:schemas:core:2.0:Schema";
/// List responses.
pub(crate) const LIST_RESPONSE: &str = "urn:ietf:params:scim:api:messages:2.0:ListResponse";
/// PATCH requests.
pub(crate) const PATCH_OP: &str = "urn:ietf:params:scim:api:messages:2.0:PatchOp";

/// A SCIM attribute type (RFC 7643 §2.3).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum AttrType {
    String,
    Boolean,
    Decimal,
    #[allow(
        dead_code,
        reason = "RFC 7643 §2.3's full type set: filters and PATCH compare integers; no core attribute is one yet"
    )]
    Integer,
    DateTime,
    Reference,
    Complex,
}

impl AttrType {
    /// The name used in schema documents.
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Self::String => "string",
            Self::Boolean => "boolean",
            Self::Decimal => "decimal",
            Self::Integer => "integer",
            Self::DateTime => "dateTime",
            Self::Reference => "reference",
            Self::Complex => "complex",
        }
    }
}

/// RFC 7643 §7 `mutability`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Mutability {
    ReadOnly,
    ReadWrite,
    Immutable,
    WriteOnly,
}

impl Mutability {
    /// The name used in schema documents.
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Self::ReadOnly => "readOnly",
            Self::ReadWrite => "readWrite",
            Self::Immutable => "immutable",
            Self::WriteOnly => "writeOnly",
        }
    }
}

/// RFC 7643 §7 `returned`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Returned {
    Always,
    Never,
    Default,
    #[allow(
        dead_code,
        reason = "RFC 7643 §7's full value set: projection handles it; no attribute is returned only on request yet"
    )]
    Request,
}

impl Returned {
    /// The name used in schema documents.
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Self::Always => "always",
            Self::Never => "never",
            Self::Default => "default",
            Self::Request => "request",
        }
    }
}

/// RFC 7643 §7 `uniqueness`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Uniqueness {
    None,
    Server,
    #[allow(
        dead_code,
        reason = "RFC 7643 §7's full value set: no attribute is unique across tenants here"
    )]
    Global,
}

impl Uniqueness {
    /// The name used in schema documents.
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Self::None => "none",
            Self::Server => "server",
            Self::Global => "global",
        }
    }
}

/// One attribute definition (RFC 7643 §7).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Attribute {
    pub name: &'static str,
    pub kind: AttrType,
    pub multi_valued: bool,
    pub required: bool,
    pub case_exact: bool,
    pub mutability: Mutability,
    pub returned: Returned,
    pub uniqueness: Uniqueness,
    pub canonical_values: &'static [&'static str],
    pub reference_types: &'static [&'static str],
    pub sub_attributes: &'static [Attribute],
    pub description: &'static str,
}

impl Attribute {
    /// A sub-attribute by name, matched case-insensitively as RFC 7643 §2.1 requires.
    pub(crate) fn sub(&self, name: &str) -> Option<&'static Attribute> {
        self.sub_attributes
            .iter()
            .find(|a| a.name.eq_ignore_ascii_case(name))
    }
}

/// A base attribute: single-valued read-write string, returned by default. The tables below
/// override fields from here with struct-update syntax so each row reads as its differences.
const fn string(name: &'static str, description: &'static str) -> Attribute {
    Attribute {
        name,
        kind: AttrType::String,
        multi_valued: false,
        required: false,
        case_exact: false,
        mutability: Mutability::ReadWrite,
        returned: Returned::Default,
        uniqueness: Uniqueness::None,
        canonical_values: &[],
        reference_types: &[],
        sub_attributes: &[],
        description,
    }
}

const fn read_only(a: Attribute) -> Attribute {
    Attribute {
        mutability: Mutability::ReadOnly,
        ..a
    }
}

const fn typed(a: Attribute, kind: AttrType) -> Attribute {
    Attribute { kind, ..a }
}

const fn complex(
    name: &'static str,
    multi_valued: bool,
    sub_attributes: &'static [Attribute],
    description: &'static str,
) -> Attribute {
    Attribute {
        kind: AttrType::Complex,
        multi_valued,
        sub_attributes,
        ..string(name, description)
    }
}

/// A schema: its URN, name and attributes.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Schema {
    pub id: &'static str,
    pub name: &'static str,
    pub description: &'static str,
    pub attributes: &'static [Attribute],
}

impl Schema {
    /// An attribute by name, matched case-insensitively.
    pub(crate) fn attribute(&self, name: &str) -> Option<&'static Attribute> {
        self.attributes
            .iter()
            .find(|a| a.name.eq_ignore_ascii_case(name))
    }
}

/// Phone types Genesys accepts (`ScimPhoneNumber.type`).
pub(crate) const PHONE_TYPES: &[&str] = &[
    "work",
    "work2",
    "work3",
    "work4",
    "home",
    "mobile",
    "other",
    "microsoftteams",
    "zoomphone",
    "eightbyeight",
    "ringcentral",
];

/// Email types Genesys stores (`ScimEmail.type`).
pub(crate) const EMAIL_TYPES: &[&str] = &["work", "other"];

const ID: Attribute = Attribute {
    case_exact: true,
    returned: Returned::Always,
    uniqueness: Uniqueness::Server,
    ..read_only(string("id", "The unique identifier of the resource."))
};

const EXTERNAL_ID: Attribute = Attribute {
    case_exact: true,
    ..string(
        "externalId",
        "An identifier for the resource as defined by the provisioning client. Stored as the \
         x-pc:scimv2:v1 external id of the user.",
    )
};

const META: Attribute = Attribute {
    returned: Returned::Always,
    ..read_only(complex(
        "meta",
        false,
        &[
            Attribute {
                case_exact: true,
                canonical_values: &["User", "Group"],
                ..read_only(string("resourceType", "The resource type."))
            },
            typed(
                read_only(string(
                    "lastModified",
                    "When the resource was last changed.",
                )),
                AttrType::DateTime,
            ),
            Attribute {
                case_exact: true,
                ..typed(
                    read_only(string("location", "The URI of the resource.")),
                    AttrType::Reference,
                )
            },
            Attribute {
                case_exact: true,
                ..read_only(string(
                    "version",
                    "The version of the resource; matches the ETag header.",
                ))
            },
        ],
        "Resource metadata.",
    ))
};

const USER_ATTRIBUTES: &[Attribute] = &[
    ID,
    EXTERNAL_ID,
    Attribute {
        required: true,
        uniqueness: Uniqueness::Server,
        returned: Returned::Always,
        ..string(
            "userName",
            "The user's Genesys Cloud email address (main email). Must be unique among \
             non-deleted users.",
        )
    },
    Attribute {
        required: true,
        ..string("displayName", "The user's name as shown in Genesys Cloud.")
    },
    string("title", "The user's job title."),
    ACTIVE,
    Attribute {
        mutability: Mutability::WriteOnly,
        returned: Returned::Never,
        case_exact: true,
        ..string("password", "The user's password. Never returned.")
    },
    complex(
        "emails",
        true,
        &[
            string("value", "The email address."),
            Attribute {
                canonical_values: EMAIL_TYPES,
                ..string(
                    "type",
                    "work (the work email) or other (the main email, read-only).",
                )
            },
            typed(
                string("primary", "Whether this is the primary email."),
                AttrType::Boolean,
            ),
        ],
        "Email addresses. The `other` email mirrors userName and is read-only.",
    ),
    complex(
        "phoneNumbers",
        true,
        &[
            string(
                "value",
                "An E.164 number or a tel URI such as tel:+13175550123;ext=4567.",
            ),
            Attribute {
                canonical_values: PHONE_TYPES,
                ..string("type", "The phone slot.")
            },
            typed(
                string("primary", "Whether this is the primary phone."),
                AttrType::Boolean,
            ),
        ],
        "Phone numbers, one per type.",
    ),
    read_only(complex(
        "groups",
        true,
        &[
            Attribute {
                case_exact: true,
                ..read_only(string("value", "The group id."))
            },
            Attribute {
                reference_types: &["Group"],
                case_exact: true,
                ..typed(
                    read_only(string("$ref", "The URI of the group.")),
                    AttrType::Reference,
                )
            },
            Attribute {
                canonical_values: &["Group"],
                ..read_only(string("type", "Always Group."))
            },
        ],
        "Groups the user belongs to. Read-only: change membership through Groups.",
    )),
    complex(
        "roles",
        true,
        &[string("value", "The name of a Genesys Cloud role.")],
        "Genesys Cloud roles, by name.",
    ),
    META,
];

const ENTERPRISE_ATTRIBUTES: &[Attribute] = &[
    string(
        "division",
        "The name of the user's Genesys Cloud division. Never creates a division.",
    ),
    string("department", "The user's department."),
    complex(
        "manager",
        false,
        &[
            Attribute {
                case_exact: true,
                ..string("value", "The id of the user's manager.")
            },
            Attribute {
                reference_types: &["User"],
                case_exact: true,
                ..typed(
                    read_only(string("$ref", "The URI of the manager.")),
                    AttrType::Reference,
                )
            },
        ],
        "The user's manager.",
    ),
    string("employeeNumber", "The user's employee id."),
    string("dateHire", "The user's hire date, YYYY-MM-DD."),
];

const GENESYS_ATTRIBUTES: &[Attribute] = &[
    complex(
        "routingSkills",
        true,
        &[
            Attribute {
                required: true,
                case_exact: true,
                ..string("name", "The skill name (case-sensitive; must exist).")
            },
            typed(
                string("proficiency", "Proficiency from 0 to 5."),
                AttrType::Decimal,
            ),
        ],
        "Routing skills, at most 50.",
    ),
    complex(
        "routingLanguages",
        true,
        &[
            Attribute {
                required: true,
                case_exact: true,
                ..string("name", "The language name (case-sensitive; must exist).")
            },
            typed(
                string("proficiency", "Proficiency from 0 to 5."),
                AttrType::Decimal,
            ),
        ],
        "Routing languages, at most 50.",
    ),
    complex(
        "externalIds",
        true,
        &[
            Attribute {
                required: true,
                case_exact: true,
                ..string("authority", "The authority of the external id.")
            },
            Attribute {
                required: true,
                case_exact: true,
                ..string("value", "The external key.")
            },
        ],
        "External ids. Always includes the immutable x-pc:scimv2:v1 authority, which carries \
         externalId. Unique within the organization and authority.",
    ),
];

const GROUP_ATTRIBUTES: &[Attribute] = &[
    ID,
    Attribute {
        required: true,
        ..read_only(string("displayName", "The group's name."))
    },
    EXTERNAL_ID,
    complex(
        "members",
        true,
        &[
            Attribute {
                case_exact: true,
                mutability: Mutability::Immutable,
                ..string("value", "The id of a member user.")
            },
            Attribute {
                reference_types: &["User"],
                case_exact: true,
                ..typed(
                    read_only(string("$ref", "The URI of the member.")),
                    AttrType::Reference,
                )
            },
            Attribute {
                canonical_values: &["User"],
                ..read_only(string("type", "Always User."))
            },
        ],
        "Members of the group (users).",
    ),
    META,
];

/// Core User schema.
pub(crate) const USER_SCHEMA: Schema = Schema {
    id: USER,
    name: "User",
    description: "User Account",
    attributes: USER_ATTRIBUTES,
};

/// Enterprise User extension.
pub(crate) const ENTERPRISE_SCHEMA: Schema = Schema {
    id: ENTERPRISE_USER,
    name: "EnterpriseUser",
    description: "Enterprise User",
    attributes: ENTERPRISE_ATTRIBUTES,
};

/// Genesys Cloud user extension.
pub(crate) const GENESYS_SCHEMA: Schema = Schema {
    id: GENESYS_USER,
    name: "GenesysUser",
    description: "Genesys Cloud user extension",
    attributes: GENESYS_ATTRIBUTES,
};

/// Core Group schema.
pub(crate) const GROUP_SCHEMA: Schema = Schema {
    id: GROUP,
    name: "Group",
    description: "Group",
    attributes: GROUP_ATTRIBUTES,
};

/// Every resource schema served under `/Schemas`, in the order they are listed.
pub(crate) const RESOURCE_SCHEMAS: &[Schema] =
    &[USER_SCHEMA, ENTERPRISE_SCHEMA, GENESYS_SCHEMA, GROUP_SCHEMA];

/// `active`: always returned, as Genesys documents for users (`id, userName, active, meta`),
/// since every Genesys user has a state.
const ACTIVE: Attribute = Attribute {
    returned: Returned::Always,
    ..typed(
        string(
            "active",
            "Whether the user is active (Genesys state active) or inactive.",
        ),
        AttrType::Boolean,
    )
};

/// `active` under `genesys-defaults=false`: `returned: default`, as RFC 7643 §8.7.1 declares
/// it, because there it can be left out or removed.
const ACTIVE_OPTIONAL: Attribute = Attribute {
    returned: Returned::Default,
    ..ACTIVE
};

/// A core user attribute as a request under these switches sees it: the table's, except
/// `active`, which is optional when `genesys_defaults` is off. Discovery and projection both
/// read it, so `/Schemas` says what `attributes=` does.
pub(crate) fn user_attribute(key: &str, genesys_defaults: bool) -> Option<&'static Attribute> {
    if !genesys_defaults && key.eq_ignore_ascii_case(ACTIVE.name) {
        return Some(&ACTIVE_OPTIONAL);
    }
    USER_SCHEMA.attribute(key)
}

/// Whether an attribute (by schema URN and name) is one Genesys adds to the RFC 7643 user:
/// anything in its own extension, and `dateHire` in the enterprise one. The
/// `genesys-attributes` switch offers or withdraws exactly these (discovery, rendering,
/// writes), so the list lives here, beside the schemas it names.
pub(crate) fn is_genesys_addition(urn: &str, attr: &str) -> bool {
    urn.eq_ignore_ascii_case(GENESYS_USER)
        || (urn.eq_ignore_ascii_case(ENTERPRISE_USER) && attr.eq_ignore_ascii_case("dateHire"))
}

/// User attributes Genesys documents as unsupported ("SCIM and Genesys Cloud field mappings") or simply does not model. They
/// are accepted and dropped on write unless `Compat::unsupported_attributes` is `reject`.
pub(crate) const UNSUPPORTED_USER: &[&str] = &[
    "name",
    "nickName",
    "profileUrl",
    "userType",
    "preferredLanguage",
    "locale",
    "timezone",
    "addresses",
    "ims",
    "photos",
    "entitlements",
    "x509Certificates",
];

/// Which kind of resource a path is resolved against.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ResourceKind {
    User,
    Group,
}

impl ResourceKind {
    /// The core schema of this resource kind.
    pub(crate) fn core(self) -> &'static Schema {
        match self {
            Self::User => &USER_SCHEMA,
            Self::Group => &GROUP_SCHEMA,
        }
    }

    /// The extension schemas this resource kind carries.
    pub(crate) fn extensions(self) -> &'static [Schema] {
        match self {
            Self::User => &[ENTERPRISE_SCHEMA, GENESYS_SCHEMA],
            Self::Group => &[],
        }
    }

    /// The schema with this URN (case-insensitive), core or extension.
    pub(crate) fn schema(self, urn: &str) -> Option<&'static Schema> {
        let core = self.core();
        if core.id.eq_ignore_ascii_case(urn) {
            return Some(core);
        }
        self.extensions()
            .iter()
            .find(|s| s.id.eq_ignore_ascii_case(urn))
    }
}

/// An attribute path as written in filters, PATCH paths and `attributes=`:
/// `[urn ":"] name ["." sub]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct AttrPath {
    /// The schema URN prefix, if the path was written fully qualified.
    pub urn: Option<String>,
    /// The attribute name.
    pub name: String,
    /// The sub-attribute name, if any.
    pub sub: Option<String>,
}

impl AttrPath {
    /// A path with no URN and no sub-attribute.
    pub(crate) fn simple(name: &str) -> Self {
        Self {
            urn: None,
            name: name.to_owned(),
            sub: None,
        }
    }

    /// Splits `urn:...:name.sub` into its parts. Does not validate names; an empty name is
    /// returned as empty so the caller can report it.
    ///
    /// A URN is recognised when the text starts with `urn:` (any case): the URN is everything up
    /// to the last `:`, and the rest is `name[.sub]`. When the text is exactly a known schema URN
    /// (e.g. `urn:...:enterprise:2.0:User`), the whole text is the URN and the name is empty.
    pub(crate) fn parse(text: &str) -> Self {
        let (urn, rest) = if text
            .get(..4)
            .is_some_and(|p| p.eq_ignore_ascii_case("urn:"))
        {
            if is_known_schema_urn(text) {
                (Some(text.to_owned()), "")
            } else {
                match text.rfind(':') {
                    Some(i) => (Some(text[..i].to_owned()), &text[i + 1..]),
                    None => (None, text),
                }
            }
        } else {
            (None, text)
        };
        let (name, sub) = match rest.split_once('.') {
            Some((n, s)) => (n.to_owned(), Some(s.to_owned())),
            None => (rest.to_owned(), None),
        };
        Self { urn, name, sub }
    }
}

impl fmt::Display for AttrPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(urn) = &self.urn {
            write!(f, "{urn}:")?;
        }
        f.write_str(&self.name)?;
        if let Some(sub) = &self.sub {
            write!(f, ".{sub}")?;
        }
        Ok(())
    }
}

/// Whether `urn` names one of the schemas this mock serves.
pub(crate) fn is_known_schema_urn(urn: &str) -> bool {
    RESOURCE_SCHEMAS
        .iter()
        .any(|s| s.id.eq_ignore_ascii_case(urn))
}

/// An attribute path resolved against the schemas of a resource kind.
#[derive(Debug, Clone, Copy)]
pub(crate) struct ResolvedPath {
    /// The schema that defines the attribute.
    pub schema: &'static Schema,
    /// The attribute.
    pub attribute: &'static Attribute,
    /// The sub-attribute, when the path names one.
    pub sub: Option<&'static Attribute>,
}

impl ResolvedPath {
    /// Whether the attribute lives in an extension (and so under its URN key in JSON).
    pub(crate) fn is_extension(&self) -> bool {
        self.schema.id != USER && self.schema.id != GROUP
    }

    /// The definition that governs the value: the sub-attribute if named, else the attribute.
    #[cfg(test)]
    pub(crate) fn leaf(&self) -> &'static Attribute {
        self.sub.unwrap_or(self.attribute)
    }
}

/// Resolves a path against a resource kind's schemas. Without a URN, the core schema is tried
/// first and then each extension (RFC 7644 §3.10 allows unqualified extension attributes when
/// they are unambiguous). Names are case-insensitive.
pub(crate) fn resolve(kind: ResourceKind, path: &AttrPath) -> Option<ResolvedPath> {
    let schemas: Vec<&'static Schema> = match &path.urn {
        Some(urn) => vec![kind.schema(urn)?],
        None => std::iter::once(kind.core())
            .chain(kind.extensions().iter())
            .collect(),
    };
    for schema in schemas {
        if let Some(attribute) = schema.attribute(&path.name) {
            let sub = match &path.sub {
                Some(s) => Some(attribute.sub(s)?),
                None => None,
            };
            return Some(ResolvedPath {
                schema,
                attribute,
                sub,
            });
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_plain_sub_and_urn_paths() {
        assert_eq!(AttrPath::parse("userName"), AttrPath::simple("userName"));
        let p = AttrPath::parse("name.familyName");
        assert_eq!(p.name, "name");
        assert_eq!(p.sub.as_deref(), Some("familyName"));
        let p = AttrPath::parse(&format!("{ENTERPRISE_USER}:manager.value"));
        assert_eq!(p.urn.as_deref(), Some(ENTERPRISE_USER));
        assert_eq!(p.name, "manager");
        assert_eq!(p.sub.as_deref(), Some("value"));
        let p = AttrPath::parse(GENESYS_USER);
        assert_eq!(p.urn.as_deref(), Some(GENESYS_USER));
        assert_eq!(p.name, "");
    }

    #[test]
    fn resolves_case_insensitively_and_through_extensions() {
        let r = resolve(ResourceKind::User, &AttrPath::parse("USERNAME")).unwrap();
        assert_eq!(r.attribute.name, "userName");
        let r = resolve(ResourceKind::User, &AttrPath::parse("department")).unwrap();
        assert_eq!(r.schema.id, ENTERPRISE_USER);
        let r = resolve(
            ResourceKind::User,
            &AttrPath::parse(&format!("{GENESYS_USER}:externalIds.authority")),
        )
        .unwrap();
        assert!(r.leaf().case_exact);
        assert!(resolve(ResourceKind::User, &AttrPath::parse("name.givenName")).is_none());
        assert!(resolve(ResourceKind::Group, &AttrPath::parse("department")).is_none());
    }

    #[test]
    fn genesys_additions_and_the_optional_active_are_named_in_one_place() {
        assert!(is_genesys_addition(GENESYS_USER, "routingSkills"));
        assert!(is_genesys_addition(ENTERPRISE_USER, "DATEHIRE"));
        assert!(!is_genesys_addition(ENTERPRISE_USER, "division"));
        assert!(!is_genesys_addition(USER, "dateHire"));
        assert_eq!(
            user_attribute("active", true).unwrap().returned,
            Returned::Always
        );
        assert_eq!(
            user_attribute("Active", false).unwrap().returned,
            Returned::Default
        );
        assert_eq!(
            user_attribute("userName", false).unwrap().returned,
            Returned::Always
        );
        assert!(user_attribute("name", false).is_none());
    }
}
