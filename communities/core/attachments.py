"""Attachments of petitions and red notices: images and PDFs only, recognised by their content,
stored under a random name outside the web root (MEDIA_ROOT, which no URL serves).

A form that comes back with an error cannot give the browser its chosen files back, so the files
that passed the checks are *held*: stored under ``held/`` and named in the page by a signed token
(a hidden field), shown as thumbnails with a remove box, and attached when the form is sent again.
A held file expires after SUQIU_HELD_UPLOAD_SECONDS; ``held_uploads_sweep`` deletes it.
"""

from __future__ import annotations

import base64
import logging
import secrets
import warnings
from dataclasses import dataclass
from datetime import datetime, timedelta
from io import BytesIO

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.http import FileResponse
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

log = logging.getLogger(__name__)

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


THUMBNAIL_PX = 320


def thumbnail_jpeg(source, *, size: int = THUMBNAIL_PX) -> bytes:
    """A small JPEG of an image (a file object or bytes), re-encoded from its pixels, so nothing of
    the uploaded file but its picture is ever shown."""
    with Image.open(BytesIO(source) if isinstance(source, bytes) else source) as image:
        image = ImageOps.exif_transpose(image)
        image.thumbnail((size, size))
        out = BytesIO()
        image.convert("RGB").save(out, "JPEG", quality=80)
    return out.getvalue()


# --- files held while a form comes back --------------------------------------------------------

HELD_FOLDER = "held"
_HELD_SALT = "communities.core.attachments.held"


@dataclass(frozen=True)
class HeldFile:
    """A file chosen on a form that came back, as its signed token names it."""

    token: str
    name: str
    content_type: str
    path: str
    expired: bool = False

    @property
    def is_image(self) -> bool:
        return self.content_type.startswith("image/")

    @property
    def thumbnail_path(self) -> str:
        return f"{self.path}.thumb.jpg"

    def thumbnail_data_uri(self) -> str:
        """The thumbnail written when the file was held, inline (the page's img-src allows data:),
        so no URL serves held files; "" for a PDF or a thumbnail gone."""
        if not self.is_image:
            return ""
        try:
            with default_storage.open(self.thumbnail_path, "rb") as stored:
                return "data:image/jpeg;base64," + base64.b64encode(stored.read()).decode()
        except OSError:
            return ""

    def as_upload(self) -> SimpleUploadedFile | None:
        """The file as if uploaded again, or None when it has expired or is gone."""
        if self.expired:
            return None
        try:
            with default_storage.open(self.path, "rb") as stored:
                return SimpleUploadedFile(self.name, stored.read(), content_type=self.content_type)
        except OSError:
            return None


def hold(checked: CheckedFile) -> HeldFile:
    """Keep a checked file while its form comes back; its token goes into the page."""
    path = default_storage.save(f"{HELD_FOLDER}/{secrets.token_hex(16)}.{checked.extension}",
                                ContentFile(checked.content))
    if checked.content_type.startswith("image/"):
        try:
            default_storage.save(f"{path}.thumb.jpg", ContentFile(thumbnail_jpeg(checked.content)))
        except (OSError, ValueError, Image.DecompressionBombError):
            log.warning("no thumbnail for held file %s", path)
    token = signing.dumps({"p": path, "n": checked.name, "t": checked.content_type}, salt=_HELD_SALT, compress=True)
    return HeldFile(token=token, name=checked.name, content_type=checked.content_type, path=path)


def held_file(token: str) -> HeldFile | None:
    """The held file a token names (``expired`` once past its time), or None for a token that is
    not ours: a forged or altered token never reaches the storage."""
    try:
        data = signing.loads(token, salt=_HELD_SALT)
        signing.loads(token, salt=_HELD_SALT, max_age=settings.SUQIU_HELD_UPLOAD_SECONDS)
        expired = False
    except signing.SignatureExpired:
        expired = True
    except signing.BadSignature:
        return None
    path = str(data.get("p", ""))
    if not path.startswith(f"{HELD_FOLDER}/") or ".." in path:
        return None
    return HeldFile(token=token, name=str(data.get("n", ""))[:200], content_type=str(data.get("t", "")), path=path,
                    expired=expired)


def held_uploads_sweep(*, now: datetime | None = None) -> int:
    """Delete held files older than SUQIU_HELD_UPLOAD_SECONDS (their tokens have expired too);
    returns how many files were deleted. Run by beat; running it twice is harmless."""
    cutoff = (now or timezone.now()) - timedelta(seconds=settings.SUQIU_HELD_UPLOAD_SECONDS)
    try:
        _dirs, names = default_storage.listdir(HELD_FOLDER)
    except FileNotFoundError:
        return 0
    deleted = 0
    for name in names:
        path = f"{HELD_FOLDER}/{name}"
        try:
            if default_storage.get_modified_time(path) < cutoff:
                default_storage.delete(path)
                deleted += 1
        except FileNotFoundError:
            continue  # deleted meanwhile by another run
    return deleted
