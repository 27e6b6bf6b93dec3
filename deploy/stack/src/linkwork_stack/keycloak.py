"""A real Keycloak (OpenID Connect provider) run from the Maven Central distribution, bound to 127.0.0.1.

No Docker: Maven unpacks `org.keycloak:keycloak-quarkus-dist` (see deploy/keycloak/pom.xml) into the cache once.
Each server gets a home of its own: small copies of the writable parts (start-dev re-augments into
`lib/quarkus`) and a link to the shared jars, so tests, `linkwork-stack run` and other worktrees never write
into one another's Keycloak. The committed realm (deploy/keycloak/linkwork-realm.json) is imported at every
start into an in-memory database: the demo users and clients are always exactly what the file says.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import httpx

from linkwork_stack import paths
from linkwork_stack.prerequisites import require_java, require_maven
from linkwork_stack.server_process import ServerProcess

REALM = "linkwork"
# Development only: every demo user in the committed realm has this password.
DEMO_PASSWORD = "linkwork-demo"
# The audience the services check, and the clients in the realm (see deploy/keycloak/README.md).
SERVICES_AUDIENCE = "linkwork-services"
CONSOLE_CLIENT = "linkwork-console"
CONSOLE_CLIENT_SECRET = "linkwork-console-development-secret"
CLI_CLIENT = "linkwork-cli"
SYSTEM_CLIENT = "linkwork-system"
SYSTEM_CLIENT_SECRET = "linkwork-system-development-secret"
ADMIN_USER = "admin"
ADMIN_PASSWORD = "linkwork-admin"
# Keycloak's first start-dev on a busy two-core machine has been seen to take several minutes.
START_TIMEOUT = 600.0


def version() -> str:
    """The Keycloak version the pom pins: one place to change it."""
    match = re.search(r"<keycloak\.version>([^<]+)</keycloak\.version>", paths.KEYCLOAK_POM.read_text())
    if match is None:
        raise RuntimeError(f"no <keycloak.version> in {paths.KEYCLOAK_POM}")
    return match.group(1)


def distribution_dir() -> Path:
    return paths.cache_dir() / f"keycloak-{version()}"


def provision_distribution() -> Path:
    """Unpack the Keycloak distribution with Maven into the cache, unless already there."""
    target = distribution_dir()
    if (target / "bin" / "kc.sh").exists():
        return target
    mvn = require_maven()
    target.parent.mkdir(parents=True, exist_ok=True)
    # Unpack into a scratch folder and rename, so an interrupted unpack is never mistaken for a complete one.
    scratch = Path(tempfile.mkdtemp(prefix="keycloak-", dir=target.parent))
    print(f"[stack] resolving Keycloak {version()} with Maven into {target} (first run only)", flush=True)
    result = subprocess.run(
        [
            mvn,
            "-q",
            "-B",
            "-f",
            str(paths.KEYCLOAK_POM),
            "dependency:unpack",
            f"-Dkeycloak.unpack.dir={scratch}",
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    unpacked = scratch / target.name
    if result.returncode != 0 or not (unpacked / "bin" / "kc.sh").exists():
        shutil.rmtree(scratch, ignore_errors=True)
        raise RuntimeError(f"Maven could not resolve Keycloak:\n{result.stdout}\n{result.stderr}")
    if not (target / "bin" / "kc.sh").exists():
        shutil.rmtree(target, ignore_errors=True)
        unpacked.rename(target)
    shutil.rmtree(scratch, ignore_errors=True)
    return target


def _lay_out_home(home: Path, distribution: Path) -> None:
    """A Keycloak home sharing the distribution's jars; everything Keycloak writes stays inside `home`."""
    if (home / "bin" / "kc.sh").exists():
        return
    home.mkdir(parents=True, exist_ok=True)
    for part in ("bin", "conf", "themes", "providers", "lib/app", "lib/quarkus"):
        if (distribution / part).exists():
            shutil.copytree(distribution / part, home / part, symlinks=True)
    shutil.copy2(distribution / "lib" / "quarkus-run.jar", home / "lib" / "quarkus-run.jar")
    (home / "lib" / "lib").symlink_to(distribution / "lib" / "lib", target_is_directory=True)


