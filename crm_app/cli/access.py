"""`crm user|sessions|roles|audit`: staff accounts, login sessions, the role matrix and the audit log."""
from __future__ import annotations

import dataclasses
import sys
from pathlib import Path

from crm_app.access import audit, audit_heads, users
from crm_app.access.audit import CLI_OPERATOR
from crm_app.cli.argtypes import positive_int
from crm_app.cli.output import EXIT_OK, EXIT_REFUSED, Refused, emit, open_store, say
from crm_app.core import reference


def register(sub) -> None:
    user = sub.add_parser("user", help="staff accounts").add_subparsers(dest="action", required=True)
    uadd = user.add_parser("add", help="add a staff account")
    uadd.add_argument("username", help="the login name (stored in lower case)")
    uadd.add_argument("--name", required=True, help="display name")
    uadd.add_argument("--role", required=True, choices=reference.ROLES, help="what the account may do (docs/roles.md)")
    uadd.add_argument("--password-stdin", action="store_true", help="read the password from standard input")
    uadd.add_argument("--oidc-subject", help="the identity provider's subject (sub) for this account (OIDC login)")
    uadd.add_argument("--email", help="email the identity provider verifies, to find this account at OIDC login")
    uadd.add_argument("--oidc-issuer", help="only accept the subject from this issuer (optional)")
    uadd.add_argument("--no-password", action="store_true",
                      help="no local password: the account logs in only through the identity provider")
    uadd.set_defaults(run=cmd_user_add)
    upw = user.add_parser("passwd", help="set a staff account's password")
    upw.add_argument("username", help="the account's login name")
    upw.add_argument("--password-stdin", action="store_true", help="read the new password from standard input")
    upw.set_defaults(run=cmd_user_passwd)
    urole = user.add_parser("role", help="give a staff account another role")
    urole.add_argument("username", help="the account's login name")
    urole.add_argument("role", choices=reference.ROLES, help="the new role (docs/roles.md)")
    urole.set_defaults(run=cmd_user_role)
    ulist = user.add_parser("list", help="list staff accounts")
    ulist.set_defaults(run=cmd_user_list)
    udis = user.add_parser("disable", help="disable a staff account")
    udis.add_argument("username", help="the account's login name")
    udis.set_defaults(run=cmd_user_disable)
    uen = user.add_parser("enable", help="enable a disabled staff account")
    uen.add_argument("username", help="the account's login name")
    uen.set_defaults(run=cmd_user_enable)
    ulink = user.add_parser("link", help="link an account to its identity-provider identity (OIDC)")
    ulink.add_argument("username", help="the account's login name")
    ulink.add_argument("--oidc-subject", help="the identity provider's subject (sub) for this account")
    ulink.add_argument("--email", help="email the identity provider verifies, to find this account")
    ulink.add_argument("--oidc-issuer", help="only accept the subject from this issuer (optional)")
    ulink.set_defaults(run=cmd_user_link)

    aud = sub.add_parser("audit", help="the tamper-evident audit log").add_subparsers(dest="action", required=True)
    averify = aud.add_parser("verify", help="check the keyed hash chain (exit 1 with the first bad id and why)")
    averify.add_argument("--against", metavar="FILE",
                         help="also check every head exported to this file (a copy kept outside the store)")
    averify.set_defaults(run=cmd_audit_verify)
    ahead = aud.add_parser("head", help="append the chain's head (id, hash, time) to the heads file and show it")
    ahead.set_defaults(run=cmd_audit_head)
    alist = aud.add_parser("list", help="audit events, newest first")
    alist.add_argument("--action", help="only actions containing this text")
    alist.add_argument("--limit", type=positive_int, default=50, help="at most this many events (default 50)")
    alist.set_defaults(run=cmd_audit_list)

    roles = sub.add_parser("roles", help="the role × screen × action matrix (docs/roles.md)")
    roles.add_argument("--markdown", action="store_true", help="the Markdown document (default: a short table)")
    roles.add_argument("-o", "--output", help="write to this file instead of standard output")
    roles.set_defaults(run=cmd_roles)
    sess = sub.add_parser("sessions", help="server-side login sessions").add_subparsers(dest="action", required=True)
    slist = sess.add_parser("list", help="live sessions: id, account, how, since, last seen (no tokens)")
    slist.set_defaults(run=cmd_sessions_list)
    send = sess.add_parser("end", help="end every live session of an account (log it out everywhere)")
    send.add_argument("username", help="the account's login name")
    send.set_defaults(run=cmd_sessions_end)
    sset = sess.add_parser("settings", help="show or change the idle and maximum session times")
    sset.add_argument("--idle-seconds", type=positive_int,
                      help="end a session after this long without a click (default 1800)")
    sset.add_argument("--max-seconds", type=positive_int,
                      help="end a session this long after login at the latest (default 28800)")
    sset.add_argument("--oidc-fresh-seconds", type=positive_int,
                      help="an identity-provider login older than this cannot start a session (default 300)")
    sset.set_defaults(run=cmd_sessions_settings)


