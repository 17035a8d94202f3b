"""Reports by email: a real SMTP server (aiosmtpd) with STARTTLS and login on localhost receives the
mail, and the test reads it back: subject, body, inline images, attachments."""

from __future__ import annotations

import datetime as dt
import email
import html
import io
import json
import os
import re
import shutil
import socket
import ssl
import subprocess
import threading
import time
from email import policy
from email.message import EmailMessage
from types import SimpleNamespace

import pandas as pd
import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult
from PIL import Image

from pmo_analysis.analyses.summary import decisions_needed
from pmo_analysis.core import formatting as fmt
from pmo_analysis.core.exceptions import ParameterError
from pmo_analysis.model import load_model
from pmo_analysis.runs import mail as mail_module
from pmo_analysis.runs.mail import MAIL_CHART_WIDTH, MAIL_CHARTS, MailError, MailSettings, deliver, turned_off_track
from pmo_analysis.runs.schedule import Schedule, _check_schedule, run_schedules

SMTP_PASSWORD = "smtp-Pa55-not-in-any-mail"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class _Inbox:
    """aiosmtpd handler and authenticator: keeps each message, whether it came over TLS, and the login."""

    def __init__(self):
        self.messages, self.tls, self.logins = [], [], []
        self.refuse: set[str] = set()  # recipients the server refuses (550)
        self.envelopes: list[list[str]] = []

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refuse:
            return "550 5.1.1 no such user here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.envelopes.append(list(envelope.rcpt_tos))
        self.messages.append(email.message_from_bytes(envelope.content, policy=policy.default))
        self.tls.append(session.ssl is not None)
        return "250 OK"

    def __call__(self, server, session, envelope, mechanism, auth_data):
        ok = auth_data.login == b"pmo-reports@example.org" and auth_data.password == SMTP_PASSWORD.encode()
        if ok:
            self.logins.append(auth_data.login.decode())
        return AuthResult(success=ok)


@pytest.fixture(scope="module")
def certificate(tmp_path_factory):
    folder = tmp_path_factory.mktemp("tls")
    subprocess.run(
        [  # noqa: S607 - the system's openssl, found on PATH
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "1",
            "-subj",
            "/CN=localhost",
            "-addext",
            "subjectAltName=DNS:localhost,IP:127.0.0.1",
            "-keyout",
            str(folder / "key.pem"),
            "-out",
            str(folder / "cert.pem"),
        ],
        check=True,
        capture_output=True,
    )
    return folder / "cert.pem", folder / "key.pem"


@pytest.fixture
def smtp(certificate, monkeypatch):
    """A real SMTP server on a free port that requires STARTTLS and a login; the PMO_SMTP_* variables
    point at it (its certificate trusted through PMO_SMTP_CAFILE)."""
    cert, key = certificate
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    inbox, port = _Inbox(), _free_port()
    controller = Controller(
        inbox,
        hostname="127.0.0.1",
        port=port,
        tls_context=context,
        require_starttls=True,
        authenticator=inbox,
        auth_require_tls=True,
        server_hostname="localhost",
    )
    controller.start()
    for k, v in {
        "PMO_SMTP_HOST": "localhost",
        "PMO_SMTP_PORT": str(port),
        "PMO_SMTP_USER": "pmo-reports@example.org",
        "PMO_SMTP_PASSWORD": SMTP_PASSWORD,
        "PMO_SMTP_FROM": "PMO reports <pmo-reports@example.org>",
        "PMO_SMTP_CAFILE": str(cert),
    }.items():
        monkeypatch.setenv(k, v)
    monkeypatch.delenv("PMO_REPORTS_URL", raising=False)
    yield inbox
    controller.stop()


def _html(message) -> str:
    return html.unescape(message.get_body(preferencelist=("html",)).get_content()).replace("\r\n", "\n")


