"""Derived build artefacts on disk, so that a second process does not derive them again.

What is kept: the abstract code of the implicit state updaters and the numpy
source of the resting-state system — text derived from a group's equations by
sympy (`compartments.derivation`). Each entry is keyed by a SHA-256 of what it is
derived from *and* of the source files of the code that derives it, so a change
of the engine invalidates old entries by itself.

Location: ``$BRIAN2COMPARTMENTS_CACHE`` if set, else
``~/.cache/brian2compartments`` (``$XDG_CACHE_HOME`` honoured). Entries are
written to a temporary file and renamed (an interrupted write leaves no entry),
and carry a checksum: an entry that does not match it is removed with a
`CorruptCacheEntry` warning and derived again. `clear` empties the cache.
Set ``BRIAN2COMPARTMENTS_CACHE=off`` to disable it.
"""

import hashlib
import os
import shutil
import tempfile
import warnings

__all__ = ["cache_dir", "load", "store", "key", "clear", "CorruptCacheEntry"]

_HEADER = "# brian2compartments cache entry sha256="
_SOURCES = {}


class CorruptCacheEntry(UserWarning):
    """A cache entry did not match its checksum; it was removed and derived again."""


def cache_dir():
    """The cache directory (str), or None when caching is off."""
    path = os.environ.get("BRIAN2COMPARTMENTS_CACHE")
    if path == "off":
        return None
    if not path:
        base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"),
                                                                ".cache")
        path = os.path.join(base, "brian2compartments")
    return path


def _source_hash(modules):
    digest = hashlib.sha256()
    for module in modules:
        if module not in _SOURCES:
            with open(module.__file__, "rb") as f:
                _SOURCES[module] = hashlib.sha256(f.read()).hexdigest()
        digest.update(_SOURCES[module].encode())
    return digest.hexdigest()


def key(text, modules, versions=""):
    """Cache key of an artefact derived from ``text`` by the code in ``modules`` (and the
    library ``versions`` it depends on)."""
    material = _source_hash(modules) + "\n" + versions + "\n" + text
    return hashlib.sha256(material.encode()).hexdigest()[:32]


def _path(kind, entry_key):
    root = cache_dir()
    return None if root is None else os.path.join(root, kind, entry_key + ".txt")


def load(kind, entry_key):
    """The cached text of ``kind``/``entry_key``, or None."""
    path = _path(kind, entry_key)
    if path is None or not os.path.exists(path):
        return None
    try:
        with open(path, encoding="utf-8") as f:
            header, _, body = f.read().partition("\n")
    except (OSError, UnicodeDecodeError):
        header, body = "", ""
    if header != _HEADER + hashlib.sha256(body.encode()).hexdigest():
        warnings.warn(f"The cache entry {path} is damaged (checksum mismatch); it is removed "
                      f"and derived again.", CorruptCacheEntry, stacklevel=3)
        try:
            os.remove(path)
        except OSError:
            pass
        return None
    return body


def store(kind, entry_key, text):
    """Write ``text`` atomically as ``kind``/``entry_key`` (silently skipped if not writable)."""
    path = _path(kind, entry_key)
    if path is None:
        return
    try:
        os.makedirs(os.path.dirname(path), exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=os.path.dirname(path), suffix=".tmp")
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(_HEADER + hashlib.sha256(text.encode()).hexdigest() + "\n" + text)
        os.replace(tmp, path)
    except OSError:
        pass


def clear():
    """Remove every cached artefact (not Brian2's compiled modules)."""
    root = cache_dir()
    if root is not None and os.path.isdir(root):
        shutil.rmtree(root)