# -- staff accounts ----------------------------------------------------------------------------------
def _ask_password(args) -> str:
    import getpass
    first = getpass.getpass(say(args, "cli.user.password_prompt") + " ")
    if first != getpass.getpass(say(args, "cli.user.password_again") + " "):
        raise Refused(say(args, "cli.user.passwords_differ"))
    return first


def _new_password(args) -> str:
    return sys.stdin.readline().rstrip("\n") if args.password_stdin else _ask_password(args)


def cmd_user_add(args) -> int:
    """--no-password: an account that logs in only through the identity provider."""
    if args.no_password:
        if not (args.oidc_subject or args.email):
            raise Refused(say(args, "cli.user.no_password_needs_identity"))
        password = None
    else:
        password = _new_password(args)
    user_id = users.add(open_store(args), CLI_OPERATOR, args.username, args.name, args.role, password,
                        oidc_subject=args.oidc_subject, email=args.email, oidc_issuer=args.oidc_issuer)
    emit(args, {"id": user_id, "username": args.username.strip().lower(), "role": args.role,
                "oidc_linked": bool(args.oidc_subject or args.email), "local_login": password is not None},
         [say(args, "cli.user.added", username=args.username, role=args.role)])
    return EXIT_OK


def cmd_user_passwd(args) -> int:
    password = _new_password(args)
    users.set_password(open_store(args), CLI_OPERATOR, args.username, password)
    emit(args, {"username": args.username.strip().lower(), "password_changed": True},
         [say(args, "cli.user.password_changed", username=args.username)])
    return EXIT_OK


def cmd_user_role(args) -> int:
    users.set_role(open_store(args), CLI_OPERATOR, args.username, args.role)
    emit(args, {"username": args.username.strip().lower(), "role": args.role},
         [say(args, "cli.user.role_changed", username=args.username, role=args.role)])
    return EXIT_OK


def cmd_user_list(args) -> int:
    rows = users.list_users(open_store(args))
    lines = [f"{r['username']:<16} {r['role']:<16} "
             f"{say(args, 'cli.user.disabled' if r['disabled'] else 'cli.user.active')}  {r['display_name']}"
             for r in rows]
    emit(args, rows, lines)
    return EXIT_OK


def cmd_user_disable(args) -> int:
    users.set_disabled(open_store(args), CLI_OPERATOR, args.username, True)
    emit(args, {"username": args.username, "disabled": True}, [say(args, "cli.user.was_disabled", username=args.username)])
    return EXIT_OK


def cmd_user_enable(args) -> int:
    users.set_disabled(open_store(args), CLI_OPERATOR, args.username, False)
    emit(args, {"username": args.username, "disabled": False}, [say(args, "cli.user.was_enabled", username=args.username)])
    return EXIT_OK


def cmd_user_link(args) -> int:
    users.link_identity(open_store(args), CLI_OPERATOR, args.username, oidc_subject=args.oidc_subject,
                        email=args.email, oidc_issuer=args.oidc_issuer)
    emit(args, {"username": args.username.strip().lower(), "oidc_linked": True},
         [say(args, "cli.user.linked", username=args.username)])
    return EXIT_OK


