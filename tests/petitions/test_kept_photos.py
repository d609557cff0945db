"""Issue 13 point 6: chosen photos survive a form that comes back with an error. The files that
passed the checks are held server-side and named in the page by a signed token; the page shows
them (thumbnails, a box to remove each), and sending the form again attaches them. Public filing
and staff intake here; the red-notice report step in tests/communities/test_red_notice_pages.py."""

import re
from datetime import timedelta

import time_machine
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from communities.core.attachments import HELD_FOLDER, held_uploads_sweep
from petitions.models import Petition
from tests.petitions.test_filing_form import form, png

KEPT = re.compile(r'<input type="hidden" name="attachments-kept" value="([^"]+)">')


def kept_tokens(html: str) -> list[str]:
    return KEPT.findall(html)


def test_a_photo_survives_an_error_and_is_attached_when_the_form_is_fixed(client, category, people):
    response = client.post("/petitions/new/", {**form(phone="123"), "attachments": [png()]},
                           HTTP_ACCEPT_LANGUAGE="zh-hans")
    html = response.content.decode()
    assert response.status_code == 200 and response.context["form"].errors["phone"]
    kept = html[html.index('class="kept-files"'):html.index("</div>", html.index('class="kept-files"'))]
    assert "现场.png" in kept and 'src="data:image/jpeg;base64,' in kept and "移除" in kept
    assert "已保留" in kept  # the page says they are kept, not that they must be chosen again
    (token,) = kept_tokens(html)
    response = client.post("/petitions/new/", {**form(), "attachments-kept": token})
    assert response.status_code == 302
    attachment = Petition.objects.get().attachments.get()
    assert (attachment.original_name, attachment.content_type) == ("现场.png", "image/png")
    assert attachment.file.read() == png().read()


def test_kept_photos_add_to_new_ones_and_a_removed_one_is_not_attached(client, category, people):
    html = client.post("/petitions/new/", {**form(title=""), "attachments": [png(), png("门口.png")]}).content.decode()
    first, second = kept_tokens(html)
    response = client.post("/petitions/new/", {**form(), "attachments-kept": [first, second],
                                               "attachments-remove": second, "attachments": [png("楼道.png")]})
    assert response.status_code == 302
    names = sorted(Petition.objects.get().attachments.values_list("original_name", flat=True))
    assert names == ["楼道.png", "现场.png"]


def test_a_bad_file_is_reported_and_the_good_one_beside_it_is_kept(client, category, people):
    fake = SimpleUploadedFile("假.png", b"not an image", content_type="image/png")
    response = client.post("/petitions/new/", {**form(), "attachments": [png(), fake]})
    html = response.content.decode()
    assert "假.png" in " ".join(response.context["form"].errors["attachments"])
    assert len(kept_tokens(html)) == 1 and "现场.png" in html[html.index('class="kept-files"'):]


def test_a_forged_or_expired_token_attaches_nothing(client, category, people, settings):
    html = client.post("/petitions/new/", {**form(title=""), "attachments": [png()]}).content.decode()
    (token,) = kept_tokens(html)
    assert client.post("/petitions/new/", {**form(), "attachments-kept": token[:-2] + "xx"}).status_code == 302
    assert not Petition.objects.get().attachments.exists()  # not ours: ignored
    with time_machine.travel(timezone.now() + timedelta(seconds=settings.SUQIU_HELD_UPLOAD_SECONDS + 60)):
        response = client.post("/petitions/new/", {**form(title="又一件"), "attachments-kept": token},
                               HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response.status_code == 200 and "现场.png" in " ".join(response.context["form"].errors["attachments"])
    assert Petition.objects.count() == 1


def test_staff_intake_keeps_the_photos_too(client, category, people):
    client.force_login(people["staff"])
    response = client.post("/staff/petitions/new/", {**form(), "channel": "hall", "attachments": [png()]})
    assert response.context["form"].errors["service_point"]
    (token,) = kept_tokens(response.content.decode())
    response = client.post("/staff/petitions/new/", {**form(), "channel": "hall", "service_point": people["hall"].pk,
                                                     "attachments-kept": token})
    assert response.status_code == 302
    assert Petition.objects.get().attachments.get().original_name == "现场.png"


def test_held_files_are_swept_once_expired(client, category, people, settings):
    client.post("/petitions/new/", {**form(title=""), "attachments": [png()]})
    _dirs, files = default_storage.listdir(HELD_FOLDER)
    assert len(files) == 2  # the photo and its thumbnail
    assert held_uploads_sweep() == 0
    later = timezone.now() + timedelta(seconds=settings.SUQIU_HELD_UPLOAD_SECONDS + 60)
    assert held_uploads_sweep(now=later) == 2 and default_storage.listdir(HELD_FOLDER)[1] == []
    assert held_uploads_sweep(now=later) == 0
    assert settings.CELERY_BEAT_SCHEDULE["held-uploads-sweep"]["task"] == "communities.sweep_held_uploads"
