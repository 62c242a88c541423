"""The offline IP tables answer exactly what a plain scan of their ranges would, IPv6 included
(stored as two 64-bit halves so that a process does not spend ~40 MB on Python ints)."""

from __future__ import annotations

import ipaddress
import random
from pathlib import Path

from frontdesk.features.enrichment.ipdata import IpDirectory


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
