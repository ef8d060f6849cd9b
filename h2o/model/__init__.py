"""H2O's model result objects (metrics)."""
from .metrics import (H2OAutoEncoderModelMetrics, H2OBinomialModelMetrics, H2OModelMetrics,  # noqa: F401
                      H2OMultinomialModelMetrics, H2ORegressionModelMetrics, wrap_metrics)