def test_the_executive_summary_arrives_with_headline_decisions_and_images(suite_run, smtp):
    run_dir = suite_run.run_dir
    delivery = deliver(run_dir, to=["cio@example.org", "cfo@example.org"])
    assert delivery.subjects == ["Portfolio report as of 30 Jun 2026"] and delivery.refused == {}
    (msg,) = smtp.messages
    assert smtp.tls == [True] and smtp.logins == ["pmo-reports@example.org"]
    assert msg["Subject"] == "Portfolio report as of 30 Jun 2026"
    assert msg["To"] == "cio@example.org, cfo@example.org"
    body = _html(msg)
    model = load_model(run_dir / "model")
    h = model.headline.iloc[0]
    assert (
        f'Running projects (active + on hold)</td>\n<td style="padding:5px 8px;border-bottom:1px solid #e3e3e3;'
        f'text-align:right;font-weight:bold">{fmt.count(h["running_projects"])}</td>' in body
    )
    with fmt.using(currency="USD"):  # amounts with their currency, as every report of the run shows them
        assert f">{fmt.money(h['portfolio_npv'])}<" in body and fmt.money(h["portfolio_npv"]).startswith(("$", "-$"))
    assert fmt.ratio(h["portfolio_cpi"]) in body
    with fmt.using(currency="USD"):  # the decisions' money in the run's currency, as its executive summary
        asks = decisions_needed(model)
    assert len(asks) > 0 and asks["money_text"].str.contains("$", regex=False).any()
    for a in asks.itertuples():
        assert a.decision in body and a.why in body and a.money_text in body
    # inline images: every cid the HTML names is a PNG part of the message, and the reverse
    images = _images(msg)
    assert set(images) == set(re.findall(r'src="cid:([^"]+)"', body))
    assert len(images) == 3  # the first run of a schedule has no headline trend yet
    for cid, (width, height) in images.items():  # valid PNGs, as wide as the HTML shows them
        assert MAIL_CHART_WIDTH * 0.95 <= width <= MAIL_CHART_WIDTH and height > 100
        assert re.search(rf'src="cid:{re.escape(cid)}"[^>]* width="{width}"', body)
    assert 'alt="Cost and schedule performance (CPI, SPI)"' in body
    attached = {part.get_filename(): part.get_payload(decode=True) for part in msg.iter_attachments()}
    assert set(attached) == {"executive_summary_2026-06-30.html", "decisions.csv"}
    assert attached["decisions.csv"] == (run_dir / "decisions.csv").read_bytes()  # as saved: BOM, Excel opens it
    assert attached["executive_summary_2026-06-30.html"] == (run_dir / "executive_summary.html").read_bytes()
    assert "Running projects (active + on hold):" in msg.get_body(preferencelist=("plain",)).get_content()
    assert SMTP_PASSWORD not in msg.as_string()


def _images(msg) -> dict[str, tuple[int, int]]:
    """Content-ID -> (width, height) of each PNG part, decoded and checked with Pillow."""
    out = {}
    for part in msg.walk():
        if part.get_content_maintype() == "image":
            assert part.get_content_type() == "image/png" and part["Content-Disposition"].startswith("inline")
            data = part.get_content()
            assert data[:8] == b"\x89PNG\r\n\x1a\n"
            with Image.open(io.BytesIO(data)) as img:
                img.verify()  # the whole PNG stream decodes (checksums included)
                assert img.format == "PNG"
                out[part["Content-ID"].strip("<>")] = img.size
    return out


def test_the_mail_draws_the_summary_s_charts_from_the_run_s_model(suite_run, tmp_path):
    """A run of the executive summary alone (no ROI or utilization report, no saved chart) still mails
    the charts, and the second run of a schedule adds the trend of the headline figures first."""
    reports = tmp_path / "reports"
    first, second = reports / "20260601T070000Z-weekly", reports / "20260701T070000Z-weekly"
    for run_dir, as_of in ((first, "2026-05-31"), (second, "2026-06-30")):
        shutil.copytree(
            suite_run.run_dir, run_dir, ignore=shutil.ignore_patterns("charts", "portfolio_*", "resource_*")
        )
        manifest = json.loads((run_dir / "manifest.json").read_text())
        (run_dir / "manifest.json").write_text(
            json.dumps(manifest | {"run_id": run_dir.name, "schedule": "weekly", "as_of": as_of})
        )
    assert not list(second.glob("*/charts/*.png"))
    msg = mail_module.summary_message(second, to=["cio@example.org"], sender="pmo@example.org")
    body = _html(msg)
    assert len(_images(msg)) == 4
    alts = re.findall(r'<img src="cid:[^"]+" alt="([^"]+)"', body)
    assert alts == list(MAIL_CHARTS.values())  # the trend first, then as MAIL_CHARTS orders them
    assert [n for n, _ in mail_module.mail_charts(first)] == ["cpi_spi_quadrant", "npv_ranked", "capacity_vs_demand"]


