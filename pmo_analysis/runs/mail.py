"""Deliver a run's executive summary by email, and an alert when a project turns off track.

A schedule names its recipients (``mail:`` in ``schedules.yml``, see :mod:`pmo_analysis.runs.schedule`);
after its run is published, :func:`deliver` sends one HTML email:

* the subject names the portfolio report, its as-of date and the run's status;
* the body holds the headline figures and the decisions asked for, read from the run's portfolio
  model (the same figures as every report of the run: :func:`pmo_analysis.analyses.summary.decisions_needed`),
  and the run's own charts (:data:`MAIL_CHARTS`) as inline images (``cid:``), which mail clients
  show without fetching anything;
* the full reports are linked when ``PMO_REPORTS_URL`` says where the reports folder is served,
  otherwise the executive summary's self-contained HTML is attached; ``decisions.csv`` is attached.

With ``alert_off_track: true`` a second, short mail lists each running project that is off track in
this run and was not in the schedule's previous run (:func:`turned_off_track`).

Mail goes through SMTP with STARTTLS (never in clear text). The server and the credentials come
from environment variables only, never from ``schedules.yml`` (:meth:`MailSettings.from_env`)::

    PMO_SMTP_HOST      smtp.example.org           (required)
    PMO_SMTP_PORT      587                        (default 587, the submission port)
    PMO_SMTP_USER      pmo-reports@example.org    (optional: log in when set)
    PMO_SMTP_PASSWORD  ...                        (with PMO_SMTP_USER)
    PMO_SMTP_FROM      PMO reports <pmo-reports@example.org>   (default: PMO_SMTP_USER)
    PMO_SMTP_CAFILE    /etc/ssl/company-ca.pem    (optional: a private CA to trust)
    PMO_REPORTS_URL    https://pmo.example.org/reports/        (optional: link instead of attachment)
"""

from __future__ import annotations

import json
import os
import smtplib
import ssl
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import make_msgid, parseaddr
from pathlib import Path
from typing import Any

import pandas as pd

from pmo_analysis.analyses.summary import decisions_needed
from pmo_analysis.core import formatting as fmt
from pmo_analysis.core.exceptions import MailError
from pmo_analysis.model import load_model
from pmo_analysis.runs.plan import needs_sentence
from pmo_analysis.runs.publish import read_manifests, started_timestamp

__all__ = [
    "MailError",
    "MailSettings",
    "summary_message",
    "alert_message",
    "turned_off_track",
    "deliver",
    "check_address",
]

#: Seconds an SMTP connection may take: a slow mail server never holds up the schedule for long.
SMTP_TIMEOUT = 30
#: Charts shown inline, in this order, those the run drew (paths in the run's folder): the trend of the
#: headline figures (from the second run of a schedule on), cost and schedule performance, value, capacity.
MAIL_CHARTS = {
    "executive_summary/charts/headline_trend.png": "Headline figures, run by run",
    "portfolio_roi/charts/cpi_spi_quadrant.png": "Cost and schedule performance (CPI, SPI)",
    "portfolio_roi/charts/npv_ranked.png": "Projects ranked by NPV",
    "resource_utilization/charts/capacity_vs_demand.png": "Capacity against demand",
}

# headline figures shown in the mail, in order, with how each is written (columns of model.headline)
_HEADLINE = (
    ("running_projects", "Running projects (active + on hold)", fmt.count),
    ("off_track", "Off track", fmt.count),
    ("at_risk", "At risk", fmt.count),
    ("total_budget", "Budget of running projects", fmt.money),
    ("portfolio_npv", "Portfolio NPV", fmt.money),
    ("portfolio_roi", "Portfolio ROI", fmt.pct),
    ("spend_to_date", "Spend to date (AC)", fmt.money),
    ("planned_to_date", "Planned to date (PV)", fmt.money),
    ("portfolio_cpi", "Portfolio CPI", fmt.ratio),
    ("portfolio_spi", "Portfolio SPI", fmt.ratio),
    ("utilization", "Utilization, last complete month", lambda v: fmt.pct(v, 0)),
    ("open_high_impact_actions", "Open high-impact actions", fmt.count),
)


