//! The compatibility switches (part `compat`, public): every Genesys-versus-RFC choice, by name.
//! Imports only `base`; the protocol, the domain, the store and the pipeline read it.
//!
//! Each switch is a place where this mock had to choose between what Genesys does, what the
//! RFC says, or what nobody has documented.
//!
//! Each field says what Genesys does (or is believed to do), what RFC 7643/7644 says, and where
//! the default comes from. Switches are set with `--compat NAME=VALUE` (repeatable), per org in
//! fixtures, or per request by a scenario rule, so a test can pin the behaviour it relies on.
//!
//! # Profiles
//!
//! A profile is a preset of every switch: `genesys` (the default) takes what Genesys does,
//! `rfc` takes what RFC 7643/7644 asks for on every switch where the two differ ([`SWITCHES`]
//! lists both values). Setting `profile` resets every switch to that preset; switches named
//! alongside it in the same place (the same `--compat` list, fixture `compat` object or
//! scenario rule) are applied after it whatever their order, so they win.

pub(crate) mod layer;
#[cfg(test)]
mod ledger;

use http::StatusCode;
use serde::{Deserialize, Serialize};

/// Which preset the switches start from, and the filter strictness.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
#[non_exhaustive]
pub enum Profile {
    /// What Genesys does; only the filters Genesys documents are accepted (anything else is
    /// `invalidFilter`).
    #[default]
    Genesys,
    /// What the RFC says on every switch, and the full RFC 7644 §3.4.2.2 filter grammar on
    /// every attribute.
    Rfc,
}

/// What to do with user attributes Genesys does not support (`name`, `addresses`, ...).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
#[non_exhaustive]
pub enum Unsupported {
    /// Accept and drop them, never return them (Genesys' field-mapping article).
    #[default]
    Drop,
    /// Answer 400 `invalidValue` naming the attribute.
    Reject,
}

/// How a URL-shaped authority sent with raw slashes is routed on the external-id API.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
pub enum RawSlashAuthority {
    /// The slashes split the path and the call gets 404, as reported on the Genesys community ("User - Generic SSO", 2025-08-13).
    #[default]
    Reject,
    /// Re-join the segments by matching the authorities the org knows.
    MatchKnown,
}

/// `reference-values`: what a user's `roles`, `division` and `manager` must name.
///
/// Genesys stores roles and divisions by id and a manager as a user id, so a name or id that
/// is not in the org is refused (`invalidValue`): the field-mapping article maps `division` to
/// `divisionId` and skills and languages to existing names, and roles are matched to Genesys
/// roles by name (developer forum, "Azure AD roles, skills and languages"). RFC 7643 §4.1.2 gives roles "no vocabulary or syntax", and §4.3 makes `division` a
/// plain string and `manager.value` an id with no check that it exists: an RFC server keeps
/// whatever it is given.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
#[non_exhaustive]
pub enum References {
    /// Names and ids must exist in the org (Genesys).
    #[default]
    Existing,
    /// Unknown role and division names are kept as given, and any `manager.value` is kept; the
    /// `$ref` of a manager that names no user is left out, since there is no resource to point
    /// at (RFC).
    Any,
}

/// `contact-lists`: how `emails` and `phoneNumbers` are stored.
///
/// Genesys keeps contact details in fixed slots (field-mapping article): `userName`
/// is the main email and comes back as a read-only `other` email, one `work` email, one phone
/// per Genesys type, E.164 or `tel:` values, and `primary` only as the primary phone's type. An
/// RFC 7643 server (§4.1.2) keeps the lists as sent: any value format (the RFC says SHOULD for
/// RFC 3966), `primary` as given, and emails independent of `userName`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
pub enum ContactLists {
    /// Genesys' slots.
    #[default]
    Genesys,
    /// Both lists stored and returned as sent (at most `genesys::user::SENT_CONTACTS_MAX`
    /// elements each); the Genesys form (the
    /// platform view) still gets `userName` as the main email, the work email and the phones it
    /// can parse.
    AsSent,
}

/// `dot-search`: `POST /.search` at the root, a search across resource types (RFC 7644
/// §3.4.3), which Genesys' SCIM API does not list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[non_exhaustive]
pub enum DotSearch {
    /// 404, as for any path Genesys does not serve (the default).
    #[default]
    #[serde(rename = "404")]
    NotFound,
    /// 501, RFC 7644 §3.12's answer for an operation a server does not support.
    #[serde(rename = "501")]
    NotImplemented,
    /// Served: users, then groups, each as its own list would show them (the rfc profile:
    /// a full RFC server, and what generic suites probe).
    #[serde(rename = "serve")]
    Serve,
}

