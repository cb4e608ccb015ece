"""docs/DEPLOY.md's env file sets what its own set-up needs: it puts nginx in front of the replicas, so the sign-in
lockout must read the client's address from the proxy (INTEGRITY_TRUSTED_PROXY, as docs/OPERATING.md tells operators)."""

from __future__ import annotations

import re
from pathlib import Path

from metrics.access import lockout

ROOT = Path(__file__).resolve().parent.parent


def _env_file() -> dict[str, str]:
    text = (ROOT / "docs" / "DEPLOY.md").read_text(encoding="utf-8")
    block = re.search(r"cat > /etc/integrity.env <<'EOF'\n(.*?)\nEOF", text, re.S)
    assert block, "DEPLOY.md writes /etc/integrity.env"
    return dict(line.split("=", 1) for line in block[1].splitlines() if "=" in line and not line.startswith("#"))


def test_the_deploy_env_file_trusts_its_own_proxy():
    env = _env_file()
    assert env.get(lockout.TRUSTED_PROXY_ENV) == "1"
    text = (ROOT / "docs" / "DEPLOY.md").read_text(encoding="utf-8")
    assert "X-Forwarded-For" in text  # explained: why, and when never to set it