def check_address(text: str, *, where: str) -> str:
    """``text`` if it is one email address (``name@example.org``), else :class:`MailError`.

    Examples
    --------
    >>> check_address("cio@example.org", where="mail.to")
    'cio@example.org'
    """
    _name, addr = parseaddr(str(text))
    if not addr or "@" not in addr or " " in addr or addr.startswith("@") or addr.endswith("@"):
        raise MailError(f"{where}: not an email address: {text!r}")
    return str(text).strip()


@dataclass(frozen=True)
class MailSettings:
    """The SMTP server and login, read from the environment (never from a file in the repository)."""

    host: str
    port: int = 587
    user: str | None = None
    password: str | None = None
    sender: str = ""
    cafile: str | None = None
    reports_url: str | None = None

    def __repr__(self) -> str:  # the password stays out of logs and tracebacks
        return f"MailSettings(host={self.host!r}, port={self.port}, user={self.user!r}, sender={self.sender!r})"

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None) -> MailSettings:
        """Settings from ``PMO_SMTP_*`` and ``PMO_REPORTS_URL`` (module docstring); a missing
        server or sender is one line naming the variable.
        """
        env = os.environ if environ is None else environ
        host = env.get("PMO_SMTP_HOST", "").strip()
        if not host:
            raise MailError(
                "PMO_SMTP_HOST is not set: name the SMTP server in the environment (see README, 'Reports by email')"
            )
        try:
            port = int(env.get("PMO_SMTP_PORT", "587"))
        except ValueError:
            raise MailError(f"PMO_SMTP_PORT must be a port number, got {env.get('PMO_SMTP_PORT')!r}") from None
        user = env.get("PMO_SMTP_USER") or None
        sender = env.get("PMO_SMTP_FROM") or user or ""
        if not sender:
            raise MailError("PMO_SMTP_FROM is not set: give the sender address (or PMO_SMTP_USER)")
        check_address(sender, where="PMO_SMTP_FROM")
        if user and not env.get("PMO_SMTP_PASSWORD"):
            raise MailError("PMO_SMTP_USER is set but PMO_SMTP_PASSWORD is not")
        return cls(
            host=host,
            port=port,
            user=user,
            password=env.get("PMO_SMTP_PASSWORD") or None,
            sender=sender,
            cafile=env.get("PMO_SMTP_CAFILE") or None,
            reports_url=env.get("PMO_REPORTS_URL") or None,
        )

    def send(self, messages: list[EmailMessage]) -> None:
        """Send ``messages`` in one SMTP session with STARTTLS (and login when a user is set)."""
        context = ssl.create_default_context(cafile=self.cafile)
        try:
            with smtplib.SMTP(self.host, self.port, timeout=SMTP_TIMEOUT) as smtp:
                smtp.starttls(context=context)
                if self.user:
                    smtp.login(self.user, self.password or "")
                for message in messages:
                    smtp.send_message(message)
        except (smtplib.SMTPException, OSError) as exc:
            text = str(exc).replace(self.password, "***") if self.password else str(exc)
            raise MailError(
                f"cannot send mail through {self.host}:{self.port}: {type(exc).__name__}: "
                f"{text.splitlines()[0] if text else ''}"
            ) from None


# --------------------------------------------------------------------------- what the mails say
def turned_off_track(previous: pd.DataFrame | None, current: pd.DataFrame) -> pd.DataFrame:
    """Running projects off track in ``current`` that were not off track in ``previous`` (or were
    not in it); both are the model's ``projects`` table. Without a previous run, none.

    Returns project_id, name, was (the previous health, or ``new``) and reason.

    Examples
    --------
    >>> prev = pd.DataFrame({"project_id": ["A", "B"], "health": ["on track", "off track"]})
    >>> cur = pd.DataFrame({"project_id": ["A", "B", "C"], "name": ["a", "b", "c"], "running": True,
    ...                     "health": ["off track", "off track", "off track"], "health_reason": ["CPI 0.80", "", ""]})
    >>> turned_off_track(prev, cur)[["project_id", "was"]].to_dict("records")
    [{'project_id': 'A', 'was': 'on track'}, {'project_id': 'C', 'was': 'new'}]
    """
    columns = ["project_id", "name", "was", "reason"]
    if previous is None:
        return pd.DataFrame(columns=columns)
    off = current.loc[current["running"].astype(bool) & (current["health"] == "off track")]
    was = off["project_id"].map(previous.drop_duplicates("project_id").set_index("project_id")["health"])
    turned = off.assign(was=was.fillna("new")).loc[was.ne("off track")]
    reason = turned["health_reason"] if "health_reason" in turned else pd.Series("", index=turned.index)
    return turned.assign(reason=reason.fillna("").astype(str))[columns].reset_index(drop=True)


