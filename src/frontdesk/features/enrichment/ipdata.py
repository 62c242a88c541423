"""Offline IP -> organisation (ASN) and country lookups from the @ip-location-db packages.

The data ships in npm packages (@ip-location-db/asn, @ip-location-db/geo-whois-asn-country),
installed with the front end and copied into frontdesk/data/ by the build. Nothing is downloaded
at run time; without the files, lookups answer nothing and the console says "IP data not
installed".

Reading the CSV files costs a process about 1.3 s of CPU (a million rows), which a restarted
server used to spend while thousands of visitors reconnected (issue 21). So the tables are kept
in a compact file of their own (`ipdata-v1.bin`: the ranges as unsigned integer arrays, the
organisation names as one UTF-8 blob with offsets), written once after the CSV files were read
and mapped into memory by every later start in well under a millisecond: no Python objects per
row, the pages shared by every process on the machine. The file records the size and mtime of
each CSV file it was made from; a changed CSV makes it stale and it is written again. It is
written next to the CSV files, or (read-only package) into the cache directory the app names
(FRONTDESK_DATA_DIR).
"""

from __future__ import annotations

import asyncio
import contextlib
import csv
import ipaddress
import json
import logging
import mmap
import os
import struct
import threading
from array import array
from bisect import bisect_left, bisect_right
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

log = logging.getLogger("frontdesk.enrichment")

DEFAULT_DATA_DIR = Path(__file__).resolve().parents[2] / "data"
_SHARED: dict[Path, IpDirectory] = {}
_SHARED_LOCK = threading.Lock()

# The compact file: MAGIC, the header's length (u32, little-endian), the header (JSON), then
# the sections, each at a multiple of 8 bytes (native byte order, noted in the header).
COMPACT_NAME = "ipdata-v1.bin"
_MAGIC = b"FDIPDAT1"
_SOURCES = (
    "asn-ipv4-num.csv",
    "asn-ipv6-num.csv",
    "geo-whois-asn-country-ipv4-num.csv",
    "geo-whois-asn-country-ipv6-num.csv",
)
_TABLES = ("asn4", "asn6", "country4", "country6")


@dataclass(frozen=True)
class IpInfo:
    asn: int | None
    organisation: str | None
    country: str | None


