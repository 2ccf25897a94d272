"""boot-script-no-xtrace (rules/boot.py), driven over gRPC like every policy: the passing MVP graph, then one break
per test.

cloud-init copies a user script's output to /var/log/cloud-init-output.log and the console
(https://docs.cloud-init.io/en/latest/reference/user_files.html); under xtrace that output holds every expanded
command, secrets included. Every test runs at a first preview and at an update (the `mode` fixture).
"""

from __future__ import annotations

import base64
import gzip

import pytest
from pulumi_policy.proxy import UNKNOWN_STRING_VALUE

from conftest import DELETE, extra_resource, find, set_prop
from offline.analyzer import evaluate

from .helpers import check, messages

POLICY = "boot-script-no-xtrace"
HOST = "acme-app-host"
CLEAN = "#!/bin/bash\nset -euo pipefail\necho ready\n"
TRACED = "#!/bin/bash\nset -euxo pipefail\necho ready\n"


def findings(evaluation):
    return messages(evaluation, POLICY)


def with_user_data(mode, prop: str, value: str):
    graph = mode.graph()
    host = find(graph, HOST)
    set_prop(host, "userData", DELETE)
    set_prop(host, prop, value)
    return graph


def b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


def test_the_policy_is_mandatory_and_the_mvp_host_passes_it(mode):
    evaluation = check(mode, mode.run.resources)
    assert evaluation.policies[POLICY] == "mandatory"
    assert findings(evaluation) == []


def test_the_growth_nodes_boot_without_xtrace(growth):
    """Before, every K3s node script began `set -euxo pipefail`, tracing the join token into the console output."""
    evaluation = evaluate(growth.resources, stack="growth", project="phasegate", config=growth.config)
    scripts = [r for r in growth.resources if isinstance(r.inputs.get("userData"), str)]
    assert {r.name for r in scripts} >= {"acme-k3s-server", "acme-k3s-agent-0"}
    assert [v for v in evaluation.violations if v.policy == POLICY] == []


def test_user_data_unknown_at_a_first_preview_is_judged_later(mode):
    host = find(mode.run.resources, HOST)
    if mode.preview:
        assert host.inputs["userData"] == UNKNOWN_STRING_VALUE
    else:
        assert host.inputs["userData"].startswith("#!/bin/bash\n")
    assert findings(check(mode, mode.run.resources)) == []


def test_a_host_booting_with_set_x_fails(mode):
    [message] = findings(check(mode, with_user_data(mode, "userData", TRACED)))
    assert message == (
        f"{HOST}'s user data (userData) turns on xtrace (line 2: 'set -euxo pipefail'): cloud-init copies every "
        f"traced command, with the secrets it expands, to /var/log/cloud-init-output.log and the EC2 console output; "
        f"remove -x (`set -euo pipefail`) and trace single lines only where nothing secret is expanded.")


@pytest.mark.parametrize("script, line", [
    ("#!/bin/bash\nset -o xtrace\n", 2),
    ("#!/bin/bash -ex\necho\n", 1),
    ("#!/usr/bin/env bash -x\necho\n", 1),
    ("#!/bin/bash\nset -e\nif true; then set -x; fi\n", 3),
    ("#!/bin/bash\ncurl -sfL https://example.invalid/install.sh | bash -x -s - server\n", 2),
])
def test_every_way_of_turning_xtrace_on_fails(mode, script, line):
    [message] = findings(check(mode, with_user_data(mode, "userData", script)))
    assert f"turns on xtrace (line {line}:" in message


@pytest.mark.parametrize("script", [
    CLEAN,
    "#!/bin/bash\nset -euo pipefail\necho 'set -x is not run here'  # nor set -x here\n",
    "#!/bin/bash\n# set -x would trace the token\nset +x\n",
])
def test_scripts_that_only_mention_xtrace_pass(mode, script):
    assert findings(check(mode, with_user_data(mode, "userData", script))) == []


@pytest.mark.parametrize("encode", [b64, lambda text: base64.b64encode(gzip.compress(text.encode())).decode()],
                         ids=["base64", "gzip+base64"])
def test_base64_user_data_is_read_too(mode, encode):
    assert findings(check(mode, with_user_data(mode, "userDataBase64", encode(CLEAN)))) == []
    [message] = findings(check(mode, with_user_data(mode, "userDataBase64", encode(TRACED))))
    assert message.startswith(f"{HOST}'s user data (userDataBase64) turns on xtrace (line 2:")


def test_a_mime_multipart_archive_is_read_part_by_part(mode):
    archive = ('Content-Type: multipart/mixed; boundary="b"\nMIME-Version: 1.0\n\n--b\n'
               'Content-Type: text/cloud-config\n\npackages: [jq]\n--b\n'
               'Content-Type: text/x-shellscript\nContent-Transfer-Encoding: base64\n\n' + b64(TRACED) + "\n--b--\n")
    [message] = findings(check(mode, with_user_data(mode, "userData", archive)))
    assert "(line 2: 'set -euxo pipefail')" in message


def test_a_launch_templates_user_data_is_judged(mode):
    graph = mode.graph() + [extra_resource("aws:ec2/launchTemplate:LaunchTemplate", "nodes-template", {
        "userData": b64(TRACED), "tags": find(mode.run.resources, HOST).inputs["tags"],
        "metadataOptions": {"httpTokens": "required", "httpPutResponseHopLimit": 1}})]
    [message] = findings(check(mode, graph))
    assert message.startswith("nodes-template's user data (userData) turns on xtrace")


def test_user_data_that_is_not_base64_where_base64_is_expected_fails_closed(mode):
    assert findings(check(mode, with_user_data(mode, "userDataBase64", "set -x; not base64!"))) == [
        f"{HOST}'s userDataBase64 is not valid base64, so it cannot be shown to run without xtrace: encode it with "
        f"base64."]


def test_the_platform_owner_may_allow_tracing_that_is_turned_off_again(mode):
    scoped = "#!/bin/bash\nset -euo pipefail\nset -x\ndnf install -y jq\nset +x\n"
    graph = with_user_data(mode, "userData", scoped)
    assert len(findings(check(mode, graph))) == 1  # by default any xtrace fails
    allowed = {POLICY: {"allowScopedTracing": True}}
    assert findings(check(mode, graph, pack_config=allowed)) == []
    left_on = with_user_data(mode, "userData", "#!/bin/bash\nset -x\nset +x\nset -x\necho done\n")
    [message] = findings(check(mode, left_on, pack_config=allowed))
    assert "(line 4: 'set -x')" in message
