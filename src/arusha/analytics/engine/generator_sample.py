"""Vectorised weighted draws and shuffled identifier numbers, for generator.py."""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt

Arr = npt.NDArray[Any]


class Sampler:
    """Weighted choice of one entry within a group, vectorised over millions of draws.

    Walker's alias method: each group's entries get a threshold and an alias, so one
    uniform number picks an entry with two lookups (bisection over millions of random
    draws would be several times slower, for want of cache).
    """

    def __init__(self, groups: Arr, items: Arr, weights: Arr, n_groups: int) -> None:
        order = np.argsort(groups, kind="stable")
        sorted_groups = np.asarray(groups)[order]
        self.items = np.asarray(items)[order]
        weight = np.asarray(weights, dtype=np.float64)[order]
        self.first = np.searchsorted(sorted_groups, np.arange(n_groups), side="left")
        self.size = np.searchsorted(sorted_groups, np.arange(n_groups), side="right") - self.first
        self.threshold = np.ones(len(weight))
        self.alias = np.arange(len(weight))
        for first, size in zip(self.first.tolist(), self.size.tolist(), strict=True):
            if size:
                self._walker(first, size, weight[first : first + size])

    def _walker(self, first: int, size: int, weight: Arr) -> None:
        scaled = (weight * size / weight.sum()).tolist()
        small = [i for i, w in enumerate(scaled) if w < 1.0]
        large = [i for i, w in enumerate(scaled) if w >= 1.0]
        while small and large:
            low, high = small.pop(), large[-1]
            self.threshold[first + low] = scaled[low]
            self.alias[first + low] = first + high
            scaled[high] -= 1.0 - scaled[low]
            if scaled[high] < 1.0:
                small.append(large.pop())

    def draw(self, group: Arr, u: Arr) -> Arr:
        """One entry per draw: `group[k]` chooses the group, `u[k]` in [0, 1) the entry."""
        x = u * self.size[group]
        entry = x.astype(np.int64)
        fraction = x - entry
        entry += self.first[group]
        chosen: Arr = self.items[np.where(fraction < self.threshold[entry], entry, self.alias[entry])]
        return chosen

    def draw_one(self, u: Arr) -> Arr:
        """Draws in a sampler of a single group."""
        x = u * int(self.size[0])
        entry = x.astype(np.int64)
        chosen: Arr = self.items[np.where(x - entry < self.threshold[entry], entry, self.alias[entry])]
        return chosen


def labels(rng: np.random.Generator, n: int) -> Arr:
    """Shuffled identifier numbers from 1, so that an identifier says nothing about its entity."""
    return rng.permutation(n).astype(np.int64) + 1
