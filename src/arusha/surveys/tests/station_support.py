"""What the station tests share: an enrolled station and calls to its API as a tablet makes them."""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass
from typing import Any

from django.test import Client
from django.urls import reverse
from tests.surveys import Field

from arusha.surveys.models import Station, Wave
from arusha.surveys.services.ingest import Incoming
from arusha.surveys.services.stations import station_create, station_enrol


@dataclass
class Tablet:
    station: Station
    token: str
    client: Client

    def get(self, url: str, **extra: Any) -> Any:
        return self.client.get(url, HTTP_AUTHORIZATION=f"Bearer {self.token}", **extra)

    def post(self, url: str, body: Any, **extra: Any) -> Any:
        data = body if isinstance(body, bytes | str) else json.dumps(body)
        return self.client.post(
            url,
            data=data,
            content_type="application/json",
            HTTP_AUTHORIZATION=f"Bearer {self.token}",
            **extra,
        )

    def send(self, wave: Wave, batch: list[Incoming]) -> Any:
        return self.post(reverse("station-api-envelopes"), {"wave": wave.pk, "envelopes": wire(batch)})


def wire(batch: list[Incoming]) -> list[dict[str, str]]:
    """Envelopes as a station sends them: ID, SHA-256 and base64 bytes."""
    return [
        {
            "response_id": str(item.response_id),
            "digest": item.digest,
            "ciphertext": base64.b64encode(item.ciphertext).decode(),
        }
        for item in batch
    ]


def tablet(f: Field, *, waves: list[Wave] | None = None, name: str = "Tablet 1") -> Tablet:
    fresh = station_create(actor=f.manager, organization=f.organization, name=name, waves=waves or [f.wave])
    enrolled = station_enrol(fresh.code)
    assert enrolled is not None
    return Tablet(enrolled.station, enrolled.token, Client())


def outcomes(response: Any) -> list[str]:
    assert response.status_code == 200, response.content
    return [receipt["outcome"] for receipt in response.json()["receipts"]]
