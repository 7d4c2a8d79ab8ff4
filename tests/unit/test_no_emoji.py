"""No screen says anything by emoji alone: without an emoji font (many office PCs, Debian's Chromium)
"✅" is an empty box. A status is a Material icon (`:material/check_circle:`) beside its words, and a
table cell or column says it in words."""
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCREEN_FILES = sorted([ROOT / "app.py", *(ROOT / "pages").glob("*.py"), *(ROOT / "crm_app" / "ui").glob("*.py"),
                       *(ROOT / "crm_app" / "locale").glob("*/LC_MESSAGES/crm.po")])
# Pictographs, the emoji variation selector, and the symbols that browsers draw as emoji by default.
EMOJI = re.compile("[\U0001F000-\U0001FAFF\uFE0F\u231A\u231B\u23E9-\u23F3\u25FD\u25FE\u2614\u2615\u26A0\u26A1"
                   "\u26AA\u26AB\u26BD\u26BE\u26C4\u26C5\u26D4\u26EA\u26F2-\u26F5\u26FA\u26FD\u2705\u270A\u270B"
                   "\u2728\u274C\u274E\u2753-\u2755\u2757\u2795-\u2797\u27B0\u27BF\u2B1B\u2B1C\u2B50\u2B55]")


@pytest.mark.parametrize("path", SCREEN_FILES, ids=lambda p: str(p.relative_to(ROOT)))
def test_no_emoji_on_a_screen(path):
    found = [f"{number}: {line.strip()}" for number, line in enumerate(path.read_text("utf-8").splitlines(), 1)
             if EMOJI.search(line)]
    assert not found, found


def test_the_check_sees_an_emoji_status():
    assert EMOJI.search('"✅ " + tr("target.met")') and EMOJI.search("⚠️ 2") and EMOJI.search('"📅"')
    assert not EMOJI.search(':material/check_circle: gehaald ✓')
