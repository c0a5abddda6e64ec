//! The fidelity ledger: every behaviour of Genesys the mock emulates that plain RFC 7643/7644
//! (or RFC 6749 for tokens) would not give, with what the client sends, what the mock answers,
//! the evidence for it, a public source a user can open, the switch that changes it (if any)
//! and the test that pins it. `docs/fidelity.md` is generated from [`LEDGER`] and checked
//! against it by the tests below, which also check that every switch of [`super::SWITCHES`] has
//! a row, that every row's switch exists, and that every named test exists.

/// How strong the evidence for a behaviour is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Evidence {
    /// Genesys documents it (help articles, developer center, SDK docs generated from its API
    /// definition).
    Documented,
    /// Code Genesys maintains and runs against real orgs shows it (its Terraform provider,
    /// its SDKs).
    GenesysCode,
    /// A customer, a moderator or a third-party client reports it.
    CustomerReport,
    /// Inferred from documented facts (the reasoning is in the row).
    Inferred,
    /// Nobody documents it; the mock chose.
    MockChoice,
}

impl Evidence {
    fn label(self) -> &'static str {
        match self {
            Self::Documented => "documented by Genesys",
            Self::GenesysCode => "Genesys-maintained code",
            Self::CustomerReport => "customer report",
            Self::Inferred => "inferred",
            Self::MockChoice => "the mock's own choice",
        }
    }
}

/// One emulated behaviour.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Behaviour {
    pub name: &'static str,
    /// What the client sends.
    pub sends: &'static str,
    /// What the mock answers (by default).
    pub answers: &'static str,
    pub evidence: Evidence,
    /// Where a user can check it: an article title and URL, a repository path and function, a
    /// forum thread title and date.
    pub source: &'static str,
    /// The `--compat` switch that changes it, if any.
    pub switch: Option<&'static str>,
    /// The test that pins it: `tests/api/<file>.rs::<function>`.
    pub test: &'static str,
}

const fn row(
    name: &'static str,
    sends: &'static str,
    answers: &'static str,
    evidence: Evidence,
    source: &'static str,
    switch: Option<&'static str>,
    test: &'static str,
) -> Behaviour {
    Behaviour {
        name,
        sends,
        answers,
        evidence,
        source,
        switch,
        test,
    }
}

use Evidence::{CustomerReport, Documented, GenesysCode, Inferred, MockChoice};

