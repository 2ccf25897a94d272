"""Hostile values through every renderer, and the rendered scripts actually run.

Secret values are fetched on the host at run time, so they are tried the only way that proves anything: the
rendered fetch-secrets.sh (compose host) and phasegate-sync-secrets (K3s server) run under bash, with `aws` and
`k3s` replaced by stubs and the real jq, and every value must arrive byte for byte, while nothing in any value
runs. Values known when rendering (names, paths, secret names) are validated in the stack file; here they are
also forced past validation to show the renderers quote them anyway. Compose and Kubernetes YAML is read back
and un-interpolated the way Compose and the kubelet do.
"""

from __future__ import annotations

import base64
import json
import os
import re
import shlex
import shutil
import stat
import subprocess
import sys
import textwrap
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
import yaml

from components.config import build_stack_config
from components.config.models import App, Service
from components.endpoints import CacheEndpoint, DatabaseEndpoint
from components.render import k3s as k3s_render
from components.render.compose import HostFacts, render_caddyfile, render_compose, render_fetch_secrets
from components.render.k3s import ClusterFacts, render_sync_secrets
from components.render.kubernetes import render_manifests
from components.render.placeholders import boot_scripts
from conftest import stack_values

needs_jq = pytest.mark.skipif(shutil.which("jq") is None, reason="the boot scripts' secret handling needs jq")

DB_ARN = "arn:aws:secretsmanager:us-east-1:123456789012:secret:rds!db-1"
CACHE_ARN = "arn:aws:secretsmanager:us-east-1:123456789012:secret:acme-cache-auth-1"
DATABASE = DatabaseEndpoint(address="acme-db.c0ffee.us-east-1.rds.amazonaws.com", port=5432, db_name="app",
                            secret_arn=DB_ARN)
CACHE = CacheEndpoint(address="master.acme-cache.abc123.use1.cache.amazonaws.com", port=6379, secret_arn=CACHE_ARN)


def hostile() -> dict[str, str]:
    """Values that break a shell, printf, echo, an env file or a YAML document if anything is left unescaped.
    The commands would create files named pwned-* in the working directory if anything ran them."""
    return {
        "QUOTES": """it's "double" and 'single' ''""",
        "SUBSHELL": "$(touch pwned-subshell)",
        "BACKTICKS": "`touch pwned-backticks`",
        "VARIABLES": "${HOME} $HOME $$ $1 ${X:-y} ${X?unset} $",
        "NEWLINES": "first\nEVIL=1\nexport LD_PRELOAD=/tmp/x.so",
        "PRINTF": "%s %d %n %% %b \\x41",
        "BACKSLASHES": 'C:\\new\\table \\\\ \\" \\$ \\n \\0101 ends with \\',
        "COMMENT": "value # not a comment",
        "BLANKS": "  leading and trailing \t ",
        "TRAILING_NEWLINES": "value\n\n",
        "CARRIAGE_RETURN": "a\r\nb\r",
        "OPTIONS": "-n -e --help",
        "UNICODE": "pässwörd ✓ \u2028 end",
        "EQUALS": "a=b=c",
        "EMPTY": "",
        "ONE_QUOTE": '"',
        "JSON": '{"user": "x", "pass": "y"}',
        "YAML": "*alias &anchor !!python/object: [x] {y: z}",
        "SEMICOLON": "x; touch pwned-semicolon; y",
    }


DB_PASSWORD = "p@ss:w/rd?#[]$(touch pwned-db)'\"\\%25 `x`\n"
CACHE_TOKEN = "t0k'en$(touch pwned-cache)\"&=+%"


def _app(secrets: dict[str, str], **service) -> App:
    values = stack_values("mvp")
    values["phasegate:app"]["services"][0]["secrets"] = secrets
    values["phasegate:app"]["services"][0].update(service)
    return build_stack_config(values, "Pulumi.mvp.yaml").app


def _stub(path: Path, body: str) -> None:
    path.write_text(f"#!{sys.executable}\n" + textwrap.dedent(body))
    path.chmod(0o755)


