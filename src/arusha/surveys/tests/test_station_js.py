"""The station's script agrees with the server: relevance, the walk over items, and envelopes (Node)."""

from __future__ import annotations

import base64
import json
import random
import shutil
import subprocess
import uuid
from pathlib import Path
from typing import Any

import pytest
from tests.surveys import PASSPHRASE, field

from arusha.surveys.form import FormSpec, check
from arusha.surveys.keys import decrypt, digest, open_private
from arusha.surveys.package import package_of
from arusha.surveys.relevance import evaluate

CORE = Path(__file__).resolve().parents[1] / "static" / "surveys" / "station-core.js"
NODE = shutil.which("node")

pytestmark = pytest.mark.skipif(NODE is None, reason="Node is not installed")

HARNESS = """
const core = require(process.argv[1]);
const input = JSON.parse(require("fs").readFileSync(0, "utf8"));
(async () => {
  const out = {};
  out.relevance = input.relevance.map(([tree, answers]) => core.evaluate(tree, answers));
  out.walks = input.walks.map((answers) => core.walk(input.items, answers).answers);
  out.sealed = [];
  for (const respondent of input.respondents) out.sealed.push(await core.seal(input.pkg, respondent));
  process.stdout.write(JSON.stringify(out));
})().catch((error) => { console.error(error); process.exit(1); });
"""


def _node(payload: dict[str, Any]) -> dict[str, Any]:
    assert NODE is not None
    done = subprocess.run(
        [NODE, "-e", HARNESS, str(CORE)],
        input=json.dumps(payload),
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    result: dict[str, Any] = json.loads(done.stdout)
    return result


VALUES: list[Any] = [
    "1",
    "2",
    "4",
    "10",
    " 4 ",
    "4.5",
    "abc",
    "B",
    "",
    "1e1",
    "1_0",
    "inf",
    "nan",
    "-3",
    3,
    4,
    2.5,
    -1,
]
NAMES = ["a", "b", "c"]


def _operand(rng: random.Random) -> list[Any]:
    if rng.random() < 0.5:
        return ["ref", rng.choice(NAMES)]
    return ["lit", rng.choice(VALUES)]


def _tree(rng: random.Random, depth: int = 0) -> list[Any]:
    roll = rng.random()
    if depth < 3 and roll < 0.3:
        return [rng.choice(["and", "or"]), _tree(rng, depth + 1), _tree(rng, depth + 1)]
    if depth < 3 and roll < 0.4:
        return ["not", _tree(rng, depth + 1)]
    if roll < 0.55:
        return ["selected", rng.choice(NAMES), rng.choice(VALUES)]
    return ["cmp", rng.choice(["=", "!=", ">", ">=", "<", "<="]), _operand(rng), _operand(rng)]


def _answers(rng: random.Random) -> dict[str, Any]:
    answers: dict[str, Any] = {}
    for name in NAMES:
        roll = rng.random()
        if roll < 0.2:
            continue
        if roll < 0.35:
            answers[name] = rng.sample([v for v in VALUES if isinstance(v, str)], rng.randint(0, 3))
        else:
            answers[name] = rng.choice(VALUES)
    return answers


@pytest.mark.django_db
def test_the_script_agrees_with_the_server_on_relevance_walks_and_envelopes(cast) -> None:  # type: ignore[no-untyped-def]
    rng = random.Random(20260)  # noqa: S311 - reproducible test data, not a secret
    cases = [(_tree(rng), _answers(rng)) for _ in range(3000)]
    f = field(cast)
    pkg = json.loads(package_of(f.wave).data)
    items = pkg["questionnaire"]["items"]
    agree = ["1", "2", "3", "4", "5", "98", "99"]
    walks = []
    for _ in range(200):
        answers: dict[str, Any] = {
            "age": rng.choice(["18-29", "30-44", "45+"]),
            "kf1_fair": rng.choice(agree),
        }
        for name in ("kf2_rules", "kf3_bribe"):
            if rng.random() < 0.7:
                answers[name] = rng.choice(agree)
        if rng.random() < 0.6:
            answers["kf3_why"] = "because"  # kept only when kf3_bribe >= 4
        walks.append(answers)
    respondents = [
        {"response_id": str(uuid.uuid4()), "group": "broker", "language": "fr", "answers": walks[i]}
        for i in range(3)
    ]
    out = _node({"relevance": cases, "items": items, "walks": walks, "pkg": pkg, "respondents": respondents})

    expected = [evaluate(tree, answers) for tree, answers in cases]
    differ = [(cases[i], expected[i]) for i, got in enumerate(out["relevance"]) if got != expected[i]]
    assert differ == [], differ[:5]
    assert sum(expected) not in (0, len(expected))  # both answers occur: the comparison means something

    spec = FormSpec.of(f.questionnaire)
    for given, kept in zip(walks, out["walks"], strict=True):
        body = {"response_id": str(uuid.uuid4()), "questionnaire": 1, "group": "staff", "language": "en"}
        checked = check(spec, {**body, "answers": kept})  # the server accepts what the walk keeps
        # Relevant when ${kf3_bribe} >= 4 (the special codes 98 and 99 are numbers too).
        assert ("kf3_why" in kept) == ("kf3_why" in given and int(given.get("kf3_bribe", "0")) >= 4)
        assert {**checked.demographics, **checked.answers} == kept

    key = open_private(bytes(f.wave.private_key or b""), PASSPHRASE)
    for respondent, sealed in zip(respondents, out["sealed"], strict=True):
        data = base64.b64decode(sealed["ciphertext"])
        assert sealed["digest"] == digest(data)
        assert sealed["response_id"] == respondent["response_id"]
        opened = decrypt(key, data)
        assert set(opened) == {"response_id", "questionnaire", "group", "language", "answers"}
        assert opened["questionnaire"] == 1 and opened["group"] == "broker" and opened["language"] == "fr"
        assert opened["response_id"] == respondent["response_id"]
