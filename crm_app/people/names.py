"""Name keys for search and duplicate detection.

`fold` turns a name in any script into lower-case ASCII (anyascii: permissive licence, covers
Arabic, Ge'ez, Cyrillic). `skeleton` reduces a folded name to its consonants after merging the
spellings transliterations disagree on, so Mohammed/Muhammad and Yusuf/Youssef/Joesoef share a
key. The key only finds candidates: it also joins Mohammed/Mahmoud, so matches are decided by
phone, email, birth year and similarity scores (crm_app.people.dedupe). `deletions` makes it
typo-tolerant: two skeletons one dropped, added, changed or swapped letter apart share a deletion
(mhmd/mhd, ahmd/amhd). `display_name` is the one way
screens, lists and the `crm` command write a person's full name.
"""
from __future__ import annotations

import re
import unicodedata

from anyascii import anyascii

_NOT_LETTER = re.compile(r"[^a-z ]+")
_SPACES = re.compile(r"\s+")
# Spelling differences between Latin transliterations (English, French, Dutch, German, Turkish).
_DIGRAPHS = (
    ("sch", "s"), ("tch", "c"), ("sh", "s"), ("sj", "s"), ("ch", "h"), ("kh", "h"), ("gh", "g"),
    ("ph", "f"), ("th", "t"), ("dh", "d"), ("dj", "j"), ("ck", "k"), ("ks", "x"), ("ou", "u"),
    ("oe", "u"),
)
_LETTERS = str.maketrans({"j": "y", "c": "k", "q": "k", "x": "ks", "v": "w", "z": "s", "p": "b"})
_VOWELS = re.compile(r"[aeiouy]")
_REPEATS = re.compile(r"(.)\1+")
_SILENT_FINAL_H = re.compile(r"([aeiou])h$")


def fold(name: str | None) -> str:
    """`Muḥammad al-Sayyid` → `muhammad al sayyid`; any script to lower-case ASCII letters and spaces."""
    if not name:
        return ""
    ascii_text = anyascii(unicodedata.normalize("NFC", name)).lower()
    return _SPACES.sub(" ", _NOT_LETTER.sub(" ", ascii_text)).strip()


def skeleton(name: str | None) -> str:
    """Consonant skeleton of a folded name; a leading vowel counts as one generic `a`."""
    word = fold(name).replace(" ", "")
    if not word:
        return ""
    word = _SILENT_FINAL_H.sub(r"\1", word)  # Fatemeh / Fatema
    for spelled, sound in _DIGRAPHS:
        word = word.replace(spelled, sound)
    word = word.translate(_LETTERS)
    head = "a" if word[0] in "aeiouy" and not word.startswith("y") else word[0]
    tail = _VOWELS.sub("", word[1:])
    return _REPEATS.sub(r"\1", head + tail)


def deletions(key: str) -> set[str]:
    """The key and every key with one letter left out: a dropped, added, changed or swapped letter
    leaves two keys with a deletion in common (a symmetric deletion neighbourhood)."""
    return {key} | {key[:i] + key[i + 1:] for i in range(len(key))}
