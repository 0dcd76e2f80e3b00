"""The reports' pages: a form (axis, year, quarter), a chart, the table of its figures and a CSV of them
(``?format=csv``). Operators read every establishment's; an establishment's managers only theirs (see
``periods.scope_of``); anyone else is refused."""

from __future__ import annotations

import datetime

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from mesocentre.core.formatting import money, number, percent
from mesocentre.reports import exports, forms
from mesocentre.reports.charts import bars
from mesocentre.reports.periods import scope_of
from mesocentre.reports.usage import AXES, usage_report
from mesocentre.reports.utilisation import utilisation


def _csv(text: str, name: str) -> HttpResponse:
    response = HttpResponse(text, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}.csv"'
    return response


def _errors(exc: ValidationError) -> dict:
    return {field: " ".join(messages) for field, messages in exc.message_dict.items()}


@login_required
def usage_page(request):
    scope = scope_of(request.user)
    this_year = timezone.localdate().year
    try:
        by, period = forms.read_usage(request.GET, this_year)
    except ValidationError as exc:
        context = {"errors": _errors(exc), "axes": AXES, "by": "theme", "year": this_year, "quarter": None}
        return render(request, "reports/usage.html", context, status=400)
    report = usage_report(by, period, scope)
    if request.GET.get("format") == "csv":
        return _csv(exports.usage_csv(report), f"usage-{by}-{period}")
    hours = any(row.core_hours for row in report.rows)
    chart = bars(
        [
            (str(row.label), row.core_hours if hours else row.amount_ht,
             number(row.core_hours, 0) if hours else money(row.amount_ht))
            for row in report.rows
        ]
    )  # fmt: skip
    rows = [
        {
            "label": row.label,
            "core_hours": number(row.core_hours, 0),
            "core_share": "" if row.core_share is None else percent(row.core_share, 1),
            "gpu_hours": number(row.gpu_hours, 0),
            "kwh": number(row.kwh, 0),
            "amount": money(row.amount_ht),
            "amount_share": "" if row.amount_share is None else percent(row.amount_share, 1),
        }
        for row in [*report.rows, report.total]
    ]
    context = {
        "axes": AXES,
        "by": by,
        "axis_label": AXES[by],
        "year": period.year,
        "quarter": period.quarter,
        "period": period,
        "rows": rows,
        "chart": chart,
        "chart_title": _("Core-hours by %(axis)s") % {"axis": AXES[by]} if hours else
        _("Amount HT by %(axis)s") % {"axis": AXES[by]},
        "csv_query": request.GET.urlencode(),
    }  # fmt: skip
    return render(request, "reports/usage.html", context)


@login_required
def utilisation_page(request):
    scope_of(request.user)  # the machine's figures, no tenant's: read by those who read the reports
    this_year = timezone.localdate().year
    try:
        year, cluster = forms.read_utilisation(request.GET, this_year)
        clusters = utilisation(year, cluster)
    except ValidationError as exc:
        context = {"errors": _errors(exc), "year": this_year, "cluster": ""}
        return render(request, "reports/utilisation.html", context, status=400)
    if request.GET.get("format") == "csv":
        return _csv(exports.utilisation_csv(clusters), f"utilisation-{year}")
    shown = []
    for item in clusters:
        months = [*item.months, item.total]
        labels = [date_format(datetime.date(year, m, 1), "F") for m in range(1, 13)] + [
            _("Year %(year)s") % {"year": year}
        ]
        table = [
            {"label": label, "used": number(f.used, 0), "available": number(f.available) if f.available else "",
             "rate": "" if f.percent is None else percent(f.percent, 1)}
            for label, f in zip(labels, months, strict=True)
        ]  # fmt: skip
        chart = bars(
            [(row["label"], f.percent or 0, row["rate"]) for row, f in zip(table, months, strict=True)], scale=100
        )
        shown.append({"cluster": item.cluster, "cores": item.cores or 0, "shown_cores": number(item.cores or 0),
                      "table": table, "chart": chart})  # fmt: skip
    context = {"year": year, "cluster": cluster or "", "clusters": shown, "csv_query": request.GET.urlencode()}
    return render(request, "reports/utilisation.html", context)
