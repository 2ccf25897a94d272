"""The project module: one "no stack file" error for every command, and the stack files as the engine reads them."""

import pytest

from project import NoStackFile, ProgramError, ensure_stack_files, known_stacks, stack_config, urn_name


def test_the_stacks_are_the_stack_files_in_the_directory(tmp_path):
    for stack in ("b", "a"):
        (tmp_path / f"Pulumi.{stack}.yaml").write_text("config: {}\n")
    (tmp_path / "Pulumi.yaml").write_text("name: phasegate\n")
    assert known_stacks(tmp_path) == ["a", "b"]


def test_every_missing_stack_is_named_at_once_with_the_stacks_there(tmp_path):
    (tmp_path / "Pulumi.mvp.yaml").write_text("config: {}\n")
    with pytest.raises(NoStackFile) as caught:
        ensure_stack_files(["mvp", "staging", "qa"], tmp_path)
    assert str(caught.value) == "no stack file Pulumi.staging.yaml, Pulumi.qa.yaml; stacks here: mvp"


def test_reading_a_missing_stack_is_the_same_error_and_a_stack_that_cannot_be_built(tmp_path):
    with pytest.raises(NoStackFile) as caught:
        stack_config("staging", tmp_path)
    assert isinstance(caught.value, ProgramError)
    assert caught.value.messages == ["no stack file Pulumi.staging.yaml; stacks here: "]


def test_config_arrives_as_the_engine_hands_it_over(tmp_path):
    (tmp_path / "Pulumi.mvp.yaml").write_text("config:\n  aws:region: us-east-1\n  phasegate:app: {name: acme}\n")
    assert stack_config("mvp", tmp_path) == {"aws:region": "us-east-1", "phasegate:app": '{"name": "acme"}'}


def test_a_urn_is_named_by_its_last_part_and_no_urn_is_the_stack():
    assert urn_name("urn:pulumi:mvp::phasegate::phasegate:db:Database$aws:rds/instance:Instance::acme-db") == "acme-db"
    assert urn_name("") == "(stack)"
