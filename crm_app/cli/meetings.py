"""`crm meeting|reimbursements|feedback`: meetings and attendance, the monthly payment list, "you said, we did"."""
from __future__ import annotations

from pathlib import Path

from crm_app.access.audit import CLI_OPERATOR
from crm_app.cli import messages
from crm_app.cli.argtypes import iso_date, record_id
from crm_app.cli.output import EXIT_OK, Refused, emit, open_store, say
from crm_app.core import formats, i18n
from crm_app.core.fields import display_name
from crm_app.networks import feedback, meetings, registry, reimbursements
from crm_app.people.messages import outbox
from crm_app.privacy import payments

_MEETING = "the meeting's id (crm meeting list shows it)"


def register(sub) -> None:
    meeting = sub.add_parser("meeting", help="meetings of a network: plan, invite, attendance, reimbursements")
    acts = meeting.add_subparsers(dest="action", required=True)
    add = acts.add_parser("add", help="plan a meeting (the date: the network's cadence proposes one)")
    add.add_argument("network", help="the network's name or id")
    add.add_argument("--date", type=iso_date, help="YYYY-MM-DD (default: one cadence step after the last meeting)")
    add.add_argument("--time", help="start time HH:MM (local time)")
    add.add_argument("--place", help="where")
    add.add_argument("--topic", help="what it is about")
    add.add_argument("--interpreter", action="store_true", help="an interpreter is needed")
    add.add_argument("--language-coach", action="store_true", help="a language coach is needed")
    add.add_argument("--invite", action="store_true", help="invite the members (alumni network: the active alumni)")
    add.set_defaults(run=cmd_add)
    listing = acts.add_parser("list", help="the network's meetings, the latest first")
    listing.add_argument("network", help="the network's name or id")
    listing.set_defaults(run=cmd_list)
    invite = acts.add_parser("invite", help="invite everyone who belongs to the meeting and is not invited yet")
    invite.add_argument("meeting", type=record_id, metavar="MEETING_ID", help=_MEETING)
    invite.add_argument("--send", action="store_true",
                        help="also email the invitation (with the .ics) to everyone on the list not emailed yet")
    invite.set_defaults(run=cmd_invite)
    remind = acts.add_parser("remind", help="email a reminder to everyone on the list whose attendance is not recorded")
    remind.add_argument("meeting", type=record_id, metavar="MEETING_ID", help=_MEETING)
    remind.set_defaults(run=cmd_remind)
    att = acts.add_parser("attendance", help="the meeting's list; with --person and --status, record one")
    att.add_argument("meeting", type=record_id, metavar="MEETING_ID", help=_MEETING)
    att.add_argument("--person", type=record_id, metavar="PERSON_ID", help="the person whose attendance to record")
    att.add_argument("--status", choices=meetings.STATUSES, help="present, excused or absent")
    att.set_defaults(run=cmd_attendance)
    pay = acts.add_parser("reimburse", help="travel costs and volunteer allowance of one person for a meeting")
    pay.add_argument("meeting", type=record_id, metavar="MEETING_ID", help=_MEETING)
    pay.add_argument("person", type=record_id, metavar="PERSON_ID", help="a person who was present")
    pay.add_argument("--travel", default="0", help="travel costs in euros, e.g. 12,50")
    pay.add_argument("--allowance", default="0", help="volunteer allowance in euros (counts towards the caps)")
    pay.add_argument("--override-reason", help="why a cap may be exceeded this time (audited)")
    pay.set_defaults(run=cmd_reimburse)

    month = sub.add_parser("reimbursements", help="the payment list of one month for finance, CSV or XLSX")
    month.add_argument("--month", required=True, metavar="YYYY-MM", help="the month of the meetings")
    month.add_argument("-o", "--output", required=True, metavar="FILE", help="FILE.csv or FILE.xlsx")
    month.set_defaults(run=cmd_reimbursements)
    said = sub.add_parser("feedback", help='a person\'s "you said, we did" overview as a printable HTML page')
    said.add_argument("id", type=record_id, metavar="PERSON_ID", help="the person's id")
    said.add_argument("-o", "--output", required=True, metavar="FILE", help="the HTML file (language: --lang)")
    said.set_defaults(run=cmd_feedback)


def _meeting_json(meeting: meetings.Meeting) -> dict:
    return {"id": meeting.id, "network_id": meeting.network_id, "network": meeting.network,
            "date": meeting.meeting_date, "time": meeting.start_time.strftime("%H:%M") if meeting.start_time else None,
            "place": meeting.place, "topic": meeting.topic, "interpreter": meeting.interpreter,
            "language_coach": meeting.language_coach, "invited": meeting.invited, "present": meeting.present}


