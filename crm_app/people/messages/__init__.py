"""Messages that really go out: offers, "still interested?" checks, meeting invitations and reminders.

`texts` (the catalogue's templates in the person's language, the tel:/sms:/WhatsApp links), `calendar` (the
meeting's .ics), `mail` (the SMTP settings and sending), `outbox` (compose, send, record as a contact moment,
the message log) and `fatigue` (how many requests a person had lately, across all networks).
"""