def _environment():
    from jinja2 import Environment, PackageLoader, select_autoescape

    return Environment(
        loader=PackageLoader("pmo_analysis.reporting", "templates"), autoescape=select_autoescape(["j2"])
    )


def _headline_rows(model) -> list[tuple[str, str]]:
    h = model.headline.iloc[0]
    return [(label, write(h[col])) for col, label, write in _HEADLINE if col in h.index]


def _run_link(run_dir: Path, reports_url: str | None) -> str | None:
    return None if not reports_url else reports_url.rstrip("/") + f"/{run_dir.name}/index.html"


def summary_message(run_dir: str | Path, *, to: list[str], sender: str, reports_url: str | None = None) -> EmailMessage:
    """The executive-summary mail of the published run in ``run_dir`` (see the module docstring).

    The headline and the decisions come from the run's model; the charts are the PNGs the run's
    reports saved (:data:`MAIL_CHARTS`), shown inline by Content-ID.
    """
    run_dir = Path(run_dir)
    manifest = json.loads((run_dir / "manifest.json").read_text(encoding="utf-8"))
    model = load_model(run_dir / "model")
    # without the tables the executive summary needs (cash flows), its decisions are unknown, not none
    missing = model.missing_for("executive_summary")
    not_available = None if not missing else f"the executive summary was not run: it {needs_sentence(missing)}"
    asks = decisions_needed(model) if not missing else pd.DataFrame(columns=["decision", "why", "money_text"])
    charts = [run_dir / c for c in MAIL_CHARTS if (run_dir / c).is_file()]
    cids = [make_msgid(domain="pmo.reports") for _ in charts]
    link = _run_link(run_dir, reports_url)
    status = manifest.get("status", "")
    html = (
        _environment()
        .get_template("mail_summary.html.j2")
        .render(
            run=manifest,
            headline=_headline_rows(model),
            asks=asks.to_dict("records"),
            images=[(c[1:-1], MAIL_CHARTS[str(p.relative_to(run_dir))]) for c, p in zip(cids, charts, strict=True)],
            link=link,
            attached=link is None and (run_dir / "executive_summary.html").exists(),
            not_available=not_available,
        )
    )
    msg = _message(
        f"Portfolio report as of {manifest.get('as_of', '')}" + ("" if status == "success" else f" ({status})"),
        to=to,
        sender=sender,
    )
    msg.set_content(_plain_text(manifest, _headline_rows(model), asks, link, not_available=not_available))
    msg.add_alternative(html, subtype="html")
    body = msg.get_payload()[1]
    for cid, path in zip(cids, charts, strict=True):
        body.add_related(
            path.read_bytes(), maintype="image", subtype="png", cid=cid, filename=path.name, disposition="inline"
        )
    if link is None and (run_dir / "executive_summary.html").exists():
        msg.add_attachment(
            (run_dir / "executive_summary.html").read_bytes(),
            maintype="text",
            subtype="html",
            filename=f"executive_summary_{manifest.get('as_of', '')}.html",
        )
    if (run_dir / "decisions.csv").exists():
        msg.add_attachment(
            (run_dir / "decisions.csv").read_bytes(), maintype="text", subtype="csv", filename="decisions.csv"
        )
    return msg


def _message(subject: str, *, to: list[str], sender: str) -> EmailMessage:
    msg = EmailMessage()
    msg["Subject"], msg["From"], msg["To"] = subject, sender, ", ".join(to)
    return msg


