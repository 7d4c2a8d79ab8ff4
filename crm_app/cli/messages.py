"""`crm message`: send one message by email, show its links and text, record a call/SMS/WhatsApp, the log.

The same services as the screens (crm_app.people.messages); email through the `[smtp]` settings of
`.streamlit/secrets.toml` or the file CRM_SECRETS names. Also used by `crm fill --send` and
`crm meeting invite|remind --send`.
"""
from __future__ import annotations

from crm_app.access.audit import CLI_OPERATOR
from crm_app.cli.argtypes import record_id
from crm_app.cli.output import EXIT_OK, emit, open_store, say
from crm_app.core import i18n
from crm_app.people.messages import fatigue, outbox

_ABOUT = "what it is about: the offer's id (offer), the waiting-list entry's id (still_interested), the meeting's id"


def register(sub) -> None:
    message = sub.add_parser("message", help="messages to a person: email, call/SMS/WhatsApp links, the log")
    acts = message.add_subparsers(dest="action", required=True)
    for name, text in (("send", "send the message by email now (a contact moment)"),
                       ("links", "the text and the tel:, sms: and WhatsApp links, to send from a phone"),
                       ("record", "record that the person was called or messaged from a link (a contact moment)")):
        act = acts.add_parser(name, help=text)
        act.add_argument("kind", choices=outbox.KINDS, help="which message")
        act.add_argument("person", type=record_id, metavar="PERSON_ID", help="to whom")
        act.add_argument("about", type=record_id, metavar="ABOUT_ID", help=_ABOUT)
        if name == "record":
            act.add_argument("--channel", required=True, choices=outbox.LINK_CHANNELS, help="how")
        act.set_defaults(run={"send": cmd_send, "links": cmd_links, "record": cmd_record}[name])
    log = acts.add_parser("log", help="the messages sent or prepared to a person, the newest first")
    log.add_argument("person", type=record_id, metavar="PERSON_ID", help="the person's id")
    log.set_defaults(run=cmd_log)


def cmd_send(args) -> int:
    log_id = outbox.send_email(open_store(args), CLI_OPERATOR, args.kind, args.person, args.about, lang=args.lang)
    emit(args, {"id": log_id, "person_id": args.person, "kind": args.kind, "channel": "email", "status": "sent"},
         [say(args, "cli.message.sent", person_id=args.person)])
    return EXIT_OK


def cmd_links(args) -> int:
    message = outbox.compose(open_store(args), CLI_OPERATOR, args.kind, args.person, args.about)
    links = message.links()
    emit(args, {"person_id": args.person, "kind": args.kind, "language": message.language, "subject": message.subject,
                "text": message.short, "links": links},
         [message.subject, message.short, *(f"{channel}\t{url}" for channel, url in links.items())])
    return EXIT_OK


def cmd_record(args) -> int:
    log_id = outbox.record_prepared(open_store(args), CLI_OPERATOR, args.kind, args.person, args.about, args.channel,
                                    lang=args.lang)
    emit(args, {"id": log_id, "person_id": args.person, "kind": args.kind, "channel": args.channel,
                "status": "prepared"},
         [say(args, "cli.message.recorded", person_id=args.person,
              channel=i18n.label("message_channel", args.channel, args.lang))])
    return EXIT_OK


def cmd_log(args) -> int:
    store = open_store(args)
    with store.read() as cur:
        rows = outbox.of_person(cur, args.person)
    emit(args, rows, [f"{r['sent_utc']:%Y-%m-%d %H:%M}\t{r['kind']}\t{r['channel']}\t{r['status']}\t{r['network'] or ''}"
                      for r in rows] or [say(args, "cli.message.none")])
    return EXIT_OK


def fatigue_lines(args, store, person_ids: list[int]) -> tuple[list[int], list[str]]:
    """Who had enough requests lately (for --json) and a line each (`! #12 already had 4 …`)."""
    counted = fatigue.of_persons(store, CLI_OPERATOR, person_ids)
    reached = [pid for pid in person_ids if counted[pid].reached]
    return reached, ["  ! " + i18n.tn("cli.message.fatigue", counted[pid].count, args.lang, person_id=pid,
                                      limit=counted[pid].limit, days=counted[pid].days) for pid in reached]


def batch_lines(args, result: outbox.BatchResult) -> list[str]:
    return ["  " + i18n.tn(f"messages.batch.{name}", len(ids), args.lang) + ": " + ", ".join(f"#{i}" for i in ids)
            for name, ids in vars(result).items() if ids]