class _RangeTable:
    """Sorted, non-overlapping [start, end] integer ranges with a value index each.

    Compact unsigned arrays only: IPv4 in 32-bit, IPv6 split into high and low 64-bit halves
    (as Python ints the IPv6 ranges alone cost ~40 MB a process). Built row by row from the
    CSV files (arrays), or views into the mapped compact file (memoryviews)."""

    _COLUMNS = ("starts", "ends", "starts_low", "ends_low", "values")

    def __init__(self, wide: bool) -> None:
        self.wide = wide
        code = "Q" if wide else "I"
        self.starts: Sequence[int] = array(code)
        self.ends: Sequence[int] = array(code)
        # IPv6 only: the low 64 bits (`starts`/`ends` then hold the high 64 bits).
        self.starts_low: Sequence[int] = array("Q")
        self.ends_low: Sequence[int] = array("Q")
        self.values: Sequence[int] = array("I")

    def add(self, start: int, end: int, value: int) -> None:
        assert isinstance(self.starts, array) and isinstance(self.ends, array)
        assert isinstance(self.values, array)
        if self.wide:
            assert isinstance(self.starts_low, array) and isinstance(self.ends_low, array)
            self.starts.append(start >> 64)
            self.starts_low.append(start & _LOW64)
            self.ends.append(end >> 64)
            self.ends_low.append(end & _LOW64)
        else:
            self.starts.append(start)
            self.ends.append(end)
        self.values.append(value)

    def columns(self) -> list[tuple[str, array[int]]]:
        found = []
        for name in self._COLUMNS:
            column = getattr(self, name)
            assert isinstance(column, array)
            found.append((name, column))
        return found

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
    def __init__(self, data_dir: Path | None = None, cache_dir: Path | None = None) -> None:
        # FRONTDESK_IP_DATA_DIR (Settings.ip_data_dir) names another directory.
        self.data_dir = data_dir or DEFAULT_DATA_DIR
        # Where the compact file goes when data_dir cannot be written (FRONTDESK_DATA_DIR).
        self.cache_dir = cache_dir
        self._asn = {4: _RangeTable(False), 6: _RangeTable(True)}
        self._country = {4: _RangeTable(False), 6: _RangeTable(True)}
        # "AS{number}|{organisation}" for each ASN value index: a list (read from the CSV
        # files), or UTF-8 bytes with offsets (mapped from the compact file).
        self._names: list[str] = []
        self._names_blob: memoryview | None = None
        self._names_offsets: Sequence[int] = ()
        self._countries: list[str] = []
        self._mapped: mmap.mmap | None = None
        # Where the tables came from: "compact" (the mapped file), "csv", or None.
        self.source: str | None = None
        self.loaded = False
        self.available = False
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()
        self._loaded = threading.Event()

    def start_loading(self) -> None:
        """Maps the compact file at once when it is up to date (well under a millisecond);
        otherwise reads the CSV files in a worker thread, so start-up is not held up (about
        1.3 s of CPU), and writes the compact file for the next start."""
        with self._lock:
            if self._thread is not None or self.loaded:
                return
            if self._map_compact():
                self._done()
                return
            self._thread = threading.Thread(target=self.load, name="ip-data-loader", daemon=True)
            self._thread.start()

    async def ready(self) -> None:
        self.start_loading()
        if not self.loaded:
            await asyncio.to_thread(self._loaded.wait)

    @classmethod
    def shared(cls, data_dir: Path | None = None, cache_dir: Path | None = None) -> IpDirectory:
        """One directory per process: the data is read-only (~40 MB of tables)."""
        key = (data_dir or DEFAULT_DATA_DIR).resolve()
        with _SHARED_LOCK:
            if key not in _SHARED:
                _SHARED[key] = cls(data_dir, cache_dir)
            elif cache_dir is not None and _SHARED[key].cache_dir is None:
                _SHARED[key].cache_dir = cache_dir
            return _SHARED[key]

    def load(self) -> None:
        try:
            if not self._map_compact():
                self._load()
                self._write_compact()
        finally:
            self._done()

    def _done(self) -> None:
        self.loaded = True
        self._loaded.set()

    # ---- the CSV files ------------------------------------------------------------------------

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
        self.source = "csv" if found else None
        if not found:
            log.warning("offline IP data not installed", extra={"dir": str(self.data_dir)})

    # ---- the compact file -----------------------------------------------------------------------

    def _signature(self) -> list[list[Any]]:
        """Each CSV file's name, size and mtime (a missing one: None), as the file records."""
        found: list[list[Any]] = []
        for name in _SOURCES:
            try:
                stat = (self.data_dir / name).stat()
            except OSError:
                found.append([name, None, None])
            else:
                found.append([name, stat.st_size, stat.st_mtime_ns])
        return found

    def _compact_paths(self) -> list[Path]:
        paths = [self.data_dir / COMPACT_NAME]
        if self.cache_dir is not None:
            paths.append(self.cache_dir / COMPACT_NAME)
        return paths

    def _map_compact(self) -> bool:
        """Maps an up-to-date compact file if there is one; False if none is."""
        signature = self._signature()
        if all(size is None for _, size, _ in signature):
            return False  # no data: the CSV path logs it
        for path in self._compact_paths():
            try:
                with path.open("rb") as handle:
                    mapped = mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ)
            except (OSError, ValueError):
                continue
            try:
                header = _read_header(mapped)
                if header is None or header.get("sources") != signature:
                    mapped.close()
                    continue
                self._use_compact(mapped, header)
            except (ValueError, KeyError, TypeError, IndexError):
                log.warning("ignoring a damaged compact IP data file", extra={"file": str(path)})
                mapped.close()
                continue
            return True
        return False

    def _use_compact(self, mapped: mmap.mmap, header: dict[str, Any]) -> None:
        if header["byteorder"] != _byteorder():
            raise ValueError("written on a machine of another byte order")
        whole = memoryview(mapped)

        def section(name: str) -> memoryview:
            offset, length, code = header["sections"][name]
            view = whole[offset : offset + length]
            return view.cast(code) if code != "B" else view

        tables = {"asn4": self._asn[4], "asn6": self._asn[6]}
        tables |= {"country4": self._country[4], "country6": self._country[6]}
        for table_name, table in tables.items():
            for column in _RangeTable._COLUMNS:
                if f"{table_name}.{column}" in header["sections"]:
                    setattr(table, column, section(f"{table_name}.{column}"))
        self._names_blob = section("names")
        self._names_offsets = section("name_offsets")
        self._countries = list(header["countries"])
        self._mapped = mapped
        self.available = True
        self.source = "compact"

    def _write_compact(self) -> None:
        """After reading the CSV files: the compact file, for the next start (atomically; next
        to the CSV files, else in the cache directory; not at all if neither can be written)."""
        if not self.available:
            return
        blob = bytearray()
        offsets = array("I", [0])
        for label in self._names:
            blob += label.encode()
            offsets.append(len(blob))
        parts: list[tuple[str, bytes, str]] = [
            ("names", bytes(blob), "B"),
            ("name_offsets", offsets.tobytes(), "I"),
        ]
        tables = {"asn4": self._asn[4], "asn6": self._asn[6]}
        tables |= {"country4": self._country[4], "country6": self._country[6]}
        for table_name, table in tables.items():
            for column, values in table.columns():
                if table.wide or column not in ("starts_low", "ends_low"):
                    parts.append((f"{table_name}.{column}", values.tobytes(), values.typecode))
        header: dict[str, Any] = {
            "sources": self._signature(),
            "byteorder": _byteorder(),
            "countries": self._countries,
            "sections": {},
        }
        # Offsets depend on the header's length: lay the sections out after a header padded
        # to a fixed size (recomputed once if it did not fit).
        reserve = 4096
        while True:
            at = _align(len(_MAGIC) + 4 + reserve)
            for name, data, code in parts:
                header["sections"][name] = [at, len(data), code]
                at = _align(at + len(data))
            encoded = json.dumps(header).encode()
            if len(encoded) <= reserve:
                break
            reserve = _align(len(encoded) + 64)
        for path in self._compact_paths():
            tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
            try:
                path.parent.mkdir(parents=True, exist_ok=True)
                with tmp.open("wb") as out:
                    out.write(_MAGIC + struct.pack("<I", reserve) + encoded.ljust(reserve))
                    for name, data, _code in parts:
                        out.seek(header["sections"][name][0])
                        out.write(data)
                os.replace(tmp, path)
            except OSError:
                with contextlib.suppress(OSError):
                    tmp.unlink()
                continue
            return
        log.info(
            "compact IP data not written: no writable directory", extra={"dir": str(self.data_dir)}
        )

    # ---- lookups ------------------------------------------------------------------------------

    def _name(self, index: int) -> str:
        blob = self._names_blob
        if blob is None:
            return self._names[index]
        offsets = self._names_offsets
        return str(blob[offsets[index] : offsets[index + 1]], "utf-8")

    def lookup(self, ip: str | None) -> IpInfo | None:
        if not ip or not self.loaded or not self.available:
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
            label = self._name(asn_index)
            asn_text, organisation = label.split("|", 1)
            asn = int(asn_text[2:])
        country = self._countries[country_index] if country_index is not None else None
        return IpInfo(asn, organisation, country)


def _align(offset: int) -> int:
    return (offset + 7) // 8 * 8


def _byteorder() -> str:
    import sys

    return sys.byteorder


def _read_header(mapped: mmap.mmap) -> dict[str, Any] | None:
    if mapped[: len(_MAGIC)] != _MAGIC:
        return None
    (length,) = struct.unpack_from("<I", mapped, len(_MAGIC))
    start = len(_MAGIC) + 4
    header = json.loads(bytes(mapped[start : start + length]).rstrip(b" "))
    return header if isinstance(header, dict) else None
