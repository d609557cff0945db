"""Attachments of petitions and red notices: images and PDFs only, recognised by their content,
stored under a random name outside the web root (MEDIA_ROOT, which no URL serves)."""

from __future__ import annotations

import secrets
import warnings
from dataclasses import dataclass
from io import BytesIO

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.http import FileResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from PIL import Image, UnidentifiedImageError

IMAGE_TYPES = {"JPEG": ("image/jpeg", "jpg"), "PNG": ("image/png", "png"), "WEBP": ("image/webp", "webp")}


@dataclass(frozen=True)
class CheckedFile:
    name: str
    content: bytes
    content_type: str
    extension: str


class TooManyPixels(Exception):
    """An image whose declared size would take too much memory to decode (a decompression bomb)."""


def sniff(content: bytes) -> tuple[str, str] | None:
    """(content type, extension) from the bytes themselves, or None if not allowed.

    Raises TooManyPixels for an image larger than SUQIU_ATTACHMENT_MAX_PIXELS: its header is
    read, its pixels never are."""
    if content.startswith(b"%PDF-"):
        return "application/pdf", "pdf"
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            with Image.open(BytesIO(content)) as image:
                kind = image.format
                width, height = image.size
                if width * height > settings.SUQIU_ATTACHMENT_MAX_PIXELS:
                    raise TooManyPixels
                image.verify()
    except Image.DecompressionBombError:
        raise TooManyPixels from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        return None
    return IMAGE_TYPES.get(kind)


def check_uploads(files) -> list[CheckedFile]:
    """Validate every file; raise one ValidationError listing each problem."""
    files = list(files or [])
    errors = []
    limit = settings.SUQIU_ATTACHMENT_MAX_COUNT
    max_bytes = settings.SUQIU_ATTACHMENT_MAX_BYTES
    if len(files) > limit:
        errors.append(_("Attach at most %(n)d files.") % {"n": limit})
    checked = []
    for upload in files[:limit]:
        name = getattr(upload, "name", "file")[:200]
        too_big = _("%(name)s is larger than %(mb)d MB.") % {"name": name, "mb": max_bytes // (1024 * 1024)}
        if (getattr(upload, "size", None) or 0) > max_bytes:
            errors.append(too_big)
            continue
        # A form may have read the file already; and the declared size is the client's word,
        # so read at most one byte past the limit and judge by what arrived.
        if hasattr(upload, "seek"):
            upload.seek(0)
        content = upload.read(max_bytes + 1)
        if len(content) > max_bytes:
            errors.append(too_big)
            continue
        try:
            kind = sniff(content)
        except TooManyPixels:
            errors.append(_("%(name)s is too large an image (more than %(mp)d million pixels).")
                          % {"name": name, "mp": settings.SUQIU_ATTACHMENT_MAX_PIXELS // 1_000_000})
            continue
        if kind is None:
            errors.append(_("%(name)s is not a JPEG, PNG or WebP image or a PDF.") % {"name": name})
            continue
        checked.append(CheckedFile(name=name, content=content, content_type=kind[0], extension=kind[1]))
    if errors:
        raise ValidationError(errors, code="attachments")
    return checked


def stored_name(extension: str, *, folder: str = "petitions") -> str:
    now = timezone.now()
    return f"{folder}/{now:%Y/%m}/{secrets.token_hex(16)}.{extension}"


def as_content_file(checked: CheckedFile, *, folder: str = "petitions") -> ContentFile:
    return ContentFile(checked.content, name=stored_name(checked.extension, folder=folder))


def download_response(attachment) -> FileResponse:
    """A stored attachment as a download, never rendered by the browser: the one way files
    leave (each view checks the reader's permission on the object first)."""
    response = FileResponse(attachment.file.open("rb"), as_attachment=True, filename=attachment.original_name,
                            content_type=attachment.content_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response
