"""What every page shares, beside ``pages/`` (Streamlit runs every file in ``pages/`` as a page, so helpers live
here): ``charts`` (every plotly chart, updated in place on a rerun), ``session`` (language, data version, choices
kept across a language switch), ``cache`` (the one cache of store reads and view-models), ``guard`` (a broken store,
who is signed in, role checks), ``hospital`` (the hospital a page shows and what it reads for it: view keys, views,
frames), ``widgets`` (selectors, filters, long tables) and ``warm`` (every page's default view worked out after a
commit). Pages call ``ui.<name>``; the names below are the pages' whole vocabulary. Nothing here computes business
logic (that lives in ``metrics/``).
"""

from __future__ import annotations

from ui.cache import (  # noqa: F401
    BUILDS,
    filed_view,
)
from ui.charts import PLOTLY_CONFIG, chart  # noqa: F401
from ui.guard import (  # noqa: F401
    JUST_SIGNED_IN_KEY,
    TOKEN_KEY,
    browser_secret,
    can,
    current_user,
    guarded,
    is_demo_store,
    require_role,
    sign_in,
    sign_out,
    signed_in_user,
    signing_in,
    store_guard,
    store_message,
    store_name,
)
from ui.hospital import (  # noqa: F401
    HOSPITAL_PARAM,
    current_hospital,
    dept_names,
    hospital_codes,
    hospital_selector,
    months_with_data,
    readable_hospitals,
    region_months,
    set_hospital,
    store_frames,
    title,
    view,
    view_key,
)
from ui.session import (  # noqa: F401
    LANG_KEY,
    NOT_FOUND_KEY,
    choose,
    data_version,
    keep,
    lang,
    md_escape,
    t,
)
from ui.widgets import (  # noqa: F401
    CHROME_CSS,
    dept_filter,
    marked_table,
    notices_register,
    paged,
    period_selector,
    picked_view,
    text_columns,
    trend_picker,
    uploader_css,
)
