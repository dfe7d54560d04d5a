"""Which language a debtor wrote in: small, dependency-free, and steady on two-word SMS.

The agent answers English only for now, so triage routes a message that is confidently in
another language to a person (reason `language:<code>`). A wrong "not English" costs a collector
a minute; a wrong "English" sends an English template to someone who may not read it. Short
English texting ("ok thx", "k", "pls call") must therefore stay English, and one distinctive
word ("gracias") is enough for Spanish.

How: non-Latin scripts are named by their letters (Cyrillic `ru`, or `uk` with Ukrainian
letters; Greek, Arabic, Hebrew, Devanagari, Thai, Hangul, kana `ja`, Han `zh`). Latin text is
scored on word profiles (function words, greetings and the words of paying and contact) for
en, es, fr, de, pt, it, pl and nl: a word in k profiles gives each 1/k, and letters only one
language uses (ñ, ß, ł, ã) add a little. English wins ties. Only the first 4,000 characters
are read: enough to decide, and bounded on hostile input.

Off-the-shelf detectors (langdetect, fastText lid) were not used: the first is random on short
text unless seeded and slow to load, the second needs a 1 MB model file; both call "ok thx"
anything but English.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

__all__ = ["NON_ENGLISH_THRESHOLD", "LanguageGuess", "detect_language"]

# Triage routes to a person when the guess is not English with at least this confidence. One
# distinctive word ("gracias") scores 0.75; one shared word ("no") is not enough.
NON_ENGLISH_THRESHOLD = 0.6
_SAMPLE = 4_000


@dataclass(frozen=True, kw_only=True)
class LanguageGuess:
    """An ISO 639-1 code ("und" when there are no letters to judge) and a confidence in [0, 1]."""

    code: str
    confidence: float


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


_PROFILES: dict[str, frozenset[str]] = {
    "en": _words(
        "the a an and or but to of in on at for with from by about as is are was were be been"
        " worries worry hope know think said told asked let make made take give gave find"
        " keep say see look come came like love alright right left wait till until ago"
        " after before while since every each both"
        " am i me my mine you your yours he she it its we us our they them their this that"
        " these those what which who when where why how not no yes yeah yep yup ok okay k kk"
        " thanks thank thx ty tx pls please plz u ur im ive dont cant wont didnt doesnt isnt"
        " will would can could should shall may might must do does did have has had get got"
        " go going gonna wanna want need just so very really too also still already again now"
        " then today tomorrow tmrw tmr yesterday week weeks month months monday tuesday"
        " wednesday thursday friday saturday sunday pay paid paying payment payments money"
        " debt owe owed account balance bill invoice card bank call calling text texting"
        " email emailing stop send sent help sorry hi hello hey dear sir madam regards lol"
        " idk asap soon later next last out up off all any some more much many other than if"
        " there here s t ll ve re d m job work lost time number contact leave alone back"
        " cheers mate wrong person dispute lawyer attorney thing sure fine great good bad"
        " ill gonna wont able afford sorted cool got hiya morning evening night yours"
        " appreciate message messages reply again ever never only because"
    ),
    "es": _words(
        "de la que el en y a los se del las un por con no una su para es al lo como más mas"
        " pero sus le ya o este sí si porque esta entre cuando muy sin sobre también tambien"
        " me hasta hay donde quien desde todo nos todos uno les ni otros ese eso ellos esto"
        " mí antes unos yo otro otra él tanto esa estos mucho nada muchos poco ella estar"
        " estas algo nosotros mi mis tú te ti tu tus ellas estoy está estamos están soy eres"
        " son fue era tengo tiene tienen hola gracias buenos buenas días dias tardes noches"
        " favor pago pagar pagaré pagare puedo puede quiero necesito dinero deuda cuenta"
        " mañana manana semana mes viernes lunes martes miércoles miercoles jueves sábado"
        " sabado domingo hoy ayer llamar llamen llamarme llamando escriban escribir"
        " escribirme escriben mensaje mensajes dejen déjenme dejenme señor señora usted"
        " ustedes vale bueno claro cuánto cuanto debo trabajo ahora todavía entonces baja"
        " contacten contactarme molesten acoso nunca jamás jamas perdí perdi abogado"
        " quisiera saludos atentamente disculpe basta voy vas va vamos vuelvan vuelva fuera"
        " oficina mínimo minimo alcanza cada quincena esposo esposa fallecio falleció"
        " teléfono telefono pude pudo horas tarjeta hermana hermano otra vez checa porfa"
        " queja día veces reporten contesto luego manejando equivocado aquí aqui vive"
        " ninguna ninguno estaré estare enero febrero diciembre asunto relacionado"
        " encuentro vacaciones molestarme contactar sin falta lo todo junto pagué"
        " pague hice transferencia número numero mensual pagos cuotas ayuda"
        " llamadas correo ahorita pues necesito"
    ),
    "fr": _words(
        "le la les de des du un une et est en que qui dans pour pas ne plus sur au aux avec"
        " ce cette ces il elle ils elles nous vous je j tu me m mon ma mes ton ta son sa ses"
        " leur leurs se s c ça ca y a ai avez avons sont suis été être avoir fait faire mais"
        " ou où donc car si très tres tout tous bien merci bonjour bonsoir salut oui non"
        " madame monsieur payer paierai paye paiement argent dette compte demain semaine"
        " mois vendredi lundi mardi mercredi jeudi samedi dimanche aujourd hui hier appeler"
        " appelez contactez contacter écrire ecrire écrivez ecrivez arrêtez arretez jamais"
        " veuillez svp stp peux peut veux dois besoin travail quand comme aussi encore déjà"
        " deja rien cordialement laissez moi tranquille avocat qu n l d informe dossier"
        " déclaré declare père pere mère mere décédé decede succession notaire payé"
        " virement facture remboursement échéancier echeancier mensualités mensualites"
        " chômage chomage malade messieurs"
    ),
    "de": _words(
        "der die das und ist nicht ich du er sie es wir ihr mich mir dich dir ein eine einen"
        " einem einer zu den dem des mit auf für fur von im sind war bin bist hat habe haben"
        " kann können konnen will wollen muss bitte danke hallo guten tag morgen woche monat"
        " freitag montag dienstag mittwoch donnerstag samstag sonntag heute gestern zahlen"
        " zahle bezahlen geld schulden konto rechnung aber oder auch noch schon nur wenn dass"
        " weil wie was wer wo hier da jetzt mehr nie kein keine keinen hören hoeren horen uns"
        " ja nein herr frau sehr gut anrufen kontaktieren schreiben nachrichten lassen ruhe"
        " sie ihnen mfg grüße gruesse anwalt arbeit"
    ),
    "pt": _words(
        "de a o que e do da em um para é com não nao uma os no se na por mais as dos como"
        " mas foi ao ele das tem à seu sua ou ser quando muito há nos já ja está esta eu"
        " também tambem só pelo pela até ate isso ela entre era depois sem mesmo aos ter"
        " seus quem nas me esse eles estão estao você voce vocês voces tinha foram essa nem"
        " meu minha às numa elas qual será nós tenho lhe deles essas esses este dele tu te"
        " obrigado obrigada olá ola oi bom dia tarde noite pagar pago pagamento dinheiro"
        " dívida divida conta amanhã amanha semana mês sexta segunda terça terca quarta"
        " quinta sábado domingo hoje ontem parem ligar liguem mandar mandem mensagens"
        " mensagem favor posso pode quero preciso trabalho agora ainda então entao deixem"
        " paz contatar contactar advogado paguei ontem confirmem confirme por"
        " boleto pix parcelar parcelas desempregado faleceu"
    ),
    "it": _words(
        "di e il la che è per un una in del della non sono mi ti si lo gli le ho ha hanno"
        " con come ma anche se più piu questo questa quello sei siamo io tu lui lei noi voi"
        " loro mio mia grazie ciao buongiorno buonasera sì pagare pago pagamento soldi debito"
        " conto domani settimana mese venerdì venerdi lunedì lunedi oggi ieri chiamare"
        " chiamarmi contattarmi smettete favore posso può puo voglio devo lavoro adesso"
        " ancora già gia niente nessun cordiali saluti avvocato gentile mittente fuori"
        " ufficio fino accesso limitato posta elettronica basta pagato bonifico rate"
    ),
    "pl": _words(
        "i w na z do nie się sie że ze jest to jak co ale o po od tak za mnie mi ja ty on"
        " ona my wy oni jestem jesteś są sa był była będę bede mam ma mają może moge mogę"
        " chcę chce proszę prosze dziękuję dziekuje dzień dzien dobry cześć czesc płacić"
        " placic zapłacę zaplace pieniądze pieniadze dług dlug konto jutro tydzień tydzien"
        " miesiąc miesiac piątek piatek poniedziałek dzisiaj wczoraj dzwonić dzwonic pisać"
        " pisac przestańcie przestancie kontaktować kontaktowac już juz tylko bardzo przez"
        " dla pozdrawiam prawnik"
    ),
    "nl": _words(
        "de het een en van ik je is dat die in niet te op met voor zijn er maar om aan ook"
        " als dan bij nog wat naar kan was wij we ze hij zij u uw mij me mijn jij jou zo hoe"
        " geen wel heb heeft hebben ben bent wordt dank bedankt hallo goedemorgen ja nee"
        " betalen betaal geld schuld rekening morgen week maand vrijdag maandag vandaag"
        " gisteren bellen mailen stoppen alstublieft alsjeblieft graag kunt moet wil nu al"
        " alleen groeten advocaat"
    ),
}

# Letters that (among the eight Latin-script profiles) only one or two languages write.
_LETTER_CUES: dict[str, tuple[str, ...]] = {
    "ñ": ("es",), "¿": ("es",), "¡": ("es",),
    "ß": ("de",), "ä": ("de",), "ö": ("de",), "ü": ("de",),
    "ã": ("pt",), "õ": ("pt",),
    "ç": ("fr", "pt"), "è": ("fr", "it"), "ê": ("fr", "pt"), "ë": ("fr", "nl"),
    "î": ("fr",), "û": ("fr",), "œ": ("fr",), "ì": ("it",), "ò": ("it",), "ù": ("fr", "it"),
    "ł": ("pl",), "ś": ("pl",), "ż": ("pl",), "ź": ("pl",), "ć": ("pl",), "ń": ("pl",),
    "ą": ("pl",), "ę": ("pl",),
}
_LETTER_WEIGHT = 0.5
_LETTER_CAP = 3.0

_WORD_SPLIT = re.compile(r"[^\W\d_]+", re.UNICODE)


def _script(ch: str) -> str | None:
    """The language a non-Latin letter names, or None for Latin and everything else."""
    o = ord(ch)
    if 0x0400 <= o <= 0x04FF:
        return "uk" if ch in "іїєґІЇЄҐ" else "ru"
    if 0x0370 <= o <= 0x03FF:
        return "el"
    if 0x0590 <= o <= 0x05FF:
        return "he"
    if 0x0600 <= o <= 0x06FF or 0x0750 <= o <= 0x077F:
        return "ar"
    if 0x0900 <= o <= 0x097F:
        return "hi"
    if 0x0E00 <= o <= 0x0E7F:
        return "th"
    if 0xAC00 <= o <= 0xD7AF or 0x1100 <= o <= 0x11FF:
        return "ko"
    if 0x3040 <= o <= 0x30FF:
        return "ja"
    if 0x4E00 <= o <= 0x9FFF:
        return "zh"
    return None


def _by_script(sample: str) -> LanguageGuess | None:
    """A guess from the writing system when most letters are not Latin."""
    scripts: Counter[str] = Counter()
    latin = 0
    for ch in sample:
        if not ch.isalpha():
            continue
        name = _script(ch)
        if name is None:
            latin += 1
        else:
            scripts[name] += 1
    other = sum(scripts.values())
    if other == 0 or other < latin:
        return None
    if "ja" in scripts and "zh" in scripts:  # Japanese mixes kana with Han characters
        scripts["ja"] += scripts.pop("zh")
    if scripts.get("uk") and scripts.get("ru"):
        scripts["uk"] += scripts.pop("ru")
    code, count = scripts.most_common(1)[0]
    return LanguageGuess(code=code, confidence=round(count / (other + latin), 2))


def detect_language(text: str) -> LanguageGuess:
    """The language of `text`: English unless the words clearly say otherwise.

    Returns:
        The guess; ("en", 0.0) when there are no letters or no known words (emoji, numbers,
        names only), so that callers treat it as "no evidence", not as another language.
    """
    sample = text[:_SAMPLE]
    scripted = _by_script(sample)
    if scripted is not None:
        return scripted
    lowered = sample.lower()
    # Apostrophes split "m'écrire" and "don't" into the parts the profiles list.
    tokens = _WORD_SPLIT.findall(lowered.replace("'", " ").replace("’", " "))
    scores: dict[str, float] = dict.fromkeys(_PROFILES, 0.0)
    hits: Counter[str] = Counter()
    for token in tokens:
        owners = [lang for lang, words in _PROFILES.items() if token in words]
        for lang in owners:
            scores[lang] += 1.0 / len(owners)
            if len(owners) <= 2:
                hits[lang] += 1
    letters: dict[str, float] = {}
    for ch, langs in _LETTER_CUES.items():
        n = lowered.count(ch)
        for lang in langs:
            letters[lang] = letters.get(lang, 0.0) + n * _LETTER_WEIGHT / len(langs)
    for lang, bonus in letters.items():
        scores[lang] += min(bonus, _LETTER_CAP)
        if bonus:
            hits[lang] += 1
    if sum(scores.values()) <= 0:
        return LanguageGuess(code="en", confidence=0.0)
    best = max(scores, key=lambda lang: (scores[lang], lang == "en"))
    if best != "en" and scores["en"] >= scores[best]:
        best = "en"
    # The question that matters is "English or not": a non-English guess is measured against
    # English only (Spanish, Portuguese and Italian share many words; that uncertainty is
    # about which code, not about whether the agent can answer).
    rival = scores["en"] if best != "en" else max(v for k, v in scores.items() if k != "en")
    share = scores[best] / (scores[best] + rival)
    # One distinctive word gives 0.75, three or more give the full share.
    support = min(1.0, 0.5 + 0.25 * hits[best])
    return LanguageGuess(code=best, confidence=round(share * support, 2))
