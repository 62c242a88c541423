"""The offline IP tables answer exactly what a plain scan of their ranges would, IPv6 included
(stored as two 64-bit halves so that a process does not spend ~40 MB on Python ints)."""

from __future__ import annotations

import asyncio
import ipaddress
import random
from pathlib import Path

from frontdesk.features.enrichment.ipdata import COMPACT_NAME, IpDirectory, IpInfo


def ranges_v6(rng: random.Random) -> list[tuple[int, int]]:
    """Sorted, non-overlapping ranges: many sharing a high half, some crossing into the next
    high half, some a single address, with gaps between them."""
    found: list[tuple[int, int]] = []
    at = int(ipaddress.IPv6Address("2a00:1450::"))
    for _ in range(400):
        at += rng.choice([1, 2, 1 << 20, 1 << 63, 1 << 64, 3 << 64])
        length = rng.choice([0, 1, 255, 1 << 40, 1 << 64, (1 << 65) + 7])
        found.append((at, at + length))
        at += length + 1
    return found


def write(data: Path, name: str, rows: list[tuple[int, int]], label: str) -> None:
    lines = [f"{start},{end},{index},{label}{index}" for index, (start, end) in enumerate(rows)]
    (data / name).write_text("\n".join(lines) + "\n")


def test_ipv6_and_ipv4_lookups_equal_a_scan_of_the_ranges(tmp_path: Path) -> None:
    rng = random.Random(7)
    v6 = ranges_v6(rng)
    base4 = int(ipaddress.IPv4Address("81.2.0.0"))
    v4 = [(base4 + i * 1000, base4 + i * 1000 + rng.randrange(0, 999)) for i in range(300)]
    write(tmp_path, "asn-ipv6-num.csv", v6, "Org six ")
    write(tmp_path, "asn-ipv4-num.csv", v4, "Org four ")
    directory = IpDirectory(tmp_path)
    directory.load()
    assert directory.available

    def expected(rows: list[tuple[int, int]], number: int) -> str | None:
        for index, (start, end) in enumerate(rows):
            if start <= number <= end:
                return f"Org {'six' if rows is v6 else 'four'} {index}"
        return None

    probes6 = [p for start, end in v6 for p in (start - 1, start, end, end + 1, (start + end) // 2)]
    probes6 += [rng.randrange(v6[0][0] - 10, v6[-1][1] + 10) for _ in range(2000)]
    for number in probes6:
        info = directory.lookup(str(ipaddress.IPv6Address(number)))
        assert (info.organisation if info else None) == expected(v6, number), hex(number)
    probes4 = [p for start, end in v4 for p in (start - 1, start, end, end + 1)]
    for number in probes4:
        info = directory.lookup(str(ipaddress.IPv4Address(number)))
        assert (info.organisation if info else None) == expected(v4, number), number


def test_a_later_start_maps_the_compact_file_and_answers_the_same(tmp_path: Path) -> None:
    """Reading the CSV files writes the compact file; the next directory maps it (no CSV
    parsing: issue 21's restart) and answers every lookup as the CSV-read one does."""
    rng = random.Random(11)
    v6 = ranges_v6(rng)
    base4 = int(ipaddress.IPv4Address("81.2.0.0"))
    v4 = [(base4 + i * 1000, base4 + i * 1000 + rng.randrange(0, 999)) for i in range(300)]
    write(tmp_path, "asn-ipv6-num.csv", v6, "Org six ")
    write(tmp_path, "asn-ipv4-num.csv", v4, "Organisation ünïcode ")
    countries = "\n".join(f"{s},{e},{'de' if i % 2 else 'FR'}" for i, (s, e) in enumerate(v4))
    (tmp_path / "geo-whois-asn-country-ipv4-num.csv").write_text(countries + "\n")
    first = IpDirectory(tmp_path)
    first.load()
    assert first.source == "csv"
    assert (tmp_path / COMPACT_NAME).exists()

    second = IpDirectory(tmp_path)
    second.start_loading()
    assert second.loaded and second.available and second.source == "compact"
    probes = [str(ipaddress.IPv4Address(p)) for start, end in v4 for p in (start - 1, start, end)]
    probes += [str(ipaddress.IPv6Address(p)) for start, end in v6 for p in (start, end + 1)]
    for ip in probes:
        assert second.lookup(ip) == first.lookup(ip), ip
    info = second.lookup(str(ipaddress.IPv4Address(v4[1][0])))
    assert info == IpInfo(1, "Organisation ünïcode 1", "DE")


def test_a_changed_csv_file_is_read_again(tmp_path: Path) -> None:
    base4 = int(ipaddress.IPv4Address("81.2.0.0"))
    write(tmp_path, "asn-ipv4-num.csv", [(base4, base4 + 9)], "Old ")
    IpDirectory(tmp_path).load()
    write(tmp_path, "asn-ipv4-num.csv", [(base4, base4 + 9), (base4 + 20, base4 + 29)], "New ")
    directory = IpDirectory(tmp_path)
    directory.start_loading()
    asyncio.run(directory.ready())
    assert directory.source == "csv"
    info = directory.lookup(str(ipaddress.IPv4Address(base4 + 25)))
    assert info is not None and info.organisation == "New 1"
    # ...and the compact file written for the next start says the same.
    again = IpDirectory(tmp_path)
    again.start_loading()
    assert again.source == "compact"
    assert again.lookup(str(ipaddress.IPv4Address(base4 + 25))) == info


def test_when_the_data_directory_cannot_take_the_compact_file_the_cache_directory_does(
    tmp_path: Path,
) -> None:
    data, cache = tmp_path / "data", tmp_path / "cache"
    data.mkdir()
    base4 = int(ipaddress.IPv4Address("81.2.0.0"))
    write(data, "asn-ipv4-num.csv", [(base4, base4 + 9)], "Org ")
    # Something that is not a file holds the name (as a read-only package would refuse it;
    # the tests run as root, who may write into a read-only directory).
    (data / COMPACT_NAME).mkdir()
    (data / COMPACT_NAME / "keep").write_text("")
    IpDirectory(data, cache_dir=cache).load()
    assert (cache / COMPACT_NAME).is_file()
    directory = IpDirectory(data, cache_dir=cache)
    directory.start_loading()
    assert directory.source == "compact"
    info = directory.lookup(str(ipaddress.IPv4Address(base4 + 3)))
    assert info is not None and info.organisation == "Org 0"