def cmd_add(args) -> int:
    store = open_store(args)
    network_id = registry.find_id(store, args.network)
    day = args.date or meetings.propose_date(store, CLI_OPERATOR, network_id)
    meeting_id = meetings.plan(store, CLI_OPERATOR, meetings.MeetingInput(
        network_id=network_id, meeting_date=day, start_time=args.time, place=args.place, topic=args.topic,
        interpreter=args.interpreter, language_coach=args.language_coach))
    invited = meetings.invite(store, CLI_OPERATOR, meeting_id) if args.invite else 0
    meeting = meetings.get(store, CLI_OPERATOR, meeting_id)
    lines = [say(args, "cli.meeting.added", id=meeting_id, date=formats.date(day, args.lang))]
    if args.invite:
        lines.append(i18n.tn("cli.meeting.invited", invited, args.lang))
    emit(args, _meeting_json(meeting), lines)
    return EXIT_OK


def cmd_list(args) -> int:
    store = open_store(args)
    rows = meetings.of_network(store, CLI_OPERATOR, registry.find_id(store, args.network))
    emit(args, [_meeting_json(m) for m in rows],
         [f"{m.id}\t{formats.date(m.meeting_date, args.lang)}\t{m.topic or ''}\t{m.present}/{m.invited}" for m in rows]
         or [say(args, "cli.meeting.none")])
    return EXIT_OK


def cmd_invite(args) -> int:
    store = open_store(args)
    added = meetings.invite(store, CLI_OPERATOR, args.meeting)
    listed = [r["person_id"] for r in meetings.attendance(store, CLI_OPERATOR, args.meeting)]
    tired, lines = messages.fatigue_lines(args, store, listed)
    data = {"meeting_id": args.meeting, "invited": added, "contact_limit_reached": tired}
    lines.insert(0, i18n.tn("cli.meeting.invited", added, args.lang))
    if args.send:
        result = outbox.send_meeting(store, CLI_OPERATOR, args.meeting, "meeting_invitation", lang=args.lang)
        data["emails"] = vars(result)
        lines += messages.batch_lines(args, result)
    emit(args, data, lines)
    return EXIT_OK


def cmd_remind(args) -> int:
    result = outbox.send_meeting(open_store(args), CLI_OPERATOR, args.meeting, "meeting_reminder", lang=args.lang)
    emit(args, {"meeting_id": args.meeting, "emails": vars(result)},
         messages.batch_lines(args, result) or [say(args, "messages.batch.nobody")])
    return EXIT_OK


def cmd_attendance(args) -> int:
    store = open_store(args)
    if (args.person is None) != (args.status is None):
        raise Refused(say(args, "cli.meeting.person_and_status"))
    if args.person is not None:
        meetings.record_attendance(store, CLI_OPERATOR, args.meeting, args.person, args.status)
    rows = meetings.attendance(store, CLI_OPERATOR, args.meeting)
    emit(args, [{"person_id": r["person_id"], "status": r["status"]} for r in rows],
         [f"{r['person_id']}\t{display_name(r['given_name'], r['family_name'])}\t{r['status']}" for r in rows])
    return EXIT_OK


def cmd_reimburse(args) -> int:
    result = reimbursements.record(open_store(args), CLI_OPERATOR, args.meeting, args.person, args.travel,
                                   args.allowance, args.override_reason)
    data = {"meeting_id": args.meeting, "person_id": args.person, "month_total": str(result.month_total),
            "month_cap": str(result.month_cap), "year_total": str(result.year_total), "year_cap": str(result.year_cap),
            "over_cap": result.over}
    emit(args, data, [say(args, "cli.meeting.reimbursed", month_total=formats.money(result.month_total, args.lang),
                          year_total=formats.money(result.year_total, args.lang))])
    return EXIT_OK


def cmd_reimbursements(args) -> int:
    month = reimbursements.parse_month(args.month)
    path = Path(args.output)
    if not path.resolve().parent.is_dir():
        raise Refused(say(args, "cli.no_folder", named=f"-o {args.output}", folder=path.resolve().parent))
    rows = payments.write(open_store(args), CLI_OPERATOR, month, path, args.lang)
    emit(args, {"month": args.month, "rows": rows, "file": str(path)},
         [i18n.tn("cli.reimbursements.written", rows, args.lang, file=str(path))])
    return EXIT_OK


def cmd_feedback(args) -> int:
    document = feedback.personal(open_store(args), CLI_OPERATOR, args.id)
    path = Path(args.output)
    path.write_text(feedback.to_html(document, args.lang), encoding="utf-8")
    emit(args, {"person_id": args.id, "meetings": len(document["meetings"]),
                "inputs": sum(len(m["inputs"]) for m in document["meetings"]), "file": str(path)},
         [say(args, "cli.feedback.written", file=str(path))])
    return EXIT_OK
