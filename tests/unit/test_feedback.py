"""The focus script of crm_app.ui.feedback: only widget keys get in, and the sanitiser keeps it."""
import json
import re

from crm_app.ui.feedback import focus_script


def data(script: str) -> dict:
    return json.loads(re.search(r"var d=(\{.*?\}),n=0", script).group(1))


def test_only_keys_of_the_widget_shape_reach_the_script():
    script = focus_script("register_submit_feedback", ["register_phone", "x');alert(1);//", "a</script><b>",
                                                      "register_phone", ""], 3)
    assert data(script) == {"box": "register_submit_feedback", "fields": ["register_phone"], "run": 3}
    assert "alert" not in script and script.count("</script>") == 1


def test_the_script_has_nothing_that_looks_like_markup_so_streamlit_keeps_it():
    # Streamlit's sanitiser (DOMPurify) drops a script whose text matches <letter, digit or slash.
    body = focus_script("kiosk_submit_feedback", ["kiosk_phone"], 1).removeprefix("<script>").removesuffix("</script>")
    assert not re.search(r"<[/\w]", body)
