"""getStats' report: W3C stats objects by id."""

from __future__ import annotations

import json
from typing import Any


class RTCStats(dict):  # type: ignore[type-arg]
    """One stats object: its W3C members (``id``, ``type``, ``timestamp`` and those of its
    type) as a dict, also readable as attributes, as aiortc's stats objects are."""

    def __getattr__(self, name: str) -> Any:
        try:
            return self[name]
        except KeyError:
            raise AttributeError(name) from None


class RTCStatsReport(dict):  # type: ignore[type-arg]
    """Stats objects by id (``report.values()`` to walk them, as with aiortc)."""

    @classmethod
    def _from_json(cls, text: str) -> "RTCStatsReport":
        report = cls()
        for entry in json.loads(text):
            report[entry["id"]] = RTCStats(entry)
        return report
