"""#18 minor: confusion-matrix counts show as integers, except where weights make them fractional."""
import pandas as pd

from deepbrook.app.views.metrics_panel import whole_counts


def test_whole_counts_become_integers_and_weighted_counts_stay():
    cm = pd.DataFrame({"0": [68.0, 14.0, 82.0], "1": [159.0, 139.0, 298.0], "Error": [0.7, 0.09, 0.46],
                       "Rate": ["159 / 227", "14 / 153", "173 / 380"]}, index=["0", "1", "Total"])
    shown = whole_counts(cm)
    assert shown["0"].tolist() == [68, 14, 82] and str(shown["0"].dtype) == "int64"
    assert shown["Error"].tolist() == [0.7, 0.09, 0.46] and shown["Rate"].tolist() == cm["Rate"].tolist()
    weighted = cm.assign(**{"1": [159.5, 139.0, 298.5]})
    assert whole_counts(weighted)["1"].tolist() == [159.5, 139.0, 298.5]
    assert cm["0"].dtype == float  # the metrics' own table is left as it is
