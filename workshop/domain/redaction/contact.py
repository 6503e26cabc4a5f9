"""E-mail addresses, links and social media handles."""

from __future__ import annotations

import re

from .base import _Span, _words

_EMAIL = re.compile(
    r"(?<![\w.%+-])[A-Za-z0-9][A-Za-z0-9._%+-]*@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?"
    r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*\.[A-Za-z]{2,24}(?![\w-])"
)

_TLDS = (
    r"(?:co|org|ac|gov|nhs|sch|ltd|plc|me|net|police|mod)\.uk|uk|com|org|net|info|io|biz"
    r"|gov|edu|ie|eu"
)
_URL_CHARS = r"[^\s<>\"'()\[\]{}]"
# Links with a scheme or "www.".
_URL = re.compile(rf"\b(?:[Hh][Tt][Tt][Pp][Ss]?://|[Ww][Ww][Ww]\.){_URL_CHARS}+")
# Bare domains are found from their ending (".com", ".co.uk", "bit.ly/...") backwards.
_TLD_DOT = re.compile(rf"\.(?:{_TLDS}|(?:ly|co|gl)(?=/))(?![\w-])", re.IGNORECASE)
_URL_PATH = re.compile(rf"/{_URL_CHARS}*")
_HOST_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-")
_WEB_WORDS = frozenset(("www", "http", "https"))
_TLD_WORDS = frozenset(
    _words(
        """
    com org net info io biz gov edu ie eu uk ly co gl
    """
    )
)
_URL_TRAILING = ".,;:!?'\"’”)]}>"


def _trim_url(text: str, start: int, end: int) -> int:
    while end > start and text[end - 1] in _URL_TRAILING:
        end -= 1
    return end


def _find_urls(text: str, out: list[_Span]) -> None:
    for m in _URL.finditer(text):
        end = _trim_url(text, m.start(), m.end())
        if end > m.start():
            out.append((m.start(), end, "url"))
    for m in _TLD_DOT.finditer(text):
        start = m.start()
        while start > 0 and text[start - 1] in _HOST_CHARS:
            start -= 1
        while start < m.start() and not text[start].isalnum():
            start += 1
        if start == m.start() or (start > 0 and text[start - 1] in "@_"):
            continue  # no host name, or an email address (found separately)
        end = m.end()
        path = _URL_PATH.match(text, end)
        if path:
            end = _trim_url(text, end, path.end())
        out.append((start, end, "url"))


def find_links(text: str, low: set[str], out: list[_Span]) -> None:
    """E-mail addresses written with "@" and links."""
    if "@" in text:
        for m in _EMAIL.finditer(text):
            out.append((m.start(), m.end(), "email"))
    if ("." in text and not low.isdisjoint(_TLD_WORDS)) or not low.isdisjoint(_WEB_WORDS):
        _find_urls(text, out)


# E-mail addresses with "at" and "dot" written out, or with spaces around "@" and ".".
_AT = r"(?:\s*@\s*|\s*[(\[]\s*at\s*[)\]]\s*|\s+at\s+)"
_DOT = r"(?:\s*\.\s*|\s*[(\[]\s*dot\s*[)\]]\s*|\s+dot\s+)"
_LOCAL = r"[A-Za-z0-9][A-Za-z0-9_%+\-]*(?:(?:\.|\s+dot\s+|\s*[(\[]dot[)\]]\s*)[A-Za-z0-9_%+\-]+)*"
_MAIL_HOSTS = (
    r"(?:gmail|googlemail|hotmail|outlook|live|yahoo|ymail|icloud|me|aol|btinternet|bt|sky|"
    r"virgin|virginmedia|ntlworld|talktalk|tiscali|gmx|mail|protonmail|proton|wp|o2|onet)"
)
_SPOKEN_EMAIL = re.compile(
    rf"(?<![\w.@])(?P<l>{_LOCAL}){_AT}(?P<h>(?!www\b)[a-z0-9\-]+(?:{_DOT}[a-z0-9\-]+)*?){_DOT}"
    r"(?P<t>com|co\s*(?:\.|\s+dot\s+|[(\[]dot[)\]])\s*uk|co|org|net|uk|ie|pl|ro|de|fr|info|gov\s*(?:\.|\s+dot\s+)\s*uk|nhs\s*(?:\.|\s+dot\s+)\s*uk)"
    r"(?![\w])",
    re.IGNORECASE,
)
_KNOWN_HOST = re.compile(rf"{_MAIL_HOSTS}\Z", re.IGNORECASE)
_EMAIL_WORDS = frozenset(_words("at dot @ (at) [at]"))
_SHORT_LOCAL_STOP = frozenset(_words("is me my email e-mail address on at to or and was"))


