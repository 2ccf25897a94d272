"""`./dev init`: a stack file that states only what differs from its phase's preset and validates as every stack file
does, one line per bad answer and nothing written, never an overwrite, and the secrets to create in the stack's
region. The end-to-end path (a fresh copy, then `./dev check` of the new stack) is tests/docs/test_new_user_path.py."""

from __future__ import annotations

import pytest

from components.config import build_stack_config
from offline import init
from project import config_as_engine_text, read_stack_file

FLAGS = ["--stack", "shop", "--phase", "mvp", "--region", "eu-west-1", "--app", "shop",
         "--service", "name=web,image=ghcr.io/you/web:1.0.0,port=3000,health=/healthz,secret=SESSION:shop/session",
         "--alert-email", "ops@shop.example"]


def run_init(tmp_path, argv, **kwargs):
    checked = []
    status = init.main(argv, project_dir=tmp_path, interactive=False, run=lambda stack: checked.append(stack) or 0,
                       **kwargs)
    return status, checked


def written(tmp_path, stack="shop"):
    path = tmp_path / f"Pulumi.{stack}.yaml"
    return path.read_text(), read_stack_file(path)


def test_the_file_states_only_what_differs_from_the_preset_and_validates(tmp_path, capsys):
    status, checked = run_init(tmp_path, FLAGS)
    assert (status, checked) == (0, ["shop"])
    text, config = written(tmp_path)
    assert text.startswith("# yaml-language-server: $schema=./docs/schemas/stack-config.schema.json\n")
    assert set(config) == {"aws:region", "phasegate:phase", "phasegate:app", "phasegate:alerts", "phasegate:usage"}
    assert "phasegate:compute: the mvp preset's runtime, compose" in text  # said in a comment, not stated
    stack = build_stack_config(config_as_engine_text(config), "Pulumi.shop.yaml")
    assert (stack.region, stack.compute.runtime, stack.billing.monthly_budget_usd) == ("eu-west-1", "compose", 45)
    assert stack.app.services[0].health_check_path == "/healthz"
    out = capsys.readouterr().out
    assert ("aws secretsmanager create-secret --region eu-west-1 --name shop/session "
            "--secret-string \"$(openssl rand -hex 32)\"") in out
    assert out.rstrip().splitlines()[-1].startswith("Next: ./dev deploy shop")


def test_a_budget_or_runtime_other_than_the_presets_is_stated(tmp_path):
    growth = [value if value != "mvp" else "growth" for value in FLAGS]  # growth's fargate has its NAT instance
    status, _ = run_init(tmp_path, growth + ["--budget", "40", "--runtime", "fargate", "--billing-email",
                                            "money@shop.example", "--usage", "natGbPerMonth=3"])
    assert status == 0
    _, config = written(tmp_path)
    assert config["phasegate:compute"] == {"runtime": "fargate"}
    assert config["phasegate:billing"] == {"monthlyBudgetUsd": 40, "emails": ["money@shop.example"]}
    assert config["phasegate:usage"]["natGbPerMonth"] == 3


def test_the_presets_own_budget_is_left_to_the_preset(tmp_path):
    assert run_init(tmp_path, FLAGS + ["--budget", "45"])[0] == 0
    assert "phasegate:billing" not in written(tmp_path)[1]


def test_each_bad_answer_is_one_line_naming_its_key_and_nothing_is_written(tmp_path, capsys):
    bad = ["--stack", "my shop", "--phase", "mvp", "--region", "eu-west-9", "--app", "Shop",
           "--service", "name=web,image=ghcr.io/you/web:latest,port=http", "--alert-email", "ops", "--budget", "-3"]
    status, checked = run_init(tmp_path, bad)
    assert (status, checked) == (2, [])
    lines = capsys.readouterr().err.splitlines()
    assert [line.split(": ")[2] for line in lines] == [
        "stack name 'my shop'", "aws:region", "phasegate:app.name", "phasegate:app.services[0].image",
        "phasegate:app.services[0].port", "phasegate:alerts.emails[0]", "phasegate:billing.monthlyBudgetUsd"]
    assert all(line.startswith("error: Pulumi.my shop.yaml: ") for line in lines)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("spec, says", [("web,image=x:1,port=1", "'web' is not one of"),
                                        ("name=web,image=ghcr.io/you/web:1", "port missing"),
                                        ("name=web,image=x:1,port=1,secret=SESSION", "must be ENV_VAR:secret-name")])
def test_a_service_that_is_not_key_value_pairs_is_refused(tmp_path, capsys, spec, says):
    argv = FLAGS[:FLAGS.index("--service") + 1] + [spec] + FLAGS[FLAGS.index("--service") + 2:]
    assert run_init(tmp_path, argv)[0] == 2
    assert says in capsys.readouterr().err and list(tmp_path.iterdir()) == []


def test_an_existing_stack_file_is_never_overwritten(tmp_path, capsys):
    (tmp_path / "Pulumi.shop.yaml").write_text("mine\n")
    status, checked = run_init(tmp_path, FLAGS)
    assert (status, checked) == (6, [])
    assert (tmp_path / "Pulumi.shop.yaml").read_text() == "mine\n"
    assert "Pulumi.shop.yaml exists; init never overwrites a stack file" in capsys.readouterr().err


def test_without_a_terminal_the_missing_flags_are_named(tmp_path, capsys):
    assert run_init(tmp_path, ["--stack", "shop"])[0] == 2
    assert capsys.readouterr().err.startswith(
        "init: missing --phase, --region, --app, --service, --alert-email: give them as flags")


def test_on_a_terminal_it_asks_for_what_the_flags_left_out(tmp_path):
    answers = iter(["mvp", "us-east-1", "shop", "name=web,image=ghcr.io/you/web:1.0.0,port=3000",
                    "name=api,image=ghcr.io/you/api:1.0.0,port=4000,path=/api", "", "ops@shop.example", "", "", "",
                    ""])
    status = init.main(["--stack", "shop"], project_dir=tmp_path, interactive=True, ask=lambda _: next(answers),
                       run=lambda stack: 0)
    assert status == 0
    config = written(tmp_path)[1]
    assert [s["name"] for s in config["phasegate:app"]["services"]] == ["web", "api"]
    assert config["phasegate:app"]["services"][1]["pathPrefix"] == "/api"
    assert "phasegate:billing" not in config and "domain" not in config["phasegate:app"]


def test_the_check_decides_the_exit_code(tmp_path, capsys):
    status = init.main(FLAGS, project_dir=tmp_path, interactive=False, run=lambda stack: 1)
    assert status == 1
    assert "Next: change Pulumi.shop.yaml until `./dev check shop` passes" in capsys.readouterr().out
