"""Dates in free text, resolved against the message's own received date.

Recognised: ISO "2026-03-15"; "1 March", "1st of March", "March 1st", "Mar 1" (optional year);
numeric "3/15" (month/day) and "15/03" (day/month, when the first number is over 12);
ambiguous "04/05" reads as US month/day unless `day_first` (the debtor's time zone is one where
people write day/month: see `day_first_zone`); "15.03.2026"; "on the 15th"; "today",
"tomorrow", "tmrw", "day after tomorrow", "in 3 days", "in two weeks", "in 2 wks", "in a
fortnight"; weekdays ("Friday", "fri", "this Friday", "next Friday" are the coming one:
TAXONOMY's "next Friday" received Monday 2026-03-02 is 2026-03-06, and "next Friday" received
on a Friday is a week later; "last Friday" is the one before; "mon", "wed", "sat" and "sun" only
after "on", "by", "this", "next" since alone they are ordinary words); "end of the month",
"end of month", "EOM", "month end" (the last day of the month); "first of next month".
A weekday with a day of the month ("friday 17th", "Fri the 17th") is that day of the month.
"the last day of the month" and "end of <month>" are month ends; "within two weeks" counts like
"in two weeks". Other languages (Spanish, Italian, French, German, Portuguese, Dutch, Polish):
month names ("15 de enero", "20 ottobre", "1er mars", "15. März", "20 de agosto"), weekdays
("el viernes", "lunedì prossimo", "jeudi prochain", "am Freitag", "na sexta-feira",
"w piątek": "prossimo"/"prochain"/"que viene" read like "next"), a day after an article or
preposition ("el 15", "il 20", "le 15", "no dia 20", "entro il 20", "bis zum 15."), today and
tomorrow ("hoy", "mañana", "oggi", "domani", "demain", "amanhã", "heute", "morgen", "jutro")
and month ends ("fin de mes", "fine mese", "fin du mois", "Ende des Monats", "fim do mês",
"do końca miesiąca", "do końca kwietnia").
Not dates: "payday", "next week", "soon", month names alone, times, "Black Friday". There is
no dateparser search over the whole message: it ran at 6.6 messages a second here.

Each mention carries two readings: `future` (the first such day on or after the received
date; promises always use it) and `past` (the last one on or before it, for "I paid on the
3rd"). `pick` chooses by the tense of the surrounding clause.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, timedelta

__all__ = ["MAX_MENTIONS", "DateMention", "day_first_zone", "find_dates"]

# A reply names a handful of dates; a pasted ledger can name thousands. Past this many the rest
# are ignored, which keeps the overlap checks (quadratic) cheap on hostile input.
MAX_MENTIONS = 200

_MONTHS = {
    "jan": 1, "feb": 2, "mar": 3, "apr": 4, "may": 5, "jun": 6,
    "jul": 7, "aug": 8, "sep": 9, "oct": 10, "nov": 11, "dec": 12,
}
_MONTH = (
    r"(?P<mon>jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?"
)
_WEEKDAYS = {
    "monday": 0, "mon": 0, "tuesday": 1, "tues": 1, "tue": 1, "wednesday": 2, "weds": 2,
    "thursday": 3, "thurs": 3, "thur": 3, "thu": 3, "friday": 4, "fri": 4, "saturday": 5,
    "sunday": 6, "wed": 2, "sat": 5, "sun": 6,
}
_NUMBER_WORDS = {
    "a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6,
    "seven": 7, "ten": 10, "fourteen": 14, "couple of": 2, "few": 3,
}
# Month names in the other languages debtors write (es, it, fr, de, pt, nl, pl genitive); a
# name that is also an English word or an English month abbreviation is left out ("mar" is
# English March already, "mai"/"mei" only with a day).
_FOREIGN_MONTHS = {
    "enero": 1, "febrero": 2, "marzo": 3, "abril": 4, "mayo": 5, "junio": 6, "julio": 7,
    "agosto": 8, "septiembre": 9, "setiembre": 9, "octubre": 10, "noviembre": 11,
    "diciembre": 12,
    "gennaio": 1, "febbraio": 2, "aprile": 4, "maggio": 5, "giugno": 6, "luglio": 7,
    "settembre": 9, "ottobre": 10, "dicembre": 12,
    "janvier": 1, "février": 2, "fevrier": 2, "mars": 3, "avril": 4, "mai": 5, "juin": 6,
    "juillet": 7, "août": 8, "aout": 8, "septembre": 9, "octobre": 10, "novembre": 11,
    "décembre": 12, "decembre": 12,
    "januar": 1, "februar": 2, "märz": 3, "maerz": 3, "juni": 6, "juli": 7,
    "oktober": 10, "dezember": 12,
    "janeiro": 1, "fevereiro": 2, "março": 3, "marco": 3, "maio": 5, "junho": 6,
    "julho": 7, "setembro": 9, "outubro": 10, "dezembro": 12,
    "januari": 1, "februari": 2, "maart": 3, "mei": 5, "augustus": 8,
    "stycznia": 1, "lutego": 2, "marca": 3, "kwietnia": 4, "maja": 5, "czerwca": 6,
    "lipca": 7, "sierpnia": 8, "września": 9, "wrzesnia": 9, "października": 10,
    "pazdziernika": 10, "listopada": 11, "grudnia": 12,
}
_FMONTH = (
    r"(?P<fmon>" + "|".join(sorted(_FOREIGN_MONTHS, key=len, reverse=True)) + r")(?!\w)"
)
_FOREIGN_WEEKDAYS = {
    "lunes": 0, "martes": 1, "miércoles": 2, "miercoles": 2, "jueves": 3, "viernes": 4,
    "sábado": 5, "sabado": 5, "domingo": 6,
    "lunedì": 0, "lunedi": 0, "martedì": 1, "martedi": 1, "mercoledì": 2, "mercoledi": 2,
    "giovedì": 3, "giovedi": 3, "venerdì": 4, "venerdi": 4, "domenica": 6,
    "lundi": 0, "mardi": 1, "mercredi": 2, "jeudi": 3, "vendredi": 4, "samedi": 5,
    "dimanche": 6,
    "montag": 0, "dienstag": 1, "mittwoch": 2, "donnerstag": 3, "freitag": 4, "samstag": 5,
    "sonntag": 6,
    "segunda-feira": 0, "terça-feira": 1, "terca-feira": 1, "quarta-feira": 2,
    "quinta-feira": 3, "sexta-feira": 4,
    "maandag": 0, "dinsdag": 1, "woensdag": 2, "donderdag": 3, "vrijdag": 4, "zaterdag": 5,
    "zondag": 6,
    "poniedziałek": 0, "wtorek": 1, "środę": 2, "środa": 2, "czwartek": 3, "piątek": 4,
    "sobotę": 5, "sobota": 5, "niedzielę": 6, "niedziela": 6,
}
# Portuguese "segunda"/"sexta" alone are ordinary words: weekdays only after "na"/"no"/"até".
_PT_SHORT = {"segunda": 0, "terça": 1, "terca": 1, "quarta": 2, "quinta": 3, "sexta": 4}
_ORD = r"(?:st|nd|rd|th)"
_YEAR = r"(?:,?\s*(?P<year>(?:19|20)\d{2}))?"

_ISO = re.compile(r"\b(?P<year>20\d{2})-(?P<m>\d{1,2})-(?P<d>\d{1,2})\b")
_DAY_MONTH = re.compile(
    r"\b(?P<d>\d{1,2})" + _ORD + r"?\s+(?:of\s+)?" + _MONTH + r"\b" + _YEAR, re.I
)
_MONTH_DAY = re.compile(r"\b" + _MONTH + r"\s+(?P<d>\d{1,2})" + _ORD + r"?\b" + _YEAR, re.I)
_NUMERIC = re.compile(
    r"(?<![\d/.,$£€-])(?P<a>\d{1,2})/(?P<b>\d{1,2})(?:/(?P<year>\d{4}|\d{2}))?(?![\d/%])"
)
_DOTTED = re.compile(r"(?<![\d.])(?P<d>\d{1,2})\.(?P<m>\d{1,2})\.(?P<year>\d{4})(?![\d.])")
_DAY_ONLY = re.compile(
    r"\b(?:(?:on|by|before|until|till|til|from|after)\s+)?the\s+(?P<d>\d{1,2})" + _ORD + r"\b"
    r"|\b(?:on|by|before|until|till)\s+(?P<d2>\d{1,2})" + _ORD + r"\b",
    re.I,
)
_FOREIGN_DAY_MONTH = re.compile(
    r"(?<![\w.,/])(?P<d>\d{1,2})(?:\.|º|°|er|o)?\s+(?:de\s+|di\s+)?" + _FMONTH
    + r"(?:,?\s+(?:de\s+|del\s+)?(?P<year>(?:19|20)\d{2}))?",
    re.I,
)
# "el 15", "il 20", "le 15", "no dia 20", "entro il 20", "bis zum 15.": not before money or
# a unit, and not "el 15%".
_FOREIGN_DAY = re.compile(
    r"\b(?:el|il|le|al|del|dal|au|du|dia|día|zum|am|den|op de)\s+(?:d[ií]a\s+)?"
    r"(?P<d>\d{1,2})(?:\.|º|°|er|e)?(?![\d.,]*\d)"
    r"(?!\s*(?:%|€|\$|£|euros?\b|eur\b|d[oó]lares\b|pesos\b|libras\b|dollars?\b|bucks\b"
    r"|[a-z]+\s+(?:de\s+)?euros?\b))",
    re.I,
)
_WEEKDAY_DAY = re.compile(
    r"\b(?:monday|mon|tuesday|tues|tue|wednesday|weds|wed|thursday|thurs|thur|thu|friday|fri"
    r"|saturday|sat|sunday|sun)\.?,?\s+(?:the\s+)?(?P<d>\d{1,2})" + _ORD + r"?\b"
    r"(?!\s*(?:[:.]\d|am\b|pm\b|%|[$£€]|" + _MONTH.replace("(?P<mon>", "(?:") + r"))",
    re.I,
)
_FOREIGN_WEEKDAY = re.compile(
    r"(?<!\w)(?P<wd>" + "|".join(sorted(_FOREIGN_WEEKDAYS, key=len, reverse=True)) + r")(?!\w)"
    r"(?:\s+(?P<next>que viene|pr[oó]xim[oa]|prossim[oa]|prochain|n[aä]chste[nr]?"
    r"|kommende[nr]?|volgende)\b)?"
    r"|\b(?:na|no|até|ate)\s+(?:pr[oó]xima\s+)?(?P<pt>segunda|terça|terca|quarta|quinta|sexta)"
    r"(?!\w)",
    re.I,
)
_FOREIGN_NEXT_BEFORE = re.compile(
    r"(?:pr[oó]xim[oa]|prossim[oa]|prochain|n[aä]chste[nr]?|kommende[nr]?|volgende"
    r"|przyszł[ya])\s+$",
    re.I,
)
_FOREIGN_RELATIVE = re.compile(
    r"(?<!\w)(?P<word>pasado mañana|pasado manana|dopodomani|après-demain|apres-demain"
    r"|übermorgen|depois de amanhã|pojutrze|hoy|oggi|aujourd'hui|aujourd’hui|heute|hoje"
    r"|vandaag|dzisiaj|dziś|mañana|manana|domani|demain|morgen|amanhã|amanha|jutro)(?!\w)",
    re.I,
)
_FOREIGN_END = re.compile(
    r"(?<!\w)(?:a\s+|al\s+|hasta\s+|para\s+|entro\s+|avant\s+|à\s+|até\s+(?:ao\s+)?)?"
    r"(?:(?:el\s+|la\s+|o\s+)?(?:fin(?:al)?|fine|fim)\s+(?:de\s+|del\s+|du\s+|di\s+|do\s+)?"
    r"(?:l[ae]\s+|el\s+|este\s+|ce\s+|questo\s+)?(?:mes|mese|mois|mês)"
    r"|ende\s+(?:des|dieses)\s+monats|monatsende|eind\s+van\s+de\s+maand"
    r"|(?:do\s+)?końca\s+(?:tego\s+)?miesiąca)(?!\w)"
    r"|\b(?:end\s+of|ende|fin(?:al)?\s+de|fine|fin\s+de|fim\s+de|do\s+końca)\s+"
    r"(?:" + _MONTH.replace("(?P<mon>", "(?P<emon>") + r"|" + _FMONTH + r")(?!\w)",
    re.I,
)
_UNIT_AFTER = re.compile(
    r"\s*(?:d[ií]as?|days?|giorni|jours?|tage[n]?|dias|dni|semanas?|settimane|semaines?"
    r"|wochen|weeks?|mes(?:es)?|mesi|mois|monate[n]?|months?|años|anni|ans|jahre[n]?|years?"
    r"|horas?|ore|heures?|uhr|hours?|h\b|minut\w*|pm\b|am\b|[:h]\d|%)",
    re.I,
)
_LAST_DAY = re.compile(r"\b(?:the\s+)?last\s+day\s+of\s+(?:the\s+|this\s+)?month\b", re.I)
_FIRST_NEXT = re.compile(
    r"\b(?:the\s+)?(?:(?P<d>\d{1,2})" + _ORD + r"?|first)\s+of\s+(?P<which>next|the|this)"
    r"\s+month\b",
    re.I,
)
_RELATIVE = re.compile(
    r"\b(?P<word>day after tomorrow|today|tonight|this (?:evening|afternoon|morning)"
    r"|tomorrow|tomorow|tommorow|tommorrow|tmrw|tmrow|tmr|tmro|tomoz|tomoro|2moro|2morrow"
    r"|2morow|2mrw|yesterday)\b",
    re.I,
)
_IN_N = re.compile(
    r"\b(?:in|within)\s+(?:(?P<n>\d{1,2}|a|an|one|two|three|four|five|six|seven|ten|fourteen|couple\s+of"
    r"|few)\s+(?P<unit>days?|weeks?|wks?)|(?P<fortnight>a\s+fortnight))\b",
    re.I,
)
_WEEKDAY = re.compile(
    r"\b(?:(?P<mod>next|this|coming|this coming|last|on|by|before|until|till)\s+)?"
    r"(?P<wd>monday|tuesday|tues|tue|wednesday|weds|thursday|thurs|thur|thu|friday|fri"
    r"|saturday|sunday)\b\.?"
    r"|\b(?P<mod2>next|this|coming|last|on|by|before|until|till)\s+(?P<wd2>mon|wed|sat|sun)\b",
    re.I,
)
_END_OF_MONTH = re.compile(
    r"\b(?:(?:the\s+)?end\s+of\s+(?:the\s+|this\s+)?(?P<next>next\s+)?month|eom"
    r"|(?:the\s+)?month[- ]end)\b",
    re.I,
)
# Zones where ambiguous numeric dates are month/day (the US and its territories, Canada's
# anglophone habit, the Philippines); everywhere else people write day/month.
_MONTH_FIRST_ZONES = re.compile(
    r"^(?:US/|Canada/|America/(?:New_York|Chicago|Denver|Phoenix|Los_Angeles|Anchorage|Juneau"
    r"|Sitka|Metlakatla|Yakutat|Nome|Adak|Boise|Detroit|Indiana/\w+|Kentucky/\w+|Menominee"
    r"|North_Dakota/\w+|Toronto|Vancouver|Edmonton|Winnipeg|Halifax|St_Johns|Regina|Moncton"
    r"|Whitehorse|Yellowknife|Iqaluit|Puerto_Rico)|Pacific/(?:Honolulu|Guam|Saipan"
    r"|Pago_Pago)|Asia/Manila|EST|EST5EDT|CST6CDT|MST|MST7MDT|PST8PDT|HST)"
)
_DAY_FIRST_PREFIXES = ("Europe/", "Australia/", "Africa/", "Asia/", "Atlantic/", "Indian/",
                       "Pacific/", "America/", "Antarctica/", "GB", "NZ", "Eire")
_YEAR_FIRST_ZONES = frozenset(
    {"Asia/Tokyo", "Asia/Shanghai", "Asia/Seoul", "Asia/Taipei", "Asia/Hong_Kong"}
)


@dataclass(frozen=True, kw_only=True)
class DateMention:
    """A date expression with its forward and backward readings."""

    start: int
    end: int
    future: date
    past: date
    text: str


def _safe(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _calendar(received: date, month: int, day: int, year: int | None) -> tuple[date, date] | None:
    if year is not None:
        d = _safe(year, month, day)
        return None if d is None else (d, d)
    this = _safe(received.year, month, day)
    nxt = _safe(received.year + 1, month, day)
    prev = _safe(received.year - 1, month, day)
    future = this if this is not None and this >= received else nxt
    past = this if this is not None and this <= received else prev
    if future is None or past is None:
        return None
    return future, past


def _day_of_month(received: date, day: int) -> tuple[date, date] | None:
    if not 1 <= day <= 31:
        return None
    future = past = None
    y, m = received.year, received.month
    for _ in range(13):
        d = _safe(y, m, day)
        if d is not None and d >= received:
            future = d
            break
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    y, m = received.year, received.month
    for _ in range(13):
        d = _safe(y, m, day)
        if d is not None and d <= received:
            past = d
            break
        y, m = (y - 1, 12) if m == 1 else (y, m - 1)
    if future is None or past is None:
        return None
    return future, past


def _year(text: str | None) -> int | None:
    if not text:
        return None
    y = int(text)
    return y + 2000 if y < 100 else y


def _month_end(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def day_first_zone(zone: str | None) -> bool:
    """Whether people in IANA `zone` write an ambiguous "04/05" as day/month (4 May in
    Europe/London, 5 April in America/New_York). None, UTC or an unknown zone keeps the US
    reading, the default of the contract; year-first zones (Asia/Tokyo) read month/day."""
    if not zone or _MONTH_FIRST_ZONES.match(zone) or zone in _YEAR_FIRST_ZONES:
        return False
    return zone.startswith(_DAY_FIRST_PREFIXES)


def find_dates(text: str, received: date, *, day_first: bool = False) -> list[DateMention]:
    """Every date expression in reading order, resolved against `received` (the message's
    date in the debtor's time zone). `day_first` reads an ambiguous "04/05" as 4 May."""
    found: list[DateMention] = []
    taken: list[tuple[int, int]] = []

    def add(m: re.Match[str], pair: tuple[date, date] | None) -> None:
        if len(found) >= MAX_MENTIONS:
            return
        if pair is None or any(m.start() < e and s < m.end() for s, e in taken):
            return
        taken.append((m.start(), m.end()))
        found.append(
            DateMention(start=m.start(), end=m.end(), future=pair[0], past=pair[1],
                        text=m.group())
        )

    for m in _ISO.finditer(text):
        d = _safe(int(m.group("year")), int(m.group("m")), int(m.group("d")))
        add(m, None if d is None else (d, d))
    for m in _DOTTED.finditer(text):
        d = _safe(int(m.group("year")), int(m.group("m")), int(m.group("d")))
        add(m, None if d is None else (d, d))
    for pattern in (_DAY_MONTH, _MONTH_DAY):
        for m in pattern.finditer(text):
            if m.group("mon").lower() == "may" and not re.match(r"\d", m.group()) and (
                re.search(r"\b(?:i|we|you|it|that|this|he|she|they)\s+$",
                          text[max(0, m.start() - 12) : m.start()], re.I)
            ):
                continue
            month = _MONTHS[m.group("mon")[:3].lower()]
            add(m, _calendar(received, month, int(m.group("d")), _year(m.group("year"))))
    for m in _FOREIGN_DAY_MONTH.finditer(text):
        month = _FOREIGN_MONTHS[m.group("fmon").lower()]
        add(m, _calendar(received, month, int(m.group("d")), _year(m.group("year"))))
    for m in _WEEKDAY_DAY.finditer(text):
        add(m, _day_of_month(received, int(m.group("d"))))
    for m in _NUMERIC.finditer(text):
        a, b = int(m.group("a")), int(m.group("b"))
        month, day = (b, a) if a > 12 or (day_first and b <= 12) else (a, b)
        if 1 <= month <= 12:
            add(m, _calendar(received, month, day, _year(m.group("year"))))
    for m in _FIRST_NEXT.finditer(text):
        day = int(m.group("d")) if m.group("d") else 1
        if m.group("which").lower() == "next":
            y, mo = (received.year + 1, 1) if received.month == 12 else (
                received.year, received.month + 1)
            d = _safe(y, mo, day)
            add(m, None if d is None else (d, d))
        else:
            add(m, _day_of_month(received, day))
    for m in _DAY_ONLY.finditer(text):
        add(m, _day_of_month(received, int(m.group("d") or m.group("d2"))))
    for m in _FOREIGN_DAY.finditer(text):
        if _UNIT_AFTER.match(text, m.end()):
            continue
        add(m, _day_of_month(received, int(m.group("d"))))
    for m in _LAST_DAY.finditer(text):
        d = _month_end(received.year, received.month)
        add(m, (d, d))
    for m in _FOREIGN_END.finditer(text):
        name = (m.group("emon") or m.group("fmon") or "").lower()
        if name:
            found_month = _MONTHS.get(name[:3]) if m.group("emon") else _FOREIGN_MONTHS[name]
            if found_month is None:
                continue
            month = found_month
            year = received.year + (1 if month < received.month else 0)
            d = _month_end(year, month)
        else:
            d = _month_end(received.year, received.month)
        add(m, (d, d))
    for m in _END_OF_MONTH.finditer(text):
        if m.group("next"):
            y, mo = (received.year + 1, 1) if received.month == 12 else (
                received.year, received.month + 1)
            d = _month_end(y, mo)
        else:
            d = _month_end(received.year, received.month)
        add(m, (d, d))
    for m in _RELATIVE.finditer(text):
        word = m.group("word").lower()
        if word == "day after tomorrow":
            d = received + timedelta(days=2)
        elif word == "yesterday":
            d = received - timedelta(days=1)
        elif word.startswith(("today", "tonight", "this")):
            d = received
        else:
            d = received + timedelta(days=1)
        add(m, (d, d))
    for m in _FOREIGN_RELATIVE.finditer(text):
        word = m.group("word").lower()
        before = text[max(0, m.start() - 12) : m.start()].lower()
        if word == "morgen" and re.search(r"(?:guten|goede|jeden|heute|diesen)\s+$", before):
            continue
        if word in ("mañana", "manana") and re.search(r"(?:la|esta|cada)\s+$", before):
            continue
        if word in ("pasado mañana", "pasado manana", "dopodomani", "après-demain",
                    "apres-demain", "übermorgen", "depois de amanhã", "pojutrze"):
            d = received + timedelta(days=2)
        elif word in ("mañana", "manana", "domani", "demain", "morgen", "amanhã", "amanha",
                      "jutro"):
            d = received + timedelta(days=1)
        else:
            d = received
        add(m, (d, d))
    for m in _IN_N.finditer(text):
        if m.group("fortnight"):
            days = 14
        else:
            n_text = " ".join(m.group("n").lower().split())
            n = int(n_text) if n_text.isdigit() else _NUMBER_WORDS[n_text]
            days = n * (7 if m.group("unit").lower().startswith("w") else 1)
        d = received + timedelta(days=days)
        add(m, (d, d))
    for m in _FOREIGN_WEEKDAY.finditer(text):
        if m.group("pt"):
            target = _PT_SHORT[m.group("pt").lower()]
        else:
            target = _FOREIGN_WEEKDAYS[m.group("wd").lower()]
        after_next = bool(m.group("next")) or bool(
            _FOREIGN_NEXT_BEFORE.search(text[max(0, m.start() - 12) : m.start()])
        )
        add(m, _weekday(received, target, "next" if after_next else ""))
    for m in _WEEKDAY.finditer(text):
        if re.search(r"\b(?:black|cyber)\s+$", text[max(0, m.start() - 8) : m.start()], re.I):
            continue
        target = _WEEKDAYS[(m.group("wd") or m.group("wd2")).lower()]
        mod = (m.group("mod") or m.group("mod2") or "").lower()
        ahead = (target - received.weekday()) % 7
        behind = (received.weekday() - target) % 7
        if mod == "next" and ahead == 0:
            ahead = 7
        if mod == "last" and behind == 0:
            behind = 7
        future = received + timedelta(days=ahead)
        past = received - timedelta(days=behind)
        if mod == "last":
            future = past
        add(m, (future, past))
    found.sort(key=lambda d: d.start)
    return found


def _weekday(received: date, target: int, mod: str) -> tuple[date, date]:
    ahead = (target - received.weekday()) % 7
    behind = (received.weekday() - target) % 7
    if mod == "next" and ahead == 0:
        ahead = 7
    return received + timedelta(days=ahead), received - timedelta(days=behind)
