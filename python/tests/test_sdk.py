"""The pytest plugin with the official Genesys Python SDK (PyPI PureCloudPlatformClientV2), run
by .ci/steps/32-python.sh against the installed wheel, once serially and once under
`pytest -n 2`."""

import json
import os
import shutil
import subprocess
import sys
import urllib.request

import PureCloudPlatformClientV2 as gc
import pytest
from PureCloudPlatformClientV2.rest import ApiException

import genesys_scim_mock
from genesys_scim_mock import ExpectationFailed, GenesysMock, MockOrg


def sdk(endpoint):
    """The SDK logged in to one org, as an application would be."""
    api = gc.ApiClient(host=endpoint.url)
    api.get_client_credentials_token(endpoint.client_id, endpoint.client_secret)
    return gc.SCIMApi(api)


def new_user(name):
    user = gc.ScimV2CreateUser()
    user.user_name = f"{name}@example.com"
    user.display_name = name.title()
    return user


def test_the_session_mock_is_the_default_org_on_a_free_port(genesys_mock):
    assert isinstance(genesys_mock, GenesysMock)
    assert genesys_mock.url.startswith("http://127.0.0.1:")
    assert genesys_mock.org_id == "default"
    assert genesys_mock.client_id == "mock-client-id"
    assert genesys_mock.scim_url == genesys_mock.url + "/api/v2/scim/v2"
    assert genesys_mock.token_url == genesys_mock.url + "/oauth/token"
    found = sdk(genesys_mock).get_scim_v2_users(filter='userName eq "maria.garcia@example.com"')
    assert found.total_results == 1


def test_a_user_created_through_the_sdk_is_read_back_through_its_location(genesys_org):
    scim = sdk(genesys_org)
    created = scim.post_scim_v2_users(new_user("ada.lovelace"))
    assert scim.get_scim_v2_user(created.id).user_name == "ada.lovelace@example.com"
    # The Location of a create, followed as any HTTP client would.
    body = json.dumps({"userName": "grace.hopper@example.com", "displayName": "Grace Hopper"})
    request = urllib.request.Request(
        f"{genesys_org.scim_url}/Users", data=body.encode(), method="POST",
        headers={"Authorization": f"Bearer {genesys_org.token()}", "Content-Type": "application/scim+json"})
    with urllib.request.urlopen(request) as resp:
        assert resp.status == 201
        location = resp.headers["Location"]
    assert location.startswith(f"{genesys_org.scim_url}/Users/")
    read = urllib.request.Request(location, headers={"Authorization": f"Bearer {genesys_org.token()}"})
    with urllib.request.urlopen(read) as resp:
        assert json.load(resp)["userName"] == "grace.hopper@example.com"


def test_each_test_gets_its_own_org(genesys_mock, genesys_org):
    assert isinstance(genesys_org, MockOrg)
    assert genesys_org.org_id != genesys_mock.org_id
    assert genesys_org.client_id != genesys_mock.client_id
    sdk(genesys_org).post_scim_v2_users(new_user("only.here"))
    # The org starts as a copy of the default org, and nothing of it leaks into the default org.
    assert sdk(genesys_org).get_scim_v2_users(filter='userName eq "maria.garcia@example.com"').total_results == 1
    assert sdk(genesys_mock).get_scim_v2_users(filter='userName eq "only.here@example.com"').total_results == 0
    assert sdk(genesys_org).get_scim_v2_users(filter='userName eq "only.here@example.com"').total_results == 1


def test_the_same_user_name_in_two_tests_does_not_collide_a(genesys_org):
    sdk(genesys_org).post_scim_v2_users(new_user("same.name"))


def test_the_same_user_name_in_two_tests_does_not_collide_b(genesys_org):
    sdk(genesys_org).post_scim_v2_users(new_user("same.name"))


@pytest.mark.genesys_scenario("scenarios/create-fails-once.json")
def test_a_scenario_marker_applies_to_this_test_only(genesys_org):
    scim = sdk(genesys_org)
    with pytest.raises(ApiException) as failed:
        scim.post_scim_v2_users(new_user("retried"))
    assert failed.value.status == 503
    assert scim.post_scim_v2_users(new_user("retried")).user_name == "retried@example.com"
    creates = genesys_org.journal(route="users.create")
    assert [e["status"] for e in creates] == [503, 201]


def test_the_scenario_is_gone_after_its_test(genesys_org):
    assert sdk(genesys_org).post_scim_v2_users(new_user("first.try")).id


def test_expect_compares_the_end_state(genesys_org):
    sdk(genesys_org).post_scim_v2_users(new_user("expected"))
    result = genesys_org.expect({"users": [{"userName": "expected@example.com", "displayName": "Expected"}]})
    assert result["ok"]
    with pytest.raises(ExpectationFailed) as unmet:
        genesys_org.expect({"users": [{"userName": "expected@example.com", "displayName": "Someone Else"}]})
    assert unmet.value.result["differing"]


def test_the_report_grades_this_org_alone(genesys_org):
    sdk(genesys_org).get_scim_v2_users(count=25)
    report = genesys_org.report(fail_on="error")
    assert report["scope"]["org"] == genesys_org.org_id
    assert genesys_org.report(format="junit").startswith("<?xml")


def test_the_clock_moves_on_request(genesys_mock):
    before = json.loads(genesys_mock.admin("GET", "/clock"))
    genesys_mock.advance_clock(61)
    after = json.loads(genesys_mock.admin("GET", "/clock"))
    assert after["now"] > before["now"]


def test_reset_of_an_org_restores_its_fixture(genesys_org):
    scim = sdk(genesys_org)
    scim.post_scim_v2_users(new_user("gone.after.reset"))
    genesys_org.reset()
    assert scim.get_scim_v2_users(filter='userName eq "gone.after.reset@example.com"').total_results == 0


def test_the_shared_test_script_runs_with_the_plugins_variables(genesys_org):
    """docs/ci.md's run-scim-tests.sh, given the variables `exec` and every recipe set."""
    script = os.environ.get("GSM_SHARED_SCRIPT")
    if not script:
        pytest.fail("GSM_SHARED_SCRIPT (docs/ci.md's run-scim-tests.sh) is not set")
    env = {**os.environ, **genesys_org.env()}
    done = subprocess.run(["sh", script], env=env, capture_output=True, text=True, timeout=30)
    assert done.returncode == 0, done.stderr
    assert genesys_org.org_id and "read it back" in done.stdout


def test_the_binary_is_the_wheels_and_python_m_runs_it():
    binary = genesys_scim_mock.find_bin()
    assert os.path.dirname(binary) == os.path.dirname(sys.executable)
    assert shutil.which("cargo") is None, "this suite must run where no Rust toolchain is"
    out = subprocess.run([sys.executable, "-m", "genesys_scim_mock", "--version"],
                         capture_output=True, text=True, check=True)
    assert out.stdout.startswith("genesys-scim-mock ")
