"""A suite whose tests pass while the client breaks an error-level rule of the mock's client
report (it tries to create a group, which Genesys SCIM cannot do). Run by .ci/steps/32-python.sh
with `--genesys-report`: the session must fail and name the rule."""

import json
import urllib.error
import urllib.request


def test_a_group_create_is_refused(genesys_org):
    request = urllib.request.Request(
        f"{genesys_org.scim_url}/Groups", data=json.dumps({"displayName": "New"}).encode(),
        method="POST", headers={"Authorization": f"Bearer {genesys_org.token()}",
                                "Content-Type": "application/scim+json"})
    try:
        urllib.request.urlopen(request)
    except urllib.error.HTTPError as e:
        assert e.code == 405
