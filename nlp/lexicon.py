"""The phrase tables behind the rules: what each label, vulnerability and flag listens for.

Each `Cue` is a target ("intent:<label>", "vuln:<name>", "flag:prompt_injection",
"distress"), a confidence (0.95 for explicit phrases, 0.8 for clear but indirect ones, 0.7 for
weaker cues; for "distress" it is the cue's weight), whether a nearby negation cancels it
("I don't dispute it"), an optional dispute type, and regular expressions. Patterns are matched
case-insensitively on text whose curly quotes were straightened. They are recall-first on the
legal triggers: a false alarm costs a collector a minute, a miss is a violation.

Phrases that carry their own negation ("not mine", "don't contact me") are not negatable.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["CUES", "Cue"]


@dataclass(frozen=True, kw_only=True)
class Cue:
    target: str
    confidence: float
    patterns: tuple[str, ...]
    negatable: bool = False
    negation_inside: bool = False
    dispute_type: str | None = None
    case_sensitive: bool = False


ME = r"(?:me|us|my (?:wife|husband|family|mum|mom|mother|dad|father|partner))"
# "do not contact me at work", "stop calling me on my mobile": a place, channel or time after
# the person limits the request to that channel (channel_opt_out), unless it is "at all".
LIMITED = (
    r"\s+(?:at (?!all\b)|on (?:my|this|the|weekends?|sundays?|saturdays?|whatsapp|facebook)\b"
    r"|via\b|by (?!any\b|anyone\b)|through\b|after\b|before\b|during\b|between\b|except\b"
    r"|unless\b|in the (?:morning|evening|night)\b)"
)
PLACE = (
    r"(?:work|my work|the office|my office|my job|my workplace|my employer|home|my home"
    r"|my (?:mobile|cell|landline|phone|work phone|home phone|work email|personal email)"
    r"|this (?:number|address|email)|whatsapp|facebook|social media|weekends?|the weekend"
    r"|night|sundays?)"
)
DONT = r"(?:don'?t|dont|do not|never|pls don'?t|please don'?t|do ?n0t)"
YOU = r"(?:you|u|ya|your (?:company|agency|firm|people|staff|team))"
I_WILL = (
    r"(?:i'?ll|ill|i will|i wil|i can|i could|i'm going to|im going to|i am going to|i'm gonna"
    r"|im gonna|gonna|we'?ll|we will|we can|i shall|i plan to|i'm planning to|im planning to"
    r"|i intend to|i promise to|i'?ll be able to|i will be able to|i should be able to"
    r"|i'm able to|i am able to|i'm happy to|i am happy to|happy to"
    r"|i hope to|i'?m hoping to|i can definitely|i'll definitely|i will definitely)"
)
PAY = (
    r"(?:pay(?:ing)?|pya|payy|send(?:ing)?|transfer(?:ring)?|clear|settle|wire|make (?:a |the "
    r"|my )?"
    r"payments?|get (?:it|the money|the payment|you|this|that|the rest) (?:to you|paid|sorted|over"
    r"|cleared)|put (?:it|money|something|\$?£?€?\d+) (?:towards|toward|in|through)"
    r"|sort (?:it|this|that|the (?:bill|balance|payment|rest))(?: out)?|catch up)"
    r"(?!\s+(?:you\s+)?(?:proof|evidence|a copy|the (?:receipt|documents?|letter|form|details"
    r"|info)|copies|photos?|pictures?|screenshots?|an? email|a letter|a message))"
)
LAWYER = (
    r"(?:attorney|attorny|atorney|atty|lawyer|lawer|laywer|solicitor|solicter|solictor"
    r"|legal counsel|counsel|legal rep(?:resentative)?|law firm|legal team|legal aid)"
)
RELATIVE = (
    r"(?:father|dad|daddy|mother|mum|mom|mam|mummy|mommy|husband|wife|hubby|son|daughter"
    r"|brother|sister|partner|spouse|grandmother|grandfather|grandma|grandpa|nan|nana|gran"
    r"|granny|grandad|granddad|uncle|aunt|auntie|fiance|fiancee|boyfriend|girlfriend"
    r"|stepfather|stepmother|stepdad|stepmum|stepmom|father-in-law|mother-in-law|friend"
    r"|client|tenant|loved one|child)"
)
DEATH = (
    r"(?:passed away|passed on|has passed|had passed|died|dead|deceased|death|passed last"
    r"|no longer with us|lost (?:his|her) (?:battle|fight)|killed in|rip\b|r\.i\.p)"
)

CUES: tuple[Cue, ...] = (
    # promise_to_pay
    Cue(
        target="intent:promise_to_pay",
        confidence=0.9,
        negatable=True,
        negation_inside=True,
        patterns=(
            rf"\b{I_WILL}\s+(?:\w+\s+){{0,2}}?{PAY}\b(?!\s+(?:back to (?:you|u) about|in touch))",
            r"\b(?:i'?m|im|i am|we'?re|we are)\s+(?:going to be\s+)?(?:paying|sending|"
            r"transferring)\b(?!\s+(?:off|for)\b)",
            r"\b(?:will|can)\s+(?:have|get)\s+(?:it|the (?:money|payment|balance|rest))\s+"
            r"(?:to you|paid|sent|over|cleared)",
            r"\bpay(?:ing)?\s+(?:you|u|it|this|that|the (?:rest|balance|full amount))\s+"
            r"(?:on|by|next|this|tomorrow|friday|monday|tuesday|wednesday|thursday|saturday"
            r"|sunday|at the end|end of)\b",
            r"\bpayment (?:will be|is going to be|should be) (?:made|sent|with you|there)",
            r"\b(?:expect|look out for)\s+(?:the\s+|a\s+|my\s+)?(?:payment|money|transfer)",
            r"\bpaying\s+(?:#\s?\d+|inv[\w-]*\d|invoice)",
            r"\bwill (?:do|make) (?:a|the|my) (?:payment|transfer)",
            r"\bpayments? (?:goes|go|will go|is going|are going) out\b",
            r"\b(?:set up|setup|arranged|started|set) (?:a |the |my |an? )?(?:standing order|direct"
            r" debit|recurring (?:payment|transfer)|automatic payment|autopay)",
            r"\b(?:take|debit|collect|charge)\s+(?:the\s+)?(?:payment|money|it"
            r"|[$£€]\s?\d[\d.,]*)\s+"
            r"(?:from|on|today|tomorrow|this|next|out)\b",
            r"(?:^|[^\w\s']\s*)(?:will|can|gonna|going to|shall|should be able to)\s+"
            r"(?!(?:i|you|u|we|they|he|she|someone|somebody|anyone)\b)(?:\w+\s+)?"
            r"(?:pay|send|transfer|clear|settle)\b",
        ),
    ),
    Cue(
        target="intent:promise_to_pay",
        confidence=0.7,
        patterns=(
            r"\b(?:can'?t|cannot|cant|won'?t be able to) pay (?:it |this |anything "
            r"|you )?(?:until|till"
            r"|til|before) (?:the |next |my |\d|monday|tuesday|wednesday|thursday|friday|payday|"
            r"end)",
        ),
    ),
    # payment_made
    Cue(
        target="intent:payment_made",
        confidence=0.9,
        negatable=True,
        patterns=(
            r"\b(?:i|we|my \w+)\s+(?:have\s+|'ve\s+|ve\s+|just\s+|already\s+|actually\s+)*"
            r"(?:paid|payed|sent|made|transferred|wired|mailed|posted|settled|cleared)\s+"
            r"(?:it|this|that|the|a|my|you|u|off|in full|them|\$|£|€|\d|yesterday|today|this"
            r"|last|on|earlier|online|via|by|over|already|everything|what)",
            r"\b(?:i|we)(?:'ve| have)? already paid\b",
            r"^\s*(?:just\s+)?(?:paid|sent|transferred|made (?:a |the )?payment)\s+(?:u\b|you\b"
            r"|it\b"
            r"|the\b|[$£€]|\d|this\b|that\b|today|yesterday|online)",
            r"^\s*paid\b",
            r"\bpaid (?:it|this|that|the (?:bill|balance|invoice|amount))\b",
            r"\b(?:the\s+|my\s+)?payment (?:was|has been|went|is) (?:made|sent|done|through|"
            r"processed|submitted|taken|completed|cleared)",
            r"\b(?:check|cheque) (?:is|was) (?:in the (?:mail|post)|sent|mailed|posted)",
            r"\bremittance\b",
            r"\b(?:confirmation|receipt|transaction) (?:number|no\.?|#|code|id)\b",
            r"\bproof of payment\b",
            r"\b(?:did|have) (?:you|u) (?:get|receive|recieve|see) (?:my|the) (?:payment|money"
            r"|transfer|check|cheque)",
            r"\b(?:you|u) (?:already )?(?:took|debited|charged) (?:the )?(?:payment|money)",
        ),
    ),
    # payment_plan_request
    Cue(
        target="intent:payment_plan_request",
        confidence=0.9,
        negatable=True,
        patterns=(
            r"\bpayment\s*(?:plan|arrangement|schedule|agreement)s?\b",
            r"\binst?al+e?ments?\b",
            r"\b(?:pay|paying|do|afford|manage)\s+(?:it\s+|this\s+|that\s+)?(?:in|over|by)\s+"
            r"(?:parts|chunks|bits|instal\w*|\d+|two|three|four|six|twelve)\s*(?:parts|months"
            r"|payments|weeks|goes)?",
            r"\d\s*(?:a|per|each|every|/)\s*(?:month|mo|mth|week|wk|fortnight)\b",
            r"\b(?:monthly|weekly|fortnightly|bi-?weekly)\s+(?:payments?|amounts?|basis)",
            r"\bmore time\b",
            r"\b(?:an\s+)?extension\b",
            r"\bextend (?:the|my) (?:due date|deadline|date)",
            r"\b(?:settle|settlement|settling)\b(?!\s+(?:it|this|the balance|in full)\s+"
            r"(?:on|by|today|tomorrow|friday))",
            r"\b(?:accept|take)\s+(?:a\s+)?(?:less|lower|reduced|partial|smaller|\$?£?€?\d+)"
            r"(?:\s+(?:amount|payment|sum))?\s+(?:as|in|for)\s+(?:full|final)",
            r"\b(?:reduce|lower) (?:the|my) (?:amount|balance|payments?)",
            r"\bsmaller (?:payments|amounts)\b",
            r"\b(?:split|spread|break)\s+(?:it|this|that|the (?:payments?|balance|cost|bill|"
            r"amount))\b",
            r"\b(?:pay|paying) (?:what|a bit|a little|something|bits) (?:i can|each|every|at a)",
            r"\bpay (?:a bit|a little|something) (?:each|every|at a time)\b",
            r"\bpay (?:it )?off (?:slowly|gradually|over time|bit by bit)\b",
            r"\b(?:can|could) (?:i|we) (?:pay|do) (?:less|part|some|half"
            r"|[$£€]?\d+(?![\d:]|\s*(?:am|pm|o'?clock)))",
            r"\b(?:hardship|repayment) (?:plan|programme|program|scheme)\b",
            r"\b(?:freeze|pause|suspend|hold off)\b.{0,30}\b(?:interest|payments?|charges)\b",
            r"\bstop (?:the |adding |charging )?(?:interest|charges|fees)\b",
            r"\bgive (?:me|us) (?:some|a bit more|a little more|a few|more|until|till)\b",
            r"\b(?:can|could|may) (?:i|we) (?:please )?(?:have|get) (?:a few |some "
            r"|a couple (?:of )?|an? "
            r"|two |2 |a bit )?(?:more |extra )?(?:weeks?|days?|months?|time)\b",
            r"\b(?:need|needs|want|asking for|ask for|request) (?:a (?:bit|little) (?:of )?|some "
            r"|a few "
            r"(?:more )?(?:days|weeks) |more |extra )?time\b",
        ),
    ),
    # hardship
    Cue(
        target="intent:hardship",
        confidence=0.9,
        negatable=True,
        patterns=(
            r"\b(?:lost|lose|losing) (?:my|his|her|our) (?:job|jobs|income|work|business|home"
            r"|house)\b",
            r"\b(?:laid off|made redundant|redundancy|unemployed|jobless|out of work|furlough\w*"
            r"|got fired|been fired|was fired|let go)\b",
            r"\b(?:can'?t|cannot|cant|can not|unable to|not able to|couldn'?t) (?:afford|pay|"
            r"keep up|manage (?:the |my |these |any )?(?:payments?|bills|repayments)|make (?:the|my"
            r"|this|any) payments?)\b",
            r"\b(?:been|really|am|are|was|were) (?:really |so )?struggling\b",
            r"\b(?:no|zero|not enough|not much|little) (?:money|income|cash|funds)\b",
            r"\bnothing left\b",
            r"\b(?:don'?t|do not|dont) know how (?:i'?m|i am|i will|i'?ll|we|we'?re|im) "
            r"(?:going to |gonna )?(?:pay|afford|manage|cope|survive|get by)",
            r"\b(?:i'?m|im|i am|we'?re|we are) (?:completely |totally |flat |so |really )?"
            r"(?:broke|skint|struggling|in debt|behind)\b",
            r"\bstruggl(?:e|ing) (?:to|with) (?:pay|make ends|afford|keep up|get by|money|bills"
            r"|rent|food|cope)",
            r"\b(?:on|claiming) (?:benefits|universal credit|welfare|disability|food stamps"
            r"|unemployment|jsa|esa|pip|ssi|ssdi)\b",
            r"\bfood ?banks?\b",
            r"\b(?:behind on|can'?t pay) (?:my |the )?(?:rent|mortgage|bills|utilities)\b",
            r"\bevict\w*\b",
            r"\b(?:hours|pay|salary|wages?) (?:got |have been |were |was )?(?:cut|reduced|slashed)",
            r"\b(?:reduced|fewer|less) (?:hours|income|pay)\b",
            r"\bpaycheck to paycheck\b|\bpay ?day to pay ?day\b",
            r"\b(?:money|things|finances) (?:is|are) (?:really |very |so )?(?:tight|tough|hard"
            r"|difficult)\b",
            r"\b(?:hard|tough|difficult) (?:time|times|few months|year)\b",
            r"\bhard times\b|\bfinancial (?:difficult\w*|hardship|trouble|problems|crisis)\b",
            r"\b(?:medical|hospital) (?:bills|costs|expenses)\b",
            r"\bbreathing space\b",
            r"\bdebt (?:advice|adviser|advisor|charity|counsel\w*)\b|\bstepchange\b|"
            r"\bcitizens advice\b|\bnational debtline\b|\bmoneyhelper\b",
        ),
    ),
    # dispute, by type (priority is decided in rules.py)
    Cue(
        target="intent:dispute",
        confidence=0.95,
        dispute_type="identity_theft",
        patterns=(
            r"\bidentity (?:theft|fraud|was stolen|stolen)\b",
            r"\b(?:stole|stolen|used|cloned|hacked)\b.{0,20}\b(?:my )?(?:identity|id|details"
            r"|card|account)\b.{0,40}\b(?:fraud|without my|not me|wasn'?t me)",
            r"\bstole (?:my|his|her) (?:identity|id|details)\b",
            r"\b(?:someone|somebody|my ex|a scammer|a fraudster) (?:else )?(?:opened|used|took out"
            r"|ran up|applied)\b",
            r"\b(?:in|under) my name without\b",
            r"\bfraudulent(?:ly)?\b",
            r"\b(?:police|crime|fraud) (?:report|reference|ref)\b|\baction ?fraud\b",
        ),
    ),
    Cue(
        target="intent:dispute",
        confidence=0.9,
        dispute_type="already_paid",
        patterns=(
            r"\b(?:already|was|been|were|it'?s|its|is|has been) (?:already )?(?:paid|settled|"
            r"cleared) (?:off|in full|up|years ago|months ago|ages ago|long ago)\b",
            r"\bpaid (?:it|this|that|the (?:debt|balance|account|bill)) (?:off|in full)\b",
            r"\bpaid (?:off|in full)\b.{0,40}\b(?:ago|already|years?|months?|last)\b",
            r"\b(?:don'?t|do not|dont) owe\b.{0,40}\b(?:paid|settled)\b",
            r"\b(?:paid|settled)\b.{0,40}\b(?:don'?t|do not|dont) owe\b",
            r"\bpaid (?:twice|two times|double)\b|\bpaying (?:twice|again)\b",
            r"\b(?:why|how) (?:are|is) (?:you|u|this) (?:still )?(?:chasing|asking|billing|"
            r"charging)\b.{0,40}\bpaid\b",
        ),
    ),
    Cue(
        target="intent:dispute",
        confidence=0.95,
        dispute_type="not_mine",
        patterns=(
            r"\b(?:not|isn'?t|aint|ain'?t|never been|wasn'?t) (?:my|mine|ours|our)"
            r"(?: (?:debt|account|bill|loan|card|invoice|balance|contract|phone|number))?\b"
            r"(?!\s+(?:fault|problem|choice|job|intention|plan))",
            r"\bnot mine\b",
            r"\bnever (?:had|opened|signed (?:up )?for|took out|applied for|used|held|owned)"
            r" (?:an?|this|that|the|any|such an?)\b",
            r"\b(?:don'?t|do not|dont|didn'?t) (?:recogni[sz]e"
            r"(?!\s+(?:the |this |your |that )?(?:new )?(?:payment )?(?:reference|link|website"
            r"|portal|email address|number|sender|phone"
            r" number|format|letterhead|logo))|know (?:anything )?"
            r"about|remember (?:ever )?(?:having|opening|taking))\b",
            r"\bno (?:idea|clue) what (?:this|that|the) (?:debt|bill|is|account|charge)",
            r"\bnever (?:heard of|dealt with|done business with) (?:this|that|your|you|them|the)"
            r" ?(?:company|creditor|lender|account|debt)?",
            r"\b(?:this|that|it)'?s? not (?:me|mine)\b.{0,20}\b(?:debt|account|owe)",
        ),
    ),
    Cue(
        target="intent:dispute",
        confidence=0.9,
        dispute_type="wrong_amount",
        patterns=(
            r"\bwrong (?:amount|balance|figure|total|sum|charges?|fees?)\b",
            r"\b(?:amount|balance|total|figure|bill|charge|charges|fee|fees|interest|invoice|sum)"
            r"s? (?:is|are|was|were|seems?|looks?) (?:wrong|incorrect|too high|inflated|"
            r"way too high|not right|off|excessive|ridiculous|made up|a mistake|a joke)\b",
            r"\bovercharg\w*\b|\bcharged (?:me )?(?:twice|double|two times|too much)\b",
            r"\bdouble[- ]?charg\w*\b",
            r"\bincorrect (?:amount|balance|charges?|fees?|total|bill|invoice)\b",
            r"\b(?:should|should'?ve) (?:only )?be (?:only )?(?:\$|£|€)?\d",
            r"\bi (?:only|just) owe\b|\bonly owed?\b.{0,20}\d",
            r"\bnever agreed to (?:these|those|the|this|any|that)\b.{0,20}\b(?:fees?|charges?"
            r"|interest|amount)\b",
            r"\b(?:where did|where does|how did|how is|how come)\b.{0,30}\b(?:amount|balance"
            r"|figure|fees?|charges?|interest)\b.{0,20}\b(?:come from|so high|get so)",
            r"\b(?:didn'?t|did not|don'?t|do not) owe (?:that much|this much|so much|\$|£|€)",
        ),
    ),
    Cue(
        target="intent:dispute",
        confidence=0.9,
        dispute_type="goods_or_services",
        patterns=(
            r"\bnever (?:received|recieved|recived|got|had|used) (?:the|my|any|it|them|this|that"
            r"|a|an|what)\b",
            r"\b(?:didn'?t|did not|never) (?:arrive|turn up|show up|get delivered|work|get the"
            r"|order"
            r"|ordered|buy|bought|purchase|purchased)\b",
            r"\b(?:was|were|arrived|came|is|are) (?:broken|damaged|faulty|defective|not working"
            r"|missing)\b",
            r"\b(?:cancel+ed|cancel+led|terminated|ended|closed) (?:the|my|that|this|our) "
            r"(?:service|subscription|contract|order|membership|account|plan|policy|gym)\b",
            r"\breturned (?:the|it|them|everything|all)\b|\bsent (?:it|them) back\b",
            r"\b(?:refund|refunded|charge ?back|chargeback)\b",
            r"\bservice (?:was|is|were) (?:never|not) (?:provided|delivered|rendered|done|"
            r"completed)\b|\bnot as (?:described|advertised)\b|\bpoor (?:service|quality|work)\b",
            r"\b(?:work|job|repair)s? (?:was|were)(?:n'?t| not| never) (?:done|finished|"
            r"completed)\b",
        ),
    ),
    Cue(
        target="intent:dispute",
        confidence=0.9,
        dispute_type="other",
        negatable=True,
        patterns=(
            r"\bdisput\w*\b",
            r"\bcontest\w*\b",
            r"\bchalleng\w* (?:this|the|that|your)\b",
            r"\b(?:i|we) (?:don'?t|do not|dont|doesn'?t) owe\b|\bowe (?:you )?nothing\b",
            r"\bdon'?t owe (?:you|u|anything|any|this|that|a)\b",
            r"\b(?:this|it|that) is (?:a )?(?:scam|fraud|not legit\w*|not valid|bogus|invalid)\b",
            r"\b(?:is|are) a scam\b|\bscam(?:mers?)?\b",
            r"\bstatute[- ]?barred\b|\btime[- ]?barred\b|\bstatute of limitations?\b|"
            r"\btoo old\b|\bover (?:6|six|7|seven) years\b",
            r"\bnot (?:liable|responsible) for\b",
            r"\b(?:is|are|was) (?:wrong|incorrect)\b|\balleged (?:debt|account|balance|amount)\b",
            r"\b(?:i|we) (?:deny|reject) (?:this|the|that|owing)\b",
        ),
    ),
    # validation_request
    Cue(
        target="intent:validation_request",
        confidence=0.95,
        patterns=(
            r"\bprove (?:that |it\b|this\b|to me\b|i |we |the debt|this debt|i owe|my )",
            r"\bproof (?:that |of |i |we |the )(?:owe|debt|this|that|it|i|we|the|what)?",
            r"\b(?:send|show|give|provide|mail|email)\s+(?:me\s+|us\s+)?(?:some\s+|any\s+)?"
            r"(?:proof|evidence|documentation|paperwork|documents|the contract|a copy of the"
            r" (?:contract|agreement)|the (?:signed )?agreement)\b",
            r"\bverif\w*\b(?!\s+(?:my|your|the) (?:identity|id|email|e-mail|phone|number|mobile"
            r"|address|details|login)|\s+code)|\bvalidat\w*\b(?!\s+code)",
            r"\bitemi[sz]ed\b|\bitemi[sz]ation\b|\bfull breakdown\b|\bbreak ?down of\b",
            r"\boriginal (?:contract|agreement|creditor|documents|paperwork|lender|signed)\b",
            r"\bwho (?:is|was) the (?:original )?(?:creditor|lender)\b",
            r"\bcopy of (?:the|my|any) (?:signed |original |credit )?(?:agreement|contract"
            r"|application)\b",
            r"\b(?:s|section)\.?\s?7[78]\b|\bcca request\b|\bconsumer credit act\b",
            r"\bwhat is this (?:debt|charge|bill|for|from|regarding)\b|\bwhat (?:debt|company)\b"
            r"|\bwhat (?:is|was) (?:this|it) for\b",
            r"\b(?:signed|signature) (?:contract|agreement|document)\b",
            r"\b(?:chain of (?:title|custody)|assignment (?:letter|notice))\b",
        ),
    ),
    # cease_communication
    Cue(
        target="intent:cease_communication",
        confidence=0.95,
        patterns=(
            rf"\bstop (?:all )?(?:contact\w*|harass\w*|harras\w*|bother\w*|pester\w*|hound\w*"
            rf"|chas\w*|writing to|communicat\w*|threaten\w*) {ME}\b(?!{LIMITED})",
            rf"\b{DONT}\s+(?:ever\s+)?(?:contact|bother|harass|write to|communicate with|"
            rf"approach|chase|reach out to) {ME}\b(?!{LIMITED})",
            r"\b(?:don'?t|do not|dont) (?:want|wish) (?:to (?:hear from|be contacted by) (?:you|u"
            r"|your company)|any (?:more |further )?(?:contact|communication|calls or letters))\b",
            rf"\b(?:never|do not|don'?t) (?:\w+ )?(?:contact|bother) {ME} again\b",
            r"\bcease (?:and|&) desist\b|\bcease\b.{0,20}\b(?:contact|communication|"
            r"correspondence|all)\b",
            r"\bleave (?:me|us|my \w+) (?:alone|the hell alone|in peace)\b|\blet me (?:be|live)\b",
            r"\bno (?:further|more) (?:contact|communication|correspondence|letters and calls"
            r"|contact of any kind)\b",
            r"\b(?:remove|delete) (?:me|my (?:details|number|name|information|info)) from "
            r"(?:all|everything|your (?:system|records|database))\b",
            r"\bstop (?:all|any) (?:contact|communication|correspondence)\b",
            r"\bstop (?:disturbing|troubling|stalking) (?:me|us)\b|\bstay away from (?:me|us"
            r"|my family)\b",
            r"\b(?:no longer|do not|don'?t) (?:wish|want) to be contacted\b|\b(?:do not|don'?t)"
            r" consent to (?:any )?(?:further )?(?:contact|communication|calls)\b",
            r"\b(?:all|any) (?:further )?(?:communication|contact|correspondence)\b.{0,40}\bto"
            r" (?:stop|cease|end)\b|\bsend (?:me )?nothing (?:further|more|else)\b",
            rf"\b{DONT}\s+(?:ever\s+)?(?:text|call|email|contact|write to|message)(?:,? (?:or|and)"
            r" (?:text|call|email|contact|write to|message))+ (?:me|us)\b",
            rf"\b{DONT}\s+contact {ME}\b.{{0,40}}\bor (?:any|anywhere) (?:other|else)\b",
            r"\b(?:calls|texts|emails|letters|messages)\W+(?:or |and )?(?:calls|texts|emails"
            r"|letters|messages)\W+(?:or |and )?(?:calls|texts|emails|letters|messages)\b",
            r"\bno (?:me )?vuelvan? a (?:contactar|molestar|buscar)\w*",
            rf"\b(?:stop|quit|quite) (?:contacting|contactin|contating|contcting)\b"
            rf"(?!(?: {ME})?{LIMITED})",
            rf"\bnot (?:to|too) (?:contact|call|text|email|message) {ME}\s+(?:again|anymore|"
            rf"any more|ever)\b",
        ),
    ),
    Cue(
        target="intent:cease_communication",
        confidence=0.8,
        negatable=True,
        patterns=(r"\brefus\w* to pay\b",),
    ),
    Cue(
        target="intent:cease_communication",
        confidence=0.8,
        patterns=(
            r"\b(?:i'?m|im|i am|we'?re|we are) not (?:ever )?(?:paying|gonna pay|going to pay)"
            r"(?!\s+(?:this|that|the|next|until|till|yet|now|today|right)\s*(?:month|week|year|time"
            r"|instal\w*|payment|now|til|till|until|friday|monday|\d|$))"
            r"(?: (?:for )?(?:this|that|it|you|u|a (?:penny|cent|dime)|anything|any of it|shit"
            r"|squat))?"
            r"\b(?!\s*(?:this month|this week|today|now|yet|until|till|til|unless|right now|at"
            r"|in full|the full|all of|everything|all at once|until))(?:\W*(?:ever|never|period"
            r"|full stop)\b)?",
            r"\b(?:will|i'?ll|i shall)\s+never\s+pay\b|\bnever (?:going to|gonna) pay\b",
            r"\b(?:i|we) (?:will not|won'?t|wont|shall not) (?:be )?pay(?:ing)? (?:it|this|that"
            r"|you|u"
            r"|anything|a (?:penny|cent))\b(?!\s*(?:this month|this week|today|now|yet|until|till"
            r"|til|unless|right now|in full|all at once|on|by|before))",
            r"\bwhen pigs fly\b|\bnot a (?:penny|cent|dime)\b|\bover my dead body\b",
        ),
    ),
    # channel_opt_out (natural language; SMS keywords are handled in rules.py)
    Cue(
        target="intent:channel_opt_out",
        confidence=0.95,
        patterns=(
            r"\bunsubscribe\b|\bopt(?:ing)?[- ]?out\b|\bopted out\b",
            r"\b(?:stop|quit|no more|enough) (?:texting|txting|texts|txts|sms|messaging|"
            r"messages|emailing|emails|e-mails|e-mailing|calling|calls|phoning|ringing|writing"
            r"|letters|voicemails)\b",
            r"\b(?:stop|quit) (?:sending|sendin) (?:me )?(?:texts|messages|emails|letters|these)\b",
            rf"\b{DONT}\s+(?:ever\s+)?(?:text|txt|sms|email|e-mail|call|phone|ring|message"
            rf"|write to|mail) (?:me|us|this (?:number|address)|my (?:work|job|office|phone"
            rf"|mobile|cell|landline|employer|workplace|home))\b",
            rf"\b(?:{DONT}\s+(?:ever\s+)?|stop\s+|quit\s+)(?:contact(?:ing)?|call(?:ing)?"
            rf"|ring(?:ing)?|phon(?:e|ing)|text(?:ing)?|email(?:ing)?|messag(?:e|ing)|visit(?:ing)?"
            rf"|writ(?:e|ing) to|bother(?:ing)?) {ME}{LIMITED}",
            rf"\b(?:no|stop) (?:more )?(?:calls|contact|texts|emails|messages|visits) (?:to|at|on)"
            rf" {PLACE}\b",
            rf"\b{DONT}\s+(?:want|need) (?:any )?(?:more )?(?:texts|emails|calls|messages"
            rf"|letters)\b",
            r"\b(?:remove|take) (?:me|my (?:number|email|address)|this (?:number|address)) "
            r"(?:off|from) (?:your|the|this) (?:list|mailing list|system|contact list|database"
            r"|texts)\b",
            r"\b(?:text|txt|email|e-mail|call|phone|write to|mail|contact) (?:me|us) (?:instead"
            r"|only)\b|\bonly (?:contact|reach|write to|text|email|call) (?:me|us)"
            r" (?:by|via|through|on|at)\b",
            r"\b(?:contact|reach|write to) (?:me|us) (?:only )?(?:by|via|through)"
            r" (?:post|mail|letter|email|e-mail|text|sms|phone) only\b",
            r"\b(?:by|via) (?:post|mail|letter|email|text) only\b",
            r"\bwrong (?:channel|way to (?:contact|reach))\b",
            # "remove my number", "lose my number", "Pls remove", "take me off your texting list"
            r"\b(?:remove|delete) (?:my (?:mobile |cell |phone |home |work )?(?:number|phone)"
            r"|our (?:phone )?numbers?|this (?:number|phone))\b|\blose (?:my|this) number\b",
            r"\btake (?:me|my number) off (?:your|ur|the|this) (?:\w+ )?list\b",
            r"(?:^|[.!,]\s*)(?:pls |please |plz |just )?remove(?: me| us| this number)?[.!\s]*$",
            r"(?:^|[.!?]\s*)no (?:more )?(?:phone calls|calls|texts|emails|e-mails|letters"
            r"|messages)\b",
            r"\b(?:stop|quit) (?:the|these|your|all the|all these) (?:phone )?(?:calls|texts"
            r"|emails|e-mails|letters|messages)\b",
            r"\bstop sending\b(?!\s+(?:\w+\s+)?(?:money|payments?|cheques?|checks?))",
            # a preferred channel or time: "only text me", "text me rather than email", "in
            # writing only", "dont text before noon", "call my cell not my house phone"
            r"\bonly (?:text|txt|email|e-mail|call|write to|contact|message) (?:me|us)\b"
            r"|\bonly in writing\b|\bin writing only\b",
            r"\b(?:text|txt|email|e-mail|call|phone|write to|contact|message) (?:me|us)"
            r" (?:\w+ )?rather than\b|\binstead of (?:calling|texting|emailing|phoning|ringing"
            r"|writing|this (?:one|address|email|number))\b",
            r"\bnot (?:on )?my (?:house|home|work|landline|cell|mobile|office) (?:phone|number"
            r"|line)\b",
            rf"\b{DONT}\s+(?:text|txt|call|ring|phone|email|message|contact)(?: me| us)?"
            r" (?:before|after|during|between|on (?:weekends|sundays))\b",
            rf"\b{DONT}\s+(?:ever\s+)?(?:call|text|contact|ring|phone|email|write to) my"
            r" (?:father|mother|dad|mum|mom|parents|family|wife|husband|son|daughter|boss"
            r"|employer|neighbou?rs?|kids|children)\b",
            rf"\b{DONT}\s+(?:want|need) (?:any ?more |any |more )?(?:texts|emails|calls|messages"
            r"|letters)\b",
            r"\bno (?:me )?vuelvan? a (?:llamar|escribir|mandar|enviar|textear)\w*",
        ),
    ),
    # Opt-outs and cease in Spanish, French, Portuguese, German, Italian, Dutch and Polish
    # (legal triggers whatever the language; recall first). A request to stop one way of being
    # reached (writing, calling, messages) is channel_opt_out; to stop contact at all is cease.
    Cue(
        target="intent:channel_opt_out",
        confidence=0.95,
        patterns=(
            # es: "no me escriban más", "dejen de llamarme", "no quiero más mensajes"
            r"\bno me (?:escrib(?!i[óo]\b)\w*|llam(?!o\b|a\b|as\b|ó\b|aron\b)\w*|mand\w*"
            r"|envi\w*|envíen|textee?n?)\b|\bno (?:escriban|llamen|manden|env[íi]en)\b",
            r"\bdej(?:en|e|ad|a|ar) de (?:escribir\w*|llamar\w*|mandar\w*|enviar\w*|text\w*)",
            r"\b(?:ya )?no (?:quiero|deseo) (?:recibir )?(?:m[áa]s |ning[úu]n |ninguna )?"
            r"(?:mensajes?|correos?|llamadas?|sms|emails?|e-mails?|cartas?)\b",
            r"\b(?:dar(?:me)?|d[ée]nme|d[ée]me) de baja\b|\bdesuscrib\w*|\bdesinscrib\w*",
            # fr: "arrêtez de m'écrire", "ne m'appelez plus", "plus de messages"
            r"\bne (?:m'|me )?(?:[ée]cri\w*|appel\w*|envoy\w*|t[ée]l[ée]phon\w*|textos?)"
            r"(?: (?:de |des )?(?:messages|sms|mails|e-mails|courriers|lettres))? plus\b",
            r"\barr[êe]t(?:ez|e|er) (?:de |d')(?:m'|me )?(?:[ée]crire|appeler|envoyer"
            r"|t[ée]l[ée]phoner|texter|spammer)",
            r"\b(?:d[ée]sabonn|d[ée]sinscri)\w*|\bplus (?:de|d') ?(?:messages|sms|appels|mails"
            r"|e-mails|courriers)\b",
            # pt: "parem de me mandar mensagens", "não me liguem mais"
            r"\bpar(?:em|e|a|ar) de (?:me )?(?:mandar|enviar|ligar|escrever|telefonar)\w*",
            r"\bn[ãa]o (?:me )?(?:liguem|ligue|mandem|mande|enviem|envie|escrevam|escreva"
            r"|telefonem)\b",
            r"\bn[ãa]o quero (?:receber )?mais (?:mensagens|liga[çc][õo]es|emails|e-mails|sms"
            r"|cartas)\b|\bdescadastr\w*",
            # de: "hören Sie auf, mich anzurufen", "schreiben Sie mir nicht mehr"
            r"\bh(?:ö|oe|o)r(?:en|t|e)? (?:sie |ihr )?(?:endlich |bitte )?auf,? mich"
            r" (?:st[äa]ndig )?(?:anzurufen|anzuschreiben"
            r"|zu (?:schreiben|simsen|anzurufen|nerven))",
            r"\b(?:schreiben|rufen|simsen|mailen) sie mi(?:r|ch) (?:bitte )?(?:nicht|nie) (?:mehr"
            r"|wieder)\b",
            r"\bkeine (?:weiteren )?(?:anrufe|nachrichten|e-?mails|sms|briefe|mails)(?: mehr)?\b"
            r"|\babmelden\b|\babbestellen\b",
            # it: "non chiamatemi più", "smettete di scrivermi"
            r"\bnon (?:mi )?(?:chiam|scriv|mand|invi)\w* pi[ùu]\b|\bsmett\w* di (?:chiamarmi"
            r"|scrivermi|mandarmi|inviarmi)",
            # nl: "bel me niet meer", "stop met bellen"
            r"\b(?:bel|mail|sms|app) (?:me|mij) niet meer\b|\bstop (?:met )?(?:bellen|mailen"
            r"|sms'?en|appen)\b",
            # pl: "przestańcie dzwonić", "nie dzwońcie do mnie"
            r"\bprzesta[ńn](?:cie)? (?:do mnie )?(?:dzwoni[ćc]|pisa[ćc]|wysy[łl]a[ćc])"
            r"|\bnie (?:dzwo[ńn]cie|piszcie)\b",
        ),
    ),
    Cue(
        target="intent:cease_communication",
        confidence=0.95,
        patterns=(
            # es: "no me contacten más", "dejen de molestarme", "déjenme en paz"
            r"\bno (?:me (?:contact\w*|molest\w*|acos\w*|busqu\w*)|contacten|contactarme"
            r"|molesten)\b",
            r"\bdej(?:en|e|ad|a|ar) de (?:contactar\w*|molestar\w*|acosar\w*|buscar\w*)",
            r"\bd[ée]j(?:en|e|a)(?:me|nos) (?:en paz|tranquil[oa]s?)\b",
            r"\bno (?:quiero|deseo) (?:ning[úu]n |m[áa]s )?contacto\b|\bno quiero que me"
            r" (?:contacten|llamen|escriban|molesten)\b",
            # fr: "ne me contactez plus", "laissez-moi tranquille"
            r"\bne (?:me |m')?(?:contact\w*|d[ée]rang\w*|harcel\w*|recontact\w*) (?:plus|jamais)\b",
            r"\barr[êe]t(?:ez|e|er) de (?:me )?(?:contacter|harceler|d[ée]ranger|relancer)",
            r"\blaissez[- ]moi (?:tranquille|en paix)\b|\bfoutez[- ]moi la paix\b",
            r"\b(?:plus aucun|aucun autre) contact\b",
            # pt: "parem de me contatar", "me deixem em paz"
            r"\bpar(?:em|e|a|ar) de (?:me )?(?:contatar|contactar|incomodar|perturbar|assediar"
            r"|cobrar)\w*",
            r"\bn[ãa]o (?:me )?(?:contatem|contactem|contate|contacte|incomodem|incomode"
            r"|procurem|perturbem)\b",
            r"\bdeix(?:em|e)(?:-me| me)? em paz\b|\bme deix(?:em|e) em paz\b",
            # de: "hören Sie auf, mich zu kontaktieren", "lassen Sie mich in Ruhe"
            r"\bh(?:ö|oe|o)r(?:en|t|e)? (?:sie |ihr )?(?:endlich |bitte )?auf,? mich"
            r" (?:st[äa]ndig )?zu (?:kontaktieren|bel(?:ä|ae|a)stigen|bedr(?:ä|ae|a)ngen)",
            r"\bkontaktieren sie mich (?:bitte )?(?:nicht|nie) (?:mehr|wieder)\b",
            r"\blass(?:en sie|t) mich (?:in ruhe|in frieden)\b|\bkein(?:en)? (?:weiteren )?kontakt"
            r"(?: mehr)?\b",
            # it, nl, pl
            r"\bnon (?:mi )?contatt\w* pi[ùu]\b|\bsmett\w* di (?:contattarmi|disturbarmi"
            r"|molestarmi)|\blasciatemi in pace\b",
            r"\bneem geen contact (?:meer )?(?:met (?:me|mij) )?op\b|\blaat (?:me|mij) (?:met"
            r" rust|in rust)\b",
            r"\bprzesta[ńn](?:cie)? (?:si[ęe] )?(?:ze mn[ąa] )?kontaktowa[ćc]|\bzostawcie mnie w"
            r" spokoju\b",
        ),
    ),
    # attorney_represented (future intent "I'll get a lawyer" is a complaint, see below)
    Cue(
        target="intent:attorney_represented",
        confidence=0.95,
        patterns=(
            rf"\b(?:my|our|his|her) (?:\w+ )?{LAWYER}\b",
            r"\b(?:represented by|representing me|represents me|represent me)\b",
            rf"\b{LAWYER}\s+(?:is|are|has been|will be|now)?\s*(?:representing|handling|dealing"
            rf"|in charge|acting|taking care)\b",
            rf"\b(?:retained|hired|instructed|engaged|got|have|appointed) (?:an? |a new )?"
            rf"{LAWYER}\b",
            rf"\b(?:talk|speak|speek|send (?:it|everything)|direct (?:all )?(?:correspondence|"
            rf"communication)|refer \w+|contact|call|reach out) (?:to )?(?:my|our) {LAWYER}\b",
            r"\besq\.?\b|\besquire\b|\blaw offices? of\b|\b(?:llp|pllc)\b",
            r"\bi am (?:the|their|his|her) (?:attorney|lawyer|solicitor|legal representative)\b",
            r"\bwe (?:act|are acting) (?:for|on behalf of)\b",
        ),
    ),
    # bankruptcy
    Cue(
        target="intent:bankruptcy",
        confidence=0.95,
        negatable=True,
        patterns=(
            r"\bbank?rup\w*\b|\bbankrupcy\b|\bbankruptsy\b|\bbankrupsy\b",
            r"\bch(?:apter|apt|\.)?\s?(?:7|13|11|seven|thirteen|eleven)\b(?!\s*(?:of|in)\b)",
            r"\binsolven\w*\b",
            r"\bindividual voluntary arrangement\b",
            r"\bdebt relief order\b",
            r"\bsequestration\b|\bprotected trust deed\b",
            r"\bautomatic stay\b|\bcase (?:number|no\.?) \d{2}-\d+",
            r"\bofficial receiver\b|\btrustee in bankruptcy\b",
        ),
    ),
    Cue(
        target="intent:bankruptcy",
        confidence=0.9,
        case_sensitive=True,
        patterns=(r"\bIVA\b|\bDRO\b",),
    ),
    # wrong_party
    Cue(
        target="intent:wrong_party",
        confidence=0.95,
        patterns=(
            r"(?:^|[.!?,;]\s*)(?:that'?s |it'?s |its |thats )?not me\b(?!\s+(?:who|that))",
            r"\bwrong (?:number|person|guy|girl|lady|man|address|email|e-mail|house|people"
            r"|contact|phone|individual|dana|[a-z]+ number)\b",
            r"\bhave the wrong\b|\bgot the wrong\b|\bgot the wrong (?:number|person)\b",
            r"\b(?:don'?t|do not|dont|doesn'?t) know (?:who|any|anyone|anybody|a|this|that|the"
            r" person|him|her)\b(?!\s+(?:what|why|how|when))",
            r"\bno (?:one|body|1) (?:here )?(?:by|named|called|with) (?:that|this|the)",
            r"\b(?:doesn'?t|does not|don'?t|do not|never) (?:live|lived|work|living) here\b",
            r"\b(?:no longer|doesn'?t|does not) (?:live|lives|have this number|use this number)\b",
            r"\bnever heard of (?:him|her|them|this person|that person)\b",
            r"\b(?:this|that) (?:isn'?t|is not|aint) (?:his|her|their) (?:number|phone|email"
            r"|address)\b",
            r"\b(?:not|isn'?t) the (?:person|one) you(?:'re| are) looking for\b",
            r"\b(?:new|changed my) number\b.{0,40}\b(?:not|never|don'?t)\b",
            r"\b(?:it'?s|its|this is|that is|that'?s|thats) not me\b(?!\s*(?:who|that) (?:owe|"
            r"opened))",
            r"\b(?:moved|moved out|moved away) (?:years|months|a while|long) ago\b",
            r"\b(?:he|she) (?:has |had )?moved (?:out|away)\b",
            r"\b(?:don'?t|do not|dont) have (?:his|her|their) (?:new )?(?:address|number|details|"
            r"contact)",
        ),
    ),
    Cue(
        target="intent:wrong_party",
        confidence=0.8,
        case_sensitive=True,
        patterns=(
            r"\b(?:[Ww]ho is|[Ww]ho'?s|[Nn]ever heard of|[Dd]on'?t know (?:any|a|anyone called)?)"
            r" ?(?:[Mm]r\.? |[Mm]rs\.? |[Mm]s\.? )?(?!The\b|This\b|That\b|It\b|You\b)[A-Z][a-z]+\b",
            r"\b(?!We\b|They\b|You\b|My\b|Our\b|She\b|He\b)[A-Z][a-z]+ (?:has |had )?moved"
            r" (?:out|away)\b",
        ),
    ),
    # info_request
    Cue(
        target="intent:info_request",
        confidence=0.9,
        patterns=(
            r"\b(?:what'?s|what is|whats|wat is|how much is) (?:my|the|our) (?:current |total |"
            r"outstanding |remaining )?(?:balance|amount|total|payoff|figure|debt|bill)\b",
            r"\bhow much (?:do|did|does) (?:i|we|he|she) (?:still )?owe\b|\bhow much (?:is "
            r"(?:left|owed|outstanding|it|due)|do i have left|remains?|left to pay)\b",
            r"\bhow (?:do|can|should|would|could) (?:i|we) (?:make a )?(?:pay|payment|send|"
            r"settle|transfer)\b",
            r"\bwhere (?:do|can|should) (?:i|we) (?:send|pay|mail|transfer)\b",
            r"\b(?:send|email|resend|forward|give|mail)\s+(?:me\s+|us\s+)?(?:a\s+|the\s+|another"
            r"\s+|my\s+)?(?:copy|copies|statements?|invoices?|bills?|balance|link|payment link|"
            r"details|bank details|account details)\b",
            r"\bcopy of (?:the|my|an?) (?:invoice|bill|statement|letter)\b",
            r"\b(?:bank|payment|account) details\b|\bpayment link\b|\bsort code\b.{0,20}\?",
            r"\b(?:can|could|do) (?:i|we|you) (?:pay|accept|take) (?:by|with|via|online|over)\b",
            r"\bwho (?:are you|is this|r u|dis)\b|\bwho'?s this\b|\bwhat is this about\b"
            r"|\bwhat company\b",
            r"\bpay ?off (?:amount|figure|balance|quote)\b|\b(?:settlement|redemption) figure\b",
            r"\bwhat (?:do|does) (?:i|we) owe\b|\bwhat (?:is|was) (?:the|my) due date\b",
            r"\bdue date\b.{0,20}\?",
            r"\b(?:all|any|what) (?:the )?(?:data|information|personal data|info) (?:you|u) "
            r"(?:hold|have|keep)\b|\bsubject access request\b|\bdata subject\b|\bgdpr\b",
            r"\b(?:account|reference) number\b.{0,20}\?",
            r"\b(?:confirm|check|tell me|let me know|know) (?:what )?(?:the|my) (?:current |new |"
            r"remaining |outstanding )?(?:balance|amount|total)\b",
        ),
    ),
    # callback_request
    Cue(
        target="intent:callback_request",
        confidence=0.9,
        negatable=True,
        negation_inside=True,
        patterns=(
            r"\b(?:call|ring|phone|contact) (?:me|us)(?: back)?\b",
            r"\bgive (?:me|us) a (?:call|ring|bell)\b",
            r"\b(?:can|could|would|will) (?:someone|somebody|you|u|an agent) (?:please )?"
            r"(?:call|ring|phone)\b",
            r"\bcall ?back\b|\bcall me back\b",
            r"\b(?:reach|contact) (?:me|us) (?:at|on|after|before|between|by)\b",
            r"\b(?:speak|talk) (?:to|with) (?:a |an |someone|somebody|a real|an actual|a human"
            r"|a person|your manager|a manager|a supervisor|an agent)\b",
            r"\bbest (?:time|number|way) to (?:call|reach|contact)\b",
            r"\bavailable (?:after|before|between|on|from)\b",
            r"\b(?:email|text|txt) me (?:at|on)\b",
            # "text me instead", "only contact me by post": a channel they do want
            r"\b(?:text|txt|email|e-mail|call|phone|ring|write to|mail|contact|message|whatsapp)"
            r" (?:me|us) (?:instead|only)\b|\bonly (?:contact|reach|write to|text|email|call)"
            r" (?:me|us) (?:by|via|through|on|at)\b",
        ),
    ),
    # complaint
    Cue(
        target="intent:complaint",
        confidence=0.95,
        negatable=True,
        patterns=(
            r"\bcomplain\w*\b|\bcomplaint\b",
            r"\breport(?:ing)? (?:you|u|this|your \w+) to\b|\breport(?:ing)? (?:you|u)\b",
            r"\b(?:cfpb|ftc|fca|bbb|ombudsman|trading standards|attorney general|consumer "
            r"(?:financial )?protection|better business bureau|regulator|fos|ico)\b",
            r"\bharass\w*\b|\bharras\w*\b|\bharrass\w*\b",
            r"\b(?:sue|suing)\b|\btake (?:you|u) to court\b|\blegal action against\b",
            rf"\b(?:i'?ll|i will|going to|gonna|i'm getting|im getting|i'll be getting|will be"
            rf" getting) (?:get|getting|hire|call|contact|speak to|talk to|consult)? ?(?:a|an) "
            rf"{LAWYER}\b",
            r"\b(?:you|u|your \w+) (?:called|rang|texted|emailed|phoned|contacted) (?:me )?"
            r"(?:\d+|five|six|seven|eight|ten|twenty|so many|multiple|several) times\b",
            r"\b(?:unprofessional|rude|disrespectful|threatening|intimidat\w*|bully\w*|"
            r"aggressive|appalling|disgraceful|unacceptable|illegal|unlawful|violat\w*|fdcpa)\b",
            r"\bhow dare\b|\bat (?:\d|one|two|three|four|five|six|seven|ten|eleven|midnight)"
            r"\w* (?:am|in the morning|at night|pm)\b",
            r"\b(?:call|calling|called|text|texting|texted) (?:me )?at work\b",
        ),
    ),
    # abusive
    Cue(
        target="intent:abusive",
        confidence=0.9,
        patterns=(
            r"\bf+u+c+k+ (?:off|you|u|yourself|yourselves|ur|your)\b|\bf off\b|\bfu\b|\bstfu\b"
            r"|\bgo f\w* yourself\b|\bfuck(?:ing|in)? (?:scum|idiots?|crooks?|thieves|leeches"
            r"|vultures|parasites|morons?|losers?)\b|\bf\*+k\b|\bf\*+ck\w*\b",
            r"\b(?:screw|sod|piss off|bugger off|get stuffed|go to hell|rot in hell|eat shit|"
            r"kiss my ass|up yours)\b",
            r"\b(?:you|u|ur|your|you'?re|youre|you are|you lot|yall|you people|you guys|bunch of"
            r"|such|fucking|filthy|greedy|pathetic|absolute) (?:\w+ )?(?:scum\w*|idiots?|morons?"
            r"|crooks?|thie(?:f|ves)|criminals?|bastards?|assholes?|arseholes?|wankers?|twats?"
            r"|pricks?|dicks?|cunts?|bitch(?:es)?|leeches|vultures|parasites|losers?|clowns?"
            r"|liars?|scammers?|pigs?|rats?|sharks?|bloodsuckers?|lowlifes?|dirtbags?|"
            r"sons? of (?:a )?bitch(?:es)?|pieces? of shit|pos)\b",
            r"\b(?:scumbag|bloodsucker|cunt|motherfucker|mf|dickhead|shithead|douchebag)s?\b",
            rf"\b(?:i'?ll|i will|gonna|going to|i'm going to|im going to) (?:kill|hurt|find|"
            rf"come for|come after|beat|smash|burn|shoot|stab) {YOU}\b",
            r"\bwatch your back\b|\byou'?ll (?:regret|be sorry)\b|\bi know where you\b",
        ),
    ),
    # auto_reply (subject lines are checked in rules.py)
    Cue(
        target="intent:auto_reply",
        confidence=0.95,
        patterns=(
            r"\bout of (?:the )?office\b|\bo\.?o\.?o\.?\b(?=.{0,40}\b(?:until|return))",
            r"\bautomatic(?:ally)? (?:reply|response|generated)\b|\bauto-?(?:reply|response|"
            r"responder|generated)\b|\bautoreply\b",
            r"\b(?:i am|i'm|im|i will be|i'll be) (?:currently )?(?:away|on (?:annual |"
            r"parental |maternity |paternity |sick )?leave|on holiday|on vacation|travell?ing|"
            r"out of (?:the )?office)\b.{0,80}\b(?:until|returning|return|back on|limited "
            r"access)\b",
            r"\bwill (?:respond|reply|get back to you|be in touch|answer)\b.{0,40}\b(?:on|upon"
            r"|when|after) (?:my|i) ?(?:return|get back|am back)\b",
            r"\blimited (?:access to|email access)\b",
            r"\bthis (?:is an?|mailbox is) (?:automated|automatic|unmonitored|not monitored)\b"
            r"|\b(?:mailbox|inbox) is (?:not monitored|unmonitored)\b",
            r"\b(?:delivery (?:status notification|has failed|failure|to the following)|"
            r"undeliverable|mail delivery (?:failed|subsystem)|returned mail|failure notice|"
            r"message (?:not delivered|blocked)|could not be delivered|address (?:not found|"
            r"couldn'?t be found)|mailer-daemon|postmaster)\b",
            r"\bthank you for (?:your (?:email|message)|contacting)\b.{0,60}\b(?:we (?:will|'ll)"
            r"|within \d+|as soon as possible|business days?|hours)\b",
            r"\bticket (?:number|#|id)\b.{0,60}\b(?:has been (?:created|received)|automated)\b",
        ),
    ),
    # vulnerabilities
    Cue(
        target="vuln:self_harm_risk",
        confidence=0.95,
        patterns=(
            r"\b(?:end(?:ing)?|finish(?:ing)?) it all\b|\bend(?:ing)? my (?:own )?life\b",
            r"\bkill(?:ing)? my ?self\b|\bkms\b|\bkill me now\b",
            r"\bsuicid\w*\b|\bself[- ]?harm\w*\b|\bhurt(?:ing)? my ?self\b"
            r"|\bcut(?:ting)? my ?self\b",
            r"\b(?:no|nothing to|no point|no reason to|not worth) (?:reason to )?(?:live|living"
            r"|go on|going on|carry on|carrying on)\b",
            r"\b(?:don'?t|do not|dont|no longer) (?:want|wanna|wish) to (?:live(?! (?:in|at|with|"
            r"near|there|here|on)\b)|be alive|be here anymore|exist|wake up)\b",
            r"\b(?:tired|sick) of (?:living|being alive|life)\b",
            r"\btake my (?:own )?life\b|\b(?:want|wanna|wish i (?:was|were)|ready) (?:to )?"
            r"(?:die|dead|be dead|disappear forever)\b",
            r"\bbetter off (?:dead|without me|gone)\b|\bcan'?t (?:go on|take (?:it|this|any "
            r"more|anymore))\b",
            r"\bwhat'?s the point (?:of (?:living|anything|going on|it all)|anymore|any more)\b",
            r"\bnot (?:be|going to be) (?:here|around) (?:much longer|for long|anymore|any more"
            r"|tomorrow)\b|\b(?:overdose|od'?ing|pills to end)\b|\bjump off\b"
            r"|\bend(?:ing)? things\b",
            # Warning signs without the words: a farewell, giving things away, "can't do this
            # anymore", a past crisis. Recall first: a person reads every one of these.
            r"\bcan'?t do (?:this|it) any ?more\b|\b(?:i'?m|i am|im) not (?:here|around) any ?more"
            r"\b|\bif i'?m (?:not here|gone|no longer here)\b|\b(?:dark place|do something "
            r"(?:stupid|drastic))\b|\bsay(?:ing)? (?:my )?goodbyes?\b",
            r"^\W*(?:good ?bye|farewell)\b|\b(?:they|you) can (?:have|keep) (?:the|my) (?:car|house"
            r"|stuff|things|everything)\b",
        ),
    ),
    Cue(
        target="vuln:mental_health",
        confidence=0.9,
        patterns=(
            r"\b(?:depress\w*|anxiety|anxious|panic attacks?|bipolar|ptsd|ocd|schizo\w*"
            r"|mental (?:health|illness|breakdown)|nervous breakdown|psychiatr\w*"
            r"|therapist|antidepressants?|eating disorder|adhd"
            r"|can'?t cope|struggling to cope|not coping|crisis team)\b",
        ),
    ),
    Cue(
        target="vuln:health",
        confidence=0.9,
        patterns=(
            r"\b(?:cancer|chemo\w*|radiotherapy|tumou?r|stroke|heart attack|surgery|operation"
            r"|hospital\w*|a&e|icu|diagnos\w*|terminal(?:ly)? ill|chronic\w*|disabled"
            r"|disability|wheelchair|dialysis|multiple sclerosis|diabetes|illness|injur\w*"
            r"|broke my (?:leg|arm|back|hip)|sick leave|sick note|pregnan\w*"
            r"|medical (?:condition|leave|treatment|issues|problems|bills)|long covid|covid"
            r"|recovering from|in (?:a lot of )?pain|carer)\b",
            r"\b(?:been|am|was|i'?m|im|got|fell|off|very|seriously|really) (?:very |really |so |"
            r"seriously )?(?:sick|ill|unwell|poorly)\b",
        ),
    ),
    Cue(
        target="vuln:job_loss",
        confidence=0.9,
        patterns=(
            r"\b(?:lost|lose|losing) (?:my|his|her|our) (?:job|jobs|work|income|business)\b",
            r"\b(?:laid off|made redundant|redundancy|unemployed|jobless|out of work|furlough\w*"
            r"|got fired|been fired|was fired|got sacked|been sacked|let go from|business (?:"
            r"closed|failed|went under)|job ?seeker\w*)\b",
        ),
    ),
    Cue(
        target="vuln:bereavement",
        confidence=0.9,
        patterns=(
            rf"\b(?:my|our) (?:late|dear|beloved)? ?{RELATIVE}\b.{{0,40}}\b{DEATH}",
            rf"\blost (?:my|our) {RELATIVE}\b",
            r"\b(?:he|she) (?:has |had )?(?:passed|died)\b",
            r"\b(?:bereave\w*|funeral|widow\w*|grief|grieving|mourning|passed away|probate"
            r"|executor|executrix|estate of|death certificate)\b",
        ),
    ),
    Cue(
        target="vuln:age_or_capability",
        confidence=0.9,
        patterns=(
            r"\b(?:dementia|alzheimer'?s?|memory (?:problems|loss|issues)|power of attorney|lpa"
            r"|lasting power|learning (?:disabilit\w*|difficult\w*)|dyslexi\w*|can'?t read|"
            r"cannot read|don'?t understand (?:this|these|any|what|english|the letter)|english is"
            r"(?:n'?t| not) my (?:first )?language|pensioner|elderly|care home|nursing home"
            r"|(?:[89]\d|7[5-9]) (?:years old|yrs old|year old)|old age|senile"
            r"|brain injury|autis\w*|deaf|blind)\b",
        ),
    ),
    Cue(
        target="vuln:domestic_abuse",
        confidence=0.9,
        patterns=(
            r"\b(?:domestic (?:abuse|violence)|abusive (?:partner|husband|wife|ex|relationship"
            r"|boyfriend|girlfriend|marriage)|financial(?:ly)? abus\w*|economic abuse|coercive"
            r"|controlling (?:partner|husband|ex|relationship)|refuge|restraining order|"
            r"protective order|non-?molestation|fled|fleeing)\b",
            r"\bmy ex (?:took|ran up|used|opened|controls|controlled|forced|made me|put)\b",
            r"\b(?:he|she) (?:hits|hit|beats|beat|hurt|hurts|threatened) (?:me|us)\b",
        ),
    ),
    Cue(
        target="flag:data_subject_request",
        confidence=0.9,
        patterns=(
            r"\b(?:all|any|what) (?:the )?(?:data|information|personal data|info) (?:you|u) "
            r"(?:hold|have|keep)\b|\bsubject access request\b|\bdata subject\b|\bgdpr\b"
            r"|\b(?:erase|delete) (?:all )?my (?:personal )?data\b|\bright to (?:erasure|be "
            r"forgotten)\b",
        ),
    ),
    Cue(
        target="flag:breathing_space",
        confidence=0.95,
        patterns=(r"\bbreathing space\b|\bmental health crisis moratorium\b",),
    ),
    # prompt injection
    Cue(
        target="flag:prompt_injection",
        confidence=0.95,
        patterns=(
            r"\b(?:ignore|disregard|forget|override|bypass)\s+(?:all\s+|any\s+|the\s+|your\s+|"
            r"my\s+)?(?:previous|prior|above|earlier|preceding|existing|original|system|safety)?"
            r"\s*(?:instructions?|rules?|prompts?|guidelines|directives|policies|programming|"
            r"constraints)\b",
            r"\bmark (?:this|my|the|our)?\s*(?:account|debt|balance|invoice|bill|loan|it)?\s*"
            r"(?:as\s+)?(?:paid|settled|closed|resolved|cleared|zero|written off|void)\b",
            r"\b(?:set|change|update|reduce) (?:my|the) (?:balance|debt|amount owed) to "
            r"(?:zero|0|\$?0|nothing)\b",
            r"^\s*(?:system|assistant|developer|admin|root)\s*:",
            r"\[/?(?:inst|system)\]|<\|?(?:im_start|im_end|system)\|?>|<<sys>>",
            r"\byou are now\b|\bnew (?:instructions|rules|system prompt)\b|\bsystem prompt\b",
            r"\b(?:act|behave|respond) as (?:if|an?|my|the)\b",
            r"\bpretend (?:to be|you are|you'?re)\b",
            r"\b(?:jailbreak|dan mode|developer mode)\b",
            r"\bcompliance (?:has |have )?(?:approved|cleared|signed off)\b",
            r"\b(?:write ?off|delete|erase|wipe|forgive|cancel) (?:my|the|this) (?:debt|balance"
            r"|account|record)s? (?:now|immediately|in your system)\b",
            r"\bas an ai\b|\blanguage model\b",
        ),
    ),
    # distress cues (weights combine as 1 - prod(1 - w))
    Cue(
        target="distress",
        confidence=0.25,
        patterns=(
            r"\b(?:desperate|scared|terrified|frightened|afraid|stressed|stressing|overwhelmed|"
            r"drowning|panick\w*|worried sick|sick with worry|at my wits'? end|nightmare|crying"
            r"|in tears|can'?t sleep|losing sleep|sleepless|hopeless|helpless|exhausted|ashamed"
            r"|embarrassed|humiliated|begging|beg you|please help|help me|heartbroken|devastated"
            r"|falling apart|breaking down|giving up|give up|don'?t know what to do"
            r"|no idea what to do|lost everything"
            r"|at rock bottom|rock bottom|suffering|miserable|struggling|barely)\b",
            r"[😭😢😞😔😩😫💔🙏😰😨]",
        ),
    ),
)
