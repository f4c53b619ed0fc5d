#!/usr/bin/env python3
"""The Python side of `cargo xtask bench --vs-python`.

Times scipy 1.17 and River 0.26.1 on the inputs the Rust drift benches use (written
by the `bench-inputs` binary) and prints, or writes with --json, the median time of
each bench in nanoseconds under the Rust bench's name:

  drift/ks_2samp/1000000      scipy.stats.ks_2samp(reference, current)
  drift/wasserstein/1000000   scipy.stats.wasserstein_distance(reference, current)
  drift/energy/1000000        scipy.stats.energy_distance(reference, current)
  drift/table_auto/100000x20  per column: drop NaN, the test `auto` picks for these
                              columns (more than 1000 values, more than 5 distinct:
                              Evidently's normed Wasserstein),
                              wasserstein_distance(r, c) / max(np.std(r), 0.001)
  stream/adwin/update         one river.drift.ADWIN() update (delta 0.002), warmed
                              up on the golden real stream, fed from it in a cycle
  read/csv/1000000x20         pandas.read_csv of the read bench's CSV (1e6 rows of
                              20 six-decimal numbers, the file `inputs.json` names)

The script needs scipy, numpy, pandas and river==0.26.1. Run with a Python that lacks them,
it makes a virtual environment OUTSIDE the project ($DRIFTWATCH_BENCH_VENV, default
~/.cache/driftwatch/bench-venv), installs them there with pip and runs itself again
with that environment's Python. The project itself never needs Python.

usage: drift_reference.py --inputs DIR [--json FILE] [--seconds S] [--only BENCH]...
"""

import argparse
import json
import os
import subprocess
import sys
import time

REQUIREMENTS = ["numpy", "scipy", "pandas", "river==0.26.1"]


def venv_dir():
    default = os.path.join(os.path.expanduser("~"), ".cache", "driftwatch", "bench-venv")
    return os.environ.get("DRIFTWATCH_BENCH_VENV", default)


def have_requirements():
    try:
        import numpy  # noqa: F401
        import scipy  # noqa: F401
        import pandas  # noqa: F401
        import river
    except ImportError:
        return False
    return river.__version__ == "0.26.1"


def ensure_environment():
    """Re-runs this script in the bench venv unless the packages are importable."""
    if have_requirements():
        return
    venv = venv_dir()
    python = os.path.join(venv, "bin", "python")
    if os.path.realpath(sys.prefix) == os.path.realpath(venv):
        sys.exit(f"error: the venv {venv} lacks {', '.join(REQUIREMENTS)} after pip install")
    if not os.path.exists(python):
        print(f"creating the bench venv {venv}", file=sys.stderr)
        made = subprocess.run([sys.executable, "-m", "venv", venv])
        if made.returncode != 0:
            sys.exit(
                f"error: cannot create a venv at {venv} ({sys.executable} -m venv failed; "
                "install python3-venv, or set DRIFTWATCH_BENCH_VENV to a writable place)"
            )
    installed = subprocess.run([python, "-m", "pip", "install", "-q", *REQUIREMENTS])
    if installed.returncode != 0:
        sys.exit(f"error: pip could not install {' '.join(REQUIREMENTS)} into {venv}")
    os.execv(python, [python, *sys.argv])


def timed(fn, seconds, min_runs=5):
    """Median wall time of fn() in ns over at least min_runs runs and `seconds`."""
    fn()  # warm up
    times = []
    start = time.perf_counter()
    while len(times) < min_runs or time.perf_counter() - start < seconds:
        t0 = time.perf_counter_ns()
        fn()
        times.append(time.perf_counter_ns() - t0)
    times.sort()
    return float(times[len(times) // 2])


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--inputs", required=True, help="directory written by bench-inputs")
    parser.add_argument("--json", help="write {bench: median_ns} to this file")
    parser.add_argument("--seconds", type=float, default=3.0, help="time per bench")
    parser.add_argument("--only", action="append", help="run only this bench (repeatable)")
    args = parser.parse_args()
    ensure_environment()

    import numpy as np
    import pandas as pd
    import scipy
    import scipy.stats as st
    import river
    from river import drift

    path = lambda name: os.path.join(args.inputs, name)  # noqa: E731
    with open(path("inputs.json")) as f:
        shapes = json.load(f)
    reference = np.fromfile(path("ks_reference.f64"), dtype="<f8")
    current = np.fromfile(path("ks_current.f64"), dtype="<f8")
    rows, cols = shapes["table_rows"], shapes["table_cols"]
    table_ref = np.fromfile(path("table_reference.f64"), dtype="<f8").reshape(cols, rows)
    table_cur = np.fromfile(path("table_current.f64"), dtype="<f8").reshape(cols, rows)
    stream = np.fromfile(path("adwin_stream.f64"), dtype="<f8").tolist()

    def table_auto():
        for j in range(cols):
            r = table_ref[j]
            c = table_cur[j]
            r = r[~np.isnan(r)]
            c = c[~np.isnan(c)]
            st.wasserstein_distance(r, c) / max(np.std(r), 0.001)

    adwin = drift.ADWIN()
    for x in stream:
        adwin.update(x)

    def adwin_pass():
        for x in stream:
            adwin.update(x)

    benches = {
        "drift/ks_2samp/1000000": lambda: timed(
            lambda: st.ks_2samp(reference, current), args.seconds
        ),
        "drift/wasserstein/1000000": lambda: timed(
            lambda: st.wasserstein_distance(reference, current), args.seconds
        ),
        "drift/energy/1000000": lambda: timed(
            lambda: st.energy_distance(reference, current), args.seconds
        ),
        "drift/table_auto/100000x20": lambda: timed(table_auto, args.seconds),
        "stream/adwin/update": lambda: timed(adwin_pass, args.seconds) / len(stream),
        "read/csv/1000000x20": lambda: timed(
            lambda: pd.read_csv(path(shapes["csv"])), args.seconds, min_runs=3
        ),
    }
    unknown = [name for name in args.only or [] if name not in benches]
    if unknown:
        sys.exit(f"error: unknown bench {', '.join(unknown)}; known: {', '.join(benches)}")
    results = {name: run() for name, run in benches.items() if not args.only or name in args.only}
    versions = (
        f"numpy {np.__version__}, scipy {scipy.__version__}, pandas {pd.__version__}, "
        f"river {river.__version__}"
    )
    print(f"python {sys.version.split()[0]}, {versions}", file=sys.stderr)
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"versions": versions, "median_ns": results}, f, indent=1)
    else:
        for name, ns in results.items():
            print(f"{name}\t{ns:.0f} ns")


if __name__ == "__main__":
    main()
