"""People pages: profiles, my team, and the admin people list and editor."""

from __future__ import annotations

from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select

from clearance.access import AUTHENTICATED, require, rule
from clearance.database import rollback
from clearance.extensions import db
from clearance.forms import choices
from clearance.home import home_panel
from clearance.templating import ACCOUNT, nav_item
from people import hierarchy, operations, queries
from people.forms import PeopleFilterForm, PersonForm
from people.models import Person

nav_item("Home", "main.home", lambda u: True, order=0)
nav_item("My team", "people.team", lambda u: u.is_manager, order=30)
nav_item("People", "people.admin_list", lambda u: u.has_role("admin"), order=80, group="Manage")
nav_item("My profile", "people.me", lambda u: True, order=95, group=ACCOUNT)


@home_panel("people/_home_panel.html", order=90)
def _panel(user: Any) -> dict[str, Any]:
    return {"manager": user.manager, "report_count": len(hierarchy.direct_reports(user.id))}


def _person_or_404(person_id: int) -> Person:
    person = db.session.get(Person, person_id)
    if person is None:
        abort(404)
    return person


@rule(AUTHENTICATED)
def me() -> Any:
    return redirect(url_for("people.profile", person_id=current_user.id))


@rule(AUTHENTICATED)
def profile(person_id: int) -> Any:
    person = _person_or_404(person_id)
    require("people.view", person)
    chain = hierarchy.chain_above(person.id)
    reports = hierarchy.direct_reports(person.id)
    counts = queries.report_counts([r.id for r in reports])
    return render_template("people/profile.html", person=person, chain=chain,
                           reports=reports, counts=counts)


@rule("people.team")
def team() -> Any:
    me_ = current_user._get_current_object()
    direct = hierarchy.direct_reports(me_.id)
    counts = queries.report_counts([r.id for r in direct])
    q = (request.args.get("q") or "").strip()[:200]
    stmt = hierarchy.everyone_under_stmt(me_)
    if q:
        stmt = stmt.where(Person.name.ilike(f"%{q}%"))
    page = db.paginate(stmt.order_by(Person.depth, Person.name),
                       page=request.args.get("page", 1, type=int), per_page=50, error_out=False)
    managers = {p.manager_id for p in page.items}
    names = dict(db.session.execute(
        select(Person.id, Person.name).where(Person.id.in_(managers))
    ).all())
    return render_template("people/team.html", direct=direct, counts=counts, page=page,
                           q=q, total=hierarchy.count_under(me_), manager_names=names)


@rule("people.admin")
def admin_list() -> Any:
    form = PeopleFilterForm(request.args)
    form.unit.choices = choices([("", "Any unit")] + [(u, u) for u in queries.units()])
    form.validate()
    stmt = queries.people_filter(form.q.data, form.unit.data, form.role.data,
                                 form.status.data or "active")
    page = db.paginate(stmt, page=request.args.get("page", 1, type=int), per_page=50,
                       error_out=False)
    args = {k: v for k, v in request.args.items() if k != "page"}
    return render_template("people/admin_list.html", form=form, page=page, args=args)


def _apply_form(form: PersonForm, person: Person | None) -> Person | None:
    """Validate references and save; on a refused change put the message on the field."""
    manager = None
    if form.manager.data:
        manager = queries.find_by_reference(form.manager.data)
        if manager is None:
            form.manager.errors = [f"No one has the employee id or e-mail {form.manager.data}."]
            return None
    roles = set(form.roles.data or [])
    fields = {k: getattr(form, k).data or "" for k in operations.EDITABLE}
    try:
        if person is None:
            person = operations.create_person(manager=manager, roles=roles, **fields)
        else:
            operations.update_person(person, manager=manager, roles=roles,
                                     reason="edited by an administrator", **fields)
        if form.active.data:
            operations.reactivate(person, reason="edited by an administrator")
        else:
            operations.deactivate(person, reason="edited by an administrator")
    except operations.PeopleError as exc:
        target = getattr(form, exc.field or "name", form.name)
        target.errors = [*target.errors, str(exc)]
        rollback()  # nothing of a refused change may be committed with the re-shown form
        return None
    return person


@rule("people.admin")
def admin_new() -> Any:
    form = PersonForm()
    if form.validate_on_submit():
        person = _apply_form(form, None)
        if person is not None:
            flash(f"{person.name} was added. Send an invitation so they can sign in.", "success")
            return redirect(url_for("people.admin_edit", person_id=person.id))
    return render_template("people/admin_edit.html", form=form, person=None)


@rule("people.admin")
def admin_edit(person_id: int) -> Any:
    person = _person_or_404(person_id)
    form = PersonForm(obj=person if request.method == "GET" else None)
    if request.method == "GET":
        form.manager.data = person.manager.employee_id if person.manager else ""
        form.roles.data = sorted(person.roles)
        form.active.data = person.active
    if form.validate_on_submit():
        saved = _apply_form(form, person)
        if saved is not None:
            flash(f"Saved {saved.name}.", "success")
            return redirect(url_for("people.admin_edit", person_id=saved.id))
    return render_template("people/admin_edit.html", form=form, person=person)


@rule("people.admin")
def admin_invite(person_id: int) -> Any:
    person = _person_or_404(person_id)
    if not person.active:
        flash(f"{person.name} is inactive: reactivate them before sending a link.", "error")
        return redirect(url_for("people.admin_edit", person_id=person.id))
    purpose = "reset" if person.password_hash else "invite"
    operations.send_invitation(person, purpose=purpose)
    what = "A password-reset link" if purpose == "reset" else "An invitation"
    flash(f"{what} was e-mailed to {person.email}.", "success")
    return redirect(url_for("people.admin_edit", person_id=person.id))
