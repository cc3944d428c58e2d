"""A bounded cache of rendered frames (by frame index), oldest use evicted first."""

from __future__ import annotations

from collections import OrderedDict

from flowmark_core.animate import FrameResult

DEFAULT_BUDGET_BYTES = 256 * 1024 * 1024


def result_bytes(result: FrameResult) -> int:
    """Approximate memory held by one result's arrays."""
    arrays = (
        result.output,
        result.driving,
        result.heatmaps,
        result.motion,
        result.occlusion,
        getattr(result, "driving_view", None),  # a ShownFrame's display picture
    )
    return sum(a.nbytes for a in arrays if a is not None) + 4096


class ResultCache:
    """Frame index -> FrameResult, bounded by an approximate byte budget."""

    def __init__(self, budget_bytes: int = DEFAULT_BUDGET_BYTES) -> None:
        self.budget_bytes = budget_bytes
        self._items: OrderedDict[int, FrameResult] = OrderedDict()
        self._bytes = 0

    def __len__(self) -> int:
        return len(self._items)

    def __contains__(self, index: object) -> bool:
        return index in self._items

    def get(self, index: int) -> FrameResult | None:
        """The cached result of frame `index` (marks it recently used), or None."""
        result = self._items.get(index)
        if result is not None:
            self._items.move_to_end(index)
        return result

    def put(self, index: int, result: FrameResult) -> None:
        """Store a result, evicting the least recently used ones beyond the budget."""
        old = self._items.pop(index, None)
        if old is not None:
            self._bytes -= result_bytes(old)
        self._items[index] = result
        self._bytes += result_bytes(result)
        while self._bytes > self.budget_bytes and len(self._items) > 1:
            _, evicted = self._items.popitem(last=False)
            self._bytes -= result_bytes(evicted)

    def clear(self) -> None:
        self._items.clear()
        self._bytes = 0
