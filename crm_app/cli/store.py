"""`crm init` and `crm serve`: create or migrate the store, and run the web app on it."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from crm_app.access import audit, audit_key, users
from crm_app.cli.argtypes import positive_int
from crm_app.cli.output import EXIT_OK, emit, open_store, say
from crm_app.core.store import default_path


def register(sub) -> None:
    init = sub.add_parser("init", help="create or migrate the store")
    init.add_argument("--demo", action="store_true", help="fill an empty store with synthetic demo data")
    init.set_defaults(run=cmd_init)

    serve = sub.add_parser("serve", help="run the web app on this store")
    serve.add_argument("--port", type=positive_int, default=8501, help="the port to listen on")
    serve.add_argument("--address", default="127.0.0.1", help="the address to listen on (keep it local behind a proxy)")
    serve.set_defaults(run=cmd_serve)


def cmd_init(args) -> int:
    store = open_store(args)
    result = {"db": str(store.path), "schema_version": store.schema_version()}
    lines = [say(args, "cli.init.store", path=store.path, version=result["schema_version"])]
    audit.start_keyed_chain(store)
    if os.environ.get(audit_key.ENV, "").strip():
        lines.append(say(args, "cli.init.audit_key_env", variable=audit_key.ENV))
    else:
        result["audit_key_file"] = str(audit_key.key_file(store.path))
        lines.append(say(args, "cli.init.audit_key_file", file=result["audit_key_file"]))
    if args.demo:
        from crm_app.demo import fill
        summary = fill.fill_demo(store)
        result["demo"] = summary
        lines.append(say(args, "cli.init.demo_data", counts=", ".join(
            f"{value} {key}" for key, value in summary.items()
            if isinstance(value, int) and key not in ("seed", "users_created"))))
        lines.append(say(args, "cli.init.demo_accounts", password=fill.DEMO_PASSWORD))
        lines.extend(f"  {u['username']:<12} {u['role']}" for u in users.list_users(store))
    emit(args, result, lines)
    return EXIT_OK


def cmd_serve(args) -> int:
    store_path = str(Path(args.db or default_path()).resolve())
    open_store(args).close()  # create and migrate before the app starts, and fail early on a locked file
    args.store = None
    env = dict(os.environ, CRM_DB=store_path)
    app = Path(__file__).resolve().parents[2] / "app.py"
    command = [sys.executable, "-m", "streamlit", "run", str(app), "--server.port", str(args.port),
               "--server.address", args.address, "--browser.gatherUsageStats", "false"]
    return subprocess.call(command, env=env, cwd=app.parent)
