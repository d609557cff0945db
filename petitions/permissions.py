"""Who may act on a petition: answered by ``communities.access``; these names stay for the code
that imports them from here."""

from __future__ import annotations

from communities.access import (  # noqa: F401 - re-exported
    Grants,
    ResidentActor,
    grants_of,
    handles,
    is_resident,
    reads_internals,
    sees_contact,
    supervises,
)
from communities.masking import mask_name, mask_phone  # noqa: F401 - re-exported
