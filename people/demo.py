"""The demo organisation: Northfield Community Health Trust, six levels, ~350 people."""

from __future__ import annotations

import random
from typing import Any

from sqlalchemy import func, select

from clearance.extensions import db
from clearance.passwords import hash_password
from people.models import Person
from people.operations import create_person

DOMAIN = "northfield.example"
FIRST = ["Aisha", "Ben", "Chloe", "Daniel", "Ella", "Farid", "Gemma", "Harry", "Imani", "Jack",
         "Kemi", "Liam", "Maya", "Noah", "Olivia", "Pawel", "Quinn", "Rosa", "Sunil", "Tara",
         "Uma", "Victor", "Wen", "Yusuf", "Zara", "Anna", "Callum", "Deepa", "Eoin", "Fatima",
         "Gareth", "Hina", "Isla", "Jonah", "Keira", "Luca", "Megan", "Nia", "Oscar", "Ruth"]
LAST = ["Adams", "Begum", "Campbell", "Davies", "Evans", "Fraser", "Green", "Hughes", "Iqbal",
        "Jones", "Khan", "Lewis", "Morgan", "Nowak", "O'Brien", "Price", "Reid", "Singh",
        "Thomas", "Usman", "Vaughan", "Walsh", "Young", "Zhang", "Ahmed", "Brown", "Clarke",
        "Doyle", "Ellis", "Foster", "Gill", "Hall", "Kaur", "Mitchell", "Patel", "Roberts"]

# (director title, unit, [(head title, unit, [wards/departments])])
STRUCTURE: list[tuple[str, str, list[tuple[str, str, list[str]]]]] = [
    ("Director of Nursing", "Nursing Directorate", [
        ("Head of Nursing, Medicine", "Medicine",
         ["Ward 7 (Acute Medicine)", "Ward 8 (Respiratory)", "Ward 9 (Elderly Care)"]),
        ("Head of Nursing, Surgery", "Surgery",
         ["Ward 12 (General Surgery)", "Ward 14 (Orthopaedics)", "Day Surgery Unit"]),
        ("Head of Nursing, Women and Children", "Women and Children", ["Maternity Unit",
                                                                       "Children's Ward"]),
    ]),
    ("Medical Director", "Medical Directorate", [
        ("Head of Pharmacy", "Pharmacy", ["Dispensary", "Clinical Pharmacy"]),
        ("Head of Radiology", "Radiology", ["Imaging Department", "Interventional Radiology"]),
    ]),
    ("Director of Operations", "Operations", [
        ("Head of Patient Flow", "Patient Flow", ["Emergency Department", "Discharge Lounge"]),
        ("Head of Community Services", "Community Services", ["District Nursing North",
                                                              "District Nursing South"]),
    ]),
    ("Director of People", "People Directorate", [
        ("Head of Workforce", "Workforce", ["Recruitment", "Occupational Health"]),
    ]),
    ("Director of Finance", "Finance", [
        ("Head of Finance", "Finance", ["Financial Accounts", "Procurement"]),
    ]),
]
STAFF_TITLES = ["Staff Nurse", "Healthcare Assistant", "Staff Nurse", "Physiotherapist",
                "Occupational Therapist", "Staff Nurse", "Clinical Support Worker",
                "Healthcare Assistant"]
OFFICE_TITLES = ["Administrator", "Coordinator", "Officer", "Assistant", "Analyst"]

# The people the README names, so a newcomer can sign in as each kind of user.
KNOWN = {
    "md": ("Amara Okafor", "Chief Executive", "Executive Office"),
    "director": ("David Chen", "Director of Nursing", "Nursing Directorate"),
    "head": ("Priya Shah", "Head of Nursing, Medicine", "Medicine"),
    "ward_manager": ("Tom Williams", "Ward Manager", "Ward 7 (Acute Medicine)"),
    "team_lead": ("Grace Mensah", "Sister", "Ward 7 (Acute Medicine)"),
    "staff": ("Sam Taylor", "Staff Nurse", "Ward 7 (Acute Medicine)"),
    "ld_lead": ("Helen Brooks", "Head of Learning and Development", "Learning and Development"),
    "admin": ("Raj Patel", "Systems Administrator", "Digital Services"),
}


