"""What the reporters' page tests share: a browser that solves the proof of work as report.js does."""

from __future__ import annotations

import html
import re
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from arusha.cases import pow


def hidden(page: str, name: str) -> str:
    """The value of a hidden field of the page (HTML-unescaped)."""
    found = re.search(rf'name="{re.escape(name)}" value="([^"]*)"', page)
    assert found is not None, f"the page carries no {name}"
    return html.unescape(found.group(1))


def solved(page: str) -> dict[str, str]:
    """The page's challenge with the nonce a browser would find."""
    challenge = hidden(page, "challenge")
    return {"challenge": challenge, "nonce": pow.solve(challenge)}


def channel_url(organization: str, channel: str) -> str:
    return reverse("report-channel", kwargs={"organization": organization, "channel": channel})


def followup_url(organization: str) -> str:
    return reverse("report-followup", kwargs={"organization": organization})


def send_report(client: Client, organization: str, channel: str, **fields: Any) -> Any:
    """Open the channel's form, solve its challenge and send `fields` (question keys as q_<key>)."""
    url = channel_url(organization, channel)
    extra = {key: value for key, value in fields.items() if key.startswith("HTTP_") or key == "REMOTE_ADDR"}
    data = {key: value for key, value in fields.items() if key not in extra}
    page = client.get(url, **extra).content.decode()
    return client.post(url, {**solved(page), **data}, **extra)


def receipt_of(response: Any) -> str:
    found = re.search(r'<p class="receipt" lang="en">([\d ]+)</p>', response.content.decode())
    assert found is not None, "the page shows no receipt"
    return found.group(1)


def upload(name: str, data: bytes, content_type: str = "text/plain") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type=content_type)
