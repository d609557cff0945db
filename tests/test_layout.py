"""The base layout: accessible, phone-ready, large-text mode, every asset local."""

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PAGES = ["/", "/service-points/near/", "/accounts/login/", "/service-points/near/?community=none"]


class Outline(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags: list[tuple[str, dict]] = []
        self.h1 = 0

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        if tag == "h1":
            self.h1 += 1


def parse(html: str) -> Outline:
    outline = Outline()
    outline.feed(html)
    return outline


@pytest.mark.parametrize("url", PAGES)
def test_page_structure_is_accessible(client, db, url):
    html = client.get(url).content.decode()
    page = parse(html)
    assert page.h1 == 1
    html_tag = next(attrs for tag, attrs in page.tags if tag == "html")
    assert html_tag.get("lang")
    assert any(tag == "meta" and a.get("name") == "viewport" and "width=device-width" in a.get("content", "")
               for tag, a in page.tags)
    assert any(tag == "a" and a.get("href") == "#main" for tag, a in page.tags)
    assert any(tag == "main" and a.get("id") == "main" for tag, a in page.tags)
    labelled = {a.get("for") for tag, a in page.tags if tag == "label"}
    for tag, attrs in page.tags:
        if tag in ("input", "select", "textarea") and attrs.get("type") not in ("hidden", "submit"):
            assert attrs.get("id") in labelled or attrs.get("aria-label"), f"{url}: {tag} {attrs} has no label"


def test_large_text_mode_renders_from_the_cookie(client, db):
    assert 'class="text-large"' not in client.get("/").content.decode()
    client.cookies["suqiu_text"] = "large"
    html = client.get("/").content.decode()
    assert 'class="text-large"' in html
    assert 'aria-pressed="true"' in html


def test_large_text_works_without_javascript(client, db):
    response = client.post("/preferences/text-size/", {"size": "large", "next": "/service-points/near/"})
    assert response.status_code == 302 and response["Location"] == "/service-points/near/"
    assert client.cookies["suqiu_text"].value == "large"
    assert 'class="text-large"' in client.get("/service-points/near/").content.decode()
    client.post("/preferences/text-size/", {"size": "normal", "next": "/"})
    assert 'class="text-large"' not in client.get("/").content.decode()


def test_text_size_redirect_never_leaves_the_site(client, db):
    response = client.post("/preferences/text-size/", {"size": "large", "next": "https://evil.example/"})
    assert response["Location"] == "/"


def _luminance(hex_colour: str) -> float:
    rgb = [int(hex_colour[i:i + 2], 16) / 255 for i in (1, 3, 5)]
    lin = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in rgb]
    return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]


def contrast(a: str, b: str) -> float:
    la, lb = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def test_text_colours_meet_wcag_aa():
    css = (ROOT / "static" / "css" / "suqiu.css").read_text()
    colours = dict(re.findall(r"--([a-z-]+):\s*(#[0-9a-fA-F]{6})", css))
    pairs = [("text", "bg"), ("muted", "bg"), ("muted", "surface"), ("link", "bg"), ("link", "surface"),
             ("error", "bg"), ("ok", "bg"), ("accent-text", "accent"), ("accent", "bg"), ("text", "warn-bg")]
    for fg, bg in pairs:
        assert contrast(colours[fg], colours[bg]) >= 4.5, f"{fg} on {bg}: {contrast(colours[fg], colours[bg]):.2f}"


def test_no_asset_comes_from_another_host():
    offenders = []
    for folder in ("templates", "static"):
        for path in (ROOT / folder).rglob("*"):
            if path.suffix not in {".html", ".css", ".js"}:
                continue
            text = re.sub(r"/\*.*?\*/|<!--.*?-->", "", path.read_text(errors="replace"), flags=re.S)
            for match in re.finditer(r"""(?:src|href|url)\s*[=(]\s*["']?(https?:)?//""", text):
                tag = text[text.rfind("<", 0, match.start()):match.start()]
                if re.match(r"<a\s", tag) and ">" not in tag:
                    continue  # a link the reader may follow (Leaflet's attribution), not an asset we load
                offenders.append(f"{path.relative_to(ROOT)}: {match.group(0)}")
    assert not offenders, offenders


# --- Issue 10, point 8: headers and safe redirects ------------------------------------------------

