"""Durable studies: batches evaluated locally or on a Dask cluster, each written atomically.

A study directory holds::

    study.json             what the study is (kind, fingerprint, description)
    batches/<id>.parquet   one finished batch each (written to a temporary file,
                           flushed, then renamed: a batch is either whole or absent)
    failures/<id>.json     a batch that raised: its error and traceback

A batch counts as done only once its Parquet file exists. Restarted with the same
arguments, a study reads the finished batches and evaluates only the others
(failed ones are tried again); a directory holding another study (another
fingerprint) is refused rather than mixed.

Execution: `run_batches` evaluates the pending batches in this process, or, given a
``dask.distributed`` `Client` or a scheduler address, as one task each on the
cluster's workers (each worker keeps its groups and compiled code between tasks:
`compartments.evaluation`). Results are written here, in the calling process, as
they arrive; a tqdm progress bar counts batches.
"""

import json
import os
import time
import traceback
from importlib import metadata

import pandas as pd

__all__ = ["Study", "StudyMismatch", "run_batches", "connect", "SCHEDULER_TIMEOUT"]

MANIFEST = "study.json"
SCHEDULER_TIMEOUT = 5  # seconds to wait for a Dask scheduler to answer


class StudyMismatch(ValueError):
    """The results directory holds another study."""


def _atomic_write(path, write):
    """Write a file through ``write(tmp_path)``, flush it to disk, then rename it into place."""
    tmp = f"{path}.tmp-{os.getpid()}"
    try:
        write(tmp)
        with open(tmp, "rb+") as f:
            os.fsync(f.fileno())
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.remove(tmp)


class Study:
    """A results directory of one study (see the module docstring).

    Parameters
    ----------
    directory : str or None
        Where batches are kept; None keeps them in memory only (nothing survives
        the process).
    fingerprint : str
        The study's identity (its evaluator, design and batch layout).
    description : dict
        Plain data written to ``study.json`` for people (template, parameters,
        protocols, size).
    """

    def __init__(self, directory, fingerprint, description):
        self.directory, self.fingerprint = directory, fingerprint
        self.description = dict(description)
        self._memory = {}
        if directory is None:
            return
        manifest = os.path.join(directory, MANIFEST)
        if os.path.exists(manifest):
            with open(manifest) as f:
                found = json.load(f)
            if found.get("fingerprint") != fingerprint:
                raise StudyMismatch(
                    f"The results directory {directory!r} holds another study (fingerprint "
                    f"{found.get('fingerprint')}, {found.get('description')}); this one is "
                    f"{fingerprint} ({self.description}). Use a new directory rather than mix "
                    f"the two.")
        elif os.path.isdir(directory) and os.listdir(directory):
            raise StudyMismatch(f"The results directory {directory!r} is not empty and holds no "
                                f"{MANIFEST}: it is not a study directory. Use a new or empty "
                                f"directory.")
        else:
            os.makedirs(directory, exist_ok=True)
            data = {"fingerprint": fingerprint, "description": self.description,
                    "created": time.strftime("%Y-%m-%dT%H:%M:%S"),
                    "brian2compartments": _version()}
            _atomic_write(manifest, lambda p: _dump_json(p, data))
        os.makedirs(os.path.join(directory, "batches"), exist_ok=True)
        os.makedirs(os.path.join(directory, "failures"), exist_ok=True)

    def _path(self, kind, batch_id, ext):
        return os.path.join(self.directory, kind, f"{batch_id}.{ext}")

    def done(self, batch_id):
        """Whether batch ``batch_id`` is stored."""
        if self.directory is None:
            return batch_id in self._memory
        return os.path.exists(self._path("batches", batch_id, "parquet"))

    def read(self, batch_id):
        """The stored DataFrame of batch ``batch_id``."""
        if self.directory is None:
            return self._memory[batch_id]
        return pd.read_parquet(self._path("batches", batch_id, "parquet"))

    def write(self, batch_id, frame):
        """Store a finished batch atomically (and forget an earlier failure of it)."""
        if self.directory is None:
            self._memory[batch_id] = frame
            return
        _atomic_write(self._path("batches", batch_id, "parquet"),
                      lambda p: frame.to_parquet(p, index=False))
        failure = self._path("failures", batch_id, "json")
        if os.path.exists(failure):
            os.remove(failure)

    def fail(self, batch_id, error):
        """Record that batch ``batch_id`` raised ``error`` (message and traceback)."""
        record = {"batch": batch_id, "error": f"{type(error).__name__}: {error}",
                  "traceback": "".join(traceback.format_exception(error)),
                  "time": time.strftime("%Y-%m-%dT%H:%M:%S")}
        if self.directory is None:
            self._memory.setdefault("_failures", {})[batch_id] = record
            return
        _atomic_write(self._path("failures", batch_id, "json"), lambda p: _dump_json(p, record))

    def failures(self):
        """Batch id -> failure record, for the batches whose last attempt raised."""
        if self.directory is None:
            return dict(self._memory.get("_failures", {}))
        out = {}
        folder = os.path.join(self.directory, "failures")
        for name in sorted(os.listdir(folder)):
            if name.endswith(".json"):
                with open(os.path.join(folder, name)) as f:
                    record = json.load(f)
                out[record["batch"]] = record
        return out

    def __repr__(self):
        return (f"{type(self).__name__}({self.directory!r}, fingerprint={self.fingerprint}, "
                f"failures={len(self.failures())})")


