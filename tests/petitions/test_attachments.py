from pathlib import Path

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from petitions.models import Attachment, Petition
from tests.factories import png_bytes


def test_a_real_photo_is_stored_outside_the_web_root(tree, category):
    from petitions.services import PetitionInput, petition_submit

    upload = SimpleUploadedFile("照片.jpg", png_bytes(), content_type="image/jpeg")
    petition = petition_submit(
        data=PetitionInput(category=category, title="t", description="d", phone="13812345678",
                           community=tree["c11"]),
        attachments=[upload],
    )
    attachment = petition.attachments.get()
    assert attachment.content_type == "image/png"  # by content, not by the name or the client
    assert attachment.original_name == "照片.jpg"
    path = Path(attachment.file.path)
    assert path.exists() and path.suffix == ".png"
    assert Path(settings.MEDIA_ROOT) in path.parents
    assert Path(settings.STATIC_ROOT) not in path.parents
    assert "照片" not in path.name


@pytest.mark.parametrize("name, content", [
    ("shell.jpg", b"<?php system($_GET['c']); ?>"),
    ("page.pdf", b"<html><script>alert(1)</script></html>"),
    ("x.png", b""),
])
def test_disguised_files_are_refused_and_nothing_is_saved(tree, category, name, content):
    from petitions.services import PetitionInput, petition_submit

    with pytest.raises(ValidationError) as error:
        petition_submit(data=PetitionInput(category=category, title="t", description="d", phone="13812345678",
                                           community=tree["c11"]),
                        attachments=[SimpleUploadedFile(name, content)])
    assert name in str(error.value)
    assert not Petition.objects.exists() and not Attachment.objects.exists()


def test_size_and_count_limits(tree, category, settings):
    from petitions.services import PetitionInput, petition_submit

    data = PetitionInput(category=category, title="t", description="d", phone="13812345678", community=tree["c11"])
    settings.SUQIU_ATTACHMENT_MAX_BYTES = 50
    with pytest.raises(ValidationError):
        petition_submit(data=data, attachments=[SimpleUploadedFile("big.png", png_bytes() + b"0" * 100)])
    settings.SUQIU_ATTACHMENT_MAX_BYTES = 10 * 1024 * 1024
    with pytest.raises(ValidationError):
        petition_submit(data=data, attachments=[SimpleUploadedFile(f"{i}.png", png_bytes()) for i in range(6)])
    pdf = SimpleUploadedFile("证明.pdf", b"%PDF-1.4\n%...\n")
    petition = petition_submit(data=data, attachments=[pdf])
    assert petition.attachments.get().content_type == "application/pdf"


def test_a_file_the_form_already_read_is_checked_from_its_start(tree, category):
    from petitions.services import PetitionInput, petition_submit

    upload = SimpleUploadedFile("photo.png", png_bytes())
    upload.read()  # e.g. a form field that looked at it first
    petition = petition_submit(
        data=PetitionInput(category=category, title="t", description="d", phone="13812345678",
                           community=tree["c11"]),
        attachments=[upload],
    )
    attachment = petition.attachments.get()
    assert attachment.content_type == "image/png" and attachment.size == len(png_bytes())


def test_a_declared_size_that_lies_does_not_let_a_big_file_through(tree, category, settings):
    from petitions.services import PetitionInput, petition_submit

    settings.SUQIU_ATTACHMENT_MAX_BYTES = 50
    upload = SimpleUploadedFile("big.png", png_bytes() + b"0" * 100)
    upload.size = 10  # what a client claimed
    with pytest.raises(ValidationError) as error:
        petition_submit(data=PetitionInput(category=category, title="t", description="d", phone="13812345678",
                                           community=tree["c11"]),
                        attachments=[upload])
    assert "big.png" in str(error.value)
    assert not Petition.objects.exists()
