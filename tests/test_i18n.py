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


def test_api_answers_speak_the_language_asked_for(client, db):
    """The API answers in the language of Accept-Language, or of the language cookie, and says so
    (Content-Language; Vary: Accept-Language for caches); Chinese by default."""
    url = "/api/petitions/track/GM-0000-0000/"
    chinese = client.get(url, {"phone": "12"})
    assert chinese.status_code == 400 and chinese["Content-Language"] == "zh-hans"
    assert "Accept-Language" in chinese["Vary"]
    english = client.get(url, {"phone": "12"}, HTTP_ACCEPT_LANGUAGE="en-GB,en;q=0.8")
    assert english["Content-Language"] == "en" and english.json() == {"phone": ["Enter the last 4 digits of your phone."]}
    assert chinese.json() != english.json()
    missing = client.get(url, {"phone": "1234"}, HTTP_ACCEPT_LANGUAGE="en")
    assert missing.status_code == 404 and missing.json()["detail"].startswith("No petition matches")
    client.cookies["django_language"] = "en"
    assert client.get(url, {"phone": "1234"})["Content-Language"] == "en"
    # A path that starts like a language code is not taken for one: no pattern has a language prefix.
    del client.cookies["django_language"]
    assert client.get("/en/", HTTP_ACCEPT_LANGUAGE="zh-hans")["Content-Language"] == "zh-hans"


# --- Chinese done right: every label a reader meets, in zh-Hans --------------------------------

OUR_APPS = ("communities", "petitions", "mediation")
# Labels that are the same in both languages.
SAME_IN_BOTH = {"PDF", "ID", "SMS", "Webhook", "E-mail", "GeoJSON", "CSV", "URL", "API"}
CJK = __import__("re").compile(r"[\u4e00-\u9fff]")


def _model_labels():
    """(where, English, lazy label) for every model, field and choice of our apps."""
    from django.apps import apps

    for config in apps.get_app_configs():
        if config.name not in OUR_APPS:
            continue
        for model in config.get_models():
            where = f"{config.label}.{model.__name__}"
            yield where, model._meta.verbose_name
            yield where + " (plural)", model._meta.verbose_name_plural
            for field in model._meta.get_fields():
                if not hasattr(field, "verbose_name") or field.auto_created:
                    continue
                yield f"{where}.{field.name}", field.verbose_name
                for _value, label in getattr(field, "flatchoices", None) or []:
                    if label:
                        yield f"{where}.{field.name} choice", label


def test_every_model_field_and_choice_reads_in_chinese():
    from django.utils import translation

    untranslated = []
    with translation.override("zh-hans"):
        for where, label in _model_labels():
            text = str(label)
            if text not in SAME_IN_BOTH and not CJK.search(text):
                untranslated.append(f"{where}: {text!r}")
    assert not untranslated, "untranslated labels in zh-Hans:\n" + "\n".join(untranslated)


def test_admin_labels_say_what_the_field_is():
    """Regressions of labels that had read as another word (描述 was 矛盾调解, 关闭时间 was 任命时间)."""
    from django.utils import translation

    from mediation.models import CaseStatus, MediationCase
    from petitions.models import Category, Petition

    with translation.override("zh-hans"):
        assert str(Petition._meta.get_field("description").verbose_name) == "描述"
        assert str(Category._meta.get_field("description").verbose_name) == "描述"
        assert str(Petition._meta.get_field("closed_at").verbose_name) == "关闭时间"
        assert str(MediationCase._meta.get_field("closed_at").verbose_name) == "关闭时间"
        assert str(CaseStatus.OPENED.label) == "调解中"


def _template_msgids():
    """Every {% translate %} / {% blocktranslate %} string of every template, with its context."""
    import re

    simple = re.compile(r"""\{%\s*(?:translate|trans)\s+(["'])(.+?)\1(?:\s+context\s+(["'])(.+?)\3)?[^%]*%\}""")
    block = re.compile(r"\{%\s*blocktrans(?:late)?(?P<args>[^%]*)%\}(?P<body>.*?)"
                       r"(?:\{%\s*plural\s*%\}(?P<plural>.*?))?\{%\s*endblocktrans(?:late)?\s*%\}", re.S)
    variable = re.compile(r"\{\{\s*(\w+)\s*\}\}")
    for path in sorted((ROOT / "templates").rglob("*.html")):
        text = path.read_text()
        for m in simple.finditer(text):
            # {% translate %} looks its string up with every % doubled, as makemessages writes it.
            yield path.name, m.group(4), m.group(2).replace("%", "%%")
        for m in block.finditer(text):
            if "trimmed" in m.group("args"):
                continue  # whitespace-folded: makemessages' own check covers these
            ctx = re.search(r"""context\s+(["'])(.+?)\1""", m.group("args"))
            body = re.sub(r"%(?!\()", "%%", m.group("body"))  # a literal % is %% in the catalogue
            yield path.name, ctx.group(2) if ctx else None, variable.sub(r"%(\1)s", body)


