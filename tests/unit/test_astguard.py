"""The ast.parse guard: several threads parsing at once never fail (CPython 3.11's gh-106905 race).

Without the guard, this workload (four threads, 80 parses of ast.py) gave 3, 11 and 9 SystemErrors in three
runs on Python 3.11.7 (the same code with `ast.parse` unguarded); the schemathesis test failed the same way
once in a whole `make test`.
"""

from __future__ import annotations

import ast
import threading

from stagepool_shared import astguard

SOURCE = open(ast.__file__).read()


class WithFinalizer:
    """Garbage whose collection runs Python code, so the collector can switch threads mid-parse."""

    def __del__(self) -> None:
        pass


def parse_with_garbage(errors: list[str], rounds: int) -> None:
    for _ in range(rounds):
        junk = [WithFinalizer() for _ in range(50)]
        for item in junk:
            item.cycle = item
        try:
            ast.parse(SOURCE)
        except SystemError as err:
            errors.append(str(err))


def test_threads_parsing_at_once_never_fail_once_guarded():
    astguard.install()
    errors: list[str] = []
    threads = [threading.Thread(target=parse_with_garbage, args=(errors, 20)) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []


def test_installing_twice_wraps_once():
    astguard.install()
    guarded = ast.parse
    astguard.install()
    assert ast.parse is guarded and guarded._stagepool_guarded
    assert isinstance(ast.parse("x = 1"), ast.Module)
