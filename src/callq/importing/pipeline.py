"""Read and validate an import file in a second process while this one writes.

Validation is pure Python and the writes are mostly SQLite, so on two cores the halves
overlap. The reading process parses the whole file before it sends a single batch: a
broken CSV must change nothing, and the csv module's error may come on the last line.
Then it sends validated batches through a pipe as plain tuples, the cheapest form to
pickle, and the writer imports each one as it arrives. Where `fork` is missing, or the
file is small enough that starting a process would cost more than it saves, the same
generator runs in this process.
"""

import os
import pickle
import signal
import traceback
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, NoReturn

from callq.errors import UserError
from callq.importing.fastphone import PhoneNormaliser
from callq.importing.headers import map_columns, require_usable
from callq.importing.reading import read_table
from callq.importing.rows import Row, RowReader
from callq.services.common import zone

# Below this file size the import runs in one process (a fork costs ~10-30 ms).
PARALLEL_FROM_BYTES = 1_000_000

Reject = tuple[list[str], str]  # the row's cells, the reason it cannot be imported


@dataclass(frozen=True)
class FileLayout:
    """What the writer needs to know before the first batch."""

    headers: list[str]
    mapping: dict[int, str]  # column index -> field
    encoding: str
    delimiter: str
    rows: int


@dataclass(frozen=True)
class ValidatedBatch:
    rows: list[Row]
    rejects: list[Reject]  # the rejected rows read since the previous batch


@dataclass(frozen=True)
class Finished:
    unknown_zones: int


@dataclass(frozen=True)
class _Failed:
    """The reading process's exception, as a message (exceptions do not cross a pipe well)."""

    message: str
    user_error: bool


class ValidatedFile:
    """The messages of `validated` as a layout, batches and the reader's closing figures."""

    def __init__(self, messages: Iterator[FileLayout | ValidatedBatch | Finished]) -> None:
        self._messages = messages
        layout = next(messages)
        assert isinstance(layout, FileLayout)
        self.layout = layout
        self.unknown_zones = 0

    def batches(self) -> Iterator[ValidatedBatch]:
        for message in self._messages:
            if isinstance(message, Finished):
                self.unknown_zones = message.unknown_zones
                return
            yield message


@dataclass(frozen=True)
class ReadOptions:
    explicit_maps: dict[str, str]
    region: str
    default_source: str
    batch_rows: int


def _valid_zone(name: str) -> bool:
    try:
        zone(name)
    except Exception:
        return False
    return True


def validated(path: Path, options: ReadOptions) -> Iterator[FileLayout | ValidatedBatch | Finished]:
    """The file's layout, then batches of `batch_rows` valid rows, then `Finished`."""
    table = read_table(path)
    mapping = map_columns(table.headers, options.explicit_maps)
    require_usable(mapping, table.headers)
    yield FileLayout(table.headers, mapping, table.encoding, table.delimiter, len(table.rows))
    reader = RowReader(
        mapping,
        len(table.headers),
        PhoneNormaliser(options.region),
        default_source=options.default_source,
        valid_zone=_valid_zone,
    )
    rows: list[Row] = []
    rejects: list[Reject] = []
    for cells, line in zip(table.rows, table.lines, strict=True):
        row = reader.read(cells, line)
        if isinstance(row, str):
            rejects.append((cells, f"line {line}: {row}"))
            continue
        rows.append(row)
        if len(rows) >= options.batch_rows:
            yield ValidatedBatch(rows, rejects)
            rows, rejects = [], []
    if rows or rejects:
        yield ValidatedBatch(rows, rejects)
    yield Finished(reader.unknown_zones)


def _send_all(stream: BinaryIO, path: Path, options: ReadOptions) -> None:
    """Every message of `validated` as a pickle on `stream`, rows as plain tuples."""
    try:
        for message in validated(path, options):
            if isinstance(message, ValidatedBatch):
                message = ([tuple(row) for row in message.rows], message.rejects)
            pickle.dump(message, stream, protocol=pickle.HIGHEST_PROTOCOL)
            stream.flush()
    except UserError as error:
        pickle.dump(_Failed(str(error), user_error=True), stream)
    except BrokenPipeError:
        raise  # the writer is gone: nobody to tell
    except BaseException:  # noqa: BLE001 - reported to the writer, which raises it
        pickle.dump(_Failed(traceback.format_exc(), user_error=False), stream)


def _reading_process(sending: int, path: Path, options: ReadOptions) -> NoReturn:
    """The forked child's whole life: keep only its end of the pipe, send, exit.

    Every other inherited descriptor is closed first: a copy of the parent's database
    socket kept open here would keep the parent's transaction (and PostgreSQL's intake
    lock) alive after the parent is killed, and a copy of the pipe's reading end would
    leave this process blocked on a full pipe forever.
    """
    status = 1
    try:
        os.closerange(3, sending)
        os.closerange(sending + 1, os.sysconf("SC_OPEN_MAX"))
        with open(sending, "wb") as stream:
            _send_all(stream, path, options)
        status = 0
    finally:
        os._exit(status)  # no atexit handlers: they belong to the parent (its database)


def _received(stream: BinaryIO) -> Iterator[FileLayout | ValidatedBatch | Finished]:
    while True:
        try:
            message = pickle.load(stream)
        except EOFError:
            raise RuntimeError("the import's reading process ended unexpectedly") from None
        if isinstance(message, _Failed):
            if message.user_error:
                raise UserError(message.message)
            raise RuntimeError(f"the import's reading process failed:\n{message.message}")
        if isinstance(message, tuple):
            rows, rejects = message
            message = ValidatedBatch(list(map(Row._make, rows)), rejects)
        yield message
        if isinstance(message, Finished):
            return


def _parallel(path: Path) -> bool:
    if not hasattr(os, "fork"):
        return False
    try:
        return path.stat().st_size >= PARALLEL_FROM_BYTES
    except OSError:
        return False  # read_table says what is wrong with the file


@contextmanager
def validated_in_background(path: Path, options: ReadOptions) -> Iterator[ValidatedFile]:
    """`validated(path, options)`, computed by a second process when that pays."""
    if not _parallel(path):
        yield ValidatedFile(validated(path, options))
        return
    # A bare fork: the child starts at once with everything imported (spawning a fresh
    # interpreter would spend ~0.6 s importing before the first row).
    receiving, sending = os.pipe()
    try:
        pid = os.fork()
    except OSError:  # out of processes or memory: one process still does the job
        pid = None
        os.close(receiving)
        os.close(sending)
    if pid is None:
        yield ValidatedFile(validated(path, options))
        return
    if pid == 0:
        _reading_process(sending, path, options)
    os.close(sending)  # the child holds the only writing end: EOF when it ends
    try:
        with open(receiving, "rb") as stream:
            yield ValidatedFile(_received(stream))
    finally:
        with suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)  # gone already unless the writer stopped early
        os.waitpid(pid, 0)
