"""Simplified Chinese by default, English on request, and a catalogue with nothing missing."""

import gettext
from pathlib import Path

import polib
import pytest

ROOT = Path(__file__).resolve().parents[1]
ZH_PO = ROOT / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"


def test_every_chinese_string_is_translated():
    po = polib.pofile(str(ZH_PO))
    untranslated = [e.msgid for e in po.untranslated_entries()]
    fuzzy = [e.msgid for e in po.fuzzy_entries()]
    assert not untranslated, f"untranslated: {untranslated}"
    assert not fuzzy, f"fuzzy: {fuzzy}"


def test_compiled_catalogue_is_current():
    po = polib.pofile(str(ZH_PO))
    with open(ZH_PO.with_suffix(".mo"), "rb") as fp:
        mo = gettext.GNUTranslations(fp)
    for entry in po.translated_entries():
        if entry.msgid_plural:
            assert mo.ngettext(entry.msgid, entry.msgid_plural, 1) == entry.msgstr_plural[0], entry.msgid
        elif entry.msgctxt:
            assert mo.pgettext(entry.msgctxt, entry.msgid) == entry.msgstr, entry.msgid
        else:
            assert mo.gettext(entry.msgid) == entry.msgstr, f"stale .mo for {entry.msgid!r}: run `make messages`"


def test_the_catalogue_covers_every_string_in_the_code(tmp_path):
    """makemessages over the tree finds no msgid that the committed catalogue lacks."""
    import shutil
    import subprocess
    import sys

    if not shutil.which("msgfmt"):
        pytest.skip("GNU gettext is not installed")
    work = tmp_path / "tree"
    shutil.copytree(ROOT, work, ignore=shutil.ignore_patterns(".venv", "var", ".git", "__pycache__", "tests", "benchmarks", "node_modules"))
    subprocess.run(
        [sys.executable, "manage.py", "makemessages", "-l", "zh_Hans", "--no-obsolete", "--ignore=.venv", "--ignore=var"],
        cwd=work, check=True, capture_output=True,
    )
    fresh = polib.pofile(str(work / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"))
    missing = [e.msgid for e in fresh.untranslated_entries()]
    assert not missing, f"strings without a Chinese translation (run `make messages`): {missing}"


def test_chinese_by_default_english_on_request(client, db):
    html = client.get("/").content.decode()
    assert '<html lang="zh-hans"' in html
    assert "有诉求，找我们" in html
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert response.status_code == 302
    html = client.get("/").content.decode()
    assert '<html lang="en"' in html
    assert "Tell us what you need" in html
    # The switcher offers the other language in its own name.
    assert '>简体中文</button>' in html
