"""deploy/scripts/install-system-packages.sh, run against a fake apt-get: it installs exactly what is missing,
with the flags CI needs, and does nothing the second time."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

pytestmark = pytest.mark.unit

SCRIPT = Path("deploy/scripts/install-system-packages.sh")

# apt-get that records its arguments and, on install, provides the commands the packages would.
# Only shell built-ins and absolute paths: PATH holds nothing else.
FAKE_APT_GET = """#!/bin/sh
echo "$*" >> {bin}/apt-get.log
if [ "$1" = install ]; then
    for package in "$@"; do
        case "$package" in
            prometheus) echo '#!/bin/sh' > {bin}/promtool; /bin/chmod +x {bin}/promtool ;;
            chromium) echo '#!/bin/sh' > {bin}/chromium; /bin/chmod +x {bin}/chromium ;;
        esac
    done
fi
"""
FAKE_SUDO = '#!/bin/sh\nexec "$@"\n'


def _tool(directory: Path, name: str, text: str) -> None:
    (directory / name).write_text(text)
    (directory / name).chmod(0o755)


def _run(repo_root: Path, bin_dir: Path) -> subprocess.CompletedProcess[str]:
    # PATH holds only the fakes (and `id`), so the machine's own promtool or chromium is not seen.
    environment = {"PATH": str(bin_dir), "HOME": os.environ.get("HOME", "/")}
    return subprocess.run(
        ["/bin/bash", str(repo_root / SCRIPT)], env=environment, capture_output=True, text=True, check=False
    )


@pytest.fixture
def bin_dir(tmp_path: Path) -> Path:
    _tool(tmp_path, "apt-get", FAKE_APT_GET.format(bin=tmp_path))
    _tool(tmp_path, "sudo", FAKE_SUDO)  # used only when the test does not run as root
    (tmp_path / "id").symlink_to("/usr/bin/id")
    return tmp_path


def test_installs_what_is_missing_then_nothing(repo_root: Path, bin_dir: Path) -> None:
    first = _run(repo_root, bin_dir)
    assert first.returncode == 0, first.stdout + first.stderr
    calls = (bin_dir / "apt-get.log").read_text().splitlines()
    assert calls[0] == "update"
    command, packages = calls[1].split(" --no-install-recommends ")
    assert command == "install -y"
    assert sorted(packages.split()) == ["chromium", "prometheus"]
    assert "promtool missing, needs Debian package prometheus" in first.stdout

    second = _run(repo_root, bin_dir)
    assert second.returncode == 0, second.stdout + second.stderr
    assert "nothing to install" in second.stdout
    assert len((bin_dir / "apt-get.log").read_text().splitlines()) == 2


def test_installs_only_the_missing_package(repo_root: Path, bin_dir: Path) -> None:
    _tool(bin_dir, "chromium", "#!/bin/sh\n")
    result = _run(repo_root, bin_dir)
    assert result.returncode == 0, result.stdout + result.stderr
    assert (bin_dir / "apt-get.log").read_text().splitlines()[1] == "install -y --no-install-recommends prometheus"
