"""Name normalisation and the fixed vocabulary of the provisioning rules (SPEC 1, 5.1)."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

LICENSE_TYPES: tuple[str, ...] = ("Dialpad_Ai Voice", "Dialpad_Support", "Dialpad_Ai Sales")
CONTACT_CENTER = "Dialpad_Support"
ENTERPRISE_NS = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
CORE_USER_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:User"
OFFICE_FIELDS: tuple[str, ...] = ("officeName", "physicalDeliveryOfficeName", "department")
PROVIDERS: tuple[str, ...] = ("okta", "azure", "onelogin", "jumpcloud", "google", "generic")

_SPACES = re.compile(r"\s+")


@lru_cache(maxsize=65536)
def norm(value: str) -> str:
    """NFKC, casefold, trim and collapse inner white space: the only equality SPEC 5.1 allows."""
    return _SPACES.sub(" ", unicodedata.normalize("NFKC", value).casefold()).strip()


# Known license types keyed by their normalised spelling, for `licenseType` values (5.3 b).
LICENSE_BY_NORM: dict[str, str] = {norm(t): t for t in LICENSE_TYPES}
