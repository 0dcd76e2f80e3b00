"""Demo tenants: establishments of every kind, joint laboratories, the eight themes, users of every role."""

import datetime
from zoneinfo import ZoneInfo

from mesocentre.core.demo import month_start
from mesocentre.tenancy.models import (
    CharterAcceptance,
    CharterVersion,
    Establishment,
    Laboratory,
    Membership,
    ScientificTheme,
    Team,
    TeamMembership,
    User,
)
from mesocentre.tenancy.team_models import STANDARD_TEAMS

DEMO_PASSWORD = "demo"
PARIS = ZoneInfo("Europe/Paris")

THEMES = [
    ("materials", "Materials physico-chemistry", "Physico-chimie des matériaux"),
    ("fluids", "Fluid mechanics", "Mécanique des fluides"),
    ("universe", "Universe sciences", "Sciences de l'univers"),
    ("chemistry", "Chemistry", "Chimie"),
    ("life", "Life sciences", "Sciences du vivant"),
    ("theoretical-physics", "Theoretical physics", "Physique théorique"),
    ("structural-mechanics", "Structural mechanics", "Mécanique des structures"),
    ("numerical-methods", "Numerical methods", "Méthodes numériques"),
]

ESTABLISHMENTS = [
    (
        "ut3",
        "Université Toulouse III – Paul Sabatier",
        "university",
        "19311384200010",
        "FR17193113842",
        "UT3-DSI",
    ),
    (
        "ut2j",
        "Université Toulouse – Jean Jaurès",
        "university",
        "19311383900016",
        "FR08193113839",
        "UT2J-RECH",
    ),
    ("insa", "INSA Toulouse", "school", "19311094300019", "FR50193110943", "INSA-DR"),
    ("isae", "ISAE-SUPAERO", "school", "13001887300013", "FR37130018873", "ISAE-DRI"),
    (
        "cnrs",
        "CNRS – Délégation Occitanie Ouest",
        "research_organisation",
        "18008986800012",
        "FR83180089868",
        "DR14",
    ),
    (
        "inrae",
        "INRAE Occitanie-Toulouse",
        "research_organisation",
        "18007029200016",
        "FR40180070292",
        "INRAE-TLS",
    ),
    ("aerodata", "AéroData SAS", "company", "84123456700011", "FR05841234567", ""),
    ("cobotix", "Cobotix Robotique SARL", "company", "85234567800019", "FR64852345678", ""),
]

LABORATORIES = [
    (
        "irit",
        "Institut de recherche en informatique de Toulouse",
        ["ut3", "ut2j", "insa", "cnrs"],
        "numerical-methods",
    ),
    ("imft", "Institut de mécanique des fluides de Toulouse", ["ut3", "cnrs"], "fluids"),
    ("irap", "Institut de recherche en astrophysique et planétologie", ["ut3", "cnrs"], "universe"),
    ("lcc", "Laboratoire de chimie de coordination", ["cnrs"], "chemistry"),
    (
        "cirimat",
        "Centre interuniversitaire de recherche et d'ingénierie des matériaux",
        ["ut3", "insa", "cnrs"],
        "materials",
    ),
    ("ica", "Institut Clément Ader", ["insa", "isae", "ut3"], "structural-mechanics"),
    ("lpt", "Laboratoire de physique théorique", ["ut3", "cnrs"], "theoretical-physics"),
    ("genphyse", "Génétique, physiologie et systèmes d'élevage", ["inrae"], "life"),
]

# (username, first, last, unix login, flags, [(establishment, role, laboratory)])
USERS = [
    ("operator", "Odile", "Opérateur", "odile", {"is_operator": True, "is_staff": True}, []),
    ("manager-ut3", "Marc", "Gestionnaire", None, {}, [("ut3", "manager", None)]),
    ("manager-cnrs", "Claire", "Dupuis", None, {}, [("cnrs", "manager", None)]),
    ("pi-irit", "Inès", "Chercheuse", "ichercheuse", {}, [("ut3", "member", "irit")]),
    ("member-irit", "Mathieu", "Doctorant", "mdoctorant", {}, [("ut3", "member", "irit")]),
    ("pi-imft", "Paul", "Fluide", "pfluide", {}, [("cnrs", "member", "imft")]),
    ("reviewer", "Rachel", "Experte", "rexperte", {"is_reviewer": True}, [("inrae", "member", "genphyse")]),
    ("manager-aerodata", "Anne", "Martin", None, {}, [("aerodata", "manager", None)]),
]
# Who accepted the usage charter (the projects demo adds its own users).
CHARTER = ["pi-irit", "pi-imft"]


