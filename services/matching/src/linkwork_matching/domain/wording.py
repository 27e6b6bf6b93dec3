"""Words for codes: how a link worker would say a day, a feature, a price or a language."""

from __future__ import annotations

from linkwork_contracts.codes import Accessibility, CostUnit, DayOfWeek, ScheduleFrequency

from linkwork_matching.domain.service import Cost, Session

DAY_PLURALS = {
    DayOfWeek.MO: "Mondays",
    DayOfWeek.TU: "Tuesdays",
    DayOfWeek.WE: "Wednesdays",
    DayOfWeek.TH: "Thursdays",
    DayOfWeek.FR: "Fridays",
    DayOfWeek.SA: "Saturdays",
    DayOfWeek.SU: "Sundays",
}

FEATURES = {
    Accessibility.STEP_FREE_ACCESS: "step-free access",
    Accessibility.WHEELCHAIR_ACCESSIBLE: "wheelchair accessible",
    Accessibility.ACCESSIBLE_TOILET: "accessible toilet",
    Accessibility.CHANGING_PLACES: "Changing Places toilet",
    Accessibility.HEARING_LOOP: "hearing loop",
    Accessibility.BSL_INTERPRETER: "BSL interpreter",
    Accessibility.LARGE_PRINT: "large print",
    Accessibility.EASY_READ: "easy read",
    Accessibility.QUIET_SPACE: "quiet space",
    Accessibility.SEATING_AVAILABLE: "seating available",
    Accessibility.ACCESSIBLE_PARKING: "accessible parking",
    Accessibility.ASSISTANCE_DOGS_WELCOME: "assistance dogs welcome",
    Accessibility.CARER_ATTENDS_FREE: "carer attends free",
}

# ISO 639 names of languages commonly spoken in England (Census 2021 main languages) and BSL;
# any other code is shown as the code itself.
LANGUAGES = {
    "en": "English",
    "pl": "Polish",
    "ro": "Romanian",
    "pa": "Panjabi",
    "ur": "Urdu",
    "pt": "Portuguese",
    "es": "Spanish",
    "ar": "Arabic",
    "bn": "Bengali",
    "gu": "Gujarati",
    "it": "Italian",
    "lt": "Lithuanian",
    "fr": "French",
    "zh": "Chinese",
    "tr": "Turkish",
    "ta": "Tamil",
    "so": "Somali",
    "fa": "Persian",
    "ku": "Kurdish",
    "cy": "Welsh",
    "hi": "Hindi",
    "ps": "Pashto",
    "ti": "Tigrinya",
    "uk": "Ukrainian",
    "bfi": "British Sign Language",
}

_UNIT = {
    CostUnit.SESSION: "a session",
    CostUnit.WEEK: "a week",
    CostUnit.MONTH: "a month",
    CostUnit.COURSE: "for the course",
    CostUnit.ONE_OFF: "one-off",
}


def session_words(session: Session) -> str:
    """ "Tuesdays 10:00", "fortnightly, Tuesdays 10:00", "monthly, Tuesdays 10:00"."""
    when = f"{DAY_PLURALS[session.day]} {session.starts:%H:%M}"
    if session.frequency is ScheduleFrequency.MONTHLY:
        every = "monthly" if session.interval == 1 else f"every {session.interval} months"
        return f"{every}, {when}"
    if session.interval == 1:
        return when
    every = "fortnightly" if session.interval == 2 else f"every {session.interval} weeks"
    return f"{every}, {when}"


def cost_words(cost: Cost) -> str:
    if cost.is_free:
        return "free"
    return f"£{cost.amount_pence // 100}.{cost.amount_pence % 100:02d} {_UNIT[cost.unit]}"


def age_words(minimum: int | None, maximum: int | None) -> str | None:
    if minimum is not None and maximum is not None:
        return f"for ages {minimum}-{maximum}"
    if minimum is not None:
        return f"for {minimum}+"
    if maximum is not None:
        return f"for ages up to {maximum}"
    return None


def language_name(code: str) -> str:
    return LANGUAGES.get(code, code)


def listing(words: list[str]) -> str:
    """ "a", "a or b", "a, b or c"."""
    if len(words) <= 1:
        return "".join(words)
    return f"{', '.join(words[:-1])} or {words[-1]}"


TWO_YEARS_IN_WEEKS = 104  # the contract's cap on an estimated wait


def wait_words(weeks: int) -> str:
    """An estimated wait as a link worker would say it: "about 3 weeks' wait"."""
    if weeks <= 0:
        return "no wait expected"
    if weeks == 1:
        return "about 1 week's wait"
    if weeks >= TWO_YEARS_IN_WEEKS:
        return "a wait of two years or more"
    return f"about {weeks} weeks' wait"
