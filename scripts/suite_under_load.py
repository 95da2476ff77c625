"""``make test`` on fresh clones, side by side or beside other work, with the machine's load (issue 74).

    .venv/bin/python scripts/suite_under_load.py --clones 2 --out docs/suite-under-load/beside-a-clone.json
    .venv/bin/python scripts/suite_under_load.py --beside "make bench" --out docs/suite-under-load/bench.json
    .venv/bin/python scripts/suite_under_load.py --out docs/suite-under-load/quiet.json
    .venv/bin/python scripts/suite_under_load.py --target test-alone --beside "..." --out ...  # pass 2 only

Each clone is a ``git clone`` of this checkout at ``--commit`` (default: HEAD) in a folder of its own,
so it sets itself up as CI's fresh clone does (``make test`` runs ``make setup``). ``--beside`` runs a
shell command over and over in this checkout until every clone is done (the load). The 1-minute load
average is read every 10 s. For each clone and each of ``make test``'s two passes it reports the
wall time, pytest's counts and the load (median and maximum) while the pass ran; the JSON keeps the
load samples and each clone's log tail. ``--target test-alone`` runs pass 2 by itself after the same
set-up (to measure that pass again without pass 1).
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PASS_MARK = re.compile(r"codepaint test: pass (\d) of 2")
#: pytest -q's last line: "614 passed, 2 failed, 6 errors, 3 deselected in 1296.04s (0:21:36)".
SUMMARY = re.compile(r"^(?:=+ )?(\d+ \w+(?:, \d+ \w+)*) in [\d.]+s")


def sample_load(samples: list[tuple[float, float]], stop: threading.Event, every_s: float = 10.0) -> None:
    """Append ``(time, 1-minute load)`` every ``every_s`` seconds until ``stop``."""
    while not stop.is_set():
        samples.append((time.time(), float(Path("/proc/loadavg").read_text().split()[0])))
        stop.wait(every_s)


def run_clone(name: str, commit: str, work: Path, events: dict[str, list], target: str = "test") -> int:
    """Clone at ``commit`` into ``work/name`` and run ``make target`` there; its lines timed in ``events``."""
    folder = work / name
    if folder.exists():
        subprocess.run(["rm", "-rf", str(folder)], check=True)
    subprocess.run(["git", "clone", "-q", str(ROOT), str(folder)], check=True)
    subprocess.run(["git", "-C", str(folder), "checkout", "-q", commit], check=True)
    lines = events[name]
    with (work / f"{name}.log").open("w") as log:
        proc = subprocess.Popen(["make", target], cwd=folder, stdout=subprocess.PIPE,
                                stderr=subprocess.STDOUT, text=True, bufsize=1)
        assert proc.stdout is not None
        for line in proc.stdout:
            lines.append((time.time(), line.rstrip("\n")))
            log.write(line)
            log.flush()
        return proc.wait()


def passes(lines: list[tuple[float, str]], end: float) -> list[dict]:
    """Each pass's start, end and pytest summary, from a clone's timed lines."""
    starts = [(t, int(m.group(1))) for t, line in lines if (m := PASS_MARK.search(line))]
    out = []
    for i, (start, number) in enumerate(starts):
        stop = starts[i + 1][0] if i + 1 < len(starts) else end
        summary = next((m.group(1) for t, line in lines if start <= t <= stop
                        and (m := SUMMARY.search(line.strip()))), None)
        counts = {k: int(v) for v, k in re.findall(r"(\d+) (\w+)", summary or "")}
        out.append({"pass": number, "start": start, "end": stop, "minutes": round((stop - start) / 60, 1),
                    "summary": summary, "counts": counts})
    return out


def load_between(samples: list[tuple[float, float]], start: float, end: float) -> dict:
    """Median and maximum of the load samples in ``[start, end]``."""
    got = [v for t, v in samples if start <= t <= end]
    return {"median": round(statistics.median(got), 1), "max": round(max(got), 1)} if got else {}


def main(argv: list[str] | None = None) -> int:
    """Run the clones, write the report; 0 when every clone's ``make test`` passed."""
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--clones", type=int, default=1, help="fresh clones whose make test run side by side")
    ap.add_argument("--beside", default=None, help="a shell command run over and over beside them (the load)")
    ap.add_argument("--commit", default="HEAD", help="what to clone (default HEAD)")
    ap.add_argument("--work", type=Path, default=Path("/tmp/suite-under-load"), help="where the clones go")
    ap.add_argument("--out", type=Path, required=True, help="the JSON report")
    ap.add_argument("--note", default="", help="what else ran on the machine (kept in the report)")
    ap.add_argument("--target", default="test", choices=["test", "test-alone"],
                    help="the make target each clone runs (test-alone: pass 2 by itself, after the set-up)")
    args = ap.parse_args(argv)
    commit = subprocess.run(["git", "-C", str(ROOT), "rev-parse", args.commit], capture_output=True,
                            text=True, check=True).stdout.strip()
    args.work.mkdir(parents=True, exist_ok=True)
    samples: list[tuple[float, float]] = []
    stop = threading.Event()
    threading.Thread(target=sample_load, args=(samples, stop), daemon=True).start()
    beside_runs = [0]

    def beside() -> None:
        while not stop.is_set():
            subprocess.run(args.beside, shell=True, cwd=ROOT, stdout=subprocess.DEVNULL,
                           stderr=subprocess.DEVNULL, check=False)
            beside_runs[0] += 1

    if args.beside:
        threading.Thread(target=beside, daemon=True).start()
    names = [f"clone-{i}" for i in range(args.clones)]
    events: dict[str, list] = {n: [] for n in names}
    codes: dict[str, int] = {}
    started = time.time()
    def one(name: str) -> None:
        codes[name] = run_clone(name, commit, args.work, events, args.target)

    threads = [threading.Thread(target=one, args=(n,)) for n in names]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    finished = time.time()
    stop.set()
    report = {"commit": commit, "clones": args.clones, "beside": args.beside, "beside_runs": beside_runs[0],
              "note": args.note, "target": args.target,
              "cpus": len(Path("/proc/cpuinfo").read_text().split("processor")) - 1,
              "minutes": round((finished - started) / 60, 1),
              "load": load_between(samples, started, finished), "runs": {}}
    for name in names:
        end = events[name][-1][0] if events[name] else finished
        ps = passes(events[name], end)
        for p in ps:
            p["load"] = load_between(samples, p["start"], p["end"])
        report["runs"][name] = {"exit": codes.get(name), "passes": ps,
                                "tail": [line for _, line in events[name][-15:]]}
    report["load_samples"] = [(round(t - started), v) for t, v in samples]
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=1), encoding="utf-8")
    for name, run in report["runs"].items():
        for p in run["passes"]:
            print(f"{name} pass {p['pass']}: {p['minutes']} min, {p['summary']}, load {p['load']}")
        print(f"{name}: make {args.target} exit {run['exit']}")
    return 0 if all(c == 0 for c in codes.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
