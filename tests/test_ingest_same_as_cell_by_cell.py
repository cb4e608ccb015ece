"""The column-wise validation and the batched write give exactly what the cell-by-cell code gave.

The expected problem lists, warnings, counts and changes below were produced by the cell-by-cell validation
before it was made column-wise, for files mixing good rows with bad cells in every column: a user sees the
same lines, columns, values and reasons in the same order.
"""

from __future__ import annotations

import json
from datetime import date, datetime

import pytest

from metrics import contract, store
from metrics.ingest import importer, reading, validate

HEADER = "月份,科室编码,科室名称,患者满意度,职工满意度,投诉件数,药占比"

SEED = "\n".join(
    [
        HEADER,
        "2023-01,K01,心血管内科,90,91,1,",
        "2023-01,K02,呼吸内科,88,85,0,",
        "2023-01,K03,普外科,92.5,90,2,",
        "2023-01,HOSP,全院,,,,31.5",
    ]
).encode("utf-8")

# Good rows mixed with bad cells in every column, month formats, numbers with % and spaces, summary rows,
# blank rows, new and renamed departments, scope mistakes, duplicates.
MIXED_ROWS = [
    "2023-02,K01,心血管内科,95,91,1,",
    "2023/3,K01,心血管内科, 96 ,92%,0,",
    '2023年4月,K01,心血管内科,"1,0",93,2,',
    "202305,K01,心血管内科,９７,９4,3,",
    "2023-06-01,K01,心血管内科,97.5 %,94,1.5,",
    "2023-13,K02,呼吸内科,101,abc,-1,",
    "2023-02-30,K02,呼吸内科,-0.5,100.01,x,",
    ",K02,呼吸内科,90,90,1,",
    "2023-02,,呼吸内科,90,90,1,",
    "2023-03,K99,,90,,,",
    "2023-03,K98,新科室,90,90,0,",
    "2023-04,K98,新科室,inf,nan,1e2,",
    "2023-05,K03,普通外科,90,90,0,",
    "2023-06,K03,普通外科,91,90,0,",
    "2023-02,K01,心血管内科,96,,,",
    "2023-07,K02,呼吸内科,,,,",
    "2023-07,K02,呼吸内科,90,90,0,12",
    "2023-07,HOSP,全院,90,,,30",
    "2023-08,全院,,,,,35%",
    "合计,,,900,900,10,",
    ",,,,,,",
    "2023-08,平均,,90,90,1,",
    "2023-08,K01,心血管内科,1 000,90,\u30002\u3000,",
    "2023-09,K01,心血管内科,TRUE,+5,007,",
    "2023-10,K01,心血管内科,1e1,.5,3.0,",
    "2023-11,Ｋ０１,心血管内科,90,90,0,",
    "2023-12,K03,普外科,90,90,0,",
    "2023-12,K03,普外科,91,90,0,",
    "2023-01,K01,心血管内科,91,91,1,",
    "2023-01,HOSP,全院,,,,32",
]


def mixed_csv() -> bytes:
    return ("\n".join([HEADER, *MIXED_ROWS]) + "\n").encode("utf-8")


def problem_rows(problems) -> list[list]:
    return [[p.sheet, p.line, p.column, p.value, p.message] for p in problems]


def report_facts(report: importer.ImportReport) -> dict:
    """What a user sees of a preview: problems, warnings, counts, new departments, changed values."""
    return {
        "problems": problem_rows(report.problems),
        "warnings": problem_rows(report.warnings),
        "counts": dict(report.counts),
        "new_departments": [[d["dept_code"], d["dept_name"], d["line"]] for d in report.new_departments],
        "changes": report.changes.astype(str).values.tolist(),
    }


def typed_table() -> reading.RawTable:
    """A sheet as XLSX gives it: numbers as floats and ints, dates, booleans, empty cells as None or ''."""
    header = ("月份", "科室编码", "科室名称", "患者满意度", "职工满意度", "投诉件数", "药占比")
    columns = ("month", "dept_code", "dept_name", "patient_satisfaction", "staff_satisfaction", "complaints")
    columns += ("drug_share",)
    rows = [
        (datetime(2024, 1, 1), "K01", "心血管内科", 95.0, 91, 1.0, None),
        (date(2024, 2, 1), "K01", "心血管内科", 95.5, 91.25, 2, ""),
        (202403.0, "K01", "心血管内科", True, 90.0, 0.5, None),
        ("2024-04", "K01", "心血管内科", float("nan"), None, None, None),
        ("2024-05", "K01", "心血管内科", float("inf"), -1.0, 3, None),
        (202406, "K02", "呼吸内科", 100.0, 0.0, 0, None),
        (202413.0, "K02", "呼吸内科", 100.5, 99.9, -0.0, None),
        ("2024-07", 101.0, "新科室", 80, 80, 0, None),
        ("2024-08", "HOSP", "全院", None, None, None, 18.5),
        ("2024-08", "HOSP", "全院", None, None, None, False),
        (None, None, None, None, None, None, None),
        ("2024-09", "合计", None, 80, 80, 9, None),
        ("2024-09", "K01", "心血管内科", "95", " 9 5 ", "1", None),
    ]
    return reading.RawTable(
        "metrics", "xlsx", "数据", 2, header, columns, tuple((i + 3, r) for i, r in enumerate(rows))
    )


def typed_context(lang: str) -> validate.Context:
    depts = {"K01": "心血管内科", "K02": "呼吸内科"}
    return validate.Context(tuple(contract.METRICS), (), depts, lang)


def checked_facts(c: validate.Checked) -> dict:
    return {
        "problems": problem_rows(c.problems),
        "warnings": problem_rows(c.warnings),
        "records": {t: [[ln, r] for ln, r in recs] for t, recs in c.records.items()},
        "new_departments": [[d["dept_code"], d["dept_name"], d["line"]] for d in c.new_departments],
        "data_lines": c.data_lines,
        "skipped_lines": c.skipped_lines,
    }


def _normalised(x):
    """JSON round trip: tuples become lists, as in the expectations below."""
    return json.loads(json.dumps(x, ensure_ascii=False))


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_mixed_file_gives_the_same_problems_warnings_and_counts_as_cell_by_cell(db_file, lang):
    assert importer.commit(SEED, "seed.csv").committed
    report = importer.preview(mixed_csv(), "mixed.csv", lang=lang)
    assert _normalised(report_facts(report)) == EXPECTED_PREVIEW[lang]


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_typed_cells_give_the_same_problems_and_rows_as_cell_by_cell(lang):
    c = validate.check(typed_table(), typed_context(lang))
    assert _normalised(checked_facts(c)) == EXPECTED_TYPED[lang]


def test_skip_invalid_commit_writes_the_same_rows_and_journal_as_before(db_file):
    assert importer.commit(SEED, "seed.csv").committed
    before = _store_values(db_file)
    report = importer.commit(mixed_csv(), "mixed.csv", skip_invalid=True, user="t")
    assert report.committed
    after = _store_values(db_file)
    assert after == _v6_values(EXPECTED_VALUES_AFTER)
    with store.opened(db_file) as db:
        journal = db.execute(
            "SELECT tbl, key_json, old_json, new_json FROM batch_changes WHERE batch_id = ? ORDER BY seq",
            [report.batch_id],
        ).fetchall()
    # The journal text is exactly what json.dumps writes (rollback and the history page read it back).
    for _tbl, *texts in journal:
        for text in texts:
            if text is not None:
                assert text == json.dumps(json.loads(text), ensure_ascii=False)
    assert [[t, json.loads(k), None if o is None else json.loads(o), json.loads(n)] for t, k, o, n in journal] == (
        _v6_journal(EXPECTED_JOURNAL)
    )
    importer.rollback(report.batch_id)
    assert _store_values(db_file) == before


