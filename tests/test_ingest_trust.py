"""Issue 11: the rules that were found bent, each as the user meets it in an upload (PRODUCT §3.2, §3.3)."""

from __future__ import annotations

from metrics import importer, store

HEADER = "月份,科室编码,科室名称,患者满意度"


def csv(*rows: str, header: str = HEADER) -> bytes:
    return ("\n".join([header, *rows]) + "\n").encode("utf-8")


def _departments(db_file) -> dict:
    with store.opened(db_file) as db:
        d = store.departments(db)
    return dict(zip(d["dept_code"], d["dept_name"]))


def _seed(db_file, *rows: str) -> None:
    data = csv(*rows, header="科室编码,科室名称")
    assert importer.commit(data, "depts.csv", user="ed", db_path=db_file).committed


# --- 11.1 a typo'd code never creates a second department ---------------------------------------------------


def test_typod_code_with_an_existing_name_is_refused_naming_the_existing_code(db_file):
    _seed(db_file, "K08,普外科", "K01,心血管内科")
    data = csv("2026-01,K01,心血管内科,93", "2026-01,KO8,普外科,91")
    r = importer.preview(data, "m.csv", db_path=db_file)
    assert not r.new_departments
    (p,) = r.problems
    assert (p.line, p.column, p.value) == (3, "科室编码", "KO8")
    assert "K08" in p.message and "普外科" in p.message
    en = importer.preview(data, "m.csv", lang="en", db_path=db_file).problems[0].message
    assert "K08" in en and "KO8" in en
    done = importer.commit(data, "m.csv", user="ed", db_path=db_file)
    assert not done.committed
    assert _departments(db_file) == {"K08": "普外科", "K01": "心血管内科"}


def test_a_new_code_with_a_new_name_still_creates_the_department(db_file):
    _seed(db_file, "K08,普外科")
    r = importer.commit(csv("2026-01,K09,骨科,91"), "m.csv", user="ed", db_path=db_file)
    assert r.committed and [d["dept_code"] for d in r.new_departments] == ["K09"]


# --- 11.2 a monthly file that omits departments which reported the month before warns --------------------


def test_departments_missing_from_last_month_warn_listing_them_and_still_commit(db_file):
    _seed(db_file, "K01,心血管内科", "K02,呼吸内科", "K03,消化内科")
    jan = csv("2026-01,K01,心血管内科,93", "2026-01,K02,呼吸内科,92", "2026-01,K03,消化内科,91")
    assert importer.commit(jan, "jan.csv", user="ed", db_path=db_file).committed
    feb = csv("2026-02,K01,心血管内科,94")
    r = importer.preview(feb, "feb.csv", db_path=db_file)
    assert r.ok and r.can_commit()
    (w,) = [w for w in r.warnings if "K02" in w.message]
    assert "K03" in w.message and "呼吸内科" in w.message and "2026-01" in w.message and "K01" not in w.message
    assert any("K02" in w["message"] for w in r.to_json()["warnings"])
    en = importer.preview(feb, "feb.csv", lang="en", db_path=db_file).warnings
    assert any("K02" in w.message and "K03" in w.message for w in en)
    done = importer.commit(feb, "feb.csv", user="ed", db_path=db_file)
    assert done.committed and any("K03" in w.message for w in done.warnings)


def test_no_missing_warning_when_every_department_of_last_month_is_there(db_file):
    _seed(db_file, "K01,心血管内科", "K02,呼吸内科")
    assert importer.commit(csv("2026-01,K01,心血管内科,93"), "jan.csv", user="ed", db_path=db_file).committed
    # A history file: each month compared with the one before it, in the file or the store.
    r = importer.preview(
        csv("2026-02,K01,心血管内科,94", "2026-03,K01,心血管内科,95", "2026-03,K02,呼吸内科,90"),
        "q1.csv",
        db_path=db_file,
    )
    assert r.ok and not r.warnings


def test_cli_json_lists_the_missing_departments_warning(db_file, tmp_path, capsys):
    import json

    from metrics import cli

    _seed(db_file, "K01,心血管内科", "K02,呼吸内科")
    jan = csv("2026-01,K01,心血管内科,93", "2026-01,K02,呼吸内科,92")
    assert importer.commit(jan, "jan.csv", user="ed", db_path=db_file).committed
    f = tmp_path / "feb.csv"
    f.write_bytes(csv("2026-02,K01,心血管内科,94"))
    assert cli.main(["import", str(f), "--json", "--db", str(db_file)]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["committed"] and any("K02 呼吸内科" in w["message"] for w in out["warnings"])
