"""The 医德考评 +2 points list (PRODUCT §8, seed 004), worked out by hand on a real store: the one-year
boundary counts the award date itself, a revoked award gives nothing, an inactive staff member gets nothing; the
command line's JSON and CSV, and every export in the audit log (without the names)."""

from __future__ import annotations

import json

from metrics import store
from metrics.ingest import importer
from metrics.ops import cli

DEPTS = "科室编码,科室名称,科室类别\nK01,心血管内科,临床\nK02,普外科,临床\nK03,检验科,医技\n"
# K01 awarded for 2026 on 2026-03-10; K02 awarded the same day, revoked on 2026-05-01; K03 never awarded.
AWARDS = (
    "科室编码,年度,状态,变更日期\nK01,2026,已授牌,2026-03-10\nK02,2026,已授牌,2026-03-10\nK02,2026,已取消,2026-05-01\n"
)
STAFF = (
    "工号,姓名,科室编码,入科日期,在岗\n"
    "S1,甲一,K01,2025-03-10,是\n"  # exactly one year on the award date: counts (一年以上 includes one year)
    "S2,乙二,K01,2025-03-11,是\n"  # one day short of a year: no points
    "S3,丙三,K01,2019-01-01,否\n"  # no longer in post: no points
    "S4,丁四,K02,2018-01-01,是\n"  # a revoked award: no points
    "S5,戊五,K03,2018-01-01,是\n"  # not awarded
    "S0,己六,K01,2020-06-30,是\n"  # long in the department: points (and listed before S1: by staff id)
)


def fill(db_file) -> None:
    for name, text in (("d.csv", DEPTS), ("a.csv", AWARDS), ("s.csv", STAFF)):
        report = importer.commit(text.encode("utf-8"), name)
        assert report.committed, report.problems


def audits(db_file):
    with store.opened(db_file) as db:
        return store.audit_entries(db, actions=["points_export", "staff_export"]).to_dict("records")


def test_points_json_by_hand(db_file, capsys):
    fill(db_file)
    code = cli.main(["points", "2026", "--json", "--user", "hr-clerk", "--db", str(db_file)])
    out = json.loads(capsys.readouterr().out)
    assert code == 0 and out["year"] == 2026 and "一年以上" not in out["rule"] and "满一年" in out["rule"]
    assert out["rows"] == [
        {
            "staff_id": "S0",
            "name": "己六",
            "dept_code": "K01",
            "dept_name": "心血管内科",
            "in_dept_since": "2020-06-30",
            "award_date": "2026-03-10",
            "points": 2,
        },
        {
            "staff_id": "S1",
            "name": "甲一",
            "dept_code": "K01",
            "dept_name": "心血管内科",
            "in_dept_since": "2025-03-10",
            "award_date": "2026-03-10",
            "points": 2,
        },
    ]
    (entry,) = audits(db_file)
    assert (entry["user"], entry["action"], entry["target"]) == ("hr-clerk", "points_export", "2026")
    assert json.loads(entry["detail"]) == {"year": 2026, "rows": 2, "channel": "cli", "format": "json"}
    assert "甲一" not in str(entry)  # the audit says who exported what, never the names themselves


def test_points_csv_is_utf8_with_bom_and_audited(db_file, tmp_path, capsys):
    fill(db_file)
    out = tmp_path / "points.csv"
    assert cli.main(["points", "2026", "--out", str(out), "--db", str(db_file), "--lang", "en"]) == 0
    data = out.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    lines = data.decode("utf-8-sig").splitlines()
    assert lines[0] == "Staff ID,Name,Department code,Department,In department since,Award date,Points"
    assert lines[1:] == [
        "S0,己六,K01,心血管内科,2020-06-30,2026-03-10,2",
        "S1,甲一,K01,心血管内科,2025-03-10,2026-03-10,2",
    ]
    assert "2 rows" in capsys.readouterr().out
    assert [json.loads(a["detail"])["format"] for a in audits(db_file)] == ["csv"]


def test_a_year_without_awards_gives_an_empty_list_and_is_still_audited(db_file, capsys):
    fill(db_file)
    assert cli.main(["points", "2025", "--json", "--db", str(db_file)]) == 0
    assert json.loads(capsys.readouterr().out)["rows"] == []
    assert len(audits(db_file)) == 1


def test_the_full_export_of_the_store_audits_the_staff_roster(db_file, tmp_path):
    fill(db_file)
    assert cli.main(["export", "--out", str(tmp_path / "x"), "--db", str(db_file)]) == 0
    assert (tmp_path / "x" / "staff.csv").exists()
    (entry,) = audits(db_file)
    assert entry["action"] == "staff_export" and json.loads(entry["detail"])["rows"] == 6


# --- the awards page: the download is for editors and admins only ------------------------------------------------


def _awards_page(role: str | None, lang: str = "zh"):
    from tests.conftest import page_as

    return page_as("pages/awards.py", "u1" if role else None, role, lang)


def _labels(at) -> list[str]:
    from tests import downloads

    return downloads.labels(at)


def test_awards_page_offers_the_points_download_to_editors_only(db_file, cheap_hashing):
    fill(db_file)
    viewer = _awards_page(None)
    assert not any("加分名单" in label for label in _labels(viewer))
    assert "甲一" not in str([x.value for x in [*viewer.markdown, *viewer.caption]])
    editor = _awards_page("editor", "en")
    assert [x for x in _labels(editor) if "points list" in x] == ["Download the 2026 points list (CSV)"]
    assert any("at least one year on the award date" in c.value for c in editor.caption)
    assert audits(db_file) == []  # showing the button exports nothing; the click does (points.produce)
    from tests import downloads

    # nor does it send the file: the browser gets it in the run of a click only (tests/e2e/test_private_downloads…)
    assert downloads.private(editor)["points_download"]["file"] is None