/// `auth-errors`: how the API's 401s and the token endpoint's client errors are worded.
///
/// Genesys' swagger error-code catalogue, as the Go client `gildas/go-gcloudcx` lists it, has
/// three 401 codes: `authentication.required` ("No authentication bearer token specified in
/// authorization header."), `bad.credentials` ("Invalid login credentials.") and
/// `credentials.expired` ("The supplied credentials are expired and cannot be used."). The same
/// client's tests against login.mypurecloud.com show the token endpoint saying `client not
/// found` for an unknown client and `authentication failed` for a wrong secret, each in
/// `description` and `error_description`. Both are reported by a third party, not documented
/// by Genesys, hence a switch.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
#[non_exhaustive]
pub enum AuthErrors {
    /// The three codes and messages, and the two token-endpoint descriptions (the default).
    #[default]
    Genesys,
    /// One code, `bad.credentials`, whose message says whether the token was missing, unknown
    /// or expired; one token-endpoint description for an unknown client and a wrong secret, so
    /// the endpoint does not tell which client ids exist (RFC 6749 §5.2 gives both
    /// `invalid_client`).
    Uniform,
}

/// `empty-values`: what an empty string does to an attribute that has a value, on `PUT` and
/// `PATCH` of a user.
///
/// A Genesys community moderator says empty values do not overwrite existing data (Genesys
/// community, "MS Entra ID SCIM integration – fields mapping", 2026-04-15), and Genesys' own
/// Entra article warns that a field cannot be cleared by mapping it to an empty value (help,
/// "Configure Microsoft Entra ID for Genesys Cloud SCIM (Identity Management)"). Reported, not
/// documented as the API's rule, hence a switch. RFC 7644 writes what it is given.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
#[non_exhaustive]
pub enum EmptyValues {
    /// `""` keeps the value already there; `remove` (PATCH) still clears (the default).
    #[default]
    Ignore,
    /// `""` clears the attribute (RFC).
    Clear,
}

/// `read-lag`: how late new and deleted users reach reads (see `crate::genesys::lag`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub enum ReadLag {
    /// Reads see every write at once.
    #[default]
    Off,
    /// The next N user reads of the org miss the write.
    Reads(u64),
    /// Reads within this many clock milliseconds of the write miss it.
    Millis(i64),
}

impl ReadLag {
    /// Parses `off` (or `0`), `<N>reads`, or a duration (`30s`, `1500ms`, `2m`).
    pub fn parse(text: &str) -> Result<Self, SwitchError> {
        let bad = |reason: String| SwitchError::value("read-lag", text, reason);
        let t = text.trim().to_ascii_lowercase();
        if t == "off" || t == "0" {
            return Ok(Self::Off);
        }
        if let Some(n) = t.strip_suffix("reads").or_else(|| t.strip_suffix("read")) {
            return match n.trim().parse::<u64>() {
                Ok(0) => Ok(Self::Off),
                Ok(n) => Ok(Self::Reads(n)),
                Err(_) => Err(bad(format!(
                    "expected off, <N>reads or a duration such as 30s, got {text:?}"
                ))),
            };
        }
        let d = crate::base::clock::parse_duration(&t)
            .map_err(|e| bad(format!("expected off, <N>reads or a duration; {e}")))?;
        match d.num_milliseconds() {
            ms if ms < 0 => Err(bad(format!("must not be negative, got {text:?}"))),
            0 => Ok(Self::Off),
            ms => Ok(Self::Millis(ms)),
        }
    }
}

/// `division-reads`: which users an OAuth client with `roleDivisions` reads.
///
/// Genesys documents every user read (SCIM `GET /Users`, `GET /Users/{id}`, the platform user
/// reads and the external-id lookup) as "Requires NO permissions" (the SDKs' SCIMApi and
/// UsersApi docs), and says nothing of divisions for them, so by default a client reads every
/// user whatever its grants. A test of a client that must cope with a narrower view picks
/// `granted`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
#[non_exhaustive]
pub enum DivisionReads {
    /// Every user is read, whatever the client's divisions (the docs: no permission needed).
    #[default]
    All,
    /// Users outside every division the client holds a role in are left out of lists and
    /// searches and answer 404, as if they did not exist.
    Granted,
}