def test_with_a_reports_url_the_mail_links_the_reports(suite_run, smtp, monkeypatch):
    monkeypatch.setenv("PMO_REPORTS_URL", "https://pmo.example.org/reports/")
    deliver(suite_run.run_dir, to=["cio@example.org"])
    (msg,) = smtp.messages
    assert f'href="https://pmo.example.org/reports/{suite_run.run_id}/index.html"' in _html(msg)
    assert [p.get_filename() for p in msg.iter_attachments()] == ["decisions.csv"]


def test_mail_never_goes_without_starttls(suite_run, monkeypatch):
    inbox, port = _Inbox(), _free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)  # offers no STARTTLS
    controller.start()
    try:
        settings = MailSettings(host="127.0.0.1", port=port, sender="pmo@example.org")
        with pytest.raises(MailError, match=r"cannot send mail through 127.0.0.1:\d+: SMTPNotSupportedError"):
            deliver(suite_run.run_dir, to=["cio@example.org"], settings=settings)
    finally:
        controller.stop()
    assert inbox.messages == []


def test_settings_come_from_the_environment_only():
    with pytest.raises(MailError, match="PMO_SMTP_HOST is not set"):
        MailSettings.from_env({})
    with pytest.raises(MailError, match="PMO_SMTP_USER is set but PMO_SMTP_PASSWORD is not"):
        MailSettings.from_env({"PMO_SMTP_HOST": "h", "PMO_SMTP_USER": "u@example.org"})
    s = MailSettings.from_env({"PMO_SMTP_HOST": "h", "PMO_SMTP_USER": "u@example.org", "PMO_SMTP_PASSWORD": "pw-x"})
    assert s.port == 587 and s.sender == "u@example.org" and "pw-x" not in repr(s)


def test_a_schedule_names_recipients_never_credentials():
    base = {"cron": "0 7 * * MON", "timezone": "Europe/London", "data_dir": "data/sample"}
    s = _check_schedule("weekly", base | {"mail": {"to": ["cio@example.org"], "alert_off_track": True}})
    assert s.mail_to == ["cio@example.org"] and s.alert_off_track
    with pytest.raises(ParameterError, match=r"'mail' has unknown field.s. password; use to, alert_off_track"):
        _check_schedule("weekly", base | {"mail": {"to": ["cio@example.org"], "password": "x"}})
    with pytest.raises(ParameterError, match=r"'mail\.to': not an email address: 'cio'"):
        _check_schedule("weekly", base | {"mail": {"to": ["cio"]}})


def test_turned_off_track_counts_only_projects_that_changed():
    prev = pd.DataFrame({"project_id": ["A", "B", "C"], "health": ["at risk", "off track", "on track"]})
    cur = pd.DataFrame(
        {
            "project_id": ["A", "B", "C", "D"],
            "name": list("abcd"),
            "running": [True, True, False, True],
            "health": ["off track"] * 4,
            "health_reason": ["CPI 0.80", "", "", "SPI 0.70"],
        }
    )
    out = turned_off_track(prev, cur)
    assert out.to_dict("records") == [
        {"project_id": "A", "name": "a", "was": "at risk", "reason": "CPI 0.80"},
        {"project_id": "D", "name": "d", "was": "new", "reason": "SPI 0.70"},
    ]
    assert turned_off_track(None, cur).empty


