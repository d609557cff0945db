"""The filing form: counters instead of truncation, an error summary that links its fields,
 the map's hooks, and thumbnails for staff."""

import re
from io import BytesIO
from pathlib import Path

from PIL import Image

from petitions import services as s
from petitions.models import Petition
from tests.factories import png_upload as png
from tests.factories import filing_form as form

ROOT = Path(__file__).resolve().parents[2]


def test_long_text_is_never_cut_short_the_limit_is_counted_and_enforced(client, category, people):
    html = client.get("/petitions/new/").content.decode()
    title = re.search(r'<input[^>]*name="title"[^>]*>', html).group(0)
    description = re.search(r'<textarea[^>]*name="description"[^>]*>', html).group(0)
    assert "maxlength" not in title.replace("data-maxlength", "")  # the browser would cut silently
    assert 'data-maxlength="100"' in title and 'data-maxlength="5000"' in description
    long_title = "很长的标题" * 25  # 125 characters
    response = client.post("/petitions/new/", form(title=long_title), HTTP_ACCEPT_LANGUAGE="zh-hans")
    page = response.content.decode()
    assert long_title in page  # kept whole, with a message
    assert "100" in " ".join(response.context["form"].errors["title"])
    assert not Petition.objects.exists()


def test_the_error_summary_lists_and_links_every_field(client, category, people):
    response = client.post("/petitions/new/", {**form(phone="123", title=""), "attachments": [png(), png("门口.png")]},
                           HTTP_ACCEPT_LANGUAGE="zh-hans")
    html = response.content.decode()
    summary = html[html.index('id="error-summary"'):html.index("</div>", html.index('id="error-summary"'))]
    assert 'href="#id_title"' in summary and 'href="#id_phone"' in summary
    assert 'tabindex="-1"' in html.split('id="error-summary"')[0][-200:] + summary[:80]
    assert "重新选择" not in html  # the photos are kept (tests/petitions/test_kept_photos.py)


def test_the_form_offers_the_map_on_the_regions_api_and_has_no_inline_script(client, category, people):
    html = client.get("/petitions/new/").content.decode()
    assert 'id="petition-map"' in html and "/api/regions/?level=community&amp;include=boundary" in html
    assert "vendor/leaflet/leaflet.js" in html and "js/petition_form.js" in html
    # The shapes the map draws are served to anyone, outlines included.
    assert "boundary" in client.get("/api/regions/?level=community&include=boundary").json()["results"][0]


def test_no_template_has_an_inline_script():
    """A Content-Security-Policy without 'unsafe-inline' is coming: scripts live in static files."""
    inline = []
    for path in (ROOT / "templates").rglob("*.html"):
        for tag in re.findall(r"<script\b[^>]*>", path.read_text()):
            if "src=" not in tag:
                inline.append(f"{path.name}: {tag}")
        if re.search(r"\son[a-z]+=\"", path.read_text()):
            inline.append(f"{path.name}: an inline event handler")
    assert not inline, inline


def test_staff_see_thumbnails_through_the_permission_check(client, tree, category, people):
    petition = s.petition_submit(data=s.PetitionInput(category=category, title="t", description="d",
                                                      phone="13812345678", community=tree["c11"]),
                                 attachments=[png()])
    attachment = petition.attachments.get()
    thumb = f"/staff/petitions/{petition.pk}/attachments/{attachment.pk}/thumbnail.jpg"
    client.force_login(people["secretary"])
    assert thumb in client.get(f"/staff/petitions/{petition.pk}/").content.decode()
    response = client.get(thumb)
    assert response.status_code == 200 and response["Content-Type"] == "image/jpeg"
    assert response["X-Content-Type-Options"] == "nosniff"
    with Image.open(BytesIO(response.content)) as image:
        assert max(image.size) <= 320
    client.force_login(people["other_secretary"])
    assert client.get(thumb).status_code == 404
    client.logout()
    assert client.get(thumb).status_code == 302


def test_no_template_comment_leaks_onto_the_page():
    """{# #} is one line only: a comment spread over lines would be printed."""
    leaking = [p.name for p in (ROOT / "templates").rglob("*.html")
               if any("{#" in line and "#}" not in line for line in p.read_text().splitlines())]
    assert not leaking, leaking