/// Why a switch was not set ([`Compat::set`], [`Compat::apply_assignment`], [`ReadLag::parse`]).
/// The message is the one start-up prints and the admin API answers with; the variant and its
/// fields let a caller tell the cases apart without reading it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SwitchError {
    /// No switch has this name; the message lists the known ones.
    #[error("unknown compatibility switch {name:?}; known: {}", switch_names())]
    Unknown { name: String },
    /// The switch does not take this value; `reason` says what it takes.
    #[error("{switch}: {reason}")]
    Value {
        switch: String,
        value: String,
        reason: String,
    },
    /// `NAME=VALUE` was expected ([`Compat::apply_assignment`]).
    #[error("expected NAME=VALUE, got {0:?}")]
    NotAnAssignment(String),
}

impl SwitchError {
    /// A value `switch` does not take, with what it takes.
    fn value(switch: &str, value: &str, reason: String) -> Self {
        Self::Value {
            switch: switch.to_owned(),
            value: value.to_owned(),
            reason,
        }
    }

    /// The switch named, as written (empty when the text named none).
    pub fn switch(&self) -> &str {
        match self {
            Self::Unknown { name } => name,
            Self::Value { switch, .. } => switch,
            Self::NotAnAssignment(_) => "",
        }
    }
}

/// Every switch name, comma-separated, for [`SwitchError::Unknown`].
fn switch_names() -> String {
    SWITCHES
        .iter()
        .map(|s| s.name)
        .collect::<Vec<_>>()
        .join(", ")
}

