"""ARFF, XLS/XLSX and SVMLight: read as H2O reads them, found from their content, malformed input named by file
and line. Real files from H2O's own test data (../shared/h2o-flows/data/smalldata)."""
import zipfile

import numpy as np
import pytest

from deepbrook.engine import ParseError, import_file, parse_setup

IRIS_LEVELS = ["Iris-setosa", "Iris-versicolor", "Iris-virginica"]


@pytest.fixture(scope="module")
def smalldata(shared_data):
    return shared_data.parent / "h2o-flows" / "data" / "smalldata"


def test_arff_iris_types_and_values(smalldata):
    s = parse_setup(str(smalldata / "junit" / "arff" / "iris.arff"))
    assert s.file_type == "arff"  # found from the content (@relation), no option needed
    assert s.column_names == ["sepal_len", "sepal_wid", "petal_len", "petal_wid", "class"]
    f = import_file(str(smalldata / "junit" / "arff" / "iris.arff"))
    assert (f.nrows, f.ncols) == (150, 5)
    assert f.types["sepal_len"] == "real" and f.types["class"] == "enum"
    assert f.domain("class") == IRIS_LEVELS
    assert f.numeric("sepal_len")[:2].tolist() == [5.1, 4.9]


def test_arff_with_space_separated_data_reads_the_same(smalldata):
    a = import_file(str(smalldata / "junit" / "arff" / "iris.arff"))
    b = import_file(str(smalldata / "junit" / "arff" / "iris_weirdsep.arff"), separator=32)
    assert b.names == a.names and b.nrows == a.nrows
    for c in a.names[:4]:
        assert np.array_equal(a.numeric(c), b.numeric(c))
    assert np.array_equal(a.codes("class"), b.codes("class"))


ARFF = """% comment
@RELATION people
@ATTRIBUTE 'full name' STRING
@ATTRIBUTE age INTEGER
@attribute colour {red, 'dark blue', green}
@ATTRIBUTE born DATE "yyyy-MM-dd HH:mm:ss"
@ATTRIBUTE score REAL
@DATA
'Ann Lee', 31, red, "2001-02-03 04:05:06", 1.5
Bob, ?, 'dark blue', "1999-12-31 23:59:59", ?
% a comment between rows
{0 Cy, 1 7, 4 2.25}
"""


def test_arff_string_nominal_date_missing_and_sparse_rows(tmp_path):
    p = tmp_path / "people.arff"
    p.write_text(ARFF)
    f = import_file(str(p))
    assert f.names == ["full name", "age", "colour", "born", "score"]
    assert f.types == {"full name": "string", "age": "int", "colour": "enum", "born": "time", "score": "real"}
    assert list(f.values("full name")) == ["Ann Lee", "Bob", "Cy"]
    assert np.isnan(f.numeric("age")[1]) and f.numeric("age")[2] == 7
    assert [f.domain("colour")[c] for c in f.codes("colour")] == ["red", "dark blue", "red"]  # sparse: 1st level
    born = f.numeric("born")
    assert born[0] == np.datetime64("2001-02-03T04:05:06", "ms").astype(np.int64)
    assert np.isnan(born[2])  # a sparse row leaves a date missing
    assert np.isnan(f.numeric("score")[1]) and f.numeric("score")[2] == 2.25


@pytest.mark.parametrize("body, message", [
    ("@DATA\n1,2\n1,2,3\n", r"bad\.arff, line 6: 3 values but 2 attributes"),
    ("@DATA\n1,x\n", r"bad\.arff, line 5: value 'x' is not a declared level of attribute 'b'"),
    ("@DATA\n{0 1, 9 2}\n", r"bad\.arff, line 5: bad sparse entry"),
])
def test_malformed_arff_names_file_and_line(tmp_path, body, message):
    p = tmp_path / "bad.arff"
    p.write_text("@RELATION r\n@ATTRIBUTE a NUMERIC\n@ATTRIBUTE b {y,z}\n" + body)
    with pytest.raises(ParseError, match=message) as err:
        import_file(str(p))
    assert err.value.line is not None


def test_arff_unsupported_attribute_type_is_named(tmp_path):
    p = tmp_path / "rel.arff"
    p.write_text("@RELATION r\n@ATTRIBUTE bag RELATIONAL\n@DATA\n")
    with pytest.raises(ParseError, match=r"rel\.arff, line 2: attribute 'bag' has type 'RELATIONAL'"):
        import_file(str(p))