def _stub_aws(bin_dir: Path, secrets: dict[str, str]) -> None:
    """`aws secretsmanager get-secret-value`: prints SecretString as the CLI does (text: as is plus a newline;
    json: a JSON string), or fails like the CLI for a secret it does not know."""
    (bin_dir / "secrets.json").write_text(json.dumps(secrets))
    _stub(bin_dir / "aws", f"""
        import json, sys
        args = sys.argv[1:]
        assert args[:2] == ["secretsmanager", "get-secret-value"], args
        secrets = json.load(open({str(bin_dir / "secrets.json")!r}))
        secret_id, output = args[args.index("--secret-id") + 1], args[args.index("--output") + 1]
        if secret_id not in secrets:
            sys.exit(f"An error occurred (ResourceNotFoundException): {{secret_id}} not found")
        value = secrets[secret_id]
        sys.stdout.write(json.dumps(value, ensure_ascii=False) + "\\n" if output == "json" else value + "\\n")
    """)


def _run(script: str, cwd: Path, bin_dir: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}"}
    return subprocess.run(["bash", "-c", script], cwd=cwd, env=env, capture_output=True, timeout=120)


def _pwned(root: Path) -> list[Path]:
    return [p for p in root.rglob("pwned*")]


# --- Compose's env-file parser, ported ------------------------------------------------------------------------
# compose-go v2 (dotenv/parser.go, the same from v2.1.0 to v2.9.0; Compose v2.29 uses v2.1), for the lines the
# fetch script writes: NAME="...". In double quotes \" is a quote and other backslash pairs are kept, then
# escapes are expanded (\\ \n \r \t ... \$ -> $$ and \0NNN), then ${...} is interpolated with $$ -> $. The port
# refuses any interpolation: a value that still held one would reach the app changed.

_ESCAPE = re.compile(r'\\(?:[abcfnrtv$"\\]|0\d{0,3})')
_GO_ESCAPES = {"a": "\a", "b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t", "v": "\v", '"': '"', "\\": "\\"}


def _expand_escapes(text: str) -> str:
    def one(match: re.Match) -> str:
        found = match.group()
        if found == "\\$":
            return "$$"
        if found.startswith("\\0"):
            digits = found[2:]
            return chr(int(digits, 8)) if len(digits) == 3 and int(digits, 8) < 256 else found
        return _GO_ESCAPES[found[1]]

    return _ESCAPE.sub(one, text)


def _substitute(text: str) -> str:
    out, i = [], 0
    while i < len(text):
        if text[i] == "$":
            if text[i + 1:i + 2] != "$":
                raise AssertionError(f"Compose would interpolate (or refuse) {text[i:i + 20]!r}")
            out.append("$")
            i += 2
        else:
            out.append(text[i])
            i += 1
    return "".join(out)


def compose_env_file(text: str) -> dict[str, str]:
    values, rest = {}, text
    while True:
        rest = rest.lstrip()
        if not rest:
            return values
        name, equals, rest = rest.partition("=")
        assert equals and re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", name), f"not a NAME= line: {name!r}"
        assert rest.startswith('"'), f"{name} is not double-quoted: {rest[:30]!r}"
        chars, escaped, i = [], False, 1
        while True:
            char = rest[i]  # an IndexError is an unterminated value
            if char != '"':
                if not escaped and char == "\\":
                    escaped = True
                elif escaped:
                    escaped = False
                    chars += ["\\", char]
                else:
                    chars.append(char)
            elif escaped:
                escaped = False
                chars.append(char)
            else:
                break
            i += 1
        values[name] = _substitute(_expand_escapes("".join(chars)))
        rest = rest[i + 1:]
        assert rest[:1] in ("", "\n"), f"{name}: text after the closing quote: {rest[:30]!r}"


def test_the_port_reads_compose_escapes_as_compose_go_does():
    assert compose_env_file('A="x\\ny"\nB="\\\\$$ \\$HOME \\" \\q"\nC="\\0101"\n') == {
        "A": "x\ny", "B": "\\$ $HOME \" \\q", "C": "A"}
    with pytest.raises(AssertionError, match="interpolate"):
        compose_env_file('A="$HOME"\n')


# --- the compose host's fetch-secrets.sh, run ----------------------------------------------------------------

@pytest.fixture()
def host(tmp_path):
    bin_dir, app_dir = tmp_path / "bin", tmp_path / "opt-phasegate"
    bin_dir.mkdir()
    app_dir.mkdir()
    return bin_dir, app_dir


def _fetch_script(app: App, app_dir: Path, cache: bool = True) -> str:
    facts = HostFacts(region="us-east-1", log_group="/phasegate/acme/mvp", bucket="acme-assets",
                      database=DATABASE, cache=CACHE if cache else None)
    script = render_fetch_secrets(app, facts)
    assert script.count("\ncd /opt/phasegate\n") == 1
    return script.replace("\ncd /opt/phasegate\n", f"\ncd {shlex.quote(str(app_dir))}\n")


