//! The rule catalogue: every rule's stable id, default severity, title, why it matters against
//! real Genesys (with its source) and how to fix it. Data only; the checks live in
//! [`super::rules`]. `docs/report.md` is generated from this table and checked against it.

use super::severity::Severity;

/// One rule's description.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct RuleInfo {
    /// Stable id, used in queries, flags, scenario files and every output format.
    pub id: &'static str,
    pub severity: Severity,
    /// One line.
    pub title: &'static str,
    /// Why it matters against real Genesys.
    pub why: &'static str,
    /// Where that comes from, as a user can look it up: an article title and URL, a
    /// repository path, a forum thread title and date, an RFC section.
    pub source: &'static str,
    /// What to change in the client.
    pub hint: &'static str,
    /// Whether the rule reasons across requests, so that entries dropped from the journal can
    /// make it report something the dropped entries would have cleared (not just miss findings).
    pub history: bool,
}

/// Every rule, in report order.
pub(crate) const RULES: &[RuleInfo] = &[
    RuleInfo {
        id: "retry-after",
        severity: Severity::Error,
        title: "A request on the same token before a 429's Retry-After had passed",
        why: "Genesys answers 429 with `Retry-After: <seconds>` and counts every request against \
              the token's window. A client that comes back early is refused again and stays \
              throttled; Entra suspends its job for exactly the Retry-After period.",
        source: "Genesys developer forum, \"Normalized Platform API 429 responses\" (Retry-After on every 429)",
        hint: "After a 429, wait at least Retry-After seconds (on the same token) before the next request.",
        history: true,
    },
    RuleInfo {
        id: "lost-write",
        severity: Severity::Error,
        title: "A write that failed transiently and was never retried or looked up",
        why: "A 5xx, a reset connection or a timeout does not say whether the write happened. \
              Real Genesys returns 500, 503 and 504 on every SCIM operation; a client that moves \
              on leaves the user in an unknown state until the next full sync.",
        source: "Genesys Platform API definition: every SCIM operation declares 500, 503 and 504",
        hint: "Retry the write (with backoff) or read the resource back to learn whether it happened.",
        history: true,
    },
    RuleInfo {
        id: "retry-storm",
        severity: Severity::Warning,
        title: "More than N immediate retries of one operation with no growing delay",
        why: "Retries without backoff spend the token's 300 requests per minute on one failing \
              operation and turn a short outage into a rate-limit lockout.",
        source: "Genesys' Limits page (https://developer.genesys.cloud/organization/organization/limits): client.credentials.token.rate.per.minute = 300",
        hint: "Back off between retries (for example doubling the delay) and cap the attempts.",
        history: true,
    },
    RuleInfo {
        id: "token-churn",
        severity: Severity::Warning,
        title: "A new token per request, or more than N tokens per minute per client",
        why: "A client-credentials token lives for a day (expires_in 86400). Requesting a new one \
              per call doubles the traffic, and every token gets its own rate window, which \
              hides the client's real request rate until the org limit refuses it.",
        source: "Genesys client-credentials grant (expires_in 86400); Genesys' Limits page (https://developer.genesys.cloud/organization/organization/limits): per-token rate, token.rate.per.minute",
        hint: "Cache the token and reuse it until shortly before it expires or a 401 says it expired.",
        history: true,
    },
    RuleInfo {
        id: "expired-token-reuse",
        severity: Severity::Error,
        title: "After a 401 \"expired\", the same token is sent again",
        why: "An expired token never becomes valid again. Genesys' Entra setup pastes a token into \
              Entra, and when it expired provisioning \"simply stopped\".",
        source: "GitHub issue MicrosoftDocs/azure-docs#96063 (provisioning stopped when the pasted token expired)",
        hint: "On a 401 that says the token expired, request a new token and retry once with it.",
        history: true,
    },
    RuleInfo {
        id: "page-size",
        severity: Severity::Warning,
        title: "A list with count over 25",
        why: "Genesys documents that a SCIM list with count above 25 \"may ... return a 429\". A \
              client that works against a lenient server fails against the real one under load.",
        source: "Genesys SDK docs (MyPureCloud/platform-client-sdk-python, build/docs/SCIMApi.md), get_scim_v2_users `count`",
        hint: "Page with count=25 (or less) and follow startIndex.",
        history: false,
    },
    RuleInfo {
        id: "incomplete-page-walk",
        severity: Severity::Error,
        title: "A list walk that stopped early, started at 0, overlapped or skipped pages",
        why: "SCIM lists are 1-based pages: totalResults above what was returned means more pages. \
              A client that reads page one only, starts at 0, or steps wrongly misses users and \
              then creates duplicates or deactivates the wrong ones.",
        source: "RFC 7644 §3.4.2.4; Genesys developer center, \"Genesys Cloud SCIM (Identity Management) overview\" (list, then diff, then create or update)",
        hint: "Request startIndex = previous startIndex + itemsPerPage until all totalResults are read.",
        history: true,
    },
    RuleInfo {
        id: "undocumented-filter",
        severity: Severity::Error,
        title: "A filter outside the Genesys-documented set",
        why: "Genesys documents a single `eq` on a few attributes (and the externalIds value \
              filter). Other filters work on RFC servers and fail, or return nothing, on Genesys.",
        source: "Genesys SDK docs (MyPureCloud/platform-client-sdk-python, build/docs/SCIMApi.md), get_scim_v2_users and get_scim_v2_groups `filter`",
        hint: "Use a documented filter (userName eq, id eq, externalId eq, ...) and filter the rest client-side.",
        history: false,
    },
    RuleInfo {
        id: "extension-path-without-urn",
        severity: Severity::Error,
        title: "A PATCH into the Genesys or enterprise extension without the schema URN",
        why: "Genesys does not resolve bare extension attribute names in PATCH paths: `externalIds` \
              fails where `urn:ietf:params:scim:schemas:extension:genesys:purecloud:2.0:User:externalIds` \
              works.",
        source: "Genesys community thread \"User - Generic SSO\" (2025-08-13, https://community.genesys.com/discussion/user-generic-sso): PATCH of externalIds works with the full extension URN path",
        hint: "Prefix extension attributes with their schema URN in PATCH paths and pathless values.",
        history: false,
    },
    RuleInfo {
        id: "patch-without-patchop-schema",
        severity: Severity::Warning,
        title: "A PATCH whose schemas do not list the PatchOp message URN",
        why: "RFC 7644 requires `urn:ietf:params:scim:api:messages:2.0:PatchOp` in every PATCH. \
              Genesys' own forum example omits it and works, but stricter servers reject it, and \
              the request does not say what it is.",
        source: "RFC 7644 §3.5.2; Genesys community thread \"User - Generic SSO\" (2025-08-13, https://community.genesys.com/discussion/user-generic-sso): the moderator's working example lists the resource schemas instead",
        hint: "Send \"schemas\": [\"urn:ietf:params:scim:api:messages:2.0:PatchOp\"].",
        history: false,
    },
    RuleInfo {
        id: "group-create-or-delete",
        severity: Severity::Error,
        title: "A group create or delete through SCIM",
        why: "Genesys SCIM searches groups and updates their membership; it does not create or \
              delete them. Groups must already exist with the same name.",
        source: "Genesys developer center, \"Genesys Cloud SCIM (Identity Management) overview\" (Groups: search and update membership); Microsoft Learn, \"Configure Genesys Cloud for Azure for automatic user provisioning\" (group creation and deletion not supported)",
        hint: "Create groups in Genesys itself; through SCIM, find them by displayName and PATCH members.",
        history: false,
    },
    RuleInfo {
        id: "dropped-attributes",
        severity: Severity::Warning,
        title: "Attributes Genesys accepts and silently drops",
        why: "Genesys answers 2xx and stores nothing for `name`, `addresses`, `locale` and other \
              unsupported attributes. The client believes they are stored and never learns otherwise.",
        source: "Genesys help, \"SCIM and Genesys Cloud field mappings\" (https://help.mypurecloud.com/articles/scim-and-genesys-cloud-field-mappings/): \"Not currently supported\"",
        hint: "Stop sending them, or map the data to a supported attribute (docs/mapping.md).",
        history: false,
    },
    RuleInfo {
        id: "read-only-write",
        severity: Severity::Warning,
        title: "A write to a read-only attribute",
        why: "Read-only attributes (`id`, `groups`, `meta`, a group's `displayName`...) are \
              ignored on create and replace and refused in PATCH (`mutability`). Membership is \
              changed through Groups, not the user's `groups`.",
        source: "RFC 7643 §2.2 and §7; Genesys help, \"SCIM and Genesys Cloud field mappings\" (https://help.mypurecloud.com/articles/scim-and-genesys-cloud-field-mappings/): emails[type eq \"other\"] is read-only",
        hint: "Leave read-only attributes out of writes; change group membership with PATCH /Groups/{id}.",
        history: false,
    },
    RuleInfo {
        id: "create-without-lookup",
        severity: Severity::Warning,
        title: "A POST /Users answered 409 uniqueness for a user the client could have found first",
        why: "Genesys' documented workflow is list, diff by email, then create or patch. A client \
              that creates blindly and relies on 409 doubles its writes and fails on users that \
              exist but differ.",
        source: "Genesys developer center, \"Genesys Cloud SCIM (Identity Management) overview\", User operations: \"Use the email address field to compare records.\"",
        hint: "Look the user up first (userName eq ...) and PATCH it when it exists.",
        history: true,
    },
    RuleInfo {
        id: "groups-before-users",
        severity: Severity::Warning,
        title: "A group membership change naming a user created later in the run",
        why: "Genesys says to perform user operations before group operations: a membership \
              change for a user that does not exist yet fails or is lost.",
        source: "Genesys developer center, \"Genesys Cloud SCIM (Identity Management) overview\": \"Important: Perform User operations before Group operations.\"",
        hint: "Create and update every user first, then change group memberships.",
        history: true,
    },
    RuleInfo {
        id: "version-conflict-blind-retry",
        severity: Severity::Error,
        title: "After an invalidVers conflict, a retry with the same If-Match and no GET in between",
        why: "The version did not match and still does not: the same request fails the same way. \
              Genesys documents 400 invalidVers (its swagger says 409) for a stale If-Match.",
        source: "Genesys SDK docs (MyPureCloud/platform-client-sdk-python, build/docs/SCIMApi.md), `if_match` parameter of the SCIM PUT, PATCH and DELETE operations",
        hint: "GET the resource, re-apply the change to the current version, and send its ETag.",
        history: true,
    },
    RuleInfo {
        id: "repeated-after-403",
        severity: Severity::Error,
        title: "A request sent again unchanged after a 403, and refused again",
        why: "A 403 (`missing.any.permissions`) says the OAuth client's roles do not grant the \
              operation in that division. The same request gets the same answer until an admin \
              changes the client's roles; every repeat spends the token's rate limit, and a \
              client that only retries hides the fix (a role) from whoever reads its logs.",
        source: "Genesys SDK docs (SCIMApi, UsersApi): \"Requires ANY permissions\" per operation; missing.any.permissions in Genesys' error codes (gildas/go-gcloudcx error.go)",
        hint: "Treat a 403 as permanent for the run: log the permissions its message names, skip that operation, and ask for the role (docs/permissions.md).",
        history: true,
    },
    RuleInfo {
        id: "raw-slash-authority",
        severity: Severity::Error,
        title: "A URL-shaped authority sent with raw slashes to the external-id API",
        why: "Genesys splits the path on `/` before decoding, so `https://idp/fas` as an \
              authority becomes several path segments and the lookup fails. The encoded form works.",
        source: "Genesys community thread \"User - Generic SSO\" (2025-08-13, https://community.genesys.com/discussion/user-generic-sso): \"ensure the authorityName is URL encoded\"",
        hint: "Percent-encode the whole authority, slashes included (encodeURIComponent).",
        history: false,
    },
    RuleInfo {
        id: "phone-not-e164",
        severity: Severity::Warning,
        title: "A phone number that is not E.164 or a tel URI",
        why: "Genesys stores phone numbers as E.164 (+ and 2 to 15 digits) with an optional \
              extension (`tel:+13175550123;ext=12`); other forms are refused, so the user is \
              not provisioned.",
        source: "Genesys help, \"Configure Microsoft Entra ID for Genesys Cloud SCIM (Identity Management)\": phone extensions as tel:...;ext=..., StripSpaces; Genesys help, \"SCIM and Genesys Cloud field mappings\" (https://help.mypurecloud.com/articles/scim-and-genesys-cloud-field-mappings/)",
        hint: "Normalise numbers to E.164 before sending; put extensions in tel:...;ext=....",
        history: false,
    },
    RuleInfo {
        id: "unauthenticated",
        severity: Severity::Error,
        title: "An API request without a bearer token",
        why: "Every /api/v2 call, discovery included, needs `Authorization: Bearer <token>`; \
              Genesys answers 401.",
        source: "Genesys SCIM API reference (every operation takes a bearer token)",
        hint: "Get a client-credentials token from /oauth/token and send it on every call.",
        history: false,
    },
    RuleInfo {
        id: "wrong-content-type",
        severity: Severity::Warning,
        title: "A request body with the wrong Content-Type",
        why: "Genesys takes SCIM bodies as application/json or application/scim+json and token \
              requests as application/x-www-form-urlencoded; anything else is a 415 or a \
              misread body.",
        source: "RFC 7644 §3.1 and §8.1; RFC 6749 §4.4.2 (token requests are form-encoded)",
        hint: "Send Content-Type: application/scim+json (SCIM) or application/x-www-form-urlencoded (/oauth/token).",
        history: false,
    },
    RuleInfo {
        id: "not-idempotent",
        severity: Severity::Error,
        title: "A write that changed state during a second run of the same sync",
        why: "A sync run twice over unchanged source data should change nothing the second time. \
              Writes that still change state mean the client's diff is wrong: on real Genesys \
              every such write costs rate limit and can flap users.",
        source: "Genesys developer center, \"Genesys Cloud SCIM (Identity Management) overview\" (compare, then create or update only what differs)",
        hint: "Compare with what Genesys returns (after its mapping, see docs/mapping.md) and skip writes that change nothing.",
        history: true,
    },
];

/// The rule with this id.
pub(crate) fn rule(id: &str) -> Option<&'static RuleInfo> {
    RULES.iter().find(|r| r.id == id)
}

/// Every rule id, comma-separated: what an error about an unknown id lists.
pub(crate) fn ids() -> String {
    RULES.iter().map(|r| r.id).collect::<Vec<_>>().join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_unique_and_kebab_case() {
        let mut seen = std::collections::HashSet::new();
        for r in RULES {
            assert!(seen.insert(r.id), "{} twice", r.id);
            assert!(
                r.id.chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-'),
                "{}",
                r.id
            );
            assert!(!r.why.is_empty() && !r.source.is_empty() && !r.hint.is_empty());
        }
        assert_eq!(RULES.len(), 22);
    }
}