def _v6_values(expected: dict) -> dict:
    """The expectation as a v6 store holds it (PRODUCT §9): every row under the one hospital ''."""
    return {
        t: sorted(json.dumps({"hospital_code": "", **json.loads(r)}, ensure_ascii=False, sort_keys=True) for r in rows)
        for t, rows in expected.items()
    }


def _v6_journal(expected: list) -> list:
    """The journal as v6 writes it: the hospital '' first in each key and in each row."""
    return [
        [t, ["", *k], None if o is None else {"hospital_code": "", **o}, {"hospital_code": "", **n}]
        for t, k, o, n in expected
    ]


def _store_values(db_file) -> dict:
    with store.opened(db_file) as db:
        out = {}
        for t in ("departments", "metric_values"):
            df = store.table_frame(db, t)
            out[t] = sorted(json.dumps(r, ensure_ascii=False, sort_keys=True) for r in df.to_dict("records"))
        return out


# ---------------------------------------------------------------------------------------------
# Expectations produced by the cell-by-cell code (at c4b0f3b, before the column-wise validation)
# ---------------------------------------------------------------------------------------------

EXPECTED_PREVIEW: dict = {
    "zh": {
        "problems": [
            ["", 6, "投诉件数", "1.5", "应为整数。"],
            ["", 7, "月份", "2023-13", "无法识别的月份（可写 2023-04、2023/4、2023年4月 或 202304）。"],
            ["", 7, "患者满意度", "101", "大于上限 100。"],
            ["", 7, "职工满意度", "abc", "不是数字。"],
            ["", 7, "投诉件数", "-1", "小于下限 0。"],
            ["", 8, "月份", "2023-02-30", "无法识别的月份（可写 2023-04、2023/4、2023年4月 或 202304）。"],
            ["", 8, "患者满意度", "-0.5", "小于下限 0。"],
            ["", 8, "职工满意度", "100.01", "大于上限 100。"],
            ["", 8, "投诉件数", "x", "不是数字。"],
            ["", 9, "月份", "", "必填项为空。"],
            ["", 10, "科室编码", "", "必填项为空。"],
            [
                "",
                11,
                "科室编码",
                "K99",
                "科室编码「K99」不在科室名录中，且未填写科室名称（填写科室名称即可新建该科室）。",
            ],
            ["", 13, "患者满意度", "inf", "不是数字。"],
            ["", 13, "职工满意度", "nan", "不是数字。"],
            ["", 16, "月份", "K01 2023-02", "与第 2 行重复（K01 2023-02）。"],
            ["", 17, "", "", "这一行没有填写任何指标。"],
            ["", 18, "月份", "K02 2023-07", "与第 17 行重复（K02 2023-07）。"],
            ["", 19, "患者满意度", "90", "「患者满意度」是科室指标，不能填在全院行。"],
            ["", 24, "患者满意度", "1 000", "大于上限 100。"],
            ["", 25, "患者满意度", "TRUE", "不是数字。"],
            ["", 29, "月份", "K03 2023-12", "与第 28 行重复（K03 2023-12）。"],
        ],
        "warnings": [
            ["", 21, "", "合计", "第 21 行是汇总行（合计），已跳过。"],
            ["", 23, "", "平均", "第 23 行是汇总行（平均），已跳过。"],
            [
                "",
                14,
                "科室名称",
                "普通外科",
                "第 14 行：科室编码「K03」在科室名录中的名称是「普外科」，文件中写的是「普通外科」（共 2 行）；保留名录中的名称（改名请上传科室名录）。",
            ],
            [
                "",
                0,
                "",
                "2023-02",
                "2023-02：上月（2023-01）上报过的 2 个科室不在本文件中：K02 呼吸内科、K03 普外科。是否漏了一张表？仍可提交，之后补传即可。",
            ],
            [
                "",
                0,
                "",
                "2023-05",
                "2023-05：上月（2023-04）上报过的 1 个科室不在本文件中：K98 新科室。是否漏了一张表？仍可提交，之后补传即可。",
            ],
            [
                "",
                0,
                "",
                "2023-07",
                "2023-07：上月（2023-06）上报过的 2 个科室不在本文件中：K01 心血管内科、K03 普外科。是否漏了一张表？仍可提交，之后补传即可。",
            ],
            [
                "",
                0,
                "",
                "2023-08",
                "2023-08：上月（2023-07）上报过的 1 个科室不在本文件中：K02 呼吸内科。是否漏了一张表？仍可提交，之后补传即可。",
            ],
            [
                "",
                0,
                "",
                "2023-12",
                "2023-12：上月（2023-11）上报过的 1 个科室不在本文件中：K01 心血管内科。是否漏了一张表？仍可提交，之后补传即可。",
            ],
        ],
        "counts": {"new": 11, "changed": 0, "unchanged": 0, "rejected": 14, "skipped": 2},
        "new_departments": [["K98", "新科室", 12]],
        "changes": [],
    },
    "en": {
        "problems": [
            ["", 6, "投诉件数", "1.5", "Must be a whole number."],
            ["", 7, "月份", "2023-13", "Not a month (write 2023-04, 2023/4, 2023年4月 or 202304)."],
            ["", 7, "患者满意度", "101", "Above the maximum 100."],
            ["", 7, "职工满意度", "abc", "Not a number."],
            ["", 7, "投诉件数", "-1", "Below the minimum 0."],
            ["", 8, "月份", "2023-02-30", "Not a month (write 2023-04, 2023/4, 2023年4月 or 202304)."],
            ["", 8, "患者满意度", "-0.5", "Below the minimum 0."],
            ["", 8, "职工满意度", "100.01", "Above the maximum 100."],
            ["", 8, "投诉件数", "x", "Not a number."],
            ["", 9, "月份", "", "Required value is blank."],
            ["", 10, "科室编码", "", "Required value is blank."],
            [
                "",
                11,
                "科室编码",
                "K99",
                'Department code "K99" is not in the department list and no name is given (give a name to create it).',
            ],
            ["", 13, "患者满意度", "inf", "Not a number."],
            ["", 13, "职工满意度", "nan", "Not a number."],
            ["", 16, "月份", "K01 2023-02", "Duplicates line 2 (K01 2023-02)."],
            ["", 17, "", "", "This row fills in no metric."],
            ["", 18, "月份", "K02 2023-07", "Duplicates line 17 (K02 2023-07)."],
            [
                "",
                19,
                "患者满意度",
                "90",
                '"Patient satisfaction" is a department metric; it cannot go on the hospital-wide row.',
            ],
            ["", 24, "患者满意度", "1 000", "Above the maximum 100."],
            ["", 25, "患者满意度", "TRUE", "Not a number."],
            ["", 29, "月份", "K03 2023-12", "Duplicates line 28 (K03 2023-12)."],
        ],
        "warnings": [
            ["", 21, "", "合计", "Line 21 is a summary row (合计); skipped."],
            ["", 23, "", "平均", "Line 23 is a summary row (平均); skipped."],
            [
                "",
                14,
                "科室名称",
                "普通外科",
                "Line 14: department code K03 is named “普外科” in the department list but “普通外科” in the file (2 "
                "lines); the list's name is kept (upload a department list to rename it).",
            ],
            [
                "",
                0,
                "",
                "2023-02",
                "2023-02: 2 department(s) that reported last month (2023-01) are not in this file: K02 呼吸内科, K03 普外科. A sheet forgotten? You may still commit and upload them later.",
            ],
            [
                "",
                0,
                "",
                "2023-05",
                "2023-05: 1 department(s) that reported last month (2023-04) are not in this file: K98 新科室. A sheet forgotten? You may still commit and upload them later.",
            ],
            [
                "",
                0,
                "",
                "2023-07",
                "2023-07: 2 department(s) that reported last month (2023-06) are not in this file: K01 心血管内科, K03 普外科. A sheet forgotten? You may still commit and upload them later.",
            ],
            [
                "",
                0,
                "",
                "2023-08",
                "2023-08: 1 department(s) that reported last month (2023-07) are not in this file: K02 呼吸内科. A sheet forgotten? You may still commit and upload them later.",
            ],
            [
                "",
                0,
                "",
                "2023-12",
                "2023-12: 1 department(s) that reported last month (2023-11) are not in this file: K01 心血管内科. A sheet forgotten? You may still commit and upload them later.",
            ],
        ],
        "counts": {"new": 11, "changed": 0, "unchanged": 0, "rejected": 14, "skipped": 2},
        "new_departments": [["K98", "新科室", 12]],
        "changes": [],
    },
}
EXPECTED_TYPED: dict = {
    "zh": {
        "problems": [
            ["数据", 9, "月份", "202413", "无法识别的月份（可写 2023-04、2023/4、2023年4月 或 202304）。"],
            ["数据", 5, "患者满意度", "True", "不是数字。"],
            ["数据", 6, "患者满意度", "nan", "不是数字。"],
            ["数据", 7, "患者满意度", "inf", "不是数字。"],
            ["数据", 9, "患者满意度", "100.5", "大于上限 100。"],
            ["数据", 7, "职工满意度", "-1", "小于下限 0。"],
            ["数据", 5, "投诉件数", "0.5", "应为整数。"],
            ["数据", 12, "药占比", "False", "不是数字。"],
            ["数据", 6, "", "", "这一行没有填写任何指标。"],
            ["数据", 12, "月份", "HOSP 2024-08", "与第 11 行重复（HOSP 2024-08）。"],
        ],
        "warnings": [["数据", 14, "", "合计", "第 14 行是汇总行（合计），已跳过。"]],
        "records": {
            "metric_values": [
                [3, {"dept_code": "K01", "month": "2024-01", "metric": "patient_satisfaction", "value": 95.0}],
                [3, {"dept_code": "K01", "month": "2024-01", "metric": "staff_satisfaction", "value": 91.0}],
                [3, {"dept_code": "K01", "month": "2024-01", "metric": "complaints", "value": 1.0}],
                [4, {"dept_code": "K01", "month": "2024-02", "metric": "patient_satisfaction", "value": 95.5}],
                [4, {"dept_code": "K01", "month": "2024-02", "metric": "staff_satisfaction", "value": 91.25}],
                [4, {"dept_code": "K01", "month": "2024-02", "metric": "complaints", "value": 2.0}],
                [8, {"dept_code": "K02", "month": "2024-06", "metric": "patient_satisfaction", "value": 100.0}],
                [8, {"dept_code": "K02", "month": "2024-06", "metric": "staff_satisfaction", "value": 0.0}],
                [8, {"dept_code": "K02", "month": "2024-06", "metric": "complaints", "value": 0.0}],
                [10, {"dept_code": "101", "month": "2024-07", "metric": "patient_satisfaction", "value": 80.0}],
                [10, {"dept_code": "101", "month": "2024-07", "metric": "staff_satisfaction", "value": 80.0}],
                [10, {"dept_code": "101", "month": "2024-07", "metric": "complaints", "value": 0.0}],
                [11, {"dept_code": "HOSP", "month": "2024-08", "metric": "drug_share", "value": 18.5}],
                [15, {"dept_code": "K01", "month": "2024-09", "metric": "patient_satisfaction", "value": 95.0}],
                [15, {"dept_code": "K01", "month": "2024-09", "metric": "staff_satisfaction", "value": 95.0}],
                [15, {"dept_code": "K01", "month": "2024-09", "metric": "complaints", "value": 1.0}],
            ]
        },
        "new_departments": [["101", "新科室", 10]],
        "data_lines": [3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 15],
        "skipped_lines": [14],
    },
    "en": {
        "problems": [
            ["数据", 9, "月份", "202413", "Not a month (write 2023-04, 2023/4, 2023年4月 or 202304)."],
            ["数据", 5, "患者满意度", "True", "Not a number."],
            ["数据", 6, "患者满意度", "nan", "Not a number."],
            ["数据", 7, "患者满意度", "inf", "Not a number."],
            ["数据", 9, "患者满意度", "100.5", "Above the maximum 100."],
            ["数据", 7, "职工满意度", "-1", "Below the minimum 0."],
            ["数据", 5, "投诉件数", "0.5", "Must be a whole number."],
            ["数据", 12, "药占比", "False", "Not a number."],
            ["数据", 6, "", "", "This row fills in no metric."],
            ["数据", 12, "月份", "HOSP 2024-08", "Duplicates line 11 (HOSP 2024-08)."],
        ],
        "warnings": [["数据", 14, "", "合计", "Line 14 is a summary row (合计); skipped."]],
        "records": {
            "metric_values": [
                [3, {"dept_code": "K01", "month": "2024-01", "metric": "patient_satisfaction", "value": 95.0}],
                [3, {"dept_code": "K01", "month": "2024-01", "metric": "staff_satisfaction", "value": 91.0}],
                [3, {"dept_code": "K01", "month": "2024-01", "metric": "complaints", "value": 1.0}],
                [4, {"dept_code": "K01", "month": "2024-02", "metric": "patient_satisfaction", "value": 95.5}],
                [4, {"dept_code": "K01", "month": "2024-02", "metric": "staff_satisfaction", "value": 91.25}],
                [4, {"dept_code": "K01", "month": "2024-02", "metric": "complaints", "value": 2.0}],
                [8, {"dept_code": "K02", "month": "2024-06", "metric": "patient_satisfaction", "value": 100.0}],
                [8, {"dept_code": "K02", "month": "2024-06", "metric": "staff_satisfaction", "value": 0.0}],
                [8, {"dept_code": "K02", "month": "2024-06", "metric": "complaints", "value": 0.0}],
                [10, {"dept_code": "101", "month": "2024-07", "metric": "patient_satisfaction", "value": 80.0}],
                [10, {"dept_code": "101", "month": "2024-07", "metric": "staff_satisfaction", "value": 80.0}],
                [10, {"dept_code": "101", "month": "2024-07", "metric": "complaints", "value": 0.0}],
                [11, {"dept_code": "HOSP", "month": "2024-08", "metric": "drug_share", "value": 18.5}],
                [15, {"dept_code": "K01", "month": "2024-09", "metric": "patient_satisfaction", "value": 95.0}],
                [15, {"dept_code": "K01", "month": "2024-09", "metric": "staff_satisfaction", "value": 95.0}],
                [15, {"dept_code": "K01", "month": "2024-09", "metric": "complaints", "value": 1.0}],
            ]
        },
        "new_departments": [["101", "新科室", 10]],
        "data_lines": [3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 15],
        "skipped_lines": [14],
    },
}
EXPECTED_VALUES_AFTER: dict = {
    "departments": [
        '{"active": 1, "category": null, "dept_code": "K01", "dept_name": "心血管内科", "is_demo": 0, '
        '"party_branch": null, "party_members": null, "staff_count": null}',
        '{"active": 1, "category": null, "dept_code": "K02", "dept_name": "呼吸内科", "is_demo": 0, '
        '"party_branch": null, "party_members": null, "staff_count": null}',
        '{"active": 1, "category": null, "dept_code": "K03", "dept_name": "普外科", "is_demo": 0, '
        '"party_branch": null, "party_members": null, "staff_count": null}',
        '{"active": 1, "category": null, "dept_code": "K98", "dept_name": "新科室", "is_demo": 0, '
        '"party_branch": null, "party_members": null, "staff_count": null}',
    ],
    "metric_values": [
        '{"dept_code": "HOSP", "metric": "drug_share", "month": "2023-01", "value": 31.5}',
        '{"dept_code": "HOSP", "metric": "drug_share", "month": "2023-08", "value": 35.0}',
        '{"dept_code": "K01", "metric": "complaints", "month": "2023-01", "value": 1.0}',
        '{"dept_code": "K01", "metric": "complaints", "month": "2023-02", "value": 1.0}',
        '{"dept_code": "K01", "metric": "complaints", "month": "2023-03", "value": 0.0}',
        '{"dept_code": "K01", "metric": "complaints", "month": "2023-04", "value": 2.0}',
        '{"dept_code": "K01", "metric": "complaints", "month": "2023-05", "value": 3.0}',
        '{"dept_code": "K01", "metric": "complaints", "month": "2023-10", "value": 3.0}',
        '{"dept_code": "K01", "metric": "complaints", "month": "2023-11", "value": 0.0}',
        '{"dept_code": "K01", "metric": "patient_satisfaction", "month": "2023-01", "value": 90.0}',
        '{"dept_code": "K01", "metric": "patient_satisfaction", "month": "2023-02", "value": 95.0}',
        '{"dept_code": "K01", "metric": "patient_satisfaction", "month": "2023-03", "value": 96.0}',
        '{"dept_code": "K01", "metric": "patient_satisfaction", "month": "2023-04", "value": 10.0}',
        '{"dept_code": "K01", "metric": "patient_satisfaction", "month": "2023-05", "value": 97.0}',
        '{"dept_code": "K01", "metric": "patient_satisfaction", "month": "2023-10", "value": 10.0}',
        '{"dept_code": "K01", "metric": "patient_satisfaction", "month": "2023-11", "value": 90.0}',
        '{"dept_code": "K01", "metric": "staff_satisfaction", "month": "2023-01", "value": 91.0}',
        '{"dept_code": "K01", "metric": "staff_satisfaction", "month": "2023-02", "value": 91.0}',
        '{"dept_code": "K01", "metric": "staff_satisfaction", "month": "2023-03", "value": 92.0}',
        '{"dept_code": "K01", "metric": "staff_satisfaction", "month": "2023-04", "value": 93.0}',
        '{"dept_code": "K01", "metric": "staff_satisfaction", "month": "2023-05", "value": 94.0}',
        '{"dept_code": "K01", "metric": "staff_satisfaction", "month": "2023-10", "value": 0.5}',
        '{"dept_code": "K01", "metric": "staff_satisfaction", "month": "2023-11", "value": 90.0}',
        '{"dept_code": "K02", "metric": "complaints", "month": "2023-01", "value": 0.0}',
        '{"dept_code": "K02", "metric": "patient_satisfaction", "month": "2023-01", "value": 88.0}',
        '{"dept_code": "K02", "metric": "staff_satisfaction", "month": "2023-01", "value": 85.0}',
        '{"dept_code": "K03", "metric": "complaints", "month": "2023-01", "value": 2.0}',
        '{"dept_code": "K03", "metric": "complaints", "month": "2023-05", "value": 0.0}',
        '{"dept_code": "K03", "metric": "complaints", "month": "2023-06", "value": 0.0}',
        '{"dept_code": "K03", "metric": "complaints", "month": "2023-12", "value": 0.0}',
        '{"dept_code": "K03", "metric": "patient_satisfaction", "month": "2023-01", "value": 92.5}',
        '{"dept_code": "K03", "metric": "patient_satisfaction", "month": "2023-05", "value": 90.0}',
        '{"dept_code": "K03", "metric": "patient_satisfaction", "month": "2023-06", "value": 91.0}',
        '{"dept_code": "K03", "metric": "patient_satisfaction", "month": "2023-12", "value": 90.0}',
        '{"dept_code": "K03", "metric": "staff_satisfaction", "month": "2023-01", "value": 90.0}',
        '{"dept_code": "K03", "metric": "staff_satisfaction", "month": "2023-05", "value": 90.0}',
        '{"dept_code": "K03", "metric": "staff_satisfaction", "month": "2023-06", "value": 90.0}',
        '{"dept_code": "K03", "metric": "staff_satisfaction", "month": "2023-12", "value": 90.0}',
        '{"dept_code": "K98", "metric": "complaints", "month": "2023-03", "value": 0.0}',
        '{"dept_code": "K98", "metric": "patient_satisfaction", "month": "2023-03", "value": 90.0}',
        '{"dept_code": "K98", "metric": "staff_satisfaction", "month": "2023-03", "value": 90.0}',
    ],
}
EXPECTED_JOURNAL: list = [
    ["departments", ["K98"], None, {"dept_code": "K98", "dept_name": "新科室"}],
    [
        "metric_values",
        ["K01", "2023-02", "patient_satisfaction"],
        None,
        {"dept_code": "K01", "month": "2023-02", "metric": "patient_satisfaction", "value": 95.0},
    ],
    [
        "metric_values",
        ["K01", "2023-02", "staff_satisfaction"],
        None,
        {"dept_code": "K01", "month": "2023-02", "metric": "staff_satisfaction", "value": 91.0},
    ],
    [
        "metric_values",
        ["K01", "2023-02", "complaints"],
        None,
        {"dept_code": "K01", "month": "2023-02", "metric": "complaints", "value": 1.0},
    ],
    [
        "metric_values",
        ["K01", "2023-03", "patient_satisfaction"],
        None,
        {"dept_code": "K01", "month": "2023-03", "metric": "patient_satisfaction", "value": 96.0},
    ],
    [
        "metric_values",
        ["K01", "2023-03", "staff_satisfaction"],
        None,
        {"dept_code": "K01", "month": "2023-03", "metric": "staff_satisfaction", "value": 92.0},
    ],
    [
        "metric_values",
        ["K01", "2023-03", "complaints"],
        None,
        {"dept_code": "K01", "month": "2023-03", "metric": "complaints", "value": 0.0},
    ],
    [
        "metric_values",
        ["K01", "2023-04", "patient_satisfaction"],
        None,
        {"dept_code": "K01", "month": "2023-04", "metric": "patient_satisfaction", "value": 10.0},
    ],
    [
        "metric_values",
        ["K01", "2023-04", "staff_satisfaction"],
        None,
        {"dept_code": "K01", "month": "2023-04", "metric": "staff_satisfaction", "value": 93.0},
    ],
    [
        "metric_values",
        ["K01", "2023-04", "complaints"],
        None,
        {"dept_code": "K01", "month": "2023-04", "metric": "complaints", "value": 2.0},
    ],
    [
        "metric_values",
        ["K01", "2023-05", "patient_satisfaction"],
        None,
        {"dept_code": "K01", "month": "2023-05", "metric": "patient_satisfaction", "value": 97.0},
    ],
    [
        "metric_values",
        ["K01", "2023-05", "staff_satisfaction"],
        None,
        {"dept_code": "K01", "month": "2023-05", "metric": "staff_satisfaction", "value": 94.0},
    ],
    [
        "metric_values",
        ["K01", "2023-05", "complaints"],
        None,
        {"dept_code": "K01", "month": "2023-05", "metric": "complaints", "value": 3.0},
    ],
    [
        "metric_values",
        ["K98", "2023-03", "patient_satisfaction"],
        None,
        {"dept_code": "K98", "month": "2023-03", "metric": "patient_satisfaction", "value": 90.0},
    ],
    [
        "metric_values",
        ["K98", "2023-03", "staff_satisfaction"],
        None,
        {"dept_code": "K98", "month": "2023-03", "metric": "staff_satisfaction", "value": 90.0},
    ],
    [
        "metric_values",
        ["K98", "2023-03", "complaints"],
        None,
        {"dept_code": "K98", "month": "2023-03", "metric": "complaints", "value": 0.0},
    ],
    [
        "metric_values",
        ["K03", "2023-05", "patient_satisfaction"],
        None,
        {"dept_code": "K03", "month": "2023-05", "metric": "patient_satisfaction", "value": 90.0},
    ],
    [
        "metric_values",
        ["K03", "2023-05", "staff_satisfaction"],
        None,
        {"dept_code": "K03", "month": "2023-05", "metric": "staff_satisfaction", "value": 90.0},
    ],
    [
        "metric_values",
        ["K03", "2023-05", "complaints"],
        None,
        {"dept_code": "K03", "month": "2023-05", "metric": "complaints", "value": 0.0},
    ],
    [
        "metric_values",
        ["K03", "2023-06", "patient_satisfaction"],
        None,
        {"dept_code": "K03", "month": "2023-06", "metric": "patient_satisfaction", "value": 91.0},
    ],
    [
        "metric_values",
        ["K03", "2023-06", "staff_satisfaction"],
        None,
        {"dept_code": "K03", "month": "2023-06", "metric": "staff_satisfaction", "value": 90.0},
    ],
    [
        "metric_values",
        ["K03", "2023-06", "complaints"],
        None,
        {"dept_code": "K03", "month": "2023-06", "metric": "complaints", "value": 0.0},
    ],
    [
        "metric_values",
        ["HOSP", "2023-08", "drug_share"],
        None,
        {"dept_code": "HOSP", "month": "2023-08", "metric": "drug_share", "value": 35.0},
    ],
    [
        "metric_values",
        ["K01", "2023-10", "patient_satisfaction"],
        None,
        {"dept_code": "K01", "month": "2023-10", "metric": "patient_satisfaction", "value": 10.0},
    ],
    [
        "metric_values",
        ["K01", "2023-10", "staff_satisfaction"],
        None,
        {"dept_code": "K01", "month": "2023-10", "metric": "staff_satisfaction", "value": 0.5},
    ],
    [
        "metric_values",
        ["K01", "2023-10", "complaints"],
        None,
        {"dept_code": "K01", "month": "2023-10", "metric": "complaints", "value": 3.0},
    ],
    [
        "metric_values",
        ["K01", "2023-11", "patient_satisfaction"],
        None,
        {"dept_code": "K01", "month": "2023-11", "metric": "patient_satisfaction", "value": 90.0},
    ],
    [
        "metric_values",
        ["K01", "2023-11", "staff_satisfaction"],
        None,
        {"dept_code": "K01", "month": "2023-11", "metric": "staff_satisfaction", "value": 90.0},
    ],
    [
        "metric_values",
        ["K01", "2023-11", "complaints"],
        None,
        {"dept_code": "K01", "month": "2023-11", "metric": "complaints", "value": 0.0},
    ],
    [
        "metric_values",
        ["K03", "2023-12", "patient_satisfaction"],
        None,
        {"dept_code": "K03", "month": "2023-12", "metric": "patient_satisfaction", "value": 90.0},
    ],
    [
        "metric_values",
        ["K03", "2023-12", "staff_satisfaction"],
        None,
        {"dept_code": "K03", "month": "2023-12", "metric": "staff_satisfaction", "value": 90.0},
    ],
    [
        "metric_values",
        ["K03", "2023-12", "complaints"],
        None,
        {"dept_code": "K03", "month": "2023-12", "metric": "complaints", "value": 0.0},
    ],
]
EXPECTED_PREVIEW: dict = {
    "zh": {
        "problems": [
            ["", 6, "投诉件数", "1.5", "应为整数。"],
            ["", 7, "月份", "2023-13", "无法识别的月份（可写 2023-04、2023/4、2023年4月 或 202304）。"],
            ["", 7, "患者满意度", "101", "大于上限 100。"],
            ["", 7, "职工满意度", "abc", "不是数字。"],
            ["", 7, "投诉件数", "-1", "小于下限 0。"],
            ["", 8, "月份", "2023-02-30", "无法识别的月份（可写 2023-04、2023/4、2023年4月 或 202304）。"],
            ["", 8, "患者满意度", "-0.5", "小于下限 0。"],
            ["", 8, "职工满意度", "100.01", "大于上限 100。"],
            ["", 8, "投诉件数", "x", "不是数字。"],
            ["", 9, "月份", "", "必填项为空。"],
            ["", 10, "科室编码", "", "必填项为空。"],
            [
                "",
                11,
                "科室编码",
                "K99",
                "科室编码「K99」不在科室名录中，且未填写科室名称（填写科室名称即可新建该科室）。",
            ],
            ["", 13, "患者满意度", "inf", "不是数字。"],
            ["", 13, "职工满意度", "nan", "不是数字。"],
            ["", 16, "月份", "K01 2023-02", "与第 2 行重复（K01 2023-02）。"],
            ["", 17, "", "", "这一行没有填写任何指标。"],
            ["", 18, "月份", "K02 2023-07", "与第 17 行重复（K02 2023-07）。"],
            ["", 19, "患者满意度", "90", "「患者满意度」是科室指标，不能填在全院行。"],
            ["", 24, "患者满意度", "1 000", "大于上限 100。"],
            ["", 25, "患者满意度", "TRUE", "不是数字。"],
            ["", 29, "月份", "K03 2023-12", "与第 28 行重复（K03 2023-12）。"],
        ],
        "warnings": [
            ["", 21, "", "合计", "第 21 行是汇总行（合计），已跳过。"],
            ["", 23, "", "平均", "第 23 行是汇总行（平均），已跳过。"],
            [
                "",
                14,
                "科室名称",
                "普通外科",
                "第 14 行：科室编码「K03」在科室名录中的名称是「普外科」，文件中写的是「普通外科」（共 2 行）；保留名录中的名称（改名请上传科室名录）。",
            ],
            [
                "",
                0,
                "",
                "2023-02",
                "2023-02：上月（2023-01）上报过的 2 个科室不在本文件中：K02 呼吸内科、K03 普外科。是否漏了一张表？仍可提交，之后补传即可。",
            ],
            [
                "",
                0,
                "",
                "2023-05",
                "2023-05：上月（2023-04）上报过的 1 个科室不在本文件中：K98 新科室。是否漏了一张表？仍可提交，之后补传即可。",
            ],
            [
                "",
                0,
                "",
                "2023-07",
                "2023-07：上月（2023-06）上报过的 2 个科室不在本文件中：K01 心血管内科、K03 普外科。是否漏了一张表？仍可提交，之后补传即可。",
            ],
            [
                "",
                0,
                "",
                "2023-08",
                "2023-08：上月（2023-07）上报过的 1 个科室不在本文件中：K02 呼吸内科。是否漏了一张表？仍可提交，之后补传即可。",
            ],
            [
                "",
                0,
                "",
                "2023-12",
                "2023-12：上月（2023-11）上报过的 1 个科室不在本文件中：K01 心血管内科。是否漏了一张表？仍可提交，之后补传即可。",
            ],
        ],
        "counts": {"new": 11, "changed": 2, "unchanged": 0, "rejected": 14, "skipped": 2},
        "new_departments": [["K98", "新科室", 12]],
        "changes": [["30", "K01 2023-01", "患者满意度", "90", "91"], ["31", "HOSP 2023-01", "药占比", "31.5", "32"]],
    },
    "en": {
        "problems": [
            ["", 6, "投诉件数", "1.5", "Must be a whole number."],
            ["", 7, "月份", "2023-13", "Not a month (write 2023-04, 2023/4, 2023年4月 or 202304)."],
            ["", 7, "患者满意度", "101", "Above the maximum 100."],
            ["", 7, "职工满意度", "abc", "Not a number."],
            ["", 7, "投诉件数", "-1", "Below the minimum 0."],
            ["", 8, "月份", "2023-02-30", "Not a month (write 2023-04, 2023/4, 2023年4月 or 202304)."],
            ["", 8, "患者满意度", "-0.5", "Below the minimum 0."],
            ["", 8, "职工满意度", "100.01", "Above the maximum 100."],
            ["", 8, "投诉件数", "x", "Not a number."],
            ["", 9, "月份", "", "Required value is blank."],
            ["", 10, "科室编码", "", "Required value is blank."],
            [
                "",
                11,
                "科室编码",
                "K99",
                'Department code "K99" is not in the department list and no name is given (give a name to create it).',
            ],
            ["", 13, "患者满意度", "inf", "Not a number."],
            ["", 13, "职工满意度", "nan", "Not a number."],
            ["", 16, "月份", "K01 2023-02", "Duplicates line 2 (K01 2023-02)."],
            ["", 17, "", "", "This row fills in no metric."],
            ["", 18, "月份", "K02 2023-07", "Duplicates line 17 (K02 2023-07)."],
            [
                "",
                19,
                "患者满意度",
                "90",
                '"Patient satisfaction" is a department metric; it cannot go on the hospital-wide row.',
            ],
            ["", 24, "患者满意度", "1 000", "Above the maximum 100."],
            ["", 25, "患者满意度", "TRUE", "Not a number."],
            ["", 29, "月份", "K03 2023-12", "Duplicates line 28 (K03 2023-12)."],
        ],
        "warnings": [
            ["", 21, "", "合计", "Line 21 is a summary row (合计); skipped."],
            ["", 23, "", "平均", "Line 23 is a summary row (平均); skipped."],
            [
                "",
                14,
                "科室名称",
                "普通外科",
                "Line 14: department code K03 is named “普外科” in the department list but “普通外科” in the file (2 "
                "lines); the list's name is kept (upload a department list to rename it).",
            ],
            [
                "",
                0,
                "",
                "2023-02",
                "2023-02: 2 department(s) that reported last month (2023-01) are not in this file: K02 呼吸内科, K03 普外科. A sheet forgotten? You may still commit and upload them later.",
            ],
            [
                "",
                0,
                "",
                "2023-05",
                "2023-05: 1 department(s) that reported last month (2023-04) are not in this file: K98 新科室. A sheet forgotten? You may still commit and upload them later.",
            ],
            [
                "",
                0,
                "",
                "2023-07",
                "2023-07: 2 department(s) that reported last month (2023-06) are not in this file: K01 心血管内科, K03 普外科. A sheet forgotten? You may still commit and upload them later.",
            ],
            [
                "",
                0,
                "",
                "2023-08",
                "2023-08: 1 department(s) that reported last month (2023-07) are not in this file: K02 呼吸内科. A sheet forgotten? You may still commit and upload them later.",
            ],
            [
                "",
                0,
                "",
                "2023-12",
                "2023-12: 1 department(s) that reported last month (2023-11) are not in this file: K01 心血管内科. A sheet forgotten? You may still commit and upload them later.",
            ],
        ],
        "counts": {"new": 11, "changed": 2, "unchanged": 0, "rejected": 14, "skipped": 2},
        "new_departments": [["K98", "新科室", 12]],
        "changes": [
            ["30", "K01 2023-01", "Patient satisfaction", "90", "91"],
            ["31", "HOSP 2023-01", "Drug share", "31.5", "32"],
        ],
    },
}
EXPECTED_TYPED: dict = {
    "zh": {
        "problems": [
            ["数据", 9, "月份", "202413", "无法识别的月份（可写 2023-04、2023/4、2023年4月 或 202304）。"],
            ["数据", 5, "患者满意度", "True", "不是数字。"],
            ["数据", 6, "患者满意度", "nan", "不是数字。"],
            ["数据", 7, "患者满意度", "inf", "不是数字。"],
            ["数据", 9, "患者满意度", "100.5", "大于上限 100。"],
            ["数据", 7, "职工满意度", "-1", "小于下限 0。"],
            ["数据", 5, "投诉件数", "0.5", "应为整数。"],
            ["数据", 12, "药占比", "False", "不是数字。"],
            ["数据", 6, "", "", "这一行没有填写任何指标。"],
            ["数据", 12, "月份", "HOSP 2024-08", "与第 11 行重复（HOSP 2024-08）。"],
        ],
        "warnings": [["数据", 14, "", "合计", "第 14 行是汇总行（合计），已跳过。"]],
        "records": {
            "metric_values": [
                [3, {"dept_code": "K01", "month": "2024-01", "metric": "patient_satisfaction", "value": 95.0}],
                [3, {"dept_code": "K01", "month": "2024-01", "metric": "staff_satisfaction", "value": 91.0}],
                [3, {"dept_code": "K01", "month": "2024-01", "metric": "complaints", "value": 1.0}],
                [4, {"dept_code": "K01", "month": "2024-02", "metric": "patient_satisfaction", "value": 95.5}],
                [4, {"dept_code": "K01", "month": "2024-02", "metric": "staff_satisfaction", "value": 91.25}],
                [4, {"dept_code": "K01", "month": "2024-02", "metric": "complaints", "value": 2.0}],
                [8, {"dept_code": "K02", "month": "2024-06", "metric": "patient_satisfaction", "value": 100.0}],
                [8, {"dept_code": "K02", "month": "2024-06", "metric": "staff_satisfaction", "value": 0.0}],
                [8, {"dept_code": "K02", "month": "2024-06", "metric": "complaints", "value": 0.0}],
                [10, {"dept_code": "101", "month": "2024-07", "metric": "patient_satisfaction", "value": 80.0}],
                [10, {"dept_code": "101", "month": "2024-07", "metric": "staff_satisfaction", "value": 80.0}],
                [10, {"dept_code": "101", "month": "2024-07", "metric": "complaints", "value": 0.0}],
                [11, {"dept_code": "HOSP", "month": "2024-08", "metric": "drug_share", "value": 18.5}],
                [15, {"dept_code": "K01", "month": "2024-09", "metric": "patient_satisfaction", "value": 95.0}],
                [15, {"dept_code": "K01", "month": "2024-09", "metric": "staff_satisfaction", "value": 95.0}],
                [15, {"dept_code": "K01", "month": "2024-09", "metric": "complaints", "value": 1.0}],
            ]
        },
        "new_departments": [["101", "新科室", 10]],
        "data_lines": [3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 15],
        "skipped_lines": [14],
    },
    "en": {
        "problems": [
            ["数据", 9, "月份", "202413", "Not a month (write 2023-04, 2023/4, 2023年4月 or 202304)."],
            ["数据", 5, "患者满意度", "True", "Not a number."],
            ["数据", 6, "患者满意度", "nan", "Not a number."],
            ["数据", 7, "患者满意度", "inf", "Not a number."],
            ["数据", 9, "患者满意度", "100.5", "Above the maximum 100."],
            ["数据", 7, "职工满意度", "-1", "Below the minimum 0."],
            ["数据", 5, "投诉件数", "0.5", "Must be a whole number."],
            ["数据", 12, "药占比", "False", "Not a number."],
            ["数据", 6, "", "", "This row fills in no metric."],
            ["数据", 12, "月份", "HOSP 2024-08", "Duplicates line 11 (HOSP 2024-08)."],
        ],
        "warnings": [["数据", 14, "", "合计", "Line 14 is a summary row (合计); skipped."]],
        "records": {
            "metric_values": [
                [3, {"dept_code": "K01", "month": "2024-01", "metric": "patient_satisfaction", "value": 95.0}],
                [3, {"dept_code": "K01", "month": "2024-01", "metric": "staff_satisfaction", "value": 91.0}],
                [3, {"dept_code": "K01", "month": "2024-01", "metric": "complaints", "value": 1.0}],
                [4, {"dept_code": "K01", "month": "2024-02", "metric": "patient_satisfaction", "value": 95.5}],
                [4, {"dept_code": "K01", "month": "2024-02", "metric": "staff_satisfaction", "value": 91.25}],
                [4, {"dept_code": "K01", "month": "2024-02", "metric": "complaints", "value": 2.0}],
                [8, {"dept_code": "K02", "month": "2024-06", "metric": "patient_satisfaction", "value": 100.0}],
                [8, {"dept_code": "K02", "month": "2024-06", "metric": "staff_satisfaction", "value": 0.0}],
                [8, {"dept_code": "K02", "month": "2024-06", "metric": "complaints", "value": 0.0}],
                [10, {"dept_code": "101", "month": "2024-07", "metric": "patient_satisfaction", "value": 80.0}],
                [10, {"dept_code": "101", "month": "2024-07", "metric": "staff_satisfaction", "value": 80.0}],
                [10, {"dept_code": "101", "month": "2024-07", "metric": "complaints", "value": 0.0}],
                [11, {"dept_code": "HOSP", "month": "2024-08", "metric": "drug_share", "value": 18.5}],
                [15, {"dept_code": "K01", "month": "2024-09", "metric": "patient_satisfaction", "value": 95.0}],
                [15, {"dept_code": "K01", "month": "2024-09", "metric": "staff_satisfaction", "value": 95.0}],
                [15, {"dept_code": "K01", "month": "2024-09", "metric": "complaints", "value": 1.0}],
            ]
        },
        "new_departments": [["101", "新科室", 10]],
        "data_lines": [3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 15],
        "skipped_lines": [14],
    },
}
EXPECTED_VALUES_AFTER: dict = {
    "departments": [
        '{"active": 1, "category": null, "dept_code": "K01", "dept_name": "心血管内科", "is_demo": 0, '
        '"party_branch": null, "party_members": null, "staff_count": null}',
        '{"active": 1, "category": null, "dept_code": "K02", "dept_name": "呼吸内科", "is_demo": 0, '
        '"party_branch": null, "party_members": null, "staff_count": null}',
        '{"active": 1, "category": null, "dept_code": "K03", "dept_name": "普外科", "is_demo": 0, '
        '"party_branch": null, "party_members": null, "staff_count": null}',
        '{"active": 1, "category": null, "dept_code": "K98", "dept_name": "新科室", "is_demo": 0, '
        '"party_branch": null, "party_members": null, "staff_count": null}',
    ],
    "metric_values": [
        '{"dept_code": "HOSP", "metric": "drug_share", "month": "2023-01", "value": 32.0}',
        '{"dept_code": "HOSP", "metric": "drug_share", "month": "2023-08", "value": 35.0}',
        '{"dept_code": "K01", "metric": "complaints", "month": "2023-01", "value": 1.0}',
        '{"dept_code": "K01", "metric": "complaints", "month": "2023-02", "value": 1.0}',
        '{"dept_code": "K01", "metric": "complaints", "month": "2023-03", "value": 0.0}',
        '{"dept_code": "K01", "metric": "complaints", "month": "2023-04", "value": 2.0}',
        '{"dept_code": "K01", "metric": "complaints", "month": "2023-05", "value": 3.0}',
        '{"dept_code": "K01", "metric": "complaints", "month": "2023-10", "value": 3.0}',
        '{"dept_code": "K01", "metric": "complaints", "month": "2023-11", "value": 0.0}',
        '{"dept_code": "K01", "metric": "patient_satisfaction", "month": "2023-01", "value": 91.0}',
        '{"dept_code": "K01", "metric": "patient_satisfaction", "month": "2023-02", "value": 95.0}',
        '{"dept_code": "K01", "metric": "patient_satisfaction", "month": "2023-03", "value": 96.0}',
        '{"dept_code": "K01", "metric": "patient_satisfaction", "month": "2023-04", "value": 10.0}',
        '{"dept_code": "K01", "metric": "patient_satisfaction", "month": "2023-05", "value": 97.0}',
        '{"dept_code": "K01", "metric": "patient_satisfaction", "month": "2023-10", "value": 10.0}',
        '{"dept_code": "K01", "metric": "patient_satisfaction", "month": "2023-11", "value": 90.0}',
        '{"dept_code": "K01", "metric": "staff_satisfaction", "month": "2023-01", "value": 91.0}',
        '{"dept_code": "K01", "metric": "staff_satisfaction", "month": "2023-02", "value": 91.0}',
        '{"dept_code": "K01", "metric": "staff_satisfaction", "month": "2023-03", "value": 92.0}',
        '{"dept_code": "K01", "metric": "staff_satisfaction", "month": "2023-04", "value": 93.0}',
        '{"dept_code": "K01", "metric": "staff_satisfaction", "month": "2023-05", "value": 94.0}',
        '{"dept_code": "K01", "metric": "staff_satisfaction", "month": "2023-10", "value": 0.5}',
        '{"dept_code": "K01", "metric": "staff_satisfaction", "month": "2023-11", "value": 90.0}',
        '{"dept_code": "K02", "metric": "complaints", "month": "2023-01", "value": 0.0}',
        '{"dept_code": "K02", "metric": "patient_satisfaction", "month": "2023-01", "value": 88.0}',
        '{"dept_code": "K02", "metric": "staff_satisfaction", "month": "2023-01", "value": 85.0}',
        '{"dept_code": "K03", "metric": "complaints", "month": "2023-01", "value": 2.0}',
        '{"dept_code": "K03", "metric": "complaints", "month": "2023-05", "value": 0.0}',
        '{"dept_code": "K03", "metric": "complaints", "month": "2023-06", "value": 0.0}',
        '{"dept_code": "K03", "metric": "complaints", "month": "2023-12", "value": 0.0}',
        '{"dept_code": "K03", "metric": "patient_satisfaction", "month": "2023-01", "value": 92.5}',
        '{"dept_code": "K03", "metric": "patient_satisfaction", "month": "2023-05", "value": 90.0}',
        '{"dept_code": "K03", "metric": "patient_satisfaction", "month": "2023-06", "value": 91.0}',
        '{"dept_code": "K03", "metric": "patient_satisfaction", "month": "2023-12", "value": 90.0}',
        '{"dept_code": "K03", "metric": "staff_satisfaction", "month": "2023-01", "value": 90.0}',
        '{"dept_code": "K03", "metric": "staff_satisfaction", "month": "2023-05", "value": 90.0}',
        '{"dept_code": "K03", "metric": "staff_satisfaction", "month": "2023-06", "value": 90.0}',
        '{"dept_code": "K03", "metric": "staff_satisfaction", "month": "2023-12", "value": 90.0}',
        '{"dept_code": "K98", "metric": "complaints", "month": "2023-03", "value": 0.0}',
        '{"dept_code": "K98", "metric": "patient_satisfaction", "month": "2023-03", "value": 90.0}',
        '{"dept_code": "K98", "metric": "staff_satisfaction", "month": "2023-03", "value": 90.0}',
    ],
}
EXPECTED_JOURNAL: list = [
    ["departments", ["K98"], None, {"dept_code": "K98", "dept_name": "新科室"}],
    [
        "metric_values",
        ["K01", "2023-02", "patient_satisfaction"],
        None,
        {"dept_code": "K01", "month": "2023-02", "metric": "patient_satisfaction", "value": 95.0},
    ],
    [
        "metric_values",
        ["K01", "2023-02", "staff_satisfaction"],
        None,
        {"dept_code": "K01", "month": "2023-02", "metric": "staff_satisfaction", "value": 91.0},
    ],
    [
        "metric_values",
        ["K01", "2023-02", "complaints"],
        None,
        {"dept_code": "K01", "month": "2023-02", "metric": "complaints", "value": 1.0},
    ],
    [
        "metric_values",
        ["K01", "2023-03", "patient_satisfaction"],
        None,
        {"dept_code": "K01", "month": "2023-03", "metric": "patient_satisfaction", "value": 96.0},
    ],
    [
        "metric_values",
        ["K01", "2023-03", "staff_satisfaction"],
        None,
        {"dept_code": "K01", "month": "2023-03", "metric": "staff_satisfaction", "value": 92.0},
    ],
    [
        "metric_values",
        ["K01", "2023-03", "complaints"],
        None,
        {"dept_code": "K01", "month": "2023-03", "metric": "complaints", "value": 0.0},
    ],
    [
        "metric_values",
        ["K01", "2023-04", "patient_satisfaction"],
        None,
        {"dept_code": "K01", "month": "2023-04", "metric": "patient_satisfaction", "value": 10.0},
    ],
    [
        "metric_values",
        ["K01", "2023-04", "staff_satisfaction"],
        None,
        {"dept_code": "K01", "month": "2023-04", "metric": "staff_satisfaction", "value": 93.0},
    ],
    [
        "metric_values",
        ["K01", "2023-04", "complaints"],
        None,
        {"dept_code": "K01", "month": "2023-04", "metric": "complaints", "value": 2.0},
    ],
    [
        "metric_values",
        ["K01", "2023-05", "patient_satisfaction"],
        None,
        {"dept_code": "K01", "month": "2023-05", "metric": "patient_satisfaction", "value": 97.0},
    ],
    [
        "metric_values",
        ["K01", "2023-05", "staff_satisfaction"],
        None,
        {"dept_code": "K01", "month": "2023-05", "metric": "staff_satisfaction", "value": 94.0},
    ],
    [
        "metric_values",
        ["K01", "2023-05", "complaints"],
        None,
        {"dept_code": "K01", "month": "2023-05", "metric": "complaints", "value": 3.0},
    ],
    [
        "metric_values",
        ["K98", "2023-03", "patient_satisfaction"],
        None,
        {"dept_code": "K98", "month": "2023-03", "metric": "patient_satisfaction", "value": 90.0},
    ],
    [
        "metric_values",
        ["K98", "2023-03", "staff_satisfaction"],
        None,
        {"dept_code": "K98", "month": "2023-03", "metric": "staff_satisfaction", "value": 90.0},
    ],
    [
        "metric_values",
        ["K98", "2023-03", "complaints"],
        None,
        {"dept_code": "K98", "month": "2023-03", "metric": "complaints", "value": 0.0},
    ],
    [
        "metric_values",
        ["K03", "2023-05", "patient_satisfaction"],
        None,
        {"dept_code": "K03", "month": "2023-05", "metric": "patient_satisfaction", "value": 90.0},
    ],
    [
        "metric_values",
        ["K03", "2023-05", "staff_satisfaction"],
        None,
        {"dept_code": "K03", "month": "2023-05", "metric": "staff_satisfaction", "value": 90.0},
    ],
    [
        "metric_values",
        ["K03", "2023-05", "complaints"],
        None,
        {"dept_code": "K03", "month": "2023-05", "metric": "complaints", "value": 0.0},
    ],
    [
        "metric_values",
        ["K03", "2023-06", "patient_satisfaction"],
        None,
        {"dept_code": "K03", "month": "2023-06", "metric": "patient_satisfaction", "value": 91.0},
    ],
    [
        "metric_values",
        ["K03", "2023-06", "staff_satisfaction"],
        None,
        {"dept_code": "K03", "month": "2023-06", "metric": "staff_satisfaction", "value": 90.0},
    ],
    [
        "metric_values",
        ["K03", "2023-06", "complaints"],
        None,
        {"dept_code": "K03", "month": "2023-06", "metric": "complaints", "value": 0.0},
    ],
    [
        "metric_values",
        ["HOSP", "2023-08", "drug_share"],
        None,
        {"dept_code": "HOSP", "month": "2023-08", "metric": "drug_share", "value": 35.0},
    ],
    [
        "metric_values",
        ["K01", "2023-10", "patient_satisfaction"],
        None,
        {"dept_code": "K01", "month": "2023-10", "metric": "patient_satisfaction", "value": 10.0},
    ],
    [
        "metric_values",
        ["K01", "2023-10", "staff_satisfaction"],
        None,
        {"dept_code": "K01", "month": "2023-10", "metric": "staff_satisfaction", "value": 0.5},
    ],
    [
        "metric_values",
        ["K01", "2023-10", "complaints"],
        None,
        {"dept_code": "K01", "month": "2023-10", "metric": "complaints", "value": 3.0},
    ],
    [
        "metric_values",
        ["K01", "2023-11", "patient_satisfaction"],
        None,
        {"dept_code": "K01", "month": "2023-11", "metric": "patient_satisfaction", "value": 90.0},
    ],
    [
        "metric_values",
        ["K01", "2023-11", "staff_satisfaction"],
        None,
        {"dept_code": "K01", "month": "2023-11", "metric": "staff_satisfaction", "value": 90.0},
    ],
    [
        "metric_values",
        ["K01", "2023-11", "complaints"],
        None,
        {"dept_code": "K01", "month": "2023-11", "metric": "complaints", "value": 0.0},
    ],
    [
        "metric_values",
        ["K03", "2023-12", "patient_satisfaction"],
        None,
        {"dept_code": "K03", "month": "2023-12", "metric": "patient_satisfaction", "value": 90.0},
    ],
    [
        "metric_values",
        ["K03", "2023-12", "staff_satisfaction"],
        None,
        {"dept_code": "K03", "month": "2023-12", "metric": "staff_satisfaction", "value": 90.0},
    ],
    [
        "metric_values",
        ["K03", "2023-12", "complaints"],
        None,
        {"dept_code": "K03", "month": "2023-12", "metric": "complaints", "value": 0.0},
    ],
    [
        "metric_values",
        ["K01", "2023-01", "patient_satisfaction"],
        {"dept_code": "K01", "month": "2023-01", "metric": "patient_satisfaction", "value": 90.0},
        {"dept_code": "K01", "month": "2023-01", "metric": "patient_satisfaction", "value": 91.0},
    ],
    [
        "metric_values",
        ["HOSP", "2023-01", "drug_share"],
        {"dept_code": "HOSP", "month": "2023-01", "metric": "drug_share", "value": 31.5},
        {"dept_code": "HOSP", "month": "2023-01", "metric": "drug_share", "value": 32.0},
    ],
]