def _store(values: dict[str, str]) -> dict[str, str]:
    return {DB_ARN: json.dumps({"username": "app_admin", "password": DB_PASSWORD}), CACHE_ARN: CACHE_TOKEN,
            "acme/jwt-secret": "the api's own secret", **{f"acme/{name.lower()}": value for name, value in values.items()}}


def _check_urls(env: dict[str, str]) -> None:
    db = urlsplit(env["DATABASE_URL"])
    assert (db.scheme, db.username, db.hostname, db.port, db.path, db.query) == (
        "postgresql", "app_admin", DATABASE.address, 5432, "/app", "sslmode=require")
    assert unquote(db.password) == DB_PASSWORD and re.fullmatch(r"[A-Za-z0-9%._~!*'()-]+", db.password)
    redis = urlsplit(env["REDIS_URL"])
    assert (redis.scheme, redis.hostname, redis.port) == ("rediss", CACHE.address, 6379)
    assert unquote(redis.password) == CACHE_TOKEN


@needs_jq
def test_compose_env_files_carry_hostile_secrets_byte_for_byte_and_run_nothing(host):
    bin_dir, app_dir = host
    values = hostile()
    app = _app({name: f"acme/{name.lower()}" for name in values})
    _stub_aws(bin_dir, _store(values))
    result = _run(_fetch_script(app, app_dir), app_dir, bin_dir)
    assert result.returncode == 0, result.stderr.decode()
    assert _pwned(app_dir.parent) == []
    web = compose_env_file((app_dir / "secrets/web.env").read_text())
    _check_urls(web)
    assert {k: v for k, v in web.items() if not k.endswith("_URL")} == values
    api = compose_env_file((app_dir / "secrets/api.env").read_text())
    assert set(api) == {"DATABASE_URL", "REDIS_URL", "JWT_SECRET"}
    for env_file in (app_dir / "secrets").iterdir():
        assert stat.S_IMODE(env_file.stat().st_mode) == 0o600


@needs_jq
@pytest.mark.parametrize("broken", ["missing secret", "missing password"])
def test_a_failed_fetch_stops_the_script_and_keeps_the_last_env_file(host, broken):
    """`echo "X=$(aws ...)"` wrote X= and went on when the fetch failed (set -e does not see into echo's words);
    the hourly refresh would then have restarted the app with an empty secret."""
    bin_dir, app_dir = host
    app = _app({"API_KEY": "acme/api_key"})
    store = _store({"API_KEY": "good"})
    _stub_aws(bin_dir, store)
    assert _run(_fetch_script(app, app_dir), app_dir, bin_dir).returncode == 0
    before = (app_dir / "secrets/web.env").read_text()
    if broken == "missing secret":
        del store["acme/api_key"]
    else:
        store[DB_ARN] = json.dumps({"username": "app_admin"})
    _stub_aws(bin_dir, store)
    result = _run(_fetch_script(app, app_dir), app_dir, bin_dir)
    assert result.returncode != 0
    assert (app_dir / "secrets/web.env").read_text() == before


@needs_jq
def test_names_forced_past_validation_are_still_quoted_in_the_fetch_script(host):
    """Names are validated in the stack file; the renderer quotes them anyway (shlex.quote), so even a service,
    variable or secret name that slipped past validation is one inert word."""
    bin_dir, app_dir = host
    evil = Service.model_construct(**{**_app({}).services[0].__dict__, "name": "w$(touch pwned-service)",
                                      "secrets": {"E;touch pwned-env": "s'$(touch pwned-secret)'"}})
    app = App.model_construct(**{**_app({}).__dict__, "services": [evil]})
    _stub_aws(bin_dir, {**_store({}), "s'$(touch pwned-secret)'": "v"})
    result = _run(_fetch_script(app, app_dir), app_dir, bin_dir)
    assert result.returncode == 0, result.stderr.decode()
    assert _pwned(app_dir.parent) == []
    text = (app_dir / "secrets/w$(touch pwned-service).env").read_text()
    assert 'E;touch pwned-env="v"' in text.splitlines()


# --- the K3s server's phasegate-sync-secrets, run ---------------------------------------------------------------

