"""`deepbrook serve` starts the notebook app with `panel serve` underneath and prints its address;
`deepbrook run NOTEBOOK` runs a notebook (ours or H2O Flow's `.flow`) headless with the same notebook model;
`deepbrook warmup` compiles the training kernels once per install (the Docker image runs it at build time)."""
from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from deepbrook.app.access import CredentialsError, UnsafeServeError, access_settings
from deepbrook.app.context import (DEFAULT_MAX_DECOMPRESSED_MB, DEFAULT_MAX_FRAME_MB, DEFAULT_MAX_MODEL_MB,
                                   DEFAULT_WORKSPACE, ENV_DASK, ENV_DATA_ROOTS, ENV_DECOMPRESSED_LIMIT,
                                   ENV_FRAME_LIMIT, ENV_MODEL_LIMIT, ENV_UPLOAD_ENDPOINT, ENV_UPLOAD_LIMIT,
                                   ENV_WORKSPACE)

SERVER = Path(__file__).with_name("server.py")
LAUNCHER = "deepbrook.app.launch"  # panel serve with security headers and the password login
APP_ROUTE = "server"  # panel serve names the route after the script
UPLOAD_PLUGIN = "deepbrook.app.uploads"


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="deepbrook", description="Deepbrook: H2O-style deep learning with a "
                                                              "Flow-like notebook in the browser.")
    sub = p.add_subparsers(dest="command", required=True)
    s = sub.add_parser("serve", help="serve the notebook app")
    s.add_argument("--port", type=int, default=5006)
    s.add_argument("--address", default="127.0.0.1",
                   help="interface to listen on; any address but loopback (0.0.0.0 for all) needs a login and "
                        "--allow-websocket-origin")
    s.add_argument("--basic-auth", default=None, metavar="PASSWORD_OR_FILE",
                   help="log users in: a JSON file {\"user\": \"password\"} (or a shared password; better set "
                        "DEEPBROOK_BASIC_AUTH, so it never shows in the process list)")
    s.add_argument("--oauth-provider", default=None, metavar="NAME",
                   help="log users in with Panel's OAuth provider NAME (github, google, azure, generic...); "
                        "PANEL_OAUTH_KEY, PANEL_OAUTH_SECRET, PANEL_OAUTH_ENCRYPTION come from the environment")
    s.add_argument("--allow-websocket-origin", action="append", default=None, dest="origins", metavar="HOST[:PORT]",
                   help="a web address users open the app at (repeatable; or DEEPBROOK_ALLOW_WEBSOCKET_ORIGIN="
                        "host1,host2); pages of other origins cannot open the notebook's websocket")
    s.add_argument("--ssl-certfile", default=None, help="serve HTTPS with this certificate (PEM)")
    s.add_argument("--ssl-keyfile", default=None, help="the certificate's private key (PEM)")
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
    s.add_argument("--max-model-mb", type=float, default=DEFAULT_MAX_MODEL_MB,
                   help="largest model file importModel reads, on disk and once decompressed, in MB "
                        "(default %(default)g)")
    s.add_argument("--dask-scheduler", default=None, help="address of a Dask scheduler to train on")
    # Callbacks run on a small pool so periodic live-view drains never starve user events; each notebook
    # serializes its own structure edits and runs with a lock.
    s.add_argument("--num-threads", type=int, default=4,
                   help="threads for callbacks (panel serve --num-threads; 0 = run them on the event loop)")
    s.add_argument("--open", action="store_true", help="open a browser tab")
    r = sub.add_parser("run", help="run every cell of a notebook (ours or H2O Flow's .flow) headless, in order")
    r.add_argument("notebook", help="the notebook file (.flow or .json)")
    r.add_argument("--data-root", action="append", default=None, dest="data_roots",
                   help="folder the notebook's files are read from (repeatable; default: the bundled data)")
    r.add_argument("--workspace", default=None,
                   help="folder to keep the frames and models in (default: memory only, nothing written)")
    r.add_argument("--job-timeout", type=float, default=None, help="seconds to wait for one cell's job")
    sub.add_parser("warmup", help="compile the training kernels of a default model and the common options now "
                                  "(once per install; later processes load them from the cache)")
    return p


