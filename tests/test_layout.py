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