/// Every emulated behaviour, grouped by surface.
pub(crate) const LEDGER: &[Behaviour] = &[
    // ---- SCIM: routes, filters, lists ----
    row(
        "Lower-case and legacy SCIM paths",
        "`GET /api/v2/scim/users`, `/api/v2/scim/v2/Users/`",
        "the same resources on both trees, any case, trailing slash or not",
        Documented,
        "Genesys Python SDK docs, `MyPureCloud/platform-client-sdk-python` `build/docs/SCIMApi.md` (every operation on `/api/v2/scim/` and `/api/v2/scim/v2/`, lower-case)",
        None,
        "tests/api/users.rs::legacy_tree_capitalisation_and_trailing_slash_all_route",
    ),
    row(
        "Only documented filters",
        "`filter=title eq \"x\"`, `co`, `or`, ...",
        "400 `invalidFilter` naming the part Genesys does not document; the documented `eq` filters work",
        Documented,
        "Genesys Python SDK docs, `build/docs/SCIMApi.md`, `get_scim_v2_users` and `get_scim_v2_groups` `filter`",
        Some("profile"),
        "tests/api/patch.rs::genesys_profile_accepts_documented_filters",
    ),
    row(
        "Unquoted filter values",
        "`filter=userName eq a@b.com`",
        "matched as the string `a@b.com`",
        Documented,
        "Genesys Python SDK docs, `build/docs/SCIMApi.md`, the `filter` examples (`userName eq search@sample.org`)",
        None,
        "tests/api/users.rs::eq_filters_on_user_name_id_external_id_quoted_unquoted_plus_and_percent20",
    ),
    row(
        "Single-quoted filter values",
        "`externalIds[authority eq 'microsoftteams'].value`",
        "the string `microsoftteams`, quotes never stored; an unterminated quote is `invalidFilter`",
        Inferred,
        "Microsoft Learn, \"Configure Genesys Cloud for Azure for automatic user provisioning\" (its mapping targets are single-quoted; Genesys works with Entra)",
        None,
        "tests/api/patch.rs::single_quoted_values_are_strings_and_the_quotes_are_never_stored",
    ),
    row(
        "An empty filter",
        "`filter=` (the JS SDK requires the argument)",
        "no filter: the whole list",
        MockChoice,
        "`MyPureCloud/platform-client-sdk-javascript`, `SCIMApi.js`, `getScimV2Groups(filter, opts)`",
        None,
        "tests/api/conventions.rs::an_empty_filter_is_no_filter_on_groups_and_users",
    ),
    row(
        "Active users only without a filter",
        "`GET /Users`",
        "active users; `active eq false` lists inactive ones; a filter naming a user finds it either way",
        Documented,
        "Genesys Python SDK docs, `build/docs/SCIMApi.md`, `get_scim_v2_users` (\"all active users\")",
        Some("list-active-only"),
        "tests/api/users.rs::no_filter_lists_only_active_and_active_eq_false_lists_inactive",
    ),
    row(
        "A page over 25",
        "`GET /Users?count=100`",
        "served (`large-count-429=true`: 429, as the docs warn it \"may\")",
        Documented,
        "Genesys Python SDK docs, `build/docs/SCIMApi.md`, `count` (\"may exceed internal resource limits and return a 429\")",
        Some("large-count-429"),
        "tests/api/reported.rs::count_over_25_answers_429_and_a_client_paging_by_25_reads_everything",
    ),
    row(
        "A filter on /Schemas",
        "`GET /Schemas?filter=...`",
        "403",
        Documented,
        "Genesys Python SDK docs, `build/docs/SCIMApi.md`, `get_scim_v2_schemas` (\"Filtered results are invalid and return 403 Unauthorized\")",
        None,
        "tests/api/discovery.rs::filtered_schemas_are_403_as_documented",
    ),
    row(
        "Root search",
        "`POST /.search`",
        "404",
        Inferred,
        "Genesys Python SDK docs, `build/docs/SCIMApi.md` (no `.search` operation)",
        Some("dot-search"),
        "tests/api/profile.rs::dot_search_is_served_under_rfc_501_on_request_and_404_under_genesys",
    ),
    row(
        "ServiceProviderConfig values",
        "`GET /ServiceProviderConfig`",
        "patch, etag and filter supported; bulk, sort and changePassword not",
        MockChoice,
        "Genesys SDK model docs, `ScimServiceProviderConfig` (the fields; the values are not published)",
        None,
        "tests/api/discovery.rs::service_provider_config_describes_the_surface",
    ),
    row(
        "JSON for SDKs",
        "`Accept: application/json`",
        "the SCIM body as `application/json` (otherwise `application/scim+json`)",
        Inferred,
        "`MyPureCloud/platform-client-sdk-python`, `api_client.py` `select_header_accept` (both SDKs send `Accept: application/json`)",
        None,
        "tests/api/conventions.rs::accept_application_json_gets_application_json_and_the_rest_scim_json",
    ),
    // ---- SCIM: users ----
    row(
        "Version mismatch",
        "`If-Match: \"3\"` on a user at version 4",
        "400 `invalidVers`",
        Documented,
        "Genesys Python SDK docs, `build/docs/SCIMApi.md`, the `if_match` parameter (the swagger's response table says 409)",
        Some("version-mismatch-status"),
        "tests/api/users.rs::if_none_match_gives_304_and_if_match_mismatch_gives_400_invalid_vers",
    ),
    row(
        "userName is the main email",
        "`\"userName\": \"bob\"`",
        "400 `invalidValue`; the userName comes back as the read-only `other` email",
        Documented,
        "Genesys help, \"SCIM and Genesys Cloud field mappings\", https://help.mypurecloud.com/articles/scim-and-genesys-cloud-field-mappings/ (userName is `contactInfo.email_main`)",
        Some("username-must-be-email"),
        "tests/api/mapping.rs::user_name_is_the_main_email_and_other_email_mirrors_it",
    ),
    row(
        "No meta.created",
        "`GET /Users/{id}`",
        "`meta` with `location`, `version` and `lastModified` only",
        Documented,
        "Genesys help, \"SCIM and Genesys Cloud field mappings\" (the meta fields it maps)",
        Some("meta-created"),
        "tests/api/profile.rs::rfc_accepts_any_user_name_and_renders_meta_created_genesys_does_neither",
    ),
    row(
        "Unsupported attributes",
        "`name.givenName`, `addresses`, `locale`, ...",
        "2xx; not stored, never returned",
        Documented,
        "Genesys help, \"SCIM and Genesys Cloud field mappings\" (\"Not currently supported\")",
        Some("unsupported-attributes"),
        "tests/api/mapping.rs::unsupported_attributes_are_dropped_and_never_returned",
    ),
    row(
        "Genesys extension and dateHire",
        "`routingSkills`, `routingLanguages`, `externalIds`, enterprise `dateHire`",
        "stored, returned, and declared in `/Schemas`",
        Documented,
        "Genesys help, \"SCIM and Genesys Cloud field mappings\"",
        Some("genesys-attributes"),
        "tests/api/profile.rs::rfc_offers_no_genesys_additions_genesys_offers_them",
    ),
    row(
        "Roles, division and manager must exist",
        "`roles: [{\"value\": \"Nope\"}]`, an unknown division",
        "400 `invalidValue`; names are never created",
        Documented,
        "Genesys help, \"SCIM and Genesys Cloud field mappings\" (division is `divisionId`); Genesys developer forum, \"Azure AD roles, skills and languages\" (roles matched by name)",
        Some("reference-values"),
        "tests/api/mapping.rs::roles_are_matched_by_name_and_must_exist",
    ),
    row(
        "Contact slots",
        "`emails` and `phoneNumbers` of any type and form",
        "Genesys' slots: one work email, one phone per Genesys type, E.164 or `tel:`",
        Documented,
        "Genesys help, \"SCIM and Genesys Cloud field mappings\"; Genesys help, \"Configure Microsoft Entra ID for Genesys Cloud SCIM (Identity Management)\" (`tel:...;ext=...`)",
        Some("contact-lists"),
        "tests/api/mapping.rs::every_phone_type_and_form_round_trips_through_both_views",
    ),
    row(
        "Genesys defaults",
        "a create without `roles` or `division`",
        "the `employee` role and the Home division; `active` always returned",
        Documented,
        "Genesys community, \"User provisioning\" (a user created without roles gets `employee`); Genesys Python SDK docs, `build/docs/SCIMApi.md` (always returned: id, userName, active, meta)",
        Some("genesys-defaults"),
        "tests/api/profile.rs::rfc_fills_no_defaults_genesys_gives_home_and_employee",
    ),
    row(
        "String booleans",
        "`{\"op\": \"Replace\", \"path\": \"active\", \"value\": \"False\"}`",
        "taken as `false`",
        Inferred,
        "Microsoft Learn, \"Known issues and resolutions with SCIM 2.0 protocol compliance\" (Entra sends them; Genesys works with Entra)",
        Some("coerce-string-booleans"),
        "tests/api/reported.rs::both_entra_dialects_change_users_and_groups_the_same_way",
    ),
    row(
        "Replace that creates",
        "`replace` of `emails[type eq \"work\"].value` on a user without one",
        "the work email is created (RFC: `noTarget`)",
        Inferred,
        "Microsoft Learn, \"Known issues and resolutions with SCIM 2.0 protocol compliance\" (Entra sends such paths; Genesys works with Entra)",
        Some("patch-replace-creates"),
        "tests/api/patch.rs::replace_on_a_filtered_path_with_no_match_creates_unless_switched_off",
    ),
    row(
        "Extension paths need the URN",
        "PATCH `path: \"externalIds\"`",
        "400 `invalidPath`; the full `urn:...:genesys:purecloud:2.0:User:externalIds` works",
        CustomerReport,
        "Genesys community, \"User - Generic SSO\", 2025-08-13, https://community.genesys.com/discussion/user-generic-sso",
        Some("patch-extension-needs-urn"),
        "tests/api/patch.rs::forum_thread_external_ids_patches_behave_as_the_thread_reports",
    ),
    row(
        "Extension-only PUT",
        "`PUT` with only the Genesys extension",
        "200; `userName`, `displayName`, `active`, `roles` and the `x-pc:scimv2:v1` id are kept",
        CustomerReport,
        "Genesys community, \"User - Generic SSO\", 2025-08-13",
        None,
        "tests/api/externalid.rs::forum_thread_extension_only_put_replaces_the_external_ids_on_both_trees",
    ),
    row(
        "Empty values",
        "`{\"op\": \"replace\", \"path\": \"title\", \"value\": \"\"}`, or `\"\"` in a PUT",
        "the value already there is kept; `remove` clears",
        CustomerReport,
        "Genesys community, \"MS Entra ID SCIM integration – fields mapping\", 2026-04-15 (a moderator); Genesys help, \"Configure Microsoft Entra ID for Genesys Cloud SCIM (Identity Management)\"",
        Some("empty-values"),
        "tests/api/patch.rs::empty_values_leave_existing_data_by_default_and_remove_clears",
    ),
    row(
        "Soft delete",
        "`DELETE /Users/{id}`",
        "204; then 404 and gone from lists; the platform keeps it as `deleted`",
        Documented,
        "Genesys help, \"Delete someone from your organization\"; `MyPureCloud/platform-client-sdk-javascript` `build/docs/SCIMApi.md` up to 53.0.0 (\"Soft delete user\")",
        None,
        "tests/api/users.rs::delete_is_soft_gets_404_and_leaves_lists",
    ),
    row(
        "Re-creating a deleted user",
        "`POST /Users` with a deleted user's `userName`",
        "201 with the same id, active, Home division, no roles",
        Documented,
        "Genesys help FAQ, \"What happens when I delete a user in Genesys Cloud and later re-enable the user in Okta?\"; Genesys help, \"Delete someone from your organization\"",
        Some("revive-deleted"),
        "tests/api/reported.rs::re_creating_a_deleted_user_follows_each_revive_value",
    ),
    row(
        "The SCIM external id",
        "`externalId`",
        "stored as the `x-pc:scimv2:v1` external id, shown in the extension's `externalIds` and the external-id API",
        Documented,
        "Genesys SDK model docs, `ScimUserExtensions.externalIds` (\"always includes an immutable SCIM authority\"); Genesys help, \"SCIM and Genesys Cloud field mappings\"",
        None,
        "tests/api/mapping.rs::external_ids_always_carry_the_scim_authority",
    ),
    row(
        "Eventual consistency of SCIM user reads",
        "`POST /Users`, then `GET /Users/{id}`; `DELETE`, then a search",
        "404 for the lag; the deleted user still listed for the lag",
        GenesysCode,
        "`MyPureCloud/terraform-provider-genesyscloud` `genesyscloud/user/resource_genesyscloud_user.go` (`createUser` retries the read; `deleteUser` polls the search for 3 minutes)",
        Some("read-lag"),
        "tests/api/reported.rs::read_lag_in_reads_hides_new_users_and_keeps_deleted_ones",
    ),
    row(
        "Version errors on delete",
        "`DELETE /Users/{id}` (scenario `version-error-on-delete`)",
        "409 or 400 `invalidVers`, then success",
        GenesysCode,
        "`MyPureCloud/terraform-provider-genesyscloud` `genesyscloud/user/resource_genesyscloud_user.go` `deleteUser` (\"Directory occasionally returns version errors on deletes\")",
        None,
        "tests/api/reported.rs::version_errors_on_delete_leave_the_user_and_a_retrying_client_deletes_it",
    ),
    // ---- SCIM: groups ----
    row(
        "Groups cannot be created or deleted",
        "`POST /Groups`, `DELETE /Groups/{id}`",
        "405 with `Allow`",
        Documented,
        "Genesys developer center, \"Genesys Cloud SCIM (Identity Management) overview\"; Microsoft Learn, \"Configure Genesys Cloud for Azure for automatic user provisioning\" (creation and deletion not supported)",
        None,
        "tests/api/groups.rs::post_and_delete_are_405_with_allow",
    ),
    row(
        "Only public groups",
        "`GET /Groups`",
        "public groups only; a user's `groups` lists its public official groups",
        Documented,
        "Genesys help, \"Configure Microsoft Entra ID for Genesys Cloud SCIM (Identity Management)\" (\"Groups must be set to public\")",
        None,
        "tests/api/fixtures.rs::the_large_org_serves_its_own_client_and_data",
    ),
    row(
        "Groups matched by name",
        "`filter=displayName eq \"sales team\"`",
        "the group named `Sales Team` (case-insensitive)",
        Documented,
        "Genesys help, \"Configure Microsoft Entra ID for Genesys Cloud SCIM (Identity Management)\" (matched by name case-insensitively)",
        None,
        "tests/api/groups.rs::list_get_and_display_name_filter_case_insensitive",
    ),
    row(
        "A group's name is read-only",
        "PATCH of `displayName` to another name",
        "400 `mutability`; the same name is a no-op",
        Inferred,
        "`MyPureCloud/platform-client-sdk-dotnet` `ScimV2Group.cs` (`displayName` is read-only)",
        None,
        "tests/api/groups.rs::okta_rename_with_same_name_is_a_no_op_but_a_rename_is_mutability",
    ),
    row(
        "Eventual consistency of group reads",
        "a membership `PATCH`, then `GET /Groups/{id}` or `GET /api/v2/groups`",
        "the group as it was, for the lag",
        GenesysCode,
        "`MyPureCloud/terraform-provider-genesyscloud` `genesyscloud/group/resource_genesyscloud_group.go` `readGroup` (`WithRetriesForRead`)",
        Some("read-lag"),
        "tests/api/reported.rs::read_lag_covers_group_reads",
    ),
    // ---- external ids ----
    row(
        "Adding an external id",
        "`POST /api/v2/users/{id}/externalid` `{authorityName, externalKey}`",
        "201 with the one created `UserExternalIdentifier` (an object)",
        GenesysCode,
        "`MyPureCloud/terraform-provider-genesyscloud` `genesyscloud/external_user/genesyscloud_externalusers_identity_proxy.go` `callExternalUserAPI` (decodes one object; since v1.59.0)",
        None,
        "tests/api/externalid.rs::post_answers_201_with_the_one_created_identifier_then_lookup_finds_it",
    ),
    row(
        "Re-posting an authority",
        "`POST .../externalid` with an authority the user already has",
        "409; delete the pair, then post the new one",
        CustomerReport,
        "Genesys community, \"User - Generic SSO\", 2025-08-13 (ids can be added, not updated)",
        Some("external-id-repost"),
        "tests/api/externalid.rs::reposting_an_authority_conflicts_by_default",
    ),
    row(
        "URL-shaped authorities with raw slashes",
        "`GET /api/v2/users/externalid/https%3A//idp/fas/K` (the Python SDK's encoding)",
        "404; `https%3A%2F%2Fidp%2Ffas` works",
        CustomerReport,
        "Genesys community, \"User - Generic SSO\", 2025-08-13 (\"ensure the authorityName is URL encoded\")",
        Some("raw-slash-authority"),
        "tests/api/externalid.rs::raw_slashes_are_not_found_by_default",
    ),
    row(
        "At most 100 external ids",
        "a 101st `POST .../externalid`",
        "400",
        Documented,
        "Genesys Python SDK docs, `build/docs/UsersApi.md`, `post_user_externalid` (\"Limit 100 per entity\")",
        None,
        "tests/api/limits.rs::a_user_can_have_100_external_ids_not_101",
    ),
    row(
        "Eventual consistency of external ids",
        "`POST` or `DELETE` of an external id, then `GET /api/v2/users/{id}/externalid`",
        "the pair missing (after a POST) or still there (after a DELETE), for the lag",
        GenesysCode,
        "`MyPureCloud/terraform-provider-genesyscloud` `genesyscloud/external_user/resource_genesyscloud_externalusers_identity.go` (`readExternalUser` retries; `deleteExternalUser` polls 180 s)",
        Some("read-lag"),
        "tests/api/reported.rs::read_lag_covers_external_id_reads",
    ),
    // ---- platform users ----
    row(
        "Reading a deleted user",
        "`GET /api/v2/users/{id}` of a deleted user",
        "404; with `?state=deleted`, 200 and `state: deleted`",
        Documented,
        "Genesys Python SDK docs, `build/docs/UsersApi.md`, `get_user` `state`; `MyPureCloud/terraform-provider-genesyscloud` `genesyscloud/user` `restoreDeletedUser`",
        None,
        "tests/api/platform.rs::a_deleted_user_is_404_unless_state_deleted_asks_for_it",
    ),
    row(
        "Searching users",
        "`POST /api/v2/users/search` with EXACT `email` and `state: deleted`",
        "`{total, pageCount, pageSize, pageNumber, types, results}`",
        GenesysCode,
        "`MyPureCloud/terraform-provider-genesyscloud` `genesyscloud/user/resource_genesyscloud_user_utils.go` `getDeletedUserId`",
        None,
        "tests/api/platform.rs::the_user_search_finds_by_email_and_state_in_genesys_shape",
    ),
    row(
        "Restoring a deleted user",
        "`PATCH /api/v2/users/{id}` `{\"state\": \"active\", \"version\": N}`",
        "200, active in the Home division without roles; a stale version is 409 \"does not match the current version\"",
        GenesysCode,
        "`MyPureCloud/terraform-provider-genesyscloud` `genesyscloud/user/resource_genesyscloud_user_utils.go` `restoreDeletedUser`, `genesyscloud/util/util_retries.go` `IsVersionMismatch`; Genesys help, \"Delete someone from your organization\"",
        None,
        "tests/api/platform.rs::a_deleted_user_is_restored_by_a_patch_of_state_with_its_version",
    ),
    row(
        "Both ways back, end to end",
        "a SCIM create of a deleted user's `userName`, or the provider's search and restore",
        "the same id back, active, without roles (scenario `re-create-deleted-user`)",
        GenesysCode,
        "`MyPureCloud/terraform-provider-genesyscloud` PR 631 (2023-09-18: `general.conflict`, then restore)",
        None,
        "tests/api/reported.rs::a_deleted_user_comes_back_by_a_scim_create_or_by_the_providers_restore",
    ),
    row(
        "The org",
        "`GET /api/v2/organizations/me`",
        "`id`, `name`, `defaultCountryCode`, `defaultLanguage`, `thirdPartyOrgName`, `state`, `version`, `selfUri`",
        GenesysCode,
        "`MyPureCloud/terraform-provider-genesyscloud` `genesyscloud/provider/provider.go` (dereferences `defaultCountryCode` at start)",
        None,
        "tests/api/platform.rs::the_org_answers_organizations_me",
    ),
    row(
        "Eventual consistency of platform user reads",
        "`POST /Users`, then `GET /api/v2/users/{id}` or a list",
        "404 and absent for the lag; a deleted user still listed for the lag",
        GenesysCode,
        "`MyPureCloud/terraform-provider-genesyscloud` `genesyscloud/user/resource_genesyscloud_user.go` (`createUser`, `deleteUser`)",
        Some("read-lag"),
        "tests/api/reported.rs::read_lag_covers_platform_user_reads_and_lists",
    ),
    // ---- OAuth, errors, limits ----
    row(
        "Three 401s",
        "no bearer token; a token the org never issued; an expired token",
        "401 `authentication.required`, `bad.credentials`, `credentials.expired`, with Genesys' messages",
        CustomerReport,
        "`gildas/go-gcloudcx` (a third-party Go client), its catalogue of Genesys error codes",
        Some("auth-errors"),
        "tests/api/auth.rs::missing_unknown_and_expired_tokens_get_the_three_genesys_401s",
    ),
    row(
        "Token endpoint refusals",
        "`POST /oauth/token` with an unknown client id, or a wrong secret",
        "401 `invalid_client`, `client not found` or `authentication failed` in `description` and `error_description`",
        CustomerReport,
        "`gildas/go-gcloudcx`, its tests against login.mypurecloud.com",
        Some("auth-errors"),
        "tests/api/auth.rs::the_token_endpoint_says_client_not_found_or_authentication_failed",
    ),
    row(
        "Token requests are rate-limited",
        "a 301st token request of one client within a minute",
        "400 `{\"error\": \"invalid_request\", \"error_description\": \"rate limit exceeded; ...\"}`",
        GenesysCode,
        "`MyPureCloud/terraform-provider-genesyscloud` `genesyscloud/provider/provider.go` (PR #1004, 2024-05-01: retries only this refusal); Genesys' Limits page, https://developer.genesys.cloud/organization/organization/limits (`token.rate.per.minute` = 300)",
        None,
        "tests/api/auth.rs::the_token_endpoint_refuses_a_client_past_its_token_rate_with_the_400_the_provider_retries",
    ),
    row(
        "Long-lived tokens for SCIM clients",
        "a client with `tokenTtlSecs` over 172800",
        "allowed up to 38880000 (450 days) for a SCIM client (`scim: true`), refused otherwise",
        GenesysCode,
        "`MyPureCloud/terraform-provider-genesyscloud` `genesyscloud/oauth_client/resource_genesyscloud_oauth_client_schema.go` (`access_token_validity_seconds`, `IntBetween(300, 38880000)`)",
        None,
        "tests/api/limits.rs::scim_clients_may_issue_tokens_for_450_days_and_others_for_48_hours",
    ),
    row(
        "300 requests per minute per token",
        "a 301st request of one token within a minute",
        "429, `Retry-After`, the normalised body",
        Documented,
        "Genesys' Limits page, https://developer.genesys.cloud/organization/organization/limits (`client.credentials.token.rate.per.minute`)",
        None,
        "tests/api/limits.rs::a_client_over_the_limit_gets_429_until_exactly_retry_after_has_passed",
    ),
    row(
        "The normalised 429",
        "any throttled request, SCIM routes included",
        "`{\"message\": \"Rate limit exceeded the maximum. Retry the request in [N] seconds\", \"code\": \"too.many.requests.retry.after\", ...}` with `Retry-After`",
        Documented,
        "Genesys developer forum, \"Normalized Platform API 429 responses\", 2021-11-10, https://developer.genesys.cloud/forum/t/normalized-platform-api-429-responses/12028",
        None,
        "tests/api/limits.rs::the_429_is_the_normalised_genesys_body_even_on_scim_routes",
    ),
    row(
        "No inin-ratelimit headers",
        "any limited request",
        "no `inin-ratelimit-*` headers",
        Documented,
        "Genesys developer forum, \"Removal of inin-ratelimit response headers\", https://developer.genesys.cloud/forum/t/removal-of-inin-ratelimit-response-headers/10506",
        Some("ratelimit-headers"),
        "tests/api/limits.rs::ratelimit_headers_switch_emits_the_historic_headers",
    ),
    row(
        "A shared resource limit",
        "three requests on a fresh token while another integration spends the resource's limit",
        "429 on the third, and again after `Retry-After`",
        CustomerReport,
        "Genesys community, \"I am getting error 429 rate limit exceeded even after 3 requests\", 2025-03-27",
        None,
        "tests/api/reported.rs::a_shared_route_limit_refuses_a_fresh_token_after_three_requests_and_again_after_retry_after",
    ),
    row(
        "Request size",
        "a body over 512000 bytes",
        "413, \"The request is over the size limit. Maximum bytes: 512000\"",
        Documented,
        "Genesys' Limits page (`request.bytes.max`)",
        None,
        "tests/api/limits.rs::a_body_at_the_size_limit_is_accepted_and_one_byte_more_is_413",
    ),
    row(
        "At most 50 skills and 50 languages",
        "a 51st routing skill or language",
        "400 `invalidValue`",
        Documented,
        "Genesys SDK model docs, `ScimUserExtensions.routingSkills` and `routingLanguages`",
        None,
        "tests/api/limits.rs::a_user_can_have_50_skills_and_50_languages_not_51",
    ),
    row(
        "A pasted token that expires",
        "a token pasted into Entra, used after its lifetime",
        "401 on every call; a client that renews carries on",
        CustomerReport,
        "GitHub issue MicrosoftDocs/azure-docs#96063 (provisioning \"simply stopped\")",
        None,
        "tests/api/reported.rs::an_expired_pasted_token_gets_401_and_a_renewing_client_carries_on",
    ),
    row(
        "Permissions",
        "a SCIM create by a client whose roles grant only `directory:user:view`",
        "403 `missing.any.permissions` naming the permissions that would do; a client with the right role in the user's division gets through",
        Documented,
        "Genesys Python SDK docs, `build/docs/SCIMApi.md` (\"Requires ANY permissions\" per operation)",
        Some("permissions"),
        "tests/api/permissions.rs::a_client_that_may_only_view_users_gets_403_on_create_and_one_with_directory_user_all_gets_201",
    ),
    row(
        "Reads across divisions",
        "`GET /Users` by a client granted one division",
        "every user (`division-reads=granted`: only those in its divisions)",
        Documented,
        "Genesys Python SDK docs, `build/docs/SCIMApi.md` (user reads \"Require NO permissions\")",
        Some("division-reads"),
        "tests/api/permissions.rs::division_reads_granted_leaves_out_users_outside_the_clients_divisions",
    ),
    row(
        "Correlation ids",
        "any request",
        "`ININ-Correlation-Id` on every response, echoed as `contextId` in platform errors",
        Documented,
        "Genesys SDK model docs, `ErrorBody.contextId`; Genesys developer forum, \"Normalized Platform API 429 responses\"",
        None,
        "tests/api/auth.rs::every_response_carries_a_correlation_id_echoed_in_errors",
    ),
];

