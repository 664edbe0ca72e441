"""Goods and origins for generator.py: HS subheadings with a chapter structure, a unit price
and a quantity scale each; 60 origins with a price level each (two of them cheap) and the
partners that report mirror statistics."""

from __future__ import annotations

import math

import numpy as np

from .generator_sample import Arr, Sampler

GEN, VEH, PET, LAB, COU = range(5)  # section kinds
KIND_CODES = ("GEN", "VEH", "PET", "LAB", "COU")
N_KINDS = len(KIND_CODES)

COUNTRIES = (
    "CN", "IN", "AE", "ZA", "KE", "JP", "US", "DE", "GB", "SA", "SG", "TR", "IT", "FR", "NL",
    "BE", "ES", "CH", "KR", "TH", "MY", "ID", "VN", "PK", "EG", "UG", "RW", "BI", "CD", "ZM",
    "MW", "MZ", "BR", "AR", "CA", "AU", "NZ", "SE", "DK", "NO", "FI", "PL", "CZ", "RU", "UA",
    "IR", "QA", "OM", "KW", "BH", "IL", "MA", "NG", "GH", "ET", "DJ", "SO", "MG", "MU", "LK",
)  # fmt: skip

# HS chapters each specialised kind handles (the general sections take everything, with
# little fuel and few vehicles).
KIND_CHAPTERS = {
    VEH: {87: 1.0, 40: 0.15, 84: 0.1},
    PET: {27: 1.0},
    LAB: dict.fromkeys((4, 15, 21, 22, *range(28, 39)), 1.0),
    COU: dict.fromkeys((42, 49, 61, 62, 64, 71, 84, 85, 90, 91, 95), 1.0),
}
SUBHEADINGS = (10, 11, 12, 19, 20, 21, 22, 29, 30, 31, 39, 40, 41, 49, 50, 90, 91, 99)


def goods(rng: np.random.Generator, n: int, lookalikes: bool) -> tuple[Arr, Arr, Arr, Arr, Arr, Arr, Sampler]:
    """HS subheadings with chapter structure, a log unit price and quantity scale each."""
    n_hs = int(np.clip(1000 + 500 * math.log10(max(n, 1) / 1e5), 1000, 2000))
    chapters = np.array([c for c in range(1, 98) if c != 77])
    weight = np.exp(rng.normal(0.0, 0.8, len(chapters)))
    for heavy in (84, 85, 87, 39, 72, 73, 61, 62, 30, 27):
        weight[chapters == heavy] *= 4
    per_chapter = np.minimum(
        np.maximum(3, np.round(n_hs * weight / weight.sum())), 60 * len(SUBHEADINGS)
    ).astype(int)
    codes = []
    for chapter, k in zip(chapters, per_chapter, strict=True):
        pool = rng.choice(60 * len(SUBHEADINGS), k, replace=False)
        heading, sub = 1 + pool // len(SUBHEADINGS), np.array(SUBHEADINGS)[pool % len(SUBHEADINGS)]
        codes.append(chapter * 10000 + heading * 100 + sub)
    hs_code = np.sort(np.concatenate(codes))
    hs_chapter = hs_code // 10000
    logprice = rng.uniform(math.log(1e2), math.log(3e6), len(hs_code))
    logqty = rng.uniform(0.0, math.log(5000), len(hs_code))
    kg = np.exp(rng.normal(0.0, 1.5, len(hs_code)))
    duty = rng.choice([0.0, 0.1, 0.25, 0.35], 100)
    rate = duty[hs_chapter] + 0.18
    popularity = np.exp(rng.normal(0.0, 1.3, len(hs_code)))
    groups, items, weights = [], [], []
    for kind in range(N_KINDS):
        factor = np.ones(len(hs_code))
        if kind in KIND_CHAPTERS:
            factor = np.array([KIND_CHAPTERS[kind].get(int(c), 0.0) for c in hs_chapter])
        elif lookalikes:
            factor = np.where(np.isin(hs_chapter, (27, 87)), 0.1, 1.0)
        keep = factor > 0
        groups.append(np.full(keep.sum(), kind))
        items.append(np.flatnonzero(keep))
        weights.append((popularity * factor)[keep])
    sampler = Sampler(np.concatenate(groups), np.concatenate(items), np.concatenate(weights), N_KINDS)
    return hs_code, hs_chapter, logprice, logqty, kg, rate, sampler


def origins(rng: np.random.Generator, lookalikes: bool) -> tuple[Sampler, Arr, Arr, Arr]:
    """Origins with Zipf-like weights and a price level each; two cheap origins among the big ones."""
    n_c = len(COUNTRIES)
    weight = 1.0 / (1 + np.arange(n_c)) ** 1.05 * np.exp(rng.normal(0.0, 0.3, n_c))
    factor = rng.normal(0.0, 0.15, n_c)
    cheap = rng.choice(np.arange(1, 7), 2, replace=False) if lookalikes else np.array([], dtype=np.int64)
    factor[cheap] = math.log(0.4)
    reporting = rng.random(n_c) < 0.7
    reporting[:10] = True
    return Sampler(np.zeros(n_c, dtype=np.int64), np.arange(n_c), weight, 1), cheap, reporting, factor
