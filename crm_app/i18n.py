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
    "nav.self_register": ("Meld je aan", "Sign up"),
    "nav.section.people": ("Mensen", "People"),
    "nav.section.admin": ("Beheer", "Administration"),
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
    "register.title": ("Kandidaat aanmelden", "Register a candidate"),
    "register.section.contact": ("Contact", "Contact"),
    "register.section.source": ("Hoe gevonden", "How found"),
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
    "register.use_existing": ("Dit is dezelfde persoon: open en voeg deze bron toe",
                              "Same person: open them and add this source"),
    "register.confirm_new": ("Dit is iemand anders: sla op als nieuwe persoon",
                             "Someone else: save as a new person"),
    "register.source_added": ("Bron toegevoegd aan de bestaande persoon.", "Source added to the existing person."),
    # duplicate reasons
    "reason.same_phone": ("zelfde telefoonnummer", "same phone number"),
    "reason.same_email": ("zelfde e-mailadres", "same email address"),
    "reason.similar_name": ("lijkende naam", "similar name"),
    "reason.swapped_name": ("voor- en achternaam omgewisseld", "given and family name swapped"),
    "reason.same_birth_year": ("zelfde geboortejaar", "same birth year"),
    "reason.near_birth_year": ("geboortejaar scheelt één jaar", "birth year one year apart"),
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
    "err.user_not_found": ("Deze gebruiker bestaat niet.", "This user does not exist."),
    "err.person_not_found": ("Deze persoon bestaat niet.", "This person does not exist."),
    "err.activity_not_found": ("Dit contactmoment bestaat niet.", "This contact moment does not exist."),
    "err.permission_denied": ("U mag dit niet doen.", "You may not do this."),
    "err.concurrent_change": ("Iemand anders wijzigde dit tegelijk. Laad de pagina opnieuw en probeer het nog eens.",
                              "Someone else changed this at the same time. Reload the page and try again."),
    "err.store_locked": ("De database {path} is in gebruik door een ander proces (draait de app?). "
                         "Stop dat eerst, of gebruik de beheerschermen van de app.",
                         "The database {path} is in use by another process (is the app running?). "
                         "Stop it first, or use the app's admin screens."),
    "err.store_not_empty": ("De database bevat al personen; demogegevens worden alleen in een lege database gezet.",
                            "The database already holds persons; demo data only goes into an empty store."),
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
    "integration_route": {
        "b1": ("B1-route", "B1 route"), "education": ("Onderwijsroute", "Education route"),
        "z_route": ("Z-route", "Z-route"), "not_obligated": ("Niet inburgeringsplichtig", "Not obligated"),
    },
    "activity_kind": {
        "call": ("Gebeld", "Call"), "message": ("Bericht", "Message"), "visit": ("Bezoek", "Visit"),
        "market_conversation": ("Gesprek op de markt", "Conversation at the market"),
        "meeting": ("Bijeenkomst", "Meeting"), "other": ("Anders", "Other"),
    },
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