# -- audit log ---------------------------------------------------------------------------------------
def cmd_audit_verify(args) -> int:
    exported = []
    if args.against:
        if not Path(args.against).is_file():
            raise Refused(say(args, "cli.audit.no_heads_file", file=args.against))
        exported = [(h.event_id, h.event_hash) for h in audit_heads.read(args.against)]
    result = audit.verify(open_store(args), exported)
    reason = say(args, f"audit.reason.{result.reason}") if result.reason else None
    if result.ok:
        line = say(args, "cli.audit.intact", events=result.events_checked)
    elif result.first_bad_id is None:
        line = say(args, "cli.audit.failed", reason=reason)
    else:
        line = say(args, "cli.audit.broken", id=result.first_bad_id, reason=reason)
    lines = [line] + ([say(args, "cli.audit.heads_compared", file=args.against)] if result.ok and args.against else [])
    emit(args, {**dataclasses.asdict(result), "exported_heads_checked": len(exported)}, lines)
    return EXIT_OK if result.ok else EXIT_REFUSED


def cmd_audit_head(args) -> int:
    store = open_store(args)
    audit_heads.export(store)
    event_id, event_hash = audit.head(store)
    if event_id is None:
        raise Refused(say(args, "cli.audit.failed", reason=say(args, "audit.reason.empty")))
    path = audit_heads.heads_file(store.path)
    emit(args, {"id": event_id, "hash": event_hash, "file": str(path)},
         [say(args, "cli.audit.head", id=event_id, hash=event_hash, file=path)])
    return EXIT_OK


def cmd_audit_list(args) -> int:
    rows = audit.search(open_store(args), CLI_OPERATOR, action=args.action, limit=args.limit)
    lines = [f"{r['id']:>7} {r['occurred_utc']:%Y-%m-%d %H:%M:%S} {r['user_id'] if r['user_id'] is not None else '-':>5} "
             f"{r['action']:<24} {r['record_type'] or '-'}:{r['record_id'] if r['record_id'] is not None else '-'} "
             f"{r['result']} {r['origin']}" for r in rows]
    emit(args, rows, lines)
    return EXIT_OK


# -- roles and sessions ------------------------------------------------------------------------------
def cmd_roles(args) -> int:
    from crm_app.access import roles
    from crm_app.core import permissions
    if args.markdown or args.output:
        text = roles.matrix_markdown()
        if args.output:
            Path(args.output).write_text(text, encoding="utf-8")
        else:
            sys.stdout.write(text)
        return EXIT_OK
    table = {action: sorted(allowed) for action, allowed in permissions.ACTIONS.items()}
    emit(args, table, [f"{action:<24} {', '.join(allowed)}" for action, allowed in table.items()])
    return EXIT_OK


def cmd_sessions_list(args) -> int:
    from crm_app.access import sessions
    rows = sessions.live_sessions(open_store(args), CLI_OPERATOR)
    emit(args, rows, [f"#{r['id']:<6} {r['username']:<16} {r['method']:<6} "
                      + say(args, "cli.sessions.row", since=f"{r['created_utc']:%Y-%m-%d %H:%M}",
                            last_seen=f"{r['last_seen_utc']:%H:%M:%S}") for r in rows]
         or [say(args, "cli.sessions.none")])
    return EXIT_OK


def cmd_sessions_end(args) -> int:
    from crm_app.access import sessions
    ended = sessions.end_all_for_user(open_store(args), CLI_OPERATOR, args.username)
    emit(args, {"username": args.username, "ended": ended},
         [say(args, "cli.sessions.ended", count=ended, username=args.username)])
    return EXIT_OK


def cmd_sessions_settings(args) -> int:
    from crm_app.access import sessions
    changes = {"session_idle_seconds": args.idle_seconds, "session_max_seconds": args.max_seconds,
               "oidc_fresh_login_seconds": args.oidc_fresh_seconds}
    current = sessions.change_limits(open_store(args), CLI_OPERATOR, changes)
    emit(args, current, [f"{name} = {value}" for name, value in current.items()])
    return EXIT_OK