def serve_command(args) -> tuple[list[str], dict, str]:
    """The server's command line, its environment, and the URL users open; `UnsafeServeError` (saying what to
    pass) when the address reaches beyond this machine without a login and an origin list."""
    access_args, access_env = access_settings(args.address, args.port, args.basic_auth, args.oauth_provider,
                                              args.origins)
    cmd = [sys.executable, "-m", LAUNCHER, str(SERVER), "--port", str(args.port),
           "--address", args.address, "--plugins", "deepbrook.app.health", "--index", APP_ROUTE,
           "--global-loading-spinner", "--plugins", UPLOAD_PLUGIN, *access_args]  # uploads stream to disk over HTTP
    if args.num_threads > 0:  # 0: every callback on the event loop
        cmd += ["--num-threads", str(args.num_threads)]
    for flag in ("ssl_certfile", "ssl_keyfile"):
        if getattr(args, flag):
            cmd += [f"--{flag.replace('_', '-')}", str(Path(getattr(args, flag)).expanduser().resolve())]
    if args.open:
        cmd.append("--show")
    env = {k: v for k, v in os.environ.items() if k != "PANEL_BASIC_AUTH"}  # Panel's own lower-cases passwords
    env.update(access_env)
    env[ENV_WORKSPACE] = str(Path(args.workspace).expanduser().resolve())
    env[ENV_UPLOAD_LIMIT] = str(args.upload_limit_mb)
    env[ENV_UPLOAD_ENDPOINT] = "1"
    env[ENV_DECOMPRESSED_LIMIT] = str(args.max_decompressed_mb)
    env[ENV_FRAME_LIMIT] = str(args.max_frame_mb)
    env[ENV_MODEL_LIMIT] = str(args.max_model_mb)
    env.setdefault("NUMBA_THREADING_LAYER", "omp")
    if args.data_roots:
        env[ENV_DATA_ROOTS] = os.pathsep.join(str(Path(d).expanduser().resolve()) for d in args.data_roots)
    if args.dask_scheduler:
        env[ENV_DASK] = args.dask_scheduler
    host = "127.0.0.1" if args.address in ("0.0.0.0", "::") else args.address
    scheme = "https" if args.ssl_certfile else "http"
    return cmd, env, f"{scheme}://{host}:{args.port}/"


def run_notebook(args, out=sys.stdout) -> int:
    """Run the notebook's cells in order with the app's own notebook model; one line per cell; 0 if all ran."""
    from deepbrook.app.context import AppState
    from deepbrook.app.notebook import Notebook

    path = Path(args.notebook)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as e:
        print(f"cannot read notebook {path}: {e}", file=out)
        return 2
    app = AppState(workspace_dir=args.workspace, data_roots=args.data_roots)
    nb = Notebook(app, title=path.stem)
    try:
        nb.load_json(text, run_text_cells=False)
    except ValueError as e:
        print(f"{path}: {e}", file=out)
        return 2

    def report(i, cell):
        first = (cell.input.strip().splitlines() or [""])[0][:70]
        print(f"cell {i:>3} {cell.status:<5} {cell.elapsed or 0:7.2f}s  {first}", file=out, flush=True)
        for note in cell.notes:
            print(f"          note: {note}", file=out, flush=True)
        if cell.status == "error":
            print(f"          error: {(cell.error.strip().splitlines() or [''])[0]}", file=out, flush=True)

    ok = nb.run_all(timeout=args.job_timeout, on_cell=report)
    done = sum(c.status == "ok" for c in nb.cells)
    print(f"{path.name}: {done}/{len(nb.cells)} cells ran; {nb.message}", file=out, flush=True)
    return 0 if ok else 1


def warmup_command(out=sys.stdout) -> int:
    """Compile (or load) the kernels of a default model and the common options; say what was compiled."""
    from deepbrook.engine import warmup

    report = warmup(progress=lambda label: print(f"warming up: {label}", file=out, flush=True))
    kernels = sorted({c["kernel"] for c in report["compiled"] + report["compiled_ahead"]})
    if kernels:
        ahead = len(report["compiled_ahead"])
        print(f"compiled {len(report['compiled']) + ahead} kernel signatures"
              f"{f' ({ahead} in helper processes)' if ahead else ''} ({len(kernels)} kernels: {', '.join(kernels)})",
              file=out)
    else:
        print("nothing to compile: every kernel came from the cache", file=out)
    print(f"done in {report['seconds']:.1f} s; cache: {report['cache_dir']}", file=out, flush=True)
    return 0


def main(argv=None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command in ("run", "warmup"):
        os.environ.setdefault("NUMBA_THREADING_LAYER", "omp")
    if args.command == "run":
        return run_notebook(args)
    if args.command == "warmup":
        return warmup_command()
    try:
        cmd, env, url = serve_command(args)
    except (UnsafeServeError, CredentialsError) as e:
        parser.error(str(e))
    Path(env[ENV_WORKSPACE]).mkdir(parents=True, exist_ok=True)
    print(f"Deepbrook is starting at {url}  (workspace: {env[ENV_WORKSPACE]})", flush=True)
    os.execve(cmd[0], cmd, env)  # the server replaces this process, so signals reach it directly


if __name__ == "__main__":
    sys.exit(main())
