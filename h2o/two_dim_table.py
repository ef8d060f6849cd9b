"""``H2OTwoDimTable``: H2O's table object (a titled table with ``as_data_frame()``) over a pandas DataFrame."""
import pandas as pd


class H2OTwoDimTable:
    """A titled table; ``cell_values`` are its rows, ``col_header`` its column names."""

    def __init__(self, table_header=None, col_header=None, cell_values=None, table_description="", frame=None):
        if frame is None:
            frame = pd.DataFrame(cell_values or [], columns=col_header)
        self._df = frame.reset_index(drop=True)
        self.table_header = table_header or ""
        self.table_description = table_description

    @classmethod
    def from_pandas(cls, df, title="", index_name=None):
        if df is None:
            return None
        if index_name is not None or not isinstance(df.index, pd.RangeIndex):  # row labels are a column
            df = df.rename_axis(index_name or "").reset_index()
        return cls(title, frame=df)

    @property
    def col_header(self):
        return list(self._df.columns)

    @property
    def cell_values(self):
        return self._df.values.tolist()

    def as_data_frame(self):
        return self._df.copy()

    def __getitem__(self, key):
        return self._df[key].tolist() if isinstance(key, str) else self._df.iloc[key].tolist()

    def __len__(self):
        return len(self._df)

    def show(self, header=True):
        print(repr(self))

    def __repr__(self):
        head = f"{self.table_header}: {self.table_description}".rstrip(": ") + "\n" if self.table_header else ""
        return head + self._df.to_string(index=False)
