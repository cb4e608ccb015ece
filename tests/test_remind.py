"""`python -m metrics remind` against real servers (PRODUCT §11): an SMTP server (aiosmtpd, STARTTLS with a certificate
made here, a password login) and a group-robot receiver (http.server), both on 127.0.0.1 and started by the test. Who
received what — department A's contact never sees department B's item; the leadership gets the briefing (PPTX and
PDF) and the overdue summary; a second run sends nothing; a server that refuses leaves the item for the next run;
a new state (due soon → overdue) is a new message. On SQLite and PostgreSQL (the journal lives in the store)."""

from __future__ import annotations

import email
import email.policy
import json
import socket
import ssl
import subprocess
import threading
from datetime import date
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult

from metrics import store
from metrics.ingest import importer
from metrics.ops import cli, remind

AS_OF = date(2026, 12, 7)  # a Monday
DEPTS = (
    "科室编码,科室名称,科室类别\n"
    "K01,心内科,临床\n"
    '"K02","普外科\r\nBcc: evil@example.org",临床\n'  # a hostile name: must never become a header
)
# Judged on 7 Dec 2026: A1 is past half its working days (due soon), A2 and B1 are overdue, TB (a task: its span
# from 1 January) is due soon.
NOTICES = (
    "文号,科室编码,下达日期,整改期限,状态,问题\n"
    "A1,K01,2026-11-02,2026-12-10,整改中,病历书写不规范\n"
    "A2,K01,2026-10-09,2026-12-01,整改中,耗材管理 [点我](http://evil.test) <font color=red>红</font> *粗* RW-2\n"
    'B1,K02,2026-10-09,2026-12-04,整改中,"收受红包\nSubject: 假标题"\n'
)
TASKS = "任务编号,任务名称,牵头科室,完成时限,进展\nTB,廉洁风险排查,K02,2026-12-31,推进中\n"
METRICS = "月份,科室编码,患者满意度\n" + "".join(
    f"2026-{m:02d},{d},9{m % 3}\n" for m in (7, 8, 9) for d in ("K01", "K02")
)
USER, PASSWORD = "mailer@example.org", "s3cret-pass"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class _Mailbox:
    """aiosmtpd handler: keeps every message as received; refuses the recipients in ``refuse`` with 550."""

    def __init__(self):
        self.received: list[tuple[list[str], bytes]] = []
        self.refuse: set[str] = set()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refuse:
            return "550 5.1.1 mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.received.append((list(envelope.rcpt_tos), envelope.original_content))
        return "250 Message accepted"

    def to(self, address: str) -> list[email.message.EmailMessage]:
        return [email.message_from_bytes(raw, policy=email.policy.default) for rcpt, raw in self.received
                if address in rcpt]  # fmt: skip


@pytest.fixture
def smtp(tmp_path, monkeypatch):
    """A real SMTP server on 127.0.0.1 that requires STARTTLS and a login, its certificate trusted through
    INTEGRITY_SMTP_CAFILE; the INTEGRITY_SMTP_* environment set for it."""
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=127.0.0.1",
                    "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", str(key), "-out", str(cert)],
                   check=True, capture_output=True)  # fmt: skip
    ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ctx.load_cert_chain(cert, key)
    box = _Mailbox()

    def login(server, session, envelope, mechanism, auth_data):
        return AuthResult(success=(auth_data.login, auth_data.password) == (USER.encode(), PASSWORD.encode()))

    port = _free_port()
    ctl = Controller(box, hostname="127.0.0.1", port=port, tls_context=ctx, require_starttls=True,
                     authenticator=login, auth_required=True)  # fmt: skip
    ctl.start()
    for name, value in ((remind.SMTP_HOST_ENV, "127.0.0.1"), (remind.SMTP_PORT_ENV, str(port)),
                        (remind.SMTP_USER_ENV, USER), (remind.SMTP_PASSWORD_ENV, PASSWORD),
                        (remind.SMTP_FROM_ENV, "integrity@example.org"), (remind.SMTP_CAFILE_ENV, str(cert))):  # fmt: skip
        monkeypatch.setenv(name, value)
    yield box
    ctl.stop()


class _Robot:
    def __init__(self):
        self.posts: list[tuple[str, dict]] = []
        self.fail: set[str] = set()  # paths answered with HTTP 500


@pytest.fixture
def robot():
    """A real HTTP receiver on 127.0.0.1 answering as the robots do ({"errcode":0}); ``fail``: paths that get 500."""
    got = _Robot()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers["Content-Length"]))
            path = self.path.split("?")[0]
            if path in got.fail:
                self.send_response(500)
                self.end_headers()
                return
            got.posts.append((self.path, json.loads(body)))
            answer = b'{"errcode":0,"errmsg":"ok"}'
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(answer)))
            self.end_headers()
            self.wfile.write(answer)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    got.base = f"http://127.0.0.1:{server.server_port}"
    yield got
    server.shutdown()
    server.server_close()


