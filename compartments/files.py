"""Writing result files so that an interrupted or failed write leaves no partial file.

`atomic_path` gives a temporary name in the target's folder; only when the
block finishes is it renamed over the target (``os.replace``, atomic on POSIX
and Windows), so a reader sees the old file or the complete new one, never a
truncated file that happens to parse.
"""

import contextlib
import os
import tempfile

__all__ = ["atomic_path"]


@contextlib.contextmanager
def atomic_path(path):
    """Context manager: yields a temporary path next to ``path``; renamed to ``path`` on success.

    >>> import os, tempfile
    >>> target = os.path.join(tempfile.mkdtemp(), "result.csv")
    >>> with atomic_path(target) as tmp:
    ...     with open(tmp, "w") as f:
    ...         _ = f.write("t_ms,v_mV\\n")
    >>> open(target).read()
    't_ms,v_mV\\n'
    """
    path = os.fspath(path)
    folder, name = os.path.split(os.path.abspath(path))
    stem, ext = os.path.splitext(name)
    fd, tmp = tempfile.mkstemp(prefix=f".{stem}.", suffix=f".partial{ext}", dir=folder)
    os.close(fd)
    try:
        yield tmp
        os.chmod(tmp, 0o666 & ~_umask())  # mkstemp's 0600 -> what open() would give
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.remove(tmp)


def _umask():
    mask = os.umask(0o022)
    os.umask(mask)
    return mask
