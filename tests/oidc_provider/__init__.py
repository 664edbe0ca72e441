"""A real OpenID Connect provider for the browser tests (django-oauth-toolkit, its own process).

`start(directory, redirect_uri)` migrates a throw-away SQLite database, registers Arusha
as a confidential client with PKCE, adds the people of `people`, and serves the
provider on a free loopback port until `Provider.stop()`.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CLIENT_ID = "arusha-browser-test"
CLIENT_SECRET = "arusha-browser-test-secret"  # a throw-away provider's secret, for tests only


@dataclass
class Provider:
    url: str
    process: subprocess.Popen[bytes]

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=10)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def start(directory: Path, redirect_uri: str, people: list[dict[str, str]]) -> Provider:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.oidc_provider.settings",
        "PYTHONPATH": str(ROOT),
        "OIDC_PROVIDER_DIR": str(directory),
    }
    env.pop("ARUSHA_ENV", None)
    run = [sys.executable, "-m", "django"]
    subprocess.run([*run, "migrate", "--noinput", "-v", "0"], env=env, check=True, cwd=ROOT)
    setup = {"client_id": CLIENT_ID, "secret": CLIENT_SECRET, "redirect_uri": redirect_uri, "people": people}
    subprocess.run(
        [sys.executable, "-m", "tests.oidc_provider.setup", json.dumps(setup)], env=env, check=True, cwd=ROOT
    )
    port = _free_port()
    with (directory / "provider.log").open("wb") as log:  # the child keeps its own copy of the handle
        process = subprocess.Popen(
            [*run, "runserver", "--noreload", "--nothreading", f"127.0.0.1:{port}"],
            env=env,
            cwd=ROOT,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    url = f"http://127.0.0.1:{port}/o"
    deadline = time.monotonic() + 30
    while True:
        try:
            # A loopback http URL that this module built itself.
            with urllib.request.urlopen(f"{url}/.well-known/openid-configuration", timeout=2):  # noqa: S310
                break
        except OSError:
            if time.monotonic() > deadline or process.poll() is not None:
                process.kill()
                raise RuntimeError((directory / "provider.log").read_text()) from None
            time.sleep(0.2)
    return Provider(url=url, process=process)
