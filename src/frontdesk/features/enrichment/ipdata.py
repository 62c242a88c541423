"""Offline IP -> organisation (ASN) and country lookups from the @ip-location-db packages.

The data ships in npm packages (@ip-location-db/asn, @ip-location-db/geo-whois-asn-country),
installed with the front end and copied into frontdesk/data/ by the build. Nothing is downloaded
at run time; without the files, lookups answer nothing and the console says "IP data not
installed".
"""

from __future__ import annotations

import asyncio
import csv
import ipaddress
import logging
import threading
from array import array
from bisect import bisect_left, bisect_right
from dataclasses import dataclass
from pathlib import Path

log = logging.getLogger("frontdesk.enrichment")

DEFAULT_DATA_DIR = Path(__file__).resolve().parents[2] / "data"
_SHARED: dict[Path, IpDirectory] = {}
_SHARED_LOCK = threading.Lock()


@dataclass(frozen=True)
class IpInfo:
    asn: int | None
    organisation: str | None
    country: str | None


class _RangeTable:
    """Sorted, non-overlapping [start, end] integer ranges with a value index each.

    Compact unsigned arrays only: IPv4 in 32-bit, IPv6 split into high and low 64-bit halves
    (as Python ints the IPv6 ranges alone cost ~40 MB a process)."""

    def __init__(self, wide: bool) -> None:
        self.wide = wide
        code = "Q" if wide else "L"
        self.starts = array(code)
        self.ends = array(code)
        # IPv6 only: the low 64 bits (`starts`/`ends` then hold the high 64 bits).
        self.starts_low = array("Q")
        self.ends_low = array("Q")
        self.values: array[int] = array("l")

    def add(self, start: int, end: int, value: int) -> None:
        if self.wide:
            self.starts.append(start >> 64)
            self.starts_low.append(start & _LOW64)
            self.ends.append(end >> 64)
            self.ends_low.append(end & _LOW64)
        else:
            self.starts.append(start)
            self.ends.append(end)
        self.values.append(value)

    def find(self, number: int) -> int | None:
        if not self.wide:
            index = bisect_right(self.starts, number) - 1
            if index >= 0 and number <= self.ends[index]:
                return self.values[index]
            return None
        high, low = number >> 64, number & _LOW64
        # The last range starting at or before (high, low): among the ranges whose start has
        # the same high half (sorted by low half), else the last one with a lower high half.
        first = bisect_left(self.starts, high)
        past = bisect_right(self.starts, high, first)
        index = bisect_right(self.starts_low, low, first, past) - 1
        if index < first:
            index = first - 1
        if index < 0:
            return None
        if number <= (self.ends[index] << 64) | self.ends_low[index]:
            return self.values[index]
        return None


_LOW64 = (1 << 64) - 1


class IpDirectory:
    def __init__(self, data_dir: Path | None = None) -> None:
        # FRONTDESK_IP_DATA_DIR (Settings.ip_data_dir) names another directory.
        self.data_dir = data_dir or DEFAULT_DATA_DIR
        self._asn = {4: _RangeTable(False), 6: _RangeTable(True)}
        self._country = {4: _RangeTable(False), 6: _RangeTable(True)}
        self._names: list[str] = []
        self._countries: list[str] = []
        self.loaded = False
        self.available = False
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()
        self._loaded = threading.Event()

    def start_loading(self) -> None:
        """Load in a worker thread so start-up is not held up (about two seconds for all data)."""
        with self._lock:
            if self._thread is None:
                self._thread = threading.Thread(
                    target=self.load, name="ip-data-loader", daemon=True
                )
                self._thread.start()

    async def ready(self) -> None:
        self.start_loading()
        await asyncio.to_thread(self._loaded.wait)

    @classmethod
    def shared(cls, data_dir: Path | None = None) -> IpDirectory:
        """One directory per process: the data is read-only and costs ~80 MB and 2 s to load."""
        key = (data_dir or DEFAULT_DATA_DIR).resolve()
        with _SHARED_LOCK:
            if key not in _SHARED:
                _SHARED[key] = cls(data_dir)
            return _SHARED[key]

    def load(self) -> None:
        try:
            self._load()
        finally:
            self.loaded = True
            self._loaded.set()

    def _load(self) -> None:
        names: dict[str, int] = {}
        countries: dict[str, int] = {}
        found = False
        for version in (4, 6):
            asn_file = self.data_dir / f"asn-ipv{version}-num.csv"
            if asn_file.exists():
                found = True
                with asn_file.open(newline="") as handle:
                    for row in csv.reader(handle):
                        if len(row) < 4:
                            continue
                        label = f"AS{row[2]}|{row[3]}"
                        index = names.setdefault(label, len(names))
                        self._asn[version].add(int(row[0]), int(row[1]), index)
            country_file = self.data_dir / f"geo-whois-asn-country-ipv{version}-num.csv"
            if country_file.exists():
                found = True
                with country_file.open(newline="") as handle:
                    for row in csv.reader(handle):
                        if len(row) < 3:
                            continue
                        index = countries.setdefault(row[2].upper(), len(countries))
                        self._country[version].add(int(row[0]), int(row[1]), index)
        self._names = list(names)
        self._countries = list(countries)
        self.available = found
        self.loaded = True
        self._loaded.set()
        if not found:
            log.warning("offline IP data not installed", extra={"dir": str(self.data_dir)})

    def lookup(self, ip: str | None) -> IpInfo | None:
        if not ip or not self.loaded:
            return None
        try:
            address = ipaddress.ip_address(ip)
        except ValueError:
            return None
        if not address.is_global:
            return None
        number = int(address)
        asn_index = self._asn[address.version].find(number)
        country_index = self._country[address.version].find(number)
        if asn_index is None and country_index is None:
            return None
        asn, organisation = None, None
        if asn_index is not None:
            label = self._names[asn_index]
            asn_text, organisation = label.split("|", 1)
            asn = int(asn_text[2:])
        country = self._countries[country_index] if country_index is not None else None
        return IpInfo(asn, organisation, country)
