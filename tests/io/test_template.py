"""The Excel data template round-trips, and the docs are in step with the template spec."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pandas as pd

from oncocohort.io.columns import TEMPLATE
from oncocohort.io.template import (
    DICTIONARY_SHEET,
    category_map_markdown,
    data_dictionary,
    template_headers,
    template_markdown,
    write_template,
)
from oncocohort.protocol import load_protocol
from oncocohort.protocol.examples import example_study_path
from oncocohort.validate import load_study

from .conftest import EXAMPLE, TABLES, assert_same_study, write_protocol

DOCS = Path(__file__).resolve().parents[2] / "docs"


def test_template_round_trips(tmp_path: Path, typed_raw_tables, reference_study) -> None:
    protocol = load_protocol(example_study_path(EXAMPLE))
    path = write_template(tmp_path / "data.xlsx", protocol)
    book = openpyxl.load_workbook(path)
    assert book.sheetnames == [*TEMPLATE, DICTIONARY_SHEET]
    # fill: the user types rows under the headers, in the template's column order
    for table in TABLES:
        sheet = book[table]
        headers = [c.value for c in sheet[1]]
        assert headers == template_headers(table, protocol)
        frame = typed_raw_tables[table]
        for row in frame.itertuples(index=False):
            record = row._asdict()
            sheet.append([None if pd.isna(record.get(h)) else _cell(record.get(h)) for h in headers])
    book.save(path)
    study = load_study(write_protocol(tmp_path, {t: "data.xlsx" for t in TABLES}))
    assert_same_study(study, reference_study)


def _cell(value):
    return value.to_pydatetime() if isinstance(value, pd.Timestamp) else value


def test_data_dictionary_lists_every_column_with_type_and_allowed_values() -> None:
    protocol = load_protocol(example_study_path(EXAMPLE))
    dictionary = data_dictionary(protocol)
    assert list(dictionary.columns) == ["table", "column", "type", "required", "allowed values", "description",
                                        "example"]
    row = dictionary.set_index(["table", "column"]).loc[("lesions", "lesion_type")]
    assert (row["type"], row["required"], row["allowed values"]) == ("category", "column and value",
                                                                    "target, non-target, new")
    arm = dictionary.set_index(["table", "column"]).loc[("patients", "arm")]
    assert arm["allowed values"].startswith("ici, ici_mwa")
    grade = dictionary.set_index(["table", "column"]).loc[("adverse_events", "grade")]
    assert grade["allowed values"] == "≥ 1 and ≤ 5"
    ecog = dictionary.set_index(["table", "column"]).loc[("patients", "ecog")]
    assert ecog["allowed values"] == "0, 1"
    assert len(dictionary) == sum(len(c) for c in TEMPLATE.values()) + len(protocol.variables)


def test_docs_data_template_is_in_step_with_the_spec() -> None:
    text = (DOCS / "data-template.md").read_text(encoding="utf-8")
    for block in template_markdown().split("### ")[1:]:  # one block per table
        assert "### " + block.rstrip() in text
    assert category_map_markdown() in text


def test_category_columns_offer_drop_downs(tmp_path: Path) -> None:
    protocol = load_protocol(example_study_path(EXAMPLE))
    book = openpyxl.load_workbook(write_template(tmp_path / "t.xlsx", protocol))
    lists = {str(v.sqref): v.formula1 for v in book["patients"].data_validations.dataValidation}
    headers = {c.value: c.column_letter for c in book["patients"][1]}
    assert lists[f"{headers['arm']}2:{headers['arm']}5000"] == '"ici,ici_mwa"'
    assert lists[f"{headers['sex']}2:{headers['sex']}5000"] == '"male,female"'
    lesion_lists = {v.formula1 for v in book["lesions"].data_validations.dataValidation}
    assert '"target,non-target,new"' in lesion_lists and '"yes,no"' in lesion_lists