/// A table cell: pipes escaped, so a cell can never split the row.
fn cell(text: &str) -> String {
    text.replace('|', "\\|")
}

/// The ledger as the Markdown table `docs/fidelity.md` carries.
pub(crate) fn table() -> String {
    let mut out = String::from(
        "| behaviour | the client sends | the mock answers | evidence | source | switch | test |\n\
         | --- | --- | --- | --- | --- | --- | --- |\n",
    );
    for b in LEDGER {
        let (file, test) = b.test.split_once("::").unwrap_or((b.test, ""));
        out.push_str(&format!(
            "| {} | {} | {} | {} | {} | {} | `{file}` `{test}` |\n",
            cell(b.name),
            cell(b.sends),
            cell(b.answers),
            b.evidence.label(),
            cell(b.source),
            b.switch
                .map_or_else(|| "–".to_owned(), |s| format!("`{s}`")),
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const DOC: &str = "docs/fidelity.md";
    const BEGIN: &str = "<!-- ledger:begin (generated from LEDGER in src/compat/ledger.rs: UPDATE_DOCS=1 cargo test --lib ledger) -->\n";
    const END: &str = "<!-- ledger:end -->\n";

    fn root() -> std::path::PathBuf {
        std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR"))
    }

    /// docs/fidelity.md carries exactly the table of [`LEDGER`]; `UPDATE_DOCS=1` rewrites it.
    #[test]
    fn docs_fidelity_md_is_the_ledger() {
        let path = root().join(DOC);
        let doc = std::fs::read_to_string(&path).expect("docs/fidelity.md");
        let (Some(b), Some(e)) = (doc.find(BEGIN), doc.find(END)) else {
            panic!("{DOC} has no ledger markers");
        };
        let want = table();
        let have = &doc[b + BEGIN.len()..e];
        if have == want {
            return;
        }
        if std::env::var_os("UPDATE_DOCS").is_some() {
            let fresh = format!("{}{BEGIN}{want}{}", &doc[..b], &doc[e..]);
            std::fs::write(&path, fresh).expect("write docs/fidelity.md");
            return;
        }
        panic!("{DOC} is stale; run UPDATE_DOCS=1 cargo test --lib ledger. Expected:\n{want}");
    }

    #[test]
    fn every_switch_has_a_row_and_every_row_names_a_real_switch() {
        for b in LEDGER {
            if let Some(s) = b.switch {
                assert!(
                    crate::compat::SWITCHES.iter().any(|sw| sw.name == s),
                    "{}: no switch {s}",
                    b.name
                );
            }
        }
        for sw in crate::compat::SWITCHES {
            assert!(
                LEDGER.iter().any(|b| b.switch == Some(sw.name)),
                "switch {} has no row in the ledger",
                sw.name
            );
        }
    }

    #[test]
    fn every_row_names_a_test_that_exists_and_is_filled_in() {
        let mut names = std::collections::HashSet::new();
        for b in LEDGER {
            assert!(names.insert(b.name), "{} twice", b.name);
            for (what, text) in [
                ("sends", b.sends),
                ("answers", b.answers),
                ("source", b.source),
            ] {
                assert!(!text.trim().is_empty(), "{}: empty {what}", b.name);
            }
            let (file, test) = b
                .test
                .split_once("::")
                .unwrap_or_else(|| panic!("{}: test is FILE::FUNCTION", b.name));
            let text = std::fs::read_to_string(root().join(file))
                .unwrap_or_else(|e| panic!("{}: {file}: {e}", b.name));
            assert!(
                text.contains(&format!("fn {test}(")),
                "{}: {file} has no fn {test}",
                b.name
            );
        }
    }
}
