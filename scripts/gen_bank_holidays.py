"""Write src/gpworkforce/reference/bank_holidays.csv from the published rules and one-offs
(``gpworkforce.reference.bank_holidays.generate``); a unit test keeps the two in step."""

from __future__ import annotations

from gpworkforce.reference.bank_holidays import CSV, generate


def main() -> None:
    """Regenerate the shipped table."""
    generate().to_csv(CSV, index=False, lineterminator="\n")
    print(f"wrote {CSV}")


if __name__ == "__main__":
    main()