class _Seeder:
    def __init__(self, password_hash: str) -> None:
        self.rng = random.Random(2026)
        self.hash = password_hash
        self.count = 0
        self.used_emails: set[str] = set()
        self.known: dict[str, Person] = {}

    def email_for(self, name: str) -> str:
        base = name.lower().replace("'", "").replace(" ", ".")
        email, n = f"{base}@{DOMAIN}", 1
        while email in self.used_emails:
            n += 1
            email = f"{base}{n}@{DOMAIN}"
        self.used_emails.add(email)
        return email

    def add(self, title: str, unit: str, manager: Person | None, *, name: str | None = None,
            roles: set[str] | None = None, key: str | None = None) -> Person:
        self.count += 1
        name = name or f"{self.rng.choice(FIRST)} {self.rng.choice(LAST)}"
        person = create_person(employee_id=f"NCH{self.count:05d}", name=name,
                               email=self.email_for(name), job_title=title, unit=unit,
                               manager=manager, roles=roles, password_hash=self.hash)
        if key:
            self.known[key] = person
        return person


def _known(key: str) -> dict[str, str]:
    name, title, unit = KNOWN[key]
    return {"name": name, "title": title, "unit": unit}


def seed_people(summary: dict[str, Any]) -> None:
    if db.session.scalar(select(func.count()).select_from(Person)):
        summary["skipped_people"] = True
        summary["report"] = "The database already has people: the demo seed left it as it is."
        return
    s = _Seeder(hash_password(summary["password"]))
    k = _known("md")
    md = s.add(k["title"], k["unit"], None, name=k["name"], key="md")
    for d_index, (d_title, d_unit, heads) in enumerate(STRUCTURE):
        director = (s.add(d_title, d_unit, md, name=KNOWN["director"][0], key="director")
                    if d_index == 0 else s.add(d_title, d_unit, md))
        s.add("Executive Assistant", d_unit, director)
        if d_title == "Director of People":
            k = _known("ld_lead")
            lead = s.add(k["title"], k["unit"], director, name=k["name"], roles={"ld"},
                         key="ld_lead")
            for title in ("Learning and Development Adviser", "Clinical Educator",
                          "Practice Development Nurse"):
                s.add(title, k["unit"], lead, roles={"ld"})
        if d_title == "Director of Operations":
            k = _known("admin")
            s.add(k["title"], k["unit"], director, name=k["name"], roles={"admin"}, key="admin")
        for h_index, (h_title, h_unit, wards) in enumerate(heads):
            first_head = d_index == 0 and h_index == 0
            head = (s.add(h_title, h_unit, director, name=KNOWN["head"][0], key="head")
                    if first_head else s.add(h_title, h_unit, director))
            clinical = d_index < 3
            for w_index, ward in enumerate(wards):
                first_ward = first_head and w_index == 0
                m_title = "Ward Manager" if ward.startswith("Ward") else "Department Manager"
                manager = (s.add(m_title, ward, head, name=KNOWN["ward_manager"][0],
                                 key="ward_manager")
                           if first_ward else s.add(m_title, ward, head))
                for t_index in range(3):
                    lead_title = "Sister" if clinical and t_index == 0 else (
                        "Charge Nurse" if clinical else "Team Leader")
                    if first_ward and t_index == 0:
                        lead = s.add("Sister", ward, manager, name=KNOWN["team_lead"][0],
                                     key="team_lead")
                    else:
                        lead = s.add(lead_title, ward, manager)
                    for st_index in range(4):
                        if first_ward and t_index == 0 and st_index == 0:
                            s.add("Staff Nurse", ward, lead, name=KNOWN["staff"][0], key="staff")
                            continue
                        title = (s.rng.choice(STAFF_TITLES) if clinical
                                 else f"{h_unit} {s.rng.choice(OFFICE_TITLES)}")
                        s.add(title, ward, lead)
    summary["people"] = s.count
    summary["known_people"] = {key: (p.name, p.email, p.job_title) for key, p in s.known.items()}
    lines = [f"Demo organisation: Northfield Community Health Trust, {s.count} people.",
             f"Every demo person's password: {summary['password']}", "Sign in as:"]
    for key, (name, email, title) in summary["known_people"].items():
        lines.append(f"  {title:<36} {name:<16} {email}   ({key})")
    summary["report"] = "\n".join(lines)
