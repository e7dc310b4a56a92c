"""python -m dagster_project.sample_data --out DIR [--responses N] [--months M] [--seed S]"""

from __future__ import annotations

import argparse
import datetime as dt
from pathlib import Path

from dagster_project.sample_data.generator import GeneratorConfig, generate
from dagster_project.sample_data.vendor_exports import generate_vendor_exports
from dagster_project.sample_data.world import SEED


def main() -> None:
    parser = argparse.ArgumentParser(description="Write realistic NPS survey exports.")
    parser.add_argument("--out", type=Path, default=Path("data/raw"), help="inbox to write to")
    parser.add_argument("--responses", type=int, default=4000, help="about this many responses")
    parser.add_argument("--months", type=int, default=24)
    parser.add_argument("--end-month", default="2026-10", help="last month, YYYY-MM")
    parser.add_argument("--broken-share", type=float, default=0.004, help="share of broken rows")
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--id-prefix", default="", help="put this before every response/invitation serial")
    parser.add_argument(
        "--canonical-only",
        action="store_true",
        help="only the canonical responses/ and invitations/ files (no survey-tool exports)",
    )
    parser.add_argument(
        "--without-customers",
        action="store_true",
        help="no CRM (customers/) and billing (revenue/) exports of the customers who answered",
    )
    args = parser.parse_args()
    year, month = (int(part) for part in args.end_month.split("-"))
    config = GeneratorConfig(
        responses=args.responses,
        months=args.months,
        end_month=dt.date(year, month, 1),
        broken_row_share=args.broken_share,
        seed=args.seed,
        id_prefix=args.id_prefix,
        customer_base=not args.without_customers,
    )
    counts = generate(args.out, config)
    if not args.canonical_only:
        for path in generate_vendor_exports(args.out, args.seed):
            print(f"wrote {path}")
    print(
        f"wrote {counts['responses']} responses, {counts['invitations']} invitations and "
        f"{counts['followups']} follow-up cases to {args.out}"
        + (
            f"; {counts['customers']} customers, {counts['revenue']} months of revenue"
            if "customers" in counts
            else ""
        )
    )


if __name__ == "__main__":
    main()
