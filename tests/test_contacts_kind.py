"""The contacts kind (PRODUCT §11): declared in the registry like every kind, one way in (upload, rows, demo); a bad
e-mail or webhook is refused in Chinese by line and column; personal data: exported to editors only, audited."""

from __future__ import annotations

import json

from metrics import contract, store
from metrics.ingest import export, importer

DEPTS = "科室编码,科室名称,科室类别\nK01,心内科,临床\nK02,普外科,临床\n"


def test_contacts_are_a_personal_kind_of_the_registry():
    k = contract.KINDS["contacts"]
    assert k.personal and k.scope == "hospital" and k.table == "contacts"
    assert k.key == ("hospital_code", "contact_type", "dept_code", "name")
    assert contract.KINDS["staff"].personal and not contract.KINDS["tasks"].personal


def test_refused_by_line_and_column_in_chinese_then_stored(db_file):
    path = db_file
    assert importer.commit(DEPTS.encode(), "d.csv", db_path=path).committed
    bad = (
        "联系人类型,科室编码,姓名,邮箱,机器人地址\n"
        "科室负责人,K01,李四,k01@example.org,\n"
        "科室负责人,K02,坏,a b@x,ftp://x\n"
        "科室负责人,,无科室,x@example.org,\n"
        "领导,,无地址,,\n"
        '科室负责人,K02,注入,"a@example.org\nBcc: all@example.org",\n'
    )
    r = importer.commit(bad.encode(), "c.csv", db_path=path)
    assert not r.committed
    got = [(p.line, p.column, p.message.split("：")[0]) for p in r.problems]
    assert got == [
        (3, "邮箱", "邮箱地址无效"),
        (3, "机器人地址", "机器人地址无效"),
        (4, "科室编码", "科室负责人须填写科室编码（领导请在「联系人类型」填写“领导”）。"),
        (5, "邮箱", "请至少填写邮箱或机器人地址之一（提醒需要送达地址）。"),
        (6, "邮箱", "邮箱地址无效"),
    ]
    good = (
        "联系人类型,科室编码,姓名,邮箱,机器人地址\n"
        "科室负责人,K01,李四,k01@example.org,\n"
        "科室负责人,普外科,赵六,,https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=x\n"
        "领导,,王五,leader@example.org,\n"
    )
    assert importer.commit(good.encode(), "c2.csv", db_path=path).committed
    with store.opened(path) as db:
        got = store.contacts(db)
    assert list(zip(got["contact_type"], got["dept_code"], got["name"], got["email"].fillna("—"), strict=True)) == [
        ("dept", "K01", "李四", "k01@example.org"),
        ("dept", "K02", "赵六", "—"),
        ("leader", "", "王五", "leader@example.org"),
    ]
    # rows from a script or an editor go through the same validator
    r = importer.commit_rows(
        "contacts", [dict(contact_type="leader", name="钱七", email="x@y")], source="edit", db_path=path
    )
    assert not r.committed and r.problems[0].message.startswith("邮箱地址无效")


def test_the_template_and_the_export_to_editors_only(db_file, tmp_path):
    template = export.template_bytes("contacts", "csv").decode("utf-8-sig")
    assert template.splitlines()[0] == "联系人类型,科室编码,姓名,邮箱,机器人地址"
    assert importer.commit(DEPTS.encode(), "d.csv").committed
    assert importer.commit(template.encode(), "t.csv", user="ed").committed
    hidden = {p.name for p in export.export_all(tmp_path / "viewer", user="vi", personal=False)}
    assert "contacts.csv" not in hidden and "staff.csv" not in hidden
    audit = (tmp_path / "viewer" / "audit.csv").read_text("utf-8-sig")
    assert "k01@example.org" not in audit and "李四" not in audit  # the upload's record keeps only a count
    shown = {p.name for p in export.export_all(tmp_path / "editor", user="ed")}
    assert "contacts.csv" in shown
    with store.opened(db_file) as db:
        entries = store.audit_entries(db)
    exported = entries[entries["action"] == "contacts_export"]
    assert len(exported) == 1 and json.loads(exported.iloc[0]["detail"])["rows"] == 2
