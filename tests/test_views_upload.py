"""The upload page's view-model (metrics.views.upload.build) on real stores, without Streamlit: the kind picker's
labels, the templates (with the stored catalogue's metrics), the history as shown, the batch a rollback would undo
and the error reports on offer."""

from __future__ import annotations

import csv
import io

from metrics import contract, store
from metrics.ingest import importer
from metrics.views import ViewKey
from metrics.views import upload as upload_view

MONTHLY = "月份,科室编码,科室名称,患者满意度,投诉件数\n2024-04,K01,心血管内科,95.5,1\n2024-04,K02,呼吸科,*粗体*,0\n"


def _key(path, lang="zh") -> ViewKey:
    with store.opened(path) as db:
        return ViewKey.of(str(path), store.data_version(db), lang)


def test_kinds_and_templates_in_the_users_language(db_file):
    view = upload_view.build(_key(db_file))
    office_kinds = [k for k in contract.KINDS if k != "hospitals"]  # the hospital list is not an office's upload
    assert view.kinds == ("auto", *office_kinds)
    assert view.kind_labels["auto"] == "自动识别" and view.kind_labels["metrics"] == "科室月度指标"
    assert [t.kind for t in view.templates] == office_kinds
    metrics = next(t for t in view.templates if t.kind == "metrics")
    assert metrics.label == "科室月度指标" and metrics.xlsx_name == "metrics_template.xlsx"
    assert metrics.xlsx[:2] == b"PK"
    assert upload_view.build(_key(db_file, "en")).kind_labels["auto"] == "Recognise automatically"


def test_templates_carry_the_stored_catalogues_metric_names(db_file):
    with store.opened(db_file) as db:
        db["metric_catalogue"].update("patient_satisfaction", {"name_zh": "病人满意度（院定）"})
    metrics = next(t for t in upload_view.build(_key(db_file)).templates if t.kind == "metrics")
    header = next(csv.reader(io.StringIO(metrics.csv.decode("utf-8-sig"))))
    assert "病人满意度（院定）" in header and "患者满意度" not in header


def test_history_latest_batch_and_error_reports_as_shown(db_file):
    assert upload_view.build(_key(db_file)).history.empty
    done = importer.commit(MONTHLY.encode(), "满意度.csv", skip_invalid=True, user="ed")
    assert done.committed
    view = upload_view.build(_key(db_file))
    row = view.history.iloc[0]
    assert row["file_name"] == "满意度.csv" and row["kind"] == "科室月度指标" and row["status"] == "已提交"
    assert row["新增"] == 1 and row["有错误"] == 1
    assert list(view.history.columns)[:3] == ["batch_id", "file_name", "kind"]
    assert (view.latest, view.latest_name) == (done.batch_id, "满意度.csv")
    assert view.with_rejects == ((done.batch_id, f"{done.batch_id} · 满意度.csv"),)
    report = view.error_report(done.batch_id).decode("utf-8-sig")
    assert "*粗体*" in report and "不是数字" in report  # the rejected row as written, with its reason

    importer.rollback(done.batch_id, user="ed")
    view = upload_view.build(_key(db_file, "en"))
    assert view.history.iloc[0]["status"] == "Rolled back" and view.latest is None and view.latest_name == ""
    assert view.kind_label("metrics+events") == "Monthly department metrics+Veto / warning events"
