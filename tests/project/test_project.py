"""The project module: one "no stack file" error for every command, and the stack files as the engine reads them."""

import pytest

from project import (NoStackFile, ProgramError, ensure_stack_files, known_stacks, stack_config, stack_named,
                     urn_name)


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


@pytest.mark.parametrize("argument, stack", [("mine", "mine"), ("Pulumi.mine.yaml", "mine"),
                                             ("./Pulumi.mine.yaml", "mine"), ("Pulumi.my.stack.yaml", "my.stack")])
def test_a_stack_is_named_by_name_or_by_its_file(tmp_path, argument, stack):
    assert stack_named(argument, tmp_path) == stack
    assert stack_named(str(tmp_path / "Pulumi.mine.yaml"), tmp_path) == "mine"


def test_a_stack_file_elsewhere_is_refused_as_a_missing_stack(tmp_path):
    with pytest.raises(NoStackFile, match="must be in the project directory"):
        stack_named("../Pulumi.mine.yaml", tmp_path / "project")


@pytest.mark.parametrize("text", ["aws:region: us-east-1\nphasegate:phase: mvp\n", "", "# only a comment\n",
                                  "encryptionsalt: v1:abc\n"])
def test_a_stack_file_without_config_gets_one_line_saying_so(tmp_path, text):
    (tmp_path / "Pulumi.mine.yaml").write_text(text)
    with pytest.raises(ProgramError) as caught:
        stack_config("mine", tmp_path)
    assert caught.value.messages == ["Pulumi.mine.yaml: config: is missing; a stack file holds its settings under a "
                                     "top-level config: mapping (config:, then aws:region, phasegate:phase, ... "
                                     "indented below it)"]


@pytest.mark.parametrize("text, line", [("config:\n\taws:region: us-east-1\n", 2),
                                        ("config:\n  aws:region: us-east-1\n  phasegate:app:\n    name: x\n\tport: 1\n", 5),
                                        ("config:\n  aws:region: us-east-1\n \tphasegate:phase: mvp\n", 3)])
def test_a_tab_in_the_indentation_says_indent_with_spaces(tmp_path, text, line):
    (tmp_path / "Pulumi.mine.yaml").write_text(text)
    with pytest.raises(ProgramError) as caught:
        stack_config("mine", tmp_path)
    [message] = caught.value.messages
    assert message.startswith(f"Pulumi.mine.yaml:{line}:") and "indent with spaces" in message


def test_an_empty_config_section_is_still_read_as_no_settings(tmp_path):
    (tmp_path / "Pulumi.mine.yaml").write_text("config:\n")
    assert stack_config("mine", tmp_path) == {}
