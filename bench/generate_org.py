"""Generate an org chart as CSV: ``python -m bench.generate_org -n 100000 -o org.csv``.

One chief executive, then ``--depth`` levels that grow geometrically (about 10 levels for
100,000 people). Rows are shuffled, so managers often come after their reports, and one
manager in ten is given by e-mail address instead of employee id.
"""

from __future__ import annotations

import argparse
import csv
import random
import sys
from pathlib import Path
from typing import TextIO

FIRST = ["Aisha", "Ben", "Chloe", "Daniel", "Ella", "Farid", "Gemma", "Harry", "Imani", "Jack",
         "Kemi", "Liam", "Maya", "Noah", "Olivia", "Pawel", "Quinn", "Rosa", "Sunil", "Tara"]
LAST = ["Adams", "Begum", "Campbell", "Davies", "Evans", "Fraser", "Green", "Hughes", "Iqbal",
        "Jones", "Khan", "Lewis", "Morgan", "Nowak", "O'Brien", "Price", "Reid", "Singh"]
TITLES = ["Chief Executive", "Director", "Head of Service", "Service Manager", "Ward Manager",
          "Team Leader", "Senior Practitioner", "Practitioner", "Assistant Practitioner",
          "Support Worker"]
HEADER = ["Employee ID", "Name", "Email", "Job Title", "Unit", "Manager"]


def level_sizes(n: int, depth: int) -> list[int]:
    """Sizes of levels 0..depth-1 summing to ``n``: 1 at the top, growing by a fixed ratio."""
    if n <= 1 or depth <= 1:
        return [max(n, 0)]
    lo, hi = 1.0, float(n)
    for _ in range(100):  # find the ratio whose geometric series sums to n
        mid = (lo + hi) / 2
        if sum(mid ** i for i in range(depth)) < n:
            lo = mid
        else:
            hi = mid
    sizes = [max(1, round(lo ** i)) for i in range(depth)]
    sizes[0] = 1
    sizes[-1] += n - sum(sizes)
    return sizes


def generate(n: int, depth: int = 10, seed: int = 2026) -> list[dict[str, str]]:
    """People as CSV rows (dicts keyed by HEADER), level 1 first before shuffling."""
    rng = random.Random(seed)
    people: list[dict[str, str]] = []
    previous: list[int] = []
    for level, size in enumerate(level_sizes(n, depth)):
        current = []
        for _ in range(size):
            index = len(people)
            first, last = rng.choice(FIRST), rng.choice(LAST)
            manager = rng.choice(previous) if previous else None
            unit = (people[manager]["Unit"] if manager is not None and level > 2
                    else f"Division {index}")
            people.append({
                "Employee ID": f"E{index + 1:06d}",
                "Name": f"{first} {last}",
                "Email": f"{first}.{last}.{index + 1}@bench.example".lower().replace("'", ""),
                "Job Title": TITLES[min(level, len(TITLES) - 1)],
                "Unit": unit,
                "Manager": "" if manager is None else (
                    people[manager]["Email"] if rng.random() < 0.1
                    else people[manager]["Employee ID"]),
            })
            current.append(index)
        previous = current
    return people


def write_csv(rows: list[dict[str, str]], out: TextIO, *, delimiter: str = ",",
              shuffle: bool = True, seed: int = 2026) -> None:
    rows = list(rows)
    if shuffle:
        random.Random(seed + 1).shuffle(rows)
    writer = csv.DictWriter(out, HEADER, delimiter=delimiter)
    writer.writeheader()
    writer.writerows(rows)


def write_file(path: Path, n: int, *, depth: int = 10, seed: int = 2026,
               delimiter: str = ",") -> None:
    with path.open("w", newline="", encoding="utf-8") as out:
        write_csv(generate(n, depth, seed), out, delimiter=delimiter, seed=seed)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", "--people", type=int, default=100_000)
    parser.add_argument("--depth", type=int, default=10, help="levels, including the top")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--semicolon", action="store_true", help="separate with ';'")
    parser.add_argument("--no-shuffle", action="store_true", help="keep managers first")
    parser.add_argument("-o", "--output", type=Path, help="file to write (default: stdout)")
    args = parser.parse_args(argv)
    rows = generate(args.people, args.depth, args.seed)
    options = {"delimiter": ";" if args.semicolon else ",", "shuffle": not args.no_shuffle,
               "seed": args.seed}
    if args.output is None:
        write_csv(rows, sys.stdout, **options)  # type: ignore[arg-type]
        return
    with args.output.open("w", newline="", encoding="utf-8") as out:
        write_csv(rows, out, **options)  # type: ignore[arg-type]


if __name__ == "__main__":
    main()
