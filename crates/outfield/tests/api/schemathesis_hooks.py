"""Values for the API document's own string formats in the fuzz run (tests/api/openapi.rs): `phone`
and `gstin` are checked by rules no pattern can state (phone-number metadata, the GSTIN check
character), so the run is told how to make values the server accepts."""
import schemathesis
from hypothesis import strategies as st

ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"


def with_check_character(body: str) -> str:
    """Appends the GSTIN check character (the mod-36 checksum of the first 14 characters)."""
    total = 0
    for index, char in enumerate(body):
        product = ALPHABET.index(char) * (2 if index % 2 else 1)
        total += product // 36 + product % 36
    return body + ALPHABET[(36 - total % 36) % 36]


schemathesis.openapi.format(
    "gstin", st.from_regex(r"\A[0-3][0-9][A-Z]{5}[0-9]{4}[A-Z][1-9A-Z]Z\Z").map(with_check_character)
)
# Indian mobile numbers, with or without the country code (a bare ten digits starting 91 would read as
# the country code, so they start 90 or 92–99).
schemathesis.openapi.format("phone", st.from_regex(r"\A(\+91)?9[02-9][0-9]{8}\Z"))
