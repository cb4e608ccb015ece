"""The store: every line of SQL in the project lives in this package, one module per area:

- ``engine``: which store a path or URL names (SQLite file or PostgreSQL server), the PostgreSQL pool and wrapper;
- ``schema``: the file, connections (fresh per call, WAL), schema, migrations, meta and the data version;
- ``reads``: data tables and aggregates for pages, and (a write that sits here) the bench's bulk load;
- ``journal``: batches — the one write path every kind ends in, rollback, clear;
- ``accounts``: users, sessions, sign-in attempts, the audit log;
- ``files``: integrity, backup copies and restore checks.

Callers use ``from metrics import store`` and ``store.<name>``: every name is handed on here. Values always go
through parameters, never f-strings; identifiers in f-strings come from fixed table lists, never from input.
"""

from __future__ import annotations

from metrics.store.accounts import (  # noqa: F401
    USER_FIELDS,
    audit_entries,
    audit_facets,
    audit_log,
    clear_signin_attempts,
    count_admins,
    count_skipped_audit,
    count_user_sessions,
    delete_session,
    delete_user,
    delete_user_sessions,
    ensure_sessions,
    forget_signin_attempts,
    give_back_audit_budget,
    grant_hospitals,
    hospital_codes,
    hospitals,
    insert_session,
    insert_user,
    pop_skipped_audit,
    record_failed_signin,
    revoke_hospitals,
    session_user,
    set_signin_attempt,
    signin_account_failures,
    signin_attempt,
    take_audit_budget,
    touch_session,
    update_user,
    user_hospitals,
    user_row,
    users,
)
from metrics.store.applications import applications  # noqa: F401
from metrics.store.brands import brand_notes, brand_projects  # noqa: F401
from metrics.store.engine import (  # noqa: F401
    dispose,
    hide_passwords,
    is_server,
    libpq_target,
    masked,
    pg_drop_database,
    pg_scratch_tag,
    pg_sweep_scratch,
)
from metrics.store.files import (  # noqa: F401
    MIGRATED_COLUMNS,
    RESTORE_REQUIRED_TABLES,
    copy_store,
    expected_schema,
    integrity_problems,
    page_size,
    pg_create_database,
    pg_restore_problems,
    pg_server_version,
    readable_data_version,
    restore_problems,
    set_page_size,
)
from metrics.store.journal import (  # noqa: F401
    _fetch_metric_values,
    _json_column,
    _json_object_format,
    _json_row,
    _json_str,
    _json_value,
    _to_json,
    apply_changes,
    batch,
    batch_rejects,
    batches,
    clear_data,
    delete_rows,
    export_tables,
    fetch_rows,
    find_batch_by_sha,
    insert_batch,
    insert_rejects,
    later_batch,
    latest_committed_batch_id,
    revert_batch,
    table_frame,
    wrote_shared,
)
from metrics.store.reads import (  # noqa: F401
    _BULK_COLUMNS,
    EDIT_FILE_NAME,
    Hospital,
    _num,
    activities,
    award_changes,
    bulk_load,
    calendar_days,
    departments,
    events,
    hospital_tuple,
    indicator_catalogue,
    is_empty,
    metric_catalogue,
    metric_defs,
    metric_value_chunks,
    metric_values,
    month_range,
    months_with_data,
    notices,
    region_all_targets,
    region_awards,
    region_metric,
    region_notices,
    region_period_values,
    region_tasks,
    reporting_departments,
    staff,
    targets,
    tasks,
)
from metrics.store.remind import contacts, record_sends, reminder_sends  # noqa: F401
from metrics.store.risks import risks  # noqa: F401
from metrics.store.schema import (  # noqa: F401
    _SCHEMA,
    _SESSIONS_DDL,
    DB_ENV,
    DEFAULT_DB,
    ERRORS,
    HOSPITAL_TABLES,
    SCHEMA_VERSION,
    _connect_read_only,
    _ensure_wal,
    _migrate,
    _seed_catalogues,
    _tighten,
    bump_data_version,
    connect,
    create_private,
    data_version,
    db_path,
    ensure_schema,
    get_meta,
    opened,
    problem_key,
    set_meta,
    table_columns,
)
from metrics.store.talks import talks  # noqa: F401
from metrics.store.tx import FRAME_CHUNK_ROWS, _frame, immediate, now_iso  # noqa: F401
from metrics.store.units import award_units, unit_award_changes  # noqa: F401