def _fill(db_file, robot) -> None:
    contacts = (
        "联系人类型,科室编码,姓名,邮箱,机器人地址\n"
        f"科室负责人,K01,李四,a@example.org,{robot.base}/cgi-bin/webhook/send?key=k01-secret\n"
        f"科室负责人,K02,赵六,b@example.org,{robot.base}/robot/send?access_token=k02-secret\n"
        "领导,,王五,leader@example.org,\n"
    )
    for name, text in (("d.csv", DEPTS), ("m.csv", METRICS), ("n.csv", NOTICES), ("t.csv", TASKS),
                       ("c.csv", contacts)):  # fmt: skip
        r = importer.commit(text.encode("utf-8"), name, db_path=db_file)
        assert r.committed, r.problems


def _body(m: email.message.EmailMessage) -> str:
    return m.get_body(preferencelist=("plain",)).get_content()


def _journal(db_file) -> list[tuple]:
    with store.opened(db_file) as db:
        j = store.reminder_sends(db)
    return sorted(tuple(r) for r in j[["channel", "address", "item_kind", "item_key", "state"]].itertuples(index=False))


def _audit(db_file, action: str) -> list:
    with store.opened(db_file) as db:
        a = store.audit_entries(db)
    return [json.loads(d) for d in a.loc[a["action"] == action, "detail"]]


def _remind(db_file, day: date = AS_OF) -> int:
    return cli.main(["--db", str(db_file), "remind", "--as-of", day.isoformat()])


def test_each_contact_gets_only_its_department_and_a_rerun_sends_nothing(db_file, smtp, robot, capsys):
    _fill(db_file, robot)
    assert _remind(db_file) == 0
    a, b, lead = smtp.to("a@example.org"), smtp.to("b@example.org"), smtp.to("leader@example.org")
    assert len(a) == len(b) == len(lead) == 1 and len(smtp.received) == 3
    a_text, b_text = _body(a[0]), _body(b[0])
    assert "A1" in a_text and "A2" in a_text and "B1" not in a_text and "TB" not in a_text
    assert "B1" in b_text and "TB" in b_text and "A1" not in b_text and "A2" not in b_text
    assert a[0]["Subject"] == "【清廉医院】心内科：逾期 1 项、预警 1 项（截至2026年12月7日）"
    assert a[0]["To"] == "李四 <a@example.org>" and a[0]["From"] == "integrity@example.org"
    assert "预警（即将到期）：\n- 整改通知书 A1「病历书写不规范」，整改期限 2026年12月10日" in a_text
    assert (
        "逾期：\n- 整改通知书 A2「耗材管理 [点我](http://evil.test) <font color=red>红</font> *粗* RW-2」，整改期限 2026年12月1日，已逾期 6 天"
        in a_text
    )
    # the hostile department name and notice text stay inside one header / one line
    assert b[0]["Subject"] == "【清廉医院】普外科 Bcc: evil@example.org：逾期 1 项、预警 1 项（截至2026年12月7日）"
    assert b[0]["Bcc"] is None and b[0]["Subject"].count("\n") == 0 and smtp.received[1][0] == ["b@example.org"]
    assert "- 整改通知书 B1「收受红包 Subject: 假标题」" in b_text
    # the leadership: the overdue summary of every department, and the briefing as PPTX and PDF
    lead_text = _body(lead[0])
    assert "A2" in lead_text and "B1" in lead_text and "A1" not in lead_text  # overdue only
    files = {p.get_filename(): p.get_content() for p in lead[0].iter_attachments()}
    assert set(files) == {"briefing_2026Q3_zh.pptx", "briefing_2026Q3_zh.pdf"}
    assert files["briefing_2026Q3_zh.pdf"].startswith(b"%PDF-") and files["briefing_2026Q3_zh.pptx"][:2] == b"PK"

    # the robots: 企业微信 format for K01's, 钉钉 for K02's, each with its department's items only
    posts = {p.split("?")[0]: body for p, body in robot.posts}
    assert len(robot.posts) == 2
    wecom, ding = posts["/cgi-bin/webhook/send"], posts["/robot/send"]
    assert wecom["msgtype"] == "markdown" and set(wecom["markdown"]) == {"content"}
    assert ding["msgtype"] == "markdown" and set(ding["markdown"]) == {"title", "text"}
    assert "A1" in wecom["markdown"]["content"] and "B1" not in wecom["markdown"]["content"]
    assert "B1" in ding["markdown"]["text"] and "A2" not in ding["markdown"]["text"]
    # Markdown of the robot: the hostile text shown as written, never a heading, link, tag, emphasis or line of its
    # own; and a robot's Markdown has no backslash escapes, so none is added (it would show as written)
    assert "普外科 Bcc: evil" in ding["markdown"]["title"] + ding["markdown"]["text"]
    assert "\nSubject" not in ding["markdown"]["text"] and "收受红包 Subject: 假标题" in ding["markdown"]["text"]
    content = wecom["markdown"]["content"]
    assert "点我" in content and "](" not in content and "<font" not in content and "*粗*" not in content
    assert "\\" not in content + ding["markdown"]["text"] and "RW-2" in content

    out = capsys.readouterr().out
    assert "k01-secret" not in out and "已发送 5 条，失败 0 条" in out  # a robot's key is never printed
    first = _journal(db_file)
    assert len(first) == 9  # 2 + 2 items by e-mail and robot each, and the leadership's week
    assert ("email", "leader@example.org", "briefing", "2026-W50", "weekly") in first
    assert len(_audit(db_file, "remind_sent")) == 5

    # a second run: nothing new, nothing sent, the journal as it was
    assert _remind(db_file) == 0
    assert len(smtp.received) == 3 and len(robot.posts) == 2
    assert "没有需要发送的新提醒" in capsys.readouterr().out
    assert _journal(db_file) == first

    # a week later TB is overdue too (a new state: a new message) and the leadership gets the new week's summary
    assert _remind(db_file, date(2027, 1, 4)) == 0
    b_new = smtp.to("b@example.org")[-1]
    assert len(smtp.to("b@example.org")) == 2 and "TB" in _body(b_new) and "B1" not in _body(b_new)
    assert len(smtp.to("a@example.org")) == 2  # A1 overdue now
    assert "A2" not in _body(smtp.to("a@example.org")[-1])  # already sent as overdue