def _stub_k3s(bin_dir: Path, captured: Path) -> None:
    """`k3s kubectl`: the namespace exists; `create secret --from-file=<dir>` keeps a copy of the directory it
    was given (the script deletes it on exit); `apply` reports a change; rollouts are logged."""
    _stub(bin_dir / "k3s", f"""
        import shutil, sys
        from pathlib import Path
        args = sys.argv[1:]
        assert args[0] == "kubectl", args
        args = args[1:]
        captured = Path({str(captured)!r})
        if args[:2] == ["get", "namespace"]:
            sys.exit(0)
        if "create" in args:
            name = args[args.index("generic") + 1]
            [source] = [a.split("=", 1)[1] for a in args if a.startswith("--from-file=")]
            shutil.copytree(source, captured / name)
            print("kind: Secret\\nmetadata:\\n  name: " + name)
        elif args[:2] == ["apply", "-f"]:
            name = sys.stdin.read().rsplit("name: ", 1)[1].strip()
            print(f"secret/{{name}} configured")
        elif "rollout" in args:
            with open(captured / "rollouts", "a") as log:
                log.write(args[-1] + "\\n")
        else:
            sys.exit(f"unexpected kubectl {{args}}")
    """)


def _sync_script(app: App, bin_dir: Path) -> str:
    facts = ClusterFacts(region="us-east-1", log_group="/phasegate/acme/growth", token_parameter="/t",
                         bucket="acme-assets", database=DATABASE, cache=CACHE)
    script = render_sync_secrets(app, facts)
    assert k3s_render.K3S in script
    return script.replace(k3s_render.K3S, shlex.quote(str(bin_dir / "k3s")))


@needs_jq
def test_k3s_secrets_carry_hostile_values_byte_for_byte_and_run_nothing(tmp_path):
    """Each value is its own file (--from-file=<dir>): an env file would have split NEWLINES into EVIL=1."""
    bin_dir, captured, work = tmp_path / "bin", tmp_path / "captured", tmp_path / "cwd"
    for d in (bin_dir, captured, work):
        d.mkdir()
    values = hostile()
    app = _app({name: f"acme/{name.lower()}" for name in values})
    _stub_aws(bin_dir, _store(values))
    _stub_k3s(bin_dir, captured)
    result = _run(_sync_script(app, bin_dir), work, bin_dir)
    assert result.returncode == 0, result.stderr.decode()
    assert _pwned(tmp_path) == []
    web = {f.name: f.read_bytes() for f in (captured / "web-secrets").iterdir()}
    _check_urls({k: v.decode() for k, v in web.items() if k.endswith("_URL")})
    assert {k: v for k, v in web.items() if not k.endswith("_URL")} == {k: v.encode() for k, v in values.items()}
    assert sorted(f.name for f in (captured / "api-secrets").iterdir()) == ["DATABASE_URL", "JWT_SECRET", "REDIS_URL"]
    assert (captured / "rollouts").read_text().split() == ["deployment/web", "deployment/api"]


@needs_jq
def test_a_failed_fetch_stops_the_sync_before_it_touches_the_secret(tmp_path):
    """Before, the Secret was re-created with API_KEY= (empty) and the Deployment restarted with it."""
    bin_dir, captured, work = tmp_path / "bin", tmp_path / "captured", tmp_path / "cwd"
    for d in (bin_dir, captured, work):
        d.mkdir()
    _stub_aws(bin_dir, _store({}))  # acme/api_key is missing
    _stub_k3s(bin_dir, captured)
    result = _run(_sync_script(_app({"API_KEY": "acme/api_key"}), bin_dir), work, bin_dir)
    assert result.returncode != 0 and b"acme/api_key not found" in result.stderr
    assert list(captured.iterdir()) == []


@needs_jq
def test_names_forced_past_validation_are_still_quoted_in_the_sync_script(tmp_path):
    bin_dir, captured, work = tmp_path / "bin", tmp_path / "captured", tmp_path / "cwd"
    for d in (bin_dir, captured, work):
        d.mkdir()
    base = _app({})
    evil = Service.model_construct(**{**base.services[0].__dict__, "name": "w$(touch pwned-service)",
                                      "secrets": {"E`touch pwned-env`": "s'$(touch pwned-secret)'"}})
    app = App.model_construct(**{**base.__dict__, "services": [evil]})
    _stub_aws(bin_dir, {**_store({}), "s'$(touch pwned-secret)'": "v"})
    _stub_k3s(bin_dir, captured)
    result = _run(_sync_script(app, bin_dir), work, bin_dir)
    assert result.returncode == 0, result.stderr.decode()
    assert _pwned(tmp_path) == []
    assert (captured / "w$(touch pwned-service)-secrets" / "E`touch pwned-env`").read_text() == "v"
    assert (captured / "rollouts").read_text().splitlines() == ["deployment/w$(touch pwned-service)"]