/// The switches. `Default` is the Genesys behaviour; [`Compat::preset`] is either profile's.
/// Set a switch by field or by its `--compat` name ([`Compat::set`]). Switches are added often,
/// so the struct is `#[non_exhaustive]`: build it from `default()` or `preset`, not a literal.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
#[non_exhaustive]
pub struct Compat {
    /// `profile`: filter strictness. Default `genesys`.
    pub profile: Profile,
    /// `version-mismatch-status`: the status of a failed `If-Match`. Genesys' parameter docs
    /// say 400 `invalidVers`; its swagger declares 409; RFC 7644 §3.14 says 412. Default 400.
    pub version_mismatch_status: u16,
    /// `patch-replace-creates`: a `replace` whose filtered path matches nothing creates the
    /// element (what Genesys does for Entra's `emails[type eq "work"].value` and phone paths).
    /// RFC 7644 §3.5.2.3 says `noTarget`. Default true.
    pub patch_replace_creates: bool,
    /// `patch-extension-needs-urn`: PATCH paths into extension attributes must be
    /// URN-qualified; a bare `externalIds` is `invalidPath` (Genesys community, "User - Generic SSO"). RFC 7644 only says
    /// SHOULD. Default true.
    pub patch_extension_needs_urn: bool,
    /// `coerce-string-booleans`: accept Entra's `"True"`/`"False"` strings for boolean
    /// attributes. RFC 7643 requires JSON booleans. Default true.
    pub coerce_string_booleans: bool,
    /// `unsupported-attributes`: `drop` (Genesys' field-mapping article) or `reject`.
    pub unsupported_attributes: Unsupported,
    /// `revive-deleted`: what creating a user with a deleted user's userName does; see
    /// [`Revive`]. Default `no-roles`.
    pub revive_deleted: Revive,
    /// `raw-slash-authority`: see [`RawSlashAuthority`]. Default `reject`.
    pub raw_slash_authority: RawSlashAuthority,
    /// `external-id-repost`: re-POSTing an authority the user already has on
    /// `/api/v2/users/{id}/externalid`. `conflict` answers 409 (the forum report: ids can be
    /// added but not updated); `replace` swaps the key. Default `conflict`.
    pub external_id_repost: ExternalIdRepost,
    /// `ratelimit-headers`: emit the `inin-ratelimit-*` headers Genesys removed in 2021.
    /// Default false.
    pub ratelimit_headers: bool,
    /// `large-count-429`: a list with `count` over 25 answers 429, as the SDK docs warn it
    /// "may". Default false.
    pub large_count_429: bool,
    /// `username-must-be-email`: `userName` must look like an email address, because Genesys
    /// stores it as the user's main email (`contactInfo.email_main`, field-mapping article).
    /// RFC 7643 §4.1.1 only asks for a unique string. Default true.
    pub username_must_be_email: bool,
    /// `meta-created`: render `meta.created`. Genesys' field-mapping article lists
    /// `meta.location`, `meta.version` and `meta.lastModified` only; RFC 7643 §3.1 defines
    /// `created` as well. Default false.
    pub meta_created: bool,
    /// `list-active-only`: a user list without a filter shows active users only (the Python
    /// SDK's `SCIMApi` docs: no filter lists all active users); RFC 7644 §3.4.2 lists every resource. Default true.
    pub list_active_only: bool,
    /// `read-lag`: writes reach reads late (see `crate::genesys::lag`): new users stay
    /// invisible to user and external-id reads, deleted ones visible to lists, filters and
    /// searches, and external-id and group changes show late, for this lag (Genesys'
    /// Terraform provider retries or polls for each). Genesys publishes no figure; default off.
    pub read_lag: ReadLag,
    /// `genesys-attributes`: offer what Genesys adds to the RFC user: the
    /// `urn:ietf:params:scim:schemas:extension:genesys:purecloud:2.0:User` extension
    /// (`routingSkills`, `routingLanguages`, `externalIds`) and the enterprise extension's
    /// `dateHire`. Genesys documents both (field-mapping article). Off, they are not
    /// in `/Schemas`, `/ResourceTypes` or any user, and a body that sends them is treated like
    /// any unsupported attribute (`unsupported-attributes`): the plain RFC 7643 user of core
    /// and enterprise schemas that other SCIM servers offer. The rfc profile turns it off for
    /// that reason, and because the declared schema stays true in both profiles: the extension's
    /// `proficiency` is a `decimal`, as in Genesys, and is never re-declared to suit a suite
    /// (docs/conformance.md). Default true.
    pub genesys_attributes: bool,
    /// `reference-values`: see [`References`]. Default `existing`.
    pub reference_values: References,
    /// `contact-lists`: see [`ContactLists`]. Default `genesys`.
    pub contact_lists: ContactLists,
    /// `genesys-defaults`: every Genesys user has a division, roles and a state, so what a
    /// client leaves out (or removes) takes Genesys' value: the Home division, the `employee`
    /// role on create (Genesys community, "User provisioning"), and `active` is always returned
    /// (the Python SDK's `SCIMApi` docs: users
    /// always return `id, userName, active, meta`). RFC 7644 §3.3 and §3.5.2.2 keep an absent
    /// attribute absent, and RFC 7643 §8.7.1 declares `active` `returned: default`: off, such a
    /// user renders no division, no roles and no `active` (the platform view still shows its
    /// state, and no division), and `/Schemas` declares `active` `returned: default`.
    /// Default true.
    pub genesys_defaults: bool,
    /// `dot-search`: see [`DotSearch`]. Default `404`.
    pub dot_search: DotSearch,
    /// `auth-errors`: see [`AuthErrors`]. Default `genesys`.
    pub auth_errors: AuthErrors,
    /// `empty-values`: see [`EmptyValues`]. Default `ignore`.
    pub empty_values: EmptyValues,
    /// `permissions`: an OAuth client with `roleDivisions` may do only what its roles grant,
    /// in the divisions they are granted in (403 `missing.any.permissions`, as Genesys
    /// answers; `docs/permissions.md`). Off, every client may do everything, as one without
    /// `roleDivisions` always may. RFC 7644 §2 leaves authorization to the service provider;
    /// both profiles enforce. Default on.
    pub permissions: bool,
    /// `division-reads`: see [`DivisionReads`]. Default `all`.
    pub division_reads: DivisionReads,
}

/// `revive-deleted`: a create whose userName belongs to a deleted user.
///
/// Three Genesys sources describe re-creating a deleted user, and they differ:
/// `POST /api/v2/users` with the email of a deleted user fails with `general.conflict`
/// (terraform-provider-genesyscloud PR 631, 2023-09-18); a user restored in Genesys lands in the
/// Home division without roles (help, "Delete someone from your organization"); and a user
/// re-enabled from Okta, over SCIM, comes back active with no roles, not even `employee` (help
/// FAQ, "What happens when I delete a user in Genesys Cloud and later re-enable the user in
/// Okta?"). The default follows the SCIM one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[non_exhaustive]
pub enum Revive {
    /// The same id comes back active, in the Home division unless the body names one, with only
    /// the roles the body names: not its old roles, and not the `employee` default a new user
    /// gets (the Okta FAQ and the restore article).
    #[default]
    #[serde(rename = "no-roles")]
    NoRoles,
    /// The same id comes back as if newly created from the body: roles from the body, else the
    /// `employee` default.
    #[serde(rename = "true")]
    AsCreated,
    /// `409 uniqueness`: the userName belongs to a deleted user (the platform API's
    /// `general.conflict`).
    #[serde(rename = "conflict")]
    Conflict,
    /// A new user with a new id; the deleted one stays deleted (RFC 7644: a deleted resource
    /// is gone).
    #[serde(rename = "false")]
    New,
}

