"""Every text the user sees, in Dutch (default) and English.

`t(key, lang, **params)` formats a message; an unknown key raises in tests (no silent gaps).
Option values (roles, sources, stages…) are translated through `label(group, value, lang)`.
"""
from __future__ import annotations

from .errors import CrmError, FieldError, ValidationError

LANGS = ("nl", "en")
DEFAULT_LANG = "nl"

MESSAGES: dict[str, tuple[str, str]] = {
    # application
    "app.title": ("Deelnemersnetwerken", "Participant networks"),
    "app.language": ("Taal", "Language"),
    "app.logout": ("Uitloggen", "Log out"),
    "app.signed_in_as": ("Ingelogd als {name} ({role})", "Signed in as {name} ({role})"),
    "app.no_access": ("U heeft geen toegang tot dit scherm.", "You do not have access to this screen."),
    "app.error": ("Er ging iets mis (code {code}). Probeer het opnieuw; blijft het misgaan, meld dan de code.",
                  "Something went wrong (code {code}). Try again; if it keeps happening, report the code."),
    # login
    "login.title": ("Inloggen", "Log in"),
    "login.username": ("Gebruikersnaam", "Username"),
    "login.password": ("Wachtwoord", "Password"),
    "login.submit": ("Inloggen", "Log in"),
    "login.failed": ("Gebruikersnaam of wachtwoord klopt niet.", "Username or password is not right."),
    # navigation
    "nav.home": ("Start", "Home"),
    "nav.register": ("Aanmelden", "Register"),
    "nav.find": ("Zoeken", "Find"),
    "nav.person": ("Persoon", "Person"),
    "nav.follow_ups": ("Mijn opvolgingen", "My follow-ups"),
    "nav.users": ("Gebruikers", "Users"),
    "nav.audit": ("Audit", "Audit"),
    "nav.self_register": ("Meld je aan", "Sign up"),
    "nav.section.people": ("Mensen", "People"),
    "nav.section.admin": ("Beheer", "Administration"),
    "nav.section.networks": ("Netwerken", "Networks"),
    "nav.places": ("Open plaatsen", "Open places"),
    "nav.fill": ("Plaatsen vullen", "Fill places"),
    "nav.waitlist": ("Wachtlijsten", "Waiting lists"),
    "nav.members": ("Leden", "Members"),
    "nav.networks": ("Netwerken beheren", "Manage networks"),
    # networks
    "networks.none": ("Er is nog geen netwerk.", "There is no network yet."),
    "networks.title": ("Netwerken", "Networks"),
    "networks.new": ("+ Nieuw netwerk", "+ New network"),
    "networks.edit": ("Netwerk", "Network"),
    "networks.saved": ("Netwerk opgeslagen.", "Network saved."),
    "networks.save": ("Netwerk opslaan", "Save network"),
    "networks.targets": ("Samenstellingsdoelen", "Composition targets"),
    "networks.targets_help": ("Per regel één doel. Waarde als code (gender: woman/man/other; land: SY, ER…; "
                              "taal: ara, tir…). Maat: count (aantal), share (percentage, bv. 40%) of distinct "
                              "(aantal verschillende waarden, zonder waarde). Zonder waarde en met een maximum: "
                              "hoogstens zoveel per waarde (bv. gemeente, max 4).",
                              "One target per row. Value as a code (gender: woman/man/other; country: SY, ER…; "
                              "language: ara, tir…). Measure: count, share (a percentage, e.g. 40%) or distinct "
                              "(number of different values, no value). No value with a maximum: at most that many "
                              "per value (e.g. municipality, max 4)."),
    "networks.col.dimension": ("Kenmerk", "Dimension"),
    "networks.col.value": ("Waarde", "Value"),
    "networks.col.measure": ("Maat", "Measure"),
    "networks.col.min": ("Minimum", "Minimum"),
    "networks.col.max": ("Maximum", "Maximum"),
    "networks.target_row": ("Doel {row}", "Target {row}"),
    "field.network": ("Netwerk", "Network"),
    "field.network_name": ("Naam", "Name"),
    "field.network_kind": ("Soort", "Kind"),
    "field.min_places": ("Minimum aantal plaatsen", "Minimum places"),
    "field.max_places": ("Maximum aantal plaatsen", "Maximum places"),
    "field.term_months": ("Termijn (maanden)", "Term (months)"),
    "field.max_terms": ("Maximum aantal termijnen achter elkaar", "Maximum consecutive terms"),
    "field.rest_months": ("Rustperiode voor terugkeer (maanden)", "Rest period before re-joining (months)"),
    "field.cadence": ("Vergaderfrequentie", "Meeting cadence"),
    "field.alumni_network": ("Alumninetwerk", "Alumni network"),
    # open places
    "places.title": ("Open plaatsen", "Open places"),
    "places.network": ("Netwerk", "Network"),
    "places.members": ("Leden", "Members"),
    "places.on_offer": ("Aangeboden", "On offer"),
    "places.open_now": ("Nu open", "Open now"),
    "places.opening_soon": ("Komen vrij (3 mnd)", "Opening (3 months)"),
    "places.waiting": ("Op wachtlijst", "Waiting"),
    "places.below_min": ("Minimum", "Minimum"),
    "places.below_min_text": ("onder het minimum van {min}", "below the minimum of {min}"),
    "places.targets_short": ("Doelen", "Targets"),
    "places.with_offers": ("met aanbiedingen", "with offers"),
    "places.fill_link": ("Plaatsen vullen", "Fill places"),
    "places.download": ("Download tabel (CSV)", "Download table (CSV)"),
    "target.met": ("gehaald", "met"),
    "target.short": ("niet gehaald", "short"),
    "target.over": ("overschreden", "exceeded"),
    # fill
    "fill.title": ("Plaatsen vullen", "Fill places"),
    "fill.method": ("Methode", "Method"),
    "fill.method.waitlist": ("Wachtlijst", "Waiting list"),
    "fill.method.quota": ("Quotum", "Quota"),
    "fill.method.lottery": ("Loting", "Lottery"),
    "fill.method_help.waitlist": ("Wie het langst wacht, eerst.", "Longest waiting first."),
    "fill.method_help.quota": ("Wie het langst wacht, eerst — binnen de doelen; waar een doel tekortschiet, eerst "
                               "wie dat aanvult.", "Longest waiting first within the targets; where a target falls "
                               "short, first whoever makes it up."),
    "fill.places": ("Aantal plaatsen", "Number of places"),
    "fill.proposal": ("Voorstel ({open} open plaatsen)", "Proposal ({open} open places)"),
    "fill.make_offers": ("Bied {count} plaats(en) aan", "Offer {count} place(s)"),
    "fill.offers_made": ("{count} aanbieding(en) gedaan.", "{count} offer(s) made."),
    "fill.open_offers": ("Openstaande aanbiedingen", "Open offers"),
    "fill.no_open_offers": ("Geen openstaande aanbiedingen.", "No open offers."),
    "fill.deadline": ("antwoord uiterlijk {date}", "answer by {date}"),
    "fill.accept": ("Aanvaard", "Accepted"),
    "fill.decline": ("Afgeslagen", "Declined"),
    "fill.withdraw": ("Intrekken", "Withdraw"),
    "fill.offer_accepted": ("Aanbod aanvaard: het lidmaatschap is gemaakt.", "Offer accepted: the membership is made."),
    "fill.offer_declined": ("Aanbod afgeslagen; het voorstel toont wie nu aan de beurt is.",
                            "Offer declined; the proposal shows who is next."),
    "fill.offer_withdrawn": ("Aanbod ingetrokken; de persoon staat weer op de wachtlijst.",
                             "Offer withdrawn; the person is back on the waiting list."),
    # waiting list
    "waitlist.title": ("Wachtlijst", "Waiting list"),
    "waitlist.add": ("Iemand op de wachtlijst zetten", "Put someone on the waiting list"),
    "waitlist.add_button": ("Toevoegen", "Add"),
    "waitlist.added": ("Op de wachtlijst gezet.", "Put on the waiting list."),
    "waitlist.summary": ("{waiting} wachtend, {due} met een controle 'nog interesse?' die nu moet.",
                         "{waiting} waiting, {due} due for a 'still interested?' check."),
    "waitlist.only_due": ("Alleen wie nu gecontroleerd moet worden", "Only those due for a check"),
    "waitlist.since": ("sinds {date} ({days} dagen)", "since {date} ({days} days)"),
    "waitlist.check_due": ("controle op {date}", "check due {date}"),
    "waitlist.check_overdue": ("controle sinds {date} nodig", "check overdue since {date}"),
    "waitlist.confirm": ("Heeft nog interesse", "Still interested"),
    "waitlist.confirmed": ("Interesse bevestigd.", "Interest confirmed."),
    "waitlist.end": ("Van de lijst halen", "Take off the list"),
    "waitlist.end_status": ("Waarom", "Why"),
    "waitlist.end_reason": ("Toelichting", "Explanation"),
    "waitlist.end_submit": ("Van de lijst halen", "Take off the list"),
    "waitlist.ended": ("Van de wachtlijst gehaald.", "Taken off the waiting list."),
    # members
    "members.title": ("Leden", "Members"),
    "members.count": ("{count} leden, {places} plaatsen", "{count} members, {places} places"),
    "members.term": ("van {start} tot {end} (termijn {number})", "from {start} to {end} (term {number})"),
    "members.end": ("Lidmaatschap beëindigen", "End membership"),
    "members.end_reason": ("Reden", "Reason"),
    "members.end_note": ("Toelichting", "Explanation"),
    "members.end_submit": ("Beëindigen", "End"),
    "members.ended": ("Lidmaatschap beëindigd; de plaats is vrij.", "Membership ended; the place is open."),
    "person.networks": ("Netwerken", "Networks"),
    "person.add_to_waitlist": ("Op wachtlijst zetten", "Put on waiting list"),
    "person.waitlist_added": ("Op de wachtlijst gezet.", "Put on the waiting list."),
    "person.no_networks": ("Nog op geen enkele wachtlijst en nergens lid.", "Not on any waiting list and no member anywhere."),
    # home
    "home.welcome": ("Welkom, {name}", "Welcome, {name}"),
    "home.role": ("Uw rol: {role}", "Your role: {role}"),
    "home.what_you_can_do": ("Wat u hier kunt doen:", "What you can do here:"),
    "home.stats": ("{persons} personen geregistreerd, {due} opvolgingen vandaag of te laat.",
                   "{persons} persons registered, {due} follow-ups due today or overdue."),
    # fields
    "field.given_name": ("Voornaam", "Given name"),
    "field.family_name": ("Achternaam (optioneel)", "Family name (optional)"),
    "field.phone_country": ("Land van het nummer", "Country of the number"),
    "field.phone": ("Telefoon", "Phone"),
    "field.email": ("E-mail (optioneel)", "Email (optional)"),
    "field.preferred_language": ("Voorkeurstaal", "Preferred language"),
    "field.other_languages": ("Andere talen", "Other languages"),
    "field.note": ("Notitie", "Note"),
    "field.source_kind": ("Hoe gevonden", "How found"),
    "field.source_name.market": ("Welke markt", "Which market"),
    "field.source_name.coach_referral": ("Naam coach", "Coach's name"),
    "field.source_name.internal_coach": ("Naam coach (gemeente)", "Coach's name (municipality)"),
    "field.source_name.alumni_referral": ("Welke alumnus", "Which alumnus"),
    "field.source_name.partner_org": ("Welke organisatie", "Which organisation"),
    "field.source_name.event": ("Welke bijeenkomst", "Which event"),
    "field.source_name.self_registration": ("Waar (kiosk, formulier)", "Where (kiosk, form)"),
    "field.source_name.other": ("Toelichting", "Details"),
    "field.source_org": ("Organisatie van de coach", "Coach's organisation"),
    "field.source_date": ("Datum", "Date"),
    "field.source_detail": ("Extra toelichting (optioneel)", "More details (optional)"),
    "field.consent_method": ("Toestemming gegeven", "Consent given"),
    "field.consent_contact": ("Toestemming om contact op te nemen (nodig om telefoon of e-mail te bewaren)",
                              "Consent to be contacted (needed to keep phone or email)"),
    "field.consent_diversity_statistics": ("Toestemming voor diversiteitsstatistiek (optionele kenmerken)",
                                           "Consent to diversity statistics (optional characteristics)"),
    "field.gender": ("Gender", "Gender"),
    "field.birth_year": ("Geboortejaar", "Birth year"),
    "field.country_of_origin": ("Land van herkomst", "Country of origin"),
    "field.education_level": ("Opleidingsniveau", "Education level"),
    "field.municipality": ("Gemeente", "Municipality"),
    "field.district": ("Wijk", "District"),
    "field.arrival_year": ("Jaar van aankomst in Nederland", "Year of arrival in the Netherlands"),
    "field.integration_route": ("Inburgeringsroute", "Integration route"),
    "field.stage": ("Fase", "Stage"),
    "field.activity_kind": ("Soort contact", "Kind of contact"),
    "field.activity_summary": ("Wat is er besproken", "What was discussed"),
    "field.activity_follow_up": ("Opvolgen op (optioneel)", "Follow up on (optional)"),
    "field.username": ("Gebruikersnaam", "Username"),
    "field.display_name": ("Naam", "Name"),
    "field.role": ("Rol", "Role"),
    "field.password": ("Wachtwoord (minstens 12 tekens)", "Password (at least 12 characters)"),
    "field.none": ("—", "—"),
    # register
    "register.title": ("Aanmelden", "Register"),
    "register.section.contact": ("Contact", "Contact"),
    "register.section.source": ("Bron", "Source"),
    "register.check_again": ("Opnieuw controleren", "Check again"),
    "register.section.consent": ("Toestemming", "Consent"),
    "register.section.dimensions": ("Optionele kenmerken (alleen met toestemming)",
                                    "Optional characteristics (only with consent)"),
    "register.submit": ("Opslaan", "Save"),
    "register.saved": ("{name} is opgeslagen.", "{name} has been saved."),
    "register.open_person": ("Open persoon", "Open person"),
    "register.fix_fields": ("Controleer de gemarkeerde velden; er is nog niets opgeslagen.",
                            "Check the marked fields; nothing has been saved yet."),
    "register.duplicates_found": ("Mogelijk staat deze persoon er al in. Vergelijk en kies.",
                                  "This person may already be registered. Compare and choose."),
    "register.compare.field": ("Gegeven", "Field"),
    "register.compare.new": ("Nieuw ingevoerd", "Just entered"),
    "register.compare.existing": ("Bestaand (#{id})", "Existing (#{id})"),
    "register.compare.agrees": ("Komt overeen", "Agrees"),
    "register.use_existing": ("Zelfde persoon: voeg deze bron toe", "Same person: add this source"),
    "register.confirm_new": ("Iemand anders: sla op als nieuw", "Someone else: save as new"),
    "register.source_added": ("Bron toegevoegd aan de bestaande persoon.", "Source added to the existing person."),
    # duplicate reasons
    "reason.same_phone": ("zelfde telefoonnummer", "same phone number"),
    "reason.same_email": ("zelfde e-mailadres", "same email address"),
    "reason.similar_name": ("lijkende naam", "similar name"),
    "reason.swapped_name": ("voor- en achternaam omgewisseld", "given and family name swapped"),
    "reason.same_birth_year": ("zelfde geboortejaar", "same birth year"),
    "reason.near_birth_year": ("geboortejaar scheelt één jaar", "birth year one year apart"),
    # selection reasons
    "reason.waited": ("wacht {months} maanden (nummer {position} op de lijst)",
                      "waited {months} months (number {position} on the list)"),
    "reason.waited_month": ("wacht 1 maand (nummer {position} op de lijst)",
                            "waited 1 month (number {position} on the list)"),
    "reason.waited_days": ("wacht {days} dagen (nummer {position} op de lijst)",
                           "waited {days} days (number {position} on the list)"),
    "reason.adds_value": ("voegt toe: {subject}: nu {now} van {places}, doel minstens {min}",
                          "adds {subject}: {now} of {places} now, target at least {min}"),
    "reason.adds_distinct": ("voegt een nieuwe waarde toe voor {dimension_label} ({value_label}): nu {now}, "
                             "doel minstens {min} verschillende",
                             "adds a new {dimension_label} ({value_label}): {now} now, target at least {min} different"),
    "reason.max_blocks": ("Iedere overgebleven kandidaat zou het maximum overschrijden van {subject} "
                          "(hoogstens {max}).",
                          "Every remaining candidate would exceed the maximum of {subject} "
                          "(at most {max})."),
    "reason.short_no_candidate": ("Doel {subject} blijft onder (nu {level}, minstens {min}): "
                                  "niemand op de wachtlijst kan het aanvullen.",
                                  "Target {subject} stays short ({level} now, at least {min}): "
                                  "nobody on the waiting list can make it up."),
    "reason.short_not_enough_places": ("Doel {subject} blijft onder (nu {level}, minstens "
                                       "{min}): niet genoeg open plaatsen.",
                                       "Target {subject} stays short ({level} now, at least "
                                       "{min}): not enough open places."),
    "reason.too_few_candidates": ("Maar {found} kandidaten voor {wanted} plaatsen op de wachtlijst.",
                                  "Only {found} candidates on the waiting list for {wanted} places."),
    "reason.no_open_places": ("Er zijn geen open plaatsen.", "There are no open places."),
    # targets and dimensions
    "target.at_least": ("minstens {n}", "at least {n}"),
    "target.at_most": ("hoogstens {n}", "at most {n}"),
    "target.and": ("en", "and"),
    "target.different": ("verschillende", "different"),
    "target.each": ("per waarde", "each"),
    "target.share_of": ("({share} van {places})", "({share} of {places})"),
    "dimension.gender": ("gender", "gender"),
    "dimension.age_band": ("leeftijd", "age band"),
    "dimension.country_of_origin": ("land van herkomst", "country of origin"),
    "dimension.language": ("taal", "language"),
    "dimension.education_level": ("opleidingsniveau", "education level"),
    "dimension.education_band": ("opleiding (3 niveaus)", "education (3 levels)"),
    "dimension.municipality": ("gemeente", "municipality"),
    "dimension.district": ("wijk", "district"),
    "dimension.years_in_nl": ("jaren in Nederland", "years in the Netherlands"),
    "dimension.integration_route": ("inburgeringsroute", "integration route"),
    # find
    "find.title": ("Persoon zoeken", "Find a person"),
    "find.query": ("Naam, telefoon of e-mail", "Name, phone or email"),
    "find.none": ("Niemand gevonden.", "Nobody found."),
    "find.count": ("{count} gevonden", "{count} found"),
    "find.more": ("Meer dan {count} gevonden: maak de zoekvraag preciezer.",
                  "More than {count} found: make the search more precise."),
    # person
    "person.title": ("Persoon", "Person"),
    "person.choose": ("Kies eerst een persoon via Zoeken.", "First choose a person through Find."),
    "person.not_found": ("Deze persoon bestaat niet (meer).", "This person does not exist (any more)."),
    "person.tab.overview": ("Overzicht", "Overview"),
    "person.tab.edit": ("Bewerken", "Edit"),
    "person.tab.contact": ("Contactmoment", "Contact moment"),
    "person.contact_details": ("Contactgegevens", "Contact details"),
    "person.sources": ("Bronnen", "Sources"),
    "person.first_source": ("eerste bron", "first source"),
    "person.consents": ("Toestemmingen", "Consents"),
    "person.consent_history": ("Geschiedenis van toestemmingen", "Consent history"),
    "person.dimensions": ("Kenmerken", "Characteristics"),
    "person.activities": ("Contactmomenten", "Contact moments"),
    "person.no_activities": ("Nog geen contactmomenten.", "No contact moments yet."),
    "person.save": ("Wijzigingen opslaan", "Save changes"),
    "person.saved": ("Wijzigingen opgeslagen.", "Changes saved."),
    "person.stage_save": ("Fase opslaan", "Save stage"),
    "person.stage_auto": ("automatisch (uit de feiten)", "automatic (from the facts)"),
    "person.activity_submit": ("Contactmoment vastleggen", "Record contact moment"),
    "person.activity_saved": ("Contactmoment vastgelegd.", "Contact moment recorded."),
    "person.given": ("gegeven", "given"),
    "person.withdrawn": ("ingetrokken", "withdrawn"),
    "person.not_asked": ("niet gevraagd", "not asked"),
    "person.follow_up_on": ("opvolgen op {date}", "follow up on {date}"),
    "person.registered_on": ("Geregistreerd op {date}", "Registered on {date}"),
    # follow-ups
    "followups.title": ("Mijn opvolgingen", "My follow-ups"),
    "followups.none": ("Niets te doen vandaag.", "Nothing due today."),
    "followups.overdue": ("te laat", "overdue"),
    "followups.today": ("vandaag", "today"),
    "followups.done": ("Gedaan", "Done"),
    # users
    "users.title": ("Gebruikers", "Users"),
    "users.add": ("Gebruiker toevoegen", "Add user"),
    "users.added": ("Gebruiker {username} toegevoegd.", "User {username} added."),
    "users.disable": ("Blokkeren", "Disable"),
    "users.enable": ("Deblokkeren", "Enable"),
    "users.disabled": ("geblokkeerd", "disabled"),
    # audit log
    "audit.title": ("Auditlog", "Audit log"),
    "audit.action": ("Actie bevat", "Action contains"),
    "audit.user": ("Medewerker", "Staff member"),
    "audit.user_any": ("Iedereen", "Anyone"),
    "audit.user_cli": ("Beheerder (opdrachtregel)", "Operator (command line)"),
    "audit.record_id": ("Record-id", "Record id"),
    "audit.since": ("Vanaf", "From"),
    "audit.until": ("Tot en met", "Up to and including"),
    "audit.none": ("Geen gebeurtenissen gevonden.", "No events found."),
    "audit.count": ("{count} gebeurtenissen (nieuwste eerst, hoogstens {limit}).",
                    "{count} events (newest first, at most {limit})."),
    "audit.col.time": ("Tijd", "Time"),
    "audit.col.user": ("Medewerker", "Staff member"),
    "audit.col.action": ("Actie", "Action"),
    "audit.col.record": ("Record", "Record"),
    "audit.col.result": ("Resultaat", "Result"),
    "audit.col.origin": ("Herkomst", "Origin"),
    "audit.verify": ("Keten controleren", "Verify chain"),
    "audit.intact": ("De auditketen is intact ({count} gebeurtenissen gecontroleerd).",
                     "The audit chain is intact ({count} events checked)."),
    "audit.broken": ("De auditketen is verbroken bij gebeurtenis {id}.", "The audit chain is broken at event {id}."),
    "audit.bad_record_id": ("Vul een getal in.", "Enter a number."),
    # self registration (kiosk)
    "self.title": ("Meld je aan voor een deelnemersnetwerk", "Sign up for a participant network"),
    "self.intro": ("Laat je gegevens achter; we nemen contact met je op.",
                   "Leave your details; we will get in touch."),
    "self.submit": ("Aanmelden", "Sign up"),
    "self.thanks": ("Dank je wel! We nemen contact met je op.", "Thank you! We will get in touch."),
    # errors
    "err.validation_failed": ("{count} veld(en) kloppen niet.", "{count} field(s) are not right."),
    "err.required": ("Vul dit in.", "Please fill this in."),
    "err.too_long": ("Te lang: {length} tekens, maximaal {max}.", "Too long: {length} characters, at most {max}."),
    "err.control_character": ("Bevat een onzichtbaar stuurteken; typ de tekst opnieuw.",
                              "Contains an invisible control character; type the text again."),
    "err.bidi_control": ("Bevat een teken dat de leesrichting omdraait; typ de tekst opnieuw.",
                         "Contains a character that overrides text direction; type the text again."),
    "err.invalid_character": ("Bevat een ongeldig teken.", "Contains an invalid character."),
    "err.name_needs_letter": ("Een naam bevat minstens één letter.", "A name contains at least one letter."),
    "err.name_has_digit": ("Een naam bevat geen cijfers.", "A name contains no digits."),
    "err.phone_unreadable": ("Dit is geen telefoonnummer.", "This is not a phone number."),
    "err.phone_invalid": ("Geen geldig nummer voor {country_name}. Klopt het land?",
                          "Not a valid number for {country_name}. Is the country right?"),
    "err.email_invalid": ("Dit e-mailadres klopt niet (voorbeeld: naam@voorbeeld.nl).",
                          "This email address is not valid (example: name@example.com)."),
    "err.contact_consent_required": ("Zonder toestemming voor contact mogen telefoon en e-mail niet bewaard worden.",
                                     "Without consent to be contacted, phone and email cannot be kept."),
    "err.diversity_consent_required": ("Kenmerken alleen met toestemming voor diversiteitsstatistiek.",
                                       "Characteristics only with consent to diversity statistics."),
    "err.year_not_number": ("Vul een jaartal in, bijvoorbeeld 1990.", "Enter a year, for example 1990."),
    "err.year_out_of_range": ("Kies een jaar tussen {low} en {high}.", "Choose a year between {low} and {high}."),
    "err.arrival_before_birth": ("Aankomst ligt vóór het geboortejaar.", "Arrival is before the birth year."),
    "err.invalid_choice": ("Kies een van de mogelijkheden.", "Choose one of the options."),
    "err.language_unknown": ("Onbekende taal.", "Unknown language."),
    "err.country_unknown": ("Onbekend land.", "Unknown country."),
    "err.date_invalid": ("Geen geldige datum (jjjj-mm-dd).", "Not a valid date (yyyy-mm-dd)."),
    "err.date_in_future": ("Deze datum ligt in de toekomst.", "This date is in the future."),
    "err.date_in_past": ("Deze datum ligt in het verleden.", "This date is in the past."),
    "err.referrer_required": ("Noem de alumnus die iemand aanbracht.", "Name the alumnus who referred them."),
    "err.referrer_unknown": ("Deze alumnus bestaat niet.", "This alumnus does not exist."),
    "err.username_invalid": ("2–40 tekens: kleine letters, cijfers, punt, streepje.",
                             "2–40 characters: lower-case letters, digits, dot, dash."),
    "err.username_taken": ("Deze gebruikersnaam bestaat al.", "This username already exists."),
    "err.password_too_short": ("Minstens {min} tekens.", "At least {min} characters."),
    "err.password_common": ("Dit wachtwoord is te bekend en makkelijk te raden. Kies een ander.",
                            "This password is too common and easy to guess. Choose another."),
    "err.password_contains_username": ("Het wachtwoord mag de gebruikersnaam niet bevatten.",
                                       "The password may not contain the username."),
    "err.user_not_found": ("Deze gebruiker bestaat niet.", "This user does not exist."),
    "err.person_not_found": ("Deze persoon bestaat niet.", "This person does not exist."),
    "err.activity_not_found": ("Dit contactmoment bestaat niet.", "This contact moment does not exist."),
    "err.permission_denied": ("U mag dit niet doen.", "You may not do this."),
    "err.concurrent_change": ("Iemand anders wijzigde dit tegelijk. Laad de pagina opnieuw en probeer het nog eens.",
                              "Someone else changed this at the same time. Reload the page and try again."),
    "err.min_above_max": ("Het minimum ligt boven het maximum ({max}).", "The minimum is above the maximum ({max})."),
    "err.max_below_members": ("Kan niet: {taken} plaatsen zijn bezet of aangeboden.",
                              "Not possible: {taken} places are held or on offer."),
    "err.name_taken": ("Deze naam bestaat al.", "This name already exists."),
    "err.not_whole_number": ("Vul een heel getal in.", "Enter a whole number."),
    "err.not_number": ("Vul een getal in.", "Enter a number."),
    "err.out_of_range": ("Kies een getal van {low} tot en met {high}.", "Choose a number from {low} to {high}."),
    "err.target_needs_bound": ("Geef een minimum of een maximum.", "Give a minimum or a maximum."),
    "err.distinct_has_no_value": ("Een doel voor 'verschillende' heeft geen waarde.",
                                  "A 'different values' target has no value."),
    "err.target_needs_value": ("Een minimum geldt voor één waarde: vul de waarde in.",
                               "A minimum is for one value: fill in the value."),
    "err.target_above_places": ("Dit doel is nooit te halen met {places} plaatsen.",
                                "This target can never be met with {places} places."),
    "err.network_not_found": ("Dit netwerk bestaat niet.", "This network does not exist."),
    "err.contact_consent_needed": ("Zonder toestemming voor contact kan iemand niet op de wachtlijst.",
                                   "Without consent to be contacted, a person cannot be on a waiting list."),
    "err.already_on_list": ("Staat al op deze wachtlijst.", "Already on this waiting list."),
    "err.already_member": ("Is al lid van dit netwerk.", "Already a member of this network."),
    "err.resting": ("Zit nog in de rustperiode na het vorige lidmaatschap.",
                    "Still in the rest period after the previous membership."),
    "err.entry_not_found": ("Deze inschrijving bestaat niet.", "This waiting-list entry does not exist."),
    "err.entry_not_waiting": ("Deze inschrijving wacht niet meer (status: {status}).",
                              "This entry is no longer waiting (status: {status})."),
    "err.not_enough_places": ("Er zijn {open} open plaatsen; {wanted} aanbiedingen passen niet. "
                              "Misschien vulde iemand anders net een plaats: laad opnieuw.",
                              "There are {open} open places; {wanted} offers do not fit. "
                              "Someone else may just have filled a place: reload."),
    "err.already_on_offer": ("Heeft al een openstaand aanbod voor dit netwerk.",
                             "Already has an open offer for this network."),
    "err.offer_not_found": ("Dit aanbod bestaat niet.", "This offer does not exist."),
    "err.offer_not_open": ("Dit aanbod staat niet meer open (status: {status}).",
                           "This offer is no longer open (status: {status})."),
    "err.offer_expired": ("Dit aanbod is verlopen op {deadline}; het kan niet meer worden aanvaard.",
                          "This offer expired on {deadline}; it can no longer be accepted."),
    "err.method_unknown": ("Onbekende methode: {method}.", "Unknown method: {method}."),
    "err.duplicate_entry": ("Dezelfde persoon staat twee keer in de keuze.", "The same person is chosen twice."),
    "err.membership_not_found": ("Dit lidmaatschap bestaat niet.", "This membership does not exist."),
    "err.membership_already_ended": ("Dit lidmaatschap is al beëindigd.", "This membership has already ended."),
    "err.internal": ("Interne fout (code {code}); er is niets gewijzigd.", "Internal error (code {code}); nothing changed."),
    "err.store_locked": ("De database {path} is in gebruik door een ander proces (draait de app?). "
                         "Stop dat eerst, of gebruik de beheerschermen van de app.",
                         "The database {path} is in use by another process (is the app running?). "
                         "Stop it first, or use the app's admin screens."),
    "err.store_not_empty": ("De database bevat al personen; demogegevens worden alleen in een lege database gezet.",
                            "The database already holds persons; demo data only goes into an empty store."),
    # -- privacy (issue 4) --

    # -- sessions (issue 4) --
    "login.session_ended": ("Uw sessie is verlopen. Log opnieuw in.", "Your session has ended. Please log in again."),
    "login.oidc": ("Inloggen met {provider}", "Log in with {provider}"),
    "login.local_caption": ("Of met een lokaal account:", "Or with a local account:"),
    "login.oidc_refused": ("U bent bij de identiteitsprovider ingelogd, maar u heeft geen toegang tot het CRM. "
                           "Vraag een beheerder om uw account te koppelen.",
                           "You are logged in at the identity provider, but you have no access to the CRM. "
                           "Ask an administrator to link your account."),
    "login.oidc_switch": ("Uitloggen bij de identiteitsprovider", "Log out at the identity provider"),
    "login.oidc_subject": ("Uw code bij de identiteitsprovider (geef die aan de beheerder): {subject}",
                           "Your code at the identity provider (give it to the administrator): {subject}"),
    "users.oidc_subject": ("OIDC-subject (sub) bij de identiteitsprovider", "OIDC subject (sub) at the identity provider"),
    "users.email": ("E-mailadres (geverifieerd bij de identiteitsprovider)", "Email (verified by the identity provider)"),
    "users.identity_hint": ("Voor inloggen via de identiteitsprovider: vul het subject en/of e-mailadres in; "
                            "het wachtwoord mag dan leeg blijven.",
                            "For login through the identity provider: fill in the subject and/or email; "
                            "the password may then stay empty."),
    "users.linked": ("gekoppeld aan identiteitsprovider", "linked to identity provider"),
    "err.oidc_subject_invalid": ("Dit subject klopt niet (ASCII, hoogstens 255 tekens).",
                                 "This subject is not valid (ASCII, at most 255 characters)."),
    "err.oidc_issuer_invalid": ("Deze issuer klopt niet (een https-adres).", "This issuer is not valid (an https address)."),
    "err.oidc_identity_taken": ("Deze identiteit is al aan een ander account gekoppeld.",
                                "This identity is already linked to another account."),
    "err.oidc_identity_missing": ("Geef een subject of een e-mailadres.", "Give a subject or an email."),

    # -- rotation (issue 5) --

    # -- dashboards (issue 6) --

}