# --- the K3s agent waits for its own server's agent token, run ---------------------------------------------------

def test_an_agent_skips_a_previous_servers_token_and_joins_with_its_own(tmp_path):
    """On a rebuild the SSM parameter still holds the old server's token until the new server overwrites it; an agent
    that took it would retry a wrong token for ever. The secure token starts K10<sha256 of the CA PEM its server
    serves at /cacerts> (https://docs.k3s.io/cli/token), so the agent waits until they match; it also waits out the
    placeholder and a server not up yet. Stubs: curl (the server, then the installer) and aws (the parameter)."""
    import hashlib

    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    pem = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n"
    ours = f"K10{hashlib.sha256(pem.encode()).hexdigest()}::node:new-secret"
    old = f"K10{hashlib.sha256(b'old CA').hexdigest()}::node:old-secret"
    (bin_dir / "answers").write_text("\n".join([k3s_render.TOKEN_PLACEHOLDER, old, ours]))
    _stub(bin_dir / "aws", f"""
        import sys
        from pathlib import Path
        answers = Path({str(bin_dir / "answers")!r})
        calls = Path({str(bin_dir / "aws-calls")!r})
        n = int(calls.read_text()) if calls.exists() else 0
        calls.write_text(str(n + 1))
        print(answers.read_text().split("\\n")[min(n, 2)])
    """)
    _stub(bin_dir / "curl", f"""
        import sys
        from pathlib import Path
        calls = Path({str(bin_dir / "curl-calls")!r})
        n = int(calls.read_text()) if calls.exists() else 0
        calls.write_text(str(n + 1))
        if sys.argv[-1].endswith("/cacerts"):
            sys.exit(7) if n == 0 else sys.stdout.write({pem!r})  # the server is not up at first
        else:  # get.k3s.io: an installer that records the token it is given (from its environment, as install.sh)
            print('printf %s "$K3S_TOKEN" > ' + {shlex.quote(str(bin_dir / "joined-with"))!r})
    """)
    facts = ClusterFacts(region="us-east-1", log_group="/g", token_parameter="/p", bucket="b", database=DATABASE)
    script = k3s_render.render_agent_user_data(facts, "10.0.1.10", "v1.31.4+k3s1")
    start = script.index("until ca_hash=")
    result = _run("sleep() { :; }\nset -euo pipefail\n" + script[start:], tmp_path, bin_dir)
    assert result.returncode == 0, result.stderr.decode()
    assert (bin_dir / "joined-with").read_text() == ours
    assert int((bin_dir / "aws-calls").read_text()) == 3  # placeholder, the old server's token, then its own


# --- every shipped stack's boot scripts parse -------------------------------------------------------------------

def _embedded(user_data: str) -> dict[str, str]:
    return {path: base64.b64decode(b64).decode()
            for b64, path in re.findall(r"echo '([A-Za-z0-9+/=]+)' \| base64 -d > (\S+)", user_data)}


def _bash_n(name: str, script: str) -> None:
    result = subprocess.run(["bash", "-n"], input=script.encode(), capture_output=True, timeout=60)
    assert result.returncode == 0, f"{name}: {result.stderr.decode()}"


@pytest.mark.parametrize("stack", ["mvp", "growth", "production"])
def test_every_boot_script_of_every_shipped_stack_is_valid_bash(stack, request):
    run = request.getfixturevalue(stack)
    scripts = {r.name: r.inputs["userData"] for r in run.resources if isinstance(r.inputs.get("userData"), str)}
    if stack != "production":
        assert scripts, f"{stack} has no boot script"
    for name, user_data in scripts.items():
        _bash_n(name, user_data)
        for path, content in _embedded(user_data).items():
            if content.startswith("#!/bin/bash"):
                _bash_n(f"{name}:{path}", content)
    # The same scripts as the config check renders them, with the longest names AWS can give.
    cfg = build_stack_config(stack_values(stack), f"Pulumi.{stack}.yaml")
    for what, render in boot_scripts(cfg).items():
        _bash_n(f"{stack} {what} (longest names)", render(cfg.app))


