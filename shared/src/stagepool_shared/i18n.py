"""Dutch and English for the messages the platform's edge answers with.

Messages are written in English in code; `translate` gives the Dutch text (the default language).
Unknown messages are returned as they are, so a missing translation never hides an error.
`local_time` shows a moment as every person sees it: Dutch local time with the zone named (issue 14.12).
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

#: The time zone of every moment a person sees or types (pages and e-mails); events carry ISO 8601 with offset.
LOCAL_ZONE = ZoneInfo("Europe/Amsterdam")

DUTCH: dict[str, str] = {
    # marshmallow's own messages
    "Missing data for required field.": "Dit veld is verplicht.",
    "Unknown field.": "Onbekend veld.",
    "Not a valid string.": "Geen geldige tekst.",
    "Not a valid integer.": "Geen geldig geheel getal.",
    "Not a valid number.": "Geen geldig getal.",
    "Not a valid boolean.": "Geen geldige ja/nee-waarde.",
    "Not a valid list.": "Geen geldige lijst.",
    "Not a valid email address.": "Geen geldig e-mailadres.",
    "Not a valid date.": "Geen geldige datum.",
    "Not a valid datetime.": "Geen geldig tijdstip.",
    "Invalid input type.": "Ongeldig type invoer.",
    "Field may not be null.": "Dit veld mag niet leeg zijn.",
    "Must be one of: {choices}.": "Moet een van deze zijn: {choices}.",
    "String does not match expected pattern.": "De tekst heeft niet de verwachte vorm.",
    "Invalid value.": "Ongeldige waarde.",
    # the platform's own
    "not an objective matching criterion": "geen objectief matchingscriterium",
    "Not allowed as a webhook: use an https address of a host on the internet, not a local, private, "
    "link-local or reserved address.":
        "Niet toegestaan als webhook: gebruik een https-adres van een host op internet, geen lokaal, privé-, "
        "link-local of gereserveerd adres.",
    "The webhook's host cannot be found.": "De host van de webhook is niet te vinden.",
    "The input is not valid.": "De invoer is niet geldig.",
    "A valid API token is required.": "Een geldig API-token is nodig.",
    "Your role may not do this.": "Uw rol mag dit niet.",
    "Not found.": "Niet gevonden.",
    "The event log is unavailable; nothing was stored. Try again shortly.":
        "Het gebeurtenissenlog is niet bereikbaar; er is niets opgeslagen. Probeer het zo opnieuw.",
    "The store is unavailable for a moment. Try again shortly.":
        "De opslag is even niet bereikbaar. Probeer het zo opnieuw.",
    "Something went wrong on our side.": "Er ging bij ons iets mis.",
    "the body must be JSON (Content-Type: application/json)": "de inhoud moet JSON zijn (Content-Type: application/json)",
    "the body is not valid JSON": "de inhoud is geen geldige JSON",
    "JSON is nested too deeply": "de JSON is te diep genest",
    "text contains a NUL byte or a lone surrogate": "de tekst bevat een NUL-teken of een los surrogaatteken",
    "Request Entity Too Large": "De aanvraag is te groot",
    "The Idempotency-Key was used before with a different body.":
        "Deze Idempotency-Key is al eerder gebruikt met een andere inhoud.",
    # intake
    "Not a valid Dutch postcode.": "Geen geldige Nederlandse postcode.",
    "Give both lat and lon, or neither.": "Geef zowel lat als lon, of geen van beide.",
    "Unknown postcode area; give lat and lon.": "Onbekend postcodegebied; geef lat en lon.",
    "The location is outside the Netherlands.": "De locatie ligt buiten Nederland.",
    "The age at the start of the period must be 14 to 80.": "De leeftijd bij de start van de periode moet 14 tot en met 80 zijn.",
    "Unknown period.": "Onbekende periode.",
    "This student appears twice for this period.": "Deze student staat twee keer in het bestand voor deze periode.",
    "A place appears more than once in the top 3.": "Een plaats staat meer dan eens in de top 3.",
    "The wish is no longer active.": "De leerwens is niet meer actief.",
    "The place was withdrawn.": "De plaats is ingetrokken.",
    "This period id is in use.": "Deze periode-id is al in gebruik.",
    "This school id is in use.": "Deze school-id is al in gebruik.",
    "The end date comes before the start date.": "De einddatum ligt voor de begindatum.",
    "Control characters are not allowed.": "Stuurtekens zijn niet toegestaan.",
    "The Idempotency-Key header must be 1 to 200 visible characters.":
        "De Idempotency-Key-header moet 1 tot 200 zichtbare tekens lang zijn.",
    "Must equal the id in the path.": "Moet gelijk zijn aan de id in het pad.",
    "Give 1 to 500 valid student_ref parameters.": "Geef 1 tot 500 geldige student_ref-parameters.",
    "Send the file as multipart/form-data in the field 'file'.":
        "Stuur het bestand als multipart/form-data in het veld 'file'.",
    "The file is not UTF-8 text (save it as CSV UTF-8 or XLSX).":
        "Het bestand is geen UTF-8-tekst (sla het op als CSV UTF-8 of XLSX).",
    "The file contains NUL bytes.": "Het bestand bevat NUL-tekens.",
    "The file has no rows.": "Het bestand heeft geen rijen.",
    "The row has more cells than the header.": "De rij heeft meer cellen dan de kopregel.",
    "This column appears twice.": "Deze kolom staat er twee keer in.",
    "The file was not imported; nothing was stored.": "Het bestand is niet ingelezen; er is niets opgeslagen.",
    "Choose fiets, ov, auto or lopen (or bike, public_transport, car, walk).":
        "Kies fiets, ov, auto of lopen (of bike, public_transport, car, walk).",
    # intake: the region's sign-in mapping (issue 19)
    "Required for a claim rule.": "Verplicht bij een regel op een claim.",
    "Only for a claim rule.": "Alleen bij een regel op een claim.",
    "Not a domain name.": "Geen domeinnaam.",
    "Required for this role: the school or organisation id.": "Verplicht bij deze rol: de id van de school of organisatie.",
    "A regional role's scope is the region itself: leave it out.":
        "Bij een regionale rol is de regio zelf het bereik: laat dit veld weg.",
    "Not a school of your region.": "Geen school van uw regio.",
    "Another rule already matches this.": "Een andere regel herkent dit al.",
    # matcher: rounds
    "Only a proposed round can be approved.": "Alleen een voorgestelde ronde kan worden goedgekeurd.",
    "Only a proposed round that is not yet released can be scheduled.":
        "Alleen een voorgestelde ronde die nog niet is vrijgegeven kan worden ingepland.",
    "The answer deadline must come after the release moment.":
        "De reactietermijn moet na het moment van vrijgeven liggen.",
    "Since this round was computed, places were withdrawn or students left that it places: request a new round "
    "(or re-solve) first.":
        "Sinds deze ronde is berekend, zijn plaatsen ingetrokken of studenten vertrokken die zij plaatst: vraag "
        "eerst een nieuwe ronde aan (of bereken opnieuw).",
    "Approval is not complete: for every school with students in the round, two distinct staff of that school "
    "and, where it has students with support needs, its support staff must approve first.":
        "De goedkeuring is niet compleet: eerst moeten voor elke school met studenten in de ronde twee "
        "verschillende medewerkers van die school goedkeuren en, als de school studenten met een "
        "ondersteuningsbehoefte heeft, ook een begeleider passend onderwijs van die school.",
    "Both rounds must be proposed before they can be compared.":
        "Beide rondes moeten voorgesteld zijn voordat ze vergeleken kunnen worden.",
    # notifier
    "You already accepted this placement.": "Je hebt deze stageplek al geaccepteerd.",
    "You already refused this placement.": "Je hebt deze stageplek al geweigerd.",
    "The deadline to answer has passed; contact your school.":
        "De termijn om te antwoorden is verstreken; neem contact op met je school.",
    # reporting: desk reports and follow-up
    "Name the organisation or the placement.": "Noem de organisatie of de stageplaats.",
    "An alternative place needs the period.": "Voor een andere stageplaats is de periode nodig.",
    "An alternative place needs to know the student; file confidentially instead of anonymously.":
        "Voor een andere stageplaats moeten we weten wie je bent; meld vertrouwelijk in plaats van anoniem.",
    "The date lies in the future.": "De datum ligt in de toekomst.",
    "The student and their school must be known for an alternative place.":
        "Voor een andere stageplaats moeten de student en de school bekend zijn.",
    "This case cannot move to that status.": "Deze melding kan niet naar die status.",
    "No organisation with this name takes part; check the name, or pick one from the list.":
        "Er doet geen organisatie met deze naam mee; controleer de naam of kies er een uit de lijst.",
    # intake: capacity planning (issue 16)
    "Unknown crebo: not in the qualification file.": "Onbekend crebo: niet in het kwalificatiedossier.",
    "Give a reason for opting out.": "Geef een reden om niet mee te doen.",
    "There are no places of last year to copy for this school year.":
        "Er zijn geen plaatsen van vorig jaar om voor dit schooljaar over te nemen.",
    "The old and the new code are the same.": "De oude en de nieuwe code zijn gelijk.",
    # intake: the student's top 3 from the catalogue (issue 15.2)
    "Choose at least one place.": "Kies minstens één plaats.",
    "Choose at most 3 places.": "Kies hoogstens 3 plaatsen.",
    "Choose at most 5 kinds.": "Kies hoogstens 5 soorten.",
    # intake: the matching variant and a variant-2 student's choice (issue 15.3)
    "The choice deadline comes before the wish deadline.": "De keuzetermijn eindigt vóór de termijn voor wensen.",
    "Choose one of the places offered.": "Kies een van de aangeboden plaatsen.",
    "A place appears more than once in your choice.": "Een plaats staat meer dan eens in je keuze.",
    "The deadline to choose has passed; you keep the place the matcher picked.":
        "De termijn om te kiezen is voorbij; je houdt de plaats die de matcher koos.",
}


#: marshmallow's range and length messages and the edge's own, which carry their values: English pattern (a
#: whole message) -> Dutch text, with the pattern's groups as {0}, {1}.
_PATTERN_TEXTS: dict[str, str] = {
    r"Must be greater than or equal to (\S+) and less than or equal to (\S+)\.":
        "Moet minstens {0} en hoogstens {1} zijn.",
    r"Must be greater than or equal to (\S+)\.": "Moet minstens {0} zijn.",
    r"Must be less than or equal to (\S+)\.": "Mag hoogstens {0} zijn.",
    r"Length must be between (\S+) and (\S+)\.": "De lengte moet tussen {0} en {1} liggen.",
    r"Shorter than minimum length (\S+)\.": "Korter dan de minimale lengte {0}.",
    r"Longer than maximum length (\S+)\.": "Langer dan de maximale lengte {0}.",
    r"No open place with this id in this period: (\S+)\.": "Geen open plaats met deze id in deze periode: {0}.",
    r'Describe the work, not the person: remove "(.+)" \(no demands about personal characteristics\)\.':
        'Beschrijf het werk, niet de persoon: haal "{0}" weg (geen eisen aan persoonlijke kenmerken).',
    # the student's top 3 from the catalogue (issue 15.2)
    r"This place is for another period: (.+)\.": "Deze plaats is voor een andere periode: {0}.",
    r"This place is closed: (.+)\.": "Deze plaats is gesloten: {0}.",
    # matcher: the re-placement fast track (issue 20.3)
    r"Not seeking a place in this period: (.+)\.": "Zoekt geen plaats in deze periode: {0}.",
    r"Already in an open fast-track round: (.+)\.": "Zit al in een open snelle herplaatsing: {0}.",
    r"No place of this kind in your catalogue: (.+)\.": "Geen plaats van deze soort in jouw overzicht: {0}.",
    r"You are not eligible for this place: (.+)\.": "Deze plaats past niet bij jouw opleiding en wensen: {0}.",
    r"The student is not eligible for this place: (.+)\.":
        "Deze plaats past niet bij de opleiding en wensen van de student: {0}.",
    r"This place was not offered to you: (.+)\.": "Deze plaats is je niet aangeboden: {0}.",
    r"Several organisations have this in their name: (.+)\. Type the whole name\.":
        "Meerdere organisaties hebben dit in hun naam: {0}. Typ de hele naam.",
    r"The organisation is not recognised by SBB for crebo (.+) \(nor for an equivalent code\)\.":
        "De organisatie is door SBB niet erkend voor crebo {0} (ook niet voor een gelijkwaardige code).",
    # intake's upload limits (issue 19.3)
    r"The file has more than (\d+) rows\.": "Het bestand heeft meer dan {0} rijen.",
    r"The row has more than (\d+) cells\.": "De rij heeft meer dan {0} cellen.",
    r"The cell is longer than (\d+) characters\.": "De cel is langer dan {0} tekens.",
    r"A cell of the file is longer than (\d+) characters\.": "Een cel van het bestand is langer dan {0} tekens.",
    r"The sheet is wider than (\d+) columns; delete the empty columns after the last one\.":
        "Het werkblad is breder dan {0} kolommen; verwijder de lege kolommen na de laatste.",
    r"The XLSX file has more than (\d+) parts\.": "Het XLSX-bestand heeft meer dan {0} onderdelen.",
    r"The file is larger than (\d+) MB when unpacked; nothing was read\.":
        "Het bestand is uitgepakt groter dan {0} MB; er is niets ingelezen.",
    r"The file unpacks to more than (\d+) times its packed size \(a zip bomb\?\); nothing was read\.":
        "Het bestand is uitgepakt meer dan {0} keer zo groot als ingepakt (een zipbom?); er is niets ingelezen.",
}
_PATTERNS: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(f"^{pattern}$"), dutch) for pattern, dutch in _PATTERN_TEXTS.items())


def local_time(moment: datetime | str | None, date_only: bool = False) -> str:
    """A moment as a person reads it: Europe/Amsterdam time with the zone named, "17-01-2027 10:00 CET" (CEST
    in summer), or only the date. ISO 8601 text is parsed; a moment without a zone is UTC; None gives ""."""
    if moment is None or moment == "":
        return ""
    if isinstance(moment, str):
        moment = datetime.fromisoformat(moment)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    local = moment.astimezone(LOCAL_ZONE)
    return local.strftime("%d-%m-%Y") if date_only else local.strftime("%d-%m-%Y %H:%M %Z")


def translate(message: str, lang: str) -> str:
    """`message` in `lang` ("nl" or "en"); prefixes before a known message are kept."""
    if lang != "nl":
        return message
    if message in DUTCH:
        return DUTCH[message]
    if message.startswith("Must be one of: "):
        return "Moet een van deze zijn: " + message[len("Must be one of: "):]
    for pattern, dutch in _PATTERNS:
        found = pattern.match(message)
        if found:
            return dutch.format(*found.groups())
    for english, dutch in DUTCH.items():
        if message.endswith(english) and english:
            return message[: -len(english)] + dutch
    return message


def translate_messages(messages: Any, lang: str) -> Any:
    """Translate a marshmallow messages structure (dicts and lists of strings) in place of a copy."""
    if isinstance(messages, dict):
        return {key: translate_messages(value, lang) for key, value in messages.items()}
    if isinstance(messages, list):
        return [translate_messages(item, lang) for item in messages]
    if isinstance(messages, str):
        return translate(messages, lang)
    return messages