def _plain_text(
    manifest: dict[str, Any],
    headline: list[tuple[str, str]],
    asks: pd.DataFrame,
    link: str | None,
    *,
    not_available: str | None = None,
) -> str:
    """The same mail for a client that shows no HTML; ``not_available`` says why there are no decisions."""
    lines = [
        f"Portfolio report as of {manifest.get('as_of', '')} (run {manifest.get('run_id', '')}, "
        f"{manifest.get('status', '')})",
        "",
    ]
    lines += [f"{label}: {value}" for label, value in headline]
    lines += ["", "Decisions asked for:"]
    lines += [
        f"- {a['decision']}" + (f" ({a['money_text']})" if a["money_text"] else "") + f": {a['why']}"
        for a in asks.to_dict("records")
    ] or [f"- not available: {not_available}" if not_available else "- none"]
    lines += ["", f"Full reports: {link}" if link else "The executive summary is attached (open it in a browser)."]
    return "\n".join(lines) + "\n"


def alert_message(
    run_dir: str | Path, turned: pd.DataFrame, *, to: list[str], sender: str, reports_url: str | None = None
) -> EmailMessage:
    """A short mail listing the projects in ``turned`` (from :func:`turned_off_track`)."""
    run_dir = Path(run_dir)
    manifest = json.loads((run_dir / "manifest.json").read_text(encoding="utf-8"))
    link = _run_link(run_dir, reports_url)
    n = len(turned)
    msg = _message(f"Alert: {n} project(s) turned off track, as of {manifest.get('as_of', '')}", to=to, sender=sender)
    rows = turned.to_dict("records")
    msg.set_content(
        "\n".join(
            [f"Off track as of {manifest.get('as_of', '')}, and not in the previous report:", ""]
            + [f"- {r['project_id']} {r['name']} (was {r['was']}): {r['reason']}" for r in rows]
            + ["", f"Full reports: {link}" if link else ""]
        )
        + "\n"
    )
    msg.add_alternative(
        _environment().get_template("mail_alert.html.j2").render(run=manifest, rows=rows, link=link), subtype="html"
    )
    return msg


# --------------------------------------------------------------------------- one delivery
def _previous_projects(run_dir: Path, manifest: dict[str, Any]) -> pd.DataFrame | None:
    """The model's projects of the schedule's previous published run (as of no later), or None."""
    earlier = [
        m
        for m in read_manifests(run_dir.parent)
        if m.get("schedule") == manifest.get("schedule")
        and m["_dir"] != run_dir.name
        and str(m.get("as_of", "")) <= str(manifest.get("as_of", ""))
        and (run_dir.parent / m["_dir"] / "model").is_dir()
    ]
    if not earlier:
        return None
    last = max(earlier, key=lambda m: (str(m.get("as_of", "")), started_timestamp(m), m["_dir"]))
    previous = load_model(run_dir.parent / last["_dir"] / "model")
    return previous.projects if previous.has("projects") else None  # a run without cash flows has no health


def deliver(
    run_dir: str | Path, *, to: list[str], alert_off_track: bool = False, settings: MailSettings | None = None
) -> list[str]:
    """Send the run's executive summary to ``to`` (and, with ``alert_off_track``, the alert when a
    project turned off track since the schedule's previous run). Returns the subjects sent.

    Raises :class:`MailError` (one line, no password) when the settings are missing or the server
    refuses; the caller records it and tries again later (:mod:`pmo_analysis.runs.schedule`).
    """
    run_dir = Path(run_dir)
    settings = settings or MailSettings.from_env()
    messages = [summary_message(run_dir, to=to, sender=settings.sender, reports_url=settings.reports_url)]
    if alert_off_track:
        manifest = json.loads((run_dir / "manifest.json").read_text(encoding="utf-8"))
        current = load_model(run_dir / "model")
        turned = (
            turned_off_track(_previous_projects(run_dir, manifest), current.projects)
            if current.has("projects")  # health needs the cash flows: without them no project turned
            else pd.DataFrame()
        )
        if len(turned):
            messages.append(
                alert_message(run_dir, turned, to=to, sender=settings.sender, reports_url=settings.reports_url)
            )
    settings.send(messages)
    return [str(m["Subject"]) for m in messages]
