"""Measures what users wait for and what the pack adds over the SDK floor; prints a Markdown report.

    ./dev bench [--repeat N] [--sizes 1000 10000]

Times are wall-clock medians on this machine; compare runs on the same machine only.
"""

from __future__ import annotations

import argparse
import copy
import os
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Callable

from offline.analyzer import PACK_DIR, PolicyPackProcess, provider_views
from offline.check import check_stack
from offline.program import run_program
from offline.recording import RecordedResource
from project import PROJECT, PROJECT_DIR, ProgramError, known_stacks

EMPTY_PACK = Path(__file__).resolve().parent / "empty_pack"


def runs(count: int) -> str:
    return f"{count} run{'s' if count != 1 else ''}"


def progress(message: str) -> None:
    """What is being measured now, on stderr: the report on stdout stays a clean Markdown table."""
    print(f"bench: {message}", file=sys.stderr, flush=True)


def timed(fn: Callable[[], object], repeat: int) -> float:
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


def analyse(pack: PolicyPackProcess, resources: list[RecordedResource], providers) -> None:
    for r in resources:
        if r.custom:
            pack.analyze(r, providers[r.urn])
    pack.analyze_stack(resources, providers)


def synthetic(base: list[RecordedResource], size: int) -> list[RecordedResource]:
    """`size` resources made of copies of a real stack's graph, each copy with its own URNs and ids."""
    out: list[RecordedResource] = []
    copy_index = 0
    while len(out) < size:
        suffix = f"-{copy_index}"
        rename = {r.urn: r.urn + suffix for r in base}
        for r in base:
            if len(out) == size:
                break
            clone = copy.deepcopy(r)
            clone.urn, clone.name = rename[r.urn], r.name + suffix
            clone.parent = rename.get(r.parent, r.parent)
            clone.dependencies = [rename.get(d, d) for d in r.dependencies]
            clone.property_dependencies = {k: [rename.get(u, u) for u in v] for k, v in r.property_dependencies.items()}
            out.append(clone)
        copy_index += 1
    return out


def bench_packs(resources, config, repeat: int, stack: str = "mvp") -> tuple[tuple[float, float], tuple[float, float]]:
    """((cold, warm) of the phasegate pack, (cold, warm) of the empty pack) on the same graph. Cold is a started
    pack's first evaluation (pre-flight reads its models and compiles its validators on first use). Warm is the
    fastest of `repeat` more, the two packs taking turns: on a shared machine the minimum of interleaved runs is what
    the code costs, the median what the neighbours cost."""
    region = config.get("aws:region") or "us-east-1"
    providers = provider_views(resources, stack, PROJECT, region)
    with PolicyPackProcess(stack=stack, project=PROJECT, config=config, pack_dir=PACK_DIR) as ours, \
            PolicyPackProcess(stack=stack, project=PROJECT, config=config, pack_dir=EMPTY_PACK) as empty:
        packs = (ours, empty)
        for pack in packs:
            pack.configure()
        cold = [timed(lambda p=pack: analyse(p, resources, providers), 1) for pack in packs]
        warm: list[list[float]] = [[], []]
        for _ in range(repeat):
            for index, pack in enumerate(packs):
                warm[index].append(timed(lambda p=pack: analyse(p, resources, providers), 1))
    return (cold[0], min(warm[0])), (cold[1], min(warm[1]))


def replay(resources: list[RecordedResource]) -> Callable[[], None]:
    """The floor under the program: a program that registers the very same resources (types, names, parents,
    inputs) under the same mocks, with none of phasegate's config validation, composition or rendering."""
    def program() -> None:
        import pulumi

        made: dict[str, pulumi.Resource] = {}
        for r in resources:
            opts = pulumi.ResourceOptions(parent=made.get(r.parent))
            made[r.urn] = (pulumi.CustomResource(r.type, r.name, dict(r.inputs), opts) if r.custom
                           else pulumi.ComponentResource(r.type, r.name, None, opts))
    return program


