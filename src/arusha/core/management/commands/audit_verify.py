"""`manage.py audit_verify`: recompute the audit log's hash chain and name its first broken link."""

from __future__ import annotations

import re
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from arusha.core import audit_chain
from arusha.core.audit_chain import Break

_ANCHOR = re.compile(r"^(\d+):([0-9a-f]{64})$")


def describe(broken: Break) -> str:
    """One sentence an operator can act on: where the chain breaks and what differs."""
    where = {"sequence": broken.sequence, "id": broken.event_id}
    if broken.kind == Break.GAP:
        return _(
            "The audit chain is broken at sequence %(sequence)s: that event is missing "
            "(the next event, id %(id)s, has sequence %(found)s)."
        ) % {**where, "found": broken.found}
    if broken.kind == Break.PREVIOUS:
        return _(
            "The audit chain is broken at sequence %(sequence)s (event id %(id)s): its previous hash "
            "%(found)s is not the hash of the event before it, %(expected)s."
        ) % {**where, "found": broken.found, "expected": broken.expected}
    if broken.kind == Break.HASH and broken.event_id is None:
        return _(
            "The audit chain does not match the anchor at sequence %(sequence)s: expected hash "
            "%(expected)s, found %(found)s."
        ) % {**where, "expected": broken.expected, "found": broken.found or _("no event")}
    if broken.kind == Break.HASH:
        return _(
            "The audit chain is broken at sequence %(sequence)s (event id %(id)s): the event's content "
            "does not match its hash (stored %(found)s, computed %(expected)s)."
        ) % {**where, "found": broken.found, "expected": broken.expected}
    if not broken.expected:
        return _("The audit chain head is missing: the events cannot be checked against it.")
    return _(
        "The audit chain is broken at sequence %(sequence)s: the chain head says the last event is "
        "%(expected)s, but the events stop at %(found)s."
    ) % {**where, "expected": broken.expected, "found": broken.found}


class Command(BaseCommand):
    help = (
        "Recompute the hash chain of the audit trail. Prints the number of events checked, or the "
        "first broken link (sequence number, event id, what differs) and exits with status 1."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--chunk-size", type=int, default=2000, help="Rows read per database round trip.")
        parser.add_argument(
            "--anchor",
            action="append",
            default=[],
            metavar="SEQUENCE:HASH",
            help="Also check that the event with this sequence number has this hash (noted earlier "
            "from this command's output, outside the database). Repeatable.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        anchors: dict[int, str] = {}
        for text in options["anchor"]:
            match = _ANCHOR.match(text.strip().lower())
            if not match:
                raise CommandError(_("--anchor takes SEQUENCE:HASH, e.g. 1200:<64 hexadecimal digits>."))
            anchors[int(match[1])] = match[2]
        if options["chunk_size"] < 1:
            raise CommandError(_("--chunk-size must be at least 1."))
        start = time.perf_counter()
        result = audit_chain.verify(chunk_size=options["chunk_size"])
        broken = result.broken or (audit_chain.verify_anchor(anchors) if anchors else None)
        if broken is not None:
            self.stderr.write(
                _("%(count)s events checked before the break.") % {"count": f"{result.count:,}"}
            )
            raise CommandError(describe(broken), returncode=1)
        self.stdout.write(
            self.style.SUCCESS(
                _(
                    "The audit chain holds: %(count)s events verified in %(seconds).1f s; "
                    "last sequence %(sequence)s, hash %(hash)s."
                )
                % {
                    "count": f"{result.count:,}",
                    "seconds": time.perf_counter() - start,
                    "sequence": result.last_sequence,
                    "hash": result.last_hash,
                }
            )
        )