def test_a_failed_delivery_is_retried_at_the_next_call_and_never_blocks_the_report(
    suite_run, smtp, tmp_path, monkeypatch
):
    """The first call publishes the run while the mail server is unreachable (logged, pending); the
    next call, not due, sends it with the alert for the projects that turned off track since the
    previous run; a third call sends nothing again."""
    reports = tmp_path / "reports"
    previous = reports / "20260101T070000Z-adhoc"
    shutil.copytree(suite_run.run_dir, previous)  # the schedule's previous run: every project on track
    projects = pd.read_parquet(previous / "model" / "projects.parquet")
    projects.assign(health="on track").to_parquet(previous / "model" / "projects.parquet")
    manifest = json.loads((previous / "manifest.json").read_text())
    (previous / "manifest.json").write_text(
        json.dumps(manifest | {"started": "2026-01-01T07:00:00+00:00", "run_id": previous.name})
    )

    def runner(*, reports_dir, **_):
        shutil.copytree(suite_run.run_dir, reports_dir / suite_run.run_id)
        return SimpleNamespace(status="success", run_id=suite_run.run_id)

    smtp_port = int(os.environ["PMO_SMTP_PORT"])
    monkeypatch.setenv("PMO_SMTP_PORT", str(_free_port()))  # nothing listens there
    s = {
        "weekly": Schedule(
            "weekly", "0 7 * * MON", "UTC", "data/sample", mail_to=["cio@example.org"], alert_off_track=True
        )
    }
    now = dt.datetime(2026, 7, 6, 8, 0, tzinfo=dt.UTC)
    log: list[str] = []
    (first,) = run_schedules(s, reports_dir=reports, now=now, runner=runner, say=log.append)
    assert first.status == "success" and (reports / suite_run.run_id / "executive_summary.html").exists()
    assert "not sent (attempt 1, tried again at the next call): cannot send mail through localhost:" in first.mail
    state = json.loads((reports / ".schedule-state.json").read_text())
    assert state["weekly"]["mail"]["status"] == "pending" and smtp.messages == []
    assert any("not sent" in line for line in log)

    monkeypatch.setenv("PMO_SMTP_PORT", str(smtp_port))
    (second,) = run_schedules(s, reports_dir=reports, now=now + dt.timedelta(minutes=1), runner=runner, say=log.append)
    assert second.status == "not due" and second.mail.startswith(
        f"mailed run {suite_run.run_id} to 1 of 1 recipient(s)"
    )
    model = load_model(suite_run.run_dir / "model")
    n_off = int((model.projects["running"] & (model.projects["health"] == "off track")).sum())
    assert n_off > 0
    assert [m["Subject"] for m in smtp.messages] == [
        "Portfolio report as of 30 Jun 2026",
        f"Alert: {n_off} project(s) turned off track, as of 30 Jun 2026",
    ]
    alert = _html(smtp.messages[1])
    off = model.projects.loc[model.projects["running"] & (model.projects["health"] == "off track")]
    assert all(f"{r.project_id} {r.name}" in alert for r in off.itertuples())
    assert json.loads((reports / ".schedule-state.json").read_text())["weekly"]["mail"]["status"] == "sent"

    (third,) = run_schedules(s, reports_dir=reports, now=now + dt.timedelta(minutes=2), runner=runner, say=log.append)
    assert third.mail == "" and len(smtp.messages) == 2


# ---------------------------------------------------------------- mail tells the truth
def test_refused_recipients_are_named_and_stay_pending_for_them(suite_run, smtp, tmp_path):
    reports = tmp_path / "reports"

    def runner(*, reports_dir, **_):
        shutil.copytree(suite_run.run_dir, reports_dir / suite_run.run_id)
        return SimpleNamespace(status="success", run_id=suite_run.run_id)

    to = ["Ann <ann@example.org>", "gone@example.org", "bob@example.org"]
    s = {"weekly": Schedule("weekly", "0 7 * * MON", "UTC", "data/sample", mail_to=to)}
    smtp.refuse.add("gone@example.org")
    now = dt.datetime(2026, 7, 6, 8, 0, tzinfo=dt.UTC)
    (first,) = run_schedules(s, reports_dir=reports, now=now, runner=runner, say=lambda m: None)
    assert first.mail == (
        f"mailed run {suite_run.run_id} to 2 of 3 recipient(s): Portfolio report as of 30 Jun 2026; "
        "refused, tried again at the next call: gone@example.org (550 5.1.1 no such user here)"
    )
    assert smtp.envelopes == [["ann@example.org", "bob@example.org"]]
    mail = json.loads((reports / ".schedule-state.json").read_text())["weekly"]["mail"]
    assert (mail["status"], mail["to"]) == ("pending", ["gone@example.org"])
    # the mailbox is fixed: the next call mails the one who did not get it, and only them
    smtp.refuse.clear()
    (second,) = run_schedules(s, reports_dir=reports, now=now + dt.timedelta(minutes=1), runner=runner, say=print)
    assert second.mail == f"mailed run {suite_run.run_id} to 1 of 1 recipient(s): Portfolio report as of 30 Jun 2026"
    assert smtp.envelopes[1:] == [["gone@example.org"]]
    assert json.loads((reports / ".schedule-state.json").read_text())["weekly"]["mail"]["status"] == "sent"