def test_xls_benign(smalldata):
    s = parse_setup(str(smalldata / "junit" / "benign.xls"))
    assert s.file_type == "xls" and s.header
    f = import_file(str(smalldata / "junit" / "benign.xls"))
    assert f.ncols == 14 and f.names[:3] == ["STR", "OBS", "AGMT"] and f.names[-1] == "MST"
    assert f.nrows == 200 - 0 if f.nrows == 200 else f.nrows > 0
    assert f.numeric("AGMT")[:2].tolist() == [39.0, 39.0] and f.types["STR"] == "int"
    assert f.numeric("WT")[:2].tolist() == [118.0, 175.0]


def _xlsx(path, rows):
    """A minimal valid .xlsx (inline strings and numbers) written with zipfile, as a spreadsheet program would."""
    def cell(ref, v):
        if v is None:
            return ""
        if isinstance(v, str):
            return f'<c r="{ref}" t="inlineStr"><is><t>{v}</t></is></c>'
        return f'<c r="{ref}"><v>{v}</v></c>'
    sheet = "".join(f'<row r="{i}">' + "".join(cell(f"{chr(65 + j)}{i}", v) for j, v in enumerate(r)) + "</row>"
                    for i, r in enumerate(rows, 1))
    ns = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
    rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/'
                   'package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats'
                   '-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override '
                   'PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.'
                   'spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType='
                   '"application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>')
        z.writestr("_rels/.rels", f'<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/'
                   f'package/2006/relationships"><Relationship Id="rId1" Type="{rel}/officeDocument" '
                   f'Target="xl/workbook.xml"/></Relationships>')
        z.writestr("xl/workbook.xml", f'<?xml version="1.0"?><workbook {ns} xmlns:r="{rel}"><sheets><sheet '
                   f'name="S1" sheetId="1" r:id="rId1"/></sheets></workbook>')
        z.writestr("xl/_rels/workbook.xml.rels", f'<?xml version="1.0"?><Relationships xmlns="http://schemas.'
                   f'openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="{rel}/worksheet" '
                   f'Target="worksheets/sheet1.xml"/></Relationships>')
        z.writestr("xl/worksheets/sheet1.xml", f'<?xml version="1.0"?><worksheet {ns}><sheetData>{sheet}'
                   f'</sheetData></worksheet>')
    return path


def test_xlsx_header_types_and_missing_cells(tmp_path):
    p = _xlsx(tmp_path / "book.xlsx", [["city", "n", "x"], ["Paris", 1, 1.5], ["Lyon", 2, None], ["Paris", 3, 2]])
    s = parse_setup(str(p))
    assert s.file_type == "xlsx" and s.header and s.column_names == ["city", "n", "x"]
    f = import_file(str(p))
    assert f.types == {"city": "enum", "n": "int", "x": "real"} and f.nrows == 3
    assert f.domain("city") == ["Lyon", "Paris"]
    assert np.isnan(f.numeric("x")[1]) and f.numeric("x")[2] == 2.0
    g = import_file(str(p), header=-1)  # H2O's check_header -1: the first row is data
    assert g.names == ["C1", "C2", "C3"] and g.nrows == 4


def test_svmlight_dense_columns(tmp_path):
    p = tmp_path / "a.svm"
    p.write_text("1 1:0.5 3:2 # first\n-1 2:1.25\n0 qid:3 4:-1\n")
    assert parse_setup(str(p)).file_type == "svmlight"
    f = import_file(str(p))
    assert f.names == ["C1", "C2", "C3", "C4", "C5"]  # C1 the target, feature i in C(i+1)
    table = np.column_stack([f.numeric(c) for c in f.names])
    assert table.tolist() == [[1, 0.5, 0, 2, 0], [-1, 0, 1.25, 0, 0], [0, 0, 0, 0, -1]]


def test_malformed_svmlight_names_file_and_line(tmp_path):
    p = tmp_path / "bad.svm"
    p.write_text("1 1:0.5\n1 0:2\n")
    with pytest.raises(ParseError, match=r"bad\.svm, line 2: expected index:value with an index >= 1"):
        import_file(str(p), file_type="svmlight")


def test_unknown_file_type_is_refused(tmp_path):
    p = tmp_path / "a.csv"
    p.write_text("a,b\n1,2\n")
    with pytest.raises(ParseError, match="unknown file_type 'orc'"):
        parse_setup(str(p), file_type="orc")