def find_spoken_emails(text: str, low: set[str], out: list[_Span]) -> None:
    """E-mails written "kerry at hotmail dot com", "shaz_1983 @ yahoo . com"."""
    if "@" not in text and "at" not in low and "(at)" not in text.lower():
        return
    for m in _SPOKEN_EMAIL.finditer(text):
        start = m.start()
        written = text[m.end("l") : m.end()].lower()
        spelled = not any(w in written for w in ("@", "(at)", "[at]", "dot"))
        if spelled and not _KNOWN_HOST.match(m.group("h")):
            continue  # "an article at example.org", "visit us at example.com"
        local = m.group("l")
        if len(local) <= 2:
            # "tasha b at gmail dot com": the name before a one-letter part is part of it.
            before = re.search(r"([A-Za-z][\w.\-]*)\s+\Z", text[max(0, start - 30) : start])
            if before and before.group(1).lower() not in _SHORT_LOCAL_STOP:
                start -= len(before.group(0))
        out.append((start, m.end(), "email"))


# Social media handles -------------------------------------------------------------------
_AT_HANDLE = re.compile(r"(?<![\w@.])@[A-Za-z0-9_](?:[A-Za-z0-9_.]*[A-Za-z0-9_])?")
_HANDLE_CUE = re.compile(
    r"\b(?:insta|instagram|ig|snap|snapchat|sc|tiktok|tik\s+tok|twitter|fb|facebook|youtube|"
    r"threads|x|handle|username|user\s+name|account|dm|discord|telegram|twitch|reddit)\b"
    r"(?:\s+(?:is|as|me|handle|username|name|account|:|-|on|at|@))*\s*[:\-]?\s*"
    r"(?P<h>[A-Za-z0-9_][A-Za-z0-9_.]*[A-Za-z0-9_])",
    re.IGNORECASE,
)
# A word that only a handle looks like: letters with "_", or letters, dots and digits.
_HANDLE_SHAPE = re.compile(
    r"(?<![\w@.])(?=[A-Za-z0-9_.]*[A-Za-z])(?:[A-Za-z0-9]*_[A-Za-z0-9_.]*[A-Za-z0-9]"
    r"|[A-Za-z][A-Za-z0-9]*(?:\.[A-Za-z0-9]+){1,4}\d[A-Za-z0-9]*"
    r"|[A-Za-z]+(?:\.[A-Za-z0-9]+){2,4})(?![\w@]|\.\w)"
)
_HANDLE_WORDS = frozenset(
    _words(
        "insta instagram ig snap snapchat sc tiktok tik twitter fb facebook youtube threads x handle username account dm"
    )
)


def _handle_like(h: str) -> bool:
    return any(c.isdigit() for c in h) or "_" in h or "." in h


def find_handles(text: str, low: set[str], out: list[_Span]) -> None:
    """Social media handles: "@lil_deano_09", "tiktok: kayz.x.2010", "snap me kayla_xx_11"."""
    if "@" in text:
        for m in _AT_HANDLE.finditer(text):
            if len(m.group()) >= 3:
                out.append((m.start(), m.end(), "handle"))
    if not low.isdisjoint(_HANDLE_WORDS):
        for m in _HANDLE_CUE.finditer(text):
            h = m.group("h")
            if _handle_like(h) and len(h) >= 3:
                out.append((m.start("h"), m.end("h"), "handle"))
    if "_" in text or "." in text:
        for m in _HANDLE_SHAPE.finditer(text):
            g = m.group()
            if g.lower().rstrip(".") in ("e.g", "i.e", "a.m", "p.m", "d.o.b", "n.i", "etc", "u.k"):
                continue
            out.append((m.start(), m.end(), "handle"))
