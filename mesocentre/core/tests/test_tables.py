"""The portal's tables: django-tables2's render methods, their signatures read once per function."""

import inspect

import django_tables2 as tables
import django_tables2.utils

from mesocentre.core import tables as core_tables


class Sample(tables.Table):
    name = tables.Column()
    size = tables.Column()
    kind = tables.Column()
    note = tables.Column(empty_values=())

    def render_name(self, value):
        return f"<{value}>"

    def render_size(self, record, value):
        return f"{value} of {record['name']}"

    def render_kind(self, **kwargs):
        return ",".join(sorted(k for k in kwargs if k in {"value", "record", "column"}))

    def render_note(self, table):
        return type(table).__name__


def cells(table):
    return [[cell for _column, cell in row.items()] for row in table.rows]


def test_each_render_method_gets_its_own_arguments_and_inspect_is_asked_once(monkeypatch):
    assert django_tables2.utils.signature is core_tables._signature
    core_tables._signatures.clear()
    asked = []

    def counting(fn, *args, **kwargs):
        asked.append(getattr(fn, "__name__", fn))
        return inspect.Signature.from_callable(fn, *args, **kwargs)

    monkeypatch.setattr(inspect, "signature", counting)
    data = [{"name": "a", "size": 1, "kind": "x"}, {"name": "b", "size": 2, "kind": "y"}]
    first = cells(Sample(data))
    seen = len(asked)
    second = cells(Sample(list(reversed(data))))  # another table: its methods are bound to another object
    assert first == [
        ["<a>", "1 of a", "column,record,value", "Sample"],
        ["<b>", "2 of b", "column,record,value", "Sample"],
    ]
    assert second == list(reversed(first))
    assert seen and len(asked) == seen  # the second table asked nothing more


def test_an_unhashable_callable_is_asked_every_time():
    class Unhashable:
        __hash__ = None

        def __call__(self, value, record):
            return value

    assert core_tables._signature(Unhashable()) == (("value", "record"), None)