def test_every_template_string_has_a_chinese_translation():
    po = polib.pofile(str(ZH_PO))
    known = {(e.msgctxt, e.msgid): e for e in po if not e.obsolete}
    missing = []
    for name, ctx, msgid in _template_msgids():
        entry = known.get((ctx, msgid))
        translated = entry is not None and (entry.msgstr or any(entry.msgstr_plural.values()))
        if not translated:
            missing.append(f"{name}: {msgid!r}")
    assert not missing, "template strings without a Chinese translation:\n" + "\n".join(missing)


# Different English words that rightly share one Chinese word. Any other pair that shares a
# translation reads as the same thing to a Chinese reader when it is not (开放中 for "open"
# petitions, 调解中 for an open case); give one of them a context (pgettext) or another word.
SYNONYMS = [
    {"Community", "The community", "Communities"}, {"Service", "services"}, {"Who attended", "attendees"},
    {"Street", "Streets"}, {"date", "day"}, {"Failed", "Mediation failed"}, {"kind", "type"},
    {"subject", "Title"}, {"at", "When"}, {"file", "Document"}, {"Type of dispute", "dispute type"},
    {"Terms of the agreement", "terms"}, {"mediation session held", "Session held"},
    {"Party added", "Add a party"}, {"Session scheduled", "Schedule a session"},
    {"Red notice requested", "Request a red notice"}, {"Court decision recorded", "Record the court's decision"},
    {"Record the session", "Record a session"}, {"How many people are affected?", "people affected"},
    {"Declined", "Decline"}, {"repeat of", "Repeat petitions"}, {"raised at", "Raised"},
    {"Open the case", "Accept"}, {"Overdue", "Overdue now"}, {"Agreement"}, {"opened at", "accepted at"},
    {"Confirmed by a court", "judicial confirmation"}, {"Mediation cases"}, {"Parties", "party"},
    {"Agreement", "mediation agreement"}, {"Open", "Open now"}, {"resident", "The resident"},
    {"Attachments"}, {"Red notices", "red notice"}, {"Department scores", "department score"},
]


def test_no_two_meanings_share_one_chinese_word():
    import re
    from collections import defaultdict

    def key(msgid: str) -> str:  # singular/plural and case are one meaning
        word = re.sub(r"[^a-z' ]", "", msgid.lower()).strip()
        return re.sub(r"s\b", "", re.sub(r"ies\b", "y", word))

    allowed = [{key(w) for w in group} for group in SYNONYMS]
    by_chinese = defaultdict(set)
    for entry in polib.pofile(str(ZH_PO)):
        if entry.msgstr and not entry.obsolete:
            by_chinese[entry.msgstr].add(key(entry.msgid))
    clashes = []
    for chinese, keys in by_chinese.items():
        if len(keys) > 1 and not any(keys <= group for group in allowed):
            clashes.append(f"{chinese}: {sorted(keys)}")
    assert not clashes, "one Chinese word for different meanings:\n" + "\n".join(clashes)


def test_english_pages_show_category_names_in_english(client, db):
    from django.utils import translation

    from petitions.demo_data import CATEGORIES, CATEGORY_NAMES_EN
    from petitions.models import Category

    assert set(CATEGORY_NAMES_EN) == {row[0] for row in CATEGORIES}
    category = Category(code="wage-arrears", name="拖欠工资", name_en="Unpaid wages")
    with translation.override("en"):
        assert str(category) == "Unpaid wages"
    with translation.override("zh-hans"):
        assert str(category) == "拖欠工资"


def test_every_step_a_petition_records_has_a_name_on_the_page():
    """The trace shows each step by its label: an action key without one ("risk", "note") would
    reach the Chinese page as an English word."""
    import re

    from petitions.actions import PETITION_ACTIONS

    labelled = {a.name for a in PETITION_ACTIONS.actions} | set(PETITION_ACTIONS.events)
    written = set()
    for path in (ROOT / "petitions").glob("*.py"):
        text = path.read_text()
        written |= set(re.findall(r'action="([a-z_]+)"', text))
        written |= {f"overdue_{step}" for step in ("accept", "resolve")} if 'f"overdue_{step}"' in text else set()
    assert written, "no actions found"
    assert not written - labelled, sorted(written - labelled)