def _dump_json(path, data):
    with open(path, "w") as f:
        json.dump(data, f, indent=1, sort_keys=True)


def _version():
    try:
        return metadata.version("brian2compartments")
    except metadata.PackageNotFoundError:
        return "unknown"


def connect(client):
    """A ``dask.distributed`` `Client` from a Client or a scheduler address.

    Raises
    ------
    ConnectionError
        If no scheduler answers at the address within `SCHEDULER_TIMEOUT` seconds.
    """
    from distributed import Client

    if isinstance(client, Client):
        return client
    if not isinstance(client, str):
        raise TypeError(f"The 'client' parameter must be a dask.distributed Client or a "
                        f"scheduler address such as 'tcp://host:8786'. Got {client!r} instead.")
    try:
        return Client(client, timeout=f"{SCHEDULER_TIMEOUT}s")
    except (OSError, TimeoutError) as ex:
        raise ConnectionError(f"No Dask scheduler answered at {client!r} within "
                              f"{SCHEDULER_TIMEOUT} s ({type(ex).__name__}: {ex}). Start one "
                              f"('dask scheduler') or check the address.") from ex


def _evaluate(evaluator, values):
    """A batch's evaluation (the function a Dask worker runs)."""
    return evaluator.evaluate(values)


def run_batches(study, evaluator, batches, client=None, progress=True, description="batches"):
    """Evaluate and store every pending batch of ``study``; return all batch frames.

    Parameters
    ----------
    study : `Study`
    evaluator : `Evaluator`
    batches : sequence of tuple
        ``(batch_id, values, annotate)``: SI values per name for the batch's
        candidates, and a function turning the evaluator's frame into the stored one
        (adds candidate numbers and parameters).
    client : `distributed.Client` or str, optional
        Run on a Dask cluster (a Client or a scheduler address).
    progress : bool
        Show a tqdm progress bar.

    Returns
    -------
    dict
        Batch id -> DataFrame (stored batches); failed batches are absent and
        recorded in ``study.failures()``.
    """
    from tqdm.auto import tqdm

    out = {bid: study.read(bid) for bid, _, _ in batches if study.done(bid)}
    pending = [b for b in batches if b[0] not in out]
    bar = tqdm(total=len(batches), initial=len(out), desc=description, disable=not progress,
               unit="batch")

    def finish(bid, annotate, result):
        """Store one batch (``result()`` gives the evaluator's frame), or record its error."""
        try:
            frame = annotate(result())
        except Exception as ex:  # recorded, not lost: the study goes on
            study.fail(bid, ex)
        else:
            study.write(bid, frame)
            out[bid] = frame
        bar.update()

    try:
        if client is None:
            for bid, values, annotate in pending:
                finish(bid, annotate, lambda: evaluator.evaluate(values))
        else:
            from distributed import as_completed

            client = connect(client)
            remote = client.scatter(evaluator, broadcast=True)
            futures = {client.submit(_evaluate, remote, values, pure=False): (bid, annotate)
                       for bid, values, annotate in pending}
            for future in as_completed(futures):
                bid, annotate = futures[future]
                finish(bid, annotate, future.result)
    finally:
        bar.close()
    return out