def charter_day(day: datetime.date) -> datetime.datetime:
    """When the demo's researchers accepted the charter: early in the month the decided round opened."""
    accepted = datetime.datetime.combine(month_start(day, -11), datetime.time(9), tzinfo=PARIS)
    # In UTC, as the database gives it back, so that an audit of a second load compares like with like.
    return (accepted + datetime.timedelta(days=9)).astimezone(datetime.UTC)


CHARTER_TEXT = (
    "Version 1 of the centre's usage charter (demo). The computing resources serve research and teaching only. "
    "Your account is personal: never share it. Cite the centre in the publications its hours helped."
)
CHARTER_TEXT_FR = (
    "Version 1 de la charte d'utilisation du centre (démo). Les ressources de calcul servent la recherche et "
    "l'enseignement seulement. Votre compte est personnel : ne le partagez jamais. Citez le centre dans les "
    "publications que ses heures ont aidées."
)


def load_charter(day, usernames=CHARTER) -> None:
    """Version 1 in force since the first of the month the researchers accepted it, and the acceptances of the
    demo's ``usernames`` who accepted it (the projects demo calls it for its own). Found again on a later run."""
    version, _created = CharterVersion.objects.get_or_create(
        number=1,
        defaults={
            "text": CHARTER_TEXT,
            "text_fr": CHARTER_TEXT_FR,
            "in_force_from": charter_day(day) - datetime.timedelta(days=9),
        },
    )
    for user in User.objects.filter(username__in=usernames, charter_accepted_at__isnull=False):
        CharterAcceptance.objects.get_or_create(
            user=user, version=version, defaults={"accepted_at": user.charter_accepted_at}
        )


def load(day, out=None) -> None:
    themes = {}
    for code, name, name_fr in THEMES:
        themes[code], _ = ScientificTheme.objects.get_or_create(code=code, defaults={"name": name, "name_fr": name_fr})
    establishments = {}
    for code, name, kind, siret, vat, chorus in ESTABLISHMENTS:
        establishments[code], _ = Establishment.objects.get_or_create(
            code=code,
            defaults={
                "name": name,
                "kind": kind,
                "siret": siret,
                "vat_number": vat,
                "chorus_service_code": chorus,
                "address": f"{name}\n31000 Toulouse",
            },
        )
    labs = {}
    for code, name, owners, theme in LABORATORIES:
        labs[code], created = Laboratory.objects.get_or_create(
            code=code, defaults={"name": name, "theme": themes[theme]}
        )
        if created:
            labs[code].establishments.set([establishments[o] for o in owners])
    for username, first, last, login, flags, memberships in USERS:
        user, created = User.objects.get_or_create(
            username=username,
            defaults={
                "first_name": first,
                "last_name": last,
                "unix_login": login,
                "email": f"{username}@demo.mesocentre.local",
                "charter_accepted_at": charter_day(day) if username in CHARTER else None,
                **flags,
            },
        )
        if not created:
            continue  # a user's memberships are theirs once they exist: a second load leaves them as they are
        user.set_password(DEMO_PASSWORD)
        user.save()
        for est, role, lab in memberships:
            Membership.objects.create(
                user=user, establishment=establishments[est], role=role, laboratory=labs[lab] if lab else None
            )
        if user.is_operator:
            # The demo's one operator works in every operations team, to see each one's orders; like the other
            # memberships, only when the demo makes them (a team they left since stays left).
            for kind in STANDARD_TEAMS:
                TeamMembership.objects.create(team=Team.standard(kind), user=user)
    # The teams are seeded by migration; a database emptied since (a test's flush) gets them back here.
    for kind in STANDARD_TEAMS:
        Team.standard(kind)
    load_charter(day)
    if out:
        out.write(
            f"tenancy: {len(ESTABLISHMENTS)} establishments, {len(LABORATORIES)} laboratories, {len(USERS)} users"
        )