/// See [`Compat::external_id_repost`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
#[non_exhaustive]
pub enum ExternalIdRepost {
    #[default]
    Conflict,
    Replace,
}

impl Default for Compat {
    fn default() -> Self {
        Self {
            profile: Profile::Genesys,
            version_mismatch_status: 400,
            patch_replace_creates: true,
            patch_extension_needs_urn: true,
            coerce_string_booleans: true,
            unsupported_attributes: Unsupported::Drop,
            revive_deleted: Revive::NoRoles,
            raw_slash_authority: RawSlashAuthority::Reject,
            external_id_repost: ExternalIdRepost::Conflict,
            ratelimit_headers: false,
            large_count_429: false,
            username_must_be_email: true,
            meta_created: false,
            list_active_only: true,
            read_lag: ReadLag::Off,
            genesys_attributes: true,
            reference_values: References::Existing,
            contact_lists: ContactLists::Genesys,
            genesys_defaults: true,
            dot_search: DotSearch::NotFound,
            auth_errors: AuthErrors::Genesys,
            empty_values: EmptyValues::Ignore,
            permissions: true,
            division_reads: DivisionReads::All,
        }
    }
}

/// One row of the switch table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct Switch {
    /// The `--compat` name.
    pub name: &'static str,
    /// The allowed values, `|`-separated.
    pub values: &'static str,
    /// The value under `--profile genesys`, the default.
    pub genesys: &'static str,
    /// The value under `--profile rfc`.
    pub rfc: &'static str,
    /// What it controls, for `--help`.
    pub what: &'static str,
}

const fn switch(
    name: &'static str,
    values: &'static str,
    genesys: &'static str,
    rfc: &'static str,
    what: &'static str,
) -> Switch {
    Switch {
        name,
        values,
        genesys,
        rfc,
        what,
    }
}

/// Every switch, with its value under each profile. `--help`, docs/compatibility.md's table and
/// [`Compat::preset`] are generated from, or checked against, this list.
pub const SWITCHES: &[Switch] = &[
    switch(
        "profile",
        "genesys|rfc",
        "genesys",
        "rfc",
        "preset of every switch (the columns of the table in docs/compatibility.md) and filter strictness",
    ),
    switch(
        "version-mismatch-status",
        "400|409|412",
        "400",
        "412",
        "status of a failed If-Match (scimType invalidVers)",
    ),
    switch(
        "patch-replace-creates",
        "true|false",
        "true",
        "false",
        "PATCH replace on a filtered path with no match creates the element",
    ),
    switch(
        "patch-extension-needs-urn",
        "true|false",
        "true",
        "false",
        "PATCH paths into extension attributes must carry the schema URN",
    ),
    switch(
        "coerce-string-booleans",
        "true|false",
        "true",
        "false",
        "accept \"True\"/\"False\" strings for boolean attributes",
    ),
    switch(
        "unsupported-attributes",
        "drop|reject",
        "drop",
        "drop",
        "what happens to user attributes Genesys does not support",
    ),
    switch(
        "revive-deleted",
        "no-roles|true|conflict|false",
        "no-roles",
        "false",
        "a create with a deleted user's userName: revive the same id without roles, revive it as created, 409, or a new user",
    ),
    switch(
        "raw-slash-authority",
        "reject|match-known",
        "reject",
        "reject",
        "external-id routes: raw '/' inside an authority splits the path (404) or is re-joined",
    ),
    switch(
        "external-id-repost",
        "conflict|replace",
        "conflict",
        "conflict",
        "POSTing an authority the user already has",
    ),
    switch(
        "ratelimit-headers",
        "true|false",
        "false",
        "false",
        "emit the inin-ratelimit-* headers Genesys removed in 2021",
    ),
    switch(
        "large-count-429",
        "true|false",
        "false",
        "false",
        "list requests with count over 25 answer 429",
    ),
    switch(
        "username-must-be-email",
        "true|false",
        "true",
        "false",
        "userName must be an email address (Genesys stores it as the main email)",
    ),
    switch(
        "meta-created",
        "true|false",
        "false",
        "true",
        "render meta.created on users and groups",
    ),
    switch(
        "list-active-only",
        "true|false",
        "true",
        "false",
        "a user list without a filter shows active users only",
    ),
    switch(
        "read-lag",
        "off|<N>reads|<duration>",
        "off",
        "off",
        "writes reach reads late, for N reads of the org or a clock duration: new users miss user and external-id reads, deleted ones stay in lists and searches, external-id and group changes show late",
    ),
    switch(
        "genesys-attributes",
        "true|false",
        "true",
        "false",
        "offer the Genesys user extension (routingSkills, routingLanguages, externalIds) and enterprise dateHire",
    ),
    switch(
        "reference-values",
        "existing|any",
        "existing",
        "any",
        "user roles, division and manager must name something in the org, or are kept as given",
    ),
    switch(
        "contact-lists",
        "genesys|as-sent",
        "genesys",
        "as-sent",
        "emails and phoneNumbers in Genesys' slots (userName mirrored, E.164), or kept as sent",
    ),
    switch(
        "genesys-defaults",
        "true|false",
        "true",
        "false",
        "an absent or removed division is Home, a create without roles gets employee, active is always returned",
    ),
    switch(
        "dot-search",
        "404|501|serve",
        "404",
        "serve",
        "POST /.search, which Genesys does not serve: 404, 501, or searched across users and groups",
    ),
    switch(
        "auth-errors",
        "genesys|uniform",
        "genesys",
        "uniform",
        "401 codes authentication.required, bad.credentials, credentials.expired and the token endpoint's 'client not found' / 'authentication failed', or one code and one token error",
    ),
    switch(
        "empty-values",
        "ignore|clear",
        "ignore",
        "clear",
        "an empty string in a user PUT or PATCH keeps the value already there, or clears it",
    ),
    switch(
        "permissions",
        "on|off",
        "on",
        "on",
        "OAuth clients with roleDivisions may do only what their roles grant (403 missing.any.permissions)",
    ),
    switch(
        "division-reads",
        "all|granted",
        "all",
        "all",
        "users an OAuth client with roleDivisions reads: every one, or those in its granted divisions",
    ),
];