@pytest.mark.parametrize("url", [*PAGES, "/petitions/new/", "/petitions/track/", "/no-such-page/", "/api/docs/"])
def test_every_page_has_a_content_security_policy_and_permissions_policy(client, db, url):
    response = client.get(url)
    csp = response["Content-Security-Policy"]
    for directive in ["default-src 'self'", "script-src 'self'", "object-src 'none'", "frame-ancestors 'none'",
                      "base-uri 'self'", "form-action 'self'"]:
        assert directive in csp, (url, directive)
    assert "unsafe-inline" not in csp.split("script-src")[1].split(";")[0]
    if url != "/api/docs/":  # Swagger UI injects a <style>: that page alone allows inline styles
        assert "unsafe-inline" not in csp
    policy = response["Permissions-Policy"]
    assert "camera=()" in policy and "microphone=()" in policy and "geolocation=(self)" in policy


def test_api_answers_carry_the_sites_policy_and_follow_its_settings(client, db, settings):
    """The policy is built once (communities.core.middleware.CSPMiddleware), yet every answer has
    django-csp's header for the settings in force, and a page that widens it still widens it."""
    from csp.constants import NONE, SELF
    from csp.utils import build_policy

    for url in ("/api/petitions/track/GM-0000-0000/?phone=1234", "/api/categories/", "/"):
        assert client.get(url)["Content-Security-Policy"] == build_policy()
    settings.CONTENT_SECURITY_POLICY = {"DIRECTIVES": {"default-src": [NONE], "frame-ancestors": [NONE]}}
    response = client.get("/api/categories/")
    assert response["Content-Security-Policy"] == build_policy() and "default-src 'none'" in build_policy()
    settings.CONTENT_SECURITY_POLICY_REPORT_ONLY = {"DIRECTIVES": {"default-src": [SELF]},
                                                    "EXCLUDE_URL_PREFIXES": ["/api/"]}
    assert "Content-Security-Policy-Report-Only" not in client.get("/api/categories/")
    assert client.get("/")["Content-Security-Policy-Report-Only"] == "default-src 'self'"
    assert "'unsafe-inline'" in client.get("/api/docs/")["Content-Security-Policy"]


def test_no_template_needs_an_inline_script_or_style():
    """CSP allows scripts and styles from files only: none in a template, no event handler attribute."""
    offenders = []
    for path in (ROOT / "templates").rglob("*.html"):
        text = path.read_text()
        for match in re.finditer(r"<script\b[^>]*>", text):
            tag = match.group(0)
            if "src=" not in tag and 'type="application/json"' not in tag:
                offenders.append((path.name, tag))
        offenders += [(path.name, m.group(0)) for m in re.finditer(r"<style\b|\sstyle=\"|\son[a-z]+=\"", text)]
    assert not offenders


@pytest.mark.parametrize("target", ["//evil.example", "https://evil.example/", "///evil.example", "/\\evil.example",
                                    "javascript:alert(1)"])
def test_no_redirect_leaves_the_site(client, db, target, make_user, tree, password):
    from communities.models import Role

    response = client.post("/preferences/text-size/", {"size": "large", "next": target})
    assert response["Location"] == "/"
    response = client.post("/i18n/setlang/", {"language": "en", "next": target})
    assert "evil" not in response["Location"] and "javascript" not in response["Location"]
    user = make_user(Role.DISTRICT_SUPERVISOR, tree["district"], username="boss")
    response = client.post(f"/accounts/login/?next={target}", {"username": "boss", "password": password,
                                                             "next": target})
    assert response.status_code == 302 and "evil" not in response["Location"], response["Location"]
    assert response["Location"].startswith("/") and not response["Location"].startswith("//")  # their own landing page
    response = client.post("/alerts/999999/acknowledge/", {"next": target})  # no such alert: 404, no redirect
    assert response.status_code == 404
    response = client.post(f"/accounts/logout/?next={target}")
    assert "evil" not in response["Location"]
    assert user.pk


def test_acknowledging_an_alert_goes_back_only_within_the_site(client, tree, make_user):
    from django.utils import timezone

    from communities.models import Role
    from petitions.models import RedAlert
    from petitions.services import PetitionInput, petition_submit
    from tests.factories import CategoryFactory

    boss = make_user(Role.DISTRICT_SUPERVISOR, tree["district"], username="boss2")
    category = CategoryFactory(code="noise")
    client.force_login(boss)
    for target, expected in [("//evil.example/x", "/alerts/"), ("/dashboard/", "/dashboard/")]:
        petition = petition_submit(data=PetitionInput(category=category, title="t", description="d",
                                                      phone="13812345678", community=tree["c11"]), actor=None)
        alert = RedAlert.objects.create(petition=petition, reasons=["test"], raised_at=timezone.now())
        response = client.post(f"/alerts/{alert.pk}/acknowledge/", {"next": target})
        assert response.status_code == 302
        assert response["Location"] == expected
