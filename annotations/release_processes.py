"""A release's formats written by several processes at once, from one read of the project.

The build (``annotations.release_build``) reads the records once. With more than one format
and a large enough project, it hands them to ``FormatProcesses``: each process writes a share
of the formats (every split of each), and the build sends it every record, pickled once per
batch for all of them. The shares are balanced by each format's ``Writer.COST``, the formats
that cut records into tokens (``Writer.TOKENS``) kept in one, where they cut each record
once. A format is written by one process in the order the records come, so its files are the
bytes a build in one process writes, however many processes there are.

Each process is a new interpreter running this module (``python -m``), fed through its
standard input: not a fork, since a build runs in a worker that holds a database connection
(and, in tests, threads) a forked child would share, nor multiprocessing's spawn, which
imports the parent's main script again in the child. A process sets Django up, imports the
exports and never touches the database or the storage, only its files in the build's local
temporary directory. If one fails (a record a writer cannot write, a full disk, a crash), the
build stops at the next batch with the process's own error, and throws the files away as
after any failed build.

Only the standard library is imported at the top: a process runs this module before it sets
Django up.
"""

from __future__ import annotations

import contextlib
import dataclasses
import math
import os
import pickle
import signal
import struct
import subprocess
import sys
import traceback
from collections.abc import Set
from contextlib import ExitStack
from pathlib import Path
from typing import IO, TYPE_CHECKING, NoReturn

if TYPE_CHECKING:
    from annotations.exports import ExportMeta, Writer
    from annotations.exports.records import Record

# Records sent to the processes at a time: few enough that a batch stays small in memory.
BATCH = 50
# Below this many annotation sets, starting processes (about a second each) costs more than
# it saves: every format is written in the build's own process.
PARALLEL_FROM_SETS = 1000

Job = tuple[str, str, Path]  # (format, split, stem of its files)
FRAME = struct.Struct(">Q")  # the size of each message to a process, before its bytes
ANSWER_LIMIT = 4096  # bytes of a process's reason for failing that reach the build


def process_count() -> int:
    """The processes a build may use: RELEASE_BUILD_PROCESSES, or when it is 0 the CPUs this
    process may run on (1 writes every format in the build's own process)."""
    from django.conf import settings

    return settings.RELEASE_BUILD_PROCESSES or os.process_cpu_count() or 1


def shares(
    formats: list[str], costs: dict[str, float], processes: int, together: Set[str] = frozenset()
) -> list[list[str]]:
    """`formats` spread over shares, one per process: the formats in `together` as one unit,
    each other format alone, each unit to the least loaded share so far, costliest first.
    No more shares than `processes`, nor than it takes to bring each down to the costliest
    unit's cost (more processes would not finish sooner). Every share in the order `formats`
    gives."""
    units = [[format] for format in formats if format not in together]
    if joined := [format for format in formats if format in together]:
        units.append(joined)
    weighted = sorted(
        ((sum(costs[format] for format in unit), unit) for unit in units), key=lambda w: -w[0]
    )
    needed = math.ceil(sum(cost for cost, _ in weighted) / weighted[0][0]) if weighted else 0
    loads = [0.0] * max(1, min(processes, needed))
    spread: list[list[str]] = [[] for _ in loads]
    for cost, unit in weighted:
        least = loads.index(min(loads))
        spread[least] += unit
        loads[least] += cost
    return [sorted(share, key=formats.index) for share in spread]


class FormatsHere:
    """Every format of `jobs` written in this process (a small release, or one CPU): the
    same ``write`` and ``close`` as ``FormatProcesses``."""

    def __init__(self, stack: ExitStack, jobs: list[Job], meta: ExportMeta) -> None:
        from annotations.exports import open_writer, write_record

        self.write_record = write_record  # imported here, not per record
        self.writers: dict[tuple[str, str], Writer] = {}
        for format, split, stem in jobs:
            self.writers[format, split], _ = open_writer(stack, format, stem, meta)
        self.formats = list(dict.fromkeys(format for format, _, _ in jobs))

    def write(self, split: str, record: Record) -> None:
        for format in self.formats:
            self.write_record(self.writers[format, split], format, record)

    def close(self) -> None:
        for writer in self.writers.values():
            writer.close()


class WriterProcessFailed(Exception):
    """A process writing some of a release's formats failed; the message says which and why."""


class Process(subprocess.Popen[bytes]):
    """A writing process, with pipes to its standard input and output (never None)."""

    stdin: IO[bytes]
    stdout: IO[bytes]