impl Compat {
    /// Every switch at its value under `profile`.
    pub fn preset(profile: Profile) -> Self {
        let mut c = Self::default();
        for sw in SWITCHES.iter().filter(|sw| sw.name != "profile") {
            let value = match profile {
                Profile::Genesys => sw.genesys,
                Profile::Rfc => sw.rfc,
            };
            c.set(sw.name, value)
                .expect("every SWITCHES value is valid for its switch");
        }
        c.profile = profile;
        c
    }

    /// Applies several `NAME`, `VALUE` settings from one place: `profile` first (it resets
    /// every switch to its preset), then the others in order, so they win over the preset.
    pub(crate) fn apply_all<'a>(
        &mut self,
        settings: impl IntoIterator<Item = (&'a str, &'a str)>,
    ) -> Result<(), (String, SwitchError)> {
        let settings: Vec<(&str, &str)> = settings.into_iter().collect();
        let (profiles, others): (Vec<_>, Vec<_>) = settings
            .into_iter()
            .partition(|(name, _)| name.trim() == "profile");
        for (name, value) in profiles.into_iter().chain(others) {
            self.set(name.trim(), value.trim())
                .map_err(|e| (name.trim().to_owned(), e))?;
        }
        Ok(())
    }

    /// Sets one switch from its `--compat` name and text value. `profile` resets every switch
    /// to that profile's preset.
    pub fn set(&mut self, name: &str, value: &str) -> Result<(), SwitchError> {
        fn boolean(name: &str, value: &str) -> Result<bool, SwitchError> {
            match value.to_ascii_lowercase().as_str() {
                "true" | "on" | "yes" | "1" => Ok(true),
                "false" | "off" | "no" | "0" => Ok(false),
                _ => Err(SwitchError::value(
                    name,
                    value,
                    format!("expected true or false, got {value:?}"),
                )),
            }
        }
        fn choice<T: serde::de::DeserializeOwned>(
            name: &str,
            value: &str,
        ) -> Result<T, SwitchError> {
            serde_json::from_value(serde_json::Value::String(value.to_ascii_lowercase())).map_err(
                |_| {
                    let allowed = SWITCHES
                        .iter()
                        .find(|s| s.name == name)
                        .map_or("", |s| s.values);
                    SwitchError::value(
                        name,
                        value,
                        format!("expected one of {allowed}, got {value:?}"),
                    )
                },
            )
        }
        match name {
            "profile" => *self = Self::preset(choice(name, value)?),
            "version-mismatch-status" => {
                self.version_mismatch_status = match value {
                    "400" => 400,
                    "409" => 409,
                    "412" => 412,
                    _ => {
                        return Err(SwitchError::value(
                            name,
                            value,
                            format!("expected 400, 409 or 412, got {value:?}"),
                        ));
                    }
                }
            }
            "patch-replace-creates" => self.patch_replace_creates = boolean(name, value)?,
            "patch-extension-needs-urn" => self.patch_extension_needs_urn = boolean(name, value)?,
            "coerce-string-booleans" => self.coerce_string_booleans = boolean(name, value)?,
            "unsupported-attributes" => self.unsupported_attributes = choice(name, value)?,
            "revive-deleted" => self.revive_deleted = choice(name, value)?,
            "raw-slash-authority" => self.raw_slash_authority = choice(name, value)?,
            "external-id-repost" => self.external_id_repost = choice(name, value)?,
            "ratelimit-headers" => self.ratelimit_headers = boolean(name, value)?,
            "large-count-429" => self.large_count_429 = boolean(name, value)?,
            "username-must-be-email" => self.username_must_be_email = boolean(name, value)?,
            "meta-created" => self.meta_created = boolean(name, value)?,
            "list-active-only" => self.list_active_only = boolean(name, value)?,
            "read-lag" => self.read_lag = ReadLag::parse(value)?,
            "genesys-attributes" => self.genesys_attributes = boolean(name, value)?,
            "reference-values" => self.reference_values = choice(name, value)?,
            "contact-lists" => self.contact_lists = choice(name, value)?,
            "genesys-defaults" => self.genesys_defaults = boolean(name, value)?,
            "dot-search" => self.dot_search = choice(name, value)?,
            "auth-errors" => self.auth_errors = choice(name, value)?,
            "empty-values" => self.empty_values = choice(name, value)?,
            "permissions" => self.permissions = boolean(name, value)?,
            "division-reads" => self.division_reads = choice(name, value)?,
            _ => {
                return Err(SwitchError::Unknown {
                    name: name.to_owned(),
                });
            }
        }
        Ok(())
    }

    /// Parses `NAME=VALUE` and applies it.
    pub fn apply_assignment(&mut self, assignment: &str) -> Result<(), SwitchError> {
        let (name, value) = assignment
            .split_once('=')
            .ok_or_else(|| SwitchError::NotAnAssignment(assignment.to_owned()))?;
        self.set(name.trim(), value.trim())
    }

    /// The status for a failed `If-Match`.
    pub(crate) fn version_mismatch(&self) -> StatusCode {
        StatusCode::from_u16(self.version_mismatch_status).unwrap_or(StatusCode::BAD_REQUEST)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_listed_switch_can_be_set_to_its_default() {
        for sw in SWITCHES {
            let mut c = Compat::default();
            c.set(sw.name, sw.genesys).unwrap();
            assert_eq!(
                c,
                Compat::default(),
                "{}={} is not the default",
                sw.name,
                sw.genesys
            );
        }
        assert_eq!(Compat::preset(Profile::Genesys), Compat::default());
    }

    #[test]
    fn the_rfc_preset_takes_each_switchs_rfc_value() {
        let rfc = Compat::preset(Profile::Rfc);
        assert_eq!(rfc.profile, Profile::Rfc);
        assert_eq!(rfc.version_mismatch(), StatusCode::PRECONDITION_FAILED);
        assert!(!rfc.username_must_be_email && rfc.meta_created);
        assert!(!rfc.patch_extension_needs_urn && !rfc.coerce_string_booleans);
        assert!(rfc.revive_deleted == Revive::New && !rfc.patch_replace_creates);
        assert!(!rfc.genesys_attributes && rfc.reference_values == References::Any);
        assert_eq!(rfc.contact_lists, ContactLists::AsSent);
        assert!(!rfc.genesys_defaults && rfc.dot_search == DotSearch::Serve);
        assert_eq!(rfc.auth_errors, AuthErrors::Uniform);
        assert_eq!(rfc.empty_values, EmptyValues::Clear);
        // Switching back restores every Genesys value.
        let mut c = rfc.clone();
        c.set("profile", "genesys").unwrap();
        assert_eq!(c, Compat::default());
        // Each row differs from the default exactly where the table says so.
        for sw in SWITCHES.iter().filter(|sw| sw.name != "profile") {
            let mut one = Compat::default();
            one.set(sw.name, sw.rfc).unwrap();
            let mut back = rfc.clone();
            back.set(sw.name, sw.genesys).unwrap();
            assert_eq!(
                one == Compat::default(),
                sw.rfc == sw.genesys,
                "{}: genesys {} rfc {}",
                sw.name,
                sw.genesys,
                sw.rfc
            );
            assert_eq!(back == rfc, sw.rfc == sw.genesys, "{}", sw.name);
        }
    }

    #[test]
    fn a_profile_applies_first_and_named_switches_win_over_it() {
        let mut c = Compat::default();
        c.apply_all([("version-mismatch-status", "409"), ("profile", "rfc")])
            .unwrap();
        assert_eq!(c.version_mismatch_status, 409);
        assert!(c.meta_created, "the rest of the rfc preset applies");
        let err = c.apply_all([("meta-created", "maybe")]).unwrap_err();
        assert_eq!(err.0, "meta-created");
    }

    #[test]
    fn assignments_change_switches_and_report_bad_input() {
        let mut c = Compat::default();
        c.apply_assignment("version-mismatch-status=412").unwrap();
        assert_eq!(c.version_mismatch(), StatusCode::PRECONDITION_FAILED);
        c.apply_assignment("raw-slash-authority=match-known")
            .unwrap();
        assert_eq!(c.raw_slash_authority, RawSlashAuthority::MatchKnown);
        let e = c.apply_assignment("profile=strict").unwrap_err();
        assert_eq!(e.switch(), "profile");
        assert!(matches!(&e, SwitchError::Value { value, .. } if value == "strict"));
        let e = c.apply_assignment("nope=1").unwrap_err();
        assert_eq!(
            e,
            SwitchError::Unknown {
                name: "nope".into()
            }
        );
        assert_eq!(
            c.apply_assignment("revive-deleted").unwrap_err(),
            SwitchError::NotAnAssignment("revive-deleted".into())
        );
    }

    /// The messages are what start-up prints and the admin API answers: the typed error keeps
    /// them as the `String` errors wrote them.
    #[test]
    fn switch_errors_say_what_the_switch_takes() {
        let mut c = Compat::default();
        let said = |r: Result<(), SwitchError>| r.unwrap_err().to_string();
        let names: Vec<&str> = SWITCHES.iter().map(|s| s.name).collect();
        assert_eq!(
            said(c.set("nope", "1")),
            format!(
                "unknown compatibility switch \"nope\"; known: {}",
                names.join(", ")
            )
        );
        for (name, value, message) in [
            (
                "profile",
                "strict",
                r#"profile: expected one of genesys|rfc, got "strict""#,
            ),
            (
                "meta-created",
                "maybe",
                r#"meta-created: expected true or false, got "maybe""#,
            ),
            (
                "version-mismatch-status",
                "418",
                r#"version-mismatch-status: expected 400, 409 or 412, got "418""#,
            ),
            (
                "read-lag",
                "xreads",
                r#"read-lag: expected off, <N>reads or a duration such as 30s, got "xreads""#,
            ),
            (
                "read-lag",
                "-5s",
                r#"read-lag: must not be negative, got "-5s""#,
            ),
        ] {
            assert_eq!(said(c.set(name, value)), message);
        }
        assert!(
            said(c.set("read-lag", "soon"))
                .starts_with("read-lag: expected off, <N>reads or a duration; ")
        );
        assert_eq!(
            said(c.apply_assignment("revive-deleted")),
            r#"expected NAME=VALUE, got "revive-deleted""#
        );
        assert_eq!(c, Compat::default(), "a refused value changes nothing");
    }

    #[test]
    fn the_switch_parses_reads_durations_and_off() {
        assert_eq!(ReadLag::parse("3reads").unwrap(), ReadLag::Reads(3));
        assert_eq!(ReadLag::parse("1 read").unwrap(), ReadLag::Reads(1));
        assert_eq!(ReadLag::parse("30s").unwrap(), ReadLag::Millis(30_000));
        assert_eq!(ReadLag::parse("1500ms").unwrap(), ReadLag::Millis(1_500));
        assert_eq!(ReadLag::parse("off").unwrap(), ReadLag::Off);
        assert_eq!(ReadLag::parse("0reads").unwrap(), ReadLag::Off);
        for bad in ["soon", "-5s", "xreads", "3 weeks"] {
            assert!(ReadLag::parse(bad).is_err(), "{bad}");
        }
    }
}
