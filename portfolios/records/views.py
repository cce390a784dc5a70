"""Development record pages: choose a period and download the PDF; verify a record."""

from __future__ import annotations

from typing import Any

from flask import Response, current_app, render_template, request
from flask_login import current_user

from clearance.access import AUTHENTICATED, PUBLIC, require, rule
from clearance.database import rollback
from clearance.extensions import db
from people.models import Person
from portfolios.records import operations
from portfolios.records.forms import PeriodForm, VerifyForm
from portfolios.records.render import RenderFailed

MAX_VERIFY_UPLOAD = 50 * 1024 * 1024


def _person_or_404(person_id: int) -> Person:
    person = db.session.get(Person, person_id)
    require("records.export", person, status=404)
    assert person is not None
    return person


@rule(AUTHENTICATED)
def record_page(person_id: int) -> Any:
    person = _person_or_404(person_id)
    return render_template("records/record_page.html", person=person, form=PeriodForm(),
                           problem=None)


@rule(AUTHENTICATED)
def record_pdf(person_id: int) -> Any:
    person = _person_or_404(person_id)
    form = PeriodForm()
    if not form.validate_on_submit():
        return render_template("records/record_page.html", person=person, form=form,
                               problem=None), 400
    try:
        issued = operations.issue_record(person, current_user, form.start.data, form.end.data)
    except RenderFailed as exc:
        rollback()
        current_app.logger.warning("record for person %s failed: %s", person.id, exc)
        return render_template("records/record_page.html", person=person, form=form,
                               problem=str(exc)), 503
    return Response(issued.pdf, mimetype="application/pdf", headers={
        "Content-Disposition": f'attachment; filename="{issued.filename}"',
        "Cache-Control": "no-store",
    })


@rule(PUBLIC)
def verify() -> Any:
    form = VerifyForm(meta={"csrf": request.method == "POST"})
    result = None
    checked = False
    if request.method == "GET" and request.args.get("code"):
        form.code.data = request.args["code"]
        result = operations.find_by_code(request.args["code"])
        checked = True
    elif request.method == "POST" and form.validate_on_submit():
        upload = form.file.data
        if upload and getattr(upload, "filename", ""):
            data = upload.stream.read(MAX_VERIFY_UPLOAD + 1)
            result = operations.find_by_file(data) if len(data) <= MAX_VERIFY_UPLOAD else None
            checked = True
        elif form.code.data:
            result = operations.find_by_code(form.code.data)
            checked = True
        else:
            form.code.errors = ["Enter the verification code, or choose the PDF file."]
    return render_template("records/verify.html", form=form, checked=checked,
                           result=operations.describe(result) if result else None)
