"""What guards a migration run: one run at a time, secrets never written down, usage errors for what is not there."""

from __future__ import annotations

import fcntl
from pathlib import Path

import pytest
from pulumi.automation import OutputValue

from automation import errors
from automation.aws import Aws
from automation.cli import main
from automation.migration.facts import MigrateOptions
from automation.migration.runner import rollback
from fixtures import backend, clock, project, remembered_offline_checks, stacks  # noqa: F401 - fixtures
from world import MotoAws, saved_state, world  # noqa: F401 - world is a fixture

ROOT = Path(__file__).resolve().parents[2]


def test_rollback_with_no_recorded_migration_is_a_usage_error(project, stacks):
    with pytest.raises(errors.UsageError, match="no migration mvp -> growth recorded") as caught:
        rollback("mvp", "growth", options=MigrateOptions(), stacks=stacks, aws=Aws(), project_dir=project,
                 write=lambda line: None)
    assert caught.value.exit_code == errors.EXIT_USAGE


def test_the_rollback_command_with_nothing_recorded_exits_with_the_usage_code(capsys):
    # mvp -> production: a move nobody runs in this checkout, so it has no recorded state here
    assert not (ROOT / ".phasegate/migrations/mvp-to-production.json").exists()
    for argv in (["migrate", "mvp", "production", "--rollback", "--yes"], ["migrate", "mvp", "production", "--rollback"]):
        assert main(argv) == errors.EXIT_USAGE
        err = capsys.readouterr().err
        assert "no migration mvp -> production recorded" in err and err.count("\n") == 1


def test_ctrl_c_ends_with_130_and_says_the_progress_is_saved(monkeypatch, capsys):
    def interrupted(args):
        raise KeyboardInterrupt
    monkeypatch.setattr("automation.cli.run", interrupted)
    assert main(["migrate", "mvp", "growth", "--yes"]) == errors.EXIT_INTERRUPTED == 130
    assert "progress so far is saved" in capsys.readouterr().err


def test_a_second_run_on_the_same_migration_is_refused_while_the_first_holds_the_lock(world):
    lock = world.project / ".phasegate/migrations/mvp-to-growth.lock"
    lock.parent.mkdir(parents=True)
    with open(lock, "w") as held:
        fcntl.flock(held, fcntl.LOCK_EX | fcntl.LOCK_NB)  # another process's run, as far as flock can tell
        with pytest.raises(errors.Refused) as caught:
            world.run()
        assert "\n" not in str(caught.value) and "another ./dev migrate mvp growth is running" in str(caught.value)
        assert caught.value.exit_code == errors.EXIT_REFUSED
        assert not (world.project / ".phasegate/migrations/mvp-to-growth.json").exists()
        with pytest.raises(errors.Refused, match="another ./dev migrate"):
            rollback("mvp", "growth", stacks=world.stacks, aws=MotoAws(), project_dir=world.project,
                     write=lambda line: None)
    world.run()  # released: the next run goes ahead
    assert saved_state(world.project)["steps"]["soak"]["status"] == "done"


def test_secret_outputs_never_reach_the_state_file(world):
    world.backend.outputs["mvp"]["adminPassword"] = OutputValue("mvp-s3cr3t", True)
    world.backend.outputs["mvp"]["url"] = OutputValue(world.backend.outputs["mvp"]["url"], False)

    def growth_with_a_secret(stack):
        world.program(stack)
        world.backend.outputs["growth"]["cacheAuthToken"] = OutputValue("growth-s3cr3t", True)
    world.backend.on_up["growth"] = growth_with_a_secret
    world.run()
    text = (world.project / ".phasegate/migrations/mvp-to-growth.json").read_text()
    assert "s3cr3t" not in text
    assert saved_state(world.project)["facts"]["target"]["url"].startswith("https://")
