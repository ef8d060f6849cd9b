"""`deepbrook serve`: start the notebook app with `panel serve` underneath and print its address."""
from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from deepbrook.app.context import (DEFAULT_MAX_DECOMPRESSED_MB, DEFAULT_MAX_FRAME_MB, DEFAULT_WORKSPACE, ENV_DASK,
                                   ENV_DATA_ROOTS, ENV_DECOMPRESSED_LIMIT, ENV_FRAME_LIMIT, ENV_UPLOAD_ENDPOINT,
                                   ENV_UPLOAD_LIMIT, ENV_WORKSPACE)

SERVER = Path(__file__).with_name("server.py")
APP_ROUTE = "server"  # panel serve names the route after the script
UPLOAD_PLUGIN = "deepbrook.app.uploads"


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="deepbrook", description="Deepbrook: H2O-style deep learning with a "
                                                              "Flow-like notebook in the browser.")
    sub = p.add_subparsers(dest="command", required=True)
    s = sub.add_parser("serve", help="serve the notebook app")
    s.add_argument("--port", type=int, default=5006)
    s.add_argument("--address", default="127.0.0.1", help="interface to listen on (0.0.0.0 for all)")
    s.add_argument("--workspace", default=os.environ.get(ENV_WORKSPACE) or str(DEFAULT_WORKSPACE),
                   help="folder holding frames, models and notebooks (shared by all tabs)")
    s.add_argument("--data-root", action="append", default=None, dest="data_roots",
                   help="folder users may import from (repeatable; default: <workspace>/data and the bundled data)")
    s.add_argument("--upload-limit-mb", type=float, default=200.0, help="largest upload, in MB (default 200)")
    s.add_argument("--max-decompressed-mb", type=float, default=DEFAULT_MAX_DECOMPRESSED_MB,
                   help="most bytes one file may expand to once decompressed, in MB (stops zip bombs while they "
                        "stream; default %(default)g)")
    s.add_argument("--max-frame-mb", type=float, default=DEFAULT_MAX_FRAME_MB,
                   help="most memory one parsed frame may take, in MB (default %(default)g)")
    s.add_argument("--dask-scheduler", default=None, help="address of a Dask scheduler to train on")
    # Callbacks run on a small pool so periodic live-view drains never starve user events; each notebook
    # serializes its own structure edits and runs with a lock.
    s.add_argument("--num-threads", type=int, default=4,
                   help="threads for callbacks (panel serve --num-threads; 0 = run them on the event loop)")
    s.add_argument("--open", action="store_true", help="open a browser tab")
    return p


def serve_command(args) -> tuple[list[str], dict, str]:
    """The panel serve command line, its environment, and the URL users open."""
    origins = {f"{args.address}:{args.port}", f"127.0.0.1:{args.port}", f"localhost:{args.port}"}
    if args.address in ("0.0.0.0", "::"):
        origins = {"*"}
    cmd = [sys.executable, "-m", "panel", "serve", str(SERVER), "--port", str(args.port),
           "--address", args.address, "--plugins", "deepbrook.app.health", "--index", APP_ROUTE,
           "--global-loading-spinner", "--plugins", UPLOAD_PLUGIN]  # uploads stream to disk over HTTP
    if args.num_threads > 0:  # 0: every callback on the event loop
        cmd += ["--num-threads", str(args.num_threads)]
    for o in sorted(origins):
        cmd += ["--allow-websocket-origin", o]
    if args.open:
        cmd.append("--show")
    env = dict(os.environ)
    env[ENV_WORKSPACE] = str(Path(args.workspace).expanduser().resolve())
    env[ENV_UPLOAD_LIMIT] = str(args.upload_limit_mb)
    env[ENV_UPLOAD_ENDPOINT] = "1"
    env[ENV_DECOMPRESSED_LIMIT] = str(args.max_decompressed_mb)
    env[ENV_FRAME_LIMIT] = str(args.max_frame_mb)
    env.setdefault("NUMBA_THREADING_LAYER", "omp")
    if args.data_roots:
        env[ENV_DATA_ROOTS] = os.pathsep.join(str(Path(d).expanduser().resolve()) for d in args.data_roots)
    if args.dask_scheduler:
        env[ENV_DASK] = args.dask_scheduler
    host = "127.0.0.1" if args.address in ("0.0.0.0", "::") else args.address
    return cmd, env, f"http://{host}:{args.port}/"


def main(argv=None) -> int:
    args = build_parser().parse_args(argv)
    cmd, env, url = serve_command(args)
    Path(env[ENV_WORKSPACE]).mkdir(parents=True, exist_ok=True)
    print(f"Deepbrook is starting at {url}  (workspace: {env[ENV_WORKSPACE]})", flush=True)
    os.execve(cmd[0], cmd, env)  # the server replaces this process, so signals reach it directly


if __name__ == "__main__":
    sys.exit(main())
