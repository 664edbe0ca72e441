"""Matrices as versioned data: every preset's grid is what the lookup reads, and check() names the place."""

from __future__ import annotations

import copy
from importlib import resources
from typing import Any

import pytest
from ruamel.yaml import YAML

from arusha.risks import matrices
from arusha.risks.matrices import MatrixError, Scale, check


def _shipped() -> dict[str, Any]:
    raw = resources.files("arusha.risks").joinpath("data/matrices.yaml").read_text(encoding="utf-8")
    data: dict[str, Any] = YAML(typ="safe").load(raw)
    presets: dict[str, Any] = data["presets"]
    return presets


def _preset(code: str = "5x5") -> dict[str, Any]:
    """A preset as plain data, to spoil in one place."""
    return copy.deepcopy(matrices.presets()[code].model_dump(mode="json"))


def test_the_level_of_every_cell_of_every_preset_equals_its_grid() -> None:
    shipped = _shipped()
    looked_up = 0
    for code in ("3x3", "4x4", "5x5"):
        scale = Scale(matrices.presets()[code])
        grid = shipped[code]["grid"]
        rows, columns = scale.size
        assert (rows, columns) == (len(grid), len(grid[0]))
        for likelihood in range(1, rows + 1):
            for impact in range(1, columns + 1):
                assert scale.level(likelihood, impact) == grid[likelihood - 1][impact - 1], (
                    code,
                    likelihood,
                    impact,
                )
                looked_up += 1
    assert looked_up == 50  # 9 + 16 + 25


def test_the_level_is_read_not_multiplied() -> None:
    scale = Scale(matrices.presets()["5x5"])
    # 1 x 5 and 5 x 1 have the same product, but the 5x5 preset gives them different levels.
    assert scale.level(1, 5) == "medium"
    assert scale.level(5, 1) == "medium"
    assert scale.level(2, 5) == "high"
    assert scale.level(5, 2) == "high"
    assert scale.level(4, 5) == "very_high"
    with pytest.raises(MatrixError):
        scale.level(6, 1)


def test_every_preset_describes_impact_in_six_dimensions_and_in_three_languages() -> None:
    for code, definition in matrices.presets().items():
        assert definition.dimensions == list(matrices.DIMENSIONS), code
        for level in definition.impact:
            assert set(level.description) == set(matrices.DIMENSIONS), (code, level.code)
            for text in level.description.values():
                assert set(text) == {"en", "fr", "es"}, (code, level.code)
        assert definition.appetite.zero_tolerance, code


def test_a_grid_with_a_missing_row_is_refused_naming_the_grid() -> None:
    data = _preset()
    data["grid"].pop()
    with pytest.raises(MatrixError, match="grid needs 5 rows"):
        check(data)


def test_a_grid_row_with_a_missing_cell_is_refused_naming_the_row() -> None:
    data = _preset()
    data["grid"][2].pop()
    with pytest.raises(MatrixError, match="Grid row 3 needs 5 cells"):
        check(data)


def test_an_unknown_level_in_the_grid_is_refused_naming_the_cell() -> None:
    data = _preset()
    data["grid"][1][3] = "extreme"
    with pytest.raises(MatrixError, match=r"Grid row 2, cell 4: unknown level 'extreme'"):
        check(data)


def test_a_cell_lower_than_the_one_before_it_is_refused() -> None:
    data = _preset()
    data["grid"][4][2] = "low"  # row 5: medium, high, low … harm went up, the level went down
    with pytest.raises(MatrixError, match="Grid row 5, cell 3: lower than the cell before it"):
        check(data)


def test_a_cell_lower_than_the_row_below_it_is_refused() -> None:
    data = _preset()
    data["grid"][3][0] = "low"
    data["grid"][4][0] = "low"
    data["grid"][2][0] = "medium"  # row 3 higher than row 4 in the same column
    with pytest.raises(MatrixError, match="Grid row 4, cell 1: lower than the row below it"):
        check(data)


def test_an_acceptable_level_above_the_tolerable_one_is_refused() -> None:
    data = _preset()
    data["appetite"]["acceptable"] = "very_high"
    with pytest.raises(MatrixError, match="acceptable level cannot be above the tolerable level"):
        check(data)


def test_a_level_nobody_may_accept_is_refused() -> None:
    data = _preset()
    del data["appetite"]["acceptors"]["medium"]
    with pytest.raises(MatrixError, match="Say who may accept the level 'medium'"):
        check(data)


def test_an_acceptor_above_the_tolerable_level_is_refused() -> None:
    data = _preset()
    data["appetite"]["acceptors"]["very_high"] = "head_of_administration"
    with pytest.raises(MatrixError, match="above the tolerable level"):
        check(data)


def test_a_label_without_english_is_refused_naming_the_level() -> None:
    data = _preset()
    data["levels"][2]["label"] = {"fr": "Élevé", "es": "Alto"}
    with pytest.raises(MatrixError, match="The risk level high needs an English text"):
        check(data)


def test_a_name_without_english_is_refused() -> None:
    data = _preset()
    data["name"] = {"fr": "Cinq sur cinq"}
    with pytest.raises(MatrixError, match="The name needs an English text"):
        check(data)


def test_a_bad_colour_is_refused_naming_its_place() -> None:
    data = _preset()
    data["levels"][0]["colour"] = "<script>"
    with pytest.raises(MatrixError, match=r"^levels > 0 > colour: "):
        check(data)


def test_ranks_must_run_from_one() -> None:
    data = _preset()
    data["likelihood"][0]["rank"] = 6
    with pytest.raises(MatrixError, match="likelihood ranks must be 1 to 5"):
        check(data)


def test_an_unknown_part_is_refused_naming_it() -> None:
    data = _preset()
    data["colours"] = {}
    with pytest.raises(MatrixError, match=r"^colours: "):
        check(data)
