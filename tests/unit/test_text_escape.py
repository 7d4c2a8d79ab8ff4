"""Stored text inside Markdown: every sign escaped, and a bare address no longer a link."""
import pytest

from crm_app.ui.text import escape


@pytest.mark.parametrize("stored, shown", [
    ("![x](http://evil.example/p.png)", "\\!\\[x\\]\\(http\u2060\\:\\/\\/evil\\.example\\/p\\.png\\)"),
    (":red[Rood] $$x^y$$", "\\:red\\[Rood\\] \\$\\$x\\^y\\$\\$"),
    ("see www.evil.example", "see www\u2060\\.evil\\.example"),
    ("Amira O'Brien-Haddad", "Amira O\\'Brien\\-Haddad"),
    ("Ünal Şahin — محمد", "Ünal Şahin — محمد"),
])
def test_stored_text_is_escaped_for_markdown(stored, shown):
    assert escape(stored) == shown