def import_floor(modules: list[str]) -> list[str]:
    """The floor under the offline check as a process: an interpreter importing the same pulumi_aws modules."""
    return [sys.executable, "-c", "; ".join(f"import {m}" for m in sorted(modules)) or "pass"]


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="./dev bench")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--sizes", type=int, nargs="*", default=[1000, 10000])
    args = parser.parse_args(argv)

    out = [f"Machine: {platform.machine()}, {os.cpu_count()} cores, {_cpu_model()}, Python {platform.python_version()}",
           "", "Each stack, against a floor measured in the same run: the program against a replay of its own resources "
           "under the same mocks; the pack against the empty pack of the same shape on the same graph; the check as a "
           "process against an interpreter importing the same pulumi_aws modules.", "",
           "| stack | program (floor, ratio) | pack evaluation (empty pack, ratio) | pack first evaluation, cold "
           "(empty pack) | offline check process (floor, ratio) | estimate / ceiling |", "|---|---:|---:|---:|---:|---:|"]
    stacks = known_stacks()
    for number, stack in enumerate(stacks, 1):
        progress(f"[{number}/{len(stacks)}] {stack}: program under mocks and its replay ({runs(args.repeat)} each)")
        try:
            run = run_program(stack)
        except ProgramError as exc:
            out.append(f"| {stack} | pending: {exc.messages[0].split(': ', 1)[-1][:60]}... | - | - | - | - |")
            continue
        program_s = timed(lambda: run_program(stack), args.repeat)
        replay_s = timed(lambda: run_program(stack, program=replay(run.resources)), args.repeat)
        progress(f"[{number}/{len(stacks)}] {stack}: the pack and the empty pack, {len(run.resources)} resources "
                 f"({runs(args.repeat)} each)")
        (pack_cold, pack_s), (empty_cold, empty_s) = bench_packs(run.resources, run.config, args.repeat, stack)
        modules = [m for m in sys.modules if m.startswith("pulumi_aws.") and m.count(".") == 1]
        check_repeat = max(1, args.repeat // 2)
        progress(f"[{number}/{len(stacks)}] {stack}: the offline check as a process and its import floor "
                 f"({runs(check_repeat)} each)")
        check_s = timed(lambda: subprocess.run([sys.executable, "-m", "offline", stack, "--no-tree"], cwd=PROJECT_DIR,
                                               capture_output=True, check=False), check_repeat)
        floor_s = timed(lambda: subprocess.run(import_floor(modules), cwd=PROJECT_DIR, capture_output=True,
                                               check=False), check_repeat)
        report = check_stack(stack)
        out.append(f"| {stack} ({len(run.resources)} resources) | {program_s * 1000:.0f} ms ({replay_s * 1000:.0f} ms, "
                   f"{program_s / replay_s:.2f}) | {pack_s * 1000:.0f} ms ({empty_s * 1000:.0f} ms, "
                   f"{pack_s / empty_s:.2f}) | {pack_cold * 1000:.0f} ms ({empty_cold * 1000:.0f} ms) | {check_s:.2f} s ({floor_s:.2f} s, {check_s / floor_s:.2f}) | "
                   f"${report.total_usd:.2f} / ${report.ceiling:.2f} |")

    base = run_program("mvp")
    out += ["", "Pack evaluation on synthetic graphs (copies of the mvp graph): Analyze per resource + AnalyzeStack once.",
            "", "| resources | phasegate pack | empty pack (same shape) | ratio | phasegate per resource | empty per resource |",
            "|---:|---:|---:|---:|---:|---:|"]
    for size in args.sizes:
        graph = synthetic(base.resources, size)
        repeat = max(1, args.repeat // (size // 1000 or 1))
        progress(f"{size:,} synthetic resources: the phasegate pack, then the empty pack ({runs(repeat)} each)")
        (_, ours), (_, floor) = bench_packs(graph, base.config, repeat)
        out.append(f"| {size} | {ours:.2f} s | {floor:.2f} s | {ours / floor:.2f} | {ours / size * 1e3:.2f} ms | "
                   f"{floor / size * 1e3:.2f} ms |")
    progress("done")
    print("\n".join(out))
    return 0


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"