LABELS: dict[str, dict[str, tuple[str, str]]] = {
    "role": {
        "outreach": ("Outreach", "Outreach"), "program_manager": ("Programmamanager", "Program manager"),
        "coordinator": ("Coördinator", "Coordinator"), "admin": ("Beheerder", "Administrator"),
        "kiosk": ("Kiosk", "Kiosk"),
    },
    "source_kind": {
        "market": ("Markt", "Market"), "coach_referral": ("Doorverwezen door coach", "Referred by a coach"),
        "internal_coach": ("Coach van de gemeente", "Municipality's coach"),
        "alumni_referral": ("Aangebracht door alumnus", "Referred by an alumnus"),
        "partner_org": ("Partnerorganisatie", "Partner organisation"),
        "self_registration": ("Zelf aangemeld", "Self-registration"), "event": ("Bijeenkomst", "Event"),
        "other": ("Anders", "Other"),
    },
    "stage": {
        "new": ("Nieuw", "New"), "contacted": ("Benaderd", "Contacted"), "interested": ("Geïnteresseerd", "Interested"),
        "waiting": ("Op wachtlijst", "Waiting"), "offered": ("Plaats aangeboden", "Offered"),
        "member": ("Lid", "Member"), "alumnus": ("Alumnus", "Alumnus"),
        "not_interested": ("Niet geïnteresseerd", "Not interested"), "unreachable": ("Onbereikbaar", "Unreachable"),
        "withdrawn": ("Teruggetrokken", "Withdrawn"),
    },
    "consent_purpose": {
        "contact": ("Contact", "Contact"), "diversity_statistics": ("Diversiteitsstatistiek", "Diversity statistics"),
        "share_with_referrer": ("Delen met verwijzer", "Share with referrer"), "photo": ("Foto's", "Photos"),
    },
    "consent_method": {
        "verbal": ("Mondeling", "Verbally"), "written": ("Schriftelijk", "In writing"), "form": ("Formulier", "Form"),
    },
    "gender": {"woman": ("Vrouw", "Woman"), "man": ("Man", "Man"), "other": ("Anders", "Other")},
    "education_level": {
        "none": ("Geen opleiding", "No schooling"), "primary": ("Basisonderwijs", "Primary"),
        "secondary": ("Voortgezet onderwijs", "Secondary"), "vocational": ("Beroepsopleiding (mbo)", "Vocational"),
        "higher_professional": ("Hbo", "Higher professional"), "university": ("Universiteit", "University"),
    },
    "education_band": {"low": ("laag", "low"), "middle": ("middelbaar", "middle"), "high": ("hoog", "high")},
    "network_kind": {
        "sounding_board": ("Klankbordgroep", "Sounding board"), "advisory_council": ("Adviesraad", "Advisory council"),
        "alumni_network": ("Alumninetwerk", "Alumni network"),
        "platform_delegation": ("Delegatie naar landelijk platform", "Delegation to a national platform"),
    },
    "cadence": {
        "weekly": ("wekelijks", "weekly"), "biweekly": ("tweewekelijks", "every two weeks"),
        "monthly": ("maandelijks", "monthly"), "bimonthly": ("tweemaandelijks", "every two months"),
        "quarterly": ("per kwartaal", "quarterly"), "half_yearly": ("halfjaarlijks", "half-yearly"),
        "yearly": ("jaarlijks", "yearly"),
    },
    "waitlist_status": {
        "waiting": ("wacht", "waiting"), "offered": ("plaats aangeboden", "offered"), "placed": ("geplaatst", "placed"),
        "declined": ("afgeslagen", "declined"), "expired": ("verlopen", "expired"),
        "withdrawn": ("zelf teruggetrokken", "withdrawn"), "removed": ("verwijderd door staf", "removed"),
    },
    "offer_status": {
        "open": ("open", "open"), "accepted": ("aanvaard", "accepted"), "declined": ("afgeslagen", "declined"),
        "expired": ("verlopen", "expired"), "withdrawn": ("ingetrokken", "withdrawn"),
    },
    "end_reason": {
        "term_completed": ("termijn voltooid", "term completed"), "left": ("zelf vertrokken", "left"),
        "removed": ("verwijderd", "removed"), "moved_to_alumni": ("naar alumninetwerk", "moved to alumni"),
    },
    "integration_route": {
        "b1": ("B1-route", "B1 route"), "education": ("Onderwijsroute", "Education route"),
        "z_route": ("Z-route", "Z-route"), "not_obligated": ("Niet inburgeringsplichtig", "Not obligated"),
    },
    "activity_kind": {
        "call": ("Gebeld", "Call"), "message": ("Bericht", "Message"), "visit": ("Bezoek", "Visit"),
        "market_conversation": ("Gesprek op de markt", "Conversation at the market"),
        "meeting": ("Bijeenkomst", "Meeting"), "other": ("Anders", "Other"),
    },
    # -- privacy (issue 4) --

    # -- sessions (issue 4) --

    # -- rotation (issue 5) --

    # -- dashboards (issue 6) --

}


def _index(lang: str) -> int:
    return 1 if lang == "en" else 0


def t(key: str, lang: str = DEFAULT_LANG, **params) -> str:
    text = MESSAGES[key][_index(lang)]
    return text.format(**params) if params else text


def label(group: str, value: str | None, lang: str = DEFAULT_LANG) -> str:
    if value is None:
        return MESSAGES["field.none"][_index(lang)]
    return LABELS[group][value][_index(lang)]


def error_text(error: FieldError | CrmError, lang: str = DEFAULT_LANG) -> str:
    """A refusal as a sentence for the user; a country code becomes its name."""
    params = dict(error.params)
    if "country" in params:
        from .reference import countries
        params["country_name"] = countries(lang).get(params["country"], params["country"])
    return t(f"err.{error.code}", lang, **params)


def field_errors(error: ValidationError, lang: str = DEFAULT_LANG) -> dict[str, str]:
    """Field name → message, the first problem per field."""
    messages: dict[str, str] = {}
    for item in error.errors:
        messages.setdefault(item.field, error_text(item, lang))
    return messages