def test_every_recipient_refused_is_an_error_naming_them(suite_run, smtp):
    smtp.refuse.update({"a@example.org", "b@example.org"})
    with pytest.raises(MailError) as exc:
        deliver(suite_run.run_dir, to=["a@example.org", "b@example.org"])
    assert "every recipient was refused: a@example.org (550 5.1.1 no such user here); b@example.org" in str(exc.value)
    assert smtp.messages == []


def _slow_server(port: int, stop: threading.Event) -> None:
    """An SMTP server that greets one byte every 0.3 s: no single read ever times out."""
    with socket.socket() as srv:
        srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        srv.bind(("127.0.0.1", port))
        srv.listen(1)
        srv.settimeout(10)
        conn, _ = srv.accept()
        with conn:
            for byte in b"220 slow.example.org ESMTP " + b"." * 1000:
                if stop.is_set():
                    return
                try:
                    conn.sendall(bytes([byte]))
                except OSError:
                    return
                time.sleep(0.3)


def test_a_whole_delivery_has_a_deadline(monkeypatch):
    port, stop = _free_port(), threading.Event()
    server = threading.Thread(target=_slow_server, args=(port, stop), daemon=True)
    server.start()
    monkeypatch.setattr(mail_module, "SMTP_DEADLINE", 2)
    settings = MailSettings(host="127.0.0.1", port=port, sender="pmo@example.org")
    msg = EmailMessage()
    msg["Subject"], msg["From"], msg["To"] = "s", "pmo@example.org", "cio@example.org"
    msg.set_content("x")
    started = time.monotonic()
    try:
        with pytest.raises(MailError, match=r"the delivery did not end within 2 s"):
            settings.send([msg])
    finally:
        stop.set()
    assert time.monotonic() - started < 6


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        (
            "Alice <alice@example.org>; Bob <bob@example.org>",
            "'mail.to': 'Alice <alice@example.org>; Bob <bob@example.org>' holds 2 addresses; give one address per "
            "entry (to: [alice@example.org, bob@example.org])",
        ),
        (
            "cio@example.org, cfo@example.org, ceo@example.org",
            "'mail.to': 'cio@example.org, cfo@example.org, ceo@example.org' holds 3 addresses; give one address per "
            "entry (to: [cio@example.org, cfo@example.org, ceo@example.org])",
        ),
        (
            "cio@example.org\r\nBcc: all@example.org",
            "'mail.to': 'cio@example.org\\r\\nBcc: all@example.org' holds a line break, NUL or other control "
            "character; give one plain address",
        ),
        (
            "cio@example.org\x00",
            "'mail.to': 'cio@example.org\\x00' holds a line break, NUL or other control character; give one plain address",
        ),
        (
            "cio@example.org>",
            "'mail.to': not an email address: 'cio@example.org>' (write name@example.org or Name <name@example.org>)",
        ),
        (
            "CIO <cio@example.org",
            "'mail.to': not an email address: 'CIO <cio@example.org' (write name@example.org or Name <name@example.org>)",
        ),
        (
            "cio@example",
            "'mail.to': not an email address: 'cio@example' (write name@example.org or Name <name@example.org>)",
        ),
    ],
)
def test_each_address_is_one_valid_address_checked_on_load(entry, message):
    base = {"cron": "0 7 * * MON", "timezone": "Europe/London", "data_dir": "data/sample"}
    with pytest.raises(ParameterError) as exc:
        _check_schedule("weekly", base | {"mail": {"to": ["ok@example.org", entry]}})
    assert str(exc.value) == message