# --- Compose and Kubernetes YAML, read back as Compose and the kubelet read it --------------------------------

ENV_VALUES = {
    "INTERPOLATION": "${HOME} $HOME ${X:-y} $",
    "DOLLARS": "pa$$word $$(X)",
    "K8S_REFERENCE": "$(HOSTNAME) $(NOT CLOSED",
    "YAML": "*alias &anchor !!python/object:os.system [x] {y: z} key: value # comment",
    "QUOTES": "'single' \"double\"",
    "NEWLINES": "a\nb\r\nc\n",
    "LOOKS_LIKE_BOOL": "yes",
    "LOOKS_LIKE_NUMBER": "007",
    "BLANKS": "  x  ",
    "UNICODE": "\u2028\x85 ✓",
}


def _compose_interpolate(value: str) -> str:
    return _substitute(value)  # compose-go: $$ is $, anything else would be interpolated


def _kubelet_expand(value: str) -> str:
    """k8s.io/kubernetes third_party/forked/golang/expansion: $$ is $, $(NAME) is a reference, else literal."""
    out, i = [], 0
    while i < len(value):
        if value[i] == "$" and i + 1 < len(value):
            if value[i + 1] == "$":
                out.append("$")
                i += 2
                continue
            if value[i + 1] == "(" and ")" in value[i + 2:]:
                raise AssertionError(f"the kubelet would expand {value[i:]!r}")
        out.append(value[i])
        i += 1
    return "".join(out)


def test_compose_environment_values_arrive_as_written(host):
    app = _app({}, environment=ENV_VALUES)
    facts = HostFacts(region="us-east-1", log_group="/g", bucket="b", database=DATABASE)
    compose = yaml.safe_load(render_compose(app, facts))
    environment = compose["services"]["web"]["environment"]
    assert {k: _compose_interpolate(environment[k]) for k in ENV_VALUES} == ENV_VALUES


def test_kubernetes_environment_values_without_double_dollars_arrive_as_written():
    values = {k: v for k, v in ENV_VALUES.items() if "$$" not in v}
    app = _app({}, environment=values)
    [web] = [d for d in yaml.safe_load_all(render_manifests(app, "us-east-1", "b"))
             if d["kind"] == "Deployment" and d["metadata"]["name"] == "web"]
    env = {e["name"]: e["value"] for e in web["spec"]["template"]["spec"]["containers"][0]["env"]}
    assert {k: _kubelet_expand(env[k]) for k in values} == values


def test_kubernetes_environment_values_with_double_dollars_arrive_as_written():
    app = _app({}, environment={"DOLLARS": ENV_VALUES["DOLLARS"]})
    [web] = [d for d in yaml.safe_load_all(render_manifests(app, "us-east-1", "b"))
             if d["kind"] == "Deployment" and d["metadata"]["name"] == "web"]
    env = {e["name"]: e["value"] for e in web["spec"]["template"]["spec"]["containers"][0]["env"]}
    assert _kubelet_expand(env["DOLLARS"]) == ENV_VALUES["DOLLARS"]


# --- the Caddyfile -------------------------------------------------------------------------------------------

def test_caddyfile_tokens_hold_every_character_a_path_may_have():
    app = _app({}, pathPrefix="/a-b._~%20/", healthCheckPath="/h?x=1&y=:@+%2F")
    lines = render_caddyfile(app).splitlines()
    assert "\thandle /a-b._~%20* {" in lines and "\t\t\thealth_uri /h?x=1&y=:@+%2F" in lines
    assert all(line.strip() in ("{", "}") or not re.search(r"[{}]", line.strip().rstrip("{").strip())
               for line in lines)


@pytest.mark.parametrize("field, value", [
    ("domain", "app.acme.example {\n\treverse_proxy evil:80\n}\nx"), ("domain", "{$SECRET}.example"),
    ("path_prefix", "/api {"), ("path_prefix", "/api\n"), ("health_check_path", "/h #"), ("name", "api\n:80"),
])
def test_the_caddyfile_refuses_what_validation_would_have_refused(field, value):
    base = _app({})
    if field == "domain":
        app = App.model_construct(**{**base.__dict__, "domain": value})
    else:
        evil = Service.model_construct(**{**base.services[1].__dict__, field: value})
        app = App.model_construct(**{**base.__dict__, "services": [base.services[0], evil]})
    with pytest.raises(ValueError, match="cannot be written into a Caddyfile"):
        render_caddyfile(app)
