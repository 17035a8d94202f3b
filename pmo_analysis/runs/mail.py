"""Deliver a run's executive summary by email, and an alert when a project turns off track.

A schedule names its recipients (``mail:`` in ``schedules.yml``, see :mod:`pmo_analysis.runs.schedule`);
after its run is published, :func:`deliver` sends one HTML email, every word of it in the run's language
(:func:`pmo_analysis.runs.publish.run_language`, as the run's index pages) and dates in the reports' style:

* the subject names the portfolio report, its as-of date and the run's status;
* the body holds the headline figures and the decisions asked for, read from the run's portfolio
  model (the same figures as every report of the run: :func:`pmo_analysis.analyses.summary.decisions_needed`),
  and the summary's charts (:data:`MAIL_CHARTS`) as PNG images at a width mail clients show
  (:data:`MAIL_CHART_WIDTH`), drawn from the run's model and referenced by ``cid:``, which mail
  clients show without fetching anything (Outlook shows no inline SVG);
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

import contextlib
import json
import os
import re
import smtplib
import socket
import ssl
import threading
import time
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.utils import getaddresses, make_msgid, parseaddr
from pathlib import Path
from typing import Any

import pandas as pd

from pmo_analysis.analyses.summary import decisions_needed
from pmo_analysis.core import formatting as fmt
from pmo_analysis.core.exceptions import MailError
from pmo_analysis.core.i18n import _, label
from pmo_analysis.core.wording import listing
from pmo_analysis.model import load_model
from pmo_analysis.runs.publish import headline_history, read_manifests, run_language, started_timestamp

__all__ = [
    "MailError",
    "MailSettings",
    "summary_message",
    "alert_message",
    "turned_off_track",
    "deliver",
    "check_address",
    "Delivery",
    "MAIL_CHARTS",
    "MAIL_CHART_WIDTH",
    "mail_charts",
]

#: Seconds one SMTP read or write may take.
SMTP_TIMEOUT = 30
#: Seconds a whole delivery (connect, STARTTLS, login, every message) may take: a server that sends
#: one byte every 20 s never times out a read, but it does not hold up the schedule past this.
SMTP_DEADLINE = 120
#: The summary's charts shown inline, in this order, with their alt text: the trend of the headline
#: figures (from the second run of a schedule on), cost and schedule performance, value, capacity.
#: Each is drawn from the run's model by the reports' own chart function (:func:`mail_charts`); the
#: alt text reads in the run's language (:func:`pmo_analysis.core.i18n._`).
MAIL_CHARTS = {
    "headline_trend": "Headline figures, run by run",
    "cpi_spi_quadrant": "Cost and schedule performance (CPI, SPI)",
    "npv_ranked": "Projects ranked by NPV",
    "capacity_vs_demand": "Capacity against demand",
}
#: Pixel width of the inline charts: what mail clients show in their reading pane without scaling.
MAIL_CHART_WIDTH = 640

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


#: An address as SMTP carries it (RFC 5321 dot-atom local part, a domain of dotted labels); the
#: standard library parses the ``Name <address>`` form and lists, but accepts far more than a server
#: will (``a@b>``, ``@x``), so the address it finds is checked against this.
_ADDR_SPEC = re.compile(
    r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*"
    r"@(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
)


def check_address(text: str, *, where: str) -> str:
    """``text`` if it is one email address (``cio@example.org`` or ``CIO <cio@example.org>``), else
    :class:`MailError` saying what is wrong: a list in one entry (with the fix: one address per
    entry), a line break, NUL or other control character, a stray ``<`` or ``>``, or no valid address.

    Examples
    --------
    >>> check_address("cio@example.org", where="mail.to")
    'cio@example.org'
    >>> try:
    ...     check_address("Al <a@x.org>; Bo <b@x.org>", where="mail.to")
    ... except MailError as exc:
    ...     print(exc)
    mail.to: 'Al <a@x.org>; Bo <b@x.org>' holds 2 addresses; give one address per entry (to: [a@x.org, b@x.org])
    """
    raw = str(text)
    if any(ord(ch) < 32 or ord(ch) == 127 for ch in raw):
        raise MailError(f"{where}: {raw!r} holds a line break, NUL or other control character; give one plain address")
    found = [addr for _name, addr in getaddresses([raw.replace(";", ",")]) if addr]
    if len(found) > 1 or raw.count("@") > 1:
        listed = ", ".join(found) if len(found) > 1 else "a@example.org, b@example.org"
        raise MailError(
            f"{where}: {raw!r} holds {max(len(found), raw.count('@'))} addresses; give one address per entry "
            f"(to: [{listed}])"
        )
    _name, addr = parseaddr(raw)
    bracketed = re.fullmatch(r"\s*[^<>]*<([^<>]*)>\s*", raw)
    if (bracketed is None and ("<" in raw or ">" in raw)) or not _ADDR_SPEC.fullmatch(addr or ""):
        raise MailError(f"{where}: not an email address: {raw!r} (write name@example.org or Name <name@example.org>)")
    if bracketed is None and addr != raw.strip():  # text around a bare address, which mail would drop
        raise MailError(f"{where}: not an email address: {raw!r} (write name@example.org or Name <name@example.org>)")
    return raw.strip()


@dataclass
class Delivery:
    """What one delivery did: the subjects sent, and the recipients the server refused (address ->
    the server's reply), who did not get them.
    """

    subjects: list[str]
    refused: dict[str, str] = field(default_factory=dict)


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

    def send(self, messages: list[EmailMessage], *, deadline: float | None = None) -> dict[str, str]:
        """Send ``messages`` in one SMTP session with STARTTLS (and login when a user is set), all
        within ``deadline`` seconds (default :data:`SMTP_DEADLINE`); return the recipients the server
        refused (address -> its reply), read from each ``send_message`` result. Every recipient
        refused, the deadline passed or any other failure is :class:`MailError`.
        """
        context = ssl.create_default_context(cafile=self.cafile)
        deadline = SMTP_DEADLINE if deadline is None else deadline
        refused: dict[str, str] = {}
        smtp: smtplib.SMTP | None = None
        expired = threading.Event()

        def stop() -> None:  # a blocked read returns once its socket is shut down
            expired.set()
            sock = getattr(smtp, "sock", None)
            if sock is not None:
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)

        timer = threading.Timer(deadline, stop)
        timer.daemon = True
        started = time.monotonic()
        timer.start()
        try:
            # made before it connects, so that stop() can reach a connection still waiting for the greeting
            smtp = smtplib.SMTP(timeout=min(SMTP_TIMEOUT, deadline))
            smtp._host = self.host  # what SMTP(host) sets: STARTTLS checks the certificate against it
            smtp.connect(self.host, self.port)
            with smtp:
                smtp.starttls(context=context)
                if self.user:
                    smtp.login(self.user, self.password or "")
                for message in messages:
                    for addr, (code, reply) in smtp.send_message(message).items():
                        refused[addr] = f"{code} {_text(reply)}".strip()
        except smtplib.SMTPRecipientsRefused as exc:
            raise MailError(
                f"cannot send mail through {self.host}:{self.port}: every recipient was refused: "
                + "; ".join(f"{a} ({c} {_text(r)})" for a, (c, r) in exc.recipients.items())
            ) from None
        except (smtplib.SMTPException, OSError, ValueError) as exc:
            if expired.is_set():
                raise MailError(
                    f"cannot send mail through {self.host}:{self.port}: the delivery did not end within "
                    f"{deadline:g} s (stopped after {time.monotonic() - started:.0f} s)"
                ) from None
            text = str(exc).replace(self.password, "***") if self.password else str(exc)
            raise MailError(
                f"cannot send mail through {self.host}:{self.port}: {type(exc).__name__}: "
                f"{text.splitlines()[0] if text else ''}"
            ) from None
        finally:
            timer.cancel()
        return refused


def _text(reply: bytes | str) -> str:
    """A server's reply as one line of text."""
    text = reply.decode("utf-8", "replace") if isinstance(reply, bytes) else str(reply)
    return " ".join(text.split())


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


def _headline_rows(model, manifest: dict[str, Any] | None = None) -> list[tuple[str, str]]:
    """The headline figures as the mail writes them: labels in the run's language and amounts in
    its currency (``$33.9M``, ``¥663.2万``), as the reports show them (the parameters of its reports).
    """
    h = model.headline.iloc[0]
    manifest = manifest or {}
    with fmt.using(currency=_run_currency(manifest), language=run_language(manifest)):
        return [(_(text), write(h[col])) for col, text, write in _HEADLINE if col in h.index]


def _run_currency(manifest: dict[str, Any]) -> str:
    """The currency the run's reports show money in (its executive summary's ``currency``; USD by default)."""
    notebooks = manifest.get("notebooks") if isinstance(manifest.get("notebooks"), list) else []
    for nb in notebooks:
        if isinstance(nb, dict) and nb.get("name") == "executive_summary" and isinstance(nb.get("parameters"), dict):
            return str(nb["parameters"].get("currency") or "USD")
    return "USD"


def _chart_figures(run_dir: Path, model, manifest: dict[str, Any]) -> dict[str, Any]:
    """The figures of :data:`MAIL_CHARTS` the run's model can draw, each by the chart function its
    report calls, with the inputs the report gives it (a chart without data is left out, as in the report).
    """
    from pmo_analysis.analyses import summary
    from pmo_analysis.reporting import plots

    figures: dict[str, Any] = {}
    schedule = str(manifest.get("schedule") or "adhoc")
    history = headline_history(run_dir.parent, schedule=schedule)
    if len(history):  # the runs of the schedule up to this one (run ids start with their UTC start time)
        history = history.loc[history["run"].astype(str) <= run_dir.name]
    if len(history) >= 2:
        figures["headline_trend"] = plots.headline_trend(
            history, {k: summary.HEADLINE_LABELS[k] for k in summary.TREND}, cols=6
        )
    if model.has("projects"):
        projects = model.projects
        running = projects.loc[projects["running"].astype(bool)]
        if running[["cpi", "spi"]].notna().all(axis=1).any():
            figures["cpi_spi_quadrant"] = plots.cpi_spi_quadrant(projects, thresholds=model.assumptions.iloc[0])
        if projects["npv"].notna().any():
            figures["npv_ranked"] = plots.npv_ranked(projects.dropna(subset=["npv"]))
    if model.has("capacity") and len(model.capacity):
        figures["capacity_vs_demand"] = plots.capacity_vs_demand(model.capacity)
    return figures


def mail_charts(run_dir: str | Path, *, model=None, manifest: dict[str, Any] | None = None) -> list[tuple[str, bytes]]:
    """The summary's charts of the run in ``run_dir`` as PNG images at most :data:`MAIL_CHART_WIDTH`
    pixels wide, in the order of :data:`MAIL_CHARTS`: (name, PNG bytes). Mail clients such as Outlook show
    PNG but not the inline SVG of the pages, so the mail carries its own renderings, drawn from the
    run's model by the same chart functions as the reports (:func:`pmo_analysis.reporting.plots.png`).
    """
    import matplotlib.pyplot as plt

    from pmo_analysis.reporting import plots

    run_dir = Path(run_dir)
    manifest = manifest if manifest is not None else json.loads((run_dir / "manifest.json").read_text("utf-8"))
    model = model if model is not None else load_model(run_dir / "model")
    images = []
    with fmt.using(currency=_run_currency(manifest), language=run_language(manifest)):
        figures = _chart_figures(run_dir, model, manifest)
        for name in MAIL_CHARTS:
            if name in figures:
                images.append((name, plots.png(figures[name], width=MAIL_CHART_WIDTH)))
                plt.close(figures[name])
    return images


def _run_link(run_dir: Path, reports_url: str | None) -> str | None:
    return None if not reports_url else reports_url.rstrip("/") + f"/{run_dir.name}/index.html"


def summary_message(run_dir: str | Path, *, to: list[str], sender: str, reports_url: str | None = None) -> EmailMessage:
    """The executive-summary mail of the published run in ``run_dir`` (see the module docstring), in
    the run's language (:func:`pmo_analysis.runs.publish.run_language`, as its index pages): subject,
    text, labels, status, dates and charts.

    The headline and the decisions come from the run's model; the charts are PNG renderings of the
    summary's charts (:func:`mail_charts`), shown inline by Content-ID.
    """
    run_dir = Path(run_dir)
    manifest = json.loads((run_dir / "manifest.json").read_text(encoding="utf-8"))
    model = load_model(run_dir / "model")
    lang = run_language(manifest)
    charts = mail_charts(run_dir, model=model, manifest=manifest)
    cids = [make_msgid(domain="pmo.reports") for _c in charts]
    link = _run_link(run_dir, reports_url)
    attached = link is None and (run_dir / "executive_summary.html").exists()
    with fmt.using(currency=_run_currency(manifest), language=lang):
        # without the tables the executive summary needs (cash flows), its decisions are unknown, not none
        missing = model.missing_for("executive_summary")
        not_available = (
            None
            if not missing
            else _("the executive summary was not run: it needs the table(s) {tables}", tables=listing(missing))
        )
        asks = decisions_needed(model) if not missing else pd.DataFrame(columns=["decision", "why", "money_text"])
        headline = _headline_rows(model, manifest)
        html = (
            _environment()
            .get_template("mail_summary.html.j2")
            .render(
                run=manifest,
                lang=lang,
                as_of=fmt.date(manifest.get("as_of", "")),
                status=label(manifest.get("status", "")),
                headline=headline,
                asks=asks.to_dict("records"),
                images=[
                    (c[1:-1], _(MAIL_CHARTS[name]), int.from_bytes(data[16:20], "big"))  # the PNG header's width
                    for c, (name, data) in zip(cids, charts, strict=True)
                ],
                link=link,
                attached=attached,
                not_available=not_available,
                _=_,
                label=label,
            )
        )
        msg = _message(_summary_subject(manifest), to=to, sender=sender)
        msg.set_content(_plain_text(manifest, headline, asks, link, not_available=not_available))
    msg.add_alternative(html, subtype="html")
    body = msg.get_payload()[1]
    for cid, (name, data) in zip(cids, charts, strict=True):
        body.add_related(data, maintype="image", subtype="png", cid=cid, filename=f"{name}.png", disposition="inline")
    if attached:
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


def _summary_subject(manifest: dict[str, Any]) -> str:
    """``Portfolio report as of 30 Jun 2026`` (with the run's status unless it succeeded), in the language in use."""
    status = manifest.get("status", "")
    subject = _("Portfolio report as of {date}", date=fmt.date(manifest.get("as_of", "")))
    return subject + ("" if status == "success" else _(" ({status})", status=label(status)))


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
    """The same mail for a client that shows no HTML, in the language in use; ``not_available``
    says why there are no decisions.
    """
    lines = [
        _(
            "Portfolio report as of {date} (run {run}, {status})",
            date=fmt.date(manifest.get("as_of", "")),
            run=manifest.get("run_id", ""),
            status=label(manifest.get("status", "")),
        ),
        "",
    ]
    lines += [_("{label}: {value}", label=text, value=value) for text, value in headline]
    lines += ["", _("Decisions asked for:")]
    lines += [
        f"- {a['decision']}"
        + (_(" ({money})", money=a["money_text"]) if a["money_text"] else "")
        + _(": {why}", why=a["why"])
        for a in asks.to_dict("records")
    ] or [_("- not available: {reason}", reason=not_available) if not_available else _("- none")]
    lines += [
        "",
        _("Full reports: {link}", link=link)
        if link
        else _("The executive summary is attached (open it in a browser)."),
    ]
    return "\n".join(lines) + "\n"


def alert_message(
    run_dir: str | Path, turned: pd.DataFrame, *, to: list[str], sender: str, reports_url: str | None = None
) -> EmailMessage:
    """A short mail listing the projects in ``turned`` (from :func:`turned_off_track`), in the run's language."""
    run_dir = Path(run_dir)
    manifest = json.loads((run_dir / "manifest.json").read_text(encoding="utf-8"))
    link = _run_link(run_dir, reports_url)
    n = len(turned)
    with fmt.using(language=run_language(manifest)):
        as_of = fmt.date(manifest.get("as_of", ""))
        rows = [r | {"was": _("new") if r["was"] == "new" else label(r["was"])} for r in turned.to_dict("records")]
        msg = _message(_("Alert: {n} project(s) turned off track, as of {date}", n=n, date=as_of), to=to, sender=sender)
        msg.set_content(
            "\n".join(
                [_("Off track as of {date}, and not in the previous report:", date=as_of), ""]
                + [
                    _(
                        "- {project} (was {was}): {why}",
                        project=f"{r['project_id']} {r['name']}",
                        was=r["was"],
                        why=r["reason"],
                    )
                    for r in rows
                ]
                + ["", _("Full reports: {link}", link=link) if link else ""]
            )
            + "\n"
        )
        html = (
            _environment()
            .get_template("mail_alert.html.j2")
            .render(run=manifest, rows=rows, link=link, as_of=as_of, lang=run_language(manifest), _=_, label=label)
        )
    msg.add_alternative(html, subtype="html")
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
) -> Delivery:
    """Send the run's executive summary to ``to`` (and, with ``alert_off_track``, the alert when a
    project turned off track since the schedule's previous run). Returns the subjects sent and the
    recipients the server refused (:class:`Delivery`): they did not get the mail.

    Raises :class:`MailError` (one line, no password) when the settings are missing, the server
    refuses every recipient or the delivery passes its deadline; the caller records it and tries
    again later (:mod:`pmo_analysis.runs.schedule`).
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
    refused = settings.send(messages)
    return Delivery([str(m["Subject"]) for m in messages], refused)