def test_a_display_name_with_a_comma_in_quotes_is_one_address():
    base = {"cron": "0 7 * * MON", "timezone": "Europe/London", "data_dir": "data/sample"}
    s = _check_schedule("weekly", base | {"mail": {"to": ['"Smith, Jo" <jo@example.org>', "CFO <cfo@example.org>"]}})
    assert s.mail_to == ['"Smith, Jo" <jo@example.org>', "CFO <cfo@example.org>"]


def test_the_mail_headline_shows_amounts_in_the_run_s_currency():
    model = SimpleNamespace(headline=pd.DataFrame({"total_budget": [33_900_000.0], "portfolio_npv": [-1_250_000.0]}))
    run = {"notebooks": [{"name": "executive_summary", "parameters": {"currency": "CNY"}}]}
    assert mail_module._headline_rows(model, run) == [
        ("Budget of running projects", "¥33.9M"),
        ("Portfolio NPV", "-¥1.2M"),
    ]
    assert mail_module._headline_rows(model, {}) == [
        ("Budget of running projects", "$33.9M"),
        ("Portfolio NPV", "-$1.2M"),
    ]


# ---------------------------------------------------------------- a Chinese run mails in Chinese
def test_a_chinese_run_mails_its_summary_and_alert_in_chinese(suite_run_zh, sample, smtp, tmp_path):
    """The run's language (its reports' ``language`` parameter, as its index pages read it) is the
    mail's: subject, headline labels, status, dates, decisions, chart alt text, plain-text part and
    the alert, with no English word outside ids, names and codes (the allow-list of the Chinese pages)."""
    from pmo_analysis.core.config import SAMPLE_DATA_DIR
    from pmo_analysis.inputs.params import NOTEBOOKS
    from tests.reporting.test_chinese import Allowed, visible_text

    reports = tmp_path / "reports"
    skip = shutil.ignore_patterns("projects", "departments", "charts", "*.xlsx")
    previous, current = reports / "20260101T070000Z-adhoc", reports / suite_run_zh.run_id
    shutil.copytree(suite_run_zh.run_dir, previous, ignore=skip)  # the previous run: every project on track
    shutil.copytree(suite_run_zh.run_dir, current, ignore=skip)
    projects = pd.read_parquet(previous / "model" / "projects.parquet")
    projects.assign(health="on track").to_parquet(previous / "model" / "projects.parquet")
    manifest = json.loads((previous / "manifest.json").read_text())
    (previous / "manifest.json").write_text(
        json.dumps(manifest | {"started": "2026-01-01T07:00:00+00:00", "run_id": previous.name})
    )
    delivery = deliver(current, to=["cio@example.org"], alert_off_track=True)
    summary, alert = smtp.messages
    assert delivery.subjects == [summary["Subject"], alert["Subject"]]
    assert summary["Subject"] == "项目组合报告，截至 2026年6月30日"
    assert re.fullmatch(r"预警：截至 2026年6月30日，\d+ 个项目转为偏离", alert["Subject"])

    params = {p.name for declared in NOTEBOOKS.values() for p in declared}
    allowed = Allowed(sample, params={*params, SAMPLE_DATA_DIR.name})
    for msg in (summary, alert):
        page = msg.get_body(preferencelist=("html",)).get_content()
        assert page.startswith('<!DOCTYPE html><html lang="zh">')
        plain = msg.get_body(preferencelist=("plain",)).get_content()
        texts = [msg["Subject"], *visible_text(page), *plain.splitlines()]
        assert {t: w for t in texts if (w := allowed.english_words(t))} == {}
    body, plain = _html(summary), summary.get_body(preferencelist=("plain",)).get_content()
    for chinese in (
        "在建项目（进行中或暂停）",
        "组合净现值",
        "待决策事项",
        "状态 <strong>成功</strong>",
        "报告周期：不定期",
    ):
        assert chinese in body
    assert 'alt="成本与进度绩效（CPI、SPI）"' in body and "¥" in body
    assert plain.startswith(f"项目组合报告，截至 2026年6月30日（运行 {suite_run_zh.run_id}，成功）\n")
    for english in ("Portfolio report", "Running projects", "Decisions asked for", "success", "2026-06-30"):
        assert english not in body.replace("executive_summary_2026-06-30", "") and english not in plain
    assert "此前" in _html(alert) and "偏离" in _html(alert)
