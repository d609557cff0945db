"""Petition attachments follow the shared rules in ``communities.attachments`` (red notices
use the same ones); this module keeps the names the petitions code and its tests import."""

from communities.attachments import (  # noqa: F401
    IMAGE_TYPES,
    CheckedFile,
    as_content_file,
    check_uploads,
    sniff,
    stored_name,
)
