#!/usr/bin/env python3
"""The FastAPI + uvicorn + scikit-learn baseline of `cargo xtask loadtest --baseline`.

Trains the model `driftwatch train --data DATA --target TARGET` trains: a median
SimpleImputer and a StandardScaler on the numeric columns, then
RandomForestClassifier(n_estimators=100, random_state=42), on the same 80/20
stratified split; then serves `POST /v1/predict` with the body and answer shapes of
`driftwatch serve` (docs/SERVE.md): `{"rows": [{col: value}, ...]}` in,
`{"model", "predictions", "probabilities", "request_ids", "rows", "invalid"}` out,
and with --log appends one JSON line per predicted row (request id, timestamp,
input, prediction, probabilities, latency), as `driftwatch serve --log` does.

It binds 127.0.0.1:PORT (0: a free port) itself and prints
`serving fastapi on http://ADDR` on standard error once it listens, the line
`cargo xtask loadtest` waits for. One uvicorn worker (uvicorn's default).

The packages are pinned in requirements.txt. Run with a Python that lacks
them, the script makes a virtual environment OUTSIDE the project
($DRIFTWATCH_SERVE_VENV, default ~/.cache/driftwatch/serve-venv), installs them there
with pip and runs itself again with that environment's Python. The project itself
never needs Python.

usage: serve_fastapi.py --data CSV --target COLUMN [--port P] [--log FILE]
"""

import argparse
import json
import os
import socket
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REQUIREMENTS = os.path.join(HERE, "requirements.txt")


def venv_dir():
    default = os.path.join(os.path.expanduser("~"), ".cache", "driftwatch", "serve-venv")
    return os.environ.get("DRIFTWATCH_SERVE_VENV", default)


def have_requirements():
    try:
        import fastapi  # noqa: F401
        import pandas  # noqa: F401
        import sklearn  # noqa: F401
        import uvicorn  # noqa: F401
    except ImportError:
        return False
    return True


def ensure_environment():
    """Re-runs this script in the serve venv unless the packages are importable."""
    if have_requirements():
        return
    venv = venv_dir()
    python = os.path.join(venv, "bin", "python")
    if os.path.realpath(sys.prefix) == os.path.realpath(venv):
        sys.exit(f"error: the venv {venv} lacks the packages of {REQUIREMENTS} after pip install")
    if not os.path.exists(python):
        print(f"creating the serve venv {venv}", file=sys.stderr)
        made = subprocess.run([sys.executable, "-m", "venv", venv])
        if made.returncode != 0:
            sys.exit(
                f"error: cannot create a venv at {venv} ({sys.executable} -m venv failed; "
                "install python3-venv, or set DRIFTWATCH_SERVE_VENV to a writable place)"
            )
    installed = subprocess.run([python, "-m", "pip", "install", "-q", "-r", REQUIREMENTS])
    if installed.returncode != 0:
        sys.exit(f"error: pip could not install {REQUIREMENTS} into {venv}")
    os.execv(python, [python, *sys.argv])


def train(data, target):
    import pandas as pd
    from sklearn.compose import ColumnTransformer
    from sklearn.ensemble import RandomForestClassifier
    from sklearn.impute import SimpleImputer
    from sklearn.model_selection import train_test_split
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import StandardScaler

    frame = pd.read_csv(data)
    y = frame.pop(target).astype(str)
    numeric = list(frame.select_dtypes("number").columns)
    if len(numeric) != frame.shape[1]:
        sys.exit(f"error: {data}: only numeric feature columns are supported by this baseline")
    x_train, _, y_train, _ = train_test_split(
        frame, y, test_size=0.2, stratify=y, random_state=42
    )
    pre = ColumnTransformer(
        [("num", Pipeline([("imputer", SimpleImputer(strategy="median")),
                           ("scaler", StandardScaler())]), numeric)]
    )
    model = Pipeline(
        [("preprocess", pre),
         ("model", RandomForestClassifier(n_estimators=100, random_state=42))]
    )
    model.fit(x_train, y_train)
    return model, numeric


def app_for(model, columns, log_path):
    import pandas as pd
    from fastapi import FastAPI, HTTPException, Request

    app = FastAPI()
    prefix = format(time.time_ns() // 1000, "x")
    counter = {"next": 1}
    classes = [str(c) for c in model.classes_]
    log = open(log_path, "a", encoding="utf-8") if log_path else None

    @app.post("/v1/predict")
    async def predict(request: Request):
        body = await request.json()
        rows = body.get("rows") if isinstance(body, dict) else None
        if not isinstance(rows, list) or not rows or not all(isinstance(r, dict) for r in rows):
            raise HTTPException(400, "expected {\"rows\": [objects]}")
        start = time.perf_counter()
        frame = pd.DataFrame.from_records(rows, columns=columns)
        predictions = [str(p) for p in model.predict(frame)]
        proba = model.predict_proba(frame)
        per_row_ms = (time.perf_counter() - start) * 1e3 / len(rows)
        ids = []
        for _ in rows:
            ids.append(f"{prefix}-{counter['next']}")
            counter["next"] += 1
        probabilities = [dict(zip(classes, map(float, p))) for p in proba]
        if log is not None:
            now = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
            lines = [
                json.dumps({"request_id": i, "timestamp": now, "row": n + 1, "input": r,
                            "prediction": p, "probabilities": pr, "latency_ms": per_row_ms,
                            "model": "iris-fastapi@1"})
                for n, (i, r, p, pr) in enumerate(zip(ids, rows, predictions, probabilities))
            ]
            log.write("\n".join(lines) + "\n")
            log.flush()
        return {
            "model": {"name": "iris-fastapi", "version": "1"},
            "predictions": predictions,
            "probabilities": probabilities,
            "request_ids": ids,
            "rows": [{"row": n + 1, "status": "ok"} for n in range(len(rows))],
            "invalid": 0,
        }

    return app


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", required=True, help="training CSV (the one driftwatch trains on)")
    parser.add_argument("--target", required=True, help="target column")
    parser.add_argument("--port", type=int, default=0, help="loopback port; 0 picks a free one")
    parser.add_argument("--log", help="append one JSON line per prediction to this file")
    args = parser.parse_args()
    ensure_environment()

    import uvicorn

    model, columns = train(args.data, args.target)
    app = app_for(model, columns, args.log)
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", args.port))
    host, port = sock.getsockname()
    config = uvicorn.Config(app, log_level="warning", access_log=False)
    server = uvicorn.Server(config)
    print(f"serving fastapi on http://{host}:{port}", file=sys.stderr, flush=True)
    server.run(sockets=[sock])


if __name__ == "__main__":
    main()
