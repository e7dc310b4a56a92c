"""The fictional Nordvind Telekom: its regions, products, channels, people and what they
write - the facts the sample generator draws from (all invented)."""

from __future__ import annotations

from zoneinfo import ZoneInfo

SEED = 20261124
LOCAL_TZ = ZoneInfo("Europe/Stockholm")

# region: (country, language, base effect, drift per month after month 12)
REGIONS: dict[str, tuple[str, str, float, float]] = {
    "Stockholm": ("SE", "sv", 0.0, 0.0),
    "Västra Götaland": ("SE", "sv", 0.15, 0.0),
    "Skåne": ("SE", "sv", 0.3, 0.0),
    "Norrland": ("SE", "sv", -0.3, -0.07),
    "Hovedstaden": ("DK", "da", -0.2, 0.0),
    "Sjælland": ("DK", "da", 0.1, 0.0),
    "Jylland": ("DK", "da", -0.4, 0.06),
    "Østlandet": ("NO", "en", 0.2, 0.0),
    "Trøndelag": ("NO", "en", -0.1, 0.0),
}
REGION_WEIGHTS = (24, 16, 14, 8, 12, 6, 10, 7, 3)
PRODUCTS = {"Mobil": 0.2, "Bredband": -0.5, "TV & Streaming": -0.3, "Smart Hem": 0.4}
PRODUCT_WEIGHTS = (45, 30, 15, 10)
CONSUMER_UNIT = "Konsument"
BUSINESS_UNITS = ("Företag", "Offentlig sektor")
CUSTOMER_TYPE_EFFECT = {"private": 0.0, "business": -0.3}

# channel: (share of invitations, response rate, score effect)
INVITATION_CHANNELS: dict[str, tuple[float, float, float]] = {
    "email": (0.44, 0.31, -0.2),
    "sms": (0.30, 0.43, 0.0),
    "app": (0.10, 0.27, 0.1),
    "phone": (0.10, 0.68, 0.3),
    "store": (0.06, 0.55, 0.5),
}
ANONYMOUS_CHANNELS = {"web": -0.4, "store": 0.5}
# channel: P(delivered), P(opened | delivered), P(started | opened), as a survey tool tracks them
FUNNEL = {
    "email": (0.96, 0.58, 0.75),
    "sms": (0.98, 0.70, 0.80),
    "app": (1.0, 0.50, 0.70),
    "phone": (0.85, 1.0, 0.85),
    "store": (1.0, 0.80, 0.85),
}
# B2B contacts' roles; the first is the decision-maker.
ROLES = ("Beslutsfattare", "IT-ansvarig", "Ekonomiansvarig", "Användare")
ROLE_WEIGHTS = (3, 2, 1, 4)
# eNPS: department -> (weight, score effect); HR is small, so its groups are under 5.
EMPLOYEE_SHARE = 0.05
PULSE_MONTHS = (1, 4, 7, 10)
DEPARTMENTS = {"Kundtjänst": (8, -0.6), "Tekniker": (6, 0.3), "Butik": (5, 0.0), "HR": (1, 0.5)}
EMPLOYEE_VERBATIMS = {
    "promoter": ("Bra kollegor och flexibla arbetstider", "Jag lär mig nya saker varje vecka"),
    "passive": ("Okej arbetsplats men lönen kunde vara bättre", "Mycket omorganisationer"),
    "detractor": ("Hög arbetsbelastning i kundtjänst", "Otydligt ledarskap", "För få kollegor på kvällarna"),
}
CASE_OWNERS = ("Karin Berg", "Søren Nielsen", "Ingrid Dahl", "Erik Öberg", "Mette Hansen")
FOLLOWUP_OUTCOMES = {
    "sv": {
        "contacted": ("Kunden kontaktad, återkommer", "Inget svar, lämnat röstmeddelande"),
        "resolved": ("Löst: kreditering 200 kr", "Löst: tekniker bokad", "Löst: fel på fakturan rättat"),
    },
    "da": {
        "contacted": ("Kunden kontaktet, vender tilbage", "Intet svar"),
        "resolved": ("Løst: kreditnota sendt", "Løst: tekniker booket"),
    },
    "en": {
        "contacted": ("Customer called, follow-up needed", "No answer, voicemail left"),
        "resolved": ("Resolved: refund issued", "Resolved: technician visit, call back on +47 912 34 567"),
    },
}
ANONYMOUS_SHARE = 0.08
SURVEYS = ("tnps-support", "tnps-onboarding", "rnps-quarterly")

FIRST_NAMES = ("anna", "erik", "lars", "karin", "mette", "søren", "ingrid", "ole", "åsa", "jörgen")
LAST_NAMES = ("lindqvist", "nielsen", "berg", "johansson", "hansen", "dahl", "öberg", "møller")
EMAIL_DOMAINS = {"SE": "example.se", "DK": "example.dk", "NO": "example.no"}
ASCII_FOLD = str.maketrans({"å": "a", "ä": "a", "ö": "o", "ø": "o", "æ": "ae"})
CUSTOMER_POOL_SIZE = 50_000
RETURNING_CUSTOMER_SHARE = 0.25

VERBATIMS: dict[str, dict[str, tuple[str, ...]]] = {
    "sv": {
        "promoter": (
            "Snabb och trevlig kundtjänst",
            "Bra täckning överallt, även i stugan",
            "Prisvärt abonnemang och inga överraskningar på fakturan",
            "Personalen i butiken hjälpte mig direkt",
        ),
        "passive": (
            "Fungerar bra men priset kunde vara lägre",
            "Okej, men appen är lite krånglig",
            "Helt godkänt, inget att klaga på",
        ),
        "detractor": (
            "Fakturan var fel igen och ingen ringde tillbaka",
            "Dålig täckning och långsamt bredband på kvällarna",
            "Lång väntetid i telefon, över 40 minuter",
            "För dyrt jämfört med konkurrenterna",
            "Ring mig på 070-123 45 67, jag vill säga upp avtalet",
        ),
        "improvement": (
            "Sänk priset",
            "Bättre täckning på landsbygden",
            "Kortare väntetid i kundtjänst",
            "Gör appen enklare",
            "",
        ),
    },
    "da": {
        "promoter": (
            "Hurtig levering og god service",
            "Rigtig god dækning og stabilt internet",
            "Venligt personale i butikken",
        ),
        "passive": (
            "Det virker fint, men prisen er høj",
            "Appen kunne være bedre",
            "Helt okay",
        ),
        "detractor": (
            "Dårlig dækning i hele Jylland",
            "For dyrt, og regningen er svær at forstå",
            "Lang ventetid hos kundeservice",
            "Internettet falder ud hver aften, skriv til mig på mette.hansen@example.dk",
        ),
        "improvement": ("Lavere pris", "Bedre dækning", "Hurtigere svar fra support", ""),
    },
    "en": {
        "promoter": (
            "Great coverage and friendly support",
            "Easy to set up and good value for money",
            "The app makes everything simple",
        ),
        "passive": (
            "Good service but a bit expensive",
            "Fine overall, delivery took a while",
            "Decent, nothing special",
        ),
        "detractor": (
            "Billing errors every month",
            "Slow broadband and nobody answers the phone",
            "Too expensive for what you get",
            "Technician never showed up, call me on +47 912 34 567",
        ),
        "improvement": ("Lower prices", "Faster support", "Fix the billing", ""),
    },
}

BROKEN_SCORES = ("11", "tio", "9,5", "", "-1", "N/A", "10.5")