@dataclass
class KeycloakServer(ServerProcess):
    """One Keycloak process in start-dev mode; `data` holds its home, realm import and log."""

    data: Path
    port: int = 8080
    heap: str = "512m"
    realm_file: Path = field(default_factory=lambda: paths.KEYCLOAK_REALM)
    process: subprocess.Popen[bytes] | None = field(default=None, init=False)
    _log: IO[bytes] | None = field(default=None, init=False)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def realm(self) -> KeycloakRealm:
        return KeycloakRealm(self.url)

    @property
    def log_file(self) -> Path:
        return self.data / "keycloak.log"

    def start(self, timeout: float = START_TIMEOUT) -> None:
        self.launch()
        self.wait_until_ready(timeout)

    def launch(self) -> None:
        """Start the process and return at once: the runner starts Kafka and PostgreSQL meanwhile."""
        java = require_java()
        home = self.data / "home"
        _lay_out_home(home, provision_distribution())
        imports = home / "data" / "import"
        imports.mkdir(parents=True, exist_ok=True)
        shutil.copy2(self.realm_file, imports / f"{REALM}-realm.json")
        self._log = self.log_file.open("ab")
        env = {
            **os.environ,
            "JAVA_HOME": str(Path(java).resolve().parents[1]),
            "JAVA_OPTS_KC_HEAP": f"-Xms64m -Xmx{self.heap}",
            "KC_BOOTSTRAP_ADMIN_USERNAME": ADMIN_USER,
            "KC_BOOTSTRAP_ADMIN_PASSWORD": ADMIN_PASSWORD,
        }
        self.process = subprocess.Popen(
            [
                str(home / "bin" / "kc.sh"),
                "start-dev",
                "--http-host=127.0.0.1",
                f"--http-port={self.port}",
                # One issuer whatever name a client uses to reach us, so every token's `iss` is this one.
                f"--hostname={self.url}",
                # The realm is imported afresh at each start; nothing to keep between runs.
                "--db=dev-mem",
                "--import-realm",
            ],
            cwd=home,
            env=env,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def wait_until_ready(self, timeout: float = START_TIMEOUT) -> None:
        """Wait until the realm is served; start-dev on a busy machine can take minutes, hence the long default."""
        realm = self.realm()
        self.wait_until(realm.is_ready, timeout, f"serving its realm {REALM} at {realm.discovery_url}")


@dataclass(frozen=True)
class DemoUser:
    username: str
    role: str
    pcn: str | None
    organisation: str | None = None


# The demo users of deploy/keycloak/linkwork-realm.json (a test checks the two agree). Development only.
DEMO_USERS = (
    DemoUser("referrer", "referrer", "U00001", "B86001"),
    DemoUser("link-worker", "link_worker", "U00001"),
    DemoUser("link-worker-2", "link_worker", "U00001"),
    DemoUser("link-worker-other-pcn", "link_worker", "U00002"),
    DemoUser("pcn-admin", "pcn_admin", "U00001"),
    DemoUser("commissioner", "commissioner", None),
    DemoUser("curator", "curator", None),
    # The first organisation of the demo directory (`linkwork_directory.entrypoints.demo`, seed 7).
    DemoUser("provider", "provider", None, "df35ebec-cb55-5610-a9c2-08533f62ab6e"),
)
# One demo user per role, for callers that only know the role they need.
USER_FOR_ROLE = {user.role: user.username for user in reversed(DEMO_USERS)}


def service_env(issuer: str) -> dict[str, str]:
    """Environment for a linkwork service to trust the realm at `issuer` (RS256 through its JWKS)."""
    return {
        "LINKWORK_JWKS_URL": f"{issuer}/protocol/openid-connect/certs",
        "LINKWORK_JWT_ISSUER": issuer,
        "LINKWORK_JWT_AUDIENCE": SERVICES_AUDIENCE,
    }


def password_token(
    issuer: str, username: str, password: str = DEMO_PASSWORD, *, audience: bool = True, timeout: float = 30.0
) -> dict[str, Any]:
    """A real token response for a realm user, through the CLI client's password grant (development and tests).

    With `audience=False` the access token lacks the services' audience: Keycloak signed it, yet every service
    must refuse it.
    """
    response = httpx.post(
        f"{issuer}/protocol/openid-connect/token",
        data={
            "grant_type": "password",
            "client_id": CLI_CLIENT,
            "username": username,
            "password": password,
            "scope": "openid linkwork-services" if audience else "openid",
        },
        timeout=timeout,
    )
    if response.status_code != 200:
        raise RuntimeError(f"Keycloak refused a token for {username!r}: HTTP {response.status_code} {response.text}")
    body: dict[str, Any] = response.json()
    return body


@dataclass
class KeycloakRealm:
    """The linkwork realm on a running Keycloak at `url`: its endpoints and real tokens for the demo users."""

    url: str
    realm: str = REALM
    # Seconds on a clock that only goes forward; a unit test passes a fake one to cross a token's lifespan at once.
    clock: Callable[[], float] = field(default=time.monotonic, repr=False)
    _tokens: dict[tuple[str, bool], tuple[str, float]] = field(default_factory=dict, init=False, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, init=False, repr=False)

    @property
    def issuer(self) -> str:
        return f"{self.url.rstrip('/')}/realms/{self.realm}"

    @property
    def jwks_url(self) -> str:
        return f"{self.issuer}/protocol/openid-connect/certs"

    @property
    def token_url(self) -> str:
        return f"{self.issuer}/protocol/openid-connect/token"

    @property
    def discovery_url(self) -> str:
        return f"{self.issuer}/.well-known/openid-configuration"

    def service_env(self) -> dict[str, str]:
        return service_env(self.issuer)

    def is_ready(self) -> bool:
        try:
            return httpx.get(self.discovery_url, timeout=5).status_code == 200
        except httpx.HTTPError:
            return False

    def token(self, username: str, *, audience: bool = True) -> str:
        """An access token for a demo user, reused until shortly before it expires."""
        key = (username, audience)
        with self._lock:
            cached = self._tokens.get(key)
            if cached is not None and cached[1] > self.clock():
                return cached[0]
            # The lifespan runs from when Keycloak issued the token, so count it from before asking: on a loaded
            # machine the answer can take seconds, and counting from its arrival would overstate what is left.
            asked = self.clock()
            body = password_token(self.issuer, username, audience=audience)
            # Refresh a little early, so a token never expires between being handed out and being checked.
            self._tokens[key] = (str(body["access_token"]), asked + int(body["expires_in"]) - 30)
            return str(body["access_token"])

    def system_token(self, client_id: str = SYSTEM_CLIENT, secret: str = SYSTEM_CLIENT_SECRET) -> str:
        """A client-credentials token for a system (an integration engine): its service account is a referrer."""
        response = httpx.post(
            self.token_url,
            data={"grant_type": "client_credentials", "client_id": client_id, "client_secret": secret},
            timeout=30.0,
        )
        if response.status_code != 200:
            raise RuntimeError(
                f"Keycloak refused a token for {client_id!r}: HTTP {response.status_code} {response.text}"
            )
        return str(response.json()["access_token"])

    def headers(self, role: str, subject: str | None = None, organisation: str | None = None) -> dict[str, str]:
        """`Authorization` for the demo user of `role`: a drop-in for the HS256 helpers' `(role, subject=...)`.

        Keycloak decides the subject and organisation, so those arguments are accepted and ignored.
        """
        del subject, organisation
        return {"Authorization": f"Bearer {self.token(USER_FOR_ROLE[role])}"}
