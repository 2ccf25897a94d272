"""The one door into stacks: the SDK's errors become one line each, and the protocol matches the real SDK."""

from __future__ import annotations

import inspect
import shutil

import pytest
from pulumi.automation import CommandResult, OutputValue, Stack as SdkStack
from pulumi.automation.errors import CommandError, ConcurrentUpdateError

from automation.errors import EXIT_STACK, StackError
from automation.stacks import Stack, Stacks, engine_error, pulumi_opener
from fixtures import backend, project, stacks  # noqa: F401 - pytest fixtures


def test_the_protocol_is_what_the_real_sdk_stack_offers():
    """Each protocol method exists on pulumi.automation.Stack with every keyword the orchestration passes."""
    for name, method in inspect.getmembers(Stack, inspect.isfunction):
        if name.startswith("_"):
            continue
        real = inspect.signature(getattr(SdkStack, name)).parameters
        wanted = [p for p in inspect.signature(method).parameters if p != "self"]
        assert set(wanted) <= set(real), f"Stack.{name} lacks {set(wanted) - set(real)}"


def test_a_missing_source_stack_says_to_deploy_it_first(stacks):
    with pytest.raises(StackError) as caught:
        stacks.open("mvp", create=False)
    assert "no such stack" in str(caught.value) and "./dev deploy mvp --yes" in str(caught.value)
    assert caught.value.exit_code == EXIT_STACK


def test_a_locked_stack_says_how_to_unlock_it(stacks, backend):
    backend.fail_with["growth.up"] = ConcurrentUpdateError(CommandResult(
        "", "error: [409] Conflict: Another update is currently in progress.", 255))
    guarded = stacks.open("growth", create=True)
    with pytest.raises(StackError, match=r"growth: another update holds the stack's lock.*pulumi cancel -s growth"):
        guarded.up(policy_packs=[], policy_pack_configs=[], on_event=lambda e: None, plan=None)


def test_an_engine_error_is_reduced_to_its_error_line_and_exit_code(stacks, backend):
    backend.fail_with["growth.preview"] = CommandError(CommandResult(
        "Previewing update (growth)\n  some progress\n", "error: could not load plugin aws\nmore noise", 255))
    guarded = stacks.open("growth", create=True)
    with pytest.raises(StackError) as caught:
        guarded.preview(policy_packs=[], policy_pack_configs=[], on_event=lambda e: None, plan=None)
    assert str(caught.value) == "growth: pulumi preview failed: could not load plugin aws (exit 255)"


@pytest.mark.parametrize("method", ["preview", "up"])
def test_an_engine_that_ends_without_a_summary_is_one_line(stacks, backend, method):
    """The SDK raises a bare RuntimeError when the engine's event log never carried a summary (the engine died)."""
    backend.fail_with[f"growth.{method}"] = RuntimeError("summary event never found")
    guarded = stacks.open("growth", create=True)
    with pytest.raises(StackError) as caught:
        getattr(guarded, method)(policy_packs=[], policy_pack_configs=[], on_event=lambda e: None, plan=None)
    assert str(caught.value).startswith(f"growth: pulumi {method} ended without a summary")
    assert "\n" not in str(caught.value) and caught.value.exit_code == EXIT_STACK


def test_other_runtime_errors_are_not_hidden(stacks, backend):
    backend.fail_with["growth.up"] = RuntimeError("a bug")
    with pytest.raises(RuntimeError, match="a bug"):
        stacks.open("growth", create=True).up(policy_packs=[], policy_pack_configs=[], on_event=lambda e: None,
                                              plan=None)


def test_secret_outputs_are_marked_as_such(stacks, backend):
    backend.outputs["growth"] = {"url": "http://x", "token": OutputValue("s3cr3t", True)}
    outputs = stacks.open("growth", create=True).outputs()
    assert outputs == {"url": "http://x", "token": "s3cr3t"} and outputs.secrets == {"token"}
    assert outputs.public() == {"url": "http://x"}


def test_engine_error_falls_back_to_the_last_line():
    assert engine_error("\n code: 1\n stdout: \n stderr: something broke\n") == "something broke (exit 1)"


def test_a_missing_config_key_reads_as_none(stacks):
    guarded = stacks.open("growth", create=True)
    assert guarded.config("phasegate:database.snapshotIdentifier", path=True) is None
    assert guarded.config("phasegate:app.domain", path=True) == "app.acme.example"


def test_config_set_and_removed_by_path_lands_in_the_stack_file(stacks, project):
    guarded = stacks.open("growth", create=True)
    guarded.set_config("phasegate:database.snapshotIdentifier", "acme-snap", path=True)
    guarded.remove_config("phasegate:app.domain", path=True)
    text = (project / "Pulumi.growth.yaml").read_text()
    assert "snapshotIdentifier: acme-snap" in text and "app.acme.example" not in text
    assert guarded.config("phasegate:database.backupRetentionDays", path=True) == "14"


@pytest.mark.skipif(shutil.which("pulumi") is not None, reason="the pulumi CLI is installed: nothing to refuse")
def test_without_the_cli_the_real_door_says_to_install_it(project):
    with pytest.raises(StackError, match="cannot run the pulumi CLI.*install it"):
        Stacks(opener=pulumi_opener(project)).open("mvp", create=True)