class FormatProcesses:
    """Processes writing `jobs` in `shares` of formats: ``write`` a record of a split to every
    one, then ``close`` (both raise WriterProcessFailed when a process failed). Used as a
    context manager, which stops every process it started, whatever happened."""

    def __init__(self, share_formats: list[list[str]], jobs: list[Job], meta: ExportMeta):
        self.share_formats = share_formats
        self.jobs = jobs
        self.meta = meta
        self.processes: list[tuple[list[str], Process]] = []
        self.batch: list[tuple[str, Record]] = []

    def __enter__(self) -> FormatProcesses:
        from django.conf import settings

        try:
            # In the worker's own directory (a relative ENV_FILE, say, means the same there),
            # finding `annotations` where the worker does, in a session of its own (a signal
            # to the worker's process group is the worker's to act on).
            path = os.pathsep.join(
                filter(None, [str(settings.BASE_DIR), os.environ.get("PYTHONPATH")])
            )
            meta = dataclasses.asdict(self.meta)
            for formats in self.share_formats:
                process = Process(
                    [sys.executable, "-m", __name__],
                    stdin=subprocess.PIPE,
                    stdout=subprocess.PIPE,
                    env=os.environ | {"PYTHONPATH": path},
                    start_new_session=True,
                )
                self.processes.append((formats, process))
                jobs = [job for job in self.jobs if job[0] in formats]
                self._deliver(formats, process, pickle.dumps((jobs, meta)))
        except BaseException:
            self.__exit__()  # the `with` stops only what it entered
            raise
        return self

    def __exit__(self, *exc_info: object) -> None:
        for _, process in self.processes:
            with contextlib.suppress(OSError):
                process.stdin.close()
            try:
                process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
            process.stdout.close()

    def write(self, split: str, record: Record) -> None:
        self.batch.append((split, record))
        if len(self.batch) >= BATCH:
            self._send()

    def close(self) -> None:
        """Send what is left and the end; wait for every process to finish its files."""
        self._send()
        for formats, process in self.processes:
            self._deliver(formats, process, b"")
        for formats, process in self.processes:
            if process.wait() != 0:
                self._fail(formats, process)

    def _send(self) -> None:
        if not self.batch:
            return
        data = pickle.dumps(self.batch, protocol=pickle.HIGHEST_PROTOCOL)
        self.batch = []
        for formats, process in self.processes:
            self._deliver(formats, process, data)

    def _deliver(self, formats: list[str], process: Process, data: bytes) -> None:
        if process.poll() is not None:  # it stopped before the end: it failed
            self._fail(formats, process)
        try:
            process.stdin.write(FRAME.pack(len(data)) + data)
            process.stdin.flush()
        except OSError:  # it has gone meanwhile
            self._fail(formats, process)

    def _fail(self, formats: list[str], process: Process) -> NoReturn:
        """Raise WriterProcessFailed with what the process said (it says only why it failed,
        in at most ANSWER_LIMIT bytes, which a pipe holds whole, so it can always exit)."""
        said = process.stdout.read().decode(errors="replace").strip()
        code = process.wait()
        raise WriterProcessFailed(
            f"The process writing {', '.join(formats)} failed: "
            + (said or f"it stopped with exit code {code}.")
        )


def _receive(stream: IO[bytes]) -> bytes:
    """One message from the build: its bytes (empty at the end)."""
    header = stream.read(FRAME.size)
    if len(header) < FRAME.size:
        raise EOFError("the build stopped sending records before the end.")
    (size,) = FRAME.unpack(header)
    return stream.read(size)


def main() -> int:
    """A writing process (``python -m annotations.release_processes``): read its jobs and the
    export's meta, write every record received, close the files; say nothing when done, or
    why it stopped."""
    # The build stops its processes itself (it closes their input), also when its worker is
    # asked to stop gracefully and finishes the build first: a stray Ctrl-C or SIGTERM must not.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    answer = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)  # anything else printed goes to the standard error, not into the answer
    source = sys.stdin.buffer
    try:
        import django

        django.setup()
        from annotations.exports import ExportMeta

        jobs, meta = pickle.loads(_receive(source))
        with ExitStack() as stack:
            writers = FormatsHere(stack, jobs, ExportMeta(**meta))
            while data := _receive(source):
                for split, record in pickle.loads(data):
                    writers.write(split, record)
            writers.close()
    except BaseException as error:  # noqa: BLE001 - told to the build, which fails with it
        traceback.print_exc()  # into the worker's log, as a failure in its own process would be
        said = f"{type(error).__name__}: {error}" if str(error) else type(error).__name__
        answer.write(said.encode()[:ANSWER_LIMIT])
        answer.close()
        return 1
    answer.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