def test_stored_values_are_read_for_exactly_the_keys_asked(fresh_db):
    """The import reads stored values per department over the file's months; only the keys asked come back (v6:
    the hospital first in every key; another hospital's values are never read for this one's keys)."""
    db = fresh_db
    stored = [
        {"hospital_code": h, "dept_code": d, "month": m, "metric": k, "value": float(i)}
        for i, (h, d, m, k) in enumerate(
            (h, d, m, k)
            for h in ("", "B")
            for d in ("K01", "K02", "K10")
            for m in ("2023-01", "2023-02", "2023-03", "2023-04")
            for k in ("patient_satisfaction", "complaints")
        )
    ]
    with db.atomic():
        bid = store.insert_batch(db, kind="metrics", created_at="2023-05-01T00:00:00")
        store.apply_changes(db, bid, "metric_values", [(None, r) for r in stored])
    asked = [
        ("", "K01", "2023-02", "patient_satisfaction"),  # stored
        ["", "K02", "2023-03", "complaints"],  # stored, given as a list
        ("", "K02", "2023-02", "staff_satisfaction"),  # not stored (other metric)
        ("", "K10", "2023-05", "complaints"),  # not stored (other month)
        ("", "K03", "2023-02", "complaints"),  # not stored (other department)
        ("C", "K01", "2023-02", "complaints"),  # not stored (other hospital)
    ]
    got = store.fetch_rows(db, "metric_values", asked)
    by_key = {(r["hospital_code"], r["dept_code"], r["month"], r["metric"]): r for r in stored}
    want = [("", "K01", "2023-02", "patient_satisfaction"), ("", "K02", "2023-03", "complaints")]
    assert got == {k: by_key[k] for k in want}
    assert [list(r) for r in got.values()] == [["hospital_code", "dept_code", "month", "metric", "value"]] * 2