def test_a_refusing_server_leaves_the_item_for_the_next_run(db_file, smtp, robot, capsys):
    _fill(db_file, robot)
    smtp.refuse.add("b@example.org")
    robot.fail.add("/robot/send")
    assert _remind(db_file) == 1  # some failed: said, and the exit status says so
    err = capsys.readouterr().err
    assert err.count("发送失败，下次运行时重试") == 2 and "550" in err and "500" in err
    journal = _journal(db_file)
    assert not [j for j in journal if j[1] == "b@example.org" or "robot/send" in j[1]]  # nothing half-journaled
    assert len(journal) == 5
    failed = _audit(db_file, "remind_failed")
    assert len(failed) == 2 and {f["channel"] for f in failed} == {"email", "webhook"}

    smtp.refuse.clear()
    robot.fail.clear()
    before_mail, before_posts = len(smtp.received), len(robot.posts)
    assert _remind(db_file) == 0
    assert [rcpt for rcpt, _ in smtp.received[before_mail:]] == [["b@example.org"]]  # only what failed
    assert [p.split("?")[0] for p, _ in robot.posts[before_posts:]] == ["/robot/send"]
    assert len(_journal(db_file)) == 9


def test_dry_run_lists_and_sends_nothing(db_file, smtp, robot, capsys):
    _fill(db_file, robot)
    assert cli.main(["--db", str(db_file), "remind", "--dry-run", "--as-of", AS_OF.isoformat()]) == 0
    out = capsys.readouterr().out
    assert out.count("将发送：") == 5 and "试运行" in out
    assert smtp.received == [] and robot.posts == [] and _journal(db_file) == []


def test_without_a_mail_server_configured_nothing_is_journaled(db_file, robot, monkeypatch, capsys):
    for name in remind.SMTP_ENV:
        monkeypatch.delenv(name, raising=False)
    _fill(db_file, robot)
    assert _remind(db_file) == 1
    assert "未配置邮件服务器：请设置环境变量 INTEGRITY_SMTP_HOST" in capsys.readouterr().err
    assert {j[0] for j in _journal(db_file)} == {"webhook"}  # the robots still got theirs


def test_a_day_off_sends_nothing_unless_asked(db_file, smtp, robot, capsys):
    _fill(db_file, robot)
    assert _remind(db_file, date(2026, 10, 2)) == 0  # 国庆
    assert "2026年10月2日不是工作日" in capsys.readouterr().out
    assert smtp.received == [] and robot.posts == [] and _journal(db_file) == []
    assert cli.main(["--db", str(db_file), "remind", "--as-of", "2026-10-02", "--any-day"]) == 0
    assert smtp.received and robot.posts


def test_in_a_group_store_each_hospital_reminds_only_its_own(group_store):
    done = remind.run(group_store, AS_OF, dry_run=True)
    with store.opened(group_store) as db:
        hospitals = store.hospital_codes(db)
        owner = {}
        for h in hospitals:
            for t in store.tasks(db, h).to_dict("records"):
                owner[(h, "task", t["task_code"])] = t["lead_dept"]
            for n in store.notices(db, h).to_dict("records"):
                owner[(h, "notice", n["notice_no"])] = n["dept_code"]
            for r in store.risks(db, h).to_dict("records"):
                owner[(h, "risk", r["risk_code"])] = r["owner"]
            for t in store.talks(db, h).to_dict("records"):
                owner[(h, "talk", t["talk_no"])] = t["dept_code"]
    dept = [m for m in done.planned if m.audience == "dept"]
    assert {m.hospital for m in dept} == set(hospitals) and len(hospitals) == 3
    for m in dept:  # every item a department's message names is that hospital's and that department's
        assert all(owner[(m.hospital, kind, key)] == m.dept_code for kind, key, _ in m.journal), m
    assert {m.hospital for m in done.planned if m.audience == "leader"} == set(hospitals)
